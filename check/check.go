// Package check resolves names, infers and checks types and sizes, and
// lowers a checked file to the IR.
//
// Results are kept in side tables of a Package (the AST is never changed),
// every error is reported with a span and a stable code, and an Invalid type
// stops follow-on errors. Size-generic functions are checked once, with
// their size parameters abstract, and lowered once per distinct set of
// concrete sizes (see Package.Instantiate).
package check

import (
	"fmt"
	"go/token"
	"sort"
	"strings"

	"github.com/rose-go/rose/diag"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/parser"
)

// Object is anything a name can refer to.
type Object interface {
	ObjName() string
	ObjPos() token.Pos
}

// FuncObj is a user function.
type FuncObj struct {
	Name   string
	Decl   *parser.FuncDecl
	Sizes  []*SizeParam
	Params []Type
	Result Type
	Rule   *FuncObj    // the custom JVP rule declared with `jvp`, or nil
	calls  []*FuncObj  // distinct callees, in first-call order
	sites  []*callSite // the checked calls of user functions in the body
	state  int         // signature: 0 unresolved, 1 resolving, 2 done
}

// SizeParam is a size parameter `n` of a generic function.
type SizeParam struct {
	Name  string
	Pos   token.Pos
	Func  *FuncObj
	Index int
}

// ConstObj is a named constant, declared in the file or predeclared (pi,
// with no Decl).
type ConstObj struct {
	Name  string
	Decl  *parser.ConstDecl
	Type  Type
	Value *constant // folded value of a scalar constant, or nil
	state int
}

// TypeObj is a named type: a builtin, an alias or a struct.
type TypeObj struct {
	Name  string
	Pos   token.Pos
	Decl  parser.Decl // *TypeDecl, *StructDecl, or nil for builtins
	Type  Type
	state int
}

// VarObj is a local variable: a parameter, a let or var binding, or a loop
// index.
type VarObj struct {
	Name    string
	Pos     token.Pos
	Type    Type
	Mutable bool
	scope   *scope // where it was declared
	index   bool   // the index of a loop or comprehension
}

// BadObj is the name declared by a declaration whose header has a syntax
// error (a parser.BadDecl). The name stays defined, so that its uses report
// nothing more: every use of it has the Invalid type.
type BadObj struct {
	Name string
	Decl *parser.BadDecl
}

// BuiltinObj is a predeclared function.
type BuiltinObj struct {
	Name string
	id   builtinID
}

func (o *FuncObj) ObjName() string    { return o.Name }
func (o *SizeParam) ObjName() string  { return o.Name }
func (o *ConstObj) ObjName() string   { return o.Name }
func (o *TypeObj) ObjName() string    { return o.Name }
func (o *VarObj) ObjName() string     { return o.Name }
func (o *BuiltinObj) ObjName() string { return o.Name }
func (o *BadObj) ObjName() string     { return o.Name }
func (o *BadObj) ObjPos() token.Pos   { return o.Decl.Name.Pos() }
func (o *FuncObj) ObjPos() token.Pos  { return o.Decl.Name.Pos() }
func (o *SizeParam) ObjPos() token.Pos {
	return o.Pos
}
func (o *ConstObj) ObjPos() token.Pos {
	if o.Decl == nil {
		return token.NoPos // predeclared
	}
	return o.Decl.Name.Pos()
}
func (o *TypeObj) ObjPos() token.Pos    { return o.Pos }
func (o *VarObj) ObjPos() token.Pos     { return o.Pos }
func (o *BuiltinObj) ObjPos() token.Pos { return token.NoPos }

// Example is a checked `example` declaration.
type Example struct {
	Decl  *parser.ExampleDecl
	Func  *FuncObj
	Call  *parser.CallExpr
	Sizes []int // the instance's concrete sizes
}

// Package is the result of checking one file.
type Package struct {
	Fset     *token.FileSet
	File     *parser.File
	Funcs    []*FuncObj // in declaration order
	Examples []*Example
	Tests    []*Test // the test blocks, in declaration order

	// Side tables, for lowering and for tools.
	Types  map[parser.Expr]Type          // type of every checked expression
	Uses   map[*parser.Ident]Object      // what each name refers to
	Defs   map[*parser.Ident]Object      // what each declaring name declares
	calls  map[*parser.CallExpr]*call    // resolved calls
	ranges map[*parser.ForStmt]rangeInfo // checked loop and comprehension ranges
	bounds map[*parser.WhileStmt]Size    // step bounds of while loops that have one
	// dispatch holds the conditions of the ifs decided by sizes alone.
	dispatch map[*parser.IfExpr]*sizeCond

	// Selections maps a selector x.f of a struct field to the field, for
	// tools (hover, go-to-definition, references, rename on fields). The
	// field name f is also in Uses, and the names of struct literal fields
	// (S { f: v }) and of struct declarations are in Uses and Defs, each
	// as the *Field. Tuple selections x.0 are not recorded.
	Selections map[*parser.SelectorExpr]*Field

	scope     *scope
	instances map[string]*instance
	active    map[*FuncObj]int // instances of each function being lowered
	order     []*ir.Func       // lowered instances, callees first
	broken    bool             // Check reported errors; nothing is lowered
}

