package rose_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
)

const exprSrc = `
struct P { a: Real, k: Int, b: Real }
fn f(x: Real, v: [2]Real, p: P) -> Real {
    let s = x * v[0] + sin(v[1]) * p.a
    s * s + exp(p.b * x) + real(p.k) * v[1] * v[1] * v[0]
}
fn sum<n>(v: [n]Real) -> Real { var s = 0.0; for i in 0..n { s = s + v[i] * v[i] * v[i] }; s }
`

func exprArgs(x, v0, v1, a, b float64) []value.Value {
	return []value.Value{value.Real(x), value.Array(value.Real(v0), value.Real(v1)), value.Tuple(value.Real(a), value.Int(3), value.Real(b))}
}

// unflat builds f's arguments from their five Real inputs.
func unflat(xs []float64) []value.Value { return exprArgs(xs[0], xs[1], xs[2], xs[3], xs[4]) }

func loadExpr(t *testing.T) *rose.Program {
	t.Helper()
	p := rose.Load("e.rose", []byte(exprSrc))
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	return p
}

// fdGrad is the central-difference gradient of f over the five Reals.
func fdGrad(t *testing.T, f *rose.Func, xs []float64) []float64 {
	t.Helper()
	g := make([]float64, len(xs))
	for i := range xs {
		h := 1e-5 * math.Max(1, math.Abs(xs[i]))
		up, dn := append([]float64(nil), xs...), append([]float64(nil), xs...)
		up[i] += h
		dn[i] -= h
		fu, err := f.Call(context.Background(), unflat(up), nil)
		if err != nil {
			t.Fatal(err)
		}
		fd, err := f.Call(context.Background(), unflat(dn), nil)
		if err != nil {
			t.Fatal(err)
		}
		g[i] = (fu.Real() - fd.Real()) / (2 * h)
	}
	return g
}

func closeTo(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Max(math.Abs(got), math.Abs(want)))
}

