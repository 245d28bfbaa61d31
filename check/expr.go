package check

import (
	"fmt"
	"go/token"
	"math"
	"strconv"

	"github.com/rose-go/rose/diag"
	"github.com/rose-go/rose/grammar/lex"
	"github.com/rose-go/rose/parser"
)

// MaxLen is the longest array length accepted in a type or made by an
// array comprehension.
const MaxLen = 1 << 24

// MaxTrip is the largest trip count of a sequential for loop: a loop makes
// no array, so only the evaluator's step budget bounds its work. Range
// bounds, like sizes, are 32-bit; a trip count may reach 2^32 - 2.
const MaxTrip = 2*math.MaxInt32 - 0

// rangeInfo is a checked `lo..hi` of a loop or comprehension.
type rangeInfo struct {
	lo Size // first index
	n  Size // trip count, hi - lo
	// dyn marks a loop whose bounds depend on the indices of enclosing
	// loops: its trip count is known only when it runs, and lo and n are
	// unused (the lowerer computes a static bound from the bounds' ranges).
	dyn bool
}

func (c *checker) typeExpr(t parser.TypeExpr, sizes *scope) Type {
	if sizes == nil {
		sizes = c.pkg.scope
	}
	switch t := t.(type) {
	case *parser.NamedType:
		switch o := sizes.lookup(t.Name.Name).(type) {
		case *TypeObj:
			c.pkg.Uses[t.Name] = o
			if o.state == 0 || o.state == 1 {
				c.typeDecl(o)
			}
			return o.Type
		case nil:
			c.undefined(sizes, t.Name, func(o Object) bool { _, ok := o.(*TypeObj); return ok })
		case *BadObj:
			c.pkg.Uses[t.Name] = o // its declaration has a syntax error
		default:
			c.errorf(t.Name, "not-a-type", "%s is not a type", t.Name.Name)
		}
		return TInvalid
	case *parser.ArrayType:
		elem := c.typeExpr(t.Elem, sizes)
		n, ok := c.sizeExpr(sizes, t.Len, "array length")
		if !ok {
			return TInvalid
		}
		return &Array{Len: n, Elem: elem}
	case *parser.TupleType:
		tt := &Tuple{}
		for _, e := range t.Elems {
			tt.Elems = append(tt.Elems, c.typeExpr(e, sizes))
		}
		return tt
	}
	return TInvalid
}

// sizeExpr resolves an array length: an Int expression of literals, Int
// constants, size parameters and len(a) for arrays a of known length,
// combined with + - * / % and parentheses.
func (c *checker) sizeExpr(s *scope, e parser.Expr, what string) (Size, bool) {
	n, ok := c.sizeValue(s, e, what)
	if ok && n.isConst() && (n.N < 0 || n.N > MaxLen) {
		c.errorf(e, "bad-size", "array length %d is out of range [0, %d]", n.N, MaxLen)
		return Size{}, false
	}
	return n, ok
}

// sizeValue is sizeExpr without the range check: it also resolves range
// bounds, which may be negative.
func (c *checker) sizeValue(s *scope, e parser.Expr, what string) (Size, bool) {
	if id, ok := e.(*parser.Ident); ok {
		switch o := s.lookup(id.Name).(type) {
		case *SizeParam:
			c.pkg.Uses[id] = o
			c.pkg.Types[id] = TInt
			return Size{Param: o}, true
		case nil:
			if !reserved[id.Name] {
				c.errorf(id, "undefined", "undefined size %s; a function declares its sizes as parameters: fn name<%s>(...)", id.Name, id.Name)
				return Size{}, false
			}
		}
	}
	t := c.expr(s, e, TInt)
	if isInvalid(t) {
		return Size{}, false
	}
	if !isKind(t, IntKind) {
		c.errorf(e, "type-mismatch", "%s must be an Int, not %s", what, t)
		return Size{}, false
	}
	n, ok := c.sizeOf(e)
	if k := c.fold(e); !ok && k != nil && k.kind == IntKind {
		c.errorf(e, "bad-size", "%s: %d is out of range [%d, %d]", what, k.i, math.MinInt32, math.MaxInt32)
		return Size{}, false
	}
	if !ok {
		c.errorf(e, "not-constant", "%s must be known when the function is instantiated: an Int expression of constants, size parameters and len(a)", what)
		return Size{}, false
	}
	return n, true
}

