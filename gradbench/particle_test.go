package gradbench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/rose-go/rose"
)

// nestedModes are the four functions of the nested-AD evals: the mode of
// the outer derivative, then of the inner one.
var nestedModes = []string{"rr", "ff", "fr", "rf"}

// nestedServe runs a session of module's functions on the given inputs
// through Serve, as GradBench would, and returns each evaluate's response.
func nestedServe(t *testing.T, engine rose.Engine, module string, funcs []string, inputs []string) []map[string]json.RawMessage {
	t.Helper()
	var in strings.Builder
	fmt.Fprintf(&in, `{"id":0,"kind":"start","eval":%q}`+"\n", module)
	fmt.Fprintf(&in, `{"id":1,"kind":"define","module":%q}`+"\n", module)
	for k, f := range funcs {
		fmt.Fprintf(&in, `{"id":%d,"kind":"evaluate","module":%q,"function":%q,"input":%s}`+"\n", k+2, module, f, inputs[k])
	}
	in.WriteString(`{"id":99,"kind":"end"}` + "\n")
	var out bytes.Buffer
	if err := Serve(context.Background(), strings.NewReader(in.String()), &out, Options{Engine: engine}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2+len(funcs) {
		t.Fatalf("%d responses, want %d:\n%s", len(lines), 2+len(funcs), out.String())
	}
	var def map[string]json.RawMessage
	if err := json.Unmarshal([]byte(lines[1]), &def); err != nil || string(def["success"]) != "true" {
		t.Fatalf("define %s: %s", module, lines[1])
	}
	var resps []map[string]json.RawMessage
	for _, l := range lines[2:] {
		var r map[string]json.RawMessage
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("response %s: %v", l, err)
		}
		resps = append(resps, r)
	}
	return resps
}

// nestedRun calls expr(args...) of p and decodes its result into out.
func nestedRun(t *testing.T, p *rose.Program, out any, expr string, args ...any) {
	t.Helper()
	c, err := rosecall(p, expr, args...)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	if err := c.run(context.Background()); err != nil {
		t.Fatalf("%s%v: %v", expr, args, err)
	}
	res, err := c.output()
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(res.(json.RawMessage), out); err != nil {
		t.Fatalf("%s: %s: %v", expr, res, err)
	}
}

func nestedLoad(t *testing.T, module string, engine rose.Engine) *rose.Program {
	t.Helper()
	p := rose.Load(module+".rose", Source(module))
	p.Engine = engine
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	return p
}

func relErr(got, want float64) float64 {
	return math.Abs(got-want) / math.Max(math.Abs(want), 1e-300)
}

// particleExpected is GradBench's expected output of every mode.
const particleExpected = 0.2071918746486116

// TestParticle runs the four functions through the protocol and compares
// each with GradBench's constant to 1e-10, much tighter than the eval's
// 1e-4, and with the hand-written reference below.
func TestParticle(t *testing.T) {
	in := `{"w": 0.0, "min_runs": 1, "min_seconds": 0}`
	resps := nestedServe(t, rose.EngineAuto, "particle", nestedModes, []string{in, in, in, in})
	ref := particleRefArgmin(0)
	t.Logf("hand-written Go reference: %.17g (GradBench's constant %.17g, off by %.2g)", ref, particleExpected, ref-particleExpected)
	for k, r := range resps {
		var w float64
		if string(r["success"]) != "true" || json.Unmarshal(r["output"], &w) != nil {
			t.Fatalf("%s: %v", nestedModes[k], r)
		}
		t.Logf("%s: %.17g, off by %.2g", nestedModes[k], w, w-particleExpected)
		if math.Abs(w-particleExpected) > 1e-10 {
			t.Errorf("%s = %.17g, want %.17g within 1e-10", nestedModes[k], w, particleExpected)
		}
		if relErr(w, ref) > 1e-10 {
			t.Errorf("%s = %.17g, the Go reference %.17g", nestedModes[k], w, ref)
		}
	}
}

// TestParticleStart starts the descent elsewhere; every mode must reach
// the hand-written reference's answer from there too.
func TestParticleStart(t *testing.T) {
	in := `{"w": 0.5}`
	resps := nestedServe(t, rose.EngineAuto, "particle", nestedModes, []string{in, in, in, in})
	ref := particleRefArgmin(0.5)
	for k, r := range resps {
		var w float64
		if string(r["success"]) != "true" || json.Unmarshal(r["output"], &w) != nil {
			t.Fatalf("%s: %v", nestedModes[k], r)
		}
		if relErr(w, ref) > 1e-10 {
			t.Errorf("%s from 0.5 = %.17g, the Go reference %.17g", nestedModes[k], w, ref)
		}
	}
}

