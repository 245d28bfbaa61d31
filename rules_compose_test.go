package rose_test

import (
	"context"
	"math"
	"os"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
)

// TestCustomRuleCompositions checks that the four second derivatives of a
// function with a custom rule, jvp(jvp), grad(jvp), grad(grad) and
// jvp(grad), all use the rule at both orders. The rule of g disagrees with
// g's body, so finite differences of h = g(x) * x would not do; by the
// rule, h” = t'(x) x + 2 t(x) with t(x) = g'(x) the rule's tangent, and
// t' is taken by central finite differences.
func TestCustomRuleCompositions(t *testing.T) {
	src, err := os.ReadFile("testdata/rule_compose.rose")
	if err != nil {
		t.Fatal(err)
	}
	p := rose.Load("rule_compose.rose", src)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	at := func(name string, x float64) float64 {
		t.Helper()
		f, err := p.Func(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		v, err := f.Call(ctx, []value.Value{value.Real(x)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return v.Real()
	}
	for _, x := range []float64{0.5, 1.0, -2.0} {
		const h = 1e-5
		want := (at("t", x+h)-at("t", x-h))/(2*h)*x + 2*at("t", x)
		for _, name := range []string{"ff", "rf", "rr", "fr"} {
			if got := at(name, x); math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
				t.Errorf("%s(%v) = %v, the rule and finite differences give %v", name, x, got, want)
			}
		}
	}
}
