package wasm_test

import (
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
)

const dotSrc = `
fn d4(a: [4]Real, b: [4]Real) -> Real { dot(a, b) }

fn d4r(a: [4]Real, b: [4]Real) -> Real { dot(a * 1.0, b + 0.0) }

fn d30(a: [30]Real, b: [30]Real) -> Real { dot(a, b) }

fn d100(a: [100]Real, b: [100]Real) -> Real { dot(a, b) }
`

// TestDotOrder: dot adds the products in slot order, in registers, in
// unrolled code and in loops, as the evaluator does (the rounding shows
// the order).
func TestDotOrder(t *testing.T) {
	p := rose.Load("dot.rose", []byte(dotSrc))
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	seed := uint64(1)
	vec := func(n int) value.Value {
		e := make([]value.Value, n)
		for i := range e {
			seed = seed*6364136223846793005 + 1442695040888963407
			e[i] = value.Real(float64(int64(seed>>11)%2000001-1000000) / 3e5)
		}
		return value.Array(e...)
	}
	for _, c := range []struct {
		name string
		n    int
	}{{"d4", 4}, {"d4r", 4}, {"d30", 30}, {"d100", 100}} {
		f := fn(t, p, c.name)
		for k := 0; k < 20; k++ {
			check(t, c.name, f, []value.Value{vec(c.n), vec(c.n)}, nil)
		}
	}
}
