package eval

import (
	"fmt"
	"math"
	"sync"

	"github.com/rose-go/rose/ir"
)

// Code is a function compiled for the evaluator. It is immutable once made,
// so one Code serves any number of concurrent Calls; per-call state lives in
// a frame stack taken from a pool.
type Code struct {
	name      string
	pos       ir.Pos
	code      []inst
	poss      []ir.Pos // poss[pc] is the source position of code[pc]
	calls     []*Code  // callees, indexed by inst.n of xCall
	frameSize int      // slots of this function's own frame
	stackSize int      // frameSize plus the deepest callee stack
	bigPos    ir.Pos   // where the largest part of the stack is allocated

	traces []traceSite // the traced instructions, indexed by inst.n of xTrace (CompileTraced only)

	params   []*ir.Type
	paramOff []int32
	result   *ir.Type
	resOff   int32

	pool sync.Pool // *machine with a stack of stackSize slots
}

// inst is one compiled instruction: an opcode specialised by type, with
// slot offsets into the frame resolved. Field use depends on op (see the
// opcode list); 28 bytes keep the code dense.
type inst struct {
	op      opcode
	d, a, b int32
	c, n, e int32
}

type opcode uint8

// The opcodes. fr is the frame; Ints and Bools live in float64 slots as
// their int64 bits (Bool 0 or 1). "step" counts one step toward the budget.
const (
	xNop   opcode = iota
	xConst        // fr[d] = bits(b | c<<32)
	xMov1         // fr[d] = fr[a]
	xMovN         // fr[d:d+n] = fr[a:a+n]
	xJmp          // pc = n
	xJmpF         // if fr[a] is false { pc = n }

	xNegR
	xAbsR
	xSqrt
	xExp
	xLog
	xSin
	xCos
	xTan
	xAsin
	xAcos
	xAtan
	xSinh
	xCosh
	xTanh
	xFloor
	xCeil
	xRound
	xSign
	xNegI
	xAbsI

	xAddR
	xSubR
	xMulR
	xDivR
	xMinR
	xMaxR
	xPow
	xAtan2
	xAddI
	xSubI
	xMulI
	xDivI
	xModI
	xMinI
	xMaxI

	xEqR
	xNeR
	xLtR
	xLeR
	xGtR
	xGeR
	xEqI // also Bool
	xNeI // also Bool
	xLtI
	xLeI
	xGtI
	xGeI

	xNot
	xAnd
	xOr
	xToReal

	xIndex1    // i = fr[b]; check 0 <= i < n; fr[d] = fr[a+i]
	xIndexN    // same with e slots per element
	xIterInit  // fr[a] = 0; step
	xForNext1  // i = fr[b]; fr[d+i] = fr[a]; fr[b] = ++i; if i < n { step; pc = c }
	xForNextN  // same, storing e slots at d+i*e
	xLoopNext1 // fr[d] = fr[a]; i = ++fr[b]; if i < n { step; pc = c }
	xLoopNextN // same, copying e slots
	xScanStore // i = fr[b]; fr[d+i*e : d+(i+1)*e] = fr[a:a+e]
	xFillN     // fr[d:d+n] = bits(b | c<<32)
	xAddN      // fr[d+k] = fr[a+k] + fr[b+k] for k < n
	xSubN      // fr[d+k] = fr[a+k] - fr[b+k] for k < n
	xNegN      // fr[d+k] = -fr[a+k] for k < n
	xScaleN    // fr[d+k] = fr[a] * fr[b+k] for k < n
	xDotN      // fr[d] = sum from 0 of fr[a+k] * fr[b+k] for k < n
	xStoreAt   // i = fr[b]; check 0 <= i < n; fr[d+i*e : d+(i+1)*e] = fr[a:a+e]
	xCall      // step; run calls[n] with its frame at fr[a:]
	xRefIndex  // i = fr[b]; check 0 <= i < n; fr[d] = slot(int(fr[a]) + i*e)
	xRefOff    // fr[d] = slot(int(fr[a]) + c)
	xAccAdd1   // fr[int(fr[a])] += fr[b]
	xAccAddN   // p = int(fr[a]); fr[p+k] += fr[b+k] for k < n
	xResolveN  // p = int(fr[a]); fr[d:d+n] = fr[p:p+n]
	xWhileStep // k = fr[a]; if n > 0 && k == n { fail }; fr[a] = k + 1; step
	xTapeNew   // fr[d] = the handle of a new, empty tape
	xTapePush  // append fr[b:b+n] (one slot if n is 0) to tape fr[a]
	xTapeLen   // fr[d] = length of tape fr[a] / n
	xTapeIndex // i = fr[b]; check 0 <= i < length; fr[d:d+n] = element i of tape fr[a]

	xReal1     // fr[d] = ir.Op(n).Info().Real1(fr[a])
	xReal2     // fr[d] = ir.Op(n).Info().Real2(fr[a], fr[b])
	xPolygamma // fr[d] = mathx.Polygamma(n, fr[a])
	xMulZ      // fr[d] = ir.MulZ(fr[a], fr[b])
	xToInt     // fr[d] = int(fr[a]), truncated; NaN or out of range is an error
	xBandI
	xBorI
	xBxorI
	xShlI // a count outside 0..63 is an error
	xShrI

	xTrace // report traces[n] to the call's Options.Trace (CompileTraced only)
)

