package wasm

import (
	"errors"
	"fmt"
	"math"

	"github.com/rose-go/rose/ir"
)

// loc is where a variable lives: a Wasm local (mem false), or memory at
// base+off where base is the local holding a pointer, or address 0 when
// base is -1 (a frame variable, whose address is a constant), or, for a
// small aggregate, one Wasm local per slot (regs; mem false).
type loc struct {
	mem   bool
	local int32 // the scalar's local, or the pointer's; -1: none
	off   uint32
	regs  []int32 // an aggregate in locals: slot j is local regs[j]
}

func (l loc) static() bool { return l.mem && l.local < 0 }

// reg reports whether l is an aggregate held in locals.
func (l loc) reg() bool { return l.regs != nil }

// regTypes gives the local types of t's slots when an aggregate of type t
// may live in locals (every slot a Real, Int or Bool; at most
// Options.RegSlots), else nil.
func (fg *fgen) regTypes(t *ir.Type) []ValType {
	if vt, ok := fg.regCache[t]; ok {
		return vt
	}
	var vt []ValType
	ok := true
	var walk func(t *ir.Type)
	walk = func(t *ir.Type) {
		switch t.Kind {
		case ir.KArray:
			for range t.Len {
				walk(t.Elem)
			}
		case ir.KTuple:
			for _, e := range t.Elems {
				walk(e)
			}
		case ir.KReal, ir.KInt, ir.KBool:
			vt = append(vt, valType(t))
		default:
			ok = false
		}
	}
	if n := t.Slots(); n > 0 && n <= fg.g.opt.RegSlots {
		walk(t)
	} else {
		ok = false
	}
	if !ok {
		vt = nil
	}
	if fg.regCache == nil {
		fg.regCache = map[*ir.Type][]ValType{}
	}
	fg.regCache[t] = vt
	return vt
}

// localType is the type of local i.
func (fg *fgen) localType(i int32) ValType { return fg.top.locals[int(i)-fg.top.nparam] }

// subLoc is the part of l at byte offset off, n slots long.
func subLoc(l loc, off uint32, n int) loc {
	if l.reg() {
		return loc{local: -1, regs: l.regs[off/8 : off/8+uint32(n)]}
	}
	return loc{mem: true, local: l.local, off: l.off + off}
}

// fgen generates one function.
type fgen struct {
	g      *gen
	f      *ir.Func
	k      int // index in g.funcs
	c      *Code
	top    *fgen // the function generated (differs from fg for an inlined callee)
	fuel   int32 // the local holding gFuel while the function runs (top only)
	zero   int32 // a local holding 0, the base of frame addresses (top only)
	nparam int
	locals []ValType
	loc    []loc
	done   []bool // variable has a location
	frame  uint32 // frame base
	next   uint32 // first free frame byte (absolute)
	end    uint32 // end of the frame so far
	rp     int32  // result pointer parameter, -1 for a scalar result
	err    error

	// In-place updates: the evaluator's rule (an update may write into
	// its source array when the array, and every variable sharing its
	// slots, is not used after the update).
	live    *ir.Liveness
	frames  []ir.Frame // the blocks being generated, outermost first
	root    []ir.Var
	aliases map[ir.Var][]ir.Var

	regCache map[*ir.Type][]ValType
	rng      map[ir.Var]span    // known bounds of Int variables
	fconst   map[ir.Var]float64 // Real variables defined by a constant
	borrowed []bool             // parameters of an inlined callee: the caller's values
	target   map[ir.Var]part    // aggregates built directly where their only use puts them
	// stateAt maps a loop's next state, and the tuples and ifs it is
	// made of, to their place in the state's slots, where they are built
	// when that is safe (see nextState).
	stateAt  map[ir.Var]statePart
	readOnly map[ir.Var]bool // elements of arrays that only further indexing or fields read
	// finalOnly: scans whose recorded states nothing reads (only the
	// final state).
	finalOnly map[ir.Var]bool
	// loads maps an operation to the scalar an earlier, identical one of
	// the blocks being generated computed: pure scalar operations, the
	// addresses of references, and indexing (the array cannot have
	// changed since: an update in place needs the array dead).
	loads scoped[cseKey, ir.Var]

	// Scalar accumulations in flight: consecutive adds into one
	// reference add up in a local, stored once, while nothing else can
	// read the accumulator (see keepsPending).
	affine  map[ir.Var]affine // Int variables as another plus a constant
	refAt   map[ir.Var]refAt  // references to elements of accumulators
	pending []pend
	ptrs    scoped[ptrKey, int32] // element pointers computed in the blocks being generated
}

func (g *gen) function(f *ir.Func) error {
	fg := &fgen{g: g, f: f, k: g.index[f], c: &Code{}, loc: make([]loc, len(f.Types)), done: make([]bool, len(f.Types)), rp: -1}
	fg.top = fg
	fg.frame = g.next
	fg.next, fg.end = g.next, g.next
	sig := signature(f)
	fg.nparam = len(sig.Params)
	for i, p := range f.Params {
		if inLocal(f.Types[p]) {
			fg.set(p, loc{local: int32(i)})
		} else {
			fg.set(p, loc{mem: true, local: int32(i)})
		}
	}
	if !inLocal(f.Result()) {
		fg.rp = int32(len(f.Params))
	}
	fg.liveness()
	fg.targets()
	fg.reads()
	// The fuel lives in a local; the global is up to date around calls.
	fg.fuel = fg.newLocal(I64)
	fg.zero = fg.newLocal(I32) // locals start at 0
	fg.c.Idx(OpGlobalGet, gFuel)
	fg.c.Idx(OpLocalSet, uint32(fg.fuel))
	fg.block(f.Body)
	fg.c.Idx(OpLocalGet, uint32(fg.fuel))
	fg.c.Idx(OpGlobalSet, gFuel)
	r := f.Body.Result
	if fg.rp >= 0 {
		fg.copy(loc{mem: true, local: fg.rp}, fg.loc[r], f.Types[r].Slots())
	} else {
		fg.c.Idx(OpLocalGet, uint32(fg.loc[r].local))
	}
	if fg.err != nil {
		return fg.err
	}
	if uint64(fg.end) > maxStatic {
		return fmt.Errorf("wasm: %s: %w", f.Name, errTooLarge)
	}
	g.next = align8(fg.end)
	g.m.Funcs = append(g.m.Funcs, Func{Type: g.m.TypeIndex(sig), Locals: fg.locals, Body: fg.c, Name: f.Name})
	return nil
}

func (fg *fgen) set(v ir.Var, l loc) { fg.loc[v], fg.done[v] = l, true }

func (fg *fgen) fail(format string, args ...any) {
	if fg.err == nil {
		fg.err = fmt.Errorf("wasm: %s: "+format, append([]any{fg.f.Name}, args...)...)
	}
}

// newLocal adds a local of type t.
func (fg *fgen) newLocal(t ValType) int32 {
	top := fg.top
	top.locals = append(top.locals, t)
	return int32(top.nparam + len(top.locals) - 1)
}

// part is where an aggregate goes: byte offset off of variable of (the
// function's result memory when of is ir.NoVar).
type part struct {
	of  ir.Var
	off uint32
}

