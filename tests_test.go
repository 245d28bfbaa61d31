package rose_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/rose-go/rose"
)

// TestRunTests checks that test blocks report exactly the false asserts,
// with the compared values, and keep going after a failure.
func TestRunTests(t *testing.T) {
	src := `
fn cube(x: Real) -> Real { x * x * x }
test t1 {
    let y = cube(2.0)
    assert y == 8.0
    assert y < 1.0 + 2.0
    assert (cube(1.0) != 1.0)
    assert y > 0.0 && y < 10.0
}
test t2 { var s = 0; for i in 0..5 { s = s + i }; assert s == 10; assert table[1] == 2.0 }
const table: [2]Real = [1.0, 2.0]
`
	p := rose.Load("t.rose", []byte(src))
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	res, err := p.RunTests(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Name != "t1" || res[1].Name != "t2" {
		t.Fatalf("results %+v", res)
	}
	if res[1].Failed() {
		t.Errorf("t2 failed: %+v", res[1].Failures)
	}
	f := res[0].Failures
	if len(f) != 2 {
		t.Fatalf("t1 has %d failures, want 2: %+v", len(f), f)
	}
	if f[0].Pos.Line != 6 || f[0].Text != "y < 1.0 + 2.0" || f[0].LeftText != "y" || f[0].Left != "8.0" || f[0].RightText != "1.0 + 2.0" || f[0].Right != "3.0" {
		t.Errorf("first failure %+v", f[0])
	}
	if f[1].Pos.Line != 7 || f[1].Left != "1.0" || f[1].Right != "1.0" {
		t.Errorf("second failure (a parenthesized comparison) %+v", f[1])
	}
}

// TestGradCheck checks the gradient check on a smooth function, where
// every mode agrees, and the rule check on right and wrong custom rules,
// whose error is known: a rule giving 3x for the derivative 2x of x*x is
// off by x, relative to 3x.
func TestGradCheck(t *testing.T) {
	src := `
fn sq(x: Real) -> Real jvp sq_jvp { x * x }
fn sq_jvp(x: Real, dx: Real) -> (Real, Real) { (x * x, 3.0 * x * dx) }
fn good(x: Real) -> Real jvp good_jvp { x * x }
fn good_jvp(x: Real, dx: Real) -> (Real, Real) { (x * x, 2.0 * x * dx) }
fn smooth(v: [3]Real, k: Int) -> Real { exp(v[0]) * sin(v[1]) / (1.0 + v[2] * v[2]) + real(k) }
example sq(2.0)
example good(5.0)
example smooth([0.3, 1.1, -0.7], 2)
`
	p := rose.Load("g.rose", []byte(src))
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	exs, err := p.Examples(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := exs[0].RuleCheck(ctx, nil)
	if err != nil || rc == nil {
		t.Fatalf("RuleCheck: %v, %v", rc, err)
	}
	if want := 2.0 / 6.0; math.Abs(rc.Worst()-want) > 1e-6 || rc.Value != 0 || rc.Pos.Line != 3 || rc.Attached.Line != 2 {
		t.Errorf("wrong rule: %+v, want error %g at line 3", rc, want)
	}
	if rc, _ := exs[1].RuleCheck(ctx, nil); rc == nil || rc.Worst() > 1e-9 {
		t.Errorf("right rule: %+v", rc)
	}
	if rc, _ := exs[2].RuleCheck(ctx, nil); rc != nil {
		t.Errorf("no rule, got %+v", rc)
	}
	gc, err := exs[2].GradCheck(ctx, nil, rose.DefaultMaxInputs)
	if err != nil {
		t.Fatal(err)
	}
	if len(gc.Params) != 1 || gc.Params[0].Name != "v" || gc.Worst() > 1e-8 || !strings.HasPrefix(gc.Params[0].Worst, "v[") {
		t.Errorf("smooth: %+v", gc.Params)
	}
	if gc, _ := exs[0].GradCheck(ctx, nil, rose.DefaultMaxInputs); gc == nil || gc.Worst() < 0.3 {
		t.Errorf("a wrong rule passes the gradient check: %+v", gc)
	}
	if r := exs[0].Func.ReachedRules(); len(r) != 1 || r[0].Rule != "sq_jvp" || r[0].Pos.Line != 3 {
		t.Errorf("ReachedRules = %+v", r)
	}
	for _, c := range []struct{ a, b, want float64 }{{1, 1, 0}, {0.5, 0.25, 0.25}, {200, 100, 0.5}, {math.NaN(), math.NaN(), 0}, {math.NaN(), 1, math.Inf(1)}} {
		if got := rose.RelError(c.a, c.b); got != c.want {
			t.Errorf("RelError(%g, %g) = %g, want %g", c.a, c.b, got, c.want)
		}
	}
}

// TestGradCheckSample checks that a wide parameter is checked at the
// number of inputs asked for, first and last included.
func TestGradCheckSample(t *testing.T) {
	p := rose.Load("w.rose", []byte("fn f(v: [10]Real) -> Real { v[0] * v[9] + sin(v[4]) }\nexample f([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0])\n"))
	exs, err := p.Examples(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ max, want int }{{0, 10}, {1, 1}, {2, 2}, {3, 3}, {10, 10}, {50, 10}} {
		gc, err := exs[0].GradCheck(context.Background(), nil, c.max)
		if err != nil {
			t.Fatal(err)
		}
		if pc := gc.Params[0]; pc.Checked != c.want || pc.Inputs != 10 || gc.Worst() > 1e-8 {
			t.Errorf("max %d: %+v, want %d checked", c.max, pc, c.want)
		}
	}
}
