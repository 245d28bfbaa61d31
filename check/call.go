package check

import (
	"fmt"

	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/parser"
)

func (c *checker) call(s *scope, e *parser.CallExpr, want Type) Type {
	if d := derivativeOp(e.Fun); d != nil {
		return c.derivCall(s, e)
	}
	id, ok := e.Fun.(*parser.Ident)
	if !ok {
		c.expr(s, e.Fun, nil)
		c.errorf(e.Fun, "not-callable", "only functions can be called, by name")
		c.checkArgs(s, e.Args)
		return TInvalid
	}
	o := s.lookup(id.Name)
	switch o := o.(type) {
	case nil:
		c.undefined(s, id, func(o Object) bool {
			switch o.(type) {
			case *FuncObj, *BuiltinObj:
				return true
			}
			return false
		})
	case *FuncObj:
		c.pkg.Uses[id] = o
		return c.userCall(s, e, o)
	case *BuiltinObj:
		c.pkg.Uses[id] = o
		return c.builtinCall(s, e, o.id, want)
	case *BadObj:
		c.pkg.Uses[id] = o // its declaration has a syntax error
	default:
		c.pkg.Uses[id] = o
		c.errorRel(id, o.ObjPos(), "declared here", "not-callable", "%s is not a function", id.Name)
	}
	c.checkArgs(s, e.Args)
	return TInvalid
}

func (c *checker) checkArgs(s *scope, args []parser.Expr) {
	for _, a := range args {
		c.expr(s, a, nil)
	}
}

func (c *checker) arity(e *parser.CallExpr, name string, n int) bool {
	if len(e.Args) == n {
		return true
	}
	plural := "s"
	if n == 1 {
		plural = ""
	}
	c.errorf(e, "wrong-arity", "%s takes %d argument%s, got %d", name, n, plural, len(e.Args))
	return false
}

func (c *checker) userCall(s *scope, e *parser.CallExpr, f *FuncObj) Type {
	c.signature(f)
	return c.callSig(s, e, f, f.Name, f.Params, f.Result, nil)
}

// callSig checks a call of f, or of the derivative ref of f, whose
// signature is params -> result in terms of f's size parameters.
func (c *checker) callSig(s *scope, e *parser.CallExpr, f *FuncObj, name string, params []Type, result Type, ref *derivRef) Type {
	if c.fn == nil && c.inConst {
		c.errorf(e, "not-constant", "a constant cannot call a function")
		c.checkArgs(s, e.Args)
		return TInvalid
	}
	if !c.arity(e, name, len(params)) {
		c.checkArgs(s, e.Args)
		return TInvalid
	}
	bind := map[*SizeParam]Size{}
	var checks []sizeCheck
	bad := false
	for i, a := range e.Args {
		pt := params[i]
		at := c.expr(s, a, pt)
		if isInvalid(at) || isInvalid(pt) {
			bad = true
			continue
		}
		n := len(checks)
		err := unify(pt, at, bind, f, &checks)
		for k := n; k < len(checks); k++ {
			checks[k].arg = i
		}
		if err != nil {
			if c.untypedFits(a, pt) {
				c.retype(a, pt)
				continue
			}
			msg := fmt.Sprintf("cannot use %s as %s in argument %d of %s", at, pt, i+1, name)
			if err.Error() != "mismatch" {
				msg += ": " + err.Error()
			}
			c.errorf(a, "type-mismatch", "%s", msg)
			bad = true
		}
	}
	if c.fn != nil {
		c.addCall(c.fn, f)
	}
	info := &call{fn: f, deriv: ref}
	for _, sp := range f.Sizes {
		sz, ok := bind[sp]
		if !ok {
			if !bad {
				c.errorf(e, "infer-size", "cannot infer size %s of %s from the arguments", sp.Name, name)
			}
			return TInvalid
		}
		info.sizes = append(info.sizes, sz)
	}
	// Every size is bound now: computed lengths can be compared.
	for _, k := range checks {
		if bad {
			break
		}
		if got := substSize(k.want, bind); !got.equal(k.got) {
			c.errorf(e.Args[k.arg], "type-mismatch", "argument %d of %s has length %s, but its type needs %s = %s", k.arg+1, name, k.got, k.want, got)
			bad = true
		}
	}
	if bad {
		return TInvalid
	}
	c.pkg.calls[e] = info
	if c.fn != nil {
		c.fn.sites = append(c.fn.sites, &callSite{expr: e, info: info, guarded: c.guard > 0})
	}
	return subst(result, bind)
}

func (c *checker) addCall(from, to *FuncObj) {
	for _, g := range from.calls {
		if g == to {
			return
		}
	}
	from.calls = append(from.calls, to)
}