// targets finds the aggregates that can be built in place: an aggregate
// whose only use is as an element of a tuple or array built in the same
// block lives in that element's slots; the result of the function, in
// the result memory (such a variable is written once, by its definition,
// and read by nothing else, so nothing observes the slots it shares).
func (fg *fgen) targets() {
	f := fg.f
	uses := make([]int32, len(f.Types))
	var count func(b *ir.Block)
	fg.finalOnly = map[ir.Var]bool{}
	notFinal := map[ir.Var]bool{}
	count = func(b *ir.Block) {
		for i := range b.Instrs {
			in := &b.Instrs[i]
			if in.Op == ir.OpScan {
				fg.finalOnly[in.Dst] = true
			}
			for _, a := range in.Args {
				if a >= 0 && int(a) < len(uses) {
					uses[a]++
				}
				if in.Op != ir.OpField || in.N != 1 {
					notFinal[a] = true
				}
			}
			for _, nb := range in.Blocks {
				count(nb)
			}
		}
		if r := b.Result; r >= 0 && int(r) < len(uses) {
			uses[r]++
			notFinal[r] = true
		}
	}
	count(f.Body)
	for v := range notFinal {
		delete(fg.finalOnly, v)
	}
	fg.target = map[ir.Var]part{}
	fg.loopStates()
	defined := map[ir.Var]bool{}
	var walk func(b *ir.Block)
	walk = func(b *ir.Block) {
		for i := range b.Instrs {
			in := &b.Instrs[i]
			for _, nb := range in.Blocks {
				walk(nb)
			}
			if _, ok := fg.stateAt[in.Dst]; ok {
				// Part of a loop's next state: its elements go into the
				// state's slots, not into slots of their own.
				defined[in.Dst] = true
				continue
			}
			if in.Op == ir.OpTuple || in.Op == ir.OpArray {
				var o uint32
				for _, a := range in.Args {
					if defined[a] && uses[a] == 1 && fg.live.DefBlk[a] == b && !inLocal(f.Types[a]) {
						fg.target[a] = part{in.Dst, o}
					}
					o += uint32(f.Types[a].Slots()) * 8
				}
			}
			defined[in.Dst] = true
		}
	}
	walk(f.Body)
	if r := f.Body.Result; fg.rp >= 0 && fg.top == fg && defined[r] && uses[r] == 1 && fg.live.DefBlk[r] == f.Body {
		fg.target[r] = part{ir.NoVar, 0}
	}
}

// statePart is a place in a loop's state: byte offset off in the slots
// of the state variable sv. last marks what a block makes last (the
// body's result, an arm's result when the if is in the state): nothing in
// the block reads the state after it.
type statePart struct {
	sv   ir.Var
	off  uint32
	last bool
}

// loopStates marks, for every loop, its next state and what it is made
// of (ir.StateParts) with their places in the state (fg.stateAt): they
// are built there when nothing reads those slots after them, the shapes
// element updates of vars lower to (`v = if c { ... } else { ... }; x =
// field v 0; (x, ...)`, `s.a[i] = ...`).
func (fg *fgen) loopStates() {
	fg.stateAt = map[ir.Var]statePart{}
	var walk func(b *ir.Block)
	walk = func(b *ir.Block) {
		for i := range b.Instrs {
			in := &b.Instrs[i]
			for _, nb := range in.Blocks {
				walk(nb)
			}
			switch in.Op {
			case ir.OpLoop, ir.OpScan:
				fg.place(in.Blocks[0], in.Blocks[0].Params[1], 0)
			case ir.OpWhile, ir.OpWhileScan:
				fg.place(in.Blocks[1], in.Blocks[1].Params[0], 0)
			}
		}
	}
	walk(fg.f.Body)
}

// place records the places in the state sv that ir.StateParts finds for
// b, whose result lies at byte offset off of the state; b's result, made
// last, is marked so.
func (fg *fgen) place(b *ir.Block, sv ir.Var, off uint32) {
	for v, o := range ir.StateParts(fg.f, b, int(off/8), fg.f.Types[sv].Slots()) {
		if _, seen := fg.stateAt[v]; !seen {
			fg.stateAt[v] = statePart{sv: sv, off: uint32(o) * 8, last: v == b.Result}
		}
	}
}

// fitsState reports whether the tuple in, (part of) a loop's next
// state, may be built at st in the state's slots (static memory): each
// element lives in locals, already is in its place there (an array
// updated in place), or lies apart from st, so that no store overwrites
// what a later one reads.
func (fg *fgen) fitsState(in *ir.Instr, st loc) bool {
	f := fg.f
	n := uint32(f.Types[in.Dst].Slots()) * 8
	var o uint32
	for _, a := range in.Args {
		t := f.Types[a]
		w := uint32(t.Slots()) * 8
		la := fg.loc[a]
		switch {
		case w == 0 || inLocal(t) || la.reg():
		case la.static() && la.off == st.off+o:
		case la.static() && (la.off+w <= st.off || st.off+n <= la.off):
		default:
			return false
		}
		o += w
	}
	return true
}

// shareState makes v, built in the slots of the loop state sv, one of
// the variables sharing them, so that nothing is built over it while it
// is live.
func (fg *fgen) shareState(v, sv ir.Var) {
	r := fg.rootOf(sv)
	fg.root[v] = r
	fg.aliases[r] = append(fg.aliases[r], v)
}

// stateFree reports whether the n bytes at off in the slots of the loop
// state sv are free to be written: sv and every variable sharing those
// bytes are dead after the instruction at hand.
func (fg *fgen) stateFree(sv ir.Var, off, n uint32) bool {
	return fg.dead(sv) && !fg.aliasLive(fg.rootOf(sv), off, off+n)
}

// aliasLive reports whether a variable sharing root's slots that is not
// a frame variable, or that overlaps bytes [lo, hi), is used after the
// instruction at hand.
func (fg *fgen) aliasLive(root ir.Var, lo, hi uint32) bool {
	for _, u := range fg.aliases[root] {
		ul := fg.loc[u]
		if (!ul.static() || ul.off < hi && lo < ul.off+uint32(fg.f.Types[u].Slots())*8) && !fg.dead(u) {
			return true
		}
	}
	return false
}

// reads finds the elements of arrays that only further indexing or
// field reads use (see viewable).
func (fg *fgen) reads() {
	fg.readOnly = map[ir.Var]bool{}
	other := map[ir.Var]bool{}
	var walk func(b *ir.Block)
	walk = func(b *ir.Block) {
		for i := range b.Instrs {
			in := &b.Instrs[i]
			if in.Op == ir.OpIndex {
				fg.readOnly[in.Dst] = true
			}
			for k, a := range in.Args {
				if k != 0 || in.Op != ir.OpIndex && in.Op != ir.OpField {
					other[a] = true
				}
			}
			for _, nb := range in.Blocks {
				walk(nb)
			}
		}
		other[b.Result] = true
	}
	walk(fg.f.Body)
	for v := range other {
		delete(fg.readOnly, v)
	}
}

// viewable reports whether the aggregate v, an element read out of an
// array in memory, may share the array's slots instead of being copied
// out: it is not built in a target's slots, and it is too large for
// locals or only read by further indexing (a[i][j] then loads one slot).
func (fg *fgen) viewable(v ir.Var) bool {
	t := fg.f.Types[v]
	if fg.done[v] || inLocal(t) || fg.regTypes(t) != nil && !fg.readOnly[v] {
		return false
	}
	_, ok := fg.target[v]
	return !ok
}

// view makes v, an element or field of the aggregate of read in place,
// share of's slots at l; it becomes an alias of of's root, so that an
// update of the root is not done in place while v is live.
func (fg *fgen) view(v, of ir.Var, l loc) {
	fg.set(v, l)
	r := fg.rootOf(of)
	fg.root[v] = r
	fg.aliases[r] = append(fg.aliases[r], v)
}

// targetLoc is the place v is built at when it has a target.
func (fg *fgen) targetLoc(v ir.Var) (loc, bool) {
	p, ok := fg.target[v]
	if !ok {
		return loc{}, false
	}
	n := fg.f.Types[v].Slots()
	if p.of == ir.NoVar {
		return loc{mem: true, local: fg.rp}, true
	}
	return subLoc(fg.alloc(p.of), p.off, n), true
}

