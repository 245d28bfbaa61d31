package gradbench

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
)

// gmmRandom is an input in GradBench's shapes, drawn as the eval draws
// them (normal points, alphas, q and l; uniform means).
func gmmRandom(rng *rand.Rand, d, k, n, m int, gamma float64) *gmmInput {
	normal := func(r int) []float64 {
		v := make([]float64, r)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		return v
	}
	g := &gmmInput{D: d, K: k, N: n, M: m, Gamma: gamma, Alpha: normal(k)}
	for i := 0; i < n; i++ {
		g.X = append(g.X, normal(d))
	}
	for c := 0; c < k; c++ {
		mu := make([]float64, d)
		for i := range mu {
			mu[i] = rng.Float64()
		}
		g.Mu = append(g.Mu, mu)
		g.Q = append(g.Q, normal(d))
		g.L = append(g.L, normal(d*(d-1)/2))
	}
	return g
}

// gmmLogPosterior is the eval's objective computed directly in Go, as the
// reference C++ lays it out: Q_c has the diagonal exp(q_c) and l_c fills
// its strict lower triangle column by column.
func gmmLogPosterior(g *gmmInput) float64 {
	d, k, n := g.D, g.K, g.N
	lse := func(v []float64) float64 {
		mx := v[0]
		for _, x := range v {
			mx = math.Max(mx, x)
		}
		s := 0.0
		for _, x := range v {
			s += math.Exp(x - mx)
		}
		return mx + math.Log(s)
	}
	qmat := make([][][]float64, k)
	sumq := make([]float64, k)
	for c := 0; c < k; c++ {
		qm := make([][]float64, d)
		for j := range qm {
			qm[j] = make([]float64, d)
			qm[j][j] = math.Exp(g.Q[c][j])
			sumq[c] += g.Q[c][j]
		}
		idx := 0
		for i := 0; i < d; i++ {
			for j := i + 1; j < d; j++ {
				qm[j][i] = g.L[c][idx]
				idx++
			}
		}
		qmat[c] = qm
	}
	slse := 0.0
	main := make([]float64, k)
	for i := 0; i < n; i++ {
		for c := 0; c < k; c++ {
			sq := 0.0
			for j := 0; j < d; j++ {
				s := 0.0
				for t := 0; t <= j; t++ {
					s += qmat[c][j][t] * (g.X[i][t] - g.Mu[c][t])
				}
				sq += s * s
			}
			main[c] = g.Alpha[c] + sumq[c] - 0.5*sq
		}
		slse += lse(main)
	}
	nn := d + g.M + 1
	lg := 0.25 * float64(d*(d-1)) * math.Log(math.Pi)
	for j := 1; j <= d; j++ {
		v, _ := math.Lgamma(0.5*float64(nn) + 0.5*float64(1-j))
		lg += v
	}
	cst := float64(nn*d)*(math.Log(g.Gamma)-0.5*math.Log(2)) - lg
	prior := float64(k) * cst
	for c := 0; c < k; c++ {
		fro := 0.0
		for j := 0; j < d; j++ {
			e := math.Exp(g.Q[c][j])
			fro += e * e
		}
		for _, x := range g.L[c] {
			fro += x * x
		}
		prior -= 0.5*g.Gamma*g.Gamma*fro - float64(g.M)*sumq[c]
	}
	return -float64(n*d)*0.5*math.Log(2*math.Pi) + slse - float64(n)*lse(g.Alpha) + prior
}

// gmmParams lists the addresses of the parameters the jacobian is by, in
// its order: alpha, mu, q, l, each row by row.
func gmmParams(g *gmmInput) []*float64 {
	var ps []*float64
	for c := range g.Alpha {
		ps = append(ps, &g.Alpha[c])
	}
	for _, a := range [][][]float64{g.Mu, g.Q, g.L} {
		for _, row := range a {
			for j := range row {
				ps = append(ps, &row[j])
			}
		}
	}
	return ps
}

