package rose_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/value"
)

// The mass-spring workload's sizes: robot "D" has 26 masses and 61
// springs; the controller has 116 inputs, 32 hidden units and 61 outputs.
const (
	msHidden  = 32
	msInput   = 116
	msSprings = 61
)

// msReference is where the original Rose's results are recorded.
const msReference = "../shared/reference/rose-npm"

// Reference values of the mass-spring workload at the initial weights,
// from the original Rose (float64), as recorded in
// ../shared/reference/rose-npm/RESULTS.md ("Reference values" ->
// "Mass-spring") and results/mass_spring.json.
var (
	msLoss    = -0.17913040073200184
	msGradSum = []float64{0.0041823378511466214, -0.012831984200046867, 0.004540303280229057, -0.019505501872411922}
	msGradL2  = []float64{0.09148537941251172, 0.039303120076906464, 0.032228173098393424, 0.01368112185898969}
	msBias1   = []float64{-0.005168399649177796, 0.006662075107717456, -0.001524688146360984, 0.003497967978403456}
	msBias2   = []float64{-0.010421311426135213, -0.005934900887267544, 0, 0}
)

// msWeights are the controller's initial weights in the reference run:
// xorshift32 (shifts 13, 17, 5) from seed 42, u = s / 2^32, w = (2u - 1) a
// with a = sqrt(3) sqrt(2 / (fan_in + fan_out)) k (k = 2 for w1, 3 for w2),
// w1 filled row by row ([hidden][input]), then w2 ([spring][hidden]); the
// biases are zero.
func msWeights() (w1, w2 [][]float64) {
	s := uint32(42)
	uniform := func() float64 {
		s ^= s << 13
		s ^= s >> 17
		s ^= s << 5
		return float64(s) / 4294967296
	}
	a1 := math.Sqrt(3) * math.Sqrt(2/float64(msHidden+msInput)) * 2
	a2 := math.Sqrt(3) * math.Sqrt(2/float64(msHidden+msSprings)) * 3
	fill := func(rows, cols int, a float64) [][]float64 {
		m := make([][]float64, rows)
		for i := range m {
			m[i] = make([]float64, cols)
			for j := range m[i] {
				m[i][j] = (2*uniform() - 1) * a
			}
		}
		return m
	}
	w1 = fill(msHidden, msInput, a1)
	w2 = fill(msSprings, msHidden, a2)
	return w1, w2
}

func msVector(xs []float64) value.Value {
	elems := make([]value.Value, len(xs))
	for i, x := range xs {
		elems[i] = value.Real(x)
	}
	return value.Array(elems...)
}

func msMatrix(m [][]float64) value.Value {
	rows := make([]value.Value, len(m))
	for i, r := range m {
		rows[i] = msVector(r)
	}
	return value.Array(rows...)
}

func msSum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

func msNorm(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x * x
	}
	return math.Sqrt(s)
}

// msArgs are loss's arguments at the reference weights.
func msArgs(t testing.TB) []value.Value {
	t.Helper()
	w1, w2 := msWeights()
	// The checksums add the elements in row-major order, from zero.
	var sum1, sum2 float64
	for _, r := range w1 {
		for _, x := range r {
			sum1 += x
		}
	}
	for _, r := range w2 {
		for _, x := range r {
			sum2 += x
		}
	}
	checks := []struct {
		name      string
		got, want float64
	}{
		{"sum(w1)", sum1, -26.2180102628571},
		{"sum(w2)", sum2, -35.99719104794221},
		{"w1[0][0]", w1[0][0], -0.4005642757421167},
		{"w2[60][31]", w2[60][31], 0.4392462214736966},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Fatalf("weights: %s = %v, want %v", c.name, c.got, c.want)
		}
	}
	return []value.Value{msMatrix(w1), msMatrix(w2), msVector(make([]float64, msHidden)), msVector(make([]float64, msSprings))}
}

