package check

import (
	"fmt"
	"go/token"
	"strconv"
	"strings"
)

// Type is a Rose type as the checker sees it: sizes may still be size
// parameters of a generic function.
type Type interface {
	String() string
}

// BasicKind enumerates the basic types.
type BasicKind uint8

// Basic kinds. Invalid marks an expression that already has an error, so
// that no follow-on error is reported; Unit is the "no value" of statements.
const (
	Invalid BasicKind = iota
	RealKind
	IntKind
	BoolKind
	UnitKind
)

// Basic is a scalar type.
type Basic struct {
	Kind BasicKind
	name string
}

func (b *Basic) String() string { return b.name }

// The basic types.
var (
	TInvalid = &Basic{Invalid, "invalid type"}
	TReal    = &Basic{RealKind, "Real"}
	TInt     = &Basic{IntKind, "Int"}
	TBool    = &Basic{BoolKind, "Bool"}
	TUnit    = &Basic{UnitKind, "no value"}
)

// Size is an array length: a constant, or a size parameter of the
// function being checked.
type Size struct {
	N     int        // when Param == nil
	Param *SizeParam // the size parameter, or nil
}

func (s Size) String() string {
	if s.Param != nil {
		return s.Param.Name
	}
	return strconv.Itoa(s.N)
}

func (s Size) equal(t Size) bool {
	if s.Param != nil || t.Param != nil {
		return s.Param == t.Param
	}
	return s.N == t.N
}

// Array is [Len]Elem.
type Array struct {
	Len  Size
	Elem Type
}

func (a *Array) String() string { return "[" + a.Len.String() + "]" + a.Elem.String() }

// Tuple is (T, U, ...).
type Tuple struct {
	Elems []Type
}

func (t *Tuple) String() string {
	var parts []string
	for _, e := range t.Elems {
		parts = append(parts, e.String())
	}
	if len(parts) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// Struct is a named struct type; two struct types are identical only if they
// are the same declaration.
type Struct struct {
	Name   string
	Pos    token.Pos
	Fields []Field
}

// Field is one field of a struct.
type Field struct {
	Name string
	Type Type
	Pos  token.Pos
}

func (s *Struct) String() string { return s.Name }

func (s *Struct) field(name string) int {
	for i, f := range s.Fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// Identical reports whether a and b are the same type.
func Identical(a, b Type) bool {
	if a == b {
		return true
	}
	switch a := a.(type) {
	case *Array:
		b, ok := b.(*Array)
		return ok && a.Len.equal(b.Len) && Identical(a.Elem, b.Elem)
	case *Tuple:
		b, ok := b.(*Tuple)
		if !ok || len(a.Elems) != len(b.Elems) {
			return false
		}
		for i := range a.Elems {
			if !Identical(a.Elems[i], b.Elems[i]) {
				return false
			}
		}
		return true
	}
	return false
}

func isInvalid(t Type) bool {
	switch t := t.(type) {
	case *Basic:
		return t.Kind == Invalid
	case *Array:
		return isInvalid(t.Elem)
	case *Tuple:
		for _, e := range t.Elems {
			if isInvalid(e) {
				return true
			}
		}
	}
	return false
}

func isKind(t Type, k BasicKind) bool {
	b, ok := t.(*Basic)
	return ok && b.Kind == k
}

func isNumeric(t Type) bool { return isKind(t, RealKind) || isKind(t, IntKind) }

// isRealArray reports whether t is an array (of arrays...) of Real: the
// types on which arithmetic works elementwise.
func isRealArray(t Type) bool {
	a, ok := t.(*Array)
	if !ok {
		return false
	}
	return isKind(a.Elem, RealKind) || isRealArray(a.Elem)
}

// subst replaces size parameters by the sizes bound to them.
func subst(t Type, bind map[*SizeParam]Size) Type {
	switch t := t.(type) {
	case *Array:
		n := t.Len
		if n.Param != nil {
			if s, ok := bind[n.Param]; ok {
				n = s
			}
		}
		return &Array{Len: n, Elem: subst(t.Elem, bind)}
	case *Tuple:
		elems := make([]Type, len(t.Elems))
		for i, e := range t.Elems {
			elems[i] = subst(e, bind)
		}
		return &Tuple{Elems: elems}
	}
	return t
}

// unify matches a parameter type p (with the callee's size parameters)
// against an argument type a, binding size parameters. It reports the
// first mismatch.
func unify(p, a Type, bind map[*SizeParam]Size, callee *FuncObj) error {
	switch p := p.(type) {
	case *Array:
		a, ok := a.(*Array)
		if !ok {
			return fmt.Errorf("mismatch")
		}
		if p.Len.Param != nil && p.Len.Param.Func == callee {
			if s, ok := bind[p.Len.Param]; ok {
				if !s.equal(a.Len) {
					return fmt.Errorf("size %s is %s here but %s from an earlier argument", p.Len.Param.Name, a.Len, s)
				}
			} else {
				bind[p.Len.Param] = a.Len
			}
		} else if !p.Len.equal(a.Len) {
			return fmt.Errorf("mismatch")
		}
		return unify(p.Elem, a.Elem, bind, callee)
	case *Tuple:
		a, ok := a.(*Tuple)
		if !ok || len(a.Elems) != len(p.Elems) {
			return fmt.Errorf("mismatch")
		}
		for i := range p.Elems {
			if err := unify(p.Elems[i], a.Elems[i], bind, callee); err != nil {
				return err
			}
		}
		return nil
	}
	if !Identical(p, a) {
		return fmt.Errorf("mismatch")
	}
	return nil
}
