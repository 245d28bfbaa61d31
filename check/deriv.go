package check

import (
	"strings"

	"github.com/rose-go/rose/parser"
)

// derivRef is a derivative operator applied to a function expression:
// grad(f), jvp(grad(f)), ...
type derivRef struct {
	kind string    // "grad", "jvp" or "vjp"
	of   *derivRef // the operand when it is itself a derivative, else nil
	name string    // how the source writes it, for messages
	wrt  []int     // grad(f, x, y): the parameters chosen, or nil for all
}

// derivCall checks a call of a derivative of a user function, such as
// grad(f)(x) or jvp(f)(x, dx).
func (c *checker) derivCall(s *scope, e *parser.CallExpr) Type {
	op, ok := e.Fun.(*parser.CallExpr)
	if !ok {
		id := e.Fun.(*parser.Ident)
		c.errorf(id, "not-callable", "%s takes a function, as in %s(f)(x)", id.Name, id.Name)
		c.checkArgs(s, e.Args)
		return TInvalid
	}
	f, ref, params, result, ok := c.funcExpr(s, op)
	if !ok {
		c.checkArgs(s, e.Args)
		return TInvalid
	}
	if c.fn != nil {
		c.addCall(c.fn, f)
	}
	return c.callSig(s, e, f, ref.name, params, result, ref)
}

// funcExpr resolves a function expression: a user function's name, or a
// derivative operator applied to a function expression. It returns the
// base function, the derivative (nil for a plain name) and the signature.
func (c *checker) funcExpr(s *scope, e parser.Expr) (f *FuncObj, ref *derivRef, params []Type, result Type, ok bool) {
	switch e := e.(type) {
	case *parser.Ident:
		switch o := s.lookup(e.Name).(type) {
		case *FuncObj:
			c.pkg.Uses[e] = o
			c.signature(o)
			return o, nil, o.Params, o.Result, true
		case *BuiltinObj:
			c.errorf(e, "unsupported", "derivatives of builtins are taken inside functions: wrap %s in a fn", e.Name)
		case nil:
			c.undefined(s, e, func(o Object) bool { _, ok := o.(*FuncObj); return ok })
		case *BadObj: // its declaration has a syntax error
		default:
			c.errorf(e, "not-callable", "%s is not a function", e.Name)
		}
		return nil, nil, nil, nil, false
	case *parser.CallExpr:
		id, isIdent := e.Fun.(*parser.Ident)
		if !isIdent || !reserved[id.Name] {
			break
		}
		if len(e.Args) == 0 || (len(e.Args) != 1 && id.Name != "grad") {
			c.errorf(e, "wrong-arity", "%s takes one function, got %d arguments", id.Name, len(e.Args))
			return nil, nil, nil, nil, false
		}
		f, inner, ps, res, ok := c.funcExpr(s, e.Args[0])
		if !ok {
			return nil, nil, nil, nil, false
		}
		ref := &derivRef{kind: id.Name, of: inner, name: id.Name + "(" + nameOf(inner, f) + ")"}
		if len(e.Args) > 1 {
			if ref.wrt, ok = c.chosenParams(f, inner, e.Args[1:]); !ok {
				return nil, nil, nil, nil, false
			}
			var names []string
			for _, a := range e.Args[1:] {
				names = append(names, a.(*parser.Ident).Name)
			}
			ref.name = "grad(" + f.Name + ", " + strings.Join(names, ", ") + ")"
		}
		switch id.Name {
		case "jvp":
			params = append(append([]Type(nil), ps...), c.tangents(ps)...)
			result = &Tuple{Elems: []Type{res, c.tangent(res)}}
		case "vjp":
			params = append(append([]Type(nil), ps...), c.tangent(res))
			result = &Tuple{Elems: append([]Type{res}, c.tangents(ps)...)}
		case "grad":
			if !isKind(res, RealKind) {
				c.errorf(e, "bad-derivative", "grad needs a function with a Real result; %s returns %s (use jvp or vjp)", nameOf(inner, f), res)
				return nil, nil, nil, nil, false
			}
			real := false
			for _, p := range ps {
				real = real || hasReal(p)
			}
			if !real {
				c.errorf(e, "bad-derivative", "%s has no Real parameters to differentiate by", nameOf(inner, f))
				return nil, nil, nil, nil, false
			}
			params = ps
			chosen := ps
			if ref.wrt != nil {
				chosen = nil
				for _, k := range ref.wrt {
					chosen = append(chosen, ps[k])
				}
			}
			if ts := c.tangents(chosen); len(ts) == 1 {
				result = ts[0]
			} else {
				result = &Tuple{Elems: ts}
			}
		}
		return f, ref, params, result, true
	}
	c.errorf(e, "not-callable", "expected a function name or a derivative such as grad(f)")
	return nil, nil, nil, nil, false
}

func nameOf(ref *derivRef, f *FuncObj) string {
	if ref != nil {
		return ref.name
	}
	return f.Name
}

func (c *checker) tangents(ts []Type) []Type {
	out := make([]Type, len(ts))
	for i, t := range ts {
		out[i] = c.tangent(t)
	}
	return out
}