// loadMassSpring loads examples/mass_spring.rose and returns its function
// name.
func loadMassSpring(t testing.TB, name string) *rose.Func {
	t.Helper()
	src, err := os.ReadFile("examples/mass_spring.rose")
	if err != nil {
		t.Fatal(err)
	}
	p := rose.Load("examples/mass_spring.rose", src)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	f, err := p.Func(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestMassSpringWeights checks that the example's own xorshift32 weights
// (initial_weights, which its example runs from) are bitwise those of the
// Go generator, which the reference checksums vouch for.
func TestMassSpringWeights(t *testing.T) {
	f := loadMassSpring(t, "initial_weights")
	w, err := f.Call(context.Background(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	args := msArgs(t)
	for i, name := range []string{"w1", "w2", "b1", "b2"} {
		got, want := rose.Reals(w.Elem(i)), rose.Reals(args[i])
		if len(got) != len(want) {
			t.Fatalf("%s: %d weights, want %d", name, len(got), len(want))
		}
		for k := range want {
			if math.Float64bits(got[k]) != math.Float64bits(want[k]) {
				t.Fatalf("%s: weight %d is %v in Rose, %v in Go", name, k, got[k], want[k])
			}
		}
	}
}

// msChecker compares values with the reference to 1e-9 relative (absolute
// for reference values of zero, which must be exactly zero) and keeps the
// worst relative error.
type msChecker struct {
	t       *testing.T
	worst   float64
	where   string
	bitwise int
	count   int
}

func (c *msChecker) check(name string, got, want float64) {
	c.t.Helper()
	c.count++
	if math.Float64bits(got) == math.Float64bits(want) {
		c.bitwise++
	}
	var rel float64
	if want == 0 {
		rel = math.Abs(got)
	} else {
		rel = math.Abs(got-want) / math.Abs(want)
	}
	if !(rel <= 1e-9) {
		c.t.Errorf("%s = %v, want %v (relative error %.3g)", name, got, want, rel)
	}
	if rel > c.worst || c.where == "" {
		c.worst, c.where = math.Max(rel, c.worst), name
	}
}

// TestMassSpring checks the port of the paper's mass-spring workload
// against the original's loss and gradient at the reference weights.
func TestMassSpring(t *testing.T) {
	if _, err := os.Stat(msReference); err != nil {
		t.Skipf("reference results not available: %v", err)
	}
	ctx := context.Background()
	f := loadMassSpring(t, "loss")
	args := msArgs(t)
	c := &msChecker{t: t}

	var nValue, nGrad int64
	v, err := f.Call(ctx, args, &eval.Options{Executed: &nValue})
	if err != nil {
		t.Fatal(err)
	}
	c.check("loss", v.Real(), msLoss)
	t.Logf("loss = %v, reference %v, bitwise equal: %v", v.Real(), msLoss, v.Real() == msLoss)
	g, err := f.Grad(ctx, args, &eval.Options{Executed: &nGrad})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("instructions: value %d, value+gradient %d, ratio %.2f", nValue, nGrad, float64(nGrad)/float64(nValue))
	c.check("grad loss", g.Value.Real(), msLoss)
	if len(g.Grad) != 4 {
		t.Fatalf("loss has %d gradient entries, want 4", len(g.Grad))
	}
	names := []string{"w1", "w2", "b1", "b2"}
	grads := make([][]float64, 4)
	for i, gi := range g.Grad {
		if gi == nil {
			t.Fatalf("no gradient for %s", names[i])
		}
		grads[i] = rose.Reals(*gi)
		c.check("sum(d/d"+names[i]+")", msSum(grads[i]), msGradSum[i])
		c.check("norm(d/d"+names[i]+")", msNorm(grads[i]), msGradL2[i])
	}
	c.check("d/dw1[0][0]", grads[0][0], 0.0012009740124633611)
	c.check("d/dw1[5][17]", grads[0][5*msInput+17], 9.561951941382024e-05)
	c.check("d/dw1[31][115]", grads[0][31*msInput+115], 7.602385825213914e-05)
	c.check("d/dw2[0][0]", grads[1][0], -0.007789792596208348)
	c.check("d/dw2[60][31]", grads[1][60*msHidden+31], 0)
	bias1, bias2 := msBias1, msBias2
	if data, err := os.ReadFile(msReference + "/results/mass_spring.json"); err == nil {
		var res struct {
			Reference struct {
				FullBias1Grad []float64 `json:"fullBias1Grad"`
				FullBias2Grad []float64 `json:"fullBias2Grad"`
			} `json:"reference"`
		}
		if err := json.Unmarshal(data, &res); err != nil {
			t.Fatal(err)
		}
		if len(res.Reference.FullBias1Grad) == msHidden && len(res.Reference.FullBias2Grad) == msSprings {
			bias1, bias2 = res.Reference.FullBias1Grad, res.Reference.FullBias2Grad
		}
	}
	for i, want := range bias1 {
		c.check(fmt.Sprintf("d/db1[%d]", i), grads[2][i], want)
	}
	for i, want := range bias2 {
		c.check(fmt.Sprintf("d/db2[%d]", i), grads[3][i], want)
	}
	t.Logf("%d reference values, %d bitwise equal; worst relative error %.3g at %s", c.count, c.bitwise, c.worst, c.where)
}

// BenchmarkMassSpring times the mass-spring loss (1364 steps) alone and
// with its gradient by all 5,757 weights, in the reference evaluator, and
// reports the instructions each executes.
func BenchmarkMassSpring(b *testing.B) {
	ctx := context.Background()
	f := loadMassSpring(b, "loss")
	args := msArgs(b)
	var nValue, nGrad int64
	if _, err := f.Call(ctx, args, &eval.Options{Executed: &nValue}); err != nil {
		b.Fatal(err)
	}
	if _, err := f.Grad(ctx, args, &eval.Options{Executed: &nGrad}); err != nil {
		b.Fatal(err)
	}
	b.Logf("instructions: value %d, value+gradient %d, ratio %.2f", nValue, nGrad, float64(nGrad)/float64(nValue))
	b.Run("value", func(b *testing.B) {
		for b.Loop() {
			if _, err := f.Call(ctx, args, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(nValue), "instrs/op")
	})
	b.Run("grad", func(b *testing.B) {
		for b.Loop() {
			if _, err := f.Grad(ctx, args, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(nGrad), "instrs/op")
		b.ReportMetric(float64(nGrad)/float64(nValue), "ratio")
	})
}
