package ad_test

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/ad"
	"github.com/rose-go/rose/check"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// scalarFunc is f(x) = op(x) or f(x, y) = op(x, y) for a scalar Real
// operation, with I as the instruction's order field (OpPolygamma).
func scalarFunc(op ir.Op, arity int, order int64) *ir.Func {
	b := ir.NewBuilder(fmt.Sprintf("%v%d", op, order), 0)
	args := make([]ir.Var, arity)
	for i := range args {
		args[i] = b.Param(ir.Real)
	}
	return b.Finish(b.Emit(ir.Real, ir.Instr{Op: op, Args: args, I: order}))
}

// realOps lists the operations with a Real result on Real operands: the
// ones derivative rules are for. Every one is tested below.
func realOps() []ir.Op {
	var ops []ir.Op
	for _, op := range ir.Ops() {
		switch op.Info().Class {
		case ir.ClassNum1, ir.ClassNum2, ir.ClassReal1, ir.ClassReal2:
			ops = append(ops, op)
		}
	}
	return ops
}

// opPoints gives, for each Real operation, points where it is smooth, at
// which both modes and second order are compared with finite differences.
// An operation missing here fails the test.
var (
	p1 = [][]float64{{0.3}, {0.8}, {1.7}, {-0.45}, {-1.35}}
	p2 = [][]float64{{0.7, 1.3}, {-0.6, 0.9}, {1.9, -1.2}, {2.2, 0.4}, {-1.1, -0.35}}
	// positive first operand
	pos1 = [][]float64{{0.3}, {0.8}, {1.7}, {3.2}}
	pos2 = [][]float64{{0.7, 1.3}, {0.6, -0.9}, {1.9, -1.2}, {2.2, 0.4}, {0.35, 2.5}}
)

var opPoints = map[ir.Op][][]float64{
	ir.OpNeg: p1, ir.OpAbs: p1, ir.OpSqrt: pos1, ir.OpExp: p1, ir.OpLog: pos1,
	ir.OpSin: p1, ir.OpCos: p1, ir.OpTan: p1,
	ir.OpAsin: {{0.3}, {-0.45}, {0.8}}, ir.OpAcos: {{0.3}, {-0.45}, {0.8}},
	ir.OpAtan: p1, ir.OpSinh: p1, ir.OpCosh: p1, ir.OpTanh: p1,
	ir.OpFloor: p1, ir.OpCeil: p1, ir.OpRound: p1, ir.OpSign: p1,
	ir.OpAdd: p2, ir.OpSub: p2, ir.OpMul: p2, ir.OpDiv: p2, ir.OpMin: p2, ir.OpMax: p2,
	ir.OpPow: pos2, ir.OpAtan2: p2,
	ir.OpLgamma: {{0.3}, {1.7}, {3.5}, {12.5}, {-0.45}, {-1.35}},
	ir.OpLog1p:  {{0.3}, {-0.45}, {1.7}, {1e-3}},
	ir.OpExpm1:  p1, ir.OpErf: p1, ir.OpCbrt: p1,
	ir.OpPolygamma: {{0.3}, {1.7}, {3.5}, {15.5}, {-0.45}, {-1.35}},
	ir.OpHypot:     p2, ir.OpMulZ: p2,
}

// TestRuleTable checks the derivative rule of every Real operation of the
// op table, in forward mode, in reverse mode and in second order (forward
// over reverse, and forward over forward), against central finite
// differences at several points. Removing a rule makes it fail.
func TestRuleTable(t *testing.T) {
	for _, op := range realOps() {
		pts, ok := opPoints[op]
		if !ok {
			t.Errorf("%v: no test points; add it to opPoints", op)
			continue
		}
		orders := []int64{0}
		if op == ir.OpPolygamma {
			orders = []int64{0, 1, 2}
		}
		for _, order := range orders {
			f := scalarFunc(op, op.Arity(), order)
			for _, x := range pts {
				checkScalarDerivs(t, ad.NewTransformer(), f, x, fmt.Sprintf("%v[%d]%v", op, order, x))
			}
		}
	}
}