// maxSlots bounds frame and stack sizes so that slot offsets fit an int32.
const maxSlots = math.MaxInt32

// Compile verifies f and every function it calls, and compiles them for
// the evaluator. Each function reachable from f is compiled once even when
// called from many places; the cache lives for this Compile only, so that
// nothing outlives the caller's interest in f (hold on to the Code to reuse
// it). Recursion, which the IR does not allow, is rejected.
func Compile(f *ir.Func) (*Code, error) {
	return compile(f, map[*ir.Func]*Code{}, map[*ir.Func]bool{}, false)
}

func compile(f *ir.Func, done map[*ir.Func]*Code, active map[*ir.Func]bool, traced bool) (*Code, error) {
	if c := done[f]; c != nil {
		return c, nil
	}
	if f == nil {
		return nil, fmt.Errorf("eval: nil function")
	}
	if active[f] {
		return nil, fmt.Errorf("eval: %s is recursive", f.Name)
	}
	if err := ir.Verify(f); err != nil {
		return nil, fmt.Errorf("eval: invalid IR:\n%v", err)
	}
	active[f] = true
	defer delete(active, f)

	cp := &compiler{
		f:      f,
		c:      &Code{name: f.Name, pos: f.Pos, bigPos: f.Pos},
		off:    make([]int32, len(f.Types)),
		base:   make([]int64, len(f.Types)),
		slots:  make([]int64, len(f.Types)),
		done:   done,
		active: active,
		traced: traced,
	}
	for v, t := range f.Types {
		cp.off[v], cp.base[v] = -1, -1
		cp.slots[v] = slotsOf(t)
		if cp.slots[v] < 0 {
			return nil, fmt.Errorf("eval: %s: %%%d of type %v is too large", f.Name, v, t)
		}
	}
	c := cp.c
	// About one inst per IR instruction, plus moves and jumps (1.2 per
	// instruction in large gradients): reserving that up front spares the
	// code most of its growth.
	if n := ir.Count(f.Body); n > 256 {
		c.code = make([]inst, 0, n+n/4)
		c.poss = make([]ir.Pos, 0, n+n/4)
	}
	for _, p := range f.Params {
		cp.alloc(p)
		c.params = append(c.params, f.Types[p])
		c.paramOff = append(c.paramOff, cp.off[p])
	}
	cp.liveness()
	cp.block(f.Body)
	if cp.err != nil {
		return nil, cp.err
	}
	c.result = f.Types[f.Body.Result]
	c.resOff = cp.off[f.Body.Result]
	c.frameSize = int(cp.max)
	deepest := 0
	for i, callee := range c.calls {
		if callee.stackSize > deepest {
			deepest = callee.stackSize
			if int64(deepest) > cp.big {
				c.bigPos = cp.calls[i]
			}
		}
	}
	if int64(c.frameSize)+int64(deepest) > maxSlots {
		return nil, fmt.Errorf("eval: %s: call stack too large", f.Name)
	}
	c.stackSize = c.frameSize + deepest
	if n := len(c.code); cap(c.code)-n > n/4 && n > 256 {
		// Drop the room that doubling left: the code lives as long as f.
		c.code = append(make([]inst, 0, n), c.code...)
		c.poss = append(make([]ir.Pos, 0, n), c.poss...)
	}
	// Callee frames start right after this frame, now that its size is known.
	for _, fx := range cp.fixups {
		in := &c.code[fx.pc]
		if fx.field == 'd' {
			in.d += int32(c.frameSize)
		} else {
			in.a += int32(c.frameSize)
		}
	}
	done[f] = c
	return c, nil
}

