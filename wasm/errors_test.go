package wasm_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/ad"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
	"github.com/rose-go/rose/wasm"
)

const errSrc = `
fn get(xs: [3]Real, i: Int) -> Real { xs[i] }
fn outer(xs: [3]Real, i: Int) -> Real { get(xs, i) * 2.0 }
fn twice(xs: [3]Real, i: Int) -> Real { outer(xs, i) + 1.0 }
fn divi(a: Int, b: Int) -> Int { a / b }
fn modi(a: Int, b: Int) -> Int { a % b }
fn bounded(x: Real) -> Real { var y = x; while y > 0.0 max 10 { y -= 1.0 }; y }
fn forever(x: Real) -> Real { var y = x; while y > 0.0 { y += 1.0 }; y }
fn count(x: Real) -> Real { var y = x; while y > 0.0 { y -= 1.0 }; y * y }
fn sum(n: Int) -> Real { var s = 0.0; for i in 0..1000 { s += real(i) }; s }
fn toint(x: Real) -> Int { int(x) }
fn shift(a: Int, k: Int) -> [5]Int { [shl(a, k), shr(a, k), band(a, k), bor(a, k), bxor(a, k)] }
fn mix(x: Real, y: Real) -> [8]Real { [min(x, y), max(x, y), abs(x), -x, floor(x), ceil(y), sign(x), sqrt(y)] }
fn shrink(x: Real) -> Real { var y = x; while y > 1.0 { y = sqrt(y) * 0.9 }; y * x }
fn set(xs: [3]Real, i: Int) -> [3]Real { var ys = xs; ys[i] = 1.0; ys }
fn shifted(xs: [3]Real, k: Int) -> Real { var s = 0.0; for i in 0..3 { s += xs[i + k] - xs[2 - i] }; s }
fn ahead(xs: [3]Real, d: Int) -> Real { let ys = [xs[0], xs[1], xs[2], 4.0]; var s = 0.0; for i in 0..3 { s += ys[i + 1] * xs[i + d] - ys[i] }; s }
fn behind(xs: [3]Real) -> Real { var s = 0.0; for i in 0..3 { s += xs[i - 1] }; s }
fn through(xs: [3]Real, n: Int) -> Real { var s = 0.0; for i in 0..4 { if i < n { s += get(xs, i) } }; s }
`

func errProg(t *testing.T) *rose.Program {
	p := rose.Load("err.rose", []byte(errSrc))
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	return p
}

