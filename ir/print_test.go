package ir

import (
	"math"
	"strings"
	"testing"
)

// buildNorm builds the running example: sum of squares of a [2]Real plus a
// comprehension and a conditional, exercising every printed form.
func buildNorm() *Func {
	b := NewBuilder("norm[2]", 0)
	x := b.Param(ArrayOf(2, Real))
	i0 := b.Int(0)
	x0 := b.Index(x, i0)
	sq := b.Binary(OpMul, x0, x0)

	blk, ps := b.Begin(Int)
	xi := b.Index(x, ps[0])
	b.End(b.Binary(OpAdd, xi, sq))
	arr := b.Emit(ArrayOf(2, Real), Instr{Op: OpFor, N: 2, Blocks: []*Block{blk}})

	zero := b.Real(0)
	pos := b.Compare(OpGt, sq, zero)
	thn, _ := b.Begin()
	b.End(b.Unary(OpSqrt, sq))
	els, _ := b.Begin()
	b.End(b.Real(1.5e-300))
	r := b.Emit(Real, Instr{Op: OpIf, Args: []Var{pos}, Blocks: []*Block{thn, els}})

	st := TupleOf(Real, Int)
	init := b.Tuple(st, r, i0)
	body, lp := b.Begin(Int, st)
	f0 := b.Field(lp[1], 0)
	b.End(b.Tuple(st, b.Binary(OpAdd, f0, f0), lp[0]))
	res := b.Emit(st, Instr{Op: OpLoop, N: 3, Args: []Var{init}, Blocks: []*Block{body}})
	_ = arr
	return b.Finish(b.Field(res, 0))
}