// slotsOf is t.Slots() computed without touching the type's cache (Compile
// may run concurrently on functions sharing types), or -1 when it exceeds
// maxSlots.
func slotsOf(t *ir.Type) int64 {
	switch t.Kind {
	case ir.KArray:
		es := slotsOf(t.Elem)
		if es < 0 || (es > 0 && int64(t.Len) > maxSlots/es) {
			return -1
		}
		return int64(t.Len) * es
	case ir.KTuple:
		var n int64
		for _, e := range t.Elems {
			es := slotsOf(e)
			if es < 0 {
				return -1
			}
			n += es
			if n > maxSlots {
				return -1
			}
		}
		return n
	}
	return 1
}

type fixup struct {
	pc    int
	field byte // 'd' or 'a': the field holding a callee-frame offset
}

type compiler struct {
	f   *ir.Func
	c   *Code
	off []int32 // frame offset of each variable, -1 until assigned

	// In-place updates (see inPlace): where each variable is defined and
	// last used, the blocks and instructions being compiled, and which
	// variable's slots each shares.
	live    *ir.Liveness
	frames  []ir.Frame          // the blocks being compiled, outermost first
	root    []ir.Var            // the variable whose slots a field read in place shares, or NoVar
	aliases map[ir.Var][]ir.Var // root -> the variables sharing its slots
	target  map[ir.Var]int32    // a loop body's result -> the state slots it may be built in
	state   map[ir.Var]ir.Var   // a variable the next state is made of -> the state's variable (see nextState)
	base    []int64             // reference variables: the buffer's frame offset when known here, else -1
	slots   []int64             // slots of each variable
	next    int64               // first free slot
	max     int64               // frame size so far
	fixups  []fixup
	big     int64    // slots of the largest destination so far
	calls   []ir.Pos // position of each call, parallel to c.calls
	done    map[*ir.Func]*Code
	active  map[*ir.Func]bool
	traced  bool // emit an xTrace after each instruction with a position (see CompileTraced)
	err     error
}

// alloc gives v its frame slots unless it already has them (aliases).
func (cp *compiler) alloc(v ir.Var) int32 {
	if cp.off[v] >= 0 {
		return cp.off[v]
	}
	n := cp.slots[v]
	if cp.next+n > maxSlots {
		if cp.err == nil {
			cp.err = fmt.Errorf("eval: %s: frame too large", cp.f.Name)
		}
		n = 0
	}
	cp.off[v] = int32(cp.next)
	cp.next += n
	cp.max = max(cp.max, cp.next)
	return cp.off[v]
}

// allocN reserves n anonymous slots (an accumulator's buffer) and returns
// their offset.
func (cp *compiler) allocN(n int64) int32 {
	if cp.next+n > maxSlots {
		if cp.err == nil {
			cp.err = fmt.Errorf("eval: %s: frame too large", cp.f.Name)
		}
		n = 0
	}
	o := int32(cp.next)
	cp.next += n
	cp.max = max(cp.max, cp.next)
	return o
}

// intConst is an instruction setting slot d to the Int i.
func intConst(d int32, i int64) inst {
	return inst{op: xConst, d: d, b: int32(uint32(uint64(i))), c: int32(uint32(uint64(i) >> 32))}
}

func (cp *compiler) emit(in inst, pos ir.Pos) int {
	if len(cp.c.code) == cap(cp.c.code) && cap(cp.c.code) >= 256 {
		// Double, where append would grow by a quarter (see ir's grow).
		cp.c.code = append(make([]inst, 0, 2*cap(cp.c.code)), cp.c.code...)
		cp.c.poss = append(make([]ir.Pos, 0, 2*cap(cp.c.code)), cp.c.poss...)
	}
	cp.c.code = append(cp.c.code, in)
	cp.c.poss = append(cp.c.poss, pos)
	return len(cp.c.code) - 1
}

// mov copies n slots from a to d, if there is anything to copy.
func (cp *compiler) mov(d, a int32, n int64, pos ir.Pos) {
	if n > 0 && d != a {
		cp.emit(movInst(d, a, n), pos)
	}
}

// movInst copies n > 0 slots from a to d.
func movInst(d, a int32, n int64) inst {
	if n == 1 {
		return inst{op: xMov1, d: d, a: a}
	}
	return inst{op: xMovN, d: d, a: a, n: int32(n)}
}

func (cp *compiler) block(b *ir.Block) {
	cp.frames = append(cp.frames, ir.Enter(cp.frames, b))
	defer func() { cp.frames = cp.frames[:len(cp.frames)-1] }()
	for i := range b.Instrs {
		cp.frames[len(cp.frames)-1].Idx = int32(i)
		cp.instr(&b.Instrs[i])
		if cp.traced {
			cp.trace(&b.Instrs[i])
		}
	}
}

