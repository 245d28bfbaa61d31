package value

import (
	"math"
	"strconv"

	"github.com/rose-go/rose/ir"
)

// Format renders v for people: Reals in the shortest form that reads back
// exactly, always recognisable as Real (1.0, 0.1, 1e+21, NaN, +Inf, -Inf),
// Ints and Bools plainly, arrays as [a, b], tuples as (a, b) and structs as
// Name { field: value, ... }. t supplies struct names and may be nil (or
// disagree with v), in which case v's own shape is used.
func Format(v Value, t *ir.Type) string {
	return string(appendFormat(nil, v, t))
}

// typeFits reports whether t describes v at the top level, so that the
// formatters may follow it; otherwise they fall back to v's shape.
func typeFits(v Value, t *ir.Type) bool {
	if t == nil || t.Kind != v.kind {
		return false
	}
	switch t.Kind {
	case ir.KArray:
		return t.Len == len(v.elems)
	case ir.KTuple:
		return len(t.Elems) == len(v.elems)
	}
	return true
}

// isStruct reports whether the tuple type t carries field names, so that it
// is shown and encoded as a struct.
func isStruct(t *ir.Type) bool {
	return t.Kind == ir.KTuple && (t.Name != "" || t.Fields != nil) && len(t.Fields) == len(t.Elems)
}

// elemType is the type of element i of an aggregate of type t (t fits).
func elemType(t *ir.Type, i int) *ir.Type {
	if t == nil {
		return nil
	}
	if t.Kind == ir.KArray {
		return t.Elem
	}
	return t.Elems[i]
}

func appendFormat(buf []byte, v Value, t *ir.Type) []byte {
	if !typeFits(v, t) {
		t = nil
	}
	switch v.kind {
	case ir.KReal:
		return appendReal(buf, v.Real())
	case ir.KInt:
		return strconv.AppendInt(buf, int64(v.bits), 10)
	case ir.KBool:
		return strconv.AppendBool(buf, v.bits != 0)
	case ir.KArray:
		buf = append(buf, '[')
		for i, e := range v.elems {
			if i > 0 {
				buf = append(buf, ", "...)
			}
			buf = appendFormat(buf, e, elemType(t, i))
		}
		return append(buf, ']')
	case ir.KTuple:
		if t != nil && isStruct(t) {
			if t.Name != "" {
				buf = append(buf, t.Name...)
				buf = append(buf, ' ')
			}
			if len(v.elems) == 0 {
				return append(buf, "{}"...)
			}
			buf = append(buf, "{ "...)
			for i, e := range v.elems {
				if i > 0 {
					buf = append(buf, ", "...)
				}
				buf = append(buf, t.Fields[i]...)
				buf = append(buf, ": "...)
				buf = appendFormat(buf, e, t.Elems[i])
			}
			return append(buf, " }"...)
		}
		buf = append(buf, '(')
		for i, e := range v.elems {
			if i > 0 {
				buf = append(buf, ", "...)
			}
			buf = appendFormat(buf, e, elemType(t, i))
		}
		if len(v.elems) == 1 {
			buf = append(buf, ',') // (x,) is a tuple, (x) just x
		}
		return append(buf, ')')
	}
	return append(buf, '?')
}

// appendReal appends x in Format's style.
func appendReal(buf []byte, x float64) []byte {
	switch {
	case math.IsNaN(x):
		return append(buf, "NaN"...)
	case math.IsInf(x, 1):
		return append(buf, "+Inf"...)
	case math.IsInf(x, -1):
		return append(buf, "-Inf"...)
	}
	start := len(buf)
	buf = strconv.AppendFloat(buf, x, 'g', -1, 64)
	for _, c := range buf[start:] {
		if c == '.' || c == 'e' {
			return buf
		}
	}
	return append(buf, ".0"...)
}