type call struct {
	fn      *FuncObj  // user function, or nil
	deriv   *derivRef // when the call is of a derivative of fn
	builtin builtinID // when fn == nil
	sizes   []Size    // fn's size arguments, in the caller's terms
	reduceN Size      // builtin reductions: array length
	argType []Type    // builtins: checked argument types
	exprs   []parser.Expr
	// recursive marks a call within a cycle of the call graph (see
	// checkRecursion).
	recursive bool
}

// Check type-checks f. It always returns a Package; errors are in the list,
// sorted by position.
func Check(fset *token.FileSet, f *parser.File) (pkg *Package, errs diag.List) {
	// Typical code has an expression per 5 or 6 bytes and a use of a name
	// per 13: sizing the side tables near that spares most of their growth.
	size := 0
	if tf := fset.File(f.FileEnd); tf != nil {
		size = tf.Size()
	}
	c := &checker{pkg: &Package{
		Fset: fset, File: f,
		Types: make(map[parser.Expr]Type, size/8), Uses: make(map[*parser.Ident]Object, size/24),
		Defs: map[*parser.Ident]Object{}, calls: map[*parser.CallExpr]*call{},
		ranges:    map[*parser.ForStmt]rangeInfo{},
		bounds:    map[*parser.WhileStmt]Size{},
		dispatch:  map[*parser.IfExpr]*sizeCond{},
		instances: map[string]*instance{},
		active:    map[*FuncObj]int{},
	}}
	defer func() {
		if r := recover(); r != nil {
			c.errs.Add(f.FileEnd, f.FileEnd, "internal", "internal error in checker: %v", r)
			errs = c.errs
		}
	}()
	c.run()
	sortScopes(c.pkg.Scope())
	c.errs.Sort()
	c.pkg.broken = len(c.errs) > 0 || c.sawBad
	return c.pkg, c.errs
}

type checker struct {
	pkg  *Package
	errs diag.List
	fn   *FuncObj // function whose body is being checked
	// inFor counts enclosing array comprehensions whose body may not
	// assign variables declared outside it; forScope is the innermost one.
	forScope *scope
	inConst  bool // checking a constant's initializer
	sawBad   bool // met a node that failed to parse: nothing may be lowered
	guard    int  // enclosing arms of size dispatches

	tangentOf map[*Struct]*Struct // tangent types of struct types
}

func (c *checker) errorf(n parser.Node, code, format string, args ...any) {
	c.errs.Add(n.Pos(), n.End(), code, format, args...)
}

func (c *checker) errorRel(n parser.Node, rel token.Pos, relMsg, code, format string, args ...any) {
	d := diag.Diagnostic{Pos: n.Pos(), End: n.End(), Code: code, Msg: fmt.Sprintf(format, args...)}
	if rel.IsValid() {
		d.Related = []diag.Related{{Pos: rel, Msg: relMsg}}
	}
	c.errs = append(c.errs, d)
}

