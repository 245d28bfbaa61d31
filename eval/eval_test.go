package eval

import (
	"context"
	"errors"
	"math"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/ir/mathx"
	"github.com/rose-go/rose/value"
)

var (
	nan    = math.NaN()
	inf    = math.Inf(1)
	negz   = math.Copysign(0, -1)
	reals  = []float64{0, negz, 1, -1, 0.5, -2.5, 2.5, 3.7, -3.7, 1e300, -1e-300, math.Pi, 100, inf, -inf, nan}
	ints   = []int64{0, 1, -1, 2, -7, 7, 3, 100, math.MaxInt64, math.MinInt64}
	bools  = []bool{false, true}
	goSign = func(x float64) float64 {
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		case x == 0:
			return 0
		}
		return x
	}
)

func TestRealUnary(t *testing.T) {
	for _, c := range []struct {
		op ir.Op
		f  func(float64) float64
	}{
		{ir.OpNeg, func(x float64) float64 { return -x }},
		{ir.OpAbs, math.Abs},
		{ir.OpSqrt, math.Sqrt},
		{ir.OpExp, mathx.Exp},
		{ir.OpLog, mathx.Log},
		{ir.OpSin, mathx.Sin},
		{ir.OpCos, mathx.Cos},
		{ir.OpTan, mathx.Tan},
		{ir.OpAsin, mathx.Asin},
		{ir.OpAcos, mathx.Acos},
		{ir.OpAtan, mathx.Atan},
		{ir.OpSinh, mathx.Sinh},
		{ir.OpCosh, mathx.Cosh},
		{ir.OpTanh, mathx.Tanh},
		{ir.OpFloor, math.Floor},
		{ir.OpCeil, math.Ceil},
		{ir.OpRound, mathx.Round},
		{ir.OpSign, goSign},
	} {
		b := ir.NewBuilder(c.op.String(), 0)
		x := b.Param(ir.Real)
		code := mustCompile(t, b.Finish(b.Unary(c.op, x)))
		for _, x := range reals {
			v, err := code.Call(context.Background(), []value.Value{value.Real(x)}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := c.f(x); v.Kind() != ir.KReal || !sameReal(v.Real(), want) {
				t.Errorf("%v(%v) = %v, want %v", c.op, x, v, want)
			}
		}
	}
	// sign keeps the sign of nothing: sign(-0) is +0.
	if v := mustCall(t, unaryFunc(ir.OpSign, ir.Real), value.Real(negz)); math.Signbit(v.Real()) {
		t.Errorf("sign(-0) = %v", v)
	}
}

func unaryFunc(op ir.Op, typ *ir.Type) *ir.Func {
	b := ir.NewBuilder(op.String(), 0)
	return b.Finish(b.Unary(op, b.Param(typ)))
}

func TestRealBinary(t *testing.T) {
	for _, c := range []struct {
		op ir.Op
		f  func(x, y float64) float64
	}{
		{ir.OpAdd, func(x, y float64) float64 { return x + y }},
		{ir.OpSub, func(x, y float64) float64 { return x - y }},
		{ir.OpMul, func(x, y float64) float64 { return x * y }},
		{ir.OpDiv, func(x, y float64) float64 { return x / y }},
		{ir.OpMin, func(x, y float64) float64 {
			if x < y {
				return x
			}
			return y
		}},
		{ir.OpMax, func(x, y float64) float64 {
			if x > y {
				return x
			}
			return y
		}},
		{ir.OpPow, mathx.Pow},
		{ir.OpAtan2, mathx.Atan2},
	} {
		b := ir.NewBuilder(c.op.String(), 0)
		x, y := b.Param(ir.Real), b.Param(ir.Real)
		code := mustCompile(t, b.Finish(b.Binary(c.op, x, y)))
		for _, x := range reals {
			for _, y := range reals {
				v, err := code.Call(context.Background(), []value.Value{value.Real(x), value.Real(y)}, nil)
				if err != nil {
					t.Fatal(err)
				}
				if want := c.f(x, y); !sameReal(v.Real(), want) {
					t.Errorf("%v(%v, %v) = %v, want %v", c.op, x, y, v, want)
				}
			}
		}
	}
	// The documented NaN behaviour of min and max.
	for _, c := range []struct {
		op   ir.Op
		x, y float64
		want float64
	}{
		{ir.OpMin, nan, 1, 1},
		{ir.OpMin, 1, nan, nan},
		{ir.OpMax, nan, 1, 1},
		{ir.OpMax, 1, nan, nan},
		{ir.OpMin, negz, 0, 0},
		{ir.OpMin, 0, negz, negz},
	} {
		b := ir.NewBuilder("m", 0)
		x, y := b.Param(ir.Real), b.Param(ir.Real)
		v := mustCall(t, b.Finish(b.Binary(c.op, x, y)), value.Real(c.x), value.Real(c.y))
		if !sameReal(v.Real(), c.want) {
			t.Errorf("%v(%v, %v) = %v, want %v", c.op, c.x, c.y, v, c.want)
		}
	}
}

func TestIntOps(t *testing.T) {
	for _, c := range []struct {
		op ir.Op
		f  func(x, y int64) int64 // y unused for unary
	}{
		{ir.OpNeg, func(x, _ int64) int64 { return -x }},
		{ir.OpAbs, func(x, _ int64) int64 {
			if x < 0 {
				return -x
			}
			return x
		}},
		{ir.OpAdd, func(x, y int64) int64 { return x + y }},
		{ir.OpSub, func(x, y int64) int64 { return x - y }},
		{ir.OpMul, func(x, y int64) int64 { return x * y }},
		{ir.OpDiv, func(x, y int64) int64 { return x / y }},
		{ir.OpMod, func(x, y int64) int64 { return x % y }},
		{ir.OpMin, func(x, y int64) int64 { return min(x, y) }},
		{ir.OpMax, func(x, y int64) int64 { return max(x, y) }},
	} {
		b := ir.NewBuilder(c.op.String(), 0)
		x, y := b.Param(ir.Int), b.Param(ir.Int)
		var r ir.Var
		if c.op.Arity() == 1 {
			r = b.Unary(c.op, x)
		} else {
			r = b.Binary(c.op, x, y)
		}
		code := mustCompile(t, b.Finish(r))
		for _, x := range ints {
			for _, y := range ints {
				v, err := code.Call(context.Background(), []value.Value{value.Int(x), value.Int(y)}, nil)
				if (c.op == ir.OpDiv || c.op == ir.OpMod) && y == 0 {
					if err == nil || !regexp.MustCompile(`^integer (division|modulo) by zero`).MatchString(err.Error()) {
						t.Errorf("%v(%d, 0): got %v, %v", c.op, x, v, err)
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if want := c.f(x, y); v.Kind() != ir.KInt || v.Int() != want {
					t.Errorf("%v(%d, %d) = %v, want %d", c.op, x, y, v, want)
				}
			}
		}
	}
}

func TestComparisons(t *testing.T) {
	cmps := []struct {
		op ir.Op
		r  func(x, y float64) bool
		i  func(x, y int64) bool
	}{
		{ir.OpEq, func(x, y float64) bool { return x == y }, func(x, y int64) bool { return x == y }},
		{ir.OpNe, func(x, y float64) bool { return x != y }, func(x, y int64) bool { return x != y }},
		{ir.OpLt, func(x, y float64) bool { return x < y }, func(x, y int64) bool { return x < y }},
		{ir.OpLe, func(x, y float64) bool { return x <= y }, func(x, y int64) bool { return x <= y }},
		{ir.OpGt, func(x, y float64) bool { return x > y }, func(x, y int64) bool { return x > y }},
		{ir.OpGe, func(x, y float64) bool { return x >= y }, func(x, y int64) bool { return x >= y }},
	}
	for _, c := range cmps {
		b := ir.NewBuilder("r", 0)
		x, y := b.Param(ir.Real), b.Param(ir.Real)
		rc := mustCompile(t, b.Finish(b.Compare(c.op, x, y)))
		b = ir.NewBuilder("i", 0)
		p, q := b.Param(ir.Int), b.Param(ir.Int)
		ic := mustCompile(t, b.Finish(b.Compare(c.op, p, q)))
		for _, x := range reals {
			for _, y := range reals {
				v, _ := rc.Call(context.Background(), []value.Value{value.Real(x), value.Real(y)}, nil)
				if v.Kind() != ir.KBool || v.Bool() != c.r(x, y) {
					t.Errorf("%v(%v, %v) = %v", c.op, x, y, v)
				}
			}
		}
		for _, x := range ints {
			for _, y := range ints {
				v, _ := ic.Call(context.Background(), []value.Value{value.Int(x), value.Int(y)}, nil)
				if v.Bool() != c.i(x, y) {
					t.Errorf("%v(%v, %v) = %v", c.op, x, y, v)
				}
			}
		}
	}
}

func TestBoolOps(t *testing.T) {
	for _, c := range []struct {
		op ir.Op
		f  func(x, y bool) bool
	}{
		{ir.OpAnd, func(x, y bool) bool { return x && y }},
		{ir.OpOr, func(x, y bool) bool { return x || y }},
		{ir.OpEq, func(x, y bool) bool { return x == y }},
		{ir.OpNe, func(x, y bool) bool { return x != y }},
		{ir.OpNot, func(x, _ bool) bool { return !x }},
	} {
		b := ir.NewBuilder(c.op.String(), 0)
		x, y := b.Param(ir.Bool), b.Param(ir.Bool)
		var r ir.Var
		if c.op == ir.OpNot {
			r = b.Unary(c.op, x)
		} else {
			r = b.Compare(c.op, x, y)
		}
		code := mustCompile(t, b.Finish(r))
		for _, x := range bools {
			for _, y := range bools {
				v, err := code.Call(context.Background(), []value.Value{value.Bool(x), value.Bool(y)}, nil)
				if err != nil || v.Kind() != ir.KBool || v.Bool() != c.f(x, y) {
					t.Errorf("%v(%v, %v) = %v, %v", c.op, x, y, v, err)
				}
			}
		}
	}
}

func TestConstAndToReal(t *testing.T) {
	b := ir.NewBuilder("c", 0)
	n := b.Param(ir.Int)
	tt := ir.TupleOf(ir.Real, ir.Int, ir.Bool, ir.Bool, ir.Real, ir.Real)
	r := b.Tuple(tt, b.Real(-1.25), b.Int(math.MinInt64), b.Bool(true), b.Bool(false),
		emit(b, ir.Real, ir.OpToReal, n), b.Real(nan))
	v := mustCall(t, b.Finish(r), value.Int(1<<53+1))
	want := value.Tuple(value.Real(-1.25), value.Int(math.MinInt64), value.Bool(true), value.Bool(false), value.Real(float64(int64(1<<53+1))), value.Real(nan))
	if !value.Equal(v, want) {
		t.Errorf("got %v, want %v", v, want)
	}
}

// TestIfTakenBranchOnly checks that the untaken arm, which would fail, does
// not run, and that nested ifs select correctly.
func TestIfTakenBranchOnly(t *testing.T) {
	b := ir.NewBuilder("pick", 100)
	a := b.Param(ir.ArrayOf(3, ir.Real))
	i := b.Param(ir.Int)
	c := b.Param(ir.Bool)
	r := ifElse(b, ir.Real, c,
		func() ir.Var { return b.Index(a, b.Int(0)) },
		func() ir.Var {
			b.Pos = 142
			return b.Index(a, i)
		})
	f := b.Finish(r)
	arr := value.Array(value.Real(1), value.Real(2), value.Real(3))
	if v := mustCall(t, f, arr, value.Int(5), value.Bool(true)); v.Real() != 1 {
		t.Errorf("then arm: got %v", v)
	}
	if v := mustCall(t, f, arr, value.Int(2), value.Bool(false)); v.Real() != 3 {
		t.Errorf("else arm: got %v", v)
	}
	_, err := Call(context.Background(), f, []value.Value{arr, value.Int(5), value.Bool(false)}, nil)
	var re *value.RuntimeError
	if !errors.As(err, &re) || re.Msg != "index 5 out of range [0, 3)" || re.Pos != 142 || re.Func != "pick" || len(re.Stack) != 0 {
		t.Errorf("got %#v", err)
	}
	_, err = Call(context.Background(), f, []value.Value{arr, value.Int(-1), value.Bool(false)}, nil)
	if err == nil || err.Error() != "index -1 out of range [0, 3) (in pick at offset 142)" {
		t.Errorf("got %v", err)
	}

	// Nested ifs whose results alias the outer destination, aggregate typed.
	b = ir.NewBuilder("nested", 0)
	x := b.Param(ir.Int)
	pt := ir.TupleOf(ir.Int, ir.Real)
	zero := b.Int(0)
	r = ifElse(b, pt, b.Compare(ir.OpLt, x, zero),
		func() ir.Var { return b.Tuple(pt, b.Int(-1), b.Real(-1)) },
		func() ir.Var {
			return ifElse(b, pt, b.Compare(ir.OpEq, x, zero),
				func() ir.Var { return b.Tuple(pt, zero, b.Real(0)) },
				func() ir.Var { return b.Tuple(pt, x, emit(b, ir.Real, ir.OpToReal, x)) })
		})
	f = b.Finish(b.Tuple(ir.TupleOf(pt, ir.Int), r, x))
	for _, c := range []struct {
		x    int64
		want value.Value
	}{
		{-5, value.Tuple(value.Tuple(value.Int(-1), value.Real(-1)), value.Int(-5))},
		{0, value.Tuple(value.Tuple(value.Int(0), value.Real(0)), value.Int(0))},
		{7, value.Tuple(value.Tuple(value.Int(7), value.Real(7)), value.Int(7))},
	} {
		if v := mustCall(t, f, value.Int(c.x)); !value.Equal(v, c.want) {
			t.Errorf("nested(%d) = %v, want %v", c.x, v, c.want)
		}
	}
}

func TestForAndIndex(t *testing.T) {
	// squares[i] = i*i for i in 0..5; pairs[i] = (a[i], i); then pick
	// element k of each and an empty comprehension.
	b := ir.NewBuilder("for", 0)
	a := b.Param(ir.ArrayOf(5, ir.Real))
	k := b.Param(ir.Int)
	sq := forLoop(b, 5, ir.Int, func(i ir.Var) ir.Var { return b.Binary(ir.OpMul, i, i) })
	pt := ir.TupleOf(ir.Real, ir.Int)
	pairs := forLoop(b, 5, pt, func(i ir.Var) ir.Var { return b.Tuple(pt, b.Index(a, i), i) })
	empty := forLoop(b, 0, ir.Real, func(i ir.Var) ir.Var { return b.Index(a, i) })
	grid := forLoop(b, 3, ir.ArrayOf(2, ir.Int), func(i ir.Var) ir.Var {
		return forLoop(b, 2, ir.Int, func(j ir.Var) ir.Var { return b.Binary(ir.OpAdd, b.Binary(ir.OpMul, i, b.Int(10)), j) })
	})
	res := ir.TupleOf(b.Type(sq), b.Type(pairs), b.Type(empty), pt, b.Type(grid), ir.ArrayOf(2, ir.Int))
	f := b.Finish(b.Tuple(res, sq, pairs, empty, b.Index(pairs, k), grid, b.Index(grid, b.Int(2))))

	arr := value.Array(value.Real(0.5), value.Real(1.5), value.Real(2.5), value.Real(3.5), value.Real(4.5))
	v := mustCall(t, f, arr, value.Int(3))
	want := value.Tuple(
		value.Array(value.Int(0), value.Int(1), value.Int(4), value.Int(9), value.Int(16)),
		value.Array(value.Tuple(value.Real(0.5), value.Int(0)), value.Tuple(value.Real(1.5), value.Int(1)), value.Tuple(value.Real(2.5), value.Int(2)), value.Tuple(value.Real(3.5), value.Int(3)), value.Tuple(value.Real(4.5), value.Int(4))),
		value.Array(),
		value.Tuple(value.Real(3.5), value.Int(3)),
		value.Array(value.Array(value.Int(0), value.Int(1)), value.Array(value.Int(10), value.Int(11)), value.Array(value.Int(20), value.Int(21))),
		value.Array(value.Int(20), value.Int(21)),
	)
	if !value.Equal(v, want) {
		t.Errorf("got  %v\nwant %v", v, want)
	}
	_, err := Call(context.Background(), f, []value.Value{arr, value.Int(5)}, nil)
	if err == nil || err.(*value.RuntimeError).Msg != "index 5 out of range [0, 5)" {
		t.Errorf("got %v", err)
	}
}

// projectile builds a 1000-step simulation of a projectile with quadratic
// drag, with state (pos [2]Real, vel [2]Real) named Ball.
var ballType = &ir.Type{Kind: ir.KTuple, Elems: []*ir.Type{ir.ArrayOf(2, ir.Real), ir.ArrayOf(2, ir.Real)},
	Name: "Ball", Fields: []string{"pos", "vel"}}

func projectile(steps int) *ir.Func {
	b := ir.NewBuilder("projectile", 0)
	init := b.Param(ballType)
	k := b.Param(ir.Real)
	dt := b.Real(0.001)
	g := b.Real(9.81)
	v2 := ir.ArrayOf(2, ir.Real)
	r := loop(b, steps, init, func(_, s ir.Var) ir.Var {
		pos, vel := b.Field(s, 0), b.Field(s, 1)
		i0, i1 := b.Int(0), b.Int(1)
		x, y := b.Index(pos, i0), b.Index(pos, i1)
		vx, vy := b.Index(vel, i0), b.Index(vel, i1)
		speed := b.Unary(ir.OpSqrt, b.Binary(ir.OpAdd, b.Binary(ir.OpMul, vx, vx), b.Binary(ir.OpMul, vy, vy)))
		kv := b.Binary(ir.OpMul, k, speed)
		ax := b.Unary(ir.OpNeg, b.Binary(ir.OpMul, kv, vx))
		ay := b.Binary(ir.OpSub, b.Unary(ir.OpNeg, g), b.Binary(ir.OpMul, kv, vy))
		nvx := b.Binary(ir.OpAdd, vx, b.Binary(ir.OpMul, ax, dt))
		nvy := b.Binary(ir.OpAdd, vy, b.Binary(ir.OpMul, ay, dt))
		nx := b.Binary(ir.OpAdd, x, b.Binary(ir.OpMul, nvx, dt))
		ny := b.Binary(ir.OpAdd, y, b.Binary(ir.OpMul, nvy, dt))
		npos := b.Emit(v2, ir.Instr{Op: ir.OpArray, Args: []ir.Var{nx, ny}})
		nvel := b.Emit(v2, ir.Instr{Op: ir.OpArray, Args: []ir.Var{nvx, nvy}})
		return b.Tuple(ballType, npos, nvel)
	})
	return b.Finish(r)
}

// projectileGo is projectile in Go; the explicit conversions forbid fused
// multiply-adds, which the IR does not have.
func projectileGo(steps int, x, y, vx, vy, k float64) (float64, float64, float64, float64) {
	const dt, g = 0.001, 9.81
	for range steps {
		speed := math.Sqrt(float64(vx*vx) + float64(vy*vy))
		kv := k * speed
		ax := -float64(kv * vx)
		ay := -g - float64(kv*vy)
		vx = vx + float64(ax*dt)
		vy = vy + float64(ay*dt)
		x = x + float64(vx*dt)
		y = y + float64(vy*dt)
	}
	return x, y, vx, vy
}

func TestLoopProjectile(t *testing.T) {
	f := projectile(1000)
	init := value.Tuple(value.Array(value.Real(0), value.Real(1)), value.Array(value.Real(10), value.Real(12)))
	v := mustCall(t, f, init, value.Real(0.05))
	x, y, vx, vy := projectileGo(1000, 0, 1, 10, 12, 0.05)
	want := value.Tuple(value.Array(value.Real(x), value.Real(y)), value.Array(value.Real(vx), value.Real(vy)))
	if !value.Equal(v, want) {
		t.Errorf("got  %v\nwant %v", value.Format(v, ballType), value.Format(want, ballType))
	}
	// A zero-trip loop yields its initial state.
	if v := mustCall(t, projectile(0), init, value.Real(0.05)); !value.Equal(v, init) {
		t.Errorf("zero steps: got %v", v)
	}
}

func TestLoopScalarAndIndex(t *testing.T) {
	// sum of i*x for i in 0..n, with the index used in the body, and a
	// loop whose body yields its state unchanged.
	b := ir.NewBuilder("sum", 0)
	x := b.Param(ir.Real)
	s := loop(b, 10, b.Real(0), func(i, s ir.Var) ir.Var {
		return b.Binary(ir.OpAdd, s, b.Binary(ir.OpMul, emit(b, ir.Real, ir.OpToReal, i), x))
	})
	same := loop(b, 3, x, func(_, s ir.Var) ir.Var { return s })
	outer := loop(b, 4, x, func(_, _ ir.Var) ir.Var { return x })
	f := b.Finish(b.Tuple(ir.TupleOf(ir.Real, ir.Real, ir.Real), s, same, outer))
	v := mustCall(t, f, value.Real(2))
	if !value.Equal(v, value.Tuple(value.Real(90), value.Real(2), value.Real(2))) {
		t.Errorf("got %v", v)
	}
}

// calls builds leaf(a, i) = a[i] * 2, mid(a, i) = (leaf(a, i) + 1, i) at
// position 30 and top(a) = loop summing mid(a, j).0 over j with the call at
// position 50, plus a fixed call mid(a, 4) at position 60.
func calls() (leaf, mid, top *ir.Func) {
	arr := ir.ArrayOf(3, ir.Real)
	b := ir.NewBuilder("leaf", 0)
	a, i := b.Param(arr), b.Param(ir.Int)
	b.Pos = 10
	leaf = b.Finish(b.Binary(ir.OpMul, b.Index(a, i), b.Real(2)))

	b = ir.NewBuilder("mid", 0)
	a, i = b.Param(arr), b.Param(ir.Int)
	b.Pos = 30
	l := b.Call(leaf, a, i)
	mt := ir.TupleOf(ir.Real, ir.Int)
	mid = b.Finish(b.Tuple(mt, b.Binary(ir.OpAdd, l, b.Real(1)), i))

	b = ir.NewBuilder("top", 0)
	a = b.Param(arr)
	n := b.Param(ir.Int)
	s := loop(b, 3, b.Real(0), func(j, s ir.Var) ir.Var {
		b.Pos = 50
		m := b.Call(mid, a, j)
		b.Pos = 0
		return b.Binary(ir.OpAdd, s, b.Field(m, 0))
	})
	b.Pos = 60
	m := b.Call(mid, a, n)
	top = b.Finish(b.Binary(ir.OpAdd, s, b.Field(m, 0)))
	return
}

func TestCalls(t *testing.T) {
	_, _, top := calls()
	a := value.Array(value.Real(1), value.Real(2), value.Real(3))
	// loop: (2+1) + (4+1) + (6+1) = 15; plus mid(a, 1) = 5.
	if v := mustCall(t, top, a, value.Int(1)); v.Real() != 20 {
		t.Errorf("got %v", v)
	}
	_, err := Call(context.Background(), top, []value.Value{a, value.Int(4)}, nil)
	var re *value.RuntimeError
	if !errors.As(err, &re) {
		t.Fatalf("got %v", err)
	}
	want := value.RuntimeError{Msg: "index 4 out of range [0, 3)", Pos: 10, Func: "leaf",
		Stack: []value.Frame{{Func: "mid", Pos: 30}, {Func: "top", Pos: 60}}}
	if re.Msg != want.Msg || re.Pos != want.Pos || re.Func != want.Func || len(re.Stack) != 2 ||
		re.Stack[0] != want.Stack[0] || re.Stack[1] != want.Stack[1] {
		t.Errorf("got %+v", re)
	}
	if got := err.Error(); got != "index 4 out of range [0, 3) (in leaf at offset 10, called from mid at offset 30, called from top at offset 60)" {
		t.Errorf("message %q", got)
	}
}

func TestCallAggregates(t *testing.T) {
	// swap((x, [a, b])) = ([b, a], x), called twice in a row so that the
	// callee frame is reused.
	in := ir.TupleOf(ir.Int, ir.ArrayOf(2, ir.Real))
	out := ir.TupleOf(ir.ArrayOf(2, ir.Real), ir.Int)
	b := ir.NewBuilder("swap", 0)
	p := b.Param(in)
	arr := b.Field(p, 1)
	sw := b.Emit(ir.ArrayOf(2, ir.Real), ir.Instr{Op: ir.OpArray, Args: []ir.Var{b.Index(arr, b.Int(1)), b.Index(arr, b.Int(0))}})
	swap := b.Finish(b.Tuple(out, sw, b.Field(p, 0)))

	b = ir.NewBuilder("twice", 0)
	p = b.Param(in)
	r1 := b.Call(swap, p)
	r2 := b.Call(swap, b.Tuple(in, b.Field(r1, 1), b.Field(r1, 0)))
	f := b.Finish(b.Tuple(ir.TupleOf(out, out), r1, r2))
	v := mustCall(t, f, value.Tuple(value.Int(7), value.Array(value.Real(1), value.Real(2))))
	want := value.Tuple(value.Tuple(value.Array(value.Real(2), value.Real(1)), value.Int(7)), value.Tuple(value.Array(value.Real(1), value.Real(2)), value.Int(7)))
	if !value.Equal(v, want) {
		t.Errorf("got %v", v)
	}
}

func TestCancel(t *testing.T) {
	b := ir.NewBuilder("forever", 0)
	b.Pos = 5
	x := b.Param(ir.Real)
	f := b.Finish(loop(b, 1e9, x, func(_, s ir.Var) ir.Var { return b.Binary(ir.OpAdd, s, b.Real(1)) }))
	code := mustCompile(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := code.Call(ctx, []value.Value{value.Real(0)}, nil)
	elapsed := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	if re := err.(*value.RuntimeError); re.Pos != 5 || re.Func != "forever" {
		t.Errorf("got %+v", re)
	}
	if elapsed > time.Second {
		t.Errorf("cancellation took %v", elapsed)
	}
	// An already cancelled context stops the call before it starts.
	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	if _, err := code.Call(cctx, []value.Value{value.Real(0)}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v", err)
	}
}

func TestMaxSteps(t *testing.T) {
	_, _, top := calls() // 3 iterations, 3+1 calls of mid, 3+1 calls of leaf
	code := mustCompile(t, top)
	a := value.Array(value.Real(1), value.Real(2), value.Real(3))
	args := []value.Value{a, value.Int(0)}
	if _, err := code.Call(context.Background(), args, &Options{MaxSteps: 11}); err != nil {
		t.Errorf("11 steps: %v", err)
	}
	_, err := code.Call(context.Background(), args, &Options{MaxSteps: 10})
	if !errors.Is(err, value.ErrStepBudget) || !regexp.MustCompile(`^step budget of 10 exceeded \(in `).MatchString(err.Error()) {
		t.Errorf("10 steps: %v", err)
	}
	// A long loop stops at the budget, past the first context check.
	b := ir.NewBuilder("long", 0)
	x := b.Param(ir.Real)
	f := b.Finish(loop(b, 1e9, x, func(_, s ir.Var) ir.Var { return s }))
	_, err = Call(context.Background(), f, []value.Value{value.Real(0)}, &Options{MaxSteps: 100000})
	if !errors.Is(err, value.ErrStepBudget) {
		t.Errorf("got %v", err)
	}
	if _, err := Call(context.Background(), projectile(10), []value.Value{value.Tuple(value.Array(value.Real(0), value.Real(0)), value.Array(value.Real(0), value.Real(0))), value.Real(0)},
		&Options{MaxSteps: 10}); err != nil {
		t.Errorf("exact budget: %v", err)
	}
}

func TestCallArgs(t *testing.T) {
	code := mustCompile(t, projectile(1))
	for _, c := range []struct {
		args []value.Value
		want string
	}{
		{nil, `^projectile: want 2 arguments, got 0$`},
		{[]value.Value{value.Real(1), value.Real(1)}, `^projectile: argument 1: expected Ball, got Real$`},
		{[]value.Value{value.Tuple(value.Array(value.Real(0)), value.Array(value.Real(0), value.Real(0))), value.Real(1)}, `argument 1: \[0\]: expected \[2\]Real, got 1 elements`},
		{[]value.Value{value.Tuple(value.Array(value.Real(0), value.Int(0)), value.Array(value.Real(0), value.Real(0))), value.Real(1)}, `argument 1: \[0\]: \[1\]: expected Real, got Int`},
	} {
		_, err := code.Call(context.Background(), c.args, nil)
		if err == nil || !regexp.MustCompile(c.want).MatchString(err.Error()) {
			t.Errorf("%v: got %v, want %s", c.args, err, c.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	b := ir.NewBuilder("bad", 0)
	x := b.Param(ir.Real)
	f := b.Finish(b.Binary(ir.OpAdd, x, b.Int(1)))
	if _, err := Compile(f); err == nil || !regexp.MustCompile(`invalid IR:\nfn bad: .*different types`).MatchString(err.Error()) {
		t.Errorf("got %v", err)
	}
	// Indirect recursion: f calls g calls f.
	b = ir.NewBuilder("g", 0)
	y := b.Param(ir.Real)
	g := b.Finish(b.Call(projectile(0), y, y)) // placeholder callee, replaced below
	b = ir.NewBuilder("f", 0)
	z := b.Param(ir.Real)
	f = b.Finish(b.Call(g, z))
	g.Body.Instrs[0] = ir.Instr{Dst: 1, Op: ir.OpCall, Callee: f, Args: []ir.Var{y}}
	if _, err := Compile(f); err == nil || !regexp.MustCompile(`f is recursive`).MatchString(err.Error()) {
		t.Errorf("got %v", err)
	}
	if _, err := Compile(nil); err == nil {
		t.Errorf("nil compiled")
	}
	b = ir.NewBuilder("huge", 0)
	b.Param(ir.ArrayOf(1<<20, ir.ArrayOf(1<<20, ir.Real)))
	if _, err := Compile(b.Finish(0)); err == nil || !regexp.MustCompile(`too large`).MatchString(err.Error()) {
		t.Errorf("got %v", err)
	}
}

func TestConcurrentCalls(t *testing.T) {
	code := mustCompile(t, projectile(200))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 20 {
				k := float64(g*20+j) / 100
				v, err := code.Call(context.Background(), []value.Value{value.Tuple(value.Array(value.Real(0), value.Real(0)), value.Array(value.Real(3), value.Real(4))), value.Real(k)}, nil)
				x, y, vx, vy := projectileGo(200, 0, 0, 3, 4, k)
				if err != nil || !value.Equal(v, value.Tuple(value.Array(value.Real(x), value.Real(y)), value.Array(value.Real(vx), value.Real(vy)))) {
					t.Errorf("k=%v: %v, %v", k, v, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
