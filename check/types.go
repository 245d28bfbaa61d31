package check

import (
	"fmt"
	"go/token"
	"math"
	"sort"
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

// Size is an array length: a constant, a size parameter of the function
// being checked, or an arithmetic expression of size parameters and
// constants such as n - 1 or d * (d + 1) / 2. Sizes are kept in a
// normal form (see mkSize): an expression that is constant is a constant,
// and one that is a single parameter is that parameter.
type Size struct {
	N     int        // when Param == nil and E == nil
	Param *SizeParam // the size parameter, or nil
	E     *SizeExpr  // a compound size, or nil
}

// SizeExpr is a compound size X Op Y, Op one of + - * / %. Division
// truncates toward zero and % has the sign of the dividend, as for Int.
type SizeExpr struct {
	Op   byte
	X, Y Size
	key  string // canonical form, for equality
}

// isConst reports whether s is a plain constant.
func (s Size) isConst() bool { return s.Param == nil && s.E == nil }

func (s Size) String() string {
	switch {
	case s.Param != nil:
		return s.Param.Name
	case s.E != nil:
		x, y := s.E.X.String(), s.E.Y.String()
		p := sizePrec(s.E.Op)
		if s.E.X.E != nil && sizePrec(s.E.X.E.Op) < p {
			x = "(" + x + ")"
		}
		if s.E.Y.E != nil && (sizePrec(s.E.Y.E.Op) < p || sizePrec(s.E.Y.E.Op) == p && s.E.Op != '+' && s.E.Op != '*') {
			y = "(" + y + ")"
		}
		return x + " " + string(s.E.Op) + " " + y
	}
	return strconv.Itoa(s.N)
}

func sizePrec(op byte) int {
	if op == '+' || op == '-' {
		return 1
	}
	return 2
}

func (s Size) equal(t Size) bool {
	if s.isConst() && t.isConst() {
		return s.N == t.N
	}
	if s.E == nil && t.E == nil {
		return s.Param == t.Param
	}
	return s.canon() == t.canon()
}

// canon is a canonical form of s: two sizes with the same canonical form
// are equal for all values of their parameters.
func (s Size) canon() string {
	if s.E != nil {
		return s.E.key
	}
	return polyKey(s.poly())
}

// A poly is a polynomial with Int coefficients over atoms: size parameters
// and the quotients and remainders that do not simplify. Keys are sorted
// products of atom names; "" is the constant term.
type poly map[string]int64

func (s Size) poly() poly {
	switch {
	case s.Param != nil:
		return poly{fmt.Sprintf("%s@%p", s.Param.Name, s.Param): 1}
	case s.E != nil:
		x, y := s.E.X.poly(), s.E.Y.poly()
		out := poly{}
		switch s.E.Op {
		case '+', '-':
			sign := int64(1)
			if s.E.Op == '-' {
				sign = -1
			}
			for k, c := range x {
				out[k] += c
			}
			for k, c := range y {
				out[k] += sign * c
			}
		case '*':
			for kx, cx := range x {
				for ky, cy := range y {
					out[mulKey(kx, ky)] += cx * cy
				}
			}
		default:
			out["("+polyKey(x)+")"+string(s.E.Op)+"("+polyKey(y)+")"] = 1
		}
		for k, c := range out {
			if c == 0 {
				delete(out, k)
			}
		}
		return out
	}
	if s.N == 0 {
		return poly{}
	}
	return poly{"": int64(s.N)}
}

func mulKey(a, b string) string {
	var parts []string
	for _, k := range []string{a, b} {
		if k != "" {
			parts = append(parts, strings.Split(k, "*")...)
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, "*")
}

func polyKey(p poly) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%+d*[%s]", p[k], k)
	}
	return b.String()
}

// constPoly reports the value of p if it is a constant.
func constPoly(p poly) (int64, bool) {
	switch len(p) {
	case 0:
		return 0, true
	case 1:
		c, ok := p[""]
		return c, ok
	}
	return 0, false
}

