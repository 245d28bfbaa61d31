package rose_test

import (
	"context"
	"math"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
)

// TestLanguageDerivatives checks the derivative operators of the language
// against independent computations: forward-mode gradients through the Go
// API and central finite differences.
func TestLanguageDerivatives(t *testing.T) {
	src := `
fn f(x: Real, y: Real) -> Real {
    var s = 0.0
    for i in 0..20 { s = s * 0.9 + sin(x * real(i)) * y }
    s + if x > y { x * y } else { y - x }
}
fn g(x: Real, y: Real) -> (Real, Real) { grad(f)(x, y) }
fn dir(x: Real, y: Real, dx: Real, dy: Real) -> Real { jvp(f)(x, y, dx, dy).1 }
fn back(x: Real, y: Real, c: Real) -> (Real, Real, Real) { vjp(f)(x, y, c) }
fn hxx(x: Real, y: Real) -> Real { jvp(grad(f))(x, y, 1.0, 0.0).1.0 }
fn gy(x: Real, y: Real) -> Real { grad(f, y)(x, y) }
fn gyx(x: Real, y: Real) -> (Real, Real) { grad(f, y, x)(x, y) }
`
	p := rose.Load("d.rose", []byte(src))
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	call := func(name string, args ...float64) value.Value {
		t.Helper()
		f, err := p.Func(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		vs := make([]value.Value, len(args))
		for i, a := range args {
			vs[i] = value.Real(a)
		}
		v, err := f.Call(ctx, vs, nil)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	near := func(what string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol*math.Max(1, math.Abs(want)) {
			t.Errorf("%s = %.15g, want %.15g", what, got, want)
		}
	}
	const h = 1e-6
	fd := func(x, y, dx, dy float64) float64 {
		return (call("f", x+h*dx, y+h*dy).Real() - call("f", x-h*dx, y-h*dy).Real()) / (2 * h)
	}
	for _, pt := range [][2]float64{{0.3, 0.7}, {1.2, 0.4}} {
		x, y := pt[0], pt[1]
		f, _ := p.Func("f", nil)
		fwd, err := f.GradMode(ctx, []value.Value{value.Real(x), value.Real(y)}, nil, rose.Forward)
		if err != nil {
			t.Fatal(err)
		}
		g := call("g", x, y)
		near("grad(f).0", g.Elem(0).Real(), fwd.Grad[0].Real(), 1e-12)
		near("grad(f).1", g.Elem(1).Real(), fwd.Grad[1].Real(), 1e-12)
		near("jvp(f)", call("dir", x, y, 0.6, -0.8).Real(), fd(x, y, 0.6, -0.8), 1e-6)
		b := call("back", x, y, 2.0)
		near("vjp(f).0", b.Elem(0).Real(), call("f", x, y).Real(), 0)
		near("vjp(f).1", b.Elem(1).Real(), 2*fwd.Grad[0].Real(), 1e-12)
		near("grad(f, y)", call("gy", x, y).Real(), fwd.Grad[1].Real(), 1e-12)
		near("grad(f, y, x).0", call("gyx", x, y).Elem(0).Real(), fwd.Grad[1].Real(), 1e-12)
		near("grad(f, y, x).1", call("gyx", x, y).Elem(1).Real(), fwd.Grad[0].Real(), 1e-12)
		dgx := (call("g", x+h, y).Elem(0).Real() - call("g", x-h, y).Elem(0).Real()) / (2 * h)
		near("jvp(grad(f))", call("hxx", x, y).Real(), dgx, 1e-5)
	}
}