// alloc gives v its place: a new local for a scalar, locals for a small
// aggregate, frame memory for another aggregate, or the slots its target
// gives it.
func (fg *fgen) alloc(v ir.Var) loc {
	if fg.done[v] {
		return fg.loc[v]
	}
	t := fg.f.Types[v]
	if l, ok := fg.targetLoc(v); ok {
		if !l.reg() || fg.regTypes(t) != nil {
			fg.set(v, l)
			return l
		}
	}
	if inLocal(t) {
		fg.set(v, loc{local: fg.newLocal(valType(t))})
	} else if vt := fg.regTypes(t); vt != nil {
		regs := make([]int32, len(vt))
		for j, ty := range vt {
			regs[j] = fg.newLocal(ty)
		}
		fg.set(v, loc{local: -1, regs: regs})
	} else {
		fg.set(v, loc{mem: true, local: -1, off: fg.reserve(t.Slots())})
	}
	return fg.loc[v]
}

// allocMem gives the aggregate v frame memory (or its target's memory).
func (fg *fgen) allocMem(v ir.Var) loc {
	if fg.done[v] {
		return fg.loc[v]
	}
	if l, ok := fg.targetLoc(v); ok && l.mem {
		fg.set(v, l)
		return l
	}
	fg.set(v, loc{mem: true, local: -1, off: fg.reserve(fg.f.Types[v].Slots())})
	return fg.loc[v]
}

// inMem returns l if it is memory, else a scratch frame copy of it (n
// slots).
func (fg *fgen) inMem(l loc, n int) loc {
	if !l.reg() {
		return l
	}
	s := loc{mem: true, local: -1, off: fg.reserve(n)}
	fg.copy(s, l, n)
	return s
}

// errTooLarge is the generator's failure for a function whose values do
// not fit in the static part of linear memory.
var errTooLarge = errors.New("frame too large")

// reserve takes n slots of the frame.
func (fg *fgen) reserve(n int) uint32 {
	a := fg.next
	if uint64(a)+uint64(n)*8 > maxStatic {
		if fg.err == nil {
			fg.err = fmt.Errorf("wasm: %s: %w", fg.f.Name, errTooLarge)
		}
		return a
	}
	fg.next += uint32(n) * 8
	fg.end = max(fg.end, fg.next)
	return a
}

// base pushes the base address of l (its offset goes in the immediate).
func (fg *fgen) base(l loc) {
	if l.local < 0 {
		// One local for the base 0 of every frame access: the compiler
		// checks the bounds of accesses through one base value once per
		// block for the largest offset seen so far, but every
		// i32.const 0 afresh.
		fg.c.Idx(OpLocalGet, uint32(fg.top.zero))
	} else {
		fg.c.Idx(OpLocalGet, uint32(l.local))
	}
}

// addr pushes the full address l.off+extra.
func (fg *fgen) addr(l loc, extra uint32) {
	if l.local < 0 {
		fg.c.I32Const(int32(l.off + extra))
		return
	}
	fg.c.Idx(OpLocalGet, uint32(l.local))
	if l.off+extra != 0 {
		fg.c.I32Const(int32(l.off + extra))
		fg.c.Op(OpI32Add)
	}
}

func (fg *fgen) get(v ir.Var) { fg.c.Idx(OpLocalGet, uint32(fg.loc[v].local)) }

// put stores v into the slots at l+off (byte offset).
func (fg *fgen) put(v ir.Var, l loc, off uint32) {
	t := fg.f.Types[v]
	if inLocal(t) {
		if l.reg() {
			fg.get(v)
			fg.c.Idx(OpLocalSet, uint32(l.regs[off/8]))
			return
		}
		fg.base(l)
		fg.get(v)
		storeKind(fg.c, t, l.off+off)
		return
	}
	fg.copy(subLoc(l, off, t.Slots()), fg.loc[v], t.Slots())
}

// take sets v (allocated) from the slots at l+off.
func (fg *fgen) take(v ir.Var, l loc, off uint32) {
	t := fg.f.Types[v]
	d := fg.alloc(v)
	if inLocal(t) {
		if l.reg() {
			fg.c.Idx(OpLocalGet, uint32(l.regs[off/8]))
		} else {
			fg.base(l)
			loadKind(fg.c, t, l.off+off)
		}
		fg.c.Idx(OpLocalSet, uint32(d.local))
		return
	}
	fg.copy(d, subLoc(l, off, t.Slots()), t.Slots())
}

// move sets d from s, both of type t (locals or memory).
func (fg *fgen) move(d, s loc, t *ir.Type) {
	if !d.mem && !d.reg() {
		if d.local != s.local {
			fg.c.Idx(OpLocalGet, uint32(s.local))
			fg.c.Idx(OpLocalSet, uint32(d.local))
		}
		return
	}
	fg.copy(d, s, t.Slots())
}

// loadSlot pushes the slot at the address on the stack (plus off) as a
// value of type vt.
func loadSlot(c *Code, vt ValType, off uint32) {
	switch vt {
	case F64:
		c.Mem(OpF64Load, 3, off)
	case I64:
		c.Mem(OpI64Load, 3, off)
	default:
		c.Mem(OpI64Load, 3, off)
		c.Op(OpI32WrapI64)
	}
}

// storeSlot stores the value of type vt on the stack into the slot at the
// address below it (plus off).
func storeSlot(c *Code, vt ValType, off uint32) {
	switch vt {
	case F64:
		c.Mem(OpF64Store, 3, off)
	case I64:
		c.Mem(OpI64Store, 3, off)
	default:
		c.Op(OpI64ExtendI32U)
		c.Mem(OpI64Store, 3, off)
	}
}

// copyRegs copies n slots where at least one side is in locals.
func (fg *fgen) copyRegs(d, s loc, n int) {
	c := fg.c
	if d.reg() && s.reg() {
		if &d.regs[0] == &s.regs[0] {
			return
		}
		src := s.regs
		overlap := false
		for _, a := range d.regs {
			for _, b := range s.regs {
				overlap = overlap || a == b
			}
		}
		if overlap {
			// Through fresh locals: the two share some.
			src = make([]int32, n)
			for j := range n {
				src[j] = fg.newLocal(fg.localType(s.regs[j]))
				c.Idx(OpLocalGet, uint32(s.regs[j]))
				c.Idx(OpLocalSet, uint32(src[j]))
			}
		}
		for j := range n {
			c.Idx(OpLocalGet, uint32(src[j]))
			c.Idx(OpLocalSet, uint32(d.regs[j]))
		}
		return
	}
	for j := n - 1; j >= 0; j-- { // last first (see slots)
		o := uint32(8 * j)
		if d.reg() {
			fg.base(s)
			loadSlot(c, fg.localType(d.regs[j]), s.off+o)
			c.Idx(OpLocalSet, uint32(d.regs[j]))
		} else {
			fg.base(d)
			c.Idx(OpLocalGet, uint32(s.regs[j]))
			storeSlot(c, fg.localType(s.regs[j]), d.off+o)
		}
	}
}

// copy copies n slots from s to d.
func (fg *fgen) copy(d, s loc, n int) {
	if n == 0 {
		return
	}
	if d.reg() || s.reg() {
		fg.copyRegs(d, s, n)
		return
	}
	if d.local == s.local && d.off == s.off {
		return
	}
	if n > fg.g.opt.CopyUnroll {
		fg.addr(d, 0)
		fg.addr(s, 0)
		fg.c.I32Const(int32(n * 8))
		fg.c.Op(OpMisc, MiscMemoryCopy, 0, 0)
		return
	}
	// Last slot first (see slots), unless d overlaps the start of s.
	fwd := d.static() && s.static() && d.off < s.off && s.off < d.off+uint32(n)*8
	for j := range n {
		k := uint32(n - 1 - j)
		if fwd {
			k = uint32(j)
		}
		fg.base(d)
		fg.base(s)
		fg.c.Mem(OpI64Load, 3, s.off+8*k)
		fg.c.Mem(OpI64Store, 3, d.off+8*k)
	}
}

