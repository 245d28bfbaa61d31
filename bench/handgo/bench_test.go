package handgo

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
)

// The benchmarks bench/compare.sh runs: BenchmarkHand (this package) and
// BenchmarkEval (the root package's evaluator, Func.Call and Func.Grad as
// `rose bench` calls them), each with the sub-benchmarks
// <workload>/value and <workload>/grad on the same inputs.

// gmmBench are the ADBench inputs benchmarked; GMM_LARGE=0 leaves out
// d=10 K=25.
func gmmBench() []string {
	names := []string{"1k/gmm_d2_K5"}
	if os.Getenv("GMM_LARGE") != "0" {
		names = append(names, "1k/gmm_d10_K25")
	}
	return names
}

func gmmName(path string) string { return "gmm_" + strings.TrimPrefix(path, "1k/gmm_") }

var sink float64

func BenchmarkHand(b *testing.B) {
	b.Run("billiards/value", func(b *testing.B) {
		for b.Loop() {
			sink += BilliardsLoss(CueX, CueV)
		}
	})
	b.Run("billiards/grad", func(b *testing.B) {
		var s Billiards
		for b.Loop() {
			l, _ := s.Grad(CueX, CueV)
			sink += l
		}
	})
	w := InitialWeights()
	m := NewMassSpring(RobotD())
	g := NewWeights()
	b.Run("mass_spring/value", func(b *testing.B) {
		for b.Loop() {
			sink += m.Loss(w)
		}
	})
	b.Run("mass_spring/grad", func(b *testing.B) {
		for b.Loop() {
			sink += m.Grad(w, g)
		}
	})
	x := RosenbrockPoint(1000)
	gx := make([]float64, len(x))
	b.Run("rosenbrock1000/value", func(b *testing.B) {
		for b.Loop() {
			sink += Rosenbrock(x)
		}
	})
	b.Run("rosenbrock1000/grad", func(b *testing.B) {
		for b.Loop() {
			sink += RosenbrockGrad(x, gx)
		}
	})
	for _, path := range gmmBench() {
		in, err := ReadGMM(gmmPath(path))
		if err != nil {
			b.Skip("no ADBench data:", err)
		}
		gm := NewGMM(in)
		grad := make([]float64, in.K+in.K*in.D+in.K*in.D*(in.D+1)/2)
		b.Run(gmmName(path)+"/value", func(b *testing.B) {
			for b.Loop() {
				sink += gm.Value()
			}
		})
		b.Run(gmmName(path)+"/grad", func(b *testing.B) {
			for b.Loop() {
				sink += gm.Grad(grad)
			}
		})
	}
}

// evalPair runs f's value and gradient (by the parameters wrt, all if nil).
func evalPair(b *testing.B, name string, f *rose.Func, args []value.Value, wrt []int) {
	ctx := context.Background()
	b.Run(name+"/value", func(b *testing.B) {
		for b.Loop() {
			if _, err := f.Call(ctx, args, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run(name+"/grad", func(b *testing.B) {
		for b.Loop() {
			var err error
			if wrt == nil {
				_, err = f.Grad(ctx, args, nil)
			} else {
				_, err = f.GradWrt(ctx, args, nil, rose.Reverse, wrt)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkEval(b *testing.B) {
	f, args := load(b, "billiards.rose", "", "loss", BilliardsArgs)
	evalPair(b, "billiards", f, args, nil)
	f, args = load(b, "mass_spring.rose", "", "loss", InitialWeights().ArgsJSON())
	evalPair(b, "mass_spring", f, args, nil)
	f, args = load(b, "rosenbrock.rose", "", "rosenbrock", RosenbrockArgs(RosenbrockPoint(1000)))
	evalPair(b, "rosenbrock1000", f, args, nil)
	for _, path := range gmmBench() {
		in, err := ReadGMM(gmmPath(path))
		if err != nil {
			b.Skip("no ADBench data:", err)
		}
		f, args = load(b, "gmm.rose", "", "gmm", in.ArgsJSON())
		evalPair(b, gmmName(path), f, args, []int{0, 1, 2})
	}
}
