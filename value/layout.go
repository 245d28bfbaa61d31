package value

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/rose-go/rose/ir"
)

// The flat layout: a value of type t occupies t.Slots() consecutive 8-byte
// slots, its scalars in order (an array's elements one after another, a
// tuple's fields in order); a Real is its IEEE bits, an Int its two's
// complement bits and a Bool 0 or 1. The evaluator's frames and the
// compiled engine's linear memory both hold values this way, and cross
// into and out of them through Store and Load.

// Store writes v, which must have type t, in the flat layout at dst.
func Store(dst []float64, v Value, t *ir.Type) error {
	_, err := storeAt(dst, v, t)
	return err
}

func storeAt(dst []float64, v Value, t *ir.Type) (int, error) {
	if v.kind != t.Kind {
		return 0, fmt.Errorf("expected %v, got %s", t, kindName(v.kind))
	}
	switch t.Kind {
	case ir.KArray, ir.KTuple:
		n := t.Len
		if t.Kind == ir.KTuple {
			n = len(t.Elems)
		}
		if len(v.elems) != n {
			return 0, fmt.Errorf("expected %v, got %d elements", t, len(v.elems))
		}
		off := 0
		for i, e := range v.elems {
			k, err := storeAt(dst[off:], e, elemType(t, i))
			if err != nil {
				return 0, fmt.Errorf("[%d]: %v", i, err)
			}
			off += k
		}
		return off, nil
	}
	dst[0] = math.Float64frombits(v.bits)
	return 1, nil
}

func kindName(k ir.Kind) string {
	switch k {
	case ir.KReal:
		return "Real"
	case ir.KInt:
		return "Int"
	case ir.KBool:
		return "Bool"
	case ir.KArray:
		return "an array"
	case ir.KTuple:
		return "a tuple"
	}
	return "an invalid value"
}

// Load reads a value of type t from the flat layout at src, returning it
// and the number of slots read.
func Load(src []float64, t *ir.Type) (Value, int) {
	switch t.Kind {
	case ir.KArray, ir.KTuple:
		n := t.Len
		if t.Kind == ir.KTuple {
			n = len(t.Elems)
		}
		elems := make([]Value, n)
		off := 0
		for i := range elems {
			var k int
			elems[i], k = Load(src[off:], elemType(t, i))
			off += k
		}
		return Value{kind: t.Kind, elems: elems}, off
	}
	return Value{kind: t.Kind, bits: math.Float64bits(src[0])}, 1
}

// Bytes is the size in bytes of the Value tree of a value of type t, for
// memory budgets (saturating far below overflow).
func Bytes(t *ir.Type) int64 {
	const node = int64(unsafe.Sizeof(Value{}))
	if t == nil {
		return 0
	}
	switch t.Kind {
	case ir.KArray:
		n := Bytes(t.Elem)
		if n > 0 && int64(t.Len) > math.MaxInt64/4/n {
			return math.MaxInt64 / 4
		}
		return node + int64(t.Len)*n
	case ir.KTuple:
		n := node
		for _, e := range t.Elems {
			n += Bytes(e)
			if n > math.MaxInt64/4 {
				return math.MaxInt64 / 4
			}
		}
		return n
	}
	return node
}

// ShowBytes renders a byte count with a binary unit.
func ShowBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, u := float64(n)/unit, "KiB"
	for _, next := range []string{"MiB", "GiB", "TiB", "PiB"} {
		if v < unit {
			break
		}
		v, u = v/unit, next
	}
	return fmt.Sprintf("%.3g %s", v, u)
}
