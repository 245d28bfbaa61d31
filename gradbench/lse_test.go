package gradbench

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// TestLse compares lse's primal with log Σ exp(x_i) and its gradient
// with the softmax exp(x_i) / Σ exp(x_j), computed here directly, on both
// engines; the shifted inputs, up to 10^4, would overflow exp without the
// max shift.
func TestLse(t *testing.T) {
	rng := rand.New(rand.NewSource(31337))
	for _, n := range []int{1, 2, 7, 100} {
		for _, shift := range []float64{0, 1e4} {
			x := make([]float64, n)
			for i := range x {
				x[i] = 4*rng.Float64() - 2
			}
			// Without the shift, the plain formula, in Go's math.
			var s float64
			for _, xi := range x {
				s += math.Exp(xi)
			}
			want := math.Log(s)
			soft := make([]float64, n)
			for i, xi := range x {
				soft[i] = math.Exp(xi) / s
			}
			// log Σ exp(x_i + c) = c + log Σ exp(x_i); the softmax is unchanged.
			for i := range x {
				x[i] += shift
			}
			want += shift
			for _, eng := range simpleEngines {
				what := fmt.Sprintf("%v n=%d shift=%g", eng, n, shift)
				var got float64
				simpleRun(t, eng, "lse", "primal", map[string]any{"x": x}, &got)
				simpleCheck(t, what+" primal", []float64{got}, []float64{want}, 1e-8)
				var g []float64
				simpleRun(t, eng, "lse", "gradient", map[string]any{"x": x}, &g)
				simpleCheck(t, what+" gradient", g, soft, 1e-8)
			}
		}
	}
}

// TestLseBadInput checks that inputs of the wrong shape are errors.
func TestLseBadInput(t *testing.T) {
	for _, fn := range []string{"primal", "gradient"} {
		simpleBadInputs(t, "lse", fn, []string{`{}`, `{"x": []}`, `{"x": 1}`, `{"x": [1, "a"]}`, `{"x": [[1]]}`, `[1, 2]`, `"x"`})
	}
}
