package handgo

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
)

// Where the examples, the original Rose's recorded results and ADBench's
// data are, seen from this package.
const (
	examples = "../../examples"
	roseNpm  = "../../../shared/reference/rose-npm"
	adbench  = "../../../shared/data/adbench"
)

// load loads examples/<file>, with extra source appended, and returns its
// function name at the arguments argsJSON (which also fix its sizes).
func load(tb testing.TB, file, extra, name string, argsJSON []byte) (*rose.Func, []value.Value) {
	tb.Helper()
	src, err := os.ReadFile(filepath.Join(examples, file))
	if err != nil {
		tb.Fatal(err)
	}
	p := rose.Load(file, append(src, extra...))
	if err := p.Err(); err != nil {
		tb.Fatal(err)
	}
	// The evaluator, the reference: BenchmarkEval is its column of
	// bench/compare.sh (rose bench --engine compiled is the compiled one's).
	p.Engine = rose.EngineEval
	f, err := p.Func(name, argsJSON)
	if err != nil {
		tb.Fatal(err)
	}
	args, err := value.DecodeArgs(f.Params(), argsJSON)
	if err != nil {
		tb.Fatal(err)
	}
	return f, args
}

// agreement compares got with want element by element: how many are
// bitwise equal, and the worst difference relative to max(|want[i]|,
// scale) (scale keeps entries that cancel to nearly zero from dominating).
func agreement(tb testing.TB, name string, got, want []float64, scale, tol float64) (bitwise int, worst float64) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("%s: %d values, want %d", name, len(got), len(want))
	}
	where := 0
	for i := range want {
		if math.Float64bits(got[i]) == math.Float64bits(want[i]) {
			bitwise++
			continue
		}
		rel := math.Abs(got[i]-want[i]) / math.Max(math.Abs(want[i]), scale)
		if !(rel <= worst) {
			worst, where = rel, i
		}
	}
	if !(worst <= tol) {
		tb.Errorf("%s[%d] = %v, want %v: relative difference %.3g > %.3g", name, where, got[where], want[where], worst, tol)
	}
	tb.Logf("%s: %d of %d bitwise equal, worst relative difference %.3g", name, bitwise, len(want), worst)
	return bitwise, worst
}

