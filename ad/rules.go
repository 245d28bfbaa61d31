package ad

import (
	"math"

	"github.com/rose-go/rose/ir"
)

// This file holds the derivative rule of every scalar operation, written
// once for both modes. A rule gives the partial derivatives of z = op(x)
// or z = op(x, y) as IR built from the primal operands and result; forward
// mode emits dz = sum_i partial_i * dx_i and reverse mode ct_x_i += ct_z *
// partial_i. Each product is the zero-safe OpMulZ, so that a zero tangent
// or cotangent contributes exactly zero even where a partial is infinite
// or NaN (sqrt at 0, a division by 0, an untaken branch's values).

// partial is one partial derivative of a scalar operation: the variable v;
// or, when v is NoVar, the constant c (1 or -1: no product is emitted); or,
// when cond is set, 1 where the Bool cond is true (false with inv) and 0
// elsewhere, which selects the tangent instead of multiplying it.
type partial struct {
	v    ir.Var
	c    float64
	cond ir.Var
	inv  bool
}

var (
	plusOne  = partial{v: ir.NoVar, c: 1, cond: ir.NoVar}
	minusOne = partial{v: ir.NoVar, c: -1, cond: ir.NoVar}
)

// ruleCtx is what a rule builds its partials from: the builder, the
// instruction, its new primal operands x and y (NoVar for a unary
// operation) and its new primal result z.
type ruleCtx struct {
	b       *ir.Builder
	in      *ir.Instr
	x, y, z ir.Var
}

func (r *ruleCtx) un(op ir.Op, a ir.Var) ir.Var { return r.b.Unary(op, a) }
func (r *ruleCtx) bin(op ir.Op, a, c ir.Var) ir.Var {
	return r.b.Binary(op, a, c)
}
func (r *ruleCtx) mul(a, c ir.Var) ir.Var { return r.b.Binary(ir.OpMul, a, c) }
func (r *ruleCtx) real(f float64) ir.Var  { return r.b.Real(f) }
func (r *ruleCtx) v(a ir.Var) partial     { return partial{v: a, cond: ir.NoVar} }

// inv is 1 / a.
func (r *ruleCtx) inv(a ir.Var) ir.Var { return r.bin(ir.OpDiv, r.real(1), a) }

// choose is `if c { a } else { b }` for values already computed.
func (r *ruleCtx) choose(c, a, b ir.Var) ir.Var { return (&jvp{b: r.b}).choose(c, a, b) }

