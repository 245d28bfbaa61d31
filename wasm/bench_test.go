package wasm_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/ad"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
	"github.com/rose-go/rose/wasm"
)

// vjpOf loads fn from an example file with the JSON arguments (for its
// sizes) and returns its VJP.
func vjpOf(b testing.TB, file, name, argsJSON string) *ir.Func {
	src, err := os.ReadFile("../examples/" + file)
	if err != nil {
		b.Fatal(err)
	}
	p := rose.Load(file, src)
	f, err := p.Func(name, []byte(argsJSON))
	if err != nil {
		b.Fatal(err)
	}
	g, err := ad.NewTransformer().VJP(f.IR)
	if err != nil {
		b.Fatal(err)
	}
	return g
}

func vec(xs ...float64) value.Value {
	e := make([]value.Value, len(xs))
	for i, x := range xs {
		e[i] = value.Real(x)
	}
	return value.Array(e...)
}

type workload struct {
	name string
	f    *ir.Func
	args []value.Value
}

func workloads(b testing.TB) []workload {
	bil := vjpOf(b, "billiards.rose", "loss", "")
	xs := make([]float64, 1000)
	parts := make([]string, len(xs))
	for i := range xs {
		xs[i] = 0.5 + float64(i%7)*0.1
		parts[i] = fmt.Sprint(xs[i])
	}
	ros := vjpOf(b, "rosenbrock.rose", "rosenbrock", "[["+strings.Join(parts, ",")+"]]")
	return []workload{
		{"Billiards", bil, []value.Value{vec(0.1, 0.5), vec(0.3, 0), value.Real(1)}},
		{"Rosenbrock1000", ros, []value.Value{vec(xs...), value.Real(1)}},
	}
}

// BenchmarkGrad times loss and gradient (one VJP call) in both engines.
func BenchmarkGrad(b *testing.B) {
	ctx := context.Background()
	for _, w := range workloads(b) {
		ev, err := eval.Compile(w.f)
		if err != nil {
			b.Fatal(err)
		}
		wc, err := wasm.Compile(w.f)
		if err != nil {
			b.Fatal(err)
		}
		want, _ := ev.Call(ctx, w.args, nil)
		got, _ := wc.Call(ctx, w.args, nil)
		if !value.Equal(want, got) {
			b.Fatalf("%s: wasm %v, eval %v", w.name, got, want)
		}
		b.Run(w.name+"/eval", func(b *testing.B) {
			for b.Loop() {
				ev.Call(ctx, w.args, nil)
			}
		})
		b.Run(w.name+"/wasm", func(b *testing.B) {
			for b.Loop() {
				wc.Call(ctx, w.args, nil)
			}
		})
		b.Run(w.name+"/compile", func(b *testing.B) {
			for b.Loop() {
				c, err := wasm.Compile(w.f)
				if err != nil {
					b.Fatal(err)
				}
				c.Close()
			}
		})
		wc.Close()
	}
}

// TestBenchWorkloads checks the benchmark's workloads agree bit for bit.
func TestBenchWorkloads(t *testing.T) {
	for _, w := range workloads(t) {
		check(t, w.name, w.f, w.args, nil)
	}
}