func fn(t *testing.T, p *rose.Program, name string) *ir.Func {
	f, err := p.Func(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f.IR
}

// TestRuntimeErrors checks that failures give the evaluator's message,
// position, function and call stack.
func TestRuntimeErrors(t *testing.T) {
	p := errProg(t)
	xs := value.Array(value.Real(1), value.Real(2), value.Real(3))
	cases := []struct {
		name string
		args []value.Value
		opts *eval.Options
	}{
		{"twice", []value.Value{xs, value.Int(1)}, nil},
		{"twice", []value.Value{xs, value.Int(3)}, nil},
		{"twice", []value.Value{xs, value.Int(-1)}, nil},
		{"set", []value.Value{xs, value.Int(7)}, nil},
		{"shifted", []value.Value{xs, value.Int(0)}, nil},
		{"shifted", []value.Value{xs, value.Int(1)}, nil},
		{"ahead", []value.Value{xs, value.Int(0)}, nil},
		{"ahead", []value.Value{xs, value.Int(1)}, nil},
		{"behind", []value.Value{xs}, nil},
		{"through", []value.Value{xs, value.Int(3)}, nil},
		{"through", []value.Value{xs, value.Int(4)}, nil},
		{"divi", []value.Value{value.Int(7), value.Int(0)}, nil},
		{"divi", []value.Value{value.Int(-1 << 63), value.Int(-1)}, nil},
		{"divi", []value.Value{value.Int(-7), value.Int(2)}, nil},
		{"modi", []value.Value{value.Int(7), value.Int(0)}, nil},
		{"modi", []value.Value{value.Int(-7), value.Int(3)}, nil},
		{"modi", []value.Value{value.Int(-1 << 63), value.Int(-1)}, nil},
		{"bounded", []value.Value{value.Real(9.5)}, nil},
		{"bounded", []value.Value{value.Real(10.5)}, nil},
		{"forever", []value.Value{value.Real(1)}, &eval.Options{MaxSteps: 5000}},
		{"forever", []value.Value{value.Real(1)}, &eval.Options{MaxSteps: 3}},
		{"sum", []value.Value{value.Int(0)}, &eval.Options{MaxSteps: 999}},
		{"sum", []value.Value{value.Int(0)}, &eval.Options{MaxSteps: 1000}},
		{"twice", []value.Value{xs, value.Int(0)}, &eval.Options{MaxSteps: 1}},
		{"twice", []value.Value{xs, value.Int(0)}, &eval.Options{MaxSteps: 2}},
		{"sum", []value.Value{value.Int(0)}, &eval.Options{MaxMemory: 10}},
		{"toint", []value.Value{value.Real(-2.7)}, nil},
		{"toint", []value.Value{value.Real(math.NaN())}, nil},
		{"toint", []value.Value{value.Real(9.3e18)}, nil},
		{"toint", []value.Value{value.Real(-9.223372036854775808e18)}, nil},
		{"shift", []value.Value{value.Int(-3), value.Int(4)}, nil},
		{"shift", []value.Value{value.Int(-3), value.Int(64)}, nil},
		{"shift", []value.Value{value.Int(-3), value.Int(-1)}, nil},
	}
	for _, x := range []float64{math.NaN(), 1, -1, 0, math.Copysign(0, -1), math.Inf(1), 2.5} {
		for _, y := range []float64{math.NaN(), 1, 0, 2.5} {
			cases = append(cases, struct {
				name string
				args []value.Value
				opts *eval.Options
			}{"mix", []value.Value{value.Real(x), value.Real(y)}, nil})
		}
	}
	for _, tc := range cases {
		check(t, tc.name, fn(t, p, tc.name), tc.args, tc.opts)
	}
}

// TestTapeBudget runs the reverse mode of a while loop, which records its
// states on a tape, under memory budgets that the tape exceeds or not.
func TestTapeBudget(t *testing.T) {
	p := errProg(t)
	for _, name := range []string{"count", "shrink"} {
		tapeBudget(t, p, name)
	}
}

func tapeBudget(t *testing.T, p *rose.Program, name string) {
	vjp, err := ad.NewTransformer().VJP(fn(t, p, name))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := eval.Compile(vjp)
	if err != nil {
		t.Fatal(err)
	}
	base := ev.MemoryBytes()
	for _, x := range []float64{0, 3.5, 100.5, 5000.5} {
		for _, budget := range []int64{0, base + 64, base + 800, base + 1<<20} {
			check(t, name+" vjp", vjp, []value.Value{value.Real(x), value.Real(1)}, &eval.Options{MaxMemory: budget})
		}
	}
}

// TestCancel checks cancellation before and during a call.
func TestCancel(t *testing.T) {
	p := errProg(t)
	f := fn(t, p, "forever")
	c, err := wasm.Compile(f)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, werr := eval.Call(ctx, f, []value.Value{value.Real(1)}, nil)
	_, gerr := c.Call(ctx, []value.Value{value.Real(1)}, nil)
	sameErr(t, "cancelled before", werr, gerr)

	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, werr = eval.Call(ctx, f, []value.Value{value.Real(1)}, nil)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	_, gerr = c.Call(ctx2, []value.Value{value.Real(1)}, nil)
	sameErr(t, "cancelled during", werr, gerr)
}

const mathSrc = `
fn m1(x: Real) -> Real {
    exp(x) + log(x) + sin(x) + cos(x) + tan(x) + asin(x * 0.5) + acos(x * 0.5) + atan(x) +
        sinh(x) + cosh(x) + tanh(x) + log1p(x) + expm1(x) + cbrt(x) + erf(x) + lgamma(x) +
        round(x * 3.0) + sign(x - 1.0) + floor(x * 2.0) + ceil(x * 2.0)
}
fn m2(x: Real, y: Real) -> Real { atan2(y, x) + pow(x, y) + hypot(x, y) + min(x, y) * max(x, y) }
`

// TestMath runs every math builtin and its derivatives (polygamma comes
// from lgamma's) in both engines.
func TestMath(t *testing.T) {
	p := rose.Load("math.rose", []byte(mathSrc))
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"m1", "m2"} {
		f := fn(t, p, name)
		vjp, err := ad.NewTransformer().VJP(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range []float64{0.3, 1.7, -0.4, 2.5} {
			args := []value.Value{value.Real(x)}
			if name == "m2" {
				args = append(args, value.Real(x*0.7+0.2))
			}
			check(t, name, f, args, nil)
			check(t, name+" (vjp)", vjp, append(args, value.Real(1)), nil)
		}
	}
}

// TestLogic covers the Bool operations on a hand-built function: (x and
// y, x or y, not x, i >= j, x == y).
func TestLogic(t *testing.T) {
	b := ir.Bool
	tup := ir.TupleOf(b, b, b, b, b)
	f := &ir.Func{
		Name:   "logic",
		Pos:    ir.NoPos,
		Params: []ir.Var{0, 1, 2, 3},
		Types:  []*ir.Type{b, b, ir.Int, ir.Int, b, b, b, b, b, tup},
		Body: &ir.Block{Instrs: []ir.Instr{
			{Dst: 4, Op: ir.OpAnd, Args: []ir.Var{0, 1}, Pos: ir.NoPos},
			{Dst: 5, Op: ir.OpOr, Args: []ir.Var{0, 1}, Pos: ir.NoPos},
			{Dst: 6, Op: ir.OpNot, Args: []ir.Var{0}, Pos: ir.NoPos},
			{Dst: 7, Op: ir.OpGe, Args: []ir.Var{2, 3}, Pos: ir.NoPos},
			{Dst: 8, Op: ir.OpEq, Args: []ir.Var{0, 1}, Pos: ir.NoPos},
			{Dst: 9, Op: ir.OpTuple, Args: []ir.Var{4, 5, 6, 7, 8}, Pos: ir.NoPos},
		}, Result: 9},
	}
	for _, x := range []bool{false, true} {
		for _, y := range []bool{false, true} {
			for _, i := range []int64{-1, 0, 1} {
				check(t, "logic", f, []value.Value{value.Bool(x), value.Bool(y), value.Int(i), value.Int(0)}, nil)
			}
		}
	}
}

// TestTooLargeForMemory: a function whose recorded states cannot fit in
// linear memory fails under a memory budget with the evaluator's error,
// as on the evaluator, instead of failing to compile.
func TestTooLargeForMemory(t *testing.T) {
	src := []byte("fn spin(x: Real) -> Real {\n    var s = x\n    for i in 0..1000000000 { s = s * 0.5 + 1.0 }\n    s\n}\n")
	p := rose.Load("spin.rose", src)
	p.Engine = rose.EngineEval
	f, err := p.Func("spin", nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := f.GradIR()
	if err != nil {
		t.Fatal(err)
	}
	c, err := wasm.Compile(g)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	ev, err := eval.Compile(g)
	if err != nil {
		t.Fatal(err)
	}
	opts := &eval.Options{MaxMemory: 256 << 20}
	args := []value.Value{value.Real(1), value.Real(1)}
	_, werr := c.Call(context.Background(), args, opts)
	_, eerr := ev.Call(context.Background(), args, opts)
	if werr == nil || eerr == nil || werr.Error() != eerr.Error() || !errors.Is(werr, value.ErrMemoryBudget) {
		t.Errorf("compiled: %v\nevaluator: %v", werr, eerr)
	}
}
