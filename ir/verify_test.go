package ir

import (
	"regexp"
	"testing"
)

// allOps builds a valid function that uses every operation at least once.
func allOps() (*Func, *Func) {
	cb := NewBuilder("callee", 0)
	cx := cb.Param(Real)
	cn := cb.Param(Int)
	callee := cb.Finish(cb.Binary(OpMul, cx, cb.Emit(Real, Instr{Op: OpToReal, Args: []Var{cn}})))

	b := NewBuilder("all", 0)
	x := b.Param(Real)
	n := b.Param(Int)
	p := b.Param(Bool)
	for op := OpNeg; op <= OpSign; op++ {
		b.Unary(op, x)
	}
	b.Unary(OpNeg, n)
	b.Unary(OpAbs, n)
	for op := OpAdd; op <= OpAtan2; op++ {
		if op != OpMod {
			b.Binary(op, x, x)
		}
	}
	for op := OpAdd; op <= OpMax; op++ {
		b.Binary(op, n, n)
	}
	for op := OpEq; op <= OpGe; op++ {
		b.Compare(op, x, x)
		b.Compare(op, n, n)
	}
	b.Compare(OpEq, p, p)
	b.Compare(OpNe, p, p)
	np := b.Unary(OpNot, p)
	b.Binary(OpAnd, p, np)
	b.Binary(OpOr, p, np)
	b.Bool(true)
	xr := b.Emit(Real, Instr{Op: OpToReal, Args: []Var{n}})

	thn, _ := b.Begin()
	b.End(x)
	els, _ := b.Begin()
	b.End(b.Real(2))
	r := b.Emit(Real, Instr{Op: OpIf, Args: []Var{p}, Blocks: []*Block{thn, els}})

	pair := TupleOf(Real, Int)
	tp := b.Tuple(pair, r, n)
	b.Field(tp, 1)
	arr := b.Emit(ArrayOf(2, Real), Instr{Op: OpArray, Args: []Var{x, xr}})
	b.Index(arr, n)
	b.Emit(ArrayOf(0, Real), Instr{Op: OpArray})

	body, ps := b.Begin(Int)
	b.End(b.Tuple(pair, x, ps[0]))
	b.Emit(ArrayOf(4, pair), Instr{Op: OpFor, N: 4, Blocks: []*Block{body}})

	lbody, lps := b.Begin(Int, pair)
	b.End(lps[1])
	b.Emit(pair, Instr{Op: OpLoop, N: 0, Args: []Var{tp}, Blocks: []*Block{lbody}})

	wcond, wps := b.Begin(Real)
	b.End(b.Compare(OpGt, wps[0], x))
	wbody, wbs := b.Begin(Real)
	b.End(b.Binary(OpSub, wbs[0], x))
	b.Emit(Real, Instr{Op: OpWhile, N: 3, Args: []Var{x}, Blocks: []*Block{wcond, wbody}})

	return callee, b.Finish(b.Call(callee, x, n))
}

func TestVerifyGood(t *testing.T) {
	callee, f := allOps()
	if err := Verify(f); err != nil {
		t.Fatal(err)
	}
	if err := VerifyProgram(&Program{Funcs: []*Func{callee, f}}); err != nil {
		t.Fatal(err)
	}
	if err := Verify(buildNorm()); err != nil {
		t.Fatal(err)
	}
}

// last returns the last instruction of f's body.
func last(f *Func) *Instr { return &f.Body.Instrs[len(f.Body.Instrs)-1] }

// find returns the first instruction of f's body (not nested) with op.
func find(f *Func, op Op) *Instr {
	for i := range f.Body.Instrs {
		if f.Body.Instrs[i].Op == op {
			return &f.Body.Instrs[i]
		}
	}
	panic("no " + op.String())
}

