package eval

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// TestMaxMemory checks that a call whose frame stack exceeds the memory
// budget fails before allocating, at the instruction allocating the
// largest value (here inside a callee, so the call's position), and that a
// budget it fits in changes nothing.
func TestMaxMemory(t *testing.T) {
	const n = 1 << 20 // an 8 MiB array
	cb := ir.NewBuilder("big", 3)
	x := cb.Param(ir.Real)
	cb.Pos = 17
	arr := forLoop(cb, n, ir.Real, func(i ir.Var) ir.Var { return x })
	cb.Pos = 30
	callee := cb.Finish(cb.Index(arr, cb.Int(n-1)))

	b := ir.NewBuilder("main", 0)
	y := b.Param(ir.Real)
	b.Pos = 50
	main := b.Finish(b.Call(callee, y))
	code := mustCompile(t, main)
	if got := code.StackBytes(); got < 8*n {
		t.Fatalf("StackBytes = %d, want at least %d", got, 8*n)
	}
	args := []value.Value{value.Real(2)}
	if code.MemoryBytes() <= code.StackBytes() {
		t.Errorf("MemoryBytes %d does not count the result", code.MemoryBytes())
	}
	v, err := code.Call(context.Background(), args, &Options{MaxMemory: code.MemoryBytes()})
	if err != nil || v.Real() != 2 {
		t.Fatalf("within budget: %v, %v", v, err)
	}
	_, err = code.Call(context.Background(), args, &Options{MaxMemory: 1 << 20})
	var re *value.RuntimeError
	if !errors.As(err, &re) || !errors.Is(err, value.ErrMemoryBudget) {
		t.Fatalf("over budget: got %v, want a value.RuntimeError wrapping value.ErrMemoryBudget", err)
	}
	if re.Pos != 50 || !strings.Contains(re.Msg, "budget of 1 MiB") {
		t.Errorf("over budget: position %d, message %q; want the call at 50 and the budget", re.Pos, re.Msg)
	}
	// Called directly, the callee reports its own largest value.
	_, err = mustCompile(t, callee).Call(context.Background(), args, &Options{MaxMemory: 1 << 20})
	if !errors.As(err, &re) || re.Pos != 17 {
		t.Errorf("callee over budget: %v, want position 17", err)
	}
}

// TestMaxMemoryResult checks that a large result counts: its Values take
// several times the frame's 8 bytes per Real.
func TestMaxMemoryResult(t *testing.T) {
	const n = 1 << 16
	b := ir.NewBuilder("wide", 0)
	x := b.Param(ir.Real)
	b.Pos = 9
	code := mustCompile(t, b.Finish(forLoop(b, n, ir.Real, func(i ir.Var) ir.Var { return x })))
	if code.MemoryBytes() < 3*code.StackBytes() {
		t.Fatalf("MemoryBytes %d, StackBytes %d: the result's Values are not counted", code.MemoryBytes(), code.StackBytes())
	}
	_, err := code.Call(context.Background(), []value.Value{value.Real(1)}, &Options{MaxMemory: 2 * code.StackBytes()})
	if !errors.Is(err, value.ErrMemoryBudget) {
		t.Errorf("a result over the budget: %v", err)
	}
}