// sizeOf turns a checked Int expression into a size, if it is one.
func (c *checker) sizeOf(e parser.Expr) (Size, bool) {
	if k := c.fold(e); k != nil {
		if k.kind != IntKind || k.i < math.MinInt32 || k.i > math.MaxInt32 {
			return Size{}, false
		}
		return Size{N: int(k.i)}, true
	}
	switch e := e.(type) {
	case *parser.Ident:
		if o, ok := c.pkg.Uses[e].(*SizeParam); ok {
			return Size{Param: o}, true
		}
	case *parser.ParenExpr:
		return c.sizeOf(e.X)
	case *parser.UnaryExpr:
		if e.Op == "-" {
			x, ok := c.sizeOf(e.X)
			if !ok {
				return Size{}, false
			}
			n, err := mkSize('-', Size{}, x)
			return n, err == nil
		}
	case *parser.BinaryExpr:
		switch e.Op {
		case "+", "-", "*", "/", "%":
			x, ok := c.sizeOf(e.X)
			if !ok {
				return Size{}, false
			}
			y, ok := c.sizeOf(e.Y)
			if !ok {
				return Size{}, false
			}
			n, err := mkSize(e.Op[0], x, y)
			if err != nil {
				c.errorf(e, "bad-size", "%v", err)
				return Size{}, false
			}
			return n, true
		}
	case *parser.CallExpr:
		if info := c.pkg.calls[e]; info != nil && info.fn == nil && info.builtin == bLen && len(e.Args) == 1 {
			if a, ok := c.pkg.Types[e.Args[0]].(*Array); ok {
				return a.Len, true
			}
		}
	}
	return Size{}, false
}

// rangeOf checks `lo..hi`: the trip count hi - lo must be known when the
// function is instantiated (see sizeExpr), and not negative.
//
// With dyn set (a for statement, not a comprehension), the bounds may also
// use the indices of enclosing loops and comprehensions: then the trip
// count is known only when the loop runs, and the loop is lowered to one
// over a static bound with a guarded body (see lowerer.dynLoop).
func (c *checker) rangeOf(s *scope, lo, hi parser.Expr, dyn bool) (rangeInfo, bool) {
	if dyn && (c.usesIndex(s, lo) || c.usesIndex(s, hi)) {
		ok := true
		for _, e := range []parser.Expr{lo, hi} {
			t := c.expr(s, e, TInt)
			switch {
			case isInvalid(t):
				ok = false
			case !isKind(t, IntKind):
				c.errorf(e, "type-mismatch", "a range bound must be an Int, not %s", t)
				ok = false
			case !c.bounded(e):
				c.errorf(e, "not-constant", "no static bound for this range: its bounds may use constants, size parameters, len(a), the indices of enclosing loops, + - * and / or %% by a constant, nothing known only at run time")
				ok = false
			}
		}
		return rangeInfo{dyn: true}, ok
	}
	l, ok := c.sizeValue(s, lo, "range start")
	if !ok {
		return rangeInfo{}, false
	}
	h, ok := c.sizeValue(s, hi, "range end (a trip count fixed before the loop runs)")
	if !ok {
		return rangeInfo{}, false
	}
	n, err := mkSize('-', h, l)
	if err != nil {
		return rangeInfo{}, false
	}
	if n.isConst() && n.N < 0 {
		c.errorf(hi, "bad-range", "range end %s is before its start %s", h, l)
		return rangeInfo{}, false
	}
	if n.isConst() && n.N > MaxTrip {
		c.errorf(hi, "bad-size", "range of %d steps is longer than %d", n.N, MaxTrip)
		return rangeInfo{}, false
	}
	return rangeInfo{lo: l, n: n}, true
}

// usesIndex reports whether e names the index of an enclosing loop or
// comprehension.
func (c *checker) usesIndex(s *scope, e parser.Expr) bool {
	found := false
	parser.Inspect(e, func(n parser.Node) bool {
		if id, ok := n.(*parser.Ident); ok {
			if v, ok := s.lookup(id.Name).(*VarObj); ok && v.index {
				found = true
			}
		}
		return !found
	})
	return found
}

// bounded reports whether the checked Int expression e has a static range
// once sizes are known: see lowerer.interval, which computes it.
func (c *checker) bounded(e parser.Expr) bool {
	if _, ok := c.sizeOf(e); ok {
		return true
	}
	switch e := e.(type) {
	case *parser.Ident:
		v, ok := c.pkg.Uses[e].(*VarObj)
		return ok && v.index
	case *parser.ParenExpr:
		return c.bounded(e.X)
	case *parser.UnaryExpr:
		return e.Op == "-" && c.bounded(e.X)
	case *parser.BinaryExpr:
		switch e.Op {
		case "+", "-", "*":
			return c.bounded(e.X) && c.bounded(e.Y)
		case "/", "%":
			k := c.fold(e.Y)
			return c.bounded(e.X) && k != nil && k.kind == IntKind && k.i > 0
		}
	}
	return false
}

