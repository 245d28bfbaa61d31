package opt_test

import (
	"context"
	"os"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/opt"
)

// billiards is the objective of the billiards example's loss at its shot.
func billiards(b *testing.B) *rose.Objective {
	src, err := os.ReadFile("../examples/billiards.rose")
	if err != nil {
		b.Fatal(err)
	}
	ex, err := rose.Load("billiards.rose", src).ExampleOf(context.Background(), "loss")
	if err != nil || ex == nil || ex.Err != nil {
		b.Fatalf("no example of loss: %v", err)
	}
	o, err := ex.Func.Objective(context.Background(), ex.Args, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(o.Close)
	return o
}

// descent is the paper's experiment: 200 steps of gradient descent with
// learning rate 0.01.
var descent = opt.Settings{Method: opt.GD, Step: 0.01, MaxIter: 200, GradTol: -1}

// BenchmarkBilliardsGradients is the cost an optimizer cannot avoid: the
// 201 values and gradients of the paper's descent, at the points it
// visits, called directly (one op is the whole run).
func BenchmarkBilliardsGradients(b *testing.B) {
	o := billiards(b)
	var path [][]float64
	s := descent
	s.Record = func(it *opt.Iter) error { path = append(path, append([]float64(nil), it.X...)); return nil }
	opt.Minimize(context.Background(), o, nil, s)
	g := make([]float64, o.Dim())
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, x := range path {
			if _, err := o.ValueGrad(ctx, x, g); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkBilliardsDescent is the same descent through opt.Minimize
// (one op is the whole run): against BenchmarkBilliardsGradients it gives
// the optimizer's overhead (gonum's bookkeeping, the record, the copies).
func BenchmarkBilliardsDescent(b *testing.B) {
	o := billiards(b)
	s := descent
	s.Record = func(*opt.Iter) error { return nil }
	b.ReportAllocs()
	for b.Loop() {
		if r := opt.Minimize(context.Background(), o, nil, s); r.Err != nil || r.Iters != 200 {
			b.Fatalf("%v after %d iterations", r.Err, r.Iters)
		}
	}
}