// mkSize returns the normal form of x op y. It fails on a constant
// division by zero.
func mkSize(op byte, x, y Size) (Size, error) {
	if x.isConst() && y.isConst() {
		n, err := sizeOp(op, int64(x.N), int64(y.N))
		return Size{N: int(n)}, err
	}
	if y.isConst() && y.N == 0 && (op == '/' || op == '%') {
		return Size{}, fmt.Errorf("division by zero in a size")
	}
	switch {
	case y.isConst() && y.N == 0 && (op == '+' || op == '-'), y.isConst() && y.N == 1 && (op == '*' || op == '/'):
		return x, nil
	case x.isConst() && x.N == 0 && op == '+', x.isConst() && x.N == 1 && op == '*':
		return y, nil
	}
	s := Size{E: &SizeExpr{Op: op, X: x, Y: y}}
	p := s.poly()
	if c, ok := constPoly(p); ok && c >= math.MinInt32 && c <= math.MaxInt32 {
		return Size{N: int(c)}, nil
	}
	if len(p) == 1 {
		for k, c := range p {
			if c == 1 && !strings.ContainsAny(k, "*()") {
				for _, sp := range []Size{x, y} {
					if q := sp.param(k); q != nil {
						return Size{Param: q}, nil
					}
				}
			}
		}
	}
	s.E.key = polyKey(p)
	return s, nil
}

// param finds the size parameter whose atom name is k inside s.
func (s Size) param(k string) *SizeParam {
	switch {
	case s.Param != nil:
		if fmt.Sprintf("%s@%p", s.Param.Name, s.Param) == k {
			return s.Param
		}
	case s.E != nil:
		if p := s.E.X.param(k); p != nil {
			return p
		}
		return s.E.Y.param(k)
	}
	return nil
}

// sizeOp applies op to two Int values as Int arithmetic does.
func sizeOp(op byte, x, y int64) (int64, error) {
	switch op {
	case '+':
		return x + y, nil
	case '-':
		return x - y, nil
	case '*':
		return x * y, nil
	}
	if y == 0 {
		return 0, fmt.Errorf("division by zero in a size")
	}
	if op == '/' {
		return x / y, nil
	}
	return x % y, nil
}

// eval computes s for concrete values of its size parameters; get returns
// the value of one parameter.
func (s Size) eval(get func(*SizeParam) int) (int64, error) {
	switch {
	case s.Param != nil:
		return int64(get(s.Param)), nil
	case s.E != nil:
		x, err := s.E.X.eval(get)
		if err != nil {
			return 0, err
		}
		y, err := s.E.Y.eval(get)
		if err != nil {
			return 0, err
		}
		return sizeOp(s.E.Op, x, y)
	}
	return int64(s.N), nil
}

// substSize replaces the size parameters of s bound in bind.
func substSize(s Size, bind map[*SizeParam]Size) Size {
	switch {
	case s.Param != nil:
		if b, ok := bind[s.Param]; ok {
			return b
		}
	case s.E != nil:
		x, y := substSize(s.E.X, bind), substSize(s.E.Y, bind)
		if r, err := mkSize(s.E.Op, x, y); err == nil {
			return r
		}
		return Size{E: &SizeExpr{Op: s.E.Op, X: x, Y: y, key: s.E.key}}
	}
	return s
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
		return &Array{Len: substSize(t.Len, bind), Elem: subst(t.Elem, bind)}
	case *Tuple:
		elems := make([]Type, len(t.Elems))
		for i, e := range t.Elems {
			elems[i] = subst(e, bind)
		}
		return &Tuple{Elems: elems}
	}
	return t
}

// sizeCheck is a compound size of a callee's parameter type, checked
// against the argument's size once the callee's sizes are bound.
type sizeCheck struct {
	want, got Size
	arg       int // the argument's index
}

// unify matches a parameter type p (with the callee's size parameters)
// against an argument type a, binding size parameters. It reports the
// first mismatch. Compound sizes of p are left in checks.
func unify(p, a Type, bind map[*SizeParam]Size, callee *FuncObj, checks *[]sizeCheck) error {
	switch p := p.(type) {
	case *Array:
		a, ok := a.(*Array)
		if !ok {
			return fmt.Errorf("mismatch")
		}
		switch {
		case p.Len.Param != nil && p.Len.Param.Func == callee:
			if s, ok := bind[p.Len.Param]; ok {
				if !s.equal(a.Len) {
					return fmt.Errorf("size %s is %s here but %s from an earlier argument", p.Len.Param.Name, a.Len, s)
				}
			} else {
				bind[p.Len.Param] = a.Len
			}
		case p.Len.E != nil:
			*checks = append(*checks, sizeCheck{want: p.Len, got: a.Len})
		case !p.Len.equal(a.Len):
			return fmt.Errorf("mismatch")
		}
		return unify(p.Elem, a.Elem, bind, callee, checks)
	case *Tuple:
		a, ok := a.(*Tuple)
		if !ok || len(a.Elems) != len(p.Elems) {
			return fmt.Errorf("mismatch")
		}
		for i := range p.Elems {
			if err := unify(p.Elems[i], a.Elems[i], bind, callee, checks); err != nil {
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