// gmmClose reports whether a and b agree to 1e-8, relative to the larger
// of them (absolute below 1).
func gmmClose(a, b float64) bool {
	return math.Abs(a-b) <= 1e-8*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// gmmRichardson is the derivative of f at 0 by central differences with the
// steps h and h/2, extrapolated (error O(h^4)).
func gmmRichardson(f func(float64) float64, h float64) float64 {
	d1 := (f(h) - f(-h)) / (2 * h)
	d2 := (f(h/2) - f(-h/2)) / h
	return (4*d2 - d1) / 3
}

// TestGMM checks the objective against a direct Go computation and the
// jacobian against Richardson-extrapolated central differences of that
// computation, on both engines and several shapes (d = 1 has no l).
func TestGMM(t *testing.T) {
	rng := rand.New(rand.NewSource(31337))
	shapes := []struct{ d, k, n, m int }{{1, 1, 1, 0}, {2, 3, 7, 0}, {3, 2, 5, 2}, {5, 4, 6, 1}}
	for _, eng := range []rose.Engine{rose.EngineEval, rose.EngineCompiled} {
		for _, s := range shapes {
			g := gmmRandom(rng, s.d, s.k, s.n, s.m, 0.5+rng.Float64())
			out, err := evaluate(t, eng, "gmm", "objective", g)
			if err != nil {
				t.Fatalf("%v %+v objective: %v", eng, s, err)
			}
			var obj float64
			if err := json.Unmarshal(out, &obj); err != nil {
				t.Fatalf("%v %+v objective output %s: %v", eng, s, out, err)
			}
			if want := gmmLogPosterior(g); !gmmClose(obj, want) {
				t.Errorf("%v %+v: objective %.17g, direct computation %.17g", eng, s, obj, want)
			}

			out, err = evaluate(t, eng, "gmm", "jacobian", g)
			if err != nil {
				t.Fatalf("%v %+v jacobian: %v", eng, s, err)
			}
			var jac struct {
				Alpha []float64   `json:"alpha"`
				Mu    [][]float64 `json:"mu"`
				Q     [][]float64 `json:"q"`
				L     [][]float64 `json:"l"`
			}
			dec := json.NewDecoder(strings.NewReader(string(out)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&jac); err != nil {
				t.Fatalf("%v %+v jacobian output %s: %v", eng, s, out, err)
			}
			got := (&gmmInput{Alpha: jac.Alpha, Mu: jac.Mu, Q: jac.Q, L: jac.L})
			if len(got.Alpha) != s.k || len(got.Mu) != s.k || len(got.Q) != s.k || len(got.L) != s.k {
				t.Fatalf("%v %+v: jacobian of shape %s", eng, s, out)
			}
			gs := gmmParams(got)
			ps := gmmParams(g)
			if len(gs) != len(ps) {
				t.Fatalf("%v %+v: jacobian has %d entries, want %d", eng, s, len(gs), len(ps))
			}
			for i, p := range ps {
				x0 := *p
				want := gmmRichardson(func(h float64) float64 {
					*p = x0 + h
					defer func() { *p = x0 }()
					return gmmLogPosterior(g)
				}, 1e-3)
				if !gmmClose(*gs[i], want) {
					t.Errorf("%v %+v: jacobian entry %d is %.17g, differences give %.17g", eng, s, i, *gs[i], want)
				}
			}
		}
	}
}

// TestGMMForwardReverse checks the jacobian (reverse mode) against
// forward mode: jvp(objective) along random directions.
func TestGMMForwardReverse(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	g := gmmRandom(rng, 4, 3, 9, 1, 1.2)
	out, err := evaluate(t, rose.EngineCompiled, "gmm", "jacobian", g)
	if err != nil {
		t.Fatal(err)
	}
	var jac gmmInput
	if err := json.Unmarshal(out, &jac); err != nil {
		t.Fatal(err)
	}
	p := program(t, "gmm", rose.EngineCompiled)
	for trial := 0; trial < 3; trial++ {
		dir := gmmRandom(rng, 4, 3, 9, 1, 1.2)
		zx := make([][]float64, len(g.X))
		for i := range zx {
			zx[i] = make([]float64, len(g.X[i]))
		}
		args := []any{g.Alpha, g.Mu, g.Q, g.L, g.X, g.Gamma, g.M, dir.Alpha, dir.Mu, dir.Q, dir.L, zx, 0.0, []any{}}
		argsJSON, err := json.Marshal(args)
		if err != nil {
			t.Fatal(err)
		}
		f, err := p.FuncExpr("jvp(objective)", argsJSON)
		if err != nil {
			t.Fatal(err)
		}
		vals, err := value.DecodeArgs(f.Params(), argsJSON)
		if err != nil {
			t.Fatal(err)
		}
		res, err := f.Call(context.Background(), vals, nil)
		if err != nil {
			t.Fatal(err)
		}
		fwd := res.Elem(1).Real()
		rev := 0.0
		ds := gmmParams(dir)
		for i, gp := range gmmParams(&jac) {
			rev += *gp * *ds[i]
		}
		if !gmmClose(fwd, rev) {
			t.Errorf("direction %d: forward mode %.17g, jacobian . direction %.17g", trial, fwd, rev)
		}
	}
}

// TestGMMRejects checks that inputs of the wrong shape are errors.
func TestGMMRejects(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	bad := map[string]func(g *gmmInput){
		"alpha too short": func(g *gmmInput) { g.Alpha = g.Alpha[1:] },
		"mu row too long": func(g *gmmInput) { g.Mu[1] = append(g.Mu[1], 0) },
		"q rows missing":  func(g *gmmInput) { g.Q = g.Q[:1] },
		"l row too short": func(g *gmmInput) { g.L[0] = g.L[0][1:] },
		"x row too short": func(g *gmmInput) { g.X[2] = g.X[2][1:] },
		"n disagrees":     func(g *gmmInput) { g.N++ },
		"d zero":          func(g *gmmInput) { g.D = 0 },
	}
	for name, spoil := range bad {
		for _, fn := range []string{"objective", "jacobian"} {
			g := gmmRandom(rng, 3, 2, 4, 0, 1)
			spoil(g)
			_, err := evaluate(t, rose.EngineEval, "gmm", fn, g)
			if err == nil {
				t.Errorf("%s: %s accepted it", name, fn)
			} else if !errors.Is(err, errInput) {
				t.Errorf("%s: %s: error %v is not an input error", name, fn, err)
			}
		}
	}
	for _, in := range []string{`{"d": 2, "k": 1, "n": 1, "x": "no"}`, `[1, 2]`, `null`} {
		c, err := modules["gmm"].funcs["objective"](program(t, "gmm", rose.EngineEval), json.RawMessage(in))
		if err == nil {
			t.Errorf("input %s accepted (%v)", in, c)
		}
	}
}