// liveness finds where every variable is defined and last used
// (ir.Live) and starts the in-place bookkeeping.
func (cp *compiler) liveness() {
	n := len(cp.f.Types)
	cp.live = ir.Live(cp.f)
	cp.root = make([]ir.Var, n)
	for i := range cp.root {
		cp.root[i] = ir.NoVar
	}
	cp.aliases = map[ir.Var][]ir.Var{}
	cp.target = map[ir.Var]int32{}
	cp.state = map[ir.Var]ir.Var{}
}

// dead reports whether nothing after the instruction being compiled uses
// x (ir.Liveness.Dead).
func (cp *compiler) dead(x ir.Var) bool { return cp.live.Dead(x, cp.frames) }

// rootOf is the variable whose slots x shares (x itself if it owns them).
func (cp *compiler) rootOf(x ir.Var) ir.Var {
	if r := cp.root[x]; r != ir.NoVar {
		return r
	}
	return x
}

// inPlace reports whether an array update may store into a's own slots
// instead of a copy: a and everything sharing those slots are dead after
// this instruction, and the variable owning them is defined in this block.
func (cp *compiler) inPlace(a ir.Var) bool {
	r := cp.rootOf(a)
	if !cp.dead(a) || !cp.dead(r) || cp.off[a] < 0 {
		return false
	}
	return !cp.aliasLive(r, int64(cp.off[a]), int64(cp.off[a])+cp.slots[a])
}

// aliasLive reports whether a variable sharing root's slots and
// overlapping slots [lo, hi) is used after the instruction at hand.
func (cp *compiler) aliasLive(root ir.Var, lo, hi int64) bool {
	for _, u := range cp.aliases[root] {
		if o := int64(cp.off[u]); o < hi && lo < o+cp.slots[u] && !cp.dead(u) {
			return true
		}
	}
	return false
}

// share makes x a variable of the slots of r's root, at offset off.
func (cp *compiler) share(x, r ir.Var, off int32) {
	root := cp.rootOf(r)
	cp.off[x], cp.root[x] = off, root
	cp.aliases[root] = append(cp.aliases[root], x)
}

// buildAt reports whether the tuple in may be built directly in the state
// slots at state, n slots long: each field either already is in place or
// shares none of the state's slots, so that no move overwrites a value a
// later move reads.
func (cp *compiler) buildAt(in *ir.Instr, state int32, n int64) bool {
	o := int64(state)
	for _, a := range in.Args {
		if cp.off[a] < 0 {
			return false
		}
		ao, an := int64(cp.off[a]), cp.slots[a]
		if ao != o && ao < int64(state)+n && int64(state) < ao+an {
			return false
		}
		o += an
	}
	return true
}

// definedIn reports whether v is the destination of one of b's own
// instructions, so that it may share the slots of b's owner's destination.
func definedIn(b *ir.Block, v ir.Var) bool {
	for i := range b.Instrs {
		if b.Instrs[i].Dst == v {
			return true
		}
	}
	return false
}

// Opcodes of the scalar operations, by operand kind.
var (
	realOps = map[ir.Op]opcode{
		ir.OpNeg: xNegR, ir.OpAbs: xAbsR, ir.OpSqrt: xSqrt, ir.OpExp: xExp, ir.OpLog: xLog,
		ir.OpSin: xSin, ir.OpCos: xCos, ir.OpTan: xTan, ir.OpAsin: xAsin, ir.OpAcos: xAcos,
		ir.OpAtan: xAtan, ir.OpSinh: xSinh, ir.OpCosh: xCosh, ir.OpTanh: xTanh,
		ir.OpFloor: xFloor, ir.OpCeil: xCeil, ir.OpRound: xRound, ir.OpSign: xSign,
		ir.OpAdd: xAddR, ir.OpSub: xSubR, ir.OpMul: xMulR, ir.OpDiv: xDivR,
		ir.OpMin: xMinR, ir.OpMax: xMaxR, ir.OpPow: xPow, ir.OpAtan2: xAtan2,
		ir.OpMulZ: xMulZ, ir.OpPolygamma: xPolygamma, ir.OpToInt: xToInt,
		ir.OpEq: xEqR, ir.OpNe: xNeR, ir.OpLt: xLtR, ir.OpLe: xLeR, ir.OpGt: xGtR, ir.OpGe: xGeR,
	}
	intOps = map[ir.Op]opcode{
		ir.OpNeg: xNegI, ir.OpAbs: xAbsI,
		ir.OpAdd: xAddI, ir.OpSub: xSubI, ir.OpMul: xMulI, ir.OpDiv: xDivI, ir.OpMod: xModI,
		ir.OpMin: xMinI, ir.OpMax: xMaxI,
		ir.OpEq: xEqI, ir.OpNe: xNeI, ir.OpLt: xLtI, ir.OpLe: xLeI, ir.OpGt: xGtI, ir.OpGe: xGeI,
		ir.OpNot: xNot, ir.OpAnd: xAnd, ir.OpOr: xOr, ir.OpToReal: xToReal,
		ir.OpBitAnd: xBandI, ir.OpBitOr: xBorI, ir.OpBitXor: xBxorI, ir.OpShl: xShlI, ir.OpShr: xShrI,
	}
)