func TestVerifyBad(t *testing.T) {
	// scalar builds a small function with params (Real, Int, Bool) and lets
	// emit add instructions; its result is the last var emitted.
	scalar := func(emit func(b *Builder, x, n, p Var) Var) *Func {
		b := NewBuilder("f", 0)
		x, n, p := b.Param(Real), b.Param(Int), b.Param(Bool)
		return b.Finish(emit(b, x, n, p))
	}
	withIf := func(mut func(b *Builder, f *Func, in *Instr)) *Func {
		_, f := allOps()
		mut(nil, f, find(f, OpIf))
		return f
	}
	cases := []struct {
		name string
		f    func() *Func
		want string
	}{
		{"nil body", func() *Func { return &Func{Name: "f"} }, `fn f: nil body`},
		{"body params", func() *Func {
			f := scalar(func(b *Builder, x, n, p Var) Var { return x })
			f.Body.Params = []Var{0}
			return f
		}, `body has block parameters`},
		{"defined twice", func() *Func {
			f := scalar(func(b *Builder, x, n, p Var) Var { b.Real(1); return b.Real(2) })
			last(f).Dst = 3
			return f
		}, `%3 is defined more than once`},
		{"param twice", func() *Func {
			f := scalar(func(b *Builder, x, n, p Var) Var { return x })
			f.Params[1] = 0
			return f
		}, `%0 is defined more than once`},
		{"use before def", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var {
				r := b.Emit(Real, Instr{Op: OpNeg, Args: []Var{4}})
				b.Real(1)
				return r
			})
		}, `neg %4: %4 is used before its definition`},
		{"result undefined", func() *Func {
			f := scalar(func(b *Builder, x, n, p Var) Var { return x })
			b := &Builder{F: f}
			f.Body.Result = b.NewVar(Real)
			return f
		}, `block result %3 is not defined`},
		{"never defined", func() *Func {
			f := scalar(func(b *Builder, x, n, p Var) Var { b.NewVar(Int); return x })
			return f
		}, `%3 is never defined`},
		{"var out of range", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var {
				return b.Emit(Real, Instr{Op: OpNeg, Args: []Var{99}})
			})
		}, `operand %99 is not a variable`},
		{"no dst", func() *Func {
			f := scalar(func(b *Builder, x, n, p Var) Var { b.Real(1); return x })
			last(f).Dst = NoVar
			return f
		}, `no destination`},
		{"nil type", func() *Func {
			f := scalar(func(b *Builder, x, n, p Var) Var { return b.Real(1) })
			f.Types[3] = nil
			return f
		}, `%3 has invalid type <nil>`},
		{"cyclic type", func() *Func {
			f := scalar(func(b *Builder, x, n, p Var) Var { return x })
			c := &Type{Kind: KArray, Len: 1}
			c.Elem = c
			f.Types[0] = c
			return f
		}, `%0 has invalid type`},
		{"bad fields", func() *Func {
			f := scalar(func(b *Builder, x, n, p Var) Var { return x })
			f.Types[0] = &Type{Kind: KTuple, Elems: []*Type{Real}, Fields: []string{"a", "b"}}
			return f
		}, `%0 has invalid type`},
		{"negative len", func() *Func {
			f := scalar(func(b *Builder, x, n, p Var) Var { return x })
			f.Types[0] = ArrayOf(-1, Real)
			return f
		}, `%0 has invalid type \[-1\]Real`},
		{"invalid op", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var { return b.Emit(Real, Instr{Op: numOps}) })
		}, `invalid operation`},
		{"op zero", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var { return b.Emit(Real, Instr{}) })
		}, `invalid operation 0`},
		{"arity", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var { return b.Emit(Real, Instr{Op: OpAdd, Args: []Var{x}}) })
		}, `add takes 2 operands, got 1`},
		{"const args", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var { return b.Emit(Real, Instr{Op: OpConst, Args: []Var{x}}) })
		}, `const takes 0 operands, got 1`},
		{"const int array", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var { return b.Emit(ArrayOf(1, Int), Instr{Op: OpConst}) })
		}, `constant of type \[1\]Int, which is neither scalar nor all Real`},
		{"aggregate add of ints", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var {
				a := b.Emit(ArrayOf(2, Int), Instr{Op: OpArray, Args: []Var{n, n}})
				return b.Binary(OpAdd, a, a)
			})
		}, `aggregate add needs all-Real operands`},
		{"update type", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var {
				a := b.Emit(ArrayOf(2, Real), Instr{Op: OpArray, Args: []Var{x, x}})
				return b.Emit(ArrayOf(2, Real), Instr{Op: OpUpdate, Args: []Var{a, n, n}})
			})
		}, `element type Int does not match \[2\]Real`},
		{"bool const", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var { return b.Emit(Bool, Instr{Op: OpConst, I: 2}) })
		}, `Bool constant 2 is not 0 or 1`},
		{"mixed add", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var { return b.Binary(OpAdd, x, n) })
		}, `%3: Real = add %0 %1: operands have different types Real and Int`},
		{"bool add", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var { return b.Binary(OpAdd, p, p) })
		}, `operands must be Real or Int, got Bool`},
		{"add result", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var { return b.Emit(Int, Instr{Op: OpAdd, Args: []Var{x, x}}) })
		}, `result type Int differs from operand type Real`},
		{"real mod", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var { return b.Binary(OpMod, x, x) })
		}, `operands must be Int, got Real`},
		{"int sqrt", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var { return b.Emit(Real, Instr{Op: OpSqrt, Args: []Var{n}}) })
		}, `operand must be Real, got Int`},
		{"int sign", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var { return b.Unary(OpSign, n) })
		}, `operand must be Real, got Int`},
		{"bool neg", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var { return b.Unary(OpNeg, p) })
		}, `operand must be Real or Int, got Bool`},
		{"int pow", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var { return b.Emit(Real, Instr{Op: OpPow, Args: []Var{x, n}}) })
		}, `operands must be Real, got Real and Int`},
		{"compare result", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var { return b.Emit(Real, Instr{Op: OpLt, Args: []Var{x, x}}) })
		}, `result must be Bool, got Real`},
		{"bool lt", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var { return b.Compare(OpLt, p, p) })
		}, `operands must be Real or Int, got Bool`},
		{"array eq", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var {
				a := b.Emit(ArrayOf(1, Real), Instr{Op: OpArray, Args: []Var{x}})
				return b.Compare(OpEq, a, a)
			})
		}, `operands must be Real, Int or Bool, got \[1\]Real`},
		{"not real", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var { return b.Emit(Bool, Instr{Op: OpNot, Args: []Var{x}}) })
		}, `operand must be Bool, got Real`},
		{"toreal real", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var { return b.Unary(OpToReal, x) })
		}, `operand must be Int, got Real`},
		{"toreal result", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var { return b.Unary(OpToReal, n) })
		}, `result must be Real, got Int`},
		{"callee on non-call", func() *Func {
			f := scalar(func(b *Builder, x, n, p Var) Var { return b.Unary(OpNeg, x) })
			last(f).Callee = f
			return f
		}, `neg has a callee`},
		{"blocks on non-block op", func() *Func {
			f := scalar(func(b *Builder, x, n, p Var) Var { return b.Unary(OpNeg, x) })
			last(f).Blocks = []*Block{{Result: 0}}
			return f
		}, `neg needs 0 blocks, got 1`},
		{"tuple field type", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var { return b.Tuple(TupleOf(Real, Real), x, n) })
		}, `field 1 has type Int, want Real`},
		{"tuple count", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var { return b.Tuple(TupleOf(Real, Real), x) })
		}, `result type \(Real, Real\) is not a tuple of 1 fields`},
		{"field range", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var {
				tp := b.Tuple(TupleOf(Real), x)
				return b.Emit(Real, Instr{Op: OpField, Args: []Var{tp}, N: 1})
			})
		}, `field 1 out of range for \(Real\)`},
		{"field of array", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var {
				a := b.Emit(ArrayOf(1, Real), Instr{Op: OpArray, Args: []Var{x}})
				return b.Emit(Real, Instr{Op: OpField, Args: []Var{a}})
			})
		}, `operand must be a tuple, got \[1\]Real`},
		{"field type", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var {
				tp := b.Tuple(TupleOf(Real), x)
				return b.Emit(Int, Instr{Op: OpField, Args: []Var{tp}})
			})
		}, `result type Int differs from field type Real`},
		{"array elem", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var {
				return b.Emit(ArrayOf(2, Real), Instr{Op: OpArray, Args: []Var{x, n}})
			})
		}, `element 1 has type Int, want Real`},
		{"array len", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var {
				return b.Emit(ArrayOf(3, Real), Instr{Op: OpArray, Args: []Var{x, x}})
			})
		}, `result type \[3\]Real is not an array of 2 elements`},
		{"index real", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var {
				a := b.Emit(ArrayOf(1, Real), Instr{Op: OpArray, Args: []Var{x}})
				return b.Index(a, x)
			})
		}, `index must be Int, got Real`},
		{"index scalar", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var {
				return b.Emit(Real, Instr{Op: OpIndex, Args: []Var{x, n}})
			})
		}, `indexed operand must be an array, got Real`},
		{"index type", func() *Func {
			return scalar(func(b *Builder, x, n, p Var) Var {
				a := b.Emit(ArrayOf(1, Real), Instr{Op: OpArray, Args: []Var{x}})
				return b.Emit(Int, Instr{Op: OpIndex, Args: []Var{a, n}})
			})
		}, `result type Int differs from element type Real`},
		{"if cond", func() *Func {
			return withIf(func(_ *Builder, f *Func, in *Instr) { in.Args[0] = 1 })
		}, `if %1: condition must be Bool, got Int`},
		{"if blocks", func() *Func {
			return withIf(func(_ *Builder, f *Func, in *Instr) { in.Blocks = in.Blocks[:1] })
		}, `if needs 2 blocks, got 1`},
		{"if arm type", func() *Func {
			return withIf(func(_ *Builder, f *Func, in *Instr) { in.Blocks[1].Result = 1 })
		}, `if arm 1 yields Int, want Real`},
		{"if arm params", func() *Func {
			return withIf(func(_ *Builder, f *Func, in *Instr) { in.Blocks[0].Params = []Var{in.Blocks[1].Result} })
		}, `if arm 0 has parameters`},
		{"if nil arm", func() *Func {
			return withIf(func(_ *Builder, f *Func, in *Instr) { in.Blocks[0] = nil })
		}, `nil block`},
		{"if same arm twice", func() *Func {
			return withIf(func(_ *Builder, f *Func, in *Instr) { in.Blocks[1] = in.Blocks[0] })
		}, `block appears more than once`},
		{"sibling use", func() *Func {
			return withIf(func(_ *Builder, f *Func, in *Instr) {
				// The else arm yields the constant defined in the then arm.
				in.Blocks[0].Instrs = in.Blocks[1].Instrs
				in.Blocks[1].Instrs = nil
			})
		}, `block result %\d+ is defined in another block`},
		{"inner var outside", func() *Func {
			b := NewBuilder("f", 0)
			body, ps := b.Begin(Int)
			one := b.Int(1)
			b.End(b.Binary(OpAdd, ps[0], one))
			b.Emit(ArrayOf(2, Int), Instr{Op: OpFor, N: 2, Blocks: []*Block{body}})
			return b.Finish(b.Binary(OpMul, one, one))
		}, `mul %1 %1: %1 is used outside the block that defines it`},
		{"for len", func() *Func {
			b := NewBuilder("f", 0)
			body, ps := b.Begin(Int)
			b.End(ps[0])
			return b.Finish(b.Emit(ArrayOf(3, Int), Instr{Op: OpFor, N: 2, Blocks: []*Block{body}}))
		}, `result type \[3\]Int is not an array of 2 elements`},
		{"for negative", func() *Func {
			b := NewBuilder("f", 0)
			body, ps := b.Begin(Int)
			b.End(ps[0])
			return b.Finish(b.Emit(ArrayOf(3, Int), Instr{Op: OpFor, N: -1, Blocks: []*Block{body}}))
		}, `negative trip count -1`},
		{"for index type", func() *Func {
			b := NewBuilder("f", 0)
			body, ps := b.Begin(Real)
			b.End(ps[0])
			return b.Finish(b.Emit(ArrayOf(2, Real), Instr{Op: OpFor, N: 2, Blocks: []*Block{body}}))
		}, `for index must be Int, got Real`},
		{"for params", func() *Func {
			b := NewBuilder("f", 0)
			body, ps := b.Begin(Int, Int)
			b.End(ps[0])
			return b.Finish(b.Emit(ArrayOf(2, Int), Instr{Op: OpFor, N: 2, Blocks: []*Block{body}}))
		}, `for body needs 1 parameter, got 2`},
		{"for body type", func() *Func {
			b := NewBuilder("f", 0)
			body, _ := b.Begin(Int)
			b.End(b.Real(1))
			return b.Finish(b.Emit(ArrayOf(2, Int), Instr{Op: OpFor, N: 2, Blocks: []*Block{body}}))
		}, `for body yields Real, want Int`},
		{"for args", func() *Func {
			b := NewBuilder("f", 0)
			x := b.Param(Int)
			body, ps := b.Begin(Int)
			b.End(ps[0])
			return b.Finish(b.Emit(ArrayOf(2, Int), Instr{Op: OpFor, N: 2, Args: []Var{x}, Blocks: []*Block{body}}))
		}, `for takes 0 operands, got 1`},
		{"for self-referencing dst", func() *Func {
			b := NewBuilder("f", 0)
			body, _ := b.Begin(Int)
			b.End(1) // the for's own destination
			return b.Finish(b.Emit(ArrayOf(2, Int), Instr{Op: OpFor, N: 2, Blocks: []*Block{body}}))
		}, `block result %1 is not defined`},
		{"loop state param", func() *Func {
			b := NewBuilder("f", 0)
			x := b.Param(Real)
			body, ps := b.Begin(Int, Int)
			b.End(ps[1])
			return b.Finish(b.Emit(Real, Instr{Op: OpLoop, N: 2, Args: []Var{x}, Blocks: []*Block{body}}))
		}, `loop state parameter has type Int, want Real`},
		{"loop yields", func() *Func {
			b := NewBuilder("f", 0)
			x := b.Param(Real)
			body, ps := b.Begin(Int, Real)
			b.End(ps[0])
			return b.Finish(b.Emit(Real, Instr{Op: OpLoop, N: 2, Args: []Var{x}, Blocks: []*Block{body}}))
		}, `loop body yields Int, want state type Real`},
		{"loop dst", func() *Func {
			b := NewBuilder("f", 0)
			x := b.Param(Real)
			body, ps := b.Begin(Int, Real)
			b.End(ps[1])
			return b.Finish(b.Emit(Int, Instr{Op: OpLoop, N: 2, Args: []Var{x}, Blocks: []*Block{body}}))
		}, `result type Int differs from state type Real`},
		{"loop params", func() *Func {
			b := NewBuilder("f", 0)
			x := b.Param(Real)
			body, _ := b.Begin(Int)
			b.End(x)
			return b.Finish(b.Emit(Real, Instr{Op: OpLoop, N: 2, Args: []Var{x}, Blocks: []*Block{body}}))
		}, `loop body needs 2 parameters, got 1`},
		{"loop index", func() *Func {
			b := NewBuilder("f", 0)
			x := b.Param(Real)
			body, ps := b.Begin(Real, Real)
			b.End(ps[1])
			return b.Finish(b.Emit(Real, Instr{Op: OpLoop, N: 2, Args: []Var{x}, Blocks: []*Block{body}}))
		}, `loop index must be Int, got Real`},
		{"while blocks", func() *Func {
			b := NewBuilder("f", 0)
			x := b.Param(Real)
			body, ps := b.Begin(Real)
			b.End(ps[0])
			return b.Finish(b.Emit(Real, Instr{Op: OpWhile, Args: []Var{x}, Blocks: []*Block{body}}))
		}, `while needs 2 blocks, got 1`},
		{"while condition", func() *Func {
			b := NewBuilder("f", 0)
			x := b.Param(Real)
			cond, cs := b.Begin(Real)
			b.End(cs[0])
			body, ps := b.Begin(Real)
			b.End(ps[0])
			return b.Finish(b.Emit(Real, Instr{Op: OpWhile, Args: []Var{x}, Blocks: []*Block{cond, body}}))
		}, `while condition yields Real, want Bool`},
		{"while state", func() *Func {
			b := NewBuilder("f", 0)
			x := b.Param(Real)
			cond, _ := b.Begin(Int)
			b.End(b.Bool(true))
			body, ps := b.Begin(Real)
			b.End(b.Emit(Int, Instr{Op: OpConst, I: 1}))
			_ = ps
			return b.Finish(b.Emit(Real, Instr{Op: OpWhile, Args: []Var{x}, Blocks: []*Block{cond, body}}))
		}, `while state parameter has type Int, want Real`},
		{"while body", func() *Func {
			b := NewBuilder("f", 0)
			x := b.Param(Real)
			cond, _ := b.Begin(Real)
			b.End(b.Bool(true))
			body, _ := b.Begin(Real)
			b.End(b.Emit(Int, Instr{Op: OpConst, I: 1}))
			return b.Finish(b.Emit(Real, Instr{Op: OpWhile, Args: []Var{x}, Blocks: []*Block{cond, body}}))
		}, `while body yields Int, want state type Real`},
		{"while bound", func() *Func {
			b := NewBuilder("f", 0)
			x := b.Param(Real)
			cond, _ := b.Begin(Real)
			b.End(b.Bool(true))
			body, ps := b.Begin(Real)
			b.End(ps[0])
			return b.Finish(b.Emit(Real, Instr{Op: OpWhile, N: -1, Args: []Var{x}, Blocks: []*Block{cond, body}}))
		}, `negative step bound -1`},
		{"call arg type", func() *Func {
			callee, f := allOps()
			in := last(f)
			in.Args[1] = in.Args[0]
			_ = callee
			return f
		}, `call callee %0 %0: argument 1 has type Real, callee callee wants Int`},
		{"call arity", func() *Func {
			_, f := allOps()
			last(f).Args = last(f).Args[:1]
			return f
		}, `callee callee takes 2 arguments, got 1`},
		{"call result", func() *Func {
			_, f := allOps()
			f.Types[last(f).Dst] = Int
			return f
		}, `result type Int differs from callee callee's result type Real`},
		{"call nil", func() *Func {
			_, f := allOps()
			last(f).Callee = nil
			return f
		}, `call without callee`},
		{"call bodiless", func() *Func {
			callee, f := allOps()
			callee.Body = nil
			return f
		}, `callee callee has no body`},
		{"recursive", func() *Func {
			_, f := allOps()
			last(f).Callee = f
			return f
		}, `recursive call`},
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

