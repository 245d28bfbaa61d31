package wasm_test

import (
	"testing"

	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// Regression tests for what FuzzIR found, each on the smallest IR that
// showed it.

// TestDotScale: dot and scale of scalar Reals (which the verifier
// accepts: a Real is an all-Real type) and a dot's sum in slot order.
func TestDotScale(t *testing.T) {
	// fn(x: Real, y: Real) -> (Real, Real) { (dot x y, scale x y) }
	b := ir.NewBuilder("scalar", 0)
	x, y := b.Param(ir.Real), b.Param(ir.Real)
	dot := b.Emit(ir.Real, ir.Instr{Op: ir.OpDot, Args: []ir.Var{x, y}})
	scale := b.Emit(ir.Real, ir.Instr{Op: ir.OpScale, Args: []ir.Var{x, y}})
	f := b.Finish(b.Tuple(ir.TupleOf(ir.Real, ir.Real), dot, scale))
	check(t, "scalar dot and scale", f, []value.Value{value.Real(3), value.Real(-0.5)}, nil)
	check(t, "scalar dot of -0", f, []value.Value{value.Real(-1), value.Real(0)}, nil)

	// fn(a: [3]Real, b: [3]Real) -> Real { dot a b }, and the same with
	// arrays made in the function (kept in locals): 1 + 1e100 - 1e100 is
	// 0 summed in slot order, 1 summed last first.
	at := ir.ArrayOf(3, ir.Real)
	b = ir.NewBuilder("inmemory", 0)
	p, q := b.Param(at), b.Param(at)
	mem := b.Finish(b.Emit(ir.Real, ir.Instr{Op: ir.OpDot, Args: []ir.Var{p, q}}))
	b = ir.NewBuilder("inlocals", 0)
	var xs []ir.Var
	for range 3 {
		xs = append(xs, b.Param(ir.Real))
	}
	arr := b.Emit(at, ir.Instr{Op: ir.OpArray, Args: xs})
	one := b.Real(1)
	ones := b.Emit(at, ir.Instr{Op: ir.OpArray, Args: []ir.Var{one, one, one}})
	regs := b.Finish(b.Emit(ir.Real, ir.Instr{Op: ir.OpDot, Args: []ir.Var{arr, ones}}))
	xv := []value.Value{value.Real(1), value.Real(1e100), value.Real(-1e100)}
	onev := value.Array(value.Real(1), value.Real(1), value.Real(1))
	check(t, "dot in slot order (memory)", mem, []value.Value{value.Array(xv...), onev}, nil)
	check(t, "dot in slot order (locals)", regs, xv, nil)
}

// TestIndexEmptyElements: an index bounded by a loop into an array of
// elements of no slots (the code generator divided by the element size).
func TestIndexEmptyElements(t *testing.T) {
	// fn(xs: [2][0]Real) -> [2][0]Real { for 2 |i| { xs[i] } }
	at := ir.ArrayOf(2, ir.ArrayOf(0, ir.Real))
	b := ir.NewBuilder("empty", 0)
	xs := b.Param(at)
	_, ps := b.Begin(ir.Int)
	body := b.End(b.Index(xs, ps[0]))
	f := b.Finish(b.Emit(at, ir.Instr{Op: ir.OpFor, N: 2, Blocks: []*ir.Block{body}}))
	check(t, "index of empty elements", f, []value.Value{value.Array(value.Array(), value.Array())}, nil)
}