// slots emits body for each of n slots; body gets at(l), which pushes the
// base address for slot memory l and returns the offset immediate.
func (fg *fgen) slots(n int, body func(at func(l loc) uint32)) {
	if n <= 0 {
		return
	}
	if n <= fg.g.opt.Unroll {
		// Last slot first: the compiler then checks the bounds of the
		// accesses through one pointer once.
		for j := n - 1; j >= 0; j-- {
			body(func(l loc) uint32 {
				fg.base(l)
				return l.off + uint32(8*j)
			})
		}
		return
	}
	k := fg.newLocal(I32)
	fg.c.I32Const(0)
	fg.c.Idx(OpLocalSet, uint32(k))
	fg.c.Loop(BlockVoid)
	body(func(l loc) uint32 {
		fg.base(l)
		fg.c.Idx(OpLocalGet, uint32(k))
		fg.c.Op(OpI32Add)
		return l.off
	})
	fg.c.Idx(OpLocalGet, uint32(k))
	fg.c.I32Const(8)
	fg.c.Op(OpI32Add)
	fg.c.Idx(OpLocalTee, uint32(k))
	fg.c.I32Const(int32(8 * n))
	fg.c.Op(OpI32LtU)
	fg.c.Idx(OpBrIf, 0)
	fg.c.End()
}

// each emits body for each of n Real slots of the locations ls (memory or
// locals); body gets ld, which pushes the slot of a location, and st,
// which sets it to the value val pushes.
func (fg *fgen) each(n int, ls []loc, body func(ld func(loc), st func(loc, func()))) {
	c := fg.c
	anyReg := false
	for _, l := range ls {
		anyReg = anyReg || l.reg()
	}
	if !anyReg {
		fg.slots(n, func(at func(loc) uint32) {
			body(func(l loc) {
				o := at(l)
				c.Mem(OpF64Load, 3, o)
			}, func(l loc, val func()) {
				o := at(l)
				val()
				c.Mem(OpF64Store, 3, o)
			})
		})
		return
	}
	for j := n - 1; j >= 0; j-- { // last first (see slots)
		body(func(l loc) {
			if l.reg() {
				c.Idx(OpLocalGet, uint32(l.regs[j]))
				return
			}
			fg.base(l)
			c.Mem(OpF64Load, 3, l.off+uint32(8*j))
		}, func(l loc, val func()) {
			if l.reg() {
				val()
				c.Idx(OpLocalSet, uint32(l.regs[j]))
				return
			}
			fg.base(l)
			val()
			c.Mem(OpF64Store, 3, l.off+uint32(8*j))
		})
	}
}

// span is an interval lo..hi (inclusive) holding an Int variable.
type span struct{ lo, hi int64 }

// bound records that the Int variable v lies in lo..hi.
func (fg *fgen) bound(v ir.Var, lo, hi int64) {
	if fg.rng == nil {
		fg.rng = map[ir.Var]span{}
	}
	fg.rng[v] = span{lo, hi}
}

// inRange reports whether the Int variable i is known to lie in [0, n).
func (fg *fgen) inRange(i ir.Var, n int) bool {
	r, ok := fg.rng[i]
	return ok && r.lo >= 0 && r.hi < int64(n)
}

// constIndex reports the constant value of the Int variable i, if it is
// one in [0, n).
func (fg *fgen) constIndex(i ir.Var, n int) (int64, bool) {
	r, ok := fg.rng[i]
	return r.lo, ok && r.lo == r.hi && r.lo >= 0 && r.lo < int64(n)
}

// cseKey identifies an operation for reuse (see fgen.loads).
type cseKey struct {
	op   ir.Op
	a, b ir.Var
	n    int
	i    int64
	f    uint64
}

func keyOf(in *ir.Instr) cseKey {
	k := cseKey{op: in.Op, a: ir.NoVar, b: ir.NoVar, n: in.N, i: in.I, f: math.Float64bits(in.F)}
	if len(in.Args) > 0 {
		k.a = in.Args[0]
	}
	if len(in.Args) > 1 {
		k.b = in.Args[1]
	}
	return k
}

// reuse makes in's result the scalar of an identical earlier operation if
// there is one.
func (fg *fgen) reuse(in *ir.Instr) bool {
	if prev, ok := fg.loads.get(keyOf(in)); ok {
		fg.set(in.Dst, loc{local: fg.loc[prev].local})
		return true
	}
	return false
}

// failCall emits a call of fail with code, the site of pos and a, b
// pushed by the callbacks (nil for 0).
func (fg *fgen) failCall(code int32, pos ir.Pos, a, b func()) {
	fg.c.I32Const(code)
	fg.c.I32Const(fg.g.siteOf(fg.k, pos, -1))
	for _, push := range []func(){a, b} {
		if push == nil {
			fg.c.I64Const(0)
		} else {
			push()
		}
	}
	fg.c.Idx(OpCall, fg.g.failFn)
}

// step counts one step of the budget at pos.
func (fg *fgen) step(pos ir.Pos) {
	c := fg.c
	fuel := uint32(fg.top.fuel)
	c.Idx(OpLocalGet, fuel)
	c.I64Const(1)
	c.Op(OpI64Sub)
	c.Idx(OpLocalTee, fuel)
	c.Op(OpI64Eqz)
	c.If(BlockVoid)
	c.I32Const(fg.g.siteOf(fg.k, pos, -1))
	c.Idx(OpCall, fg.g.tickFn) // sets gFuel
	c.Idx(OpGlobalGet, gFuel)
	c.Idx(OpLocalSet, fuel)
	c.End()
}

// checkIndex fails unless 0 <= iv < n (iv an Int variable); it emits
// nothing when iv is known to be in range.
func (fg *fgen) checkIndex(iv ir.Var, n int64, pos ir.Pos) {
	if fg.inRange(iv, int(n)) {
		return
	}
	i := fg.loc[iv].local
	fg.c.Idx(OpLocalGet, uint32(i))
	fg.c.I64Const(n)
	fg.c.Op(OpI64GeU)
	fg.c.If(BlockVoid)
	fg.failCall(failIndex, pos, func() { fg.c.Idx(OpLocalGet, uint32(i)) }, func() { fg.c.I64Const(n) })
	fg.c.End()
}

// element returns the location of element i (an Int local, checked) of
// the array at l with elements of es slots.
// ptrKey identifies an element pointer: the array's base local and
// offset, the index variable and the element size.
type ptrKey struct {
	base int32
	off  uint32
	i    ir.Var
	es   int
}

// elementAt is element for the index variable iv: an index that is
// another, bounded one plus a constant shares that one's pointer, the
// constant going into the offset.
func (fg *fgen) elementAt(l loc, iv ir.Var, es int) loc {
	a := fg.affineOf(iv)
	r, ok := fg.rng[a.of]
	off := int64(l.off) + int64(a.c)*int64(es)*8
	if a.of == ir.NoVar && off >= 0 && off < 1<<31 {
		// A constant index (checked already): a constant offset from the
		// array's base, not a pointer computed at run time. Computed
		// pointers, one per read, each start a bound that wazero carries
		// through every later block, which was quadratic in straight-line
		// code.
		return loc{mem: true, local: l.local, off: uint32(off)}
	}
	if a.of == ir.NoVar || !ok || es == 0 || r.lo < 0 || r.hi >= (1<<28)/int64(es) || off < 0 || off >= 1<<31 {
		return fg.element(l, fg.loc[iv].local, es)
	}
	k := ptrKey{l.local, l.off, a.of, es}
	p, ok := fg.ptrs.get(k)
	if !ok {
		p = fg.element(loc{mem: true, local: l.local}, fg.loc[a.of].local, es).local
		fg.ptrs.set(k, p)
	}
	return loc{mem: true, local: p, off: uint32(off)}
}