func (c *checker) undefined(s *scope, id *parser.Ident, want func(Object) bool) {
	if lex.IsKeyword(id.Name) {
		c.sawBad = true // the parser reported a keyword used as a name
		return
	}
	if reserved[id.Name] {
		c.errorf(id, "not-a-value", "%s is a derivative operator: apply it to a function and call the result, as in %s(f)(x)", id.Name, id.Name)
		return
	}
	msg := "undefined: " + id.Name
	if sug := s.suggest(id.Name, want); sug != "" {
		msg += "; did you mean " + sug + "?"
	}
	c.errorf(id, "undefined", "%s", msg)
}

func (c *checker) block(s *scope, b *parser.Block, want Type) Type {
	inner := c.openBlock(s, b)
	for _, st := range b.Stmts {
		c.stmt(inner, st)
	}
	if b.Result == nil {
		if endsBroken(b) {
			return TInvalid // the result may be in what failed to parse
		}
		return TUnit
	}
	return c.expr(inner, b.Result, want)
}

// endsBroken reports whether b's last statement has a syntax error: a
// BadStmt, or a let whose value is a BadExpr.
func endsBroken(b *parser.Block) bool {
	if len(b.Stmts) == 0 {
		return false
	}
	switch st := b.Stmts[len(b.Stmts)-1].(type) {
	case *parser.BadStmt:
		return true
	case *parser.LetStmt:
		_, bad := st.Value.(*parser.BadExpr)
		return bad
	case *parser.AssignStmt:
		// `let = v` parses as an assignment to a variable named let; the
		// parser reported the keyword.
		return lex.IsKeyword(st.Target.Name)
	}
	return false
}

func (c *checker) stmt(s *scope, st parser.Stmt) {
	switch st := st.(type) {
	case *parser.LetStmt:
		c.let(s, st)
	case *parser.AssignStmt:
		c.assign(s, st)
	case *parser.ForStmt:
		r, ok := c.rangeOf(s, st.Lo, st.Hi, true)
		if ok {
			c.pkg.ranges[st] = r
		}
		body := c.openBlock(s, st.Body)
		c.declare(body, st.Index, &VarObj{Name: st.Index.Name, Pos: st.Index.Pos(), Type: TInt, scope: body, index: true})
		if t := c.block(body, st.Body, nil); !isKind(t, UnitKind) && !isInvalid(t) {
			c.errorf(st.Body.Result, "unused-value", "a loop body must not end with a value (it has type %s); assign it to a var", t)
		}
	case *parser.WhileStmt:
		c.whileStmt(s, st)
	case *parser.ExprStmt:
		if t := c.expr(s, st.X, nil); !isKind(t, UnitKind) && !isInvalid(t) {
			c.errorf(st.X, "unused-value", "value of type %s is not used", t)
		}
	case *parser.AssertStmt:
		c.misplacedAssert(s, st)
	case *parser.BadStmt:
		c.sawBad = true
	}
}

// whileStmt checks `while cond max bound { body }`: a Bool condition, a
// bound known at instantiation and at least 1, and a body without value.
func (c *checker) whileStmt(s *scope, st *parser.WhileStmt) {
	if ct := c.expr(s, st.Cond, TBool); !isInvalid(ct) && !isKind(ct, BoolKind) {
		c.errorf(st.Cond, "type-mismatch", "condition must be a Bool, not %s", ct)
	}
	if st.Max != nil {
		if n, ok := c.sizeExpr(s, st.Max, "the step bound of a while loop"); ok {
			if n.isConst() && n.N < 1 {
				c.errorf(st.Max, "bad-size", "the step bound of a while loop must be at least 1, not %d", n.N)
			} else {
				c.pkg.bounds[st] = n
			}
		}
	}
	if t := c.block(newScope(s), st.Body, nil); !isKind(t, UnitKind) && !isInvalid(t) {
		c.errorf(st.Body.Result, "unused-value", "a loop body must not end with a value (it has type %s); assign it to a var", t)
	}
}

func (c *checker) let(s *scope, st *parser.LetStmt) {
	var want Type
	if st.Type != nil {
		want = c.typeExpr(st.Type, s)
	}
	t := c.expr(s, st.Value, want)
	if want != nil {
		c.assignable(st.Value, t, want, "this binding", typePos(st.Type))
		t = want
	}
	if isKind(t, UnitKind) {
		c.errorf(st.Value, "missing-value", "this expression has no value")
		t = TInvalid
	}
	if !st.Tuple {
		v := &VarObj{Name: st.Names[0].Name, Pos: st.Names[0].Pos(), Type: t, Mutable: st.Var, scope: s}
		if c.declare(s, st.Names[0], v) {
			s.visibleFrom(v, st.End())
		}
		return
	}
	tt, ok := t.(*Tuple)
	if !ok || len(tt.Elems) != len(st.Names) {
		if !isInvalid(t) {
			c.errorf(st.Value, "type-mismatch", "cannot destructure %s into %d names", t, len(st.Names))
		}
		tt = &Tuple{}
		for range st.Names {
			tt.Elems = append(tt.Elems, TInvalid)
		}
	}
	for i, n := range st.Names {
		v := &VarObj{Name: n.Name, Pos: n.Pos(), Type: tt.Elems[i], scope: s}
		if c.declare(s, n, v) {
			s.visibleFrom(v, st.End())
		}
	}
}

