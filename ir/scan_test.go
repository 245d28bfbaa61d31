package ir

import (
	"regexp"
	"testing"
)

// scanFunc builds f(x) = scan 3 x |i, s| { s * x } with result type dst (nil
// for the right one) and lets mut alter the body before it is closed.
func scanFunc(dst *Type, bodyParams []*Type, mut func(b *Builder, ps []Var, x Var) Var) *Func {
	b := NewBuilder("f", 0)
	x := b.Param(Real)
	if bodyParams == nil {
		bodyParams = []*Type{Int, Real}
	}
	body, ps := b.Begin(bodyParams...)
	var r Var
	if mut != nil {
		r = mut(b, ps, x)
	} else {
		r = b.Binary(OpMul, ps[1], x)
	}
	b.End(r)
	if dst == nil {
		dst = TupleOf(ArrayOf(3, Real), Real)
	}
	return b.Finish(b.Emit(dst, Instr{Op: OpScan, N: 3, Args: []Var{x}, Blocks: []*Block{body}}))
}

func TestScanPrintAndVerify(t *testing.T) {
	f := scanFunc(nil, nil, nil)
	want := `fn f(%0: Real) -> ([3]Real, Real) {
  %4: ([3]Real, Real) = scan 3 %0 |%1: Int, %2: Real| {
    %3: Real = mul %2 %0
    yield %3
  }
  yield %4
}
`
	if got := f.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if err := Verify(f); err != nil {
		t.Errorf("Verify: %v", err)
	}
	if OpScan.String() != "scan" || OpScan.Arity() != 1 {
		t.Errorf("scan: name %q, arity %d", OpScan, OpScan.Arity())
	}

	// A zero-trip scan of a tuple state.
	b := NewBuilder("g", 0)
	x := b.Param(Real)
	st := TupleOf(Real, Int)
	init := b.Tuple(st, x, b.Int(1))
	body, ps := b.Begin(Int, st)
	b.End(ps[1])
	g := b.Finish(b.Emit(TupleOf(ArrayOf(0, st), st), Instr{Op: OpScan, Args: []Var{init}, Blocks: []*Block{body}}))
	if err := Verify(g); err != nil {
		t.Errorf("Verify: %v\n%s", err, g)
	}
}

func TestScanVerifyBad(t *testing.T) {
	cases := []struct {
		name string
		f    func() *Func
		want string
	}{
		{"dst not a tuple", func() *Func { return scanFunc(Real, nil, nil) },
			`scan result type Real, want \(\[3\]Real, Real\)`},
		{"dst final", func() *Func { return scanFunc(TupleOf(ArrayOf(3, Real), Int), nil, nil) },
			`scan result type \(\[3\]Real, Int\), want \(\[3\]Real, Real\)`},
		{"dst length", func() *Func { return scanFunc(TupleOf(ArrayOf(2, Real), Real), nil, nil) },
			`scan result type \(\[2\]Real, Real\), want \(\[3\]Real, Real\)`},
		{"one error", func() *Func { return scanFunc(TupleOf(ArrayOf(3, Real), Int), nil, nil) },
			`^[^\n]*scan result type[^\n]*$`},
		{"state param", func() *Func {
			return scanFunc(nil, []*Type{Int, Int}, func(b *Builder, ps []Var, x Var) Var { return x })
		}, `loop state parameter has type Int, want Real`},
		{"index param", func() *Func {
			return scanFunc(nil, []*Type{Real, Real}, func(b *Builder, ps []Var, x Var) Var { return x })
		}, `loop index must be Int, got Real`},
		{"params", func() *Func {
			return scanFunc(nil, []*Type{Int}, func(b *Builder, ps []Var, x Var) Var { return x })
		}, `loop body needs 2 parameters, got 1`},
		{"yields", func() *Func {
			return scanFunc(nil, nil, func(b *Builder, ps []Var, x Var) Var { return ps[0] })
		}, `loop body yields Int, want state type Real`},
		{"arity", func() *Func {
			f := scanFunc(nil, nil, nil)
			last(f).Args = nil
			return f
		}, `scan takes 1 operands, got 0`},
		{"blocks", func() *Func {
			f := scanFunc(nil, nil, nil)
			last(f).Blocks = nil
			return f
		}, `scan needs 1 blocks, got 0`},
		{"negative", func() *Func {
			f := scanFunc(nil, nil, nil)
			last(f).N = -1
			return f
		}, `negative trip count -1`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := c.f()
			err := Verify(f)
			if err == nil {
				t.Fatalf("accepted:\n%s", f)
			}
			if !regexp.MustCompile(c.want).MatchString(err.Error()) {
				t.Fatalf("error does not match %q:\n%v", c.want, err)
			}
		})
	}
}
