package value

import (
	"encoding/binary"
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

// Store writes v, which must have type t, in the flat layout at dst (the
// evaluator's frames).
func Store(dst []float64, v Value, t *ir.Type) error {
	_, err := storeAt(floatSlots(dst), 0, v, t)
	return err
}

// AppendSlots appends v's slots (Store's layout) to dst.
func AppendSlots(dst []float64, v Value, t *ir.Type) []float64 {
	n := len(dst)
	dst = append(dst, make([]float64, t.Slots())...)
	Store(dst[n:], v, t) // a Value of type t fits its slots
	return dst
}

// StoreBytes is Store into little-endian bytes (a WebAssembly memory).
func StoreBytes(dst []byte, v Value, t *ir.Type) error {
	_, err := storeAt(byteSlots(dst), 0, v, t)
	return err
}

// Load reads a value of type t from the flat layout at src, returning it
// and the number of slots read.
func Load(src []float64, t *ir.Type) (Value, int) { return loadAt(floatSlots(src), 0, t) }

// LoadBytes is Load from little-endian bytes.
func LoadBytes(src []byte, t *ir.Type) (Value, int) { return loadAt(byteSlots(src), 0, t) }

// slots is memory holding the layout: one traversal serves both kinds.
type slots interface {
	set(i int, bits uint64)
	get(i int) uint64
}

type floatSlots []float64

func (s floatSlots) set(i int, bits uint64) { s[i] = math.Float64frombits(bits) }
func (s floatSlots) get(i int) uint64       { return math.Float64bits(s[i]) }

type byteSlots []byte

func (s byteSlots) set(i int, bits uint64) { binary.LittleEndian.PutUint64(s[8*i:], bits) }
func (s byteSlots) get(i int) uint64       { return binary.LittleEndian.Uint64(s[8*i:]) }

func storeAt[S slots](dst S, off int, v Value, t *ir.Type) (int, error) {
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
		k := 0
		for i, e := range v.elems {
			m, err := storeAt(dst, off+k, e, elemType(t, i))
			if err != nil {
				return 0, fmt.Errorf("[%d]: %v", i, err)
			}
			k += m
		}
		return k, nil
	}
	dst.set(off, v.bits)
	return 1, nil
}

func loadAt[S slots](src S, off int, t *ir.Type) (Value, int) {
	switch t.Kind {
	case ir.KArray, ir.KTuple:
		n := t.Len
		if t.Kind == ir.KTuple {
			n = len(t.Elems)
		}
		elems := make([]Value, n)
		k := 0
		for i := range elems {
			var m int
			elems[i], m = loadAt(src, off+k, elemType(t, i))
			k += m
		}
		return Value{kind: t.Kind, elems: elems}, k
	}
	return Value{kind: t.Kind, bits: src.get(off)}, 1
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