func (c *checker) assign(s *scope, st *parser.AssignStmt) {
	if st.Target.Name == "_" { // the parser already reported a bad target
		c.expr(s, st.Value, nil)
		return
	}
	o := s.lookup(st.Target.Name)
	v, ok := o.(*VarObj)
	if o == nil {
		c.undefined(s, st.Target, nil)
	} else if !ok || !v.Mutable {
		c.errorRel(st.Target, o.ObjPos(), "declared here", "not-assignable", "cannot assign to %s: only variables declared with var can change", st.Target.Name)
	} else if c.forScope != nil && !c.forScope.encloses(v.scope) {
		c.errorRel(st.Target, v.Pos, "declared here", "not-assignable", "cannot assign to %s inside an array comprehension: its elements are computed independently; use a for loop", st.Target.Name)
	}
	var want Type = TInvalid
	if ok {
		c.pkg.Uses[st.Target] = v
		want = v.Type
	}
	var target parser.Expr = st.Target
	if st.Place != nil && o != nil {
		// An element or field update: the place is typed as a read of it.
		target = st.Place
		if pt := c.expr(s, st.Place, nil); ok {
			want = pt
		}
	}
	t := c.expr(s, st.Value, want)
	if st.Op != "=" {
		t = c.arith(st.Op[:1], target, want, st.Value, t, st.Value)
	}
	var rel token.Pos
	if o != nil {
		rel = o.ObjPos()
	}
	c.assignable(st.Value, t, want, "assignment to "+placeName(target), rel)
}

// placeName is the source form of a simple assignment target, for
// messages: a, a[...], p.x.
func placeName(e parser.Expr) string {
	switch e := e.(type) {
	case *parser.Ident:
		return e.Name
	case *parser.IndexExpr:
		return placeName(e.X) + "[...]"
	case *parser.SelectorExpr:
		return placeName(e.X) + "." + e.Sel.Name
	}
	return "this place"
}

// encloses reports whether inner is s or nested inside it.
func (s *scope) encloses(inner *scope) bool {
	for ; inner != nil; inner = inner.parent {
		if inner == s {
			return true
		}
	}
	return false
}

// typePos is where a written type begins, or NoPos when there is none.
func typePos(t parser.TypeExpr) token.Pos {
	if t == nil {
		return token.NoPos
	}
	return t.Pos()
}

// assignable reports a mismatch between the type t of e and want. The
// diagnostic points also at where want comes from (rel), when known: a
// declared result, binding, variable or field type.
func (c *checker) assignable(e parser.Expr, t, want Type, context string, rel token.Pos) {
	if isInvalid(t) || isInvalid(want) || Identical(t, want) {
		return
	}
	if c.untypedFits(e, want) {
		c.retype(e, want)
		return
	}
	c.errorRel(e, rel, fmt.Sprintf("%s is declared here", want), "type-mismatch", "cannot use %s as %s in %s", t, want, context)
}

func (c *checker) record(e parser.Expr, t Type) Type {
	c.pkg.Types[e] = t
	return t
}

// expr checks e, using want (which may be nil) only to type literals.
func (c *checker) expr(s *scope, e parser.Expr, want Type) Type {
	return c.record(e, c.expr1(s, e, want))
}