func (cp *compiler) instr(in *ir.Instr) {
	f := cp.f
	pos := in.Pos
	arg := func(i int) int32 { return cp.off[in.Args[i]] }
	size := func(v ir.Var) int64 { return cp.slots[v] }
	if n := size(in.Dst); n > cp.big {
		cp.big, cp.c.bigPos = n, pos
	}

	switch in.Op {
	case ir.OpConst:
		d := cp.alloc(in.Dst)
		t := f.Types[in.Dst]
		bits := uint64(in.I)
		if t.Kind == ir.KReal || !t.IsScalar() {
			bits = math.Float64bits(in.F)
		}
		x := inst{op: xConst, d: d, b: int32(uint32(bits)), c: int32(uint32(bits >> 32))}
		if !t.IsScalar() {
			if x.n = int32(size(in.Dst)); x.n == 0 {
				return
			}
			x.op = xFillN
		}
		cp.emit(x, pos)

	case ir.OpAccum:
		// The buffer lives in this frame; the reference's slot holds its
		// offset for the operations that compute sub-references.
		n := slotsOf(f.Types[in.Dst].Elem)
		buf := cp.allocN(n)
		cp.base[in.Dst] = int64(buf)
		cp.emit(intConst(cp.alloc(in.Dst), int64(buf)), pos)
		if len(in.Args) == 1 {
			cp.mov(buf, arg(0), n, pos)
		} else if n > 0 {
			cp.emit(inst{op: xFillN, d: buf, n: int32(n)}, pos)
		}

	case ir.OpRefField:
		t := f.Types[in.Args[0]].Elem
		o := int64(t.FieldOffset(in.N))
		d := cp.alloc(in.Dst)
		if b := cp.base[in.Args[0]]; b >= 0 {
			cp.base[in.Dst] = b + o
			cp.emit(intConst(d, b+o), pos)
			return
		}
		cp.emit(inst{op: xRefOff, d: d, a: arg(0), c: int32(o)}, pos)

	case ir.OpRefIndex:
		t := f.Types[in.Args[0]].Elem
		cp.emit(inst{op: xRefIndex, d: cp.alloc(in.Dst), a: arg(0), b: arg(1), n: int32(t.Len), e: int32(slotsOf(t.Elem))}, pos)

	case ir.OpAccAdd:
		cp.alloc(in.Dst)
		n := size(in.Args[1])
		switch b := cp.base[in.Args[0]]; {
		case n == 0:
		case b >= 0:
			cp.emit(inst{op: xAddN, d: int32(b), a: int32(b), b: arg(1), n: int32(n)}, pos)
		case n == 1:
			cp.emit(inst{op: xAccAdd1, a: arg(0), b: arg(1)}, pos)
		default:
			cp.emit(inst{op: xAccAddN, a: arg(0), b: arg(1), n: int32(n)}, pos)
		}

	case ir.OpResolve:
		d := cp.alloc(in.Dst)
		n := size(in.Dst)
		if b := cp.base[in.Args[0]]; b >= 0 {
			cp.mov(d, int32(b), n, pos)
		} else if n > 0 {
			cp.emit(inst{op: xResolveN, d: d, a: arg(0), n: int32(n)}, pos)
		}

	case ir.OpUpdate:
		// An update of an array nothing reads afterwards stores into it
		// in place: element updates in loops cost O(1), not a copy.
		if a := in.Args[0]; cp.off[in.Dst] < 0 && cp.inPlace(a) {
			cp.share(in.Dst, a, cp.off[a])
		}
		d := cp.alloc(in.Dst)
		cp.mov(d, arg(0), size(in.Dst), pos)
		es := size(in.Args[2])
		cp.emit(inst{op: xStoreAt, d: d, a: arg(2), b: arg(1), n: int32(f.Types[in.Args[0]].Len), e: int32(es)}, pos)

	case ir.OpIf:
		st, placed := cp.target[in.Dst]
		if placed = placed && cp.off[in.Dst] < 0 && cp.stateFree(in.Dst); placed {
			// The if yields part of the loop's next state: into the
			// state's slots, each arm's result built there if it can be.
			cp.off[in.Dst] = st
			sv := cp.state[in.Dst]
			for _, b := range in.Blocks {
				cp.place(b, cp.off[sv], int(st-cp.off[sv]), sv)
			}
		}
		d := cp.alloc(in.Dst)
		for _, b := range in.Blocks {
			// An arm's result is made in the if's slots, unless those are
			// the state's: then an instruction that writes its result
			// while it still reads (a loop, whose state its destination
			// is) would overwrite the state before the arm is done
			// reading it. It is moved there at the arm's end instead.
			if !placed && definedIn(b, b.Result) && cp.off[b.Result] < 0 {
				cp.off[b.Result] = d
			}
		}
		save := cp.next
		jf := cp.emit(inst{op: xJmpF, a: arg(0)}, pos)
		cp.block(in.Blocks[0])
		cp.mov(d, cp.off[in.Blocks[0].Result], size(in.Dst), pos)
		jend := cp.emit(inst{op: xJmp}, pos)
		cp.next = save
		cp.c.code[jf].n = int32(len(cp.c.code))
		cp.block(in.Blocks[1])
		cp.mov(d, cp.off[in.Blocks[1].Result], size(in.Dst), pos)
		cp.next = save
		cp.c.code[jend].n = int32(len(cp.c.code))
		if placed {
			// It shares the state's slots from now on; during its arms it
			// held nothing yet.
			cp.share(in.Dst, cp.state[in.Dst], st)
		}

	case ir.OpTuple, ir.OpArray:
		if st, ok := cp.target[in.Dst]; ok && cp.off[in.Dst] < 0 && in.Op == ir.OpTuple && cp.buildAt(in, st, size(in.Dst)) && cp.stateFree(in.Dst) {
			cp.atState(in.Dst, st) // a loop's next state, built where the state lives
		}
		d := cp.alloc(in.Dst)
		o := int64(d)
		for _, a := range in.Args {
			cp.mov(int32(o), cp.off[a], size(a), pos)
			o += size(a)
		}

	case ir.OpField:
		t := f.Types[in.Args[0]]
		var o int64
		for _, e := range t.Elems[:in.N] {
			o += slotsOf(e)
		}
		if cp.off[in.Dst] < 0 {
			// A field is read in place: its variable is the slots of the
			// tuple's field (which an in-place update may later take over;
			// see inPlace).
			cp.share(in.Dst, in.Args[0], arg(0)+int32(o))
			return
		}
		d := cp.alloc(in.Dst)
		cp.mov(d, arg(0)+int32(o), size(in.Dst), pos)

	case ir.OpIndex:
		t := f.Types[in.Args[0]]
		d := cp.alloc(in.Dst)
		es := size(in.Dst)
		op := xIndexN
		if es == 1 {
			op = xIndex1
		}
		cp.emit(inst{op: op, d: d, a: arg(0), b: arg(1), n: int32(t.Len), e: int32(es)}, pos)

	case ir.OpFor:
		d := cp.alloc(in.Dst)
		if in.N == 0 {
			return
		}
		body := in.Blocks[0]
		save := cp.next
		i := cp.alloc(body.Params[0])
		cp.emit(inst{op: xIterInit, a: i}, pos)
		start := len(cp.c.code)
		cp.block(body)
		es := size(body.Result)
		op := xForNextN
		if es == 1 {
			op = xForNext1
		}
		cp.emit(inst{op: op, d: d, a: cp.off[body.Result], b: i, c: int32(start), n: int32(in.N), e: int32(es)}, pos)
		cp.next = save

	case ir.OpLoop:
		// The state lives in the destination's slots: nothing reads the
		// destination before the loop ends.
		d := cp.alloc(in.Dst)
		cp.loop(in, d, -1, size(in.Dst), pos)

	case ir.OpScan:
		// Dst is (states, final): the state lives in the final slots and
		// is stored into states[i] at the start of step i.
		d := cp.alloc(in.Dst)
		n := size(in.Args[0])
		cp.loop(in, d+int32(int64(in.N)*n), d, n, pos)

	case ir.OpWhile:
		// As OpLoop, the state lives in the destination's slots.
		d := cp.alloc(in.Dst)
		cp.while(in, d, -1, size(in.Dst), pos)

	case ir.OpWhileScan:
		// Dst is (tape, final): the tape's handle, then the state.
		d := cp.alloc(in.Dst)
		cp.emit(inst{op: xTapeNew, d: d}, pos)
		cp.while(in, d+1, d, size(in.Args[0]), pos)

	case ir.OpTapeLen:
		e := max(slotsOf(f.Types[in.Args[0]].Elem), 1)
		cp.emit(inst{op: xTapeLen, d: cp.alloc(in.Dst), a: arg(0), n: int32(e)}, pos)

	case ir.OpTapeIndex:
		cp.emit(inst{op: xTapeIndex, d: cp.alloc(in.Dst), a: arg(0), b: arg(1), n: int32(size(in.Dst))}, pos)

	case ir.OpCall:
		callee, err := compile(in.Callee, cp.done, cp.active, cp.traced)
		if err != nil {
			if cp.err == nil {
				cp.err = err
			}
			cp.alloc(in.Dst)
			return
		}
		// Arguments go straight into the callee's parameter slots; the
		// callee frame's base is patched in once the frame size is known.
		// mov's d == a shortcut must not apply to these moves, whose
		// callee-side offsets are still relative.
		for j, a := range in.Args {
			if n := size(a); n > 0 {
				pc := cp.emit(movInst(callee.paramOff[j], cp.off[a], n), pos)
				cp.fixups = append(cp.fixups, fixup{pc, 'd'})
			}
		}
		k := len(cp.c.calls)
		cp.c.calls = append(cp.c.calls, callee)
		cp.calls = append(cp.calls, pos)
		pc := cp.emit(inst{op: xCall, n: int32(k)}, pos)
		cp.fixups = append(cp.fixups, fixup{pc, 'a'})
		d := cp.alloc(in.Dst)
		if n := size(in.Dst); n > 0 {
			pc = cp.emit(movInst(d, callee.resOff, n), pos)
			cp.fixups = append(cp.fixups, fixup{pc, 'a'})
		}

	case ir.OpAdd, ir.OpSub, ir.OpNeg:
		if t := f.Types[in.Args[0]]; !t.IsScalar() {
			d := cp.alloc(in.Dst)
			x := inst{op: map[ir.Op]opcode{ir.OpAdd: xAddN, ir.OpSub: xSubN, ir.OpNeg: xNegN}[in.Op], d: d, a: arg(0), n: int32(size(in.Dst))}
			if len(in.Args) > 1 {
				x.b = arg(1)
			}
			if x.n > 0 {
				cp.emit(x, pos)
			}
			return
		}
		cp.scalar(in, arg, pos)

	case ir.OpScale:
		d := cp.alloc(in.Dst)
		if n := size(in.Dst); n > 0 {
			cp.emit(inst{op: xScaleN, d: d, a: arg(0), b: arg(1), n: int32(n)}, pos)
		}

	case ir.OpDot:
		d := cp.alloc(in.Dst)
		cp.emit(inst{op: xDotN, d: d, a: arg(0), b: arg(1), n: int32(size(in.Args[0]))}, pos)

	default:
		cp.scalar(in, arg, pos)
	}
}