// TestFuncExprGrad checks grad(f) called through FuncExpr, and GradWrt in
// both modes, against central differences.
func TestFuncExprGrad(t *testing.T) {
	p := loadExpr(t)
	ctx := context.Background()
	f, err := p.FuncExpr("f", nil)
	if err != nil {
		t.Fatal(err)
	}
	xs := []float64{0.3, 0.7, -1.1, 0.9, 0.4}
	want := fdGrad(t, f, xs)

	gf, err := p.FuncExpr("grad( f )", nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := gf.Call(ctx, unflat(xs), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := rose.Reals(out); len(got) != len(want) {
		t.Fatalf("grad(f) gives %d Reals, want %d", len(got), len(want))
	} else {
		for i := range got {
			if !closeTo(got[i], want[i], 1e-7) {
				t.Errorf("grad(f)[%d] = %g, finite differences %g", i, got[i], want[i])
			}
		}
	}
	wrt, err := f.ParamIndex([]string{"p", "x"})
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []rose.Mode{rose.Reverse, rose.Forward} {
		g, err := f.GradWrt(ctx, unflat(xs), nil, mode, wrt)
		if err != nil {
			t.Fatal(err)
		}
		if g.Grad[1] != nil || g.Grad[0] == nil || g.Grad[2] == nil {
			t.Fatalf("mode %d: chosen entries %v", mode, g.Grad)
		}
		got := append(rose.Reals(*g.Grad[0]), rose.Reals(*g.Grad[2])...)
		for i, w := range []float64{want[0], want[3], want[4]} {
			if !closeTo(got[i], w, 1e-7) {
				t.Errorf("mode %d: d/d input %d = %g, finite differences %g", mode, i, got[i], w)
			}
		}
	}
	if _, err := f.ParamIndex([]string{"y"}); err == nil || !strings.Contains(err.Error(), "x, v, p") {
		t.Errorf("ParamIndex(y) = %v, want an error listing the parameters", err)
	}
	if _, err := f.ParamIndex([]string{"x", "x"}); err == nil {
		t.Errorf("ParamIndex(x, x) accepted")
	}
}

// TestFuncExprCompose checks jvp, vjp and nested operators, and a generic
// function's sizes read off the leading arguments.
func TestFuncExprCompose(t *testing.T) {
	p := loadExpr(t)
	ctx := context.Background()
	f, _ := p.FuncExpr("f", nil)
	xs := []float64{0.3, 0.7, -1.1, 0.9, 0.4}
	want := fdGrad(t, f, xs)

	// jvp(f) along v = e1 gives df/dv[0].
	jf, err := p.FuncExpr("jvp(f)", nil)
	if err != nil {
		t.Fatal(err)
	}
	in := append(unflat(xs), value.Real(0), value.Array(value.Real(1), value.Real(0)), value.Tuple(value.Real(0), value.Tuple(), value.Real(0)))
	out, err := jf.Call(ctx, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Elem(1).Real(); !closeTo(got, want[1], 1e-7) {
		t.Errorf("jvp(f) = %g, want %g", got, want[1])
	}
	// vjp(f) with cotangent 2 gives twice the gradient.
	vf, err := p.FuncExpr("vjp(f)", nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err = vf.Call(ctx, append(unflat(xs), value.Real(2)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := rose.Reals(out)[1:]; !closeTo(got[2], 2*want[2], 1e-7) {
		t.Errorf("vjp(f) = %v, want twice %v", got, want)
	}
	// jvp(grad(sum)) of sum(v^3) along all ones: the Hessian diag(6 v)
	// times ones is 6 v.
	gg, err := p.FuncExpr("jvp(grad(sum))", []byte(`[[1, 2, 3], [1, 1, 1]]`))
	if err != nil {
		t.Fatal(err)
	}
	v := value.Array(value.Real(1), value.Real(2), value.Real(3))
	out, err = gg.Call(ctx, []value.Value{v, value.Array(value.Real(1), value.Real(1), value.Real(1))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range []float64{1, 2, 3} {
		if got := out.Elem(1).Elem(i).Real(); !closeTo(got, 6*x, 1e-12) {
			t.Errorf("jvp(grad(sum))[%d] = %g, want %g", i, got, 6*x)
		}
	}
	for _, bad := range []string{"grad(", "hess(f)", "grad(f) x", "grad(grad(f), x)", "grad(nope)", "f(", "1"} {
		if _, err := p.FuncExpr(bad, nil); err == nil {
			t.Errorf("FuncExpr(%q) accepted", bad)
		}
	}
}

// TestHessian checks the Hessian against central differences of the
// reverse-mode gradient, and its restriction to chosen parameters.
func TestHessian(t *testing.T) {
	p := loadExpr(t)
	ctx := context.Background()
	f, _ := p.FuncExpr("f", nil)
	xs := []float64{0.3, 0.7, -1.1, 0.9, 0.4}
	h, err := f.Hessian(ctx, unflat(xs), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(h.Inputs, " ") != "x v[0] v[1] p.a p.b" {
		t.Errorf("inputs %v", h.Inputs)
	}
	grad := func(xs []float64) []float64 {
		g, err := f.Grad(ctx, unflat(xs), nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []float64
		for _, d := range g.Grad {
			out = append(out, rose.Reals(*d)...)
		}
		return out
	}
	g0 := grad(xs)
	for j := range xs {
		step := 1e-5
		up, dn := append([]float64(nil), xs...), append([]float64(nil), xs...)
		up[j] += step
		dn[j] -= step
		gu, gd := grad(up), grad(dn)
		for i := range xs {
			if fd := (gu[i] - gd[i]) / (2 * step); !closeTo(h.H[i][j], fd, 1e-6) {
				t.Errorf("H[%d][%d] = %g, finite differences of the gradient %g", i, j, h.H[i][j], fd)
			}
		}
		if !closeTo(h.Grad[j], g0[j], 1e-14) {
			t.Errorf("Grad[%d] = %g, reverse mode %g", j, h.Grad[j], g0[j])
		}
	}
	wrt, _ := f.ParamIndex([]string{"v"})
	hv, err := f.Hessian(ctx, unflat(xs), nil, wrt)
	if err != nil {
		t.Fatal(err)
	}
	if len(hv.H) != 2 || len(hv.H[0]) != 2 {
		t.Fatalf("Hessian by v is %v", hv.H)
	}
	for i := 0; i < 2; i++ {
		for j := 0; j < 2; j++ {
			if !closeTo(hv.H[i][j], h.H[1+i][1+j], 1e-12) {
				t.Errorf("Hessian by v [%d][%d] = %g, full Hessian %g", i, j, hv.H[i][j], h.H[1+i][1+j])
			}
		}
	}
}