// TestBuiltinRules checks every builtin function of the language that
// takes and returns Reals the same way, through the checker: each must
// have a case here.
func TestBuiltinRules(t *testing.T) {
	cases := map[string]struct {
		expr string
		pts  [][]float64
	}{
		"sqrt": {"sqrt(x)", pos1}, "exp": {"exp(x)", p1}, "log": {"log(x)", pos1},
		"sin": {"sin(x)", p1}, "cos": {"cos(x)", p1}, "tan": {"tan(x)", p1},
		"asin": {"asin(x / 2.0)", p1}, "acos": {"acos(x / 2.0)", p1}, "atan": {"atan(x)", p1},
		"sinh": {"sinh(x)", p1}, "cosh": {"cosh(x)", p1}, "tanh": {"tanh(x)", p1},
		"floor": {"floor(x) * x", p1}, "ceil": {"ceil(x) * x", p1}, "round": {"round(x) * x", p1},
		"sign": {"sign(x) * x", p1}, "abs": {"abs(x)", p1},
		"pow": {"pow(x, y)", pos2}, "atan2": {"atan2(x, y)", p2},
		"min": {"min(x, y) + min([x, y, 0.1])", p2}, "max": {"max(x, y) + max([x, y, 0.1])", p2},
		"sum": {"sum([x, y, x * y])", p2}, "prod": {"prod([x, y, x + y])", p2},
		"real": {"x * real(3)", p1}, "len": {"x * real(len([x, x]))", p1},
		"dot": {"dot([x, y], [y, x * x])", p2}, "norm": {"norm([x, y, 1.0])", p2},
		"lgamma": {"lgamma(x)", pos1}, "log1p": {"log1p(x)", pos1}, "expm1": {"expm1(x)", p1},
		"erf": {"erf(x)", p1}, "cbrt": {"cbrt(x)", p1}, "hypot": {"hypot(x, y)", p2},
		"clamp": {"clamp(x, -0.5, y)", p2}, "int": {"x * real(int(y * 3.0))", p2},
		"band": {"x * real(band(3, 5))", p1}, "bor": {"x * real(bor(3, 5))", p1},
		"bxor": {"x * real(bxor(3, 5))", p1}, "shl": {"x * real(shl(3, 2))", p1},
		"shr": {"x * real(shr(-13, 2))", p1}, "pi": {"x * pi", p1},
	}
	names := make([]string, 0)
	for name := range check.BuiltinDocs() {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		c, ok := cases[name]
		if !ok {
			t.Errorf("builtin %s has no derivative test case", name)
			continue
		}
		two := strings.Contains(c.expr, "y")
		params := "x: Real"
		if two {
			params += ", y: Real"
		}
		src := fmt.Sprintf("fn f(%s) -> Real { %s }\n", params, c.expr)
		p := rose.Load("b.rose", []byte(src))
		if err := p.Err(); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		for _, x := range c.pts {
			if !two {
				x = x[:1]
			} else if len(x) < 2 {
				t.Fatalf("%s: needs two coordinates", name)
			}
			js, _ := jsonFloats(x)
			fn, err := p.Func("f", []byte(js))
			if err != nil {
				t.Fatal(err)
			}
			checkScalarDerivs(t, ad.NewTransformer(), fn.IR, x, name+js)
		}
	}
}

func jsonFloats(x []float64) (string, error) {
	s := make([]string, len(x))
	for i, v := range x {
		s[i] = fmt.Sprint(v)
		if !strings.ContainsAny(s[i], ".e") {
			s[i] += ".0"
		}
	}
	return "[" + strings.Join(s, ", ") + "]", nil
}

// evalReals calls f on Real arguments and returns the Reals of the result.
func evalReals(t *testing.T, f *ir.Func, xs ...float64) []float64 {
	t.Helper()
	args := make([]value.Value, len(xs))
	for i, x := range xs {
		args[i] = value.Real(x)
	}
	v, err := eval.Call(context.Background(), f, args, nil)
	if err != nil {
		t.Fatalf("%s: %v", f.Name, err)
	}
	return reals(v, nil)
}

// derivs holds a function's derivatives at a point, by both modes and by
// second order.
type derivs struct {
	fwd, rev []float64   // gradient by forward and by reverse mode
	hess     [][]float64 // forward over reverse: hess[i][j] = d/dxi (df/dxj)
	fwd2     [][]float64 // forward over forward: fwd2[i][j] = d/dxj (df/dxi)
}

