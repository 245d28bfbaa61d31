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
)

// maxSlots bounds frame and stack sizes so that slot offsets fit an int32.
const maxSlots = math.MaxInt32

// Compile verifies f and every function it calls, and compiles them for
// the evaluator. Each function reachable from f is compiled once even when
// called from many places; the cache lives for this Compile only, so that
// nothing outlives the caller's interest in f (hold on to the Code to reuse
// it). Recursion, which the IR does not allow, is rejected.
func Compile(f *ir.Func) (*Code, error) {
	return compile(f, map[*ir.Func]*Code{}, map[*ir.Func]bool{})
}

func compile(f *ir.Func, done map[*ir.Func]*Code, active map[*ir.Func]bool) (*Code, error) {
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
		c:      &Code{name: f.Name, pos: f.Pos},
		off:    make([]int32, len(f.Types)),
		slots:  make([]int64, len(f.Types)),
		done:   done,
		active: active,
	}
	for v, t := range f.Types {
		cp.off[v] = -1
		cp.slots[v] = slotsOf(t)
		if cp.slots[v] < 0 {
			return nil, fmt.Errorf("eval: %s: %%%d of type %v is too large", f.Name, v, t)
		}
	}
	c := cp.c
	// About one inst per IR instruction, plus moves and jumps (1.2 per
	// instruction in large gradients): reserving that up front spares the
	// code most of its growth.
	if n := countInstrs(f.Body); n > 256 {
		c.code = make([]inst, 0, n+n/4)
		c.poss = make([]ir.Pos, 0, n+n/4)
	}
	for _, p := range f.Params {
		cp.alloc(p)
		c.params = append(c.params, f.Types[p])
		c.paramOff = append(c.paramOff, cp.off[p])
	}
	cp.block(f.Body)
	if cp.err != nil {
		return nil, cp.err
	}
	c.result = f.Types[f.Body.Result]
	c.resOff = cp.off[f.Body.Result]
	c.frameSize = int(cp.max)
	deepest := 0
	for _, callee := range c.calls {
		deepest = max(deepest, callee.stackSize)
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

// countInstrs is the number of instructions of b, nested blocks included.
func countInstrs(b *ir.Block) int {
	n := len(b.Instrs)
	for i := range b.Instrs {
		for _, nb := range b.Instrs[i].Blocks {
			n += countInstrs(nb)
		}
	}
	return n
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
	f      *ir.Func
	c      *Code
	off    []int32 // frame offset of each variable, -1 until assigned
	slots  []int64 // slots of each variable
	next   int64   // first free slot
	max    int64   // frame size so far
	fixups []fixup
	done   map[*ir.Func]*Code
	active map[*ir.Func]bool
	err    error
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
	for i := range b.Instrs {
		cp.instr(&b.Instrs[i])
	}
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
		ir.OpEq: xEqR, ir.OpNe: xNeR, ir.OpLt: xLtR, ir.OpLe: xLeR, ir.OpGt: xGtR, ir.OpGe: xGeR,
	}
	intOps = map[ir.Op]opcode{
		ir.OpNeg: xNegI, ir.OpAbs: xAbsI,
		ir.OpAdd: xAddI, ir.OpSub: xSubI, ir.OpMul: xMulI, ir.OpDiv: xDivI, ir.OpMod: xModI,
		ir.OpMin: xMinI, ir.OpMax: xMaxI,
		ir.OpEq: xEqI, ir.OpNe: xNeI, ir.OpLt: xLtI, ir.OpLe: xLeI, ir.OpGt: xGtI, ir.OpGe: xGeI,
		ir.OpNot: xNot, ir.OpAnd: xAnd, ir.OpOr: xOr, ir.OpToReal: xToReal,
	}
)

func (cp *compiler) instr(in *ir.Instr) {
	f := cp.f
	pos := in.Pos
	arg := func(i int) int32 { return cp.off[in.Args[i]] }
	size := func(v ir.Var) int64 { return cp.slots[v] }

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

	case ir.OpUpdate:
		d := cp.alloc(in.Dst)
		cp.mov(d, arg(0), size(in.Dst), pos)
		es := size(in.Args[2])
		cp.emit(inst{op: xStoreAt, d: d, a: arg(2), b: arg(1), n: int32(f.Types[in.Args[0]].Len), e: int32(es)}, pos)

	case ir.OpIf:
		d := cp.alloc(in.Dst)
		for _, b := range in.Blocks {
			if definedIn(b, b.Result) {
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

	case ir.OpTuple, ir.OpArray:
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
			// Values never change once computed, so a field is read in
			// place: its variable is the slots of the tuple's field.
			cp.off[in.Dst] = arg(0) + int32(o)
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

	case ir.OpCall:
		callee, err := compile(in.Callee, cp.done, cp.active)
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
	cp.block(body)
	op := xLoopNextN
	if n == 1 {
		op = xLoopNext1
	}
	cp.emit(inst{op: op, d: state, a: cp.off[body.Result], b: i, c: int32(start), n: int32(in.N), e: int32(n)}, pos)
	cp.next = save
}

// scalar compiles a one- or two-operand scalar operation.
func (cp *compiler) scalar(in *ir.Instr, arg func(int) int32, pos ir.Pos) {
	f := cp.f
	ops := realOps
	if f.Types[in.Args[0]].Kind != ir.KReal {
		ops = intOps
	}
	op, ok := ops[in.Op]
	if !ok {
		cp.err = fmt.Errorf("eval: %s: cannot compile %v", f.Name, in.Op)
		return
	}
	d := cp.alloc(in.Dst)
	x := inst{op: op, d: d, a: arg(0)}
	if len(in.Args) > 1 {
		x.b = arg(1)
	}
	cp.emit(x, pos)
}
