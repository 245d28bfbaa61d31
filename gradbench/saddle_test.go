package gradbench

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/rose-go/rose"
)

// saddleExpected is GradBench's expected output of every mode.
const saddleExpected = 8.246324826140356e-06

// TestSaddle runs the four functions through the protocol. The eval
// accepts any output within 1e-4 of its constant (zeros would pass), so
// each output is held to 1e-10 relative against a hand-written computation
// of the same descents (gd.hpp's solver with the gradients in closed form),
// against GradBench's constant, and against the other modes.
func TestSaddle(t *testing.T) {
	for _, start := range [][2]float64{{1, 1}, {2, -0.5}, {-0.75, 3}} {
		in, _ := json.Marshal(map[string]any{"start": start, "min_runs": 1, "min_seconds": 0})
		resps := nestedServe(t, rose.EngineAuto, "saddle", nestedModes, []string{string(in), string(in), string(in), string(in)})
		ref := saddleRef(start)
		var first [4]float64
		for k, r := range resps {
			var got [4]float64
			if string(r["success"]) != "true" || json.Unmarshal(r["output"], &got) != nil {
				t.Fatalf("%s: %v", nestedModes[k], r)
			}
			if k == 0 {
				first = got
			}
			for i := range got {
				if relErr(got[i], ref[i]) > 1e-10 {
					t.Errorf("%s from %v: %v, the hand-written descent %v", nestedModes[k], start, got, ref)
					break
				}
				if relErr(got[i], first[i]) > 1e-10 {
					t.Errorf("%s from %v: %v, but rr gives %v", nestedModes[k], start, got, first)
					break
				}
				if start == [2]float64{1, 1} && relErr(got[i], saddleExpected) > 1e-10 {
					t.Errorf("%s: %v, GradBench's constant is %v", nestedModes[k], got, saddleExpected)
					break
				}
			}
			if start == [2]float64{1, 1} {
				t.Logf("%s: %v (GradBench: %v)", nestedModes[k], got, saddleExpected)
			}
		}
	}
}

// TestSaddleDerivatives checks both derivatives away from the optimum: the
// inner ∇_y f = -2y in both modes, and the outer ∇ₓ max_y f = 2x in all four
// combinations (the inner descent's iterates do not depend on x, so the
// derivative through it is exactly the partial derivative by x).
func TestSaddleDerivatives(t *testing.T) {
	for _, engine := range []rose.Engine{rose.EngineCompiled, rose.EngineEval} {
		p := nestedLoad(t, "saddle", engine)
		for _, x := range [][2]float64{{0.5, -0.25}, {3, 7}, {-1.5, 0.125}} {
			y := [2]float64{x[1] - 1, 2 * x[0]}
			for _, fwd := range []bool{false, true} {
				var g [2]float64
				nestedRun(t, p, &g, "grad_y", x, y, fwd)
				if g != [2]float64{-2 * y[0], -2 * y[1]} {
					t.Errorf("%v: grad_y(%v, %v, forward=%v) = %v, want -2y", engine, x, y, fwd, g)
				}
			}
			for _, m := range nestedModes {
				var g [2]float64
				nestedRun(t, p, &g, "grad_max_y", x, [2]float64{1, 1}, m[0] == 'f', m[1] == 'f')
				if relErr(g[0], 2*x[0]) > 1e-12 || relErr(g[1], 2*x[1]) > 1e-12 {
					t.Errorf("%v: grad_max_y %s at %v = %v, want 2x", engine, m, x, g)
				}
			}
		}
	}
}

// TestSaddleEngines: the evaluator and the compiled engine agree bit for
// bit.
func TestSaddleEngines(t *testing.T) { nestedEnginesAgree(t, "saddle", `{"start": [2.0, -0.5]}`) }

// TestSaddleBadInput: inputs of the wrong shape are errors, and the
// session goes on.
func TestSaddleBadInput(t *testing.T) {
	bad := []string{`{}`, `{"start": [1.0]}`, `{"start": [1.0, 2.0, 3.0]}`, `{"start": 1.0}`, `{"start": ["a", "b"]}`, `[1.0, 1.0]`}
	funcs := make([]string, len(bad))
	for k := range bad {
		funcs[k] = nestedModes[k%4]
	}
	funcs = append(funcs, "ff")
	resps := nestedServe(t, rose.EngineAuto, "saddle", funcs, append(bad, `{"start": [1.0, 1.0]}`))
	for k, r := range resps {
		ok := string(r["success"]) == "true"
		if want := k == len(bad); ok != want {
			t.Errorf("%s(%s): %v", funcs[k], fmt.Sprint(append(bad, "ok")[k]), r)
		}
		if !ok && len(r["error"]) == 0 {
			t.Errorf("%s: a failure without an error: %v", funcs[k], r)
		}
	}
}

// ---- The hand-written reference: gd.hpp's solver with the gradients of
// f(x, y) = (x1² + x2²) - (y1² + y2²) in closed form.

func saddleF(x, y [2]float64) float64 {
	return (x[0]*x[0] + x[1]*x[1]) - (y[0]*y[0] + y[1]*y[1])
}

func refArgmin2(f func([2]float64) float64, g func([2]float64) [2]float64, x [2]float64) [2]float64 {
	mag := func(v [2]float64) float64 { return math.Sqrt(v[0]*v[0] + v[1]*v[1]) }
	fx, gx := f(x), g(x)
	i, eta := 0, 1e-5
	for {
		if mag(gx) <= 1e-5 {
			return x
		} else if i == 10 {
			eta *= 2
			i = 0
		} else {
			xp := [2]float64{x[0] - eta*gx[0], x[1] - eta*gx[1]}
			if mag([2]float64{x[0] - xp[0], x[1] - xp[1]}) <= 1e-5 {
				return x
			}
			if fxp := f(xp); fxp < fx {
				x, fx, gx = xp, fxp, g(xp)
				i++
			} else {
				eta /= 2
				i = 0
			}
		}
	}
}

// saddleRefArgmaxY maximises f(x, ·) from start: descent on -f, whose
// gradient is 2y.
func saddleRefArgmaxY(x, start [2]float64) [2]float64 {
	return refArgmin2(func(y [2]float64) float64 { return -saddleF(x, y) },
		func(y [2]float64) [2]float64 { return [2]float64{2 * y[0], 2 * y[1]} }, start)
}

func saddleRef(start [2]float64) [4]float64 {
	maxY := func(x [2]float64) float64 { return saddleF(x, saddleRefArgmaxY(x, start)) }
	x := refArgmin2(maxY, func(x [2]float64) [2]float64 { return [2]float64{2 * x[0], 2 * x[1]} }, start)
	y := saddleRefArgmaxY(x, start)
	return [4]float64{x[0], x[1], y[0], y[1]}
}

// BenchmarkSaddleRef times the hand-written reference, to set Rose's times
// against.
func BenchmarkSaddleRef(b *testing.B) {
	for i := 0; i < b.N; i++ {
		saddleRef([2]float64{1, 1})
	}
}

// BenchmarkSaddle times each mode's evaluate as GradBench times it.
func BenchmarkSaddle(b *testing.B) {
	p := rose.Load("saddle.rose", Source("saddle"))
	if err := p.Err(); err != nil {
		b.Fatal(err)
	}
	for _, m := range nestedModes {
		b.Run(m, func(b *testing.B) {
			c, err := modules["saddle"].funcs[m](p, json.RawMessage(`{"start": [1.0, 1.0]}`))
			if err != nil {
				b.Fatal(err)
			}
			for i := 0; i < b.N; i++ {
				if err := c.run(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
