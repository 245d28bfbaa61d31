package eval

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// TestToInt checks int(x): truncation toward zero as Go's int64(x), and a
// runtime error for NaN, infinities and values out of range.
func TestToInt(t *testing.T) {
	b := ir.NewBuilder("toint", 0)
	x := b.Param(ir.Real)
	code := mustCompile(t, b.Finish(b.Emit(ir.Int, ir.Instr{Op: ir.OpToInt, Args: []ir.Var{x}})))
	for _, x := range []float64{0, 2.7, -2.7, 1e18, -9.223372036854775808e18, 0.5, -0.5} {
		v, err := code.Call(context.Background(), []value.Value{value.Real(x)}, nil)
		if err != nil || v.Int() != int64(x) {
			t.Errorf("int(%v) = %v, %v; want %d", x, v, err, int64(x))
		}
	}
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), 9.223372036854775807e18, -1e19} {
		if _, err := code.Call(context.Background(), []value.Value{value.Real(x)}, nil); err == nil || !strings.Contains(err.Error(), "out of the range of Int") {
			t.Errorf("int(%v): got error %v", x, err)
		}
	}
}

// TestBitOps checks the bit operations against Go's, and the shift count
// error.
func TestBitOps(t *testing.T) {
	ints := []int64{0, 1, -1, 12, 10, -13, math.MaxInt64, math.MinInt64, 63, 64}
	for _, c := range []struct {
		op ir.Op
		f  func(x, y int64) int64
	}{
		{ir.OpBitAnd, func(x, y int64) int64 { return x & y }},
		{ir.OpBitOr, func(x, y int64) int64 { return x | y }},
		{ir.OpBitXor, func(x, y int64) int64 { return x ^ y }},
		{ir.OpShl, func(x, y int64) int64 { return x << y }},
		{ir.OpShr, func(x, y int64) int64 { return x >> y }},
	} {
		b := ir.NewBuilder(c.op.String(), 0)
		x, y := b.Param(ir.Int), b.Param(ir.Int)
		code := mustCompile(t, b.Finish(b.Binary(c.op, x, y)))
		for _, x := range ints {
			for _, y := range ints {
				v, err := code.Call(context.Background(), []value.Value{value.Int(x), value.Int(y)}, nil)
				if (c.op == ir.OpShl || c.op == ir.OpShr) && (y < 0 || y > 63) {
					if err == nil || !strings.Contains(err.Error(), "shift count") {
						t.Errorf("%v(%d, %d): got %v, %v", c.op, x, y, v, err)
					}
					continue
				}
				if err != nil || v.Int() != c.f(x, y) {
					t.Errorf("%v(%d, %d) = %v, %v; want %d", c.op, x, y, v, err, c.f(x, y))
				}
			}
		}
	}
}

// TestTableOps runs every Real operation of the op table, whether the
// evaluator has an opcode of its own for it or runs the table's function,
// and compares it with the table's function (for the dedicated opcodes, an
// independent implementation) at ordinary and special values.
func TestTableOps(t *testing.T) {
	vals := []float64{0, math.Copysign(0, -1), -1, 0.5, 2.5, -3.75, math.Inf(1), math.Inf(-1), math.NaN()}
	n := 0
	for _, op := range ir.Ops() {
		info := op.Info()
		if info.Real1 == nil && info.Real2 == nil {
			continue
		}
		n++
		b := ir.NewBuilder(op.String(), 0)
		args := make([]ir.Var, op.Arity())
		for i := range args {
			args[i] = b.Param(ir.Real)
		}
		code := mustCompile(t, b.Finish(b.Emit(ir.Real, ir.Instr{Op: op, Args: args})))
		for _, x := range vals {
			for _, y := range vals {
				in := []value.Value{value.Real(x), value.Real(y)}[:op.Arity()]
				v, err := code.Call(context.Background(), in, nil)
				var want float64
				if info.Real1 != nil {
					want = info.Real1(x)
				} else {
					want = info.Real2(x, y)
				}
				got := v.Real()
				if err != nil || !(math.Float64bits(got) == math.Float64bits(want) || math.IsNaN(want) && math.IsNaN(got)) {
					t.Errorf("%v(%v, %v) = %v, %v; the op table gives %v", op, x, y, v, err, want)
				}
			}
		}
	}
	if n < 30 {
		t.Errorf("only %d Real operations in the op table", n)
	}
}