func (c *checker) expr1(s *scope, e parser.Expr, want Type) Type {
	switch e := e.(type) {
	case *parser.BadExpr:
		c.sawBad = true
		return TInvalid
	case *parser.Ident:
		return c.ident(s, e)
	case *parser.NumberLit:
		if e.IsInt {
			if _, err := strconv.ParseInt(e.Value, 10, 64); err != nil {
				c.errorf(e, "bad-literal", "integer %s does not fit in 64 bits", e.Value)
				return TInvalid
			}
			if isKind(want, RealKind) {
				return TReal
			}
			return TInt
		}
		if f, err := strconv.ParseFloat(e.Value, 64); err != nil || math.IsInf(f, 0) {
			c.errorf(e, "bad-literal", "number %s is out of range for Real", e.Value)
			return TInvalid
		}
		return TReal
	case *parser.BoolLit:
		return TBool
	case *parser.ParenExpr:
		return c.expr(s, e.X, want)
	case *parser.UnaryExpr:
		t := c.expr(s, e.X, want)
		if isInvalid(t) {
			return t
		}
		if e.Op == "!" {
			if !isKind(t, BoolKind) {
				c.errorf(e, "invalid-op", "operator ! needs a Bool, not %s", t)
				return TInvalid
			}
			return t
		}
		if !isNumeric(t) && !isRealArray(t) {
			c.errorf(e, "invalid-op", "operator - needs a number or an array of Real, not %s", t)
			return TInvalid
		}
		return t
	case *parser.BinaryExpr:
		return c.binary(s, e, want)
	case *parser.TupleExpr:
		wt, _ := want.(*Tuple)
		tt := &Tuple{}
		for i, x := range e.Elems {
			var w Type
			if wt != nil && i < len(wt.Elems) {
				w = wt.Elems[i]
			}
			tt.Elems = append(tt.Elems, c.expr(s, x, w))
		}
		return tt
	case *parser.ArrayLit:
		return c.arrayLit(s, e, want)
	case *parser.ForExpr:
		return c.comprehension(s, e, want)
	case *parser.StructLit:
		return c.structLit(s, e)
	case *parser.IndexExpr:
		return c.index(s, e)
	case *parser.SelectorExpr:
		return c.selector(s, e)
	case *parser.CallExpr:
		return c.call(s, e, want)
	case *parser.IfExpr:
		return c.ifExpr(s, e, want)
	case *parser.Block:
		return c.block(s, e, want)
	}
	c.errorf(e, "internal", "unexpected expression %T", e)
	return TInvalid
}

func (c *checker) ident(s *scope, e *parser.Ident) Type {
	o := s.lookup(e.Name)
	if o == nil {
		c.undefined(s, e, func(o Object) bool {
			switch o.(type) {
			case *VarObj, *ConstObj, *SizeParam:
				return true
			}
			return false
		})
		return TInvalid
	}
	c.pkg.Uses[e] = o
	switch o := o.(type) {
	case *VarObj:
		return o.Type
	case *ConstObj:
		c.constDecl(o)
		return o.Type
	case *SizeParam:
		return TInt
	case *FuncObj, *BuiltinObj:
		c.errorf(e, "not-a-value", "%s is a function; call it with (...)", e.Name)
	case *TypeObj:
		c.errorf(e, "not-a-value", "%s is a type, not a value", e.Name)
	}
	return TInvalid
}

func (c *checker) binary(s *scope, e *parser.BinaryExpr, want Type) Type {
	switch e.Op {
	case "&&", "||":
		tx := c.expr(s, e.X, TBool)
		ty := c.expr(s, e.Y, TBool)
		for _, p := range []struct {
			x parser.Expr
			t Type
		}{{e.X, tx}, {e.Y, ty}} {
			if !isInvalid(p.t) && !isKind(p.t, BoolKind) {
				c.errorf(p.x, "invalid-op", "operator %s needs Bool operands, not %s", e.Op, p.t)
			}
		}
		return TBool
	case "==", "!=", "<", "<=", ">", ">=":
		tx := c.expr(s, e.X, nil)
		ty := c.expr(s, e.Y, nil)
		tx, ty = c.unifyUntyped(e.X, tx, e.Y, ty)
		if isInvalid(tx) || isInvalid(ty) {
			return TBool
		}
		ok := Identical(tx, ty) && (isNumeric(tx) || (isKind(tx, BoolKind) && (e.Op == "==" || e.Op == "!=")))
		if !ok {
			c.errorf(e, "invalid-op", "cannot compare %s %s %s", tx, e.Op, ty)
		}
		return TBool
	}
	var hint Type
	if isNumeric(want) || isRealArray(want) {
		hint = want
		if isRealArray(want) {
			hint = TReal
		}
	}
	if x, ok := e.X.(*parser.BinaryExpr); ok && arithmetic(x.Op) {
		return c.chain(s, e, hint)
	}
	tx := c.expr(s, e.X, hint)
	ty := c.expr(s, e.Y, hint)
	return c.arith(e.Op, e.X, tx, e.Y, ty, e)
}

// arithmetic reports whether a binary operator is typed by arith (binary's
// other cases are the logical and comparison operators).
func arithmetic(op string) bool {
	switch op {
	case "&&", "||", "==", "!=", "<", "<=", ">", ">=":
		return false
	}
	return true
}

// leftSpine lists e and the arithmetic expressions down its left
// operands: for a + b + c, the outer + and then a + b.
func leftSpine(e *parser.BinaryExpr) []*parser.BinaryExpr {
	spine := []*parser.BinaryExpr{e}
	for {
		x, ok := spine[len(spine)-1].X.(*parser.BinaryExpr)
		if !ok || !arithmetic(x.Op) {
			return spine
		}
		spine = append(spine, x)
	}
}