func (fg *fgen) element(l loc, i int32, es int) loc {
	p := fg.newLocal(I32)
	fg.base(l)
	fg.c.Idx(OpLocalGet, uint32(i))
	fg.c.Op(OpI32WrapI64)
	fg.c.I32Const(int32(es * 8))
	fg.c.Op(OpI32Mul, OpI32Add)
	fg.c.Idx(OpLocalSet, uint32(p))
	return loc{mem: true, local: p, off: l.off}
}

func (fg *fgen) block(b *ir.Block) {
	fg.flush()
	fg.frames = append(fg.frames, ir.Enter(fg.frames, b))
	defer func() { fg.frames = fg.frames[:len(fg.frames)-1] }()
	// The loads of the enclosing blocks dominate this one; its own end
	// with it.
	defer fg.loads.undo(fg.loads.mark())
	defer fg.ptrs.undo(fg.ptrs.mark())
	for i := range b.Instrs {
		if limit := fg.g.opt.maxBlocks; limit > 0 && fg.c.blocks > limit && fg.err == nil {
			// Too costly to compile (see CompileCheap): stop here.
			fg.err = fmt.Errorf("wasm: %s: %w", fg.f.Name, errCompileCost)
		}
		if fg.err != nil {
			return
		}
		fg.frames[len(fg.frames)-1].Idx = int32(i)
		in := &b.Instrs[i]
		if !fg.keepsPending(in) {
			fg.flush()
		}
		fg.instr(in)
	}
	fg.flush()
}

// affine is v = of + c.
type affine struct {
	of ir.Var
	c  int64
}

// refAt describes a reference to element of+c of the accumulator acc.
type refAt struct {
	acc ir.Var
	at  affine
}

// pend is an accumulation in flight: the reference's local and the
// local holding the element's new value.
type pend struct {
	ref ir.Var
	at  int32 // the reference's local
	sum int32
}

// keepsPending reports whether in leaves accumulators alone (reads and
// writes no accumulator memory but by a scalar accumulation, and calls
// nothing that could), so that accumulations in flight may wait.
func (fg *fgen) keepsPending(in *ir.Instr) bool {
	f := fg.f
	switch in.Op {
	case ir.OpAccAdd:
		return f.Types[in.Args[1]].Kind == ir.KReal
	case ir.OpRefIndex, ir.OpRefField, ir.OpConst:
		return true
	case ir.OpCall, ir.OpResolve, ir.OpIf, ir.OpFor, ir.OpLoop, ir.OpScan, ir.OpWhile, ir.OpWhileScan,
		ir.OpAccum, ir.OpTapeIndex, ir.OpTapeLen, ir.OpTuple, ir.OpArray, ir.OpUpdate:
		return false
	}
	if !inLocal(f.Types[in.Dst]) {
		return false
	}
	for _, a := range in.Args {
		if !inLocal(f.Types[a]) && in.Op != ir.OpIndex && in.Op != ir.OpField {
			return false
		}
	}
	return true
}

// flush stores the accumulations in flight.
func (fg *fgen) flush() {
	for _, p := range fg.pending {
		fg.c.Idx(OpLocalGet, uint32(p.at))
		fg.c.Idx(OpLocalGet, uint32(p.sum))
		fg.c.Mem(OpF64Store, 3, 0)
	}
	fg.pending = fg.pending[:0]
}

// distinct reports whether the references r and s are known to point to
// different elements.
func (fg *fgen) distinct(r, s ir.Var) bool {
	a, ok1 := fg.refAt[r]
	b, ok2 := fg.refAt[s]
	return ok1 && ok2 && a.acc == b.acc && a.at.of == b.at.of && a.at.c != b.at.c
}

// accAdd adds the Real x into the element the reference r points to.
func (fg *fgen) accAdd(r, x ir.Var) {
	c := fg.c
	at := fg.loc[r].local
	for _, p := range fg.pending {
		if p.at == at {
			c.Idx(OpLocalGet, uint32(p.sum))
			fg.get(x)
			c.Op(OpF64Add)
			c.Idx(OpLocalSet, uint32(p.sum))
			return
		}
	}
	keep := fg.pending[:0]
	for _, p := range fg.pending {
		if fg.distinct(p.ref, r) {
			keep = append(keep, p)
			continue
		}
		c.Idx(OpLocalGet, uint32(p.at))
		c.Idx(OpLocalGet, uint32(p.sum))
		c.Mem(OpF64Store, 3, 0)
	}
	fg.pending = keep
	sum := fg.newLocal(F64)
	c.Idx(OpLocalGet, uint32(at))
	c.Mem(OpF64Load, 3, 0)
	fg.get(x)
	c.Op(OpF64Add)
	c.Idx(OpLocalSet, uint32(sum))
	fg.pending = append(fg.pending, pend{ref: r, at: at, sum: sum})
}

// affineOf is v as another variable plus a constant (v + 0 at worst).
func (fg *fgen) affineOf(v ir.Var) affine {
	if a, ok := fg.affine[v]; ok {
		return a
	}
	if r, ok := fg.rng[v]; ok && r.lo == r.hi {
		return affine{ir.NoVar, r.lo}
	}
	return affine{v, 0}
}

// nested generates a block whose frame memory is free again afterwards
// (nothing it defines is visible outside but its result, which the caller
// copies out before the next allocation).
func (fg *fgen) nested(b *ir.Block, after func()) {
	save := fg.next
	fg.block(b)
	after()
	fg.next = save
}

