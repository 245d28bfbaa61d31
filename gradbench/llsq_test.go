package gradbench

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// llsqRef is llsq's objective ½ Σ_i r_i², r_i = sign(t_i) - Σ_j x_j t_i^j,
// and its gradient -Σ_i r_i t_i^j, computed here directly (the powers with
// math.Pow).
func llsqRef(x []float64, n int) (float64, []float64) {
	var f float64
	g := make([]float64, len(x))
	for i := 0; i < n; i++ {
		t := -1 + float64(i)*2/float64(n-1)
		s := 0.0
		if t > 0 {
			s = 1
		} else if t < 0 {
			s = -1
		}
		r := s
		for j, xj := range x {
			r -= xj * math.Pow(t, float64(j))
		}
		f += r * r / 2
		for j := range x {
			g[j] -= r * math.Pow(t, float64(j))
		}
	}
	return f, g
}

// TestLlsq compares llsq's primal and gradient with llsqRef on both
// engines, for n odd (a t_i is 0) and even, m from 1 to 12.
func TestLlsq(t *testing.T) {
	rng := rand.New(rand.NewSource(31337))
	for _, m := range []int{1, 3, 12} {
		for _, n := range []int{2, 5, 16, 33} {
			x := make([]float64, m)
			for i := range x {
				x[i] = rng.Float64()
			}
			wantF, wantG := llsqRef(x, n)
			in := map[string]any{"x": x, "n": n}
			for _, eng := range simpleEngines {
				what := fmt.Sprintf("%v m=%d n=%d", eng, m, n)
				var f float64
				simpleRun(t, eng, "llsq", "primal", in, &f)
				simpleCheck(t, what+" primal", []float64{f}, []float64{wantF}, 1e-8)
				var g []float64
				simpleRun(t, eng, "llsq", "gradient", in, &g)
				simpleCheck(t, what+" gradient", g, wantG, 1e-8)
			}
		}
	}
}

// TestLlsqBadInput checks that inputs of the wrong shape are errors.
func TestLlsqBadInput(t *testing.T) {
	for _, fn := range []string{"primal", "gradient"} {
		simpleBadInputs(t, "llsq", fn, []string{`{}`, `{"x": [1, 2]}`, `{"n": 3}`, `{"x": [1], "n": -1}`,
			`{"x": [1], "n": 2.5}`, `{"x": "a", "n": 3}`, `{"x": [[1]], "n": 3}`, `{"x": [1], "n": "3"}`})
	}
}