func maxAbs(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

func flat(vs ...value.Value) []float64 {
	var out []float64
	for _, v := range vs {
		out = append(out, rose.Reals(v)...)
	}
	return out
}

// TestRosenbrock checks the hand-written gradient at n = 1000 against the
// evaluator (bitwise) and the original Rose's recorded figures.
func TestRosenbrock(t *testing.T) {
	x := RosenbrockPoint(1000)
	f, args := load(t, "rosenbrock.rose", "", "rosenbrock", RosenbrockArgs(x))
	gr, err := f.Grad(context.Background(), args, nil)
	if err != nil {
		t.Fatal(err)
	}
	g := make([]float64, len(x))
	v := RosenbrockGrad(x, g)
	agreement(t, "value vs evaluator", []float64{v, Rosenbrock(x)}, []float64{gr.Value.Real(), gr.Value.Real()}, 0, 0)
	agreement(t, "gradient vs evaluator", g, rose.Reals(*gr.Grad[0]), 0, 0)
	sum, sq := 0.0, 0.0
	for _, y := range g {
		sum += y
		sq += y * y
	}
	// The original's figures: value, two gradient entries at each end,
	// the sum and the norm of the gradient.
	agreement(t, "vs original Rose", []float64{v, g[0], g[1], g[998], g[999], sum, math.Sqrt(sq)},
		[]float64{543713.4876931297, -215.12000000000003, 793.0824003999996, -682.1835632, 391.6392, 818296.5998004007, 50898.33639765796}, 0, 1e-14)
}

// Reference values of the original Rose for billiards, from
// rose-npm/RESULTS.md.
var (
	billiardsLoss = 0.045376100103525094
	billiardsGX0  = []float64{-0.5188530865230101, 1.129672200247702}
	billiardsGV0  = []float64{-0.6975152352009544, 1.2810482750808891}
)

// TestBilliards checks the hand-written adjoint against the evaluator and
// the original Rose, and the whole table's gradient against the
// original's.
func TestBilliards(t *testing.T) {
	f, args := load(t, "billiards.rose", "", "loss", BilliardsArgs)
	gr, err := f.Grad(context.Background(), args, nil)
	if err != nil {
		t.Fatal(err)
	}
	var s Billiards
	loss, g := s.Grad(CueX, CueV)
	if v := BilliardsLoss(CueX, CueV); v != loss {
		t.Errorf("BilliardsLoss %v, Grad's loss %v", v, loss)
	}
	agreement(t, "loss vs evaluator", []float64{loss}, []float64{gr.Value.Real()}, 0, 0)
	agreement(t, "loss vs original Rose", []float64{loss}, []float64{billiardsLoss}, 0, 0)
	got := []float64{g.X[0][0], g.X[0][1], g.V[0][0], g.V[0][1]}
	agreement(t, "dL/d(x0, v0) vs evaluator", got, flat(*gr.Grad[0], *gr.Grad[1]), 0, 1e-14)
	agreement(t, "dL/d(x0, v0) vs original Rose", got, append(append([]float64{}, billiardsGX0...), billiardsGV0...), 0, 1e-14)

	data, err := os.ReadFile(roseNpm + "/results/billiards.json")
	if err != nil {
		t.Skip("no recorded results of the original Rose:", err)
	}
	var res struct {
		Reference struct {
			FullGrad struct{ Gx, Gv [][2]float64 } `json:"fullGrad"`
		} `json:"reference"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	var all, want []float64
	for b := 0; b < BallCount; b++ {
		all = append(all, g.X[b][:]...)
		want = append(want, res.Reference.FullGrad.Gx[b][:]...)
	}
	for b := 0; b < BallCount; b++ {
		all = append(all, g.V[b][:]...)
		want = append(want, res.Reference.FullGrad.Gv[b][:]...)
	}
	agreement(t, "all 44 entries vs original Rose", all, want, 0, 1e-13)
}

// geometry reads robot D's tables out of examples/mass_spring.rose.
const geometry = `
fn geometry() -> ([n_objects]Vec2, [n_springs]Int, [n_springs]Int, [n_springs]Real, [n_springs]Real, [n_springs]Real) {
    (start, spring_a, spring_b, rest_length, stiffness, actuation)
}
`

// TestRobotD checks the robot built here against the .rose program's
// tables and the weights against its initial_weights, bitwise.
func TestRobotD(t *testing.T) {
	ctx := context.Background()
	f, _ := load(t, "mass_spring.rose", geometry, "geometry", []byte("[]"))
	v, err := f.Call(ctx, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := RobotD()
	var start, a, b []float64
	for o := range r.Start {
		start = append(start, r.Start[o][:]...)
	}
	for s := 0; s < Springs; s++ {
		a = append(a, float64(r.A[s]))
		b = append(b, float64(r.B[s]))
	}
	ints := func(v value.Value) []float64 {
		out := make([]float64, v.Len())
		for i := range out {
			out[i] = float64(v.Elem(i).Int())
		}
		return out
	}
	agreement(t, "start", start, rose.Reals(v.Elem(0)), 0, 0)
	agreement(t, "spring_a", a, ints(v.Elem(1)), 0, 0)
	agreement(t, "spring_b", b, ints(v.Elem(2)), 0, 0)
	agreement(t, "rest_length", r.Rest[:], rose.Reals(v.Elem(3)), 0, 0)
	agreement(t, "stiffness", r.Stiffness[:], rose.Reals(v.Elem(4)), 0, 0)
	agreement(t, "actuation", r.Actuation[:], rose.Reals(v.Elem(5)), 0, 0)

	fw, _ := load(t, "mass_spring.rose", "", "initial_weights", []byte("[]"))
	wv, err := fw.Call(ctx, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := InitialWeights()
	agreement(t, "initial weights", flat2(w), flat(wv), 0, 0)
}

func flat2(w *Weights) []float64 {
	return append(append(append(append([]float64{}, w.W1...), w.W2...), w.B1...), w.B2...)
}

// TestMassSpring checks the hand-written loss (bitwise) and gradient (to
// rounding) against the evaluator, and both against the original Rose.
func TestMassSpring(t *testing.T) {
	w := InitialWeights()
	f, args := load(t, "mass_spring.rose", "", "loss", w.ArgsJSON())
	gr, err := f.Grad(context.Background(), args, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMassSpring(RobotD())
	g := NewWeights()
	loss := m.Grad(w, g)
	if v := m.Loss(w); v != loss {
		t.Errorf("Loss %v, Grad's loss %v", v, loss)
	}
	agreement(t, "loss vs evaluator", []float64{loss}, []float64{gr.Value.Real()}, 0, 0)
	agreement(t, "loss vs original Rose", []float64{loss}, []float64{-0.17913040073200184}, 0, 1e-12)
	names := []string{"W1", "W2", "B1", "B2"}
	mine := [][]float64{g.W1, g.W2, g.B1, g.B2}
	for i := range names {
		want := rose.Reals(*gr.Grad[i])
		agreement(t, "d/d"+names[i]+" vs evaluator", mine[i], want, maxAbs(want), 1e-10)
	}
	sums := []float64{0.0041823378511466214, -0.012831984200046867, 0.004540303280229057, -0.019505501872411922}
	norms := []float64{0.09148537941251172, 0.039303120076906464, 0.032228173098393424, 0.01368112185898969}
	var got, want []float64
	for i := range mine {
		s, q := 0.0, 0.0
		for _, x := range mine[i] {
			s += x
			q += x * x
		}
		got = append(got, s, math.Sqrt(q))
		want = append(want, sums[i], norms[i])
	}
	got = append(got, g.W1[0], g.W1[5*Input+17], g.W1[31*Input+115], g.W2[0], g.B1[0], g.B1[1], g.B2[0], g.B2[1])
	want = append(want, 0.0012009740124633611, 9.561951941382024e-05, 7.602385825213914e-05, -0.007789792596208348,
		-0.005168399649177796, 0.006662075107717456, -0.010421311426135213, -0.005934900887267544)
	agreement(t, "gradient figures vs original Rose", got, want, 0, 1e-9)
}

// gmmInputs are the ADBench inputs the tests check.
var gmmInputs = []string{"test", "1k/gmm_d2_K5", "1k/gmm_d2_K10", "1k/gmm_d10_K5", "1k/gmm_d10_K25", "10k/gmm_d2_K5"}

func gmmPath(name string) string {
	if name == "test" {
		return adbench + "/gmm/test.txt"
	}
	return adbench + "/gmm/" + name + ".txt"
}

func readFloats(t *testing.T, path string) []float64 {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []float64
	for _, f := range strings.Fields(string(data)) {
		var x float64
		if _, err := fmt.Sscan(f, &x); err != nil {
			t.Fatal(err)
		}
		out = append(out, x)
	}
	return out
}

// TestGMM checks the hand-written objective and gradient against ADBench's
// golden outputs with ADBench's acceptance test, and against the
// evaluator.
func TestGMM(t *testing.T) {
	if _, err := os.Stat(adbench); err != nil {
		t.Skip("no ADBench data:", err)
	}
	for _, name := range gmmInputs {
		t.Run(strings.ReplaceAll(name, "/", "_"), func(t *testing.T) {
			in, err := ReadGMM(gmmPath(name))
			if err != nil {
				t.Fatal(err)
			}
			g := NewGMM(in)
			grad := make([]float64, in.K+in.K*in.D+in.K*in.D*(in.D+1)/2)
			v := g.Grad(grad)
			if w := g.Value(); w != v {
				t.Errorf("Value %v, Grad's value %v", w, v)
			}
			base := adbench + "/golden/gmm/" + name
			rho := func(x, y float64) float64 { return math.Abs(x-y) / math.Max(1, math.Abs(x)+math.Abs(y)) }
			wantF, wantJ := readFloats(t, base+"_F_Manual.txt"), readFloats(t, base+"_J_Manual.txt")
			if len(wantJ) != len(grad) {
				t.Fatalf("%d gradient entries, ADBench %d", len(grad), len(wantJ))
			}
			worst := rho(v, wantF[0])
			for i := range grad {
				worst = math.Max(worst, rho(grad[i], wantJ[i]))
			}
			if worst > 1e-8 {
				t.Errorf("differs from ADBench's golden output by rho %.3g", worst)
			}
			t.Logf("vs ADBench: worst rho %.3g", worst)

			f, args := load(t, "gmm.rose", "", "gmm", in.ArgsJSON())
			ctx := context.Background()
			ev, err := f.Call(ctx, args, nil)
			if err != nil {
				t.Fatal(err)
			}
			gr, err := f.GradWrt(ctx, args, nil, rose.Reverse, []int{0, 1, 2})
			if err != nil {
				t.Fatal(err)
			}
			want := flat(*gr.Grad[0], *gr.Grad[1], *gr.Grad[2])
			agreement(t, "value vs evaluator", []float64{v}, []float64{ev.Real()}, 1, 0)
			agreement(t, "gradient vs evaluator", grad, want, 1, 1e-12)
		})
	}
}