func (fg *fgen) instr(in *ir.Instr) {
	f := fg.f
	c := fg.c
	t := f.Types[in.Dst]
	arg := func(i int) loc { return fg.loc[in.Args[i]] }
	switch in.Op {
	case ir.OpConst:
		d := fg.alloc(in.Dst)
		switch t.Kind {
		case ir.KReal:
			if fg.fconst == nil {
				fg.fconst = map[ir.Var]float64{}
			}
			fg.fconst[in.Dst] = in.F
			c.F64Const(in.F)
		case ir.KInt:
			fg.bound(in.Dst, in.I, in.I)
			c.I64Const(in.I)
		case ir.KBool:
			c.I32Const(int32(in.I))
		default:
			n := t.Slots()
			bits := math.Float64bits(in.F)
			if d.reg() {
				for _, r := range d.regs {
					switch fg.localType(r) {
					case F64:
						c.F64Const(in.F)
					case I64:
						c.I64Const(int64(bits))
					default:
						c.I32Const(int32(bits))
					}
					c.Idx(OpLocalSet, uint32(r))
				}
				return
			}
			if bits == 0 && n > 8 {
				fg.addr(d, 0)
				c.I32Const(0)
				c.I32Const(int32(8 * n))
				c.Op(OpMisc, MiscMemoryFill, 0)
				return
			}
			fg.slots(n, func(at func(loc) uint32) {
				o := at(d)
				c.I64Const(int64(bits))
				c.Mem(OpI64Store, 3, o)
			})
			return
		}
		c.Idx(OpLocalSet, uint32(d.local))

	case ir.OpTuple, ir.OpArray:
		if p, ok := fg.stateAt[in.Dst]; ok && !fg.done[in.Dst] && !inLocal(t) && in.Op == ir.OpTuple {
			// (Part of) a loop's next state, built where the state lives
			// when that is safe: a step then copies only what changed.
			n := uint32(t.Slots()) * 8
			if st := fg.loc[p.sv]; st.static() && (p.last || fg.stateFree(p.sv, st.off+p.off, n)) {
				if d := subLoc(st, p.off, t.Slots()); fg.fitsState(in, d) {
					fg.set(in.Dst, d)
					var o uint32
					for _, a := range in.Args {
						fg.put(a, d, o)
						o += uint32(f.Types[a].Slots()) * 8
					}
					fg.shareState(in.Dst, p.sv)
					return
				}
			}
		}
		if _, targeted := fg.target[in.Dst]; in.Op == ir.OpTuple && len(in.Args) == 1 && !targeted {
			// A 1-tuple has its element's layout: it shares the element's
			// slots, so that a loop whose state is (array) and whose body
			// updates the array in place does not copy it every step.
			if a := arg(0); a.static() && !inLocal(f.Types[in.Args[0]]) && fg.dead(in.Args[0]) {
				fg.set(in.Dst, a)
				r := fg.rootOf(in.Args[0])
				fg.root[in.Dst] = r
				fg.aliases[r] = append(fg.aliases[r], in.Dst)
				return
			}
		}
		d := fg.alloc(in.Dst)
		var o uint32
		for _, a := range in.Args {
			fg.put(a, d, o)
			o += uint32(f.Types[a].Slots()) * 8
		}

	case ir.OpField:
		tt := f.Types[in.Args[0]]
		o := uint32(tt.FieldOffset(in.N)) * 8
		a := arg(0)
		if a.reg() {
			// The field shares the tuple's locals.
			if inLocal(t) {
				fg.set(in.Dst, loc{local: a.regs[o/8]})
			} else {
				fg.set(in.Dst, subLoc(a, o, t.Slots()))
			}
			return
		}
		if inLocal(t) {
			fg.take(in.Dst, a, o)
			return
		}
		// Read in place: the field shares the tuple's slots.
		fg.set(in.Dst, loc{mem: true, local: a.local, off: a.off + o})
		r := fg.rootOf(in.Args[0])
		fg.root[in.Dst] = r
		fg.aliases[r] = append(fg.aliases[r], in.Dst)

	case ir.OpIndex:
		at := f.Types[in.Args[0]]
		es := at.Elem.Slots()
		a := arg(0)
		if k, ok := fg.constIndex(in.Args[1], at.Len); ok {
			o := uint32(k) * uint32(es) * 8
			switch {
			case a.reg() && inLocal(t):
				fg.set(in.Dst, loc{local: a.regs[o/8]})
			case a.reg():
				fg.set(in.Dst, subLoc(a, o, es))
			case fg.viewable(in.Dst):
				fg.view(in.Dst, in.Args[0], subLoc(a, o, es))
			default:
				fg.take(in.Dst, a, o)
			}
			return
		}
		key := keyOf(in)
		if prev, ok := fg.loads.get(key); ok && inLocal(t) {
			fg.set(in.Dst, loc{local: fg.loc[prev].local})
			return
		}
		i := arg(1).local
		fg.checkIndex(in.Args[1], int64(at.Len), in.Pos)
		if a.reg() {
			a = fg.inMem(a, at.Slots())
			fg.take(in.Dst, fg.element(a, i, es), 0)
		} else if el := fg.elementAt(a, in.Args[1], es); fg.viewable(in.Dst) {
			fg.view(in.Dst, in.Args[0], el)
		} else {
			fg.take(in.Dst, el, 0)
		}
		if inLocal(t) {
			fg.loads.set(key, in.Dst)
		}

	case ir.OpUpdate:
		a := in.Args[0]
		es := t.Elem.Slots()
		k, konst := fg.constIndex(in.Args[1], t.Len)
		switch {
		case fg.inPlace(a):
			fg.set(in.Dst, fg.loc[a])
			r := fg.rootOf(a)
			fg.root[in.Dst] = r
			fg.aliases[r] = append(fg.aliases[r], in.Dst)
		case konst:
			fg.copy(fg.alloc(in.Dst), arg(0), t.Slots())
		default:
			fg.copy(fg.allocMem(in.Dst), arg(0), t.Slots())
		}
		if konst {
			fg.put(in.Args[2], fg.loc[in.Dst], uint32(k)*uint32(es)*8)
			return
		}
		i := arg(1).local
		fg.checkIndex(in.Args[1], int64(t.Len), in.Pos)
		fg.put(in.Args[2], fg.element(fg.loc[in.Dst], i, t.Elem.Slots()), 0)

	case ir.OpIf:
		p, placed := fg.stateAt[in.Dst]
		st := fg.loc[p.sv]
		if placed = placed && !fg.done[in.Dst] && !inLocal(t) && st.static() && (p.last || fg.stateFree(p.sv, st.off+p.off, uint32(t.Slots())*8)); placed {
			// The if makes part of the loop's next state: it yields into
			// that part of the state's slots when nothing reads them
			// after it (its arms read the state, then write at their
			// end), and its arms build their results there.
			fg.set(in.Dst, subLoc(st, p.off, t.Slots()))
			for _, b := range in.Blocks {
				fg.place(b, p.sv, p.off)
			}
		}
		d := fg.alloc(in.Dst)
		fg.get(in.Args[0])
		c.If(BlockVoid)
		fg.nested(in.Blocks[0], func() { fg.move(d, fg.loc[in.Blocks[0].Result], t) })
		c.Else()
		fg.nested(in.Blocks[1], func() { fg.move(d, fg.loc[in.Blocks[1].Result], t) })
		c.End()
		if placed {
			// It shares the state's slots from now on; during its arms it
			// held nothing yet.
			fg.shareState(in.Dst, p.sv)
		}

	case ir.OpFor:
		d := fg.allocMem(in.Dst)
		if in.N == 0 {
			return
		}
		body := in.Blocks[0]
		i := fg.alloc(body.Params[0])
		fg.bound(body.Params[0], 0, int64(in.N)-1)
		c.I64Const(0)
		c.Idx(OpLocalSet, uint32(i.local))
		c.Loop(BlockVoid)
		fg.step(in.Pos)
		es := t.Elem.Slots()
		fg.nested(body, func() {
			fg.put(body.Result, fg.element(d, i.local, es), 0)
		})
		fg.loopNext(i.local, in.N)
		c.End()

	case ir.OpLoop:
		d := fg.alloc(in.Dst)
		fg.move(d, arg(0), t)
		fg.loop(in, d, loc{}, false)

	case ir.OpScan:
		d := fg.allocMem(in.Dst)
		st := f.Types[in.Args[0]]
		final := loc{mem: true, local: -1, off: d.off + uint32(in.N*st.Slots())*8}
		state := fg.scanState(final, st)
		fg.move(state, arg(0), st)
		fg.loop(in, state, d, true)
		fg.storeState(final, state, st)

	case ir.OpWhile:
		d := fg.alloc(in.Dst)
		fg.move(d, arg(0), t)
		fg.while(in, d, -1)

	case ir.OpWhileScan:
		d := fg.allocMem(in.Dst)
		st := f.Types[in.Args[0]]
		final := loc{mem: true, local: -1, off: d.off + 8}
		state := fg.scanState(final, st)
		fg.move(state, arg(0), st)
		tape := fg.newLocal(I32)
		c.I32Const(16)
		c.I32Const(fg.g.siteOf(fg.k, in.Pos, -1))
		c.Idx(OpCall, fg.g.allocFn)
		c.Idx(OpLocalTee, uint32(tape))
		c.I64Const(0)
		c.Mem(OpI64Store, 3, 0)
		c.Idx(OpLocalGet, uint32(tape))
		c.I32Const(0)
		c.Mem(OpI32Store, 2, 8)
		fg.base(d)
		c.Idx(OpLocalGet, uint32(tape))
		c.Op(OpI64ExtendI32U)
		c.Mem(OpI64Store, 3, d.off)
		fg.while(in, state, tape)
		fg.storeState(final, state, st)

	case ir.OpTapeLen:
		d := fg.alloc(in.Dst)
		e := max(f.Types[in.Args[0]].Elem.Slots(), 1)
		fg.get(in.Args[0])
		c.Mem(OpI32Load, 2, 4)
		c.I32Const(int32(8 * e))
		c.Op(OpI32DivU, OpI64ExtendI32U)
		c.Idx(OpLocalSet, uint32(d.local))

	case ir.OpTapeIndex:
		e := t.Slots()
		n := fg.newLocal(I64)
		fg.get(in.Args[0])
		c.Mem(OpI32Load, 2, 4)
		c.I32Const(int32(8 * max(e, 1)))
		c.Op(OpI32DivU, OpI64ExtendI32U)
		c.Idx(OpLocalSet, uint32(n))
		i := arg(1).local
		c.Idx(OpLocalGet, uint32(i))
		c.Idx(OpLocalGet, uint32(n))
		c.Op(OpI64GeU)
		c.If(BlockVoid)
		fg.failCall(failIndex, in.Pos, func() { c.Idx(OpLocalGet, uint32(i)) }, func() { c.Idx(OpLocalGet, uint32(n)) })
		c.End()
		data := fg.newLocal(I32)
		fg.get(in.Args[0])
		c.Mem(OpI32Load, 2, 0)
		c.Idx(OpLocalSet, uint32(data))
		fg.take(in.Dst, fg.element(loc{mem: true, local: data}, i, max(e, 1)), 0)

	case ir.OpCall:
		fg.call(in)

	case ir.OpAccum:
		et := t.Elem
		n := et.Slots()
		buf := loc{mem: true, local: -1, off: fg.reserve(n)}
		d := fg.alloc(in.Dst)
		c.I32Const(int32(buf.off))
		c.Idx(OpLocalSet, uint32(d.local))
		if len(in.Args) == 1 {
			fg.put(in.Args[0], buf, 0)
		} else if n > fg.g.opt.Unroll {
			c.I32Const(int32(buf.off))
			c.I32Const(0)
			c.I32Const(int32(8 * n))
			c.Op(OpMisc, MiscMemoryFill, 0)
		} else {
			fg.slots(n, func(at func(loc) uint32) {
				o := at(buf)
				c.I64Const(0)
				c.Mem(OpI64Store, 3, o)
			})
		}

	case ir.OpRefField:
		d := fg.alloc(in.Dst)
		fg.get(in.Args[0])
		c.I32Const(int32(f.Types[in.Args[0]].Elem.FieldOffset(in.N) * 8))
		c.Op(OpI32Add)
		c.Idx(OpLocalSet, uint32(d.local))

	case ir.OpRefIndex:
		if fg.reuse(in) {
			return
		}
		fg.loads.set(keyOf(in), in.Dst)
		at := f.Types[in.Args[0]].Elem
		i := arg(1).local
		fg.checkIndex(in.Args[1], int64(at.Len), in.Pos)
		d := fg.alloc(in.Dst)
		e := fg.element(loc{mem: true, local: arg(0).local}, i, at.Elem.Slots())
		c.Idx(OpLocalGet, uint32(e.local))
		c.Idx(OpLocalSet, uint32(d.local))
		if fg.refAt == nil {
			fg.refAt = map[ir.Var]refAt{}
		}
		fg.refAt[in.Dst] = refAt{in.Args[0], fg.affineOf(in.Args[1])}

	case ir.OpAccAdd:
		fg.alloc(in.Dst)
		ref := loc{mem: true, local: arg(0).local}
		x := in.Args[1]
		if f.Types[x].Kind == ir.KReal {
			fg.accAdd(in.Args[0], x)
			return
		}
		if inLocal(f.Types[x]) {
			fg.base(ref)
			fg.base(ref)
			c.Mem(OpF64Load, 3, 0)
			fg.get(x)
			c.Op(OpF64Add)
			c.Mem(OpF64Store, 3, 0)
			return
		}
		xl := fg.loc[x]
		fg.each(f.Types[x].Slots(), []loc{ref, xl}, func(ld func(loc), st func(loc, func())) {
			st(ref, func() {
				ld(ref)
				ld(xl)
				c.Op(OpF64Add)
			})
		})

	case ir.OpResolve:
		fg.take(in.Dst, loc{mem: true, local: arg(0).local}, 0)

	case ir.OpScale:
		d := fg.alloc(in.Dst)
		if inLocal(t) { // a Real times a Real
			fg.get(in.Args[0])
			fg.get(in.Args[1])
			c.Op(OpF64Mul)
			c.Idx(OpLocalSet, uint32(d.local))
			break
		}
		b := arg(1)
		fg.each(t.Slots(), []loc{d, b}, func(ld func(loc), st func(loc, func())) {
			st(d, func() {
				fg.get(in.Args[0])
				ld(b)
				c.Op(OpF64Mul)
			})
		})

	case ir.OpDot:
		// The sum from 0.0 in slot order, as the evaluator's: each goes
		// last slot first, so only a loop over memory may use it.
		d := fg.alloc(in.Dst)
		a, b := arg(0), arg(1)
		if at := f.Types[in.Args[0]]; inLocal(at) { // two Reals
			c.F64Const(0)
			fg.get(in.Args[0])
			fg.get(in.Args[1])
			c.Op(OpF64Mul, OpF64Add)
			c.Idx(OpLocalSet, uint32(d.local))
			break
		}
		n := f.Types[in.Args[0]].Slots()
		c.F64Const(0)
		c.Idx(OpLocalSet, uint32(d.local))
		acc := func(ld func(loc)) {
			c.Idx(OpLocalGet, uint32(d.local))
			ld(a)
			ld(b)
			c.Op(OpF64Mul, OpF64Add)
			c.Idx(OpLocalSet, uint32(d.local))
		}
		if !a.reg() && !b.reg() && n > fg.g.opt.Unroll {
			// The loop form of slots visits the slots in order.
			fg.slots(n, func(at func(loc) uint32) {
				acc(func(l loc) { c.Mem(OpF64Load, 3, at(l)) })
			})
			break
		}
		// The sum is in slot order, as the evaluator adds (each and the
		// unrolled slots visit the slots last first).
		for j := 0; j < n; j++ {
			acc(func(l loc) {
				if l.reg() {
					c.Idx(OpLocalGet, uint32(l.regs[j]))
					return
				}
				fg.base(l)
				c.Mem(OpF64Load, 3, l.off+uint32(8*j))
			})
		}

	case ir.OpAdd, ir.OpSub, ir.OpNeg:
		if !inLocal(t) {
			d := fg.alloc(in.Dst)
			op := map[ir.Op]byte{ir.OpAdd: OpF64Add, ir.OpSub: OpF64Sub, ir.OpNeg: OpF64Neg}[in.Op]
			ls := []loc{d}
			for j := range in.Args {
				ls = append(ls, arg(j))
			}
			fg.each(t.Slots(), ls, func(ld func(loc), st func(loc, func())) {
				st(d, func() {
					for j := range in.Args {
						ld(arg(j))
					}
					c.Op(op)
				})
			})
			return
		}
		fg.scalar(in)

	default:
		fg.scalar(in)
	}
}