// tangent is the type of tangents and cotangents of values of type t:
// Reals stay, Ints and Bools become (), aggregates keep their shape. A
// struct without Int or Bool fields is its own tangent type.
func (c *checker) tangent(t Type) Type {
	switch t := t.(type) {
	case *Basic:
		if t.Kind == RealKind || t.Kind == Invalid {
			return t
		}
		return &Tuple{}
	case *Array:
		return &Array{Len: t.Len, Elem: c.tangent(t.Elem)}
	case *Tuple:
		return &Tuple{Elems: c.tangents(t.Elems)}
	case *Struct:
		if c.tangentOf == nil {
			c.tangentOf = map[*Struct]*Struct{}
		}
		if st, ok := c.tangentOf[t]; ok {
			return st
		}
		fields := make([]Field, len(t.Fields))
		same := true
		for i, f := range t.Fields {
			ft := c.tangent(f.Type)
			same = same && Identical(ft, f.Type)
			fields[i] = Field{Name: f.Name, Type: ft, Pos: f.Pos}
		}
		st := t
		if !same {
			st = &Struct{Name: "tangent(" + t.Name + ")", Pos: t.Pos, Fields: fields}
		}
		c.tangentOf[t] = st
		return st
	}
	return t
}

// hasReal reports whether a value of type t contains a Real.
func hasReal(t Type) bool {
	switch t := t.(type) {
	case *Basic:
		return t.Kind == RealKind || t.Kind == Invalid
	case *Array:
		return hasReal(t.Elem)
	case *Tuple:
		for _, e := range t.Elems {
			if hasReal(e) {
				return true
			}
		}
	case *Struct:
		for _, f := range t.Fields {
			if hasReal(f.Type) {
				return true
			}
		}
	}
	return false
}

// rule checks the custom JVP named by `fn f(...) -> T jvp rule`: rule
// takes f's parameters and then one tangent per parameter, and returns
// (value, tangent of the value). A generic rule has f's size parameters, in
// the same order.
func (c *checker) rule(f *FuncObj) {
	id := f.Decl.Rule
	if id == nil {
		return
	}
	o, ok := c.pkg.scope.lookup(id.Name).(*FuncObj)
	if !ok {
		switch c.pkg.scope.lookup(id.Name).(type) {
		case *BadObj: // its declaration has a syntax error
		case nil:
			c.undefined(c.pkg.scope, id, func(o Object) bool { _, ok := o.(*FuncObj); return ok })
		default:
			c.errorf(id, "bad-rule", "%s is not a function", id.Name)
		}
		return
	}
	c.pkg.Uses[id] = o
	if o == f {
		c.errorf(id, "bad-rule", "%s cannot be its own derivative rule", f.Name)
		return
	}
	c.signature(o)
	if len(o.Sizes) != len(f.Sizes) {
		c.errorf(id, "bad-rule", "%s has %d size parameters but %s has %d; a rule has its function's sizes", o.Name, len(o.Sizes), f.Name, len(f.Sizes))
		return
	}
	bind := map[*SizeParam]Size{}
	for i, sp := range o.Sizes {
		bind[sp] = Size{Param: f.Sizes[i]}
	}
	wantParams := append(append([]Type(nil), f.Params...), c.tangents(f.Params)...)
	wantResult := &Tuple{Elems: []Type{f.Result, c.tangent(f.Result)}}
	ok = len(o.Params) == len(wantParams) && Identical(subst(o.Result, bind), wantResult)
	for i := 0; ok && i < len(wantParams); i++ {
		ok = Identical(subst(o.Params[i], bind), wantParams[i])
	}
	if !ok {
		var ps []string
		for _, t := range wantParams {
			ps = append(ps, t.String())
		}
		c.errorRel(id, o.Decl.Name.Pos(), "rule declared here", "bad-rule",
			"the JVP rule of %s must have the signature (%s) -> %s: the parameters, then one tangent per parameter; the value, then its tangent",
			f.Name, strings.Join(ps, ", "), wantResult)
		return
	}
	f.Rule = o
}

// chosenParams resolves the parameter names of grad(f, x, y) to indices.
func (c *checker) chosenParams(f *FuncObj, inner *derivRef, args []parser.Expr) ([]int, bool) {
	if inner != nil {
		c.errorf(args[0], "bad-derivative", "choosing parameters needs a function name, not a derivative: its parameters have no names")
		return nil, false
	}
	var wrt []int
	seen := map[int]bool{}
	for _, a := range args {
		id, ok := a.(*parser.Ident)
		k := -1
		if ok {
			for i, p := range f.Decl.Params {
				if p.Name.Name == id.Name {
					k = i
				}
			}
		}
		switch {
		case k < 0:
			var names []string
			for _, p := range f.Decl.Params {
				names = append(names, p.Name.Name)
			}
			c.errorf(a, "bad-derivative", "%s has no parameter %s (its parameters: %s)", f.Name, exprText(a), strings.Join(names, ", "))
			return nil, false
		case seen[k]:
			c.errorf(a, "duplicate", "parameter %s is chosen twice", id.Name)
			return nil, false
		case !hasReal(f.Params[k]):
			c.errorf(a, "bad-derivative", "%s has type %s, which has no derivative", id.Name, f.Params[k])
			return nil, false
		}
		seen[k] = true
		wrt = append(wrt, k)
	}
	return wrt, true
}

func exprText(e parser.Expr) string {
	if id, ok := e.(*parser.Ident); ok {
		return id.Name
	}
	return "(an expression)"
}