func (c *checker) run() {
	pkg := c.pkg
	pkg.Selections = map[*parser.SelectorExpr]*Field{}
	var filePos token.Pos
	if tf := pkg.Fset.File(pkg.File.FileEnd); tf != nil {
		filePos = token.Pos(tf.Base())
	}
	pkg.scope = c.open(universe, filePos, pkg.File.FileEnd)
	// Collect declarations.
	for _, d := range pkg.File.Decls {
		switch d := d.(type) {
		case *parser.FuncDecl:
			o := &FuncObj{Name: d.Name.Name, Decl: d}
			if c.declare(pkg.scope, d.Name, o) {
				pkg.Funcs = append(pkg.Funcs, o)
			}
		case *parser.ConstDecl:
			c.declare(pkg.scope, d.Name, &ConstObj{Name: d.Name.Name, Decl: d})
		case *parser.TypeDecl:
			c.declare(pkg.scope, d.Name, &TypeObj{Name: d.Name.Name, Pos: d.Name.Pos(), Decl: d})
		case *parser.StructDecl:
			c.declare(pkg.scope, d.Name, &TypeObj{Name: d.Name.Name, Pos: d.Name.Pos(), Decl: d})
		}
	}
	// The names of broken declarations, unless declared validly as well.
	for _, d := range pkg.File.Decls {
		if d, ok := d.(*parser.BadDecl); ok {
			c.sawBad = true
			if d.Name != nil && pkg.scope.names[d.Name.Name] == nil {
				c.declare(pkg.scope, d.Name, &BadObj{Name: d.Name.Name, Decl: d})
			}
		}
	}
	// Resolve every declaration, then check bodies.
	for _, d := range pkg.File.Decls {
		switch d := d.(type) {
		case *parser.ConstDecl:
			if o, ok := pkg.Defs[d.Name].(*ConstObj); ok {
				c.constDecl(o)
			}
		case *parser.TypeDecl, *parser.StructDecl:
			var name *parser.Ident
			if td, ok := d.(*parser.TypeDecl); ok {
				name = td.Name
			} else {
				name = d.(*parser.StructDecl).Name
			}
			if o, ok := pkg.Defs[name].(*TypeObj); ok {
				c.typeDecl(o)
			}
		}
	}
	for _, o := range pkg.Funcs {
		c.signature(o)
	}
	for _, o := range pkg.Funcs {
		c.rule(o)
	}
	for _, o := range pkg.Funcs {
		c.funcBody(o)
	}
	c.checkRecursion()
	for _, d := range pkg.File.Decls {
		if e, ok := d.(*parser.ExampleDecl); ok {
			c.example(e)
		}
	}
	for _, d := range pkg.File.Decls {
		if t, ok := d.(*parser.TestDecl); ok {
			c.testDecl(t)
		}
	}
}

// declare adds obj to s under id's name, reporting duplicates and
// reserved words. It reports whether obj was added.
func (c *checker) declare(s *scope, id *parser.Ident, obj Object) bool {
	if id.Name == "_" {
		return false
	}
	if reserved[id.Name] {
		c.errorf(id, "reserved", "%s is reserved for derivative operators and cannot be declared", id.Name)
		return false
	}
	if prev, ok := s.names[id.Name]; ok {
		c.errorRel(id, prev.ObjPos(), "previous declaration", "duplicate", "%s is already declared in this scope", id.Name)
		return false
	}
	s.insert(id.Name, obj)
	c.pkg.Defs[id] = obj
	return true
}

// reserved names belong to the derivative operators of the language.
var reserved = map[string]bool{"grad": true, "jvp": true, "vjp": true}

func (c *checker) constDecl(o *ConstObj) {
	switch o.state {
	case 2:
		return
	case 1:
		c.errorf(o.Decl.Name, "cycle", "constant %s refers to itself", o.Name)
		o.Type = TInvalid
		return
	}
	o.state = 1
	var want Type
	if o.Decl.Type != nil {
		want = c.typeExpr(o.Decl.Type, nil)
	}
	savedFn, savedConst, savedFor := c.fn, c.inConst, c.forScope
	c.fn, c.inConst, c.forScope = nil, true, nil
	t := c.expr(newScope(c.pkg.scope), o.Decl.Value, want)
	c.fn, c.inConst, c.forScope = savedFn, savedConst, savedFor
	if want != nil {
		c.assignable(o.Decl.Value, t, want, "constant "+o.Name, typePos(o.Decl.Type))
		t = want
	}
	o.Type = t
	o.Value = c.fold(o.Decl.Value)
	o.state = 2
}

func (c *checker) typeDecl(o *TypeObj) {
	switch o.state {
	case 2:
		return
	case 1:
		c.errorf(&parser.Ident{NamePos: o.Pos, Name: o.Name}, "cycle", "type %s refers to itself", o.Name)
		o.Type = TInvalid
		return
	}
	o.state = 1
	switch d := o.Decl.(type) {
	case *parser.TypeDecl:
		o.Type = c.typeExpr(d.Type, nil)
	case *parser.StructDecl:
		st := &Struct{Name: o.Name, Pos: o.Pos}
		seen := map[string]token.Pos{}
		for _, f := range d.Fields {
			if p, dup := seen[f.Name.Name]; dup {
				c.errorRel(f.Name, p, "previous field", "duplicate", "field %s is declared twice", f.Name.Name)
				continue
			}
			seen[f.Name.Name] = f.Name.Pos()
			st.Fields = append(st.Fields, Field{Name: f.Name.Name, Type: c.typeExpr(f.Type, nil), Pos: f.Name.Pos()})
		}
		c.fieldDefs(d, st)
		o.Type = st
	}
	o.state = 2
}

