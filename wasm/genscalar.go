package wasm

import "github.com/rose-go/rose/ir"

// Direct Wasm instructions of the scalar operations, by operand kind.
var (
	realInstr = map[ir.Op]byte{
		ir.OpNeg: OpF64Neg, ir.OpAbs: OpF64Abs, ir.OpSqrt: OpF64Sqrt, ir.OpFloor: OpF64Floor, ir.OpCeil: OpF64Ceil,
		ir.OpAdd: OpF64Add, ir.OpSub: OpF64Sub, ir.OpMul: OpF64Mul, ir.OpDiv: OpF64Div,
		ir.OpEq: OpF64Eq, ir.OpNe: OpF64Ne, ir.OpLt: OpF64Lt, ir.OpLe: OpF64Le, ir.OpGt: OpF64Gt, ir.OpGe: OpF64Ge,
	}
	intInstr = map[ir.Op]byte{
		ir.OpAdd: OpI64Add, ir.OpSub: OpI64Sub, ir.OpMul: OpI64Mul,
		ir.OpBitAnd: OpI64And, ir.OpBitOr: OpI64Or, ir.OpBitXor: OpI64Xor,
		ir.OpEq: OpI64Eq, ir.OpNe: OpI64Ne, ir.OpLt: OpI64LtS, ir.OpLe: OpI64LeS, ir.OpGt: OpI64GtS, ir.OpGe: OpI64GeS,
	}
	boolInstr = map[ir.Op]byte{
		ir.OpAnd: OpI32And, ir.OpOr: OpI32Or, ir.OpEq: OpI32Eq, ir.OpNe: OpI32Ne,
	}
)

