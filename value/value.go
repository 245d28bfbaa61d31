package value

import (
	"math"

	"github.com/rose-go/rose/ir"
)

// Value is a Rose value as the outside world sees it: a tree whose leaves
// are scalars. It exists for arguments and results at the API boundary; the
// evaluator itself works on a flat slot layout. The zero Value is Real 0.
//
// A Value does not carry struct names: formatting and JSON encoding take
// the ir.Type alongside.
type Value struct {
	kind  ir.Kind
	bits  uint64  // scalar payload: float64 bits, int64 bits or 0/1
	elems []Value // KArray, KTuple
}

// Real makes a Real value.
func Real(x float64) Value { return Value{kind: ir.KReal, bits: math.Float64bits(x)} }

// Int makes an Int value.
func Int(i int64) Value { return Value{kind: ir.KInt, bits: uint64(i)} }

// Bool makes a Bool value.
func Bool(b bool) Value {
	v := Value{kind: ir.KBool}
	if b {
		v.bits = 1
	}
	return v
}

// Array makes an array value; it keeps elems (it does not copy).
func Array(elems ...Value) Value { return Value{kind: ir.KArray, elems: elems} }

// Tuple makes a tuple (or struct) value; it keeps elems (it does not copy).
func Tuple(elems ...Value) Value { return Value{kind: ir.KTuple, elems: elems} }

// Kind is v's kind: one of ir.KReal, KInt, KBool, KArray, KTuple.
func (v Value) Kind() ir.Kind { return v.kind }

// Real is the number held by a Real value (0 for other kinds).
func (v Value) Real() float64 {
	if v.kind != ir.KReal {
		return 0
	}
	return math.Float64frombits(v.bits)
}

// Int is the integer held by an Int value (0 for other kinds).
func (v Value) Int() int64 {
	if v.kind != ir.KInt {
		return 0
	}
	return int64(v.bits)
}

// Bool is the truth value held by a Bool value (false for other kinds).
func (v Value) Bool() bool { return v.kind == ir.KBool && v.bits != 0 }

// Len is the number of elements (array) or fields (tuple) of v, 0 for
// scalars.
func (v Value) Len() int { return len(v.elems) }

// Elem is element or field i of an aggregate; it panics if i is out of
// range, like a slice index.
func (v Value) Elem(i int) Value { return v.elems[i] }

// String formats v without type information (see Format).
func (v Value) String() string { return Format(v, nil) }

// Equal reports whether a and b have the same shape and the same scalars;
// Reals compare by bits, so NaN equals NaN and 0 differs from -0. It is
// meant for tests and caches, where "same result" is the question.
func Equal(a, b Value) bool {
	if a.kind != b.kind || a.bits != b.bits || len(a.elems) != len(b.elems) {
		return false
	}
	for i := range a.elems {
		if !Equal(a.elems[i], b.elems[i]) {
			return false
		}
	}
	return true
}