// while compiles OpWhile and OpWhileScan: the n-slot state lives at
// state, a hidden slot counts the steps taken and, when tape >= 0, the
// state is appended to the tape whose handle is at tape before each step.
func (cp *compiler) while(in *ir.Instr, state, tape int32, n int64, pos ir.Pos) {
	cond, body := in.Blocks[0], in.Blocks[1]
	cp.mov(state, cp.off[in.Args[0]], n, pos)
	save := cp.next
	cnt := cp.allocN(1)
	cp.emit(inst{op: xConst, d: cnt}, pos) // Int 0
	start := len(cp.c.code)
	cp.off[cond.Params[0]] = state
	cp.off[body.Params[0]] = state
	cp.block(cond)
	jf := cp.emit(inst{op: xJmpF, a: cp.off[cond.Result]}, pos)
	cp.next = int64(cnt) + 1
	cp.emit(inst{op: xWhileStep, a: cnt, n: int32(in.N)}, pos)
	if tape >= 0 {
		cp.emit(inst{op: xTapePush, a: tape, b: state, n: int32(n)}, pos)
	}
	cp.nextState(body, state, body.Params[0])
	cp.block(body)
	cp.mov(state, cp.off[body.Result], n, pos)
	cp.emit(inst{op: xJmp, n: int32(start)}, pos)
	cp.c.code[jf].n = int32(len(cp.c.code))
	cp.next = save
}

