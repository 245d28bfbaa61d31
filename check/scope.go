package check

import (
	"go/token"
	"sort"

	"github.com/rose-go/rose/parser"
)

// This file holds the side tables that serve tools rather than lowering: the
// scope tree (for completion: which names are visible at the cursor) and
// struct fields as objects (for go-to-definition, references and rename on
// fields). They are filled while checking and never read by the checker.

// ObjName makes a struct field an Object, so that a field can stand in Uses
// and Defs like any other name and editor tools need no special case for it.
func (f *Field) ObjName() string { return f.Name }

// ObjPos is the position of the field's name in its struct declaration.
// The field of a tangent struct (the type of a derivative of a struct
// value) is a distinct *Field with the position of the field it derives
// from, so tools that gather the references of a field should compare
// fields by ObjPos rather than by pointer.
func (f *Field) ObjPos() token.Pos { return f.Pos }

// Scope is a region of the source and the names declared in it, for tools:
// a language server asks ScopeAt(cursor).Names(cursor) for completion. The
// tree is, from the outside in: the universe (builtin types, functions and
// constants; no span), the file (every top-level declaration), a function
// (its size parameters, and its parameters, visible in the body), the body
// of a for loop or array comprehension (its index), each block `{ ... }`
// (its let and var bindings, each visible only after its statement), and a
// test body. A Scope is read-only once Check has returned.
type Scope struct {
	parent   *Scope
	children []*Scope
	pos, end token.Pos
	objs     []Object    // in declaration order
	from     []token.Pos // objs[i] is visible at positions >= from[i]
}

// Parent is the enclosing scope, or nil for the universe.
func (s *Scope) Parent() *Scope { return s.parent }

// Children are the scopes directly nested in s, in source order. The
// universe lists none.
func (s *Scope) Children() []*Scope { return s.children }

// Pos is the first position the scope covers (token.NoPos for the universe).
func (s *Scope) Pos() token.Pos { return s.pos }

// End is just past the last position the scope covers (token.NoPos for the
// universe).
func (s *Scope) End() token.Pos { return s.end }

// Contains reports whether pos is inside the scope's span; the universe
// contains every position.
func (s *Scope) Contains(pos token.Pos) bool {
	if s.parent == nil {
		return true
	}
	return s.pos <= pos && pos < s.end
}

// Objects lists the objects declared directly in s, in declaration order,
// whatever their visibility.
func (s *Scope) Objects() []Object { return s.objs }

// Names lists the objects declared in s and its parents that are visible at
// pos, innermost scope first and in declaration order within a scope. A
// name shadowed by an inner declaration visible at pos is left out; a let
// or var binding is visible only after its statement, so at a position
// inside or before it the outer binding of the same name is listed.
func (s *Scope) Names(pos token.Pos) []Object {
	var out []Object
	seen := map[string]bool{}
	for ; s != nil; s = s.parent {
		for i, o := range s.objs {
			if pos < s.from[i] || seen[o.ObjName()] {
				continue
			}
			seen[o.ObjName()] = true
			out = append(out, o)
		}
	}
	return out
}

// Lookup is the object that name refers to at pos, seen from s, or nil.
func (s *Scope) Lookup(name string, pos token.Pos) Object {
	for ; s != nil; s = s.parent {
		for i, o := range s.objs {
			if o.ObjName() == name && pos >= s.from[i] {
				return o
			}
		}
	}
	return nil
}

func (s *Scope) add(o Object) {
	s.objs = append(s.objs, o)
	s.from = append(s.from, s.pos)
}

// Scope is the file scope of p: the top-level declarations. Its parent is
// the universe.
func (p *Package) Scope() *Scope {
	if p.scope == nil || p.scope.ext == nil {
		return universeScope
	}
	return p.scope.ext
}

// ScopeAt is the innermost scope that contains pos: a block, a loop or
// comprehension body, a function, or, when pos is in none of these, the
// file scope.
func (p *Package) ScopeAt(pos token.Pos) *Scope {
	s := p.Scope()
descend:
	for {
		for _, k := range s.children {
			if k.Contains(pos) {
				s = k
				continue descend
			}
		}
		return s
	}
}

// Universe is the scope of the predeclared names: the types Real, Int and
// Bool, the builtin functions and the constant pi. BuiltinSignature gives
// the signature of each function and constant.
func Universe() *Scope { return universeScope }

var universeScope = func() *Scope {
	u := &Scope{}
	for _, t := range []*Basic{TReal, TInt, TBool} {
		u.add(universe.names[t.name])
	}
	for id := builtinID(1); id < numBuiltins; id++ {
		u.add(universe.names[builtins[id].name])
	}
	for _, k := range constants {
		u.add(universe.names[k.name])
	}
	universe.ext = u
	return u
}()

// BuiltinSignature is the signature of a predeclared function or constant,
// as shown for completion and hover ("sqrt(x: Real) -> Real"), or "" when
// name is not one.
func BuiltinSignature(name string) string {
	if o, ok := universe.names[name].(*BuiltinObj); ok {
		return builtins[o.id].doc
	}
	for _, k := range constants {
		if k.name == name {
			return k.doc
		}
	}
	return ""
}

// open makes a scope nested in parent that covers [pos, end) and shows in
// the scope tree.
func (c *checker) open(parent *scope, pos, end token.Pos) *scope {
	s := newScope(parent)
	var up *Scope
	for p := parent; p != nil && up == nil; p = p.parent {
		up = p.ext
	}
	s.ext = &Scope{parent: up, pos: pos, end: end}
	if up != nil && up != universeScope {
		up.children = append(up.children, s.ext)
	}
	return s
}

// openBlock is open for the span of a block.
func (c *checker) openBlock(parent *scope, b *parser.Block) *scope {
	if b == nil {
		return newScope(parent)
	}
	return c.open(parent, b.Pos(), b.End())
}

// visibleFrom makes o, just declared in s, visible only from at on.
func (s *scope) visibleFrom(o Object, at token.Pos) {
	if s.ext == nil {
		return
	}
	for i := len(s.ext.objs) - 1; i >= 0; i-- {
		if s.ext.objs[i] == o {
			s.ext.from[i] = at
			return
		}
	}
}

// sortScopes puts the children of every scope in source order: function
// bodies, constants and tests are checked in separate passes.
func sortScopes(s *Scope) {
	sort.SliceStable(s.children, func(i, j int) bool { return s.children[i].pos < s.children[j].pos })
	for _, k := range s.children {
		sortScopes(k)
	}
}

// fieldDefs records in Defs the declaring name of each field of st, once
// st.Fields is complete (so that pointers into it stay valid). A duplicate
// field, left out of st, declares nothing.
func (c *checker) fieldDefs(d *parser.StructDecl, st *Struct) {
	j := 0
	for _, f := range d.Fields {
		if j < len(st.Fields) && st.Fields[j].Pos == f.Name.Pos() {
			c.pkg.Defs[f.Name] = &st.Fields[j]
			j++
		}
	}
}
