package eval

import (
	"context"
	"math"
	"testing"

	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// traceFuncs builds g(x) = sqrt(x) and
//
//	f(a: [3]Real, y: Real) = (s, a + a, g(y), y * y)
//
// where s sums a[i]*a[i] in a loop. Instructions are at positions 10 (the
// loop's add), 11 (its mul), 20 (a + a), 30 (the call), 40 (the tuple),
// 100 (the sqrt); the product y * y has no position.
func traceFuncs() *ir.Func {
	gb := ir.NewBuilder("g", 90)
	x := gb.Param(ir.Real)
	gb.Pos = 100
	g := gb.Finish(gb.Unary(ir.OpSqrt, x))

	b := ir.NewBuilder("f", 0)
	vec := ir.ArrayOf(3, ir.Real)
	a := b.Param(vec)
	y := b.Param(ir.Real)
	b.Pos = 5
	zero := b.Real(0)
	s := loop(b, 3, zero, func(i, s ir.Var) ir.Var {
		b.Pos = 11
		e := b.Index(a, i)
		sq := b.Binary(ir.OpMul, e, e)
		b.Pos = 10
		r := b.Binary(ir.OpAdd, s, sq)
		b.Pos = 5
		return r
	})
	b.Pos = 20
	v := emit(b, vec, ir.OpAdd, a, a)
	b.Pos = 30
	c := b.Call(g, y)
	b.Pos = ir.NoPos
	yy := b.Binary(ir.OpMul, y, y)
	b.Pos = 40
	return b.Finish(b.Tuple(ir.TupleOf(ir.Real, vec, ir.Real, ir.Real), s, v, c, yy))
}

func TestCompileTraced(t *testing.T) {
	f := traceFuncs()
	args := []value.Value{value.Array(value.Real(1), value.Real(2), value.Real(3)), value.Real(-0.25)}
	plain := mustCompile(t, f)
	traced, err := CompileTraced(f)
	if err != nil {
		t.Fatal(err)
	}
	var events []TraceEvent
	var finite []bool
	var nPlain, nTraced, nBare int64
	opts := &Options{Executed: &nPlain, Trace: func(ev TraceEvent) { t.Error("untraced code called Trace") }}
	want, err := plain.Call(context.Background(), args, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Call(context.Background(), args, &Options{Executed: &nBare}); err != nil {
		t.Fatal(err)
	}
	if nPlain != nBare {
		t.Errorf("Options.Trace changed the untraced count: %d, want %d", nPlain, nBare)
	}
	got, err := traced.Call(context.Background(), args, &Options{Executed: &nTraced, Trace: func(ev TraceEvent) {
		events = append(events, ev)
		finite = append(finite, ev.FiniteOperands())
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !value.Equal(got, want) {
		t.Fatalf("traced %v, untraced %v", got, want)
	}
	if nTraced <= nPlain {
		t.Errorf("traced code ran %d instructions, untraced %d", nTraced, nPlain)
	}

	last := map[ir.Pos]TraceEvent{}
	count := map[ir.Pos]int{}
	for _, ev := range events {
		if ev.Pos < 0 {
			t.Errorf("event without position: %+v", ev)
		}
		if ev.Instr == nil || ev.Instr.Pos != ev.Pos || ev.Instr.Op.Info().Name != ev.Op {
			t.Errorf("event %+v does not match its instruction", ev)
		}
		last[ev.Pos] = ev
		count[ev.Pos]++
	}
	if count[10] != 3 || !value.Equal(last[10].Value, value.Real(14)) || last[10].Op != "add" || last[10].Func != "f" {
		t.Errorf("loop add: %d events, last %+v; want 3, the last 14", count[10], last[10])
	}
	if ev := last[10]; len(ev.Args) != 2 || !value.Equal(ev.Args[0], value.Real(5)) || !value.Equal(ev.Args[1], value.Real(9)) {
		t.Errorf("loop add's last operands %v, want [5 9]", ev.Args)
	}
	if ev := last[20]; !value.Equal(ev.Value, value.Array(value.Real(2), value.Real(4), value.Real(6))) || ev.Args != nil {
		t.Errorf("vector add: %+v", ev)
	}
	if ev := last[100]; ev.Func != "g" || ev.Op != "sqrt" || !math.IsNaN(ev.Value.Real()) || len(ev.Args) != 1 || !value.Equal(ev.Args[0], value.Real(-0.25)) {
		t.Errorf("sqrt in g: %+v", ev)
	}
	if ev := last[30]; ev.Func != "f" || ev.Op != "call" || !math.IsNaN(ev.Value.Real()) {
		t.Errorf("call of g: %+v", ev)
	}
	if ev := last[40]; !value.Equal(ev.Value, want) || ev.Op != "tuple" {
		t.Errorf("result tuple: %+v, want %v", ev, want)
	}
	// The sqrt is the first event with a NaN value and finite operands;
	// the call and the tuple have NaN operands or results from it.
	for i, ev := range events {
		if ev.Pos == 100 && !finite[i] {
			t.Errorf("sqrt's operand reported not finite")
		}
		if ev.Pos == 40 && finite[i] {
			t.Errorf("the tuple's operands reported finite")
		}
	}
}

func TestTraceNoPositions(t *testing.T) {
	b := ir.NewBuilder("h", ir.NoPos)
	x := b.Param(ir.Real)
	b.Pos = ir.NoPos
	f := b.Finish(b.Binary(ir.OpMul, x, x))
	c, err := CompileTraced(f)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	v, err := c.Call(context.Background(), []value.Value{value.Real(3)}, &Options{Trace: func(TraceEvent) { n++ }})
	if err != nil || !value.Equal(v, value.Real(9)) || n != 0 {
		t.Errorf("got %v, %v with %d events; want 9 and none", v, err, n)
	}
}
