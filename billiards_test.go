package rose_test

import (
	"context"
	"math"
	"os"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
)

// Reference values of the billiards workload (11 balls, 1024 steps) from
// the original Rose experiments, float64, as recorded in
// /work/shared/reference/rose-npm/RESULTS.md ("Reference values" ->
// "Billiards") and results/billiards.json.
var (
	billiardsLoss     = 0.045376100103525094
	billiardsGradX0   = []float64{-0.5188530865230101, 1.129672200247702}
	billiardsGradV0   = []float64{-0.6975152352009544, 1.2810482750808891}
	billiardsGradGoal = []float64{0.363760371469106, 0.2217719381769443}
	billiardsTarget   = []float64{0.718119814265447, 0.6391140309115279}
	billiardsCue      = []float64{0.4511270902965588, 0.48869300623557554}
)

func billiardsVec2(x, y float64) value.Value { return value.Array(value.Real(x), value.Real(y)) }

// billiardsReals flattens an array of Reals.
func billiardsReals(t *testing.T, v value.Value) []float64 {
	t.Helper()
	out := make([]float64, v.Len())
	for i := range out {
		out[i] = v.Elem(i).Real()
	}
	return out
}

// billiardsCheck reports whether got is within 1e-9 relative of want, and
// whether every element is bitwise equal.
func billiardsCheck(t *testing.T, name string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values %v, want %d", name, len(got), got, len(want))
	}
	bitwise := true
	worst := 0.0
	for i := range want {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			bitwise = false
		}
		rel := math.Abs(got[i]-want[i]) / math.Max(math.Abs(want[i]), 1e-300)
		if !(rel <= 1e-9) {
			t.Errorf("%s[%d] = %v, want %v (relative error %.3g)", name, i, got[i], want[i], rel)
		}
		worst = math.Max(worst, rel)
	}
	t.Logf("%s = %v: bitwise equal to the reference: %v (max relative error %.3g)", name, got, bitwise, worst)
}

func loadBilliards(t *testing.T) *rose.Program {
	t.Helper()
	src, err := os.ReadFile("examples/billiards.rose")
	if err != nil {
		t.Fatal(err)
	}
	p := rose.Load("examples/billiards.rose", src)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBilliards checks the port of the paper's billiards workload against
// the original's loss, its gradient with respect to the cue ball's initial
// position and velocity, and the final positions.
func TestBilliards(t *testing.T) {
	ctx := context.Background()
	p := loadBilliards(t)
	args := []value.Value{billiardsVec2(0.1, 0.5), billiardsVec2(0.3, 0)}

	f, err := p.Func("loss", nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := f.Grad(ctx, args, nil)
	if err != nil {
		t.Fatal(err)
	}
	billiardsCheck(t, "loss", []float64{g.Value.Real()}, []float64{billiardsLoss})
	if len(g.Grad) != 2 || g.Grad[0] == nil || g.Grad[1] == nil {
		t.Fatalf("loss has gradient %v, want two [2]Real entries", g.Grad)
	}
	billiardsCheck(t, "dL/dx0", billiardsReals(t, *g.Grad[0]), billiardsGradX0)
	billiardsCheck(t, "dL/dv0", billiardsReals(t, *g.Grad[1]), billiardsGradV0)

	pos, err := p.Func("final_positions", nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := pos.Call(ctx, args, nil)
	if err != nil {
		t.Fatal(err)
	}
	billiardsCheck(t, "target ball final position", billiardsReals(t, v.Elem(0)), billiardsTarget)
	billiardsCheck(t, "cue ball final position", billiardsReals(t, v.Elem(1)), billiardsCue)

	lg, err := p.Func("loss_goal", nil)
	if err != nil {
		t.Fatal(err)
	}
	gg, err := lg.Grad(ctx, []value.Value{billiardsVec2(0.9, 0.75)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	billiardsCheck(t, "loss_goal", []float64{gg.Value.Real()}, []float64{billiardsLoss})
	billiardsCheck(t, "dL/dgoal", billiardsReals(t, *gg.Grad[0]), billiardsGradGoal)
}

// BenchmarkBilliards times the paper's billiards loss alone and with its
// gradient, in the reference evaluator.
func BenchmarkBilliards(b *testing.B) {
	src, err := os.ReadFile("examples/billiards.rose")
	if err != nil {
		b.Fatal(err)
	}
	p := rose.Load("billiards.rose", src)
	f, err := p.Func("loss", nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	args := []value.Value{value.Array(value.Real(0.1), value.Real(0.5)), value.Array(value.Real(0.3), value.Real(0))}
	b.Run("value", func(b *testing.B) {
		for b.Loop() {
			if _, err := f.Call(ctx, args, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("value+grad", func(b *testing.B) {
		for b.Loop() {
			if _, err := f.Grad(ctx, args, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}
