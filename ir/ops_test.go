package ir

import (
	"math"
	"strings"
	"testing"
)

// TestOpTable checks that every operation has a name, a class and, for
// the scalar Real classes, a Real implementation (OpPolygamma excepted).
func TestOpTable(t *testing.T) {
	for _, op := range Ops() {
		info := op.Info()
		if info.Name == "" || info.Class == ClassNone {
			t.Errorf("op %d has no table entry", op)
		}
		switch info.Class {
		case ClassReal1:
			if info.Real1 == nil && op != OpPolygamma {
				t.Errorf("%v has no Real1", op)
			}
		case ClassReal2:
			if info.Real2 == nil {
				t.Errorf("%v has no Real2", op)
			}
		}
	}
	if numOps.Info().Class != ClassNone || numOps.String() != "op?" {
		t.Errorf("numOps has a table entry")
	}
}

// TestPolygamma compares Polygamma with known values and with finite
// differences of math.Lgamma and of itself.
func TestPolygamma(t *testing.T) {
	const euler = 0.57721566490153286
	for _, c := range []struct {
		n    int64
		x, y float64
	}{
		{0, 1, -euler}, {0, 0.5, -euler - 2*math.Ln2}, {1, 1, math.Pi * math.Pi / 6},
		{1, 0.5, math.Pi * math.Pi / 2}, {2, 1, -2 * 1.2020569031595943},
	} {
		if got := Polygamma(c.n, c.x); math.Abs(got-c.y) > 1e-13*math.Max(1, math.Abs(c.y)) {
			t.Errorf("Polygamma(%d, %v) = %v, want %v", c.n, c.x, got, c.y)
		}
	}
	for _, x := range []float64{0.3, 1.7, 3.5, 12.5, 40, -0.45, -1.35, -7.2} {
		const h = 1e-5
		if got, fd := Polygamma(0, x), (Lgamma(x+h)-Lgamma(x-h))/(2*h); math.Abs(got-fd) > 1e-6*math.Max(1, math.Abs(fd)) {
			t.Errorf("digamma(%v) = %v, finite differences of lgamma give %v", x, got, fd)
		}
		for n := int64(1); n <= 3; n++ {
			fd := (Polygamma(n-1, x+h) - Polygamma(n-1, x-h)) / (2 * h)
			if got := Polygamma(n, x); math.Abs(got-fd) > 1e-5*math.Max(1, math.Abs(fd)) {
				t.Errorf("Polygamma(%d, %v) = %v, finite differences give %v", n, x, got, fd)
			}
		}
	}
	if !math.IsNaN(Polygamma(0, 0)) || !math.IsInf(Polygamma(1, -2), 1) || !math.IsNaN(Polygamma(-1, 1)) {
		t.Errorf("poles: %v %v %v", Polygamma(0, 0), Polygamma(1, -2), Polygamma(-1, 1))
	}
}

// TestVerifyNewOps checks the verifier's class rules on the table's newer
// operations.
func TestVerifyNewOps(t *testing.T) {
	for _, c := range []struct {
		build func(b *Builder, x, n Var) Var
		want  string
	}{
		{func(b *Builder, x, n Var) Var {
			return b.Emit(Real, Instr{Op: OpPolygamma, Args: []Var{x}, I: -1})
		}, "negative order"},
		{func(b *Builder, x, n Var) Var { return b.Emit(Real, Instr{Op: OpToInt, Args: []Var{x}}) }, "result must be Int"},
		{func(b *Builder, x, n Var) Var { return b.Emit(Int, Instr{Op: OpToInt, Args: []Var{n}}) }, "operand must be Real"},
		{func(b *Builder, x, n Var) Var { return b.Emit(Real, Instr{Op: OpBitAnd, Args: []Var{x, x}}) }, "operands must be Int"},
		{func(b *Builder, x, n Var) Var { return b.Emit(Int, Instr{Op: OpHypot, Args: []Var{n, n}}) }, "operands must be Real"},
	} {
		b := NewBuilder("f", 0)
		x, n := b.Param(Real), b.Param(Int)
		f := b.Finish(c.build(b, x, n))
		if err := Verify(f); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error with %q", err, c.want)
		}
	}
}
