package eval

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// scan emits the recording loop s = body(i, s), n times from init; its
// result is (states, final).
func scan(b *ir.Builder, n int, init ir.Var, body func(i, s ir.Var) ir.Var) ir.Var {
	st := b.Type(init)
	blk, ps := b.Begin(ir.Int, st)
	b.End(body(ps[0], ps[1]))
	return b.Emit(ir.TupleOf(ir.ArrayOf(n, st), st), ir.Instr{Op: ir.OpScan, N: n, Args: []ir.Var{init}, Blocks: []*ir.Block{blk}})
}

// recurrence builds f(s0, x) = scan n s0 |i, s| { sin(s) * x + real(i) * 0.1 }.
func recurrence(n int) *ir.Func {
	b := ir.NewBuilder("rec", 0)
	s0, x := b.Param(ir.Real), b.Param(ir.Real)
	return b.Finish(scan(b, n, s0, func(i, s ir.Var) ir.Var {
		k := b.Binary(ir.OpMul, emit(b, ir.Real, ir.OpToReal, i), b.Real(0.1))
		return b.Binary(ir.OpAdd, b.Binary(ir.OpMul, b.Unary(ir.OpSin, s), x), k)
	}))
}

func recurrenceGo(n int, s, x float64) value.Value {
	states := make([]value.Value, n)
	for i := range n {
		states[i] = value.Real(s)
		s = float64(math.Sin(s)*x) + float64(float64(i)*0.1)
	}
	return value.Tuple(value.Array(states...), value.Real(s))
}

func TestScanScalar(t *testing.T) {
	for _, n := range []int{0, 1, 2, 50} {
		for _, a := range [][2]float64{{0.3, 1.7}, {-2, 0.5}, {nan, 1}} {
			got := mustCall(t, recurrence(n), value.Real(a[0]), value.Real(a[1]))
			if want := recurrenceGo(n, a[0], a[1]); !value.Equal(got, want) {
				t.Errorf("n=%d %v: got %v, want %v", n, a, got, want)
			}
		}
	}
	// N = 0: no states, the final state is the initial one.
	if got := mustCall(t, recurrence(0), value.Real(4), value.Real(1)); !value.Equal(got, value.Tuple(value.Array(), value.Real(4))) {
		t.Errorf("n=0: got %v", got)
	}
}

// tupleState is the state (a, v, k) of the tuple-state test.
var tupleState = ir.TupleOf(ir.Real, ir.ArrayOf(2, ir.Real), ir.Int)

// tupleScan builds f(x) = scan n (x, [1, x], 0) |i, (a, v, k)| {
// (a + v[0] * v[1], [v[1], a * 0.5], k + i) }.
func tupleScan(n int) *ir.Func {
	b := ir.NewBuilder("tup", 0)
	x := b.Param(ir.Real)
	arr := ir.ArrayOf(2, ir.Real)
	v0 := b.Emit(arr, ir.Instr{Op: ir.OpArray, Args: []ir.Var{b.Real(1), x}})
	init := b.Tuple(tupleState, x, v0, b.Int(0))
	return b.Finish(scan(b, n, init, func(i, s ir.Var) ir.Var {
		a, v, k := b.Field(s, 0), b.Field(s, 1), b.Field(s, 2)
		e0, e1 := b.Index(v, b.Int(0)), b.Index(v, b.Int(1))
		na := b.Binary(ir.OpAdd, a, b.Binary(ir.OpMul, e0, e1))
		nv := b.Emit(arr, ir.Instr{Op: ir.OpArray, Args: []ir.Var{e1, b.Binary(ir.OpMul, a, b.Real(0.5))}})
		return b.Tuple(tupleState, na, nv, b.Binary(ir.OpAdd, k, i))
	}))
}

func tupleScanGo(n int, x float64) value.Value {
	a, v, k := x, [2]float64{1, x}, int64(0)
	val := func() value.Value {
		return value.Tuple(value.Real(a), value.Array(value.Real(v[0]), value.Real(v[1])), value.Int(k))
	}
	states := make([]value.Value, n)
	for i := range n {
		states[i] = val()
		a, v, k = a+float64(v[0]*v[1]), [2]float64{v[1], a * 0.5}, k+int64(i)
	}
	return value.Tuple(value.Array(states...), val())
}

func TestScanTuple(t *testing.T) {
	for _, n := range []int{0, 1, 7, 40} {
		for _, x := range []float64{0.9, -1.1} {
			got := mustCall(t, tupleScan(n), value.Real(x))
			if want := tupleScanGo(n, x); !value.Equal(got, want) {
				t.Errorf("n=%d x=%v:\ngot  %v\nwant %v", n, x, got, want)
			}
		}
	}
}