// chain types the arithmetic expression e whose left operand is one too,
// as in a + b + ... + z, walking down the chain in a loop rather than by
// recursion as deep as the chain (whose stack the garbage collector would
// scan at every cycle). The order of checking, and so of errors, is the
// recursion's: the leftmost operand first, then each right operand.
func (c *checker) chain(s *scope, e *parser.BinaryExpr, hint Type) Type {
	spine := leftSpine(e)
	tx := c.expr(s, spine[len(spine)-1].X, hint)
	for k := len(spine) - 1; ; k-- {
		n := spine[k]
		ty := c.expr(s, n.Y, hint)
		t := c.arith(n.Op, n.X, tx, n.Y, ty, n)
		if k == 0 {
			return t
		}
		tx = c.record(n, t) // what c.expr does for the operand
	}
}

// arith types x op y for an arithmetic operator.
func (c *checker) arith(op string, x parser.Node, tx Type, y parser.Expr, ty Type, at parser.Node) Type {
	if xe, ok := x.(parser.Expr); ok {
		tx, ty = c.unifyUntyped(xe, tx, y, ty)
	}
	if isInvalid(tx) || isInvalid(ty) {
		return TInvalid
	}
	switch {
	case isKind(tx, IntKind) && isKind(ty, IntKind):
		return TInt
	case isKind(tx, RealKind) && isKind(ty, RealKind) && op != "%":
		return TReal
	case op == "%":
		c.errorf(at, "invalid-op", "operator %% needs Int operands, not %s and %s", tx, ty)
		return TInvalid
	case isRealArray(tx) && Identical(tx, ty):
		return tx
	case isRealArray(tx) && isKind(ty, RealKind):
		return tx
	case isKind(tx, RealKind) && isRealArray(ty):
		return ty
	}
	if _, ok := tx.(*Array); ok && Identical(tx, ty) {
		c.errorf(at, "invalid-op", "operator %s works elementwise on arrays of Real only, not %s", op, tx)
		return TInvalid
	}
	msg := "mismatched types %s and %s for %s"
	if (isKind(tx, IntKind) && isKind(ty, RealKind)) || (isKind(tx, RealKind) && isKind(ty, IntKind)) {
		msg += "; convert the Int with real(...)"
	}
	d := diag.Diagnostic{Pos: at.Pos(), End: at.End(), Code: "type-mismatch", Msg: fmt.Sprintf(msg, tx, ty, op)}
	d.Related = []diag.Related{{Pos: x.Pos(), Msg: fmt.Sprintf("this is %s", tx)}, {Pos: y.Pos(), Msg: fmt.Sprintf("this is %s", ty)}}
	c.errs = append(c.errs, d)
	return TInvalid
}

// unifyUntyped lets an untyped integer expression take the Real type of the
// other operand.
func (c *checker) unifyUntyped(x parser.Expr, tx Type, y parser.Expr, ty Type) (Type, Type) {
	fix := func(e parser.Expr, te, other Type) Type {
		switch {
		case Identical(te, other) || !c.untyped(e): // the cheap test first: untyped walks e
		case isKind(te, IntKind) && (isKind(other, RealKind) || isRealArray(other)):
			c.retype(e, TReal)
			return TReal
		case c.untypedFits(e, other):
			c.retype(e, other)
			return other
		}
		return te
	}
	tx = fix(x, tx, ty)
	ty = fix(y, ty, tx)
	return tx, ty
}

// untyped reports whether e is built only from integer literals, so that
// it may become Real where a Real is needed.
func (c *checker) untyped(e parser.Expr) bool {
	switch e := e.(type) {
	case *parser.NumberLit:
		return e.IsInt
	case *parser.ParenExpr:
		return c.untyped(e.X)
	case *parser.UnaryExpr:
		return e.Op == "-" && c.untyped(e.X)
	case *parser.BinaryExpr:
		switch e.Op {
		case "+", "-", "*", "/":
			return c.untyped(e.X) && c.untyped(e.Y)
		}
	case *parser.ArrayLit:
		for _, x := range e.Elems {
			if !c.untyped(x) {
				return false
			}
		}
		return len(e.Elems) > 0
	}
	return false
}

// untypedFits reports whether untyped e can take type want.
func (c *checker) untypedFits(e parser.Expr, want Type) bool {
	if !c.untyped(e) {
		return false
	}
	for {
		p, ok := e.(*parser.ParenExpr)
		if !ok {
			break
		}
		e = p.X
	}
	if a, ok := e.(*parser.ArrayLit); ok {
		wa, ok := want.(*Array)
		if !ok || !wa.Len.isConst() || wa.Len.N != len(a.Elems) {
			return false
		}
		for _, x := range a.Elems {
			if !c.untypedFits(x, wa.Elem) {
				return false
			}
		}
		return true
	}
	return isKind(want, RealKind)
}

