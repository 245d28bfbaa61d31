package wasm

import (
	"encoding/binary"
	"math"

	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// The conversion of results out of the linear memory, in the flat layout
// of value.LoadBytes, specialised for arrays of Reals (the bulk of large
// results, gradients above all). Arguments go in with value.StoreBytes,
// which is as fast as a specialised version.

// loadValue reads a value of type t at mem[off:] and returns it and the
// slots read.
func loadValue(mem []byte, off int, t *ir.Type) (value.Value, int) {
	le := binary.LittleEndian
	switch t.Kind {
	case ir.KReal:
		return value.Real(math.Float64frombits(le.Uint64(mem[off:]))), 1
	case ir.KInt:
		return value.Int(int64(le.Uint64(mem[off:]))), 1
	case ir.KBool:
		return value.Bool(le.Uint64(mem[off:]) != 0), 1
	case ir.KArray:
		elems := make([]value.Value, t.Len)
		if t.Elem.Kind == ir.KReal {
			m := mem[off : off+8*t.Len]
			for i := range elems {
				elems[i] = value.Real(math.Float64frombits(le.Uint64(m[8*i:])))
			}
			return value.Array(elems...), t.Len
		}
		k := 0
		for i := range elems {
			var m int
			elems[i], m = loadValue(mem, off+8*k, t.Elem)
			k += m
		}
		return value.Array(elems...), k
	case ir.KTuple:
		elems := make([]value.Value, len(t.Elems))
		k := 0
		for i, et := range t.Elems {
			var m int
			elems[i], m = loadValue(mem, off+8*k, et)
			k += m
		}
		return value.Tuple(elems...), k
	}
	// Other kinds do not cross the boundary; the general loader decides.
	return value.LoadBytes(mem[off:], t)
}