// loop compiles OpLoop and OpScan: the n-slot state lives at state and,
// when record >= 0, is copied to record+i*n at the start of step i.
func (cp *compiler) loop(in *ir.Instr, state, record int32, n int64, pos ir.Pos) {
	body := in.Blocks[0]
	cp.mov(state, cp.off[in.Args[0]], n, pos)
	if in.N == 0 {
		return
	}
	save := cp.next
	i := cp.alloc(body.Params[0])
	cp.off[body.Params[1]] = state
	cp.emit(inst{op: xIterInit, a: i}, pos)
	start := len(cp.c.code)
	if record >= 0 && n > 0 {
		cp.emit(inst{op: xScanStore, d: record, a: state, b: i, e: int32(n)}, pos)
	}
	cp.nextState(body, state, body.Params[1])
	cp.block(body)
	op := xLoopNextN
	if n == 1 {
		op = xLoopNext1
	}
	e := int32(n)
	if cp.off[body.Result] == state {
		e = 0 // the next state was built in place
	}
	cp.emit(inst{op: op, d: state, a: cp.off[body.Result], b: i, c: int32(start), n: int32(in.N), e: e}, pos)
	cp.next = save
}

// nextState lets a loop body's next state, and what it is made of (an
// if whose arms update the state, a struct updated field by field: see
// ir.StateParts), be built in the state's slots at state, so that a step
// does not copy the state (see buildAt and stateFree).
func (cp *compiler) nextState(body *ir.Block, state int32, sv ir.Var) {
	cp.place(body, state, 0, sv)
}