// retype gives the untyped expression e the type t (Real, or an array of
// Real for array literals). An untyped division then divides reals: 1/2 is
// 0.5 where a Real is expected.
func (c *checker) retype(e parser.Expr, t Type) {
	c.pkg.Types[e] = t
	switch e := e.(type) {
	case *parser.ParenExpr:
		c.retype(e.X, t)
	case *parser.UnaryExpr:
		c.retype(e.X, t)
	case *parser.BinaryExpr:
		c.retype(e.X, t)
		c.retype(e.Y, t)
	case *parser.ArrayLit:
		if a, ok := t.(*Array); ok {
			for _, x := range e.Elems {
				c.retype(x, a.Elem)
			}
		}
	}
}

func (c *checker) arrayLit(s *scope, e *parser.ArrayLit, want Type) Type {
	var welem Type
	if wa, ok := want.(*Array); ok {
		welem = wa.Elem
	}
	if len(e.Elems) == 0 {
		if want != nil && isInvalid(want) {
			return TInvalid // the expected type already has an error
		}
		if welem == nil {
			c.errorf(e, "infer-type", "cannot infer the element type of an empty array")
			return TInvalid
		}
		return &Array{Len: Size{N: 0}, Elem: welem}
	}
	ts := make([]Type, len(e.Elems))
	var elem Type
	for i, x := range e.Elems {
		ts[i] = c.expr(s, x, welem)
		if elem == nil || (isKind(elem, IntKind) && !isInvalid(ts[i]) && !isKind(ts[i], IntKind)) {
			elem = ts[i]
		}
	}
	for i, x := range e.Elems {
		if isInvalid(ts[i]) || isInvalid(elem) || Identical(ts[i], elem) {
			continue
		}
		if c.untypedFits(x, elem) {
			c.retype(x, elem)
			continue
		}
		c.errorf(x, "type-mismatch", "array element has type %s, but the first element has type %s", ts[i], elem)
		return TInvalid
	}
	if isKind(elem, UnitKind) {
		c.errorf(e, "missing-value", "array elements must have values")
		return TInvalid
	}
	return &Array{Len: Size{N: len(e.Elems)}, Elem: elem}
}

func (c *checker) comprehension(s *scope, e *parser.ForExpr, want Type) Type {
	loop := e.Loop
	r, ok := c.rangeOf(s, loop.Lo, loop.Hi, false)
	if ok && r.n.isConst() && r.n.N > MaxLen {
		c.errorf(loop.Hi, "bad-size", "an array comprehension over %d steps makes an array of %d elements; the limit is %d (a for loop has no such limit)", r.n.N, r.n.N, MaxLen)
		ok = false
	}
	if ok {
		c.pkg.ranges[loop] = r
	}
	body := c.openBlock(s, loop.Body)
	c.declare(body, loop.Index, &VarObj{Name: loop.Index.Name, Pos: loop.Index.Pos(), Type: TInt, scope: body, index: true})
	var welem Type
	if wa, ok := want.(*Array); ok {
		welem = wa.Elem
	}
	saved := c.forScope
	c.forScope = body
	elem := c.block(body, loop.Body, welem)
	c.forScope = saved
	if isKind(elem, UnitKind) {
		c.errorf(loop.Body, "missing-value", "the body of an array comprehension must end with the element's value")
		return TInvalid
	}
	if !ok || isInvalid(elem) {
		return TInvalid
	}
	return &Array{Len: r.n, Elem: elem}
}

func (c *checker) structLit(s *scope, e *parser.StructLit) Type {
	o, _ := s.lookup(e.Type.Name).(*TypeObj)
	if o == nil {
		switch s.lookup(e.Type.Name).(type) {
		case *BadObj: // its declaration has a syntax error
		case nil:
			c.undefined(s, e.Type, func(o Object) bool { _, ok := o.(*TypeObj); return ok })
		default:
			c.errorf(e.Type, "not-a-type", "%s is not a struct type", e.Type.Name)
		}
		for _, f := range e.Fields {
			c.expr(s, f.Value, nil)
		}
		return TInvalid
	}
	c.pkg.Uses[e.Type] = o
	st, ok := o.Type.(*Struct)
	if !ok {
		c.errorf(e.Type, "not-a-type", "%s is not a struct type", e.Type.Name)
		return TInvalid
	}
	seen := make([]bool, len(st.Fields))
	for _, f := range e.Fields {
		i := st.field(f.Name.Name)
		if i < 0 {
			c.unknownField(f.Name, st)
			c.expr(s, f.Value, nil)
			continue
		}
		if seen[i] {
			c.errorf(f.Name, "duplicate", "field %s is given twice", f.Name.Name)
		}
		seen[i] = true
		c.pkg.Uses[f.Name] = &st.Fields[i]
		t := c.expr(s, f.Value, st.Fields[i].Type)
		c.assignable(f.Value, t, st.Fields[i].Type, "field "+f.Name.Name, st.Fields[i].Pos)
	}
	var missing []string
	for i, ok := range seen {
		if !ok {
			missing = append(missing, st.Fields[i].Name)
		}
	}
	if len(missing) > 0 {
		c.errorf(e, "missing-field", "missing fields of %s: %v", st.Name, missing)
	}
	return st
}