// TestParticleDerivatives checks the two derivatives at several controls:
// the inner ∇ₓp in both modes against its closed form, and the outer
// d cost/dw in all four combinations against central differences of Rose's
// cost and against the hand-written forward mode.
func TestParticleDerivatives(t *testing.T) {
	for _, engine := range []rose.Engine{rose.EngineCompiled, rose.EngineEval} {
		p := nestedLoad(t, "particle", engine)
		for _, x := range [][2]float64{{0, 8}, {3.5, 4.25}, {9, 1}} {
			for _, w := range []float64{0, 0.4} {
				want := particleRefGradP(x, w)
				for _, fwd := range []bool{false, true} {
					var g [2]float64
					nestedRun(t, p, &g, "grad_p", x, w, fwd)
					for i := range g {
						if relErr(g[i], want[i]) > 1e-12 {
							t.Errorf("%v: grad_p(%v, %v, forward=%v) = %v, closed form %v", engine, x, w, fwd, g, want)
						}
					}
				}
			}
		}
		cost := func(w float64) float64 {
			var c float64
			nestedRun(t, p, &c, "cost", w, false)
			return c
		}
		// Central differences of Rose's primal with one Richardson step
		// (error O(h⁴)), where the step count does not change within ±h:
		// the cost is continuous but has kinks where it does (at w =
		// -0.3 and 0.7, say, within 4e-4).
		for _, w := range []float64{0, 0.1, 0.4, -0.1} {
			const h = 2e-4
			d1 := (cost(w+h) - cost(w-h)) / (2 * h)
			d2 := (cost(w+h/2) - cost(w-h/2)) / h
			fd := (4*d2 - d1) / 3
			_, ref := particleRefCost(dual{w, 1})
			if relErr(fd, ref) > 1e-8 {
				t.Errorf("%v: at w = %v, Richardson %.17g, hand-written forward mode %.17g", engine, w, fd, ref)
			}
			for _, m := range nestedModes {
				var d float64
				nestedRun(t, p, &d, "dcost", w, m[0] == 'f', m[1] == 'f')
				if relErr(d, fd) > 1e-8 {
					t.Errorf("%v: dcost %s at w = %v: %.17g, Richardson %.17g", engine, m, w, d, fd)
				}
			}
		}
		// Near kinks and at the optimum, against the hand-written forward
		// mode only.
		for _, w := range []float64{0, 0.2071918746486116, -0.3, 0.7} {
			_, ref := particleRefCost(dual{w, 1})
			for _, m := range nestedModes {
				var d float64
				nestedRun(t, p, &d, "dcost", w, m[0] == 'f', m[1] == 'f')
				if relErr(d, ref) > 1e-10 {
					t.Errorf("%v: dcost %s at w = %v: %.17g, hand-written %.17g", engine, m, w, d, ref)
				}
			}
		}
	}
}

// nestedEnginesAgree checks that the evaluator and the compiled engine
// give a nested-AD module's four functions the same answer bit for bit
// on the input in.
func nestedEnginesAgree(t *testing.T, module, in string) {
	t.Helper()
	ins := []string{in, in, in, in}
	a := nestedServe(t, rose.EngineCompiled, module, nestedModes, ins)
	b := nestedServe(t, rose.EngineEval, module, nestedModes, ins)
	for k := range a {
		if string(a[k]["output"]) != string(b[k]["output"]) {
			t.Errorf("%s: compiled %s, evaluator %s", nestedModes[k], a[k]["output"], b[k]["output"])
		}
	}
}

// TestParticleEngines: the evaluator and the compiled engine give the same
// answer bit for bit.
func TestParticleEngines(t *testing.T) { nestedEnginesAgree(t, "particle", `{"w": 0.0}`) }

// TestParticleBadInput: inputs of the wrong shape are errors, and the
// session goes on.
func TestParticleBadInput(t *testing.T) {
	bad := []string{`{}`, `{"w": "x"}`, `{"w": [1.0]}`, `[0.0]`, `0.0`, `{"w": null}`}
	funcs := make([]string, len(bad))
	for k := range bad {
		funcs[k] = nestedModes[k%4]
	}
	funcs = append(funcs, "rr", "nosuch")
	resps := nestedServe(t, rose.EngineAuto, "particle", funcs, append(bad, `{"w": 0.0}`, `{"w": 0.0}`))
	for k, r := range resps {
		ok := string(r["success"]) == "true"
		if want := k == len(bad); ok != want {
			t.Errorf("%s(%s): %v", funcs[k], append(bad, "ok", "ok")[k], r)
		}
		if !ok && len(r["error"]) == 0 {
			t.Errorf("%s: a failure without an error: %v", funcs[k], r)
		}
	}
}

