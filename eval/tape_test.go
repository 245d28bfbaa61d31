package eval

import (
	"context"
	"errors"
	"testing"

	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// whileScan builds a function that doubles its argument while it is below
// limit, recording the states, and returns (number of steps, state k of
// the tape, final state).
func whileScan(limit float64, k int64) *ir.Func {
	b := ir.NewBuilder("ws", ir.NoPos)
	x := b.Param(ir.Real)
	cond, cp := b.Begin(ir.Real)
	b.End(b.Compare(ir.OpLt, cp[0], b.Real(limit)))
	body, bp := b.Begin(ir.Real)
	b.End(b.Binary(ir.OpMul, bp[0], b.Real(2)))
	st := ir.TupleOf(ir.TapeOf(ir.Real), ir.Real)
	r := b.Emit(st, ir.Instr{Op: ir.OpWhileScan, Args: []ir.Var{x}, Blocks: []*ir.Block{cond, body}})
	tape := b.Field(r, 0)
	n := b.Emit(ir.Int, ir.Instr{Op: ir.OpTapeLen, Args: []ir.Var{tape}})
	e := b.Emit(ir.Real, ir.Instr{Op: ir.OpTapeIndex, Args: []ir.Var{tape, b.Int(k)}})
	return b.Finish(b.Tuple(ir.TupleOf(ir.Int, ir.Real, ir.Real), n, e, b.Field(r, 1)))
}

// TestTapes checks what a while loop records, reading it back, an index
// out of range, and the memory budget on a tape that grows without end.
func TestTapes(t *testing.T) {
	ctx := context.Background()
	c, err := Compile(whileScan(100, 3))
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.Call(ctx, []value.Value{value.Real(1)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 1 2 4 8 16 32 64 are recorded, the final state is 128.
	if v.Elem(0).Int() != 7 || v.Elem(1).Real() != 8 || v.Elem(2).Real() != 128 {
		t.Errorf("got %v, want (7, 8.0, 128.0)", v)
	}
	c, err = Compile(whileScan(100, 7))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Call(ctx, []value.Value{value.Real(1)}, nil); err == nil {
		t.Error("reading element 7 of a tape of 7: no error")
	}
	// Doubling from -1 never reaches the limit.
	c, err = Compile(whileScan(100, 0))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Call(ctx, []value.Value{value.Real(-1)}, &Options{MaxMemory: 1 << 20})
	if !errors.Is(err, value.ErrMemoryBudget) {
		t.Errorf("an endless recording loop under a 1 MiB budget: %v, want the memory budget error", err)
	}
}