func TestVerifyManyProblems(t *testing.T) {
	b := NewBuilder("many", 0)
	x := b.Param(Real)
	for i := 0; i < 20; i++ {
		b.Emit(Real, Instr{Op: OpNot, Args: []Var{x}})
	}
	f := b.Finish(x)
	err := Verify(f)
	if err == nil || !regexp.MustCompile(`(?s)^fn many: .*and 32 more problems$`).MatchString(err.Error()) {
		t.Fatalf("got %v", err)
	}
}

func TestVerifyProgram(t *testing.T) {
	callee, f := allOps()
	if err := VerifyProgram(&Program{Funcs: []*Func{f, callee}}); err == nil ||
		!regexp.MustCompile(`fn all: %\d+: Real = call callee %0 %1: callee callee is not defined earlier`).MatchString(err.Error()) {
		t.Errorf("wrong order: %v", err)
	}
	if err := VerifyProgram(&Program{Funcs: []*Func{f}}); err == nil {
		t.Errorf("missing callee accepted")
	}
	if err := VerifyProgram(&Program{Funcs: []*Func{callee, callee, f}}); err == nil ||
		!regexp.MustCompile(`fn callee: name defined twice`).MatchString(err.Error()) {
		t.Errorf("duplicate: %v", err)
	}
	if err := VerifyProgram(&Program{Funcs: []*Func{nil}}); err == nil {
		t.Errorf("nil function accepted")
	}
	if err := Verify(nil); err == nil {
		t.Errorf("nil function accepted")
	}
}
