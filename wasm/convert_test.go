package wasm

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// TestLoadValue checks loadValue against value.LoadBytes on every scalar
// kind, nested in arrays and tuples, with unusual bits.
func TestLoadValue(t *testing.T) {
	real, i64, b := &ir.Type{Kind: ir.KReal}, &ir.Type{Kind: ir.KInt}, &ir.Type{Kind: ir.KBool}
	vec := &ir.Type{Kind: ir.KArray, Len: 3, Elem: real}
	tup := &ir.Type{Kind: ir.KTuple, Elems: []*ir.Type{real, i64, b, vec}}
	typ := &ir.Type{Kind: ir.KArray, Len: 2, Elem: tup}
	mem := make([]byte, 8*typ.Slots()+16)
	bits := []uint64{math.Float64bits(math.NaN()) | 5, 1<<63 | 7, 1, math.Float64bits(math.Copysign(0, -1)), 0x7ff0000000000001, 42, math.Float64bits(math.Inf(-1))}
	for i := range typ.Slots() {
		binary.LittleEndian.PutUint64(mem[8+8*i:], bits[i%len(bits)])
	}
	// The Bools must be 0 or 1, as in the generated code.
	for i := range 2 {
		binary.LittleEndian.PutUint64(mem[8+8*(i*tup.Slots()+2):], uint64(i))
	}
	for _, ty := range []*ir.Type{real, i64, vec, tup, typ} {
		got, n := loadValue(mem, 8, ty)
		want, m := value.LoadBytes(mem[8:], ty)
		if n != m || !value.Equal(got, want) || got.String() != want.String() {
			t.Errorf("%v: got %v (%d slots), want %v (%d)", ty, got, n, want, m)
		}
	}
}

// BenchmarkLoadValue compares loadValue with value.LoadBytes on a
// gradient of 1000 Reals.
func BenchmarkLoadValue(b *testing.B) {
	t := &ir.Type{Kind: ir.KArray, Len: 1000, Elem: &ir.Type{Kind: ir.KReal}}
	mem := make([]byte, 8000)
	b.Run("loadValue", func(b *testing.B) {
		for b.Loop() {
			loadValue(mem, 0, t)
		}
	})
	b.Run("LoadBytes", func(b *testing.B) {
		for b.Loop() {
			value.LoadBytes(mem, t)
		}
	})
}
