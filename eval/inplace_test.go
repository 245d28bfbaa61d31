package eval

import (
	"context"
	"testing"

	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// scatterLoop is a loop over n steps whose state is (a, t), an array and a
// Real: each step reads a[i], stores a[i] + 1 and adds a[i] to t, the
// shape element updates of a var in a for loop lower to. With share set
// the body also keeps the old array alive (it returns it in a second
// array slot), so the update must copy.
func scatterLoop(n int, share bool) *ir.Func {
	b := ir.NewBuilder("scatter", ir.NoPos)
	arr := ir.ArrayOf(n, ir.Real)
	x := b.Param(arr)
	var st *ir.Type
	var init ir.Var
	if share {
		st = ir.TupleOf(arr, ir.Real, arr)
		init = b.Tuple(st, x, b.Real(0), x)
	} else {
		st = ir.TupleOf(arr, ir.Real)
		init = b.Tuple(st, x, b.Real(0))
	}
	out := loop(b, n, init, func(i, s ir.Var) ir.Var {
		a := b.Field(s, 0)
		t := b.Field(s, 1)
		v := b.Index(a, i)
		a2 := emit(b, arr, ir.OpUpdate, a, i, b.Binary(ir.OpAdd, v, b.Real(1)))
		t2 := b.Binary(ir.OpAdd, t, v)
		if share {
			return b.Tuple(st, a2, t2, a)
		}
		return b.Tuple(st, a2, t2)
	})
	sum := b.Binary(ir.OpAdd, b.Field(out, 1), b.Index(b.Field(out, 0), b.Int(int64(n-1))))
	if share {
		sum = b.Binary(ir.OpAdd, sum, b.Index(b.Field(out, 2), b.Int(0)))
	}
	return b.Finish(sum)
}

// bigMoves counts the compiled instructions inside loops that copy at
// least n slots.
func bigMoves(c *Code, n int32) int {
	k, depth := 0, 0
	for _, in := range c.code {
		switch in.op {
		case xIterInit:
			depth++
		case xMovN:
			if in.n >= n && depth > 0 {
				k++
			}
		case xLoopNextN, xLoopNext1:
			if in.e >= n {
				k++
			}
			depth--
		}
	}
	return k
}

// TestInPlaceUpdates checks that an element update of an array nothing
// reads afterwards stores in place, and that a loop's next state is built
// where the state lives, so that a step copies no array. When the old
// array stays alive, the update copies; the results are right either way.
func TestInPlaceUpdates(t *testing.T) {
	const n = 64
	xs := make([]value.Value, n)
	want := 0.0
	for i := range xs {
		xs[i] = value.Real(float64(i))
		want += float64(i)
	}
	for _, share := range []bool{false, true} {
		c, err := Compile(scatterLoop(n, share))
		if err != nil {
			t.Fatal(err)
		}
		moves := bigMoves(c, n)
		if !share && moves != 0 {
			t.Errorf("the loop's step copies the array %d times, want none", moves)
		}
		if share && moves == 0 {
			t.Errorf("with the old array alive, %d copies in the code; the update must copy", moves)
		}
		v, err := c.Call(context.Background(), []value.Value{value.Array(xs...)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		w := want + float64(n-1) + 1
		if share {
			w++ // the last step's old array has element 0 already updated, by step 0
		}
		if v.Real() != w {
			t.Errorf("share=%v: result %v, want %v", share, v.Real(), w)
		}
	}
}

// condScatterLoop is scatterLoop's update made conditional, as `if c {
// a[i] += 1.0 }` on a var lowers: the state is (a, t), and each step's
// next array is an if whose then arm updates a and whose else arm yields
// it unchanged; t counts a[0]. With share set, the step reads the old
// a[0] after the if, so the then arm's update must copy.
func condScatterLoop(n int, share bool) *ir.Func {
	b := ir.NewBuilder("condscatter", ir.NoPos)
	arr := ir.ArrayOf(n, ir.Real)
	one := ir.TupleOf(arr)
	st := ir.TupleOf(arr, ir.Real)
	x := b.Param(arr)
	out := loop(b, n, b.Tuple(st, x, b.Real(0)), func(i, s ir.Var) ir.Var {
		a := b.Field(s, 0)
		t := b.Field(s, 1)
		even := b.Compare(ir.OpEq, b.Binary(ir.OpMod, i, b.Int(2)), b.Int(0))
		r := ifElse(b, one, even, func() ir.Var {
			v := b.Index(a, i)
			return b.Tuple(one, emit(b, arr, ir.OpUpdate, a, i, b.Binary(ir.OpAdd, v, b.Real(1))))
		}, func() ir.Var {
			return b.Tuple(one, a)
		})
		a2 := b.Field(r, 0)
		t2 := b.Binary(ir.OpAdd, t, b.Real(1))
		if share {
			t2 = b.Binary(ir.OpAdd, t, b.Index(a, b.Int(0)))
		}
		return b.Tuple(st, a2, t2)
	})
	sum := b.Binary(ir.OpAdd, b.Field(out, 1), b.Index(b.Field(out, 0), b.Int(0)))
	for k := 1; k < 4; k++ {
		sum = b.Binary(ir.OpAdd, sum, b.Index(b.Field(out, 0), b.Int(int64(k))))
	}
	return b.Finish(sum)
}

// TestInPlaceConditionalUpdates checks that an element update in an if
// arm stores in place when nothing reads the array afterwards (the other
// arm may), and that the if yields into the loop's state: a step copies
// no array, so `for i { if c { a[i] += 1.0 } }` costs O(1) a step, not
// O(n). When the old array is read after the if, the update copies; the
// results are right either way.
func TestInPlaceConditionalUpdates(t *testing.T) {
	const n = 64
	xs := make([]value.Value, n)
	for i := range xs {
		xs[i] = value.Real(float64(10 * i))
	}
	for _, share := range []bool{false, true} {
		c, err := Compile(condScatterLoop(n, share))
		if err != nil {
			t.Fatal(err)
		}
		moves := bigMoves(c, n)
		if !share && moves != 0 {
			t.Errorf("the loop's step copies the array %d times, want none", moves)
		}
		if share && moves == 0 {
			t.Errorf("with the old array read after the if, no copy in the code; the update must copy")
		}
		v, err := c.Call(context.Background(), []value.Value{value.Array(xs...)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		// Elements 0 and 2 get +1 (even steps), 1 and 3 do not.
		w := float64(n) + (0 + 1) + 10 + (20 + 1) + 30
		if share {
			// t sums the old a[0] of every step: 0 at step 0, 1 after.
			w = float64(n-1) + (0 + 1) + 10 + (20 + 1) + 30
		}
		if v.Real() != w {
			t.Errorf("share=%v: result %v, want %v", share, v.Real(), w)
		}
	}
}

// TestInPlaceNestedIfs checks updates in ifs within an if arm, both arms
// updating: each arm's update is in place (an arm already compiled is out
// of scope for the next), the inner if yields into the outer one's
// place, the outer into the state's; a step copies no array.
func TestInPlaceNestedIfs(t *testing.T) {
	const n = 64
	b := ir.NewBuilder("nested", ir.NoPos)
	arr := ir.ArrayOf(n, ir.Real)
	one := ir.TupleOf(arr)
	x := b.Param(arr)
	out := loop(b, n, b.Tuple(one, x), func(i, s ir.Var) ir.Var {
		a := b.Field(s, 0)
		bump := func(by float64) ir.Var {
			return b.Tuple(one, emit(b, arr, ir.OpUpdate, a, i, b.Binary(ir.OpAdd, b.Index(a, i), b.Real(by))))
		}
		r := ifElse(b, one, b.Compare(ir.OpGt, b.Index(x, i), b.Real(10)), func() ir.Var {
			inner := ifElse(b, one, b.Compare(ir.OpGt, b.Index(x, i), b.Real(20)),
				func() ir.Var { return bump(2) }, func() ir.Var { return bump(1) })
			return b.Tuple(one, b.Field(inner, 0))
		}, func() ir.Var { return b.Tuple(one, a) })
		return b.Tuple(one, b.Field(r, 0))
	})
	sum := b.Index(b.Field(out, 0), b.Int(0))
	for k := 1; k < n; k++ {
		sum = b.Binary(ir.OpAdd, sum, b.Index(b.Field(out, 0), b.Int(int64(k))))
	}
	c, err := Compile(b.Finish(sum))
	if err != nil {
		t.Fatal(err)
	}
	if moves := bigMoves(c, n); moves != 0 {
		t.Errorf("the loop's step copies the array %d times, want none", moves)
	}
	xs := make([]value.Value, n)
	want := 0.0
	for i := range xs {
		xs[i] = value.Real(float64(i))
		want += float64(i)
		switch {
		case i > 20:
			want += 2
		case i > 10:
			want++
		}
	}
	v, err := c.Call(context.Background(), []value.Value{value.Array(xs...)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v.Real() != want {
		t.Errorf("result %v, want %v", v.Real(), want)
	}
}