// signature resolves a function's size parameters, parameter types and
// result type.
func (c *checker) signature(o *FuncObj) {
	if o.state != 0 {
		return
	}
	o.state = 1
	d := o.Decl
	sizes := newScope(c.pkg.scope)
	for i, s := range d.Sizes {
		sp := &SizeParam{Name: s.Name, Pos: s.Pos(), Func: o, Index: i}
		if c.declare(sizes, s, sp) {
			o.Sizes = append(o.Sizes, sp)
		} else {
			o.Sizes = append(o.Sizes, &SizeParam{Name: s.Name, Pos: s.Pos(), Func: o, Index: i})
		}
	}
	for _, p := range d.Params {
		o.Params = append(o.Params, c.typeExpr(p.Type, sizes))
	}
	o.Result = c.typeExpr(d.Result, sizes)
	o.state = 2
}

func (c *checker) funcBody(o *FuncObj) {
	d := o.Decl
	s := c.open(c.pkg.scope, d.Pos(), d.End())
	for _, sp := range o.Sizes {
		if sp.Name != "_" && s.names[sp.Name] == nil {
			s.insert(sp.Name, sp)
		}
	}
	for i, p := range d.Params {
		v := &VarObj{Name: p.Name.Name, Pos: p.Name.Pos(), Type: o.Params[i], scope: s}
		if c.declare(s, p.Name, v) {
			s.visibleFrom(v, d.Body.Pos())
		}
	}
	c.fn = o
	t := c.block(s, d.Body, o.Result)
	if d.Body.Result == nil && !isInvalid(t) {
		c.errorf(&parser.BadExpr{From: d.Body.Rbrace, To: d.Body.Rbrace + 1}, "missing-value", "function %s must end with an expression of type %s", o.Name, o.Result)
	} else {
		c.assignable(d.Body.Result, t, o.Result, "result of "+o.Name, typePos(d.Result))
	}
	c.fn = nil
}

// example checks `example f(args)`: a call of a user function with
// constant arguments and concrete sizes.
func (c *checker) example(d *parser.ExampleDecl) {
	call, ok := d.Call.(*parser.CallExpr)
	if !ok {
		c.errorf(d.Call, "bad-example", "an example must be a call of a function, like example f(1.0)")
		return
	}
	c.fn = nil
	t := c.expr(newScope(c.pkg.scope), call, nil)
	info := c.pkg.calls[call]
	if isInvalid(t) || info == nil {
		return
	}
	if info.fn == nil {
		c.errorf(call.Fun, "bad-example", "an example must call a function declared in this file")
		return
	}
	if info.deriv != nil {
		// An Example runs info.fn itself: a derivative would print the
		// function's value under the derivative's name.
		c.errorf(call.Fun, "bad-example", "an example must call a function declared in this file, not a derivative: wrap the derivative in a function")
		return
	}
	ex := &Example{Decl: d, Func: info.fn, Call: call}
	for _, s := range info.sizes {
		ex.Sizes = append(ex.Sizes, s.N)
	}
	c.pkg.Examples = append(c.pkg.Examples, ex)
}

// ---- Scopes

type scope struct {
	parent *scope
	names  map[string]Object
	ext    *Scope // the exported view, for a scope that covers source; or nil
}

func newScope(parent *scope) *scope { return &scope{parent: parent, names: map[string]Object{}} }

func (s *scope) insert(name string, o Object) {
	s.names[name] = o
	if s.ext != nil {
		s.ext.add(o)
	}
}

func (s *scope) lookup(name string) Object {
	for ; s != nil; s = s.parent {
		if o, ok := s.names[name]; ok {
			return o
		}
	}
	return nil
}

// suggest returns the visible name closest to name, or "".
func (s *scope) suggest(name string, want func(Object) bool) string {
	best, bestD := "", len(name)/3+1
	if bestD > 3 {
		bestD = 3
	}
	var cands []string
	for ; s != nil; s = s.parent {
		for n, o := range s.names {
			if want == nil || want(o) {
				cands = append(cands, n)
			}
		}
	}
	sort.Strings(cands)
	for _, n := range cands {
		// On a tie, a name that extends what was typed wins (sqr: sqrt, not shr).
		prefix := func(c string) bool { return strings.HasPrefix(strings.ToLower(c), strings.ToLower(name)) }
		if d := editDistance(strings.ToLower(name), strings.ToLower(n)); d < bestD || (d == 0 && n != name) ||
			(d == bestD && best != "" && prefix(n) && !prefix(best)) {
			best, bestD = n, d
		}
	}
	if best == name {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

var universe = func() *scope {
	s := newScope(nil)
	for _, t := range []*Basic{TReal, TInt, TBool} {
		s.insert(t.name, &TypeObj{Name: t.name, Type: t, state: 2})
	}
	for id := builtinID(1); id < numBuiltins; id++ {
		s.insert(builtins[id].name, &BuiltinObj{Name: builtins[id].name, id: id})
	}
	for _, k := range constants {
		s.insert(k.name, &ConstObj{Name: k.name, Type: TReal, Value: &constant{kind: RealKind, f: k.val}, state: 2})
	}
	return s
}()