// regLoc makes fresh locals of the types vt.
func (fg *fgen) regLoc(vt []ValType) loc {
	regs := make([]int32, len(vt))
	for j, ty := range vt {
		regs[j] = fg.newLocal(ty)
	}
	return loc{local: -1, regs: regs}
}

// loopNext increments the counter i and branches back while i < n.
func (fg *fgen) loopNext(i int32, n int) {
	c := fg.c
	c.Idx(OpLocalGet, uint32(i))
	c.I64Const(1)
	c.Op(OpI64Add)
	c.Idx(OpLocalTee, uint32(i))
	c.I64Const(int64(n))
	c.Op(OpI64LtS)
	c.Idx(OpBrIf, 0)
}

// loop generates OpLoop and OpScan: the state lives at state and, for a
// scan, is recorded into the array at rec before each step.
func (fg *fgen) loop(in *ir.Instr, state, rec loc, scan bool) {
	if in.N == 0 {
		return
	}
	c := fg.c
	body := in.Blocks[0]
	st := fg.f.Types[in.Args[0]]
	i := fg.alloc(body.Params[0])
	fg.bound(body.Params[0], 0, int64(in.N)-1)
	fg.set(body.Params[1], state)
	c.I64Const(0)
	c.Idx(OpLocalSet, uint32(i.local))
	c.Loop(BlockVoid)
	fg.step(in.Pos)
	if scan && st.Slots() > 0 && !fg.finalOnly[in.Dst] {
		fg.put(body.Params[1], fg.element(rec, i.local, st.Slots()), 0)
	}
	fg.nested(body, func() { fg.move(state, fg.loc[body.Result], st) })
	fg.loopNext(i.local, in.N)
	c.End()
}