func (c *checker) builtinCall(s *scope, e *parser.CallExpr, id builtinID, want Type) Type {
	name := builtins[id].name
	info := &call{builtin: id}
	args := make([]Type, len(e.Args))
	check := func(i int, w Type) Type {
		args[i] = c.expr(s, e.Args[i], w)
		return args[i]
	}
	invalid := func() bool {
		for _, t := range args {
			if t == nil || isInvalid(t) {
				return true
			}
		}
		return false
	}
	bad := func(i int, what string) Type {
		c.errorf(e.Args[i], "type-mismatch", "%s needs %s, not %s", name, what, args[i])
		return TInvalid
	}
	// fixed checks a builtin of n operands of kind k and gives its result
	// type res; nil after an arity error, TInvalid after another.
	fixed := func(n int, k BasicKind, res Type) Type {
		if !c.arity(e, name, n) {
			return nil
		}
		operand, what := TReal, "Real"
		if k == IntKind {
			operand, what = TInt, "Int"
		}
		for i := range e.Args {
			check(i, operand)
		}
		if invalid() {
			return TInvalid
		}
		for i := range args {
			if isKind(args[i], k) {
				continue
			}
			switch {
			case n > 1:
				return bad(i, what+" arguments")
			case k == IntKind:
				return bad(i, "an Int")
			}
			return bad(i, "a Real")
		}
		return res
	}
	var result Type
	class := builtins[id].op.Info().Class
	switch {
	case id == bClamp:
		result = fixed(3, RealKind, TReal)
	case class == ir.ClassInt2:
		result = fixed(2, IntKind, TInt)
	case class == ir.ClassRealToInt:
		result = fixed(1, RealKind, TInt)
	case class == ir.ClassReal1:
		result = fixed(1, RealKind, TReal)
	case id == bAbs:
		if !c.arity(e, name, 1) {
			break
		}
		if check(0, want); invalid() {
			return TInvalid
		}
		if !isNumeric(args[0]) {
			return bad(0, "a Real or an Int")
		}
		result = args[0]
	case class == ir.ClassReal2:
		result = fixed(2, RealKind, TReal)
	case (id == bMin || id == bMax) && len(e.Args) == 2:
		check(0, want)
		check(1, want)
		args[0], args[1] = c.unifyUntyped(e.Args[0], args[0], e.Args[1], args[1])
		if invalid() {
			return TInvalid
		}
		if !isNumeric(args[0]) || !Identical(args[0], args[1]) {
			c.errorf(e, "type-mismatch", "%s needs two Reals or two Ints, not %s and %s", name, args[0], args[1])
			return TInvalid
		}
		result = args[0]
	case id == bMin || id == bMax || id == bSum || id == bProd || id == bLen || id == bNorm:
		if !c.arity(e, name, 1) {
			break
		}
		if check(0, nil); invalid() {
			return TInvalid
		}
		a, ok := args[0].(*Array)
		switch {
		case !ok:
			return bad(0, "an array")
		case id == bLen:
			result = TInt
		case id == bNorm && !isKind(a.Elem, RealKind):
			return bad(0, "an array of Real")
		case !isNumeric(a.Elem):
			return bad(0, "an array of Real or Int")
		case (id == bMin || id == bMax) && a.Len.isConst() && a.Len.N == 0:
			c.errorf(e.Args[0], "bad-size", "%s of an empty array has no value", name)
			return TInvalid
		case id == bNorm:
			result = TReal
		default:
			result = a.Elem
		}
		info.reduceN = a.Len
	case id == bDot:
		if !c.arity(e, name, 2) {
			break
		}
		check(0, nil)
		check(1, nil)
		if invalid() {
			return TInvalid
		}
		a, ok := args[0].(*Array)
		if !ok || !isKind(a.Elem, RealKind) || !Identical(args[0], args[1]) {
			c.errorf(e, "type-mismatch", "dot needs two arrays of Real of the same length, not %s and %s", args[0], args[1])
			return TInvalid
		}
		info.reduceN = a.Len
		result = TReal
	case id == bReal:
		result = fixed(1, IntKind, TReal)
	}
	if result != nil && isInvalid(result) {
		return TInvalid
	}
	if result == nil {
		for i := range e.Args {
			if args[i] == nil {
				check(i, nil)
			}
		}
		return TInvalid
	}
	info.argType = args
	c.pkg.calls[e] = info
	return result
}

// derivativeOp returns the derivative operator named by fun, as in
// grad(f)(x) or grad(f), or nil.
func derivativeOp(fun parser.Expr) *parser.Ident {
	if c, ok := fun.(*parser.CallExpr); ok {
		fun = c.Fun
	}
	if id, ok := fun.(*parser.Ident); ok && reserved[id.Name] {
		return id
	}
	return nil
}
