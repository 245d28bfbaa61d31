package eval

import (
	"context"
	"testing"

	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// executed counts the IR instructions one call of f executes, for
// functions without ifs: each loop or comprehension body runs N times.
func executed(b *ir.Block) int {
	n := 0
	for i := range b.Instrs {
		in := &b.Instrs[i]
		n++
		switch in.Op {
		case ir.OpFor, ir.OpLoop, ir.OpScan:
			n += in.N * executed(in.Blocks[0])
		case ir.OpCall:
			n += executed(in.Callee.Body)
		}
	}
	return n
}

func benchCall(b *testing.B, f *ir.Func, args ...value.Value) {
	code := mustCompile(b, f)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := code.Call(ctx, args, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	perCall := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(perCall/float64(executed(f.Body)), "ns/instr")
}

// BenchmarkLoop is the 1000-step projectile: aggregate state, field and
// index traffic and scalar arithmetic, 32 IR instructions per iteration.
func BenchmarkLoop(b *testing.B) {
	benchCall(b, projectile(1000), value.Tuple(value.Array(value.Real(0), value.Real(1)), value.Array(value.Real(10), value.Real(12))), value.Real(0.05))
}

// BenchmarkLoopScalar is a Horner-style scalar recurrence: pure arithmetic
// on a one-slot state.
func BenchmarkLoopScalar(b *testing.B) {
	bd := ir.NewBuilder("horner", 0)
	x := bd.Param(ir.Real)
	one := bd.Real(1)
	half := bd.Real(0.5)
	f := bd.Finish(loop(bd, 1000, x, func(_, s ir.Var) ir.Var {
		t := bd.Binary(ir.OpMul, s, half)
		u := bd.Binary(ir.OpAdd, t, one)
		return bd.Binary(ir.OpMul, u, x)
	}))
	benchCall(b, f, value.Real(0.9))
}

// BenchmarkForCall is a comprehension calling a small function per
// element, then a loop summing the results by index.
func BenchmarkForCall(b *testing.B) {
	bd := ir.NewBuilder("sq", 0)
	p := bd.Param(ir.Real)
	sq := bd.Finish(bd.Binary(ir.OpMul, p, p))
	bd = ir.NewBuilder("sumsq", 0)
	a := bd.Param(ir.ArrayOf(100, ir.Real))
	sqs := forLoop(bd, 100, ir.Real, func(i ir.Var) ir.Var { return bd.Call(sq, bd.Index(a, i)) })
	f := bd.Finish(loop(bd, 100, bd.Real(0), func(i, s ir.Var) ir.Var { return bd.Binary(ir.OpAdd, s, bd.Index(sqs, i)) }))
	elems := make([]value.Value, 100)
	for i := range elems {
		elems[i] = value.Real(float64(i))
	}
	benchCall(b, f, value.Array(elems...))
}

// BenchmarkCallOverhead measures Code.Call on a one-instruction function.
func BenchmarkCallOverhead(b *testing.B) {
	bd := ir.NewBuilder("neg", 0)
	f := bd.Finish(bd.Unary(ir.OpNeg, bd.Param(ir.Real)))
	benchCall(b, f, value.Real(1))
}
