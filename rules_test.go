package rose_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
)

// TestCustomRule checks that a custom JVP rule replaces the derivation in
// both modes and in the language's operators, and that reverse mode
// transposes it correctly (against forward mode and finite differences).
func TestCustomRule(t *testing.T) {
	src := `
// A deliberately "wrong" rule proves that the rule is used: the identity
// is said to have slope 2.
fn twice(x: Real) -> Real jvp twice_jvp { x }
fn twice_jvp(x: Real, dx: Real) -> (Real, Real) { (x, 2.0 * dx) }

// A correct rule for softplus, calling the function for its value.
fn softplus(v: [2]Real) -> Real jvp softplus_jvp { log(1.0 + exp(v[0])) + log(1.0 + exp(v[1])) }
fn softplus_jvp(v: [2]Real, dv: [2]Real) -> (Real, Real) {
    (softplus(v), dv[0] / (1.0 + exp(-v[0])) + dv[1] / (1.0 + exp(-v[1])))
}
fn loss(x: Real, y: Real) -> Real { softplus([x * y, x]) + twice(y) * x }
fn g(x: Real, y: Real) -> (Real, Real) { grad(loss)(x, y) }
`
	p := rose.Load("r.rose", []byte(src))
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	f, err := p.Func("loss", nil)
	if err != nil {
		t.Fatal(err)
	}
	x, y := 0.5, 2.0
	args := []value.Value{value.Real(x), value.Real(y)}
	rev, err := f.GradMode(ctx, args, nil, rose.Reverse)
	if err != nil {
		t.Fatal(err)
	}
	fwd, err := f.GradMode(ctx, args, nil, rose.Forward)
	if err != nil {
		t.Fatal(err)
	}
	sig := func(z float64) float64 { return 1 / (1 + math.Exp(-z)) }
	// The true softplus derivative, and the rule's slope 2 for twice.
	want := []float64{y*sig(x*y) + sig(x) + y, x*sig(x*y) + 2*x}
	for i := range want {
		for _, got := range []float64{rev.Grad[i].Real(), fwd.Grad[i].Real()} {
			if math.Abs(got-want[i]) > 1e-12*math.Max(1, math.Abs(want[i])) {
				t.Errorf("d/d%s = %v, want %v", f.ParamNames[i], got, want[i])
			}
		}
	}
	gf, err := p.Func("g", nil)
	if err != nil {
		t.Fatal(err)
	}
	gv, err := gf.Call(ctx, args, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := gv.Elem(0).Real(); math.Abs(got-want[0]) > 1e-12 {
		t.Errorf("grad(loss) in the language = %v, want %v", got, want[0])
	}
}

// TestNonlinearRule checks that rules that are not linear in their
// tangents are reported where they go wrong.
func TestNonlinearRule(t *testing.T) {
	for _, tc := range []struct{ rule, msg string }{
		{"(x, dx * dx)", "multiplies two tangents"},
		{"(x, dx + 1.0)", "adds a tangent and a value that does not depend on the tangents"},
		{"(x, sqrt(dx))", "applies sqrt to a tangent"},
		{"(x + dx, dx)", "adds a tangent and a value"},
		{"(x, if dx > 0.0 { dx } else { -dx })", "applies gt to a tangent"},
		{"(x, helper(dx))", "calls helper, which is not linear in its tangent arguments"},
		{"{ var d = dx; while d > 1.0 { d = d / 2.0 }; (x, d) }", "applies gt to a tangent"},
		{"{ var d = dx; while x > 1.0 max 3 { d = d * d }; (x, d) }", "multiplies two tangents"},
	} {
		src := "fn f(x: Real) -> Real jvp r { x }\nfn helper(d: Real) -> Real { exp(d) }\nfn r(x: Real, dx: Real) -> (Real, Real) { " + tc.rule + " }\n"
		p := rose.Load("n.rose", []byte(src))
		found := false
		for _, d := range p.Diags {
			found = found || (d.Code == "nonlinear-rule" && strings.Contains(d.Msg, tc.msg))
		}
		if !found {
			t.Errorf("rule %s: want a nonlinear-rule error saying %q, got %v", tc.rule, tc.msg, p.Diags)
		}
	}
}

// TestLinearRuleSums checks rules that sum their tangents: sum(da), a
// loop accumulating from zero, a loop carrying a tangent sum beside a
// value sum, a comprehension of zeros updated with tangents. They are linear (zero is a tangent) and must be accepted, and
// both modes must then follow them (against finite differences of the
// function, whose body they describe); a sum plus a constant stays
// refused.
func TestLinearRuleSums(t *testing.T) {
	for _, tc := range []struct {
		rule string
		ok   bool
	}{
		{"(f(a), sum(da))", true},
		{"{ var s = 0.0; for i in 0..3 { s += 2.0 * da[i] }; (f(a), 0.5 * s) }", true},
		{"{ var s = 0.0; for i in 0..3 { s += da[i] }; var t = 0.0; for i in 0..3 { t += a[i] }; (t, s) }", true},
		{"{ var z = [for i in 0..3 { 0.0 }]; for i in 0..3 { z[i] = da[i] }; (f(a), sum(z)) }", true},
		{"{ var s = 0.0; var t = 0.0; for i in 0..3 { s += da[i]; t += a[i] }; (t, s) }", true},
		{"{ var s = 0.0; var w = 0.0; var t = 0.0; for i in 0..3 { s += da[i]; w += s * a[i]; t += a[i] }; (t, s + 0.0 * w) }", true},
		{"{ var s = 0.0; var w = 0.0; for i in 0..3 { s += da[i]; w += s * s }; (f(a), s + w) }", false},
		{"(f(a), sum(da) + 1.0)", false},
		{"{ var s = 1.0; for i in 0..3 { s += da[i] }; (f(a), s) }", false},
	} {
		src := "fn f(a: [3]Real) -> Real jvp r { a[0] + a[1] + a[2] }\nfn r(a: [3]Real, da: [3]Real) -> (Real, Real) { " + tc.rule + " }\nfn g(a: [3]Real) -> Real { f(a) * f(a) }\n"
		p := rose.Load("s.rose", []byte(src))
		if !tc.ok {
			if len(p.Diags) == 0 || p.Diags[0].Code != "nonlinear-rule" {
				t.Errorf("rule %s: want a nonlinear-rule error, got %v", tc.rule, p.Diags)
			}
			continue
		}
		if len(p.Diags) > 0 {
			t.Errorf("rule %s: %v", tc.rule, p.Diags)
			continue
		}
		g, err := p.Func("g", nil)
		if err != nil {
			t.Fatal(err)
		}
		a := []float64{0.5, -1.0, 2.0}
		args := []value.Value{value.Array(value.Real(a[0]), value.Real(a[1]), value.Real(a[2]))}
		for _, mode := range []rose.Mode{rose.Reverse, rose.Forward} {
			gr, err := g.GradMode(context.Background(), args, nil, mode)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				// g = f^2 with f's derivative 1 in every input.
				want := 2 * (a[0] + a[1] + a[2])
				if got := gr.Grad[0].Elem(i).Real(); math.Abs(got-want) > 1e-12 {
					t.Errorf("rule %s, mode %v: dg/da[%d] = %v, want %v", tc.rule, mode, i, got, want)
				}
			}
		}
	}
}
