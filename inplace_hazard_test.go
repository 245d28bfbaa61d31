package rose_test

import (
	"context"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
)

// inPlaceHazards are loops where an update in place would be wrong (an
// old array is still read) beside ones where it is right, in the shapes
// both engines now update in place: under ifs, in ifs within ifs,
// through struct fields, in loop states of several variables, an arm
// whose result is a loop reading the old state. Each has a
// Go version with value semantics (explicit copies) that gives the
// expected result.
var inPlaceHazards = []struct {
	name string
	want func(x []float64) float64
}{
	{"swap", func(x []float64) float64 {
		a, b := make([]float64, 16), make([]float64, 16)
		for i := range 16 {
			t := a
			a = b
			b = t
			a = clone(a)
			a[i] += x[i]
		}
		return sum(a) + 2*sum(b)
	}},
	{"oldafter", func(x []float64) float64 {
		y := make([]float64, 16)
		acc := 0.0
		for i := range 16 {
			old := y
			if x[i] > 0.5 {
				y = clone(y)
				y[i] += 1
				y[(i+1)%16] += x[i]
			}
			acc += old[(i+1)%16]
		}
		return acc + sum(y)
	}},
	{"armsread", func(x []float64) float64 {
		y := make([]float64, 16)
		s := 0.0
		for i := range 16 {
			if x[i] > 0.3 {
				if x[i] > 0.6 {
					y = clone(y)
					y[i] = x[i]
				} else {
					s += y[(i+15)%16]
				}
			} else {
				y = clone(y)
				y[(i*7)%16] += 2
			}
			s += y[i]
		}
		return s + sum(y)
	}},
	{"structs", func(x []float64) float64 {
		a, b, k := make([]float64, 16), make([]float64, 16), 0.0
		for i := range 16 {
			a = clone(a)
			a[i] = x[i]
			if x[i] > 0.5 {
				b = clone(b)
				b[15-i] += a[i]
				k += 1
			} else {
				a2 := a
				a = b
				b = a2
			}
		}
		return sum(a) + 3*sum(b) + k
	}},
	{"keepstate", func(x []float64) float64 {
		y := make([]float64, 16)
		z := make([]float64, 16)
		for i := range 16 {
			prev := y
			if x[i] > 0.5 {
				y = clone(y)
				y[i] += 1
			}
			z = clone(z)
			z[i] = prev[i] + y[i]
		}
		return sum(y) + 10*sum(z)
	}},
	{"armloop", func(x []float64) float64 {
		s, acc := 0.0, 0.0
		for i := range 16 {
			if x[i] > 0.5 {
				t := 5.0
				for range 2 {
					t = s + x[i]
				}
				s = t
			} else {
				s = 0
			}
			acc += s
		}
		return acc
	}},
	{"whilecond", func(x []float64) float64 {
		y := make([]float64, 16)
		i := 0
		for i < 16 {
			if x[i] > 0.2 {
				y = clone(y)
				y[i] = x[i] * 2
			}
			if i > 0 {
				y = clone(y)
				y[i] += y[i-1]
			}
			i++
		}
		return sum(y)
	}},
}

const inPlaceHazardSrc = `
struct Two { a: [16]Real, b: [16]Real, k: Real }
fn total(v: [16]Real) -> Real { sum(v) }
fn swap(x: [16]Real) -> Real {
    var a = [for i in 0..16 { 0.0 }]
    var b = [for i in 0..16 { 0.0 }]
    for i in 0..16 {
        let t = a
        a = b
        b = t
        a[i] += x[i]
    }
    total(a) + 2.0 * total(b)
}
fn oldafter(x: [16]Real) -> Real {
    var y = [for i in 0..16 { 0.0 }]
    var acc = 0.0
    for i in 0..16 {
        let old = y
        if x[i] > 0.5 {
            y[i] += 1.0
            y[(i + 1) % 16] += x[i]
        }
        acc += old[(i + 1) % 16]
    }
    acc + total(y)
}
fn armsread(x: [16]Real) -> Real {
    var y = [for i in 0..16 { 0.0 }]
    var s = 0.0
    for i in 0..16 {
        if x[i] > 0.3 {
            if x[i] > 0.6 { y[i] = x[i] } else { s += y[(i + 15) % 16] }
        } else {
            y[(i * 7) % 16] += 2.0
        }
        s += y[i]
    }
    s + total(y)
}
fn structs(x: [16]Real) -> Real {
    var t = Two { a: [for i in 0..16 { 0.0 }], b: [for i in 0..16 { 0.0 }], k: 0.0 }
    for i in 0..16 {
        t.a[i] = x[i]
        if x[i] > 0.5 {
            t.b[15 - i] += t.a[i]
            t.k += 1.0
        } else {
            let a2 = t.a
            t.a = t.b
            t.b = a2
        }
    }
    total(t.a) + 3.0 * total(t.b) + t.k
}
fn keepstate(x: [16]Real) -> Real {
    var y = [for i in 0..16 { 0.0 }]
    var z = [for i in 0..16 { 0.0 }]
    for i in 0..16 {
        let prev = y
        if x[i] > 0.5 { y[i] += 1.0 }
        z[i] = prev[i] + y[i]
    }
    total(y) + 10.0 * total(z)
}
fn armloop(x: [16]Real) -> Real {
    var s = 0.0
    var acc = 0.0
    for i in 0..16 {
        s = if x[i] > 0.5 {
            var t = 5.0
            for k in 0..2 { t = s + x[i] }
            t
        } else { 0.0 }
        acc += s
    }
    acc
}
fn whilecond(x: [16]Real) -> Real {
    var y = [for i in 0..16 { 0.0 }]
    var i = 0
    while i < 16 {
        if x[i] > 0.2 { y[i] = x[i] * 2.0 }
        if i > 0 { y[i] += y[i - 1] }
        i += 1
    }
    total(y)
}
`

func clone(a []float64) []float64 { return append([]float64(nil), a...) }

func sum(a []float64) float64 {
	s := 0.0
	for _, v := range a {
		s += v
	}
	return s
}

// TestInPlaceHazards runs inPlaceHazards on both engines, at inputs that
// take every branch, against their Go versions.
func TestInPlaceHazards(t *testing.T) {
	inputs := [][]float64{make([]float64, 16), make([]float64, 16), make([]float64, 16)}
	for i := range 16 {
		inputs[0][i] = float64((i*37)%16) / 16
		inputs[1][i] = float64(i%3) * 0.4
		inputs[2][i] = 1 - float64(i)/16
	}
	for _, eng := range []rose.Engine{rose.EngineEval, rose.EngineCompiled} {
		p := rose.Load("h.rose", []byte(inPlaceHazardSrc))
		if err := p.Err(); err != nil {
			t.Fatal(err)
		}
		p.Engine = eng
		for _, h := range inPlaceHazards {
			f, err := p.Func(h.name, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range inputs {
				xs := make([]value.Value, len(x))
				for i, v := range x {
					xs[i] = value.Real(v)
				}
				got, err := f.Call(context.Background(), []value.Value{value.Array(xs...)}, nil)
				if err != nil {
					t.Fatal(err)
				}
				if want := h.want(x); got.Real() != want {
					t.Errorf("%v %s(%v) = %v, want %v", eng, h.name, x, got.Real(), want)
				}
			}
		}
	}
}