// rules maps each scalar operation that has a derivative to its rule. A
// nil entry with the operation listed in flat is piecewise constant: its
// derivative is zero. Operations in neither carry no derivative because
// their results are not Real (comparisons, Int arithmetic) or are not
// scalar operations; ad_test checks that every Real operation of the op
// table has one or the other.
var rules = map[ir.Op]func(r *ruleCtx) []partial{
	ir.OpNeg: func(r *ruleCtx) []partial { return []partial{minusOne} },
	ir.OpAdd: func(r *ruleCtx) []partial { return []partial{plusOne, plusOne} },
	ir.OpSub: func(r *ruleCtx) []partial { return []partial{plusOne, minusOne} },
	ir.OpMul: func(r *ruleCtx) []partial { return []partial{r.v(r.y), r.v(r.x)} },
	// The zero-safe product has the product's derivative; its own
	// zero-safety keeps second derivatives zero-safe.
	ir.OpMulZ: func(r *ruleCtx) []partial { return []partial{r.v(r.y), r.v(r.x)} },
	ir.OpDiv: func(r *ruleCtx) []partial {
		q := r.inv(r.y)
		return []partial{r.v(q), r.v(r.un(ir.OpNeg, r.mul(r.z, q)))}
	},
	ir.OpAbs:  func(r *ruleCtx) []partial { return []partial{r.v(r.un(ir.OpSign, r.x))} }, // 0 at 0
	ir.OpSqrt: func(r *ruleCtx) []partial { return []partial{r.v(r.bin(ir.OpDiv, r.real(0.5), r.z))} },
	ir.OpCbrt: func(r *ruleCtx) []partial {
		return []partial{r.v(r.inv(r.mul(r.real(3), r.mul(r.z, r.z))))}
	},
	ir.OpExp: func(r *ruleCtx) []partial { return []partial{r.v(r.z)} },
	ir.OpExpm1: func(r *ruleCtx) []partial {
		return []partial{r.v(r.un(ir.OpExp, r.x))}
	},
	ir.OpLog: func(r *ruleCtx) []partial { return []partial{r.v(r.inv(r.x))} },
	ir.OpLog1p: func(r *ruleCtx) []partial {
		return []partial{r.v(r.inv(r.bin(ir.OpAdd, r.real(1), r.x)))}
	},
	ir.OpSin: func(r *ruleCtx) []partial { return []partial{r.v(r.un(ir.OpCos, r.x))} },
	ir.OpCos: func(r *ruleCtx) []partial {
		return []partial{r.v(r.un(ir.OpNeg, r.un(ir.OpSin, r.x)))}
	},
	ir.OpTan: func(r *ruleCtx) []partial {
		return []partial{r.v(r.bin(ir.OpAdd, r.real(1), r.mul(r.z, r.z)))}
	},
	ir.OpAsin: func(r *ruleCtx) []partial { return []partial{r.v(r.inv(r.sqrt1mx2()))} },
	ir.OpAcos: func(r *ruleCtx) []partial {
		return []partial{r.v(r.un(ir.OpNeg, r.inv(r.sqrt1mx2())))}
	},
	ir.OpAtan: func(r *ruleCtx) []partial {
		return []partial{r.v(r.inv(r.bin(ir.OpAdd, r.real(1), r.mul(r.x, r.x))))}
	},
	ir.OpSinh: func(r *ruleCtx) []partial { return []partial{r.v(r.un(ir.OpCosh, r.x))} },
	ir.OpCosh: func(r *ruleCtx) []partial { return []partial{r.v(r.un(ir.OpSinh, r.x))} },
	ir.OpTanh: func(r *ruleCtx) []partial {
		return []partial{r.v(r.bin(ir.OpSub, r.real(1), r.mul(r.z, r.z)))}
	},
	ir.OpErf: func(r *ruleCtx) []partial {
		e := r.un(ir.OpExp, r.un(ir.OpNeg, r.mul(r.x, r.x)))
		return []partial{r.v(r.mul(r.real(2/math.SqrtPi), e))}
	},
	ir.OpLgamma: func(r *ruleCtx) []partial { return []partial{r.v(r.polygamma(0))} },
	ir.OpPolygamma: func(r *ruleCtx) []partial {
		return []partial{r.v(r.polygamma(r.in.I + 1))}
	},
	ir.OpMin: func(r *ruleCtx) []partial { return r.pick(ir.OpLt) },
	ir.OpMax: func(r *ruleCtx) []partial { return r.pick(ir.OpGt) },
	ir.OpPow: func(r *ruleCtx) []partial {
		// d/dx = y * x^(y-1), zero-safe so that it is 0 where y = 0;
		// d/dy = x^y * log(x), taken as 0 where x <= 0, where x^y is not
		// differentiable in y.
		px := r.bin(ir.OpMulZ, r.y, r.bin(ir.OpPow, r.x, r.bin(ir.OpSub, r.y, r.real(1))))
		pos := r.b.Compare(ir.OpGt, r.x, r.real(0))
		py := r.choose(pos, r.mul(r.z, r.un(ir.OpLog, r.x)), r.real(0))
		return []partial{r.v(px), r.v(py)}
	},
	ir.OpAtan2: func(r *ruleCtx) []partial {
		// z = atan2(y, x) with y the first operand: dz = (x dy - y dx) /
		// (x^2 + y^2), and 0 at the origin.
		yy, xx := r.x, r.y
		r2 := r.bin(ir.OpAdd, r.mul(xx, xx), r.mul(yy, yy))
		zero := r.b.Compare(ir.OpEq, r2, r.real(0))
		s := r.choose(zero, r.real(0), r.inv(r2))
		return []partial{r.v(r.mul(s, xx)), r.v(r.un(ir.OpNeg, r.mul(s, yy)))}
	},
	ir.OpHypot: func(r *ruleCtx) []partial {
		// x / h and y / h, and 0 (a subgradient) at the origin.
		zero := r.b.Compare(ir.OpEq, r.z, r.real(0))
		s := r.choose(zero, r.real(0), r.inv(r.z))
		return []partial{r.v(r.mul(s, r.x)), r.v(r.mul(s, r.y))}
	},
}

// flat lists the Real operations whose derivative is zero wherever it
// exists: their jumps are ignored.
var flat = map[ir.Op]bool{
	ir.OpFloor: true, ir.OpCeil: true, ir.OpRound: true, ir.OpSign: true,
	ir.OpToReal: true, ir.OpConst: true,
}

func (r *ruleCtx) sqrt1mx2() ir.Var {
	return r.un(ir.OpSqrt, r.bin(ir.OpSub, r.real(1), r.mul(r.x, r.x)))
}

func (r *ruleCtx) polygamma(n int64) ir.Var {
	return r.b.Emit(ir.Real, ir.Instr{Op: ir.OpPolygamma, Args: []ir.Var{r.x}, I: n})
}

// pick is the rule of min and max: the derivative of the operand the
// primal chose, with the same test.
func (r *ruleCtx) pick(cmp ir.Op) []partial {
	c := r.b.Compare(cmp, r.x, r.y)
	return []partial{{v: ir.NoVar, cond: c}, {v: ir.NoVar, cond: c, inv: true}}
}

// partials returns the partial derivatives of the scalar instruction in,
// whose new primal operands are args and new result z; nil for a
// piecewise constant operation. It panics for an operation without a rule.
func partials(b *ir.Builder, in *ir.Instr, args []ir.Var, z ir.Var) []partial {
	if flat[in.Op] {
		return nil
	}
	rule := rules[in.Op]
	if rule == nil {
		panic(vjpError{"ad: no derivative rule for " + in.Op.String()})
	}
	r := &ruleCtx{b: b, in: in, x: args[0], y: ir.NoVar, z: z}
	if len(args) > 1 {
		r.y = args[1]
	}
	return rule(r)
}

// apply is the contribution of a tangent or cotangent t through the
// partial p: t * p, zero-safe.
func apply(b *ir.Builder, p partial, t ir.Var) ir.Var {
	if p.cond != ir.NoVar {
		j := &jvp{b: b}
		if p.inv {
			return j.choose(p.cond, b.Real(0), t)
		}
		return j.choose(p.cond, t, b.Real(0))
	}
	if p.v == ir.NoVar {
		if p.c < 0 {
			return b.Unary(ir.OpNeg, t)
		}
		return t
	}
	return b.Binary(ir.OpMulZ, t, p.v)
}