// place records the places in the slots of the state sv (at frame offset
// state) that ir.StateParts finds for b, whose result lies at slot off of
// the state. The parts other than b's result, made before b ends, belong
// to sv (cp.state).
func (cp *compiler) place(b *ir.Block, state int32, off int, sv ir.Var) {
	for v, o := range ir.StateParts(cp.f, b, off, int(cp.slots[sv])) {
		if _, seen := cp.target[v]; seen {
			continue
		}
		cp.target[v] = state + int32(o)
		if v != b.Result {
			cp.state[v] = sv
		}
	}
}

// atState places x at st in the state's slots; a part of the next state
// made before the end of the body shares them with the state, so that
// nothing else is built over it while it is live (see stateFree).
func (cp *compiler) atState(x ir.Var, st int32) {
	if sv, ok := cp.state[x]; ok {
		cp.share(x, sv, st)
		return
	}
	cp.off[x] = st
}

// stateFree reports whether x, a variable a loop's next state is built
// from (cp.target), may be built straight into its place in the state's
// slots: nothing reads those slots (through the state's variable or
// those sharing its slots) after the instruction being compiled. A
// block's result that the block makes last (the body's, an arm's) always
// may. An if in that place yields there from its arms: they build their
// results there when they can (buildAt) and move them there otherwise,
// after reading what they need of the state.
func (cp *compiler) stateFree(x ir.Var) bool {
	sv, ok := cp.state[x]
	if !ok {
		return true // made last
	}
	if !cp.dead(sv) {
		return false
	}
	lo := int64(cp.target[x])
	return !cp.aliasLive(cp.rootOf(sv), lo, lo+cp.slots[x])
}

// scalar compiles a one- or two-operand scalar operation.
func (cp *compiler) scalar(in *ir.Instr, arg func(int) int32, pos ir.Pos) {
	f := cp.f
	ops := realOps
	isReal := f.Types[in.Args[0]].Kind == ir.KReal
	if !isReal {
		ops = intOps
	}
	op, ok := ops[in.Op]
	n := int32(0)
	switch info := in.Op.Info(); {
	case ok && in.Op == ir.OpPolygamma:
		if in.I < 0 || in.I > math.MaxInt32 {
			cp.err = fmt.Errorf("eval: %s: polygamma of order %d", f.Name, in.I)
			return
		}
		n = int32(in.I)
	case ok:
	case isReal && len(in.Args) == 1 && info.Real1 != nil:
		// Any other Real function of the op table.
		op, n = xReal1, int32(in.Op)
	case isReal && len(in.Args) == 2 && info.Real2 != nil:
		op, n = xReal2, int32(in.Op)
	default:
		cp.err = fmt.Errorf("eval: %s: cannot compile %v", f.Name, in.Op)
		return
	}
	d := cp.alloc(in.Dst)
	x := inst{op: op, d: d, a: arg(0), n: n}
	if len(in.Args) > 1 {
		x.b = arg(1)
	}
	cp.emit(x, pos)
}