// scalar generates an operation on scalars held in locals.
func (fg *fgen) scalar(in *ir.Instr) {
	f := fg.f
	c := fg.c
	kind := f.Types[in.Args[0]].Kind
	if len(in.Args) <= 2 && in.Op != ir.OpDiv && in.Op != ir.OpMod && in.Op != ir.OpShl && in.Op != ir.OpShr && in.Op != ir.OpToInt {
		// A pure operation that cannot fail: an identical earlier one
		// gives its result.
		if fg.reuse(in) {
			return
		}
		fg.loads.set(keyOf(in), in.Dst)
	}
	d := fg.alloc(in.Dst)
	x := func() { fg.get(in.Args[0]) }
	y := func() { fg.get(in.Args[1]) }
	args := func() {
		for _, a := range in.Args {
			fg.get(a)
		}
	}
	table := intInstr
	switch kind {
	case ir.KReal:
		table = realInstr
	case ir.KBool:
		table = boolInstr
	}
	if kind == ir.KInt && (in.Op == ir.OpAdd || in.Op == ir.OpSub) {
		// Bounds of sums and differences of bounded Ints (far from
		// overflow).
		x, okx := fg.rng[in.Args[0]]
		y, oky := fg.rng[in.Args[1]]
		const lim = 1 << 40
		// As an affine form: v + c or v - c with c constant.
		if cy, ok := fg.rng[in.Args[1]]; ok && cy.lo == cy.hi && cy.lo > -lim && cy.lo < lim {
			a := fg.affineOf(in.Args[0])
			if a.c > -lim && a.c < lim {
				if fg.affine == nil {
					fg.affine = map[ir.Var]affine{}
				}
				if in.Op == ir.OpAdd {
					fg.affine[in.Dst] = affine{a.of, a.c + cy.lo}
				} else {
					fg.affine[in.Dst] = affine{a.of, a.c - cy.lo}
				}
			}
		}
		if okx && oky && x.lo > -lim && x.hi < lim && y.lo > -lim && y.hi < lim {
			if in.Op == ir.OpAdd {
				fg.bound(in.Dst, x.lo+y.lo, x.hi+y.hi)
			} else {
				fg.bound(in.Dst, x.lo-y.hi, x.hi-y.lo)
			}
		}
	}
	if op, ok := table[in.Op]; ok {
		args()
		c.Op(op)
		c.Idx(OpLocalSet, uint32(d.local))
		return
	}
	switch {
	case mathOps[in.Op]:
		if in.Op == ir.OpPolygamma {
			c.I64Const(in.I)
		}
		args()
		c.Idx(OpCall, fg.g.math.Func(in.Op.String()))
	case in.Op == ir.OpMin || in.Op == ir.OpMax:
		// x < y ? x : y (x > y ? x : y), as the evaluator: NaN handling
		// differs from f64.min.
		x()
		y()
		x()
		y()
		switch {
		case kind == ir.KReal && in.Op == ir.OpMin:
			c.Op(OpF64Lt)
		case kind == ir.KReal:
			c.Op(OpF64Gt)
		case in.Op == ir.OpMin:
			c.Op(OpI64LtS)
		default:
			c.Op(OpI64GtS)
		}
		c.Op(OpSelect)
	case in.Op == ir.OpMulZ:
		// x != 0 && y != 0 ? x*y : 0, with branches: the compiler turns
		// a float select into a compare, a test and a branch anyway, and
		// fuses a comparison into the branch of an if.
		// A test is left out for a nonzero constant.
		fx, kx := fg.fconst[in.Args[0]]
		fy, ky := fg.fconst[in.Args[1]]
		if kx && fx == 0 || ky && fy == 0 {
			c.F64Const(0)
			break
		}
		tests := 0
		for j, known := range []bool{kx, ky} {
			if !known {
				fg.get(in.Args[j])
				c.F64Const(0)
				c.Op(OpF64Ne)
				c.If(byte(F64))
				tests++
			}
		}
		x()
		y()
		c.Op(OpF64Mul)
		for range tests {
			c.Else()
			c.F64Const(0)
			c.End()
		}
	case in.Op == ir.OpSign:
		// 1 if x > 0, -1 if x < 0, 0 if x == 0, else x (NaN).
		c.F64Const(1)
		c.F64Const(-1)
		c.F64Const(0)
		x()
		x()
		c.F64Const(0)
		c.Op(OpF64Eq, OpSelect)
		x()
		c.F64Const(0)
		c.Op(OpF64Lt, OpSelect)
		x()
		c.F64Const(0)
		c.Op(OpF64Gt, OpSelect)
	case in.Op == ir.OpNeg: // Int
		c.I64Const(0)
		x()
		c.Op(OpI64Sub)
	case in.Op == ir.OpAbs: // Int
		c.I64Const(0)
		x()
		c.Op(OpI64Sub)
		x()
		x()
		c.I64Const(0)
		c.Op(OpI64LtS, OpSelect)
	case in.Op == ir.OpDiv || in.Op == ir.OpMod:
		y()
		c.Op(OpI64Eqz)
		c.If(BlockVoid)
		code := int32(failDiv)
		if in.Op == ir.OpMod {
			code = failMod
		}
		fg.failCall(code, in.Pos, nil, nil)
		c.End()
		if in.Op == ir.OpMod {
			args() // rem_s of MinInt64 by -1 is 0, as in Go
			c.Op(OpI64RemS)
			break
		}
		// div_s traps on MinInt64 / -1, which Go wraps to MinInt64.
		c.I64Const(0)
		x()
		c.Op(OpI64Sub)
		x()
		y()
		c.I64Const(-1)
		c.Op(OpI64Eq)
		c.If(byte(I64))
		c.I64Const(1)
		c.Else()
		y()
		c.End()
		c.Op(OpI64DivS)
		y()
		c.I64Const(-1)
		c.Op(OpI64Eq, OpSelect)
	case in.Op == ir.OpShl || in.Op == ir.OpShr:
		y()
		c.I64Const(63)
		c.Op(OpI64GtU)
		c.If(BlockVoid)
		fg.failCall(failShift, in.Pos, y, nil)
		c.End()
		args()
		if in.Op == ir.OpShl {
			c.Op(OpI64Shl)
		} else {
			c.Op(OpI64ShrS)
		}
	case in.Op == ir.OpNot:
		x()
		c.Op(OpI32Eqz)
	case in.Op == ir.OpToReal:
		x()
		c.Op(OpF64ConvertI64S)
	case in.Op == ir.OpToInt:
		// Every float64 in [-2^63, 2^63) truncates to an int64.
		x()
		c.F64Const(-(1 << 63))
		c.Op(OpF64Ge)
		x()
		c.F64Const(1 << 63)
		c.Op(OpF64Lt, OpI32And, OpI32Eqz)
		c.If(BlockVoid)
		fg.failCall(failToInt, in.Pos, func() { x(); c.Op(OpI64ReinterpretF64) }, nil)
		c.End()
		x()
		c.Op(OpI64TruncF64S)
	default:
		fg.fail("cannot generate %v on %v", in.Op, f.Types[in.Args[0]])
		return
	}
	c.Idx(OpLocalSet, uint32(d.local))
}

// liveness finds where every variable is defined and last used
// (ir.Live, the evaluator's facts) and starts the in-place bookkeeping.
func (fg *fgen) liveness() {
	n := len(fg.f.Types)
	fg.live = ir.Live(fg.f)
	fg.root = make([]ir.Var, n)
	for v := range n {
		fg.root[v] = ir.NoVar
	}
	fg.aliases = map[ir.Var][]ir.Var{}
}

// dead reports whether nothing after the instruction being generated
// uses v (ir.Liveness.Dead, the evaluator's rule).
func (fg *fgen) dead(v ir.Var) bool { return fg.live.Dead(v, fg.frames) }

func (fg *fgen) rootOf(v ir.Var) ir.Var {
	if r := fg.root[v]; r != ir.NoVar {
		return r
	}
	return v
}

// inPlace reports whether an update of array a may write into a's own
// memory: a frame variable, dead after this instruction together with the
// variable owning its slots and every variable sharing the slots it
// covers.
func (fg *fgen) inPlace(a ir.Var) bool {
	l := fg.loc[a]
	r := fg.rootOf(a)
	if !l.static() || !fg.dead(a) || !fg.dead(r) || fg.borrowed != nil && (fg.borrowed[a] || fg.borrowed[r]) {
		return false
	}
	return !fg.aliasLive(r, l.off, l.off+uint32(fg.f.Types[a].Slots())*8)
}
