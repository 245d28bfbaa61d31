package eval

import (
	"context"
	"math"
	"testing"

	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// Helpers for building IR in tests.

func emit(b *ir.Builder, t *ir.Type, op ir.Op, args ...ir.Var) ir.Var {
	return b.Emit(t, ir.Instr{Op: op, Args: args})
}

// forLoop emits [body(i) for i in 0..n] with result element type elem.
func forLoop(b *ir.Builder, n int, elem *ir.Type, body func(i ir.Var) ir.Var) ir.Var {
	blk, ps := b.Begin(ir.Int)
	b.End(body(ps[0]))
	return b.Emit(ir.ArrayOf(n, elem), ir.Instr{Op: ir.OpFor, N: n, Blocks: []*ir.Block{blk}})
}

// loop emits the sequential loop s = body(i, s) n times from init.
func loop(b *ir.Builder, n int, init ir.Var, body func(i, s ir.Var) ir.Var) ir.Var {
	st := b.Type(init)
	blk, ps := b.Begin(ir.Int, st)
	b.End(body(ps[0], ps[1]))
	return b.Emit(st, ir.Instr{Op: ir.OpLoop, N: n, Args: []ir.Var{init}, Blocks: []*ir.Block{blk}})
}

// ifElse emits if cond { thn() } else { els() } of type t.
func ifElse(b *ir.Builder, t *ir.Type, cond ir.Var, thn, els func() ir.Var) ir.Var {
	tb, _ := b.Begin()
	b.End(thn())
	eb, _ := b.Begin()
	b.End(els())
	return b.Emit(t, ir.Instr{Op: ir.OpIf, Args: []ir.Var{cond}, Blocks: []*ir.Block{tb, eb}})
}

func mustCompile(t testing.TB, f *ir.Func) *Code {
	t.Helper()
	c, err := Compile(f)
	if err != nil {
		t.Fatalf("Compile: %v\n%s", err, f)
	}
	return c
}

func mustCall(t testing.TB, f *ir.Func, args ...value.Value) value.Value {
	t.Helper()
	v, err := mustCompile(t, f).Call(context.Background(), args, nil)
	if err != nil {
		t.Fatalf("Call: %v\n%s", err, f)
	}
	return v
}

// sameReal reports whether x and y are the same float64, NaNs alike.
func sameReal(x, y float64) bool {
	if math.IsNaN(x) || math.IsNaN(y) {
		return math.IsNaN(x) && math.IsNaN(y)
	}
	return math.Float64bits(x) == math.Float64bits(y)
}

// v2 is [2]Real.
var v2 = ir.ArrayOf(2, ir.Real)

// pairT is (Real, Int).
var pairT = ir.TupleOf(ir.Real, ir.Int)