// derivsAt computes f's derivatives at x with the transforms. f has n
// Real parameters and a Real result.
func derivsAt(t *testing.T, tr *ad.Transformer, f *ir.Func, x []float64) derivs {
	t.Helper()
	n := len(x)
	jv := mustJVP(tr, f)
	vj, err := tr.VJP(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []*ir.Func{jv, vj} {
		if err := ir.Verify(g); err != nil {
			t.Fatalf("%s does not verify: %v\n%s", g.Name, err, g)
		}
	}
	jvjp, jjvp := mustJVP(tr, vj), mustJVP(tr, jv)
	var d derivs
	unit := func(i int) []float64 {
		e := make([]float64, n)
		e[i] = 1
		return e
	}
	rev := evalReals(t, vj, append(append([]float64(nil), x...), 1)...)
	d.rev = rev[1:]
	for i := 0; i < n; i++ {
		out := evalReals(t, jv, append(append([]float64(nil), x...), unit(i)...)...)
		d.fwd = append(d.fwd, out[1])
		// jvp(vjp(f))(x, ct, dx, dct): ((z, ct_x...), (dz, dct_x...)).
		args := append(append(append(append([]float64(nil), x...), 1), unit(i)...), 0)
		h := evalReals(t, jvjp, args...)
		d.hess = append(d.hess, h[n+2:])
		// jvp(jvp(f))(x, dx, x', dx'): the second-order term is the
		// tangent of the tangent, with dx = e_i and x' = e_j.
		var row []float64
		for j := 0; j < n; j++ {
			a := append(append(append(append([]float64(nil), x...), unit(i)...), unit(j)...), make([]float64, n)...)
			out := evalReals(t, jjvp, a...)
			row = append(row, out[3])
		}
		d.fwd2 = append(d.fwd2, row)
	}
	return d
}

// checkScalarDerivs compares the derivatives of f at x with central
// finite differences of f and of its reverse-mode gradient.
func checkScalarDerivs(t *testing.T, tr *ad.Transformer, f *ir.Func, x []float64, label string) {
	t.Helper()
	d := derivsAt(t, tr, f, x)
	n := len(x)
	vj, _ := tr.VJP(f)
	close := func(what string, got, want float64) {
		t.Helper()
		scale := math.Max(1, math.Abs(want))
		if !(math.Abs(got-want) <= 2e-5*scale) {
			t.Errorf("%s: %s = %.12g, finite differences give %.12g", label, what, got, want)
		}
	}
	for i := 0; i < n; i++ {
		h := 1e-6 * math.Max(1, math.Abs(x[i]))
		xp, xm := append([]float64(nil), x...), append([]float64(nil), x...)
		xp[i] += h
		xm[i] -= h
		fd := (evalReals(t, f, xp...)[0] - evalReals(t, f, xm...)[0]) / (2 * h)
		close(fmt.Sprintf("forward d/dx%d", i), d.fwd[i], fd)
		close(fmt.Sprintf("reverse d/dx%d", i), d.rev[i], fd)
		h2 := 1e-5 * math.Max(1, math.Abs(x[i]))
		xp[i], xm[i] = x[i]+h2, x[i]-h2
		gp := evalReals(t, vj, append(xp, 1)...)[1:]
		gm := evalReals(t, vj, append(xm, 1)...)[1:]
		for j := 0; j < n; j++ {
			fd2 := (gp[j] - gm[j]) / (2 * h2)
			close(fmt.Sprintf("jvp(vjp) d2/dx%d dx%d", i, j), d.hess[i][j], fd2)
			close(fmt.Sprintf("jvp(jvp) d2/dx%d dx%d", i, j), d.fwd2[j][i], fd2)
		}
	}
}

// same reports whether a and b are the same number, NaN being the same as
// NaN, or close for finite ones.
func same(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	if math.IsInf(a, 0) || math.IsInf(b, 0) {
		return a == b
	}
	return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b))
}

// TestRulesZeroSafe evaluates every Real operation's derivatives at the
// special points (0, -0, ±1, ±Inf, NaN, in every combination for two
// operands): a zero tangent or cotangent must contribute exactly zero, in
// both modes and in second order, and the two modes must agree, in first
// and in second order.
func TestRulesZeroSafe(t *testing.T) {
	special := []float64{0, math.Copysign(0, -1), 1, -1, math.Inf(1), math.Inf(-1), math.NaN()}
	for _, op := range realOps() {
		n := op.Arity()
		f := scalarFunc(op, n, 0)
		tr := ad.NewTransformer()
		var points [][]float64
		for _, a := range special {
			if n == 1 {
				points = append(points, []float64{a})
				continue
			}
			for _, b := range special {
				points = append(points, []float64{a, b})
			}
		}
		jv := mustJVP(tr, f)
		vj, err := tr.VJP(f)
		if err != nil {
			t.Fatal(err)
		}
		jvjp := mustJVP(tr, vj)
		for _, x := range points {
			label := fmt.Sprintf("%v%v", op, x)
			zeros := make([]float64, n)
			if dz := evalReals(t, jv, append(append([]float64(nil), x...), zeros...)...)[1]; dz != 0 {
				t.Errorf("%s: forward mode with zero tangents gives %v", label, dz)
			}
			for k, c := range evalReals(t, vj, append(append([]float64(nil), x...), 0)...)[1:] {
				if c != 0 {
					t.Errorf("%s: reverse mode with a zero cotangent gives %v for operand %d", label, c, k)
				}
			}
			// jvp(vjp(f)) at a zero tangent of x: the cotangents' tangents are 0.
			args := append(append(append(append([]float64(nil), x...), 1), zeros...), 0)
			for k, c := range evalReals(t, jvjp, args...)[n+2:] {
				if c != 0 {
					t.Errorf("%s: jvp(vjp) with zero tangents gives %v for operand %d", label, c, k)
				}
			}
			d := derivsAt(t, tr, f, x)
			for i := 0; i < n; i++ {
				if !same(d.fwd[i], d.rev[i]) {
					t.Errorf("%s: d/dx%d is %v in forward mode, %v in reverse mode", label, i, d.fwd[i], d.rev[i])
				}
				for j := 0; j < n; j++ {
					if !same(d.hess[i][j], d.fwd2[j][i]) {
						t.Errorf("%s: d2/dx%d dx%d is %v by jvp(vjp), %v by jvp(jvp)", label, i, j, d.hess[i][j], d.fwd2[j][i])
					}
				}
			}
		}
	}
}