func TestPrintFunc(t *testing.T) {
	f := buildNorm()
	want := `fn norm[2](%0: [2]Real) -> Real {
  %1: Int = const 0
  %2: Real = index %0 %1
  %3: Real = mul %2 %2
  %7: [2]Real = for 2 |%4: Int| {
    %5: Real = index %0 %4
    %6: Real = add %5 %3
    yield %6
  }
  %8: Real = const 0
  %9: Bool = gt %3 %8
  %12: Real = if %9 {
    %10: Real = sqrt %3
    yield %10
  } else {
    %11: Real = const 1.5e-300
    yield %11
  }
  %13: (Real, Int) = tuple %12 %1
  %19: (Real, Int) = loop 3 %13 |%14: Int, %15: (Real, Int)| {
    %16: Real = field %15 0
    %17: Real = add %16 %16
    %18: (Real, Int) = tuple %17 %14
    yield %18
  }
  %20: Real = field %19 0
  yield %20
}
`
	got := f.String()
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if err := Verify(f); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

func TestPrintProgram(t *testing.T) {
	b := NewBuilder("sq", 0)
	x := b.Param(Real)
	sq := b.Finish(b.Binary(OpMul, x, x))

	b = NewBuilder("main", 0)
	y := b.Param(Int)
	yr := b.Emit(Real, Instr{Op: OpToReal, Args: []Var{y}})
	c := b.Call(sq, yr)
	t1 := b.Bool(true)
	t2 := b.Bool(false)
	_ = b.Binary(OpAnd, t1, t2)
	_ = b.Real(math.Inf(-1))
	_ = b.Real(1)
	pt := &Type{Kind: KTuple, Elems: []*Type{Real, Real}, Name: "Point", Fields: []string{"x", "y"}}
	_ = b.Tuple(pt, c, c)
	mainF := b.Finish(c)

	p := &Program{Funcs: []*Func{sq, mainF}}
	want := `fn sq(%0: Real) -> Real {
  %1: Real = mul %0 %0
  yield %1
}

fn main(%0: Int) -> Real {
  %1: Real = toreal %0
  %2: Real = call sq %1
  %3: Bool = const true
  %4: Bool = const false
  %5: Bool = and %3 %4
  %6: Real = const -Inf
  %7: Real = const 1
  %8: Point = tuple %2 %2
  yield %2
}
`
	if got := p.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if err := VerifyProgram(p); err != nil {
		t.Errorf("VerifyProgram: %v", err)
	}
}

func TestTypeString(t *testing.T) {
	for _, c := range []struct {
		t    *Type
		want string
	}{
		{Real, "Real"},
		{Int, "Int"},
		{Bool, "Bool"},
		{ArrayOf(2, Real), "[2]Real"},
		{ArrayOf(3, ArrayOf(0, Int)), "[3][0]Int"},
		{TupleOf(Real, Int), "(Real, Int)"},
		{TupleOf(), "()"},
		{&Type{Kind: KTuple, Elems: []*Type{Real}, Name: "Ball", Fields: []string{"r"}}, "Ball"},
		{ArrayOf(2, &Type{Kind: KTuple, Name: "P"}), "[2]P"},
		{nil, "<nil>"},
		{&Type{Kind: 9}, "kind9?"},
	} {
		if got := c.t.String(); got != c.want {
			t.Errorf("%#v: got %q, want %q", c.t, got, c.want)
		}
	}
}

// Printing malformed functions must not panic.
func TestPrintMalformed(t *testing.T) {
	for _, f := range []*Func{
		{Name: "nobody"},
		{Name: "badvars", Body: &Block{Result: 7, Instrs: []Instr{{Dst: 3, Op: OpIf, Args: []Var{-5}, Blocks: []*Block{nil}}}}},
		{Name: "badop", Types: []*Type{nil}, Body: &Block{Result: 0, Instrs: []Instr{{Dst: 0, Op: 200}, {Dst: 0, Op: OpCall}}}},
	} {
		s := f.String()
		if !strings.HasPrefix(s, "fn "+f.Name) {
			t.Errorf("got %q", s)
		}
	}
	cyc := &Type{Kind: KArray, Len: 1}
	cyc.Elem = cyc
	_ = cyc.String()
	wide := &Type{Kind: KTuple}
	wide.Elems = []*Type{wide, wide, wide}
	if s := wide.String(); len(s) > 100000 {
		t.Errorf("cyclic tuple printed as %d bytes", len(s))
	}
	if err := Verify(&Func{Name: "w", Types: []*Type{wide}, Params: []Var{0}, Body: &Block{Result: 0}}); err == nil {
		t.Errorf("cyclic type accepted")
	}
	// A block that contains itself, twice.
	blk := &Block{Result: 0}
	blk.Instrs = []Instr{{Dst: 1, Op: OpIf, Args: []Var{0}, Blocks: []*Block{blk, blk}}}
	f := &Func{Name: "loopy", Types: []*Type{Bool, Bool}, Params: []Var{0}, Body: blk}
	if s := f.String(); !strings.Contains(s, "<block printed above>") {
		t.Errorf("got %s", s)
	}
	if err := Verify(f); err == nil || !strings.Contains(err.Error(), "block appears more than once") {
		t.Errorf("got %v", err)
	}
	var nilProg Program
	if s := nilProg.String(); s != "" {
		t.Errorf("empty program printed %q", s)
	}
}

// TestPrintWhile checks the form of OpWhile: the bound, then the
// condition and the body blocks, each with its state parameter.
func TestPrintWhile(t *testing.T) {
	b := NewBuilder("halve", 0)
	x := b.Param(Real)
	cond, cs := b.Begin(Real)
	b.End(b.Compare(OpGt, cs[0], b.Real(1)))
	body, ps := b.Begin(Real)
	b.End(b.Binary(OpDiv, ps[0], b.Real(2)))
	f := b.Finish(b.Emit(Real, Instr{Op: OpWhile, N: 7, Args: []Var{x}, Blocks: []*Block{cond, body}}))
	if err := Verify(f); err != nil {
		t.Fatal(err)
	}
	want := `fn halve(%0: Real) -> Real {
  %7: Real = while 7 %0 |%1: Real| {
    %2: Real = const 1
    %3: Bool = gt %1 %2
    yield %3
  } do |%4: Real| {
    %5: Real = const 2
    %6: Real = div %4 %5
    yield %6
  }
  yield %7
}
`
	if got := f.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