func (c *checker) unknownField(id *parser.Ident, st *Struct) {
	fs := newScope(nil)
	for _, f := range st.Fields {
		fs.insert(f.Name, &VarObj{Name: f.Name})
	}
	msg := st.Name + " has no field " + id.Name
	if sug := fs.suggest(id.Name, nil); sug != "" {
		msg += "; did you mean " + sug + "?"
	}
	c.errorf(id, "unknown-field", "%s", msg)
}

func (c *checker) index(s *scope, e *parser.IndexExpr) Type {
	xt := c.expr(s, e.X, nil)
	it := c.expr(s, e.Index, TInt)
	if isInvalid(xt) || isInvalid(it) {
		return TInvalid
	}
	a, ok := xt.(*Array)
	if !ok {
		c.errorf(e.X, "invalid-op", "cannot index a value of type %s", xt)
		return TInvalid
	}
	if !isKind(it, IntKind) {
		c.errorf(e.Index, "type-mismatch", "index must be an Int, not %s", it)
		return TInvalid
	}
	if k := c.fold(e.Index); k != nil && a.Len.isConst() && (k.i < 0 || k.i >= int64(a.Len.N)) {
		c.errorf(e.Index, "index-range", "index %d is out of range for %s", k.i, xt)
	}
	return a.Elem
}

func (c *checker) selector(s *scope, e *parser.SelectorExpr) Type {
	xt := c.expr(s, e.X, nil)
	if e.Sel.Name == "" {
		// `x.` with the field missing, which the parser reported: x is
		// checked (an editor completes its fields), the selection is
		// Invalid.
		c.sawBad = true
		return TInvalid
	}
	if isInvalid(xt) {
		return TInvalid
	}
	switch t := xt.(type) {
	case *Struct:
		i := t.field(e.Sel.Name)
		if i < 0 {
			c.unknownField(e.Sel, t)
			return TInvalid
		}
		c.pkg.Selections[e] = &t.Fields[i]
		c.pkg.Uses[e.Sel] = &t.Fields[i]
		return t.Fields[i].Type
	case *Tuple:
		i, err := strconv.Atoi(e.Sel.Name)
		if err != nil || i < 0 || i >= len(t.Elems) {
			c.errorf(e.Sel, "unknown-field", "%s has no field %s (tuple fields are .0 to .%d)", t, e.Sel.Name, len(t.Elems)-1)
			return TInvalid
		}
		return t.Elems[i]
	}
	c.errorf(e.Sel, "unknown-field", "%s has no fields", xt)
	return TInvalid
}

func (c *checker) ifExpr(s *scope, e *parser.IfExpr, want Type) Type {
	ct := c.expr(s, e.Cond, TBool)
	if !isInvalid(ct) && !isKind(ct, BoolKind) {
		c.errorf(e.Cond, "type-mismatch", "condition must be a Bool, not %s", ct)
	}
	if k := c.sizeCond(e.Cond); k != nil {
		c.pkg.dispatch[e] = k
		c.guard++
		defer func() { c.guard-- }()
	}
	tt := c.block(s, e.Then, want)
	if e.Else == nil {
		if !isKind(tt, UnitKind) && !isInvalid(tt) {
			c.errorf(e, "missing-else", "an if that produces a value (%s) needs an else branch", tt)
			return TInvalid
		}
		return TUnit
	}
	w := want
	if w == nil {
		w = tt
	}
	et := c.expr(s, e.Else, w)
	thenRes, elseRes := parser.Expr(e.Then.Result), elseResult(e.Else)
	if thenRes != nil && elseRes != nil {
		tt, et = c.unifyUntyped(thenRes, tt, elseRes, et)
	}
	if isInvalid(tt) || isInvalid(et) {
		return TInvalid
	}
	if !Identical(tt, et) {
		d := diag.Diagnostic{Pos: e.Pos(), End: e.End(), Code: "type-mismatch", Msg: fmt.Sprintf("if branches have different types: %s and %s", tt, et)}
		if thenRes != nil && elseRes != nil {
			d.Related = []diag.Related{{Pos: thenRes.Pos(), Msg: fmt.Sprintf("this branch is %s", tt)}, {Pos: elseRes.Pos(), Msg: fmt.Sprintf("this branch is %s", et)}}
		}
		c.errs = append(c.errs, d)
		return TInvalid
	}
	return tt
}

func elseResult(e parser.Expr) parser.Expr {
	if b, ok := e.(*parser.Block); ok {
		return b.Result
	}
	return nil
}