// TestScanNested runs scans inside a scan, a comprehension and a
// conditional's arm, and bodies yielding their state or an outer value.
func TestScanNested(t *testing.T) {
	const n, m = 4, 3
	st := ir.TupleOf(ir.ArrayOf(m, ir.Real), ir.Real)
	b := ir.NewBuilder("nested", 0)
	x := b.Param(ir.Real)
	p := b.Param(ir.Bool)
	// outer: s = s * 2 + (sum of inner's states), inner = scan m s |j, u| { u + 1 }.
	outer := scan(b, n, x, func(_, s ir.Var) ir.Var {
		in := scan(b, m, s, func(_, u ir.Var) ir.Var { return b.Binary(ir.OpAdd, u, b.Real(1)) })
		sts := b.Field(in, 0)
		sum := b.Real(0)
		for j := range m {
			sum = b.Binary(ir.OpAdd, sum, b.Index(sts, b.Int(int64(j))))
		}
		return b.Binary(ir.OpAdd, b.Binary(ir.OpMul, s, b.Real(2)), sum)
	})
	rows := forLoop(b, 2, st, func(i ir.Var) ir.Var {
		return scan(b, m, emit(b, ir.Real, ir.OpToReal, i), func(_, s ir.Var) ir.Var { return s })
	})
	arm := ifElse(b, st, p, func() ir.Var {
		return scan(b, m, x, func(_, _ ir.Var) ir.Var { return b.Real(9) })
	}, func() ir.Var {
		return b.Emit(st, ir.Instr{Op: ir.OpConst, F: 5})
	})
	f := b.Finish(b.Tuple(ir.TupleOf(b.Type(outer), b.Type(rows), st), outer, rows, arm))

	sx := 0.5
	var states []value.Value
	for range n {
		states = append(states, value.Real(sx))
		sum := 0.0
		for j := range m {
			sum += sx + float64(j)
		}
		sx = sx*2 + sum
	}
	wantOuter := value.Tuple(value.Array(states...), value.Real(sx))
	wantRows := value.Array(value.Tuple(value.Array(value.Real(0), value.Real(0), value.Real(0)), value.Real(0)), value.Tuple(value.Array(value.Real(1), value.Real(1), value.Real(1)), value.Real(1)))
	for _, c := range []struct {
		p   bool
		arm value.Value
	}{
		{true, value.Tuple(value.Array(value.Real(0.5), value.Real(9), value.Real(9)), value.Real(9))},
		{false, value.Tuple(value.Array(value.Real(5), value.Real(5), value.Real(5)), value.Real(5))},
	} {
		got := mustCall(t, f, value.Real(0.5), value.Bool(c.p))
		if want := value.Tuple(wantOuter, wantRows, c.arm); !value.Equal(got, want) {
			t.Errorf("p=%v:\ngot  %v\nwant %v", c.p, got, want)
		}
	}
}

// TestScanRuntimeError reports a failure inside the body at its position.
func TestScanRuntimeError(t *testing.T) {
	b := ir.NewBuilder("pick", 0)
	a := b.Param(ir.ArrayOf(3, ir.Real))
	b.Pos = 7
	r := scan(b, 5, b.Real(0), func(i, s ir.Var) ir.Var {
		b.Pos = 42
		e := b.Index(a, i)
		b.Pos = 7
		return b.Binary(ir.OpAdd, s, e)
	})
	f := b.Finish(r)
	_, err := Call(context.Background(), f, []value.Value{value.Array(value.Real(1), value.Real(2), value.Real(3))}, nil)
	var re *value.RuntimeError
	if !errors.As(err, &re) || re.Msg != "index 3 out of range [0, 3)" || re.Pos != 42 || re.Func != "pick" {
		t.Errorf("got %v", err)
	}
}

// TestScanSteps counts one step per iteration, like OpLoop, and honours
// cancellation.
func TestScanSteps(t *testing.T) {
	code := mustCompile(t, recurrence(10))
	args := []value.Value{value.Real(1), value.Real(1)}
	if _, err := code.Call(context.Background(), args, &Options{MaxSteps: 10}); err != nil {
		t.Errorf("10 steps: %v", err)
	}
	if _, err := code.Call(context.Background(), args, &Options{MaxSteps: 9}); !errors.Is(err, value.ErrStepBudget) {
		t.Errorf("9 steps: %v", err)
	}

	// An empty state records nothing, so a scan can run for ever.
	b := ir.NewBuilder("forever", 0)
	b.Pos = 5
	x := b.Param(ir.Real)
	e := b.Tuple(ir.TupleOf())
	r := scan(b, 1e9, e, func(_, s ir.Var) ir.Var { return s })
	f := b.Finish(b.Tuple(ir.TupleOf(ir.Real, b.Type(r)), x, r))
	code = mustCompile(t, f)
	_, err := code.Call(context.Background(), []value.Value{value.Real(0)}, &Options{MaxSteps: 100000})
	if !errors.Is(err, value.ErrStepBudget) {
		t.Errorf("budget: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = code.Call(ctx, []value.Value{value.Real(0)}, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	if re := err.(*value.RuntimeError); re.Pos != 5 || re.Func != "forever" {
		t.Errorf("got %+v", re)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("cancellation took %v", d)
	}
}

// TestScanAllocs checks that iterations allocate nothing: a call's
// allocations do not grow with the trip count.
func TestScanAllocs(t *testing.T) {
	allocs := func(n int) float64 {
		b := ir.NewBuilder("last", 0)
		x := b.Param(ir.Real)
		init := b.Tuple(tupleState, x, b.Emit(ir.ArrayOf(2, ir.Real), ir.Instr{Op: ir.OpArray, Args: []ir.Var{x, x}}), b.Int(0))
		r := scan(b, n, init, func(i, s ir.Var) ir.Var {
			return b.Tuple(tupleState, b.Binary(ir.OpMul, b.Field(s, 0), x), b.Field(s, 1), i)
		})
		f := b.Finish(b.Field(b.Index(b.Field(r, 0), b.Int(int64(n-1))), 0))
		code := mustCompile(t, f)
		args := []value.Value{value.Real(0.99)}
		ctx := context.Background()
		return testing.AllocsPerRun(20, func() {
			if _, err := code.Call(ctx, args, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
	if a, b := allocs(10), allocs(10000); a != b {
		t.Errorf("allocations grow with the trip count: %v for 10, %v for 10000", a, b)
	}
}