// while generates OpWhile and OpWhileScan (tape >= 0: the local holding
// the tape's header).
func (fg *fgen) while(in *ir.Instr, state loc, tape int32) {
	c := fg.c
	cond, body := in.Blocks[0], in.Blocks[1]
	st := fg.f.Types[in.Args[0]]
	fg.set(cond.Params[0], state)
	fg.set(body.Params[0], state)
	cnt := fg.newLocal(I64)
	c.I64Const(0)
	c.Idx(OpLocalSet, uint32(cnt))
	c.Block(BlockVoid)
	c.Loop(BlockVoid)
	save := fg.next
	fg.block(cond)
	fg.get(cond.Result)
	fg.next = save
	c.Op(OpI32Eqz)
	c.Idx(OpBrIf, 1)
	if in.N > 0 {
		c.Idx(OpLocalGet, uint32(cnt))
		c.I64Const(int64(in.N))
		c.Op(OpI64Eq)
		c.If(BlockVoid)
		fg.failCall(failWhile, in.Pos, func() { c.I64Const(int64(in.N)) }, nil)
		c.End()
	}
	c.Idx(OpLocalGet, uint32(cnt))
	c.I64Const(1)
	c.Op(OpI64Add)
	c.Idx(OpLocalSet, uint32(cnt))
	fg.step(in.Pos)
	if tape >= 0 {
		n := max(st.Slots(), 1)
		// The memory budget of tapes, as the evaluator counts it.
		c.Idx(OpGlobalGet, gTapeUsed)
		c.I64Const(int64(n))
		c.Op(OpI64Add)
		c.Idx(OpGlobalSet, gTapeUsed)
		c.Idx(OpGlobalGet, gTapeMax)
		c.Op(OpI64Eqz, OpI32Eqz)
		c.Idx(OpGlobalGet, gTapeUsed)
		c.Idx(OpGlobalGet, gTapeMax)
		c.Op(OpI64GtS, OpI32And)
		c.If(BlockVoid)
		fg.failCall(failTape, in.Pos, func() { c.Idx(OpGlobalGet, gTapeMax) }, nil)
		c.End()
		c.Idx(OpLocalGet, uint32(tape))
		switch {
		case st.Slots() == 0:
			c.I32Const(zeroSlot)
		case state.reg():
			scratch := fg.inMem(state, st.Slots())
			c.I32Const(int32(scratch.off))
		case !state.mem:
			// A scalar state goes through a scratch slot.
			scratch := loc{mem: true, local: -1, off: fg.reserve(1)}
			fg.base(scratch)
			c.Idx(OpLocalGet, uint32(state.local))
			storeKind(c, st, scratch.off)
			c.I32Const(int32(scratch.off))
		default:
			fg.addr(state, 0)
		}
		c.I32Const(int32(8 * n))
		c.I32Const(fg.g.siteOf(fg.k, in.Pos, -1))
		c.Idx(OpCall, fg.g.pushFn)
	}
	fg.nested(body, func() { fg.move(state, fg.loc[body.Result], st) })
	c.Idx(OpBr, 0)
	c.End()
	c.End()
}

// call generates OpCall.
func (fg *fgen) call(in *ir.Instr) {
	c := fg.c
	callee := fg.g.index[in.Callee]
	fg.step(in.Pos)
	// Record the call site, for the stack of a failure inside.
	c.I32Const(0)
	c.I32Const(fg.g.siteOf(fg.k, in.Pos, callee))
	c.Mem(OpI32Store, 2, callSlots+4*uint32(fg.k))
	if fg.g.inlinable(in.Callee) {
		fg.inline(in, callee)
		return
	}
	args := make([]loc, len(in.Args))
	for j, a := range in.Args {
		args[j] = fg.inMem(fg.loc[a], fg.f.Types[a].Slots())
	}
	for j, a := range in.Args {
		if l := args[j]; l.mem {
			fg.addr(l, 0)
		} else {
			fg.get(a)
		}
	}
	var d loc
	if inLocal(fg.f.Types[in.Dst]) {
		d = fg.alloc(in.Dst)
	} else {
		d = fg.allocMem(in.Dst)
	}
	if d.mem {
		fg.addr(d, 0)
	}
	fuel := uint32(fg.top.fuel)
	c.Idx(OpLocalGet, fuel)
	c.Idx(OpGlobalSet, gFuel)
	c.Idx(OpCall, fg.g.first+uint32(callee))
	c.Idx(OpGlobalGet, gFuel)
	c.Idx(OpLocalSet, fuel)
	if !d.mem {
		c.Idx(OpLocalSet, uint32(d.local))
	}
}

// inlinable reports whether calls of f are generated inline: f is a small
// leaf function.
func (g *gen) inlinable(f *ir.Func) bool {
	if v, ok := g.inl[f]; ok {
		return v
	}
	n, leaf := 0, true
	ir.Walk(f.Body, func(in *ir.Instr) {
		n++
		leaf = leaf && in.Op != ir.OpCall
	})
	v := leaf && n <= g.opt.Inline
	if g.inl == nil {
		g.inl = map[*ir.Func]bool{}
	}
	g.inl[f] = v
	return v
}

// inline generates the call in of the leaf function with index k in
// place: its parameters are the arguments' locations, its frame follows
// the caller's, its failures report the callee (and the call site
// recorded before, as for a call).
func (fg *fgen) inline(in *ir.Instr, k int) {
	f := in.Callee
	d := fg.alloc(in.Dst)
	ch := &fgen{g: fg.g, f: f, k: k, c: fg.c, top: fg.top, loc: make([]loc, len(f.Types)), done: make([]bool, len(f.Types)), rp: -1}
	ch.frame = fg.next
	ch.next, ch.end = fg.next, fg.next
	ch.borrowed = make([]bool, len(f.Types))
	for i, p := range f.Params {
		ch.set(p, fg.loc[in.Args[i]])
		ch.borrowed[p] = true
		if r, ok := fg.rng[in.Args[i]]; ok {
			ch.bound(p, r.lo, r.hi)
		}
	}
	ch.liveness()
	ch.targets()
	ch.reads()
	ch.block(f.Body)
	if ch.err != nil && fg.err == nil {
		fg.err = ch.err
	}
	fg.end = max(fg.end, ch.end)
	fg.move(d, ch.loc[f.Body.Result], fg.f.Types[in.Dst])
}

// scanState is where a scan keeps its state of type st while it runs: a
// local for a scalar, locals for a small aggregate, else final itself (the
// state part of the scan's result in memory).
func (fg *fgen) scanState(final loc, st *ir.Type) loc {
	if inLocal(st) {
		return loc{local: fg.newLocal(valType(st))}
	}
	if vt := fg.regTypes(st); vt != nil {
		return fg.regLoc(vt)
	}
	return final
}

// storeState writes a scan's state, kept where scanState put it, into the
// final state of its result.
func (fg *fgen) storeState(final, state loc, st *ir.Type) {
	if inLocal(st) {
		fg.base(final)
		fg.c.Idx(OpLocalGet, uint32(state.local))
		storeKind(fg.c, st, final.off)
		return
	}
	fg.copy(final, state, st.Slots())
}
