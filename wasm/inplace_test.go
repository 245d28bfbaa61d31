package wasm_test

import (
	"context"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
	"github.com/rose-go/rose/wasm"
)

// TestLoopUpdateInPlace: a loop whose state holds an array it updates
// element by element updates it in place: no bulk copy (memory.copy)
// runs inside the loop, which would make it quadratic in the array's
// length. The state may be the array alone, the array beside other
// variables or in a struct, and the update may sit in an if, or in ifs
// in ifs (the other arm leaves the array as it is). Where the old array is read after the update, the
// update must copy. Each function gives the evaluator's value.
func TestLoopUpdateInPlace(t *testing.T) {
	src := `
fn single(x: [1000]Real) -> Real {
    var y: [1000]Real = [for i in 0..1000 { 0.0 }]
    for i in 0..1000 { y[i] += x[i] }
    y[999]
}
fn beside(x: [1000]Real) -> Real {
    var y: [1000]Real = [for i in 0..1000 { 0.0 }]
    var s = 0.0
    for i in 0..1000 { y[i] += x[i]; s += y[i] }
    s + y[3]
}
fn cond(x: [1000]Real) -> Real {
    var y: [1000]Real = [for i in 0..1000 { 1.0 }]
    var s = 0.0
    for i in 0..1000 {
        if x[i] > 500.0 { y[i] += x[i] }
        s += y[i]
    }
    s + y[999]
}
fn guarded(x: [1000]Real) -> Real {
    var h: [100]Real = [for i in 0..100 { 0.0 }]
    for i in 0..1000 {
        let j = int(x[i]) % 113
        if j < 100 { h[j] += 1.0 }
    }
    h[0] + 2.0 * h[99]
}
fn steps(x: [1000]Real) -> Real {
    var y: [1000]Real = [for i in 0..1000 { 0.0 }]
    var i = 0
    while i < 1000 { y[i] = x[i] * 2.0; i += 1 }
    y[500]
}
fn nested(x: [1000]Real) -> Real {
    var y: [1000]Real = [for i in 0..1000 { 0.0 }]
    for i in 0..1000 {
        if x[i] > 100.0 {
            if x[i] > 600.0 { y[i] += 2.0 } else { y[i] += 1.0 }
        }
    }
    y[999] + y[300] + y[0]
}
struct Hist { bins: [1000]Real, count: Int }
fn fields(x: [1000]Real) -> Real {
    var h = Hist { bins: [for i in 0..1000 { 0.0 }], count: 0 }
    for i in 0..1000 {
        h.bins[i] = x[i]
        if x[i] > 500.0 { h.bins[999 - i] += 1.0; h.count += 1 }
    }
    h.bins[0] + h.bins[999] + real(h.count)
}
fn kept(x: [1000]Real) -> Real {
    var y: [1000]Real = [for i in 0..1000 { 0.0 }]
    var s = 0.0
    for i in 0..1000 { let old = y; y[i] += x[i]; s += old[0] }
    s + y[1]
}
`
	xs := make([]value.Value, 1000)
	for i := range xs {
		xs[i] = value.Real(float64(i))
	}
	for _, tc := range []struct {
		name string
		copy bool // the old array stays alive: the update copies
	}{{"single", false}, {"beside", false}, {"cond", false}, {"guarded", false}, {"steps", false}, {"nested", false}, {"fields", false}, {"kept", true}} {
		p := rose.Load("u.rose", []byte(src))
		p.Engine = rose.EngineEval
		f, err := p.Func(tc.name, nil)
		if err != nil {
			t.Fatal(err)
		}
		bin, err := wasm.Generate(f.IR)
		if err != nil {
			t.Fatal(err)
		}
		n := copiesInLoops(t, bin)
		if !tc.copy && n > 0 {
			t.Errorf("%s: %d memory.copy inside loops: the update is not in place", tc.name, n)
		}
		if tc.copy && n == 0 {
			t.Errorf("%s: no memory.copy inside loops, but the old array is read after the update", tc.name)
		}
		want, err := f.Call(context.Background(), []value.Value{value.Array(xs...)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		c, err := wasm.Compile(f.IR)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Call(context.Background(), []value.Value{value.Array(xs...)}, nil)
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got.Real() != want.Real() {
			t.Errorf("%s: compiled %v, evaluator %v", tc.name, got.Real(), want.Real())
		}
	}
}

// copiesInLoops decodes the code section of a module and counts the
// memory.copy instructions nested in a loop.
func copiesInLoops(t *testing.T, bin []byte) int {
	r := &reader{b: bin[8:]} // magic and version
	for len(r.b) > 0 {
		id := r.byte()
		size := int(r.u32())
		sec := &reader{b: r.b[:size]}
		r.b = r.b[size:]
		if id != 10 {
			continue
		}
		count := 0
		for range sec.u32() {
			n := int(sec.u32())
			body := &reader{b: sec.b[:n]}
			sec.b = sec.b[n:]
			for range body.u32() { // local declarations
				body.u32()
				body.byte()
			}
			var blocks []bool // open blocks: true for a loop
			loops := 0
			for len(body.b) > 0 {
				op := body.byte()
				switch {
				case op == 0x02 || op == 0x03 || op == 0x04:
					body.byte() // block type
					blocks = append(blocks, op == 0x03)
					if op == 0x03 {
						loops++
					}
				case op == 0x0b:
					if len(blocks) > 0 {
						if blocks[len(blocks)-1] {
							loops--
						}
						blocks = blocks[:len(blocks)-1]
					}
				case op == 0x0c || op == 0x0d || op == 0x10 || op >= 0x20 && op <= 0x24:
					body.u32()
				case op == 0x0e:
					for range body.u32() {
						body.u32()
					}
					body.u32()
				case op == 0x11:
					body.u32()
					body.u32()
				case op >= 0x28 && op <= 0x3e:
					body.u32()
					body.u32()
				case op == 0x3f || op == 0x40:
					body.byte()
				case op == 0x41 || op == 0x42:
					body.s64()
				case op == 0x43:
					body.b = body.b[4:]
				case op == 0x44:
					body.b = body.b[8:]
				case op == 0xfc:
					switch body.u32() {
					case 10: // memory.copy
						body.b = body.b[2:]
						if loops > 0 {
							count++
						}
					case 11: // memory.fill
						body.byte()
					}
				}
			}
		}
		return count
	}
	t.Fatal("no code section")
	return 0
}

type reader struct{ b []byte }

func (r *reader) byte() byte { c := r.b[0]; r.b = r.b[1:]; return c }

func (r *reader) u32() uint32 {
	var x uint32
	for s := 0; ; s += 7 {
		c := r.byte()
		x |= uint32(c&0x7f) << s
		if c < 0x80 {
			return x
		}
	}
}

func (r *reader) s64() {
	for r.byte() >= 0x80 {
	}
}
