package check

import (
	"github.com/rose-go/rose/diag"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/parser"
)

func (l *lowerer) call(e *parser.CallExpr) ir.Var {
	info := l.pkg.calls[e]
	if info == nil {
		l.fail("unresolved call at %d", e.Pos())
	}
	if info.fn != nil {
		sizes := make([]int, len(info.sizes))
		for i, s := range info.sizes {
			if info.recursive {
				if n := l.value(s); n < 0 {
					l.fail("%s calls itself at size %s = %d: the recursion went past its base case", info.fn.Name, s, n)
				}
			}
			sizes[i] = l.size(s)
		}
		callee, err := l.pkg.Instantiate(info.fn, sizes)
		if de, ok := err.(*diag.Error); ok && info.recursive && len(de.Diags) == 1 {
			// Failed deeper in the recursion: report it where it failed,
			// not once more for each level.
			panic(lowerError{de.Diags[0].Pos, de.Diags[0].Msg})
		}
		if err != nil {
			l.fail("%v", err)
		}
		args := make([]ir.Var, len(e.Args))
		for i, a := range e.Args {
			args[i] = l.expr(a)
		}
		l.at(e.Pos())
		if info.deriv != nil {
			ref := derivFunc(info.deriv, callee)
			return l.b.Emit(l.irType(l.typeOf(e)), ir.Instr{Op: ir.OpCall, Callee: ref, Args: args})
		}
		return l.b.Call(callee, args...)
	}
	return l.builtin(e, info)
}

func (l *lowerer) builtin(e *parser.CallExpr, info *call) ir.Var {
	id := info.builtin
	b := l.b
	switch id {
	case bLen:
		return b.Int(int64(l.size(info.reduceN)))
	case bSum, bProd, bMin, bMax:
		if len(e.Args) == 1 {
			return l.reduce(e, info)
		}
	case bDot:
		x, y := l.expr(e.Args[0]), l.expr(e.Args[1])
		l.at(e.Pos())
		return b.Emit(ir.Real, ir.Instr{Op: ir.OpDot, Args: []ir.Var{x, y}})
	case bNorm:
		// if s == 0 { 0 } else { sqrt(s) } for s = dot(x, x): the same
		// value, and the subgradient 0 at the zero vector instead of the
		// NaN that sqrt's infinite derivative at 0 times 0 would give.
		x := l.expr(e.Args[0])
		l.at(e.Pos())
		s := b.Emit(ir.Real, ir.Instr{Op: ir.OpDot, Args: []ir.Var{x, x}})
		zero := b.Compare(ir.OpEq, s, b.Real(0))
		b.Begin()
		then := b.End(b.Real(0))
		b.Begin()
		els := b.End(b.Unary(ir.OpSqrt, s))
		return b.Emit(ir.Real, ir.Instr{Op: ir.OpIf, Args: []ir.Var{zero}, Blocks: []*ir.Block{then, els}})
	}
	args := make([]ir.Var, len(e.Args))
	for i, a := range e.Args {
		args[i] = l.expr(a)
	}
	l.at(e.Pos())
	op := builtins[id].op
	switch {
	case id == bReal:
		return b.Emit(ir.Real, ir.Instr{Op: ir.OpToReal, Args: args})
	case id == bInt:
		return b.Emit(ir.Int, ir.Instr{Op: ir.OpToInt, Args: args})
	case id == bClamp:
		return b.Binary(ir.OpMin, b.Binary(ir.OpMax, args[0], args[1]), args[2])
	case len(args) == 1:
		return b.Unary(op, args[0])
	default:
		return b.Binary(op, args[0], args[1])
	}
}

// sum emits a loop adding elem(i) for i in 0..n, starting from zero.
func (l *lowerer) sum(n int, t *ir.Type, elem func(i ir.Var) ir.Var) ir.Var {
	return l.fold(n, l.zero(t, 0), ir.OpAdd, elem)
}

func (l *lowerer) zero(t *ir.Type, x int) ir.Var {
	if t.Kind == ir.KInt {
		return l.b.Int(int64(x))
	}
	return l.b.Real(float64(x))
}

// fold emits acc := init; for i in 0..n { acc = op(acc, elem(i)) }.
func (l *lowerer) fold(n int, init ir.Var, op ir.Op, elem func(i ir.Var) ir.Var) ir.Var {
	t := l.b.Type(init)
	_, p := l.b.Begin(ir.Int, t)
	body := l.b.End(l.b.Binary(op, p[1], elem(p[0])))
	return l.b.Emit(t, ir.Instr{Op: ir.OpLoop, Args: []ir.Var{init}, N: n, Blocks: []*ir.Block{body}})
}

// reduce lowers sum, prod, min and max of an array. When the array is
// written as a comprehension, its body is computed inside the reduction
// loop and no array is built.
func (l *lowerer) reduce(e *parser.CallExpr, info *call) ir.Var {
	arg := e.Args[0]
	for {
		p, ok := arg.(*parser.ParenExpr)
		if !ok {
			break
		}
		arg = p.X
	}
	n := l.size(info.reduceN)
	elemT := l.irType(info.argType[0].(*Array).Elem)
	var elem func(i ir.Var) ir.Var
	if fe, ok := arg.(*parser.ForExpr); ok {
		r := l.pkg.ranges[fe.Loop]
		elem = func(i ir.Var) ir.Var {
			l.bindIndex(fe.Loop.Index, i, r)
			return l.block(fe.Loop.Body)
		}
	} else {
		xs := l.expr(arg)
		elem = func(i ir.Var) ir.Var { return l.b.Index(xs, i) }
	}
	l.at(e.Pos())
	id := info.builtin
	switch id {
	case bSum:
		return l.sum(n, elemT, elem)
	case bProd:
		return l.fold(n, l.zero(elemT, 1), ir.OpMul, elem)
	}
	// min and max start from the first element.
	if n == 0 {
		l.fail("%s of an empty array has no value", builtins[id].name)
	}
	op := builtins[id].op
	first := elem(l.b.Int(0))
	l.at(e.Pos())
	return l.fold(n-1, first, op, func(i ir.Var) ir.Var {
		return elem(l.b.Binary(ir.OpAdd, i, l.b.Int(1)))
	})
}

// derivFunc makes the IR reference to the derivative d of fn, which package
// ad materializes (ad.Resolve): the checker does not differentiate.
func derivFunc(d *derivRef, fn *ir.Func) *ir.Func {
	of := fn
	if d.of != nil {
		of = derivFunc(d.of, fn)
	}
	return &ir.Func{Name: d.kind + "(" + of.Name + ")", Pos: fn.Pos, Deriv: &ir.Derivative{Kind: d.kind, Of: of, Wrt: d.wrt}}
}
