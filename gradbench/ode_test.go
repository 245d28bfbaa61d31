package gradbench

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
)

// odeExact is the exact solution at t = 2: y_i(2) = x_0 ⋯ x_i 2^(i+1) / (i+1)!.
func odeExact(x []float64) []float64 {
	y := make([]float64, len(x))
	p := 1.0
	for i, xi := range x {
		p *= xi * 2 / float64(i+1)
		y[i] = p
	}
	return y
}

func odeInputs(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = 0.5 + rng.Float64()
	}
	return x
}

// TestOdeExact checks the primal against the exact solution where RK4 is
// exact: with the constant 1 as an extra component the system is linear
// and nilpotent, y(t) is a polynomial of degree n in t, and one RK4 step
// is the Taylor polynomial of degree 4 of the step, so for n <= 4 any
// number of steps gives y(2).
func TestOdeExact(t *testing.T) {
	rng := rand.New(rand.NewSource(31337))
	for n := 1; n <= 4; n++ {
		x := odeInputs(rng, n)
		for _, s := range []int{1, 3, 10} {
			for _, eng := range simpleEngines {
				var y []float64
				simpleRun(t, eng, "ode", "primal", map[string]any{"x": x, "s": s}, &y)
				simpleCheck(t, fmt.Sprintf("%v n=%d s=%d primal", eng, n, s), y, odeExact(x), 1e-12)
			}
		}
	}
}

// TestOdeOrder checks that the primal converges to the exact solution with
// order 4 when RK4 is not exact (n = 12): doubling the steps divides the
// error by about 16.
func TestOdeOrder(t *testing.T) {
	x := odeInputs(rand.New(rand.NewSource(7)), 12)
	exact := odeExact(x)
	errAt := func(s int) float64 {
		var y []float64
		simpleRun(t, rose.EngineCompiled, "ode", "primal", map[string]any{"x": x, "s": s}, &y)
		var worst float64
		for i := range y {
			worst = math.Max(worst, simpleRel(y[i], exact[i]))
		}
		return worst
	}
	prev := errAt(50)
	for _, s := range []int{100, 200} {
		e := errAt(s)
		if r := prev / e; r < 15 || r > 17 {
			t.Errorf("error %.3g with %d steps, %.3g with %d: ratio %.2f, want about 16", prev, s/2, e, s, r)
		}
		prev = e
	}
}

// TestOdeGradient compares the gradient of y_{n-1}(2) with forward mode
// and with central differences of the primal. y_{n-1} is linear in each
// x_i separately (each component of every stage is x_i times a function
// of x_0 .. x_{i-1}), so the differences are exact but for rounding.
func TestOdeGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(31337))
	for _, n := range []int{1, 2, 5, 12} {
		for _, s := range []int{1, 4} {
			x := odeInputs(rng, n)
			in := map[string]any{"x": x, "s": s}
			// Forward mode: one JVP of last per input.
			argsJSON, _ := json.Marshal([]any{x, s})
			p := program(t, "ode", rose.EngineCompiled)
			f, err := p.Func("last", argsJSON)
			if err != nil {
				t.Fatal(err)
			}
			args, err := value.DecodeArgs(f.Params(), argsJSON)
			if err != nil {
				t.Fatal(err)
			}
			fwd, err := f.GradMode(context.Background(), args, nil, rose.Forward)
			if err != nil {
				t.Fatal(err)
			}
			var fg []float64
			if err := json.Unmarshal(value.EncodeJSON(*fwd.Grad[0], f.Params()[0]), &fg); err != nil {
				t.Fatal(err)
			}
			// Central differences of the module's primal.
			fd := make([]float64, n)
			for i := range x {
				h := 1e-3 * x[i]
				at := func(xi float64) float64 {
					xs := append([]float64(nil), x...)
					xs[i] = xi
					var y []float64
					simpleRun(t, rose.EngineCompiled, "ode", "primal", map[string]any{"x": xs, "s": s}, &y)
					return y[n-1]
				}
				fd[i] = (at(x[i]+h) - at(x[i]-h)) / (2 * h)
			}
			for _, eng := range simpleEngines {
				what := fmt.Sprintf("%v n=%d s=%d gradient", eng, n, s)
				var g []float64
				simpleRun(t, eng, "ode", "gradient", in, &g)
				simpleCheck(t, what+" vs forward mode", g, fg, 1e-12)
				simpleCheck(t, what+" vs differences", g, fd, 1e-8)
			}
		}
	}
}

// TestOdeBadInput checks that inputs of the wrong shape are errors.
func TestOdeBadInput(t *testing.T) {
	for _, fn := range []string{"primal", "gradient"} {
		simpleBadInputs(t, "ode", fn, []string{`{}`, `{"x": [1, 2]}`, `{"s": 3}`, `{"x": [], "s": 1}`,
			`{"x": [1], "s": 0}`, `{"x": [1], "s": 1.5}`, `{"x": "a", "s": 3}`, `{"x": [[1]], "s": 3}`})
	}
}