// ---- The hand-written reference: the same physics and solver in Go, with
// ∇ₓp in closed form and d/dw by hand-written forward mode (dual numbers).

type dual struct{ v, d float64 }

func (a dual) add(b dual) dual { return dual{a.v + b.v, a.d + b.d} }
func (a dual) sub(b dual) dual { return dual{a.v - b.v, a.d - b.d} }
func (a dual) mul(b dual) dual { return dual{a.v * b.v, a.d*b.v + a.v*b.d} }
func (a dual) div(b dual) dual { return dual{a.v / b.v, (a.d*b.v - a.v*b.d) / (b.v * b.v)} }
func (a dual) sqrt() dual      { s := math.Sqrt(a.v); return dual{s, a.d / (2 * s)} }
func cst(x float64) dual       { return dual{x, 0} }

// particleRefGradP is ∇ₓp = -Σ (x - c) / ‖x - c‖³ in float64.
func particleRefGradP(x [2]float64, w float64) [2]float64 {
	var g [2]float64
	for _, c := range [][2]float64{{10, 10 - w}, {10, 0}} {
		d0, d1 := x[0]-c[0], x[1]-c[1]
		r := math.Sqrt(d0*d0 + d1*d1)
		r3 := r * r * r
		g[0] -= d0 / r3
		g[1] -= d1 / r3
	}
	return g
}

// particleRefCost is the cost and its derivative along w.d.
func particleRefCost(w dual) (float64, float64) {
	const dt = 0.1
	x := [2]dual{cst(0), cst(8)}
	v := [2]dual{cst(0.75), cst(0)}
	for x[1].v+dt*v[1].v > 0 {
		var a [2]dual
		for _, c := range [2][2]dual{{cst(10), cst(10).sub(w)}, {cst(10), cst(0)}} {
			d0, d1 := x[0].sub(c[0]), x[1].sub(c[1])
			r := d0.mul(d0).add(d1.mul(d1)).sqrt()
			r3 := r.mul(r).mul(r)
			// a = -∇ₓp = Σ (x - c) / r³
			a[0] = a[0].add(d0.div(r3))
			a[1] = a[1].add(d1.div(r3))
		}
		for i := range x {
			x[i] = x[i].add(cst(dt).mul(v[i]))
			v[i] = v[i].add(cst(dt).mul(a[i]))
		}
	}
	dtf := cst(0).sub(x[1]).div(v[1])
	xf := x[0].add(dtf.mul(v[0]))
	c := xf.mul(xf)
	return c.v, c.d
}

// particleRefArgmin is gd.hpp's multivariate_argmin in one variable.
func particleRefArgmin(w0 float64) float64 {
	cost := func(w float64) float64 { c, _ := particleRefCost(cst(w)); return c }
	grad := func(w float64) float64 { _, d := particleRefCost(dual{w, 1}); return d }
	return refArgmin1(cost, grad, w0)
}

func refArgmin1(f, g func(float64) float64, x float64) float64 {
	fx, gx := f(x), g(x)
	i, eta := 0, 1e-5
	for {
		if math.Abs(gx) <= 1e-5 {
			return x
		} else if i == 10 {
			eta *= 2
			i = 0
		} else {
			xp := x - eta*gx
			if math.Abs(x-xp) <= 1e-5 {
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

// BenchmarkParticleRef times the hand-written reference (forward over
// closed form, like ff), to set Rose's times against.
func BenchmarkParticleRef(b *testing.B) {
	for i := 0; i < b.N; i++ {
		particleRefArgmin(0)
	}
}

// BenchmarkParticle times each mode's evaluate as GradBench times it.
func BenchmarkParticle(b *testing.B) {
	p := rose.Load("particle.rose", Source("particle"))
	if err := p.Err(); err != nil {
		b.Fatal(err)
	}
	for _, m := range nestedModes {
		b.Run(m, func(b *testing.B) {
			c, err := modules["particle"].funcs[m](p, json.RawMessage(`{"w": 0.0}`))
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
