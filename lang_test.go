package rose_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/value"
)

// langSrc uses element and field updates, computed ranges and sizes, and
// while loops; TestLangDerivatives checks its gradients.
const langSrc = `
struct P { pos: [2]Real, m: Real }

fn scatter<n>(x: [n]Real) -> Real {
    var acc = [for i in 0..n { 0.0 }]
    for i in 0..n - 1 { acc[i + 1] += x[i] * x[i] }
    var s = 0.0
    for i in 1..n { s += acc[i] }
    s
}

fn fields(a: Real, b: Real) -> Real {
    var p = P { pos: [a, b], m: 1.0 }
    for t in 0..3 {
        p.pos[0] -= 0.1 * p.pos[1] * p.m
        if p.pos[0] > 0.0 { p.m *= a } else { p.pos[1] /= 2.0 }
    }
    var q = [[a, b], [b, a]]
    q[1][0] += p.pos[0] * p.pos[1]
    q[0][1] = q[1][0] * b
    p.m + q[0][1] + q[1][1]
}

fn tri<d>(x: [d]Real) -> [d * (d + 1) / 2]Real {
    var out: [d * (d + 1) / 2]Real = [for k in 0..d * (d + 1) / 2 { 0.0 }]
    for i in 0..d {
        for j in 0..d { if j <= i { out[i * (i + 1) / 2 + j] = x[i] * x[j] } }
    }
    out
}

fn packed<d>(x: [d]Real, t: [d * (d + 1) / 2]Real) -> Real { dot(t, t) + sum(x) }

fn tris(x: [3]Real) -> Real { packed(x, tri(x)) }

fn tri2<d>(x: [d]Real) -> [d * (d + 1) / 2]Real {
    var out: [d * (d + 1) / 2]Real = [for k in 0..d * (d + 1) / 2 { 0.0 }]
    for i in 0..d {
        for j in 0..i + 1 { out[i * (i + 1) / 2 + j] = x[i] * x[j] }
    }
    out
}

fn dyn(x: [4]Real) -> Real {
    var s = 0.0
    for a in 0..4 {
        for b in a..4 {
            for c in b / 2..a + b - 1 { s += x[a] * x[b] * real(c) + sin(x[c % 4]) }
        }
    }
    packed(x, tri2(x)) + s
}

fn guarded(x: [4]Real) -> Real {
    var s = 0.0
    for a in 0..4 {
        for b in 0..4 {
            for c in 0..8 {
                if b >= a && c >= b / 2 && c < a + b - 1 { s += x[a] * x[b] * real(c) + sin(x[c % 4]) }
            }
        }
    }
    var t = 0.0
    for i in 0..4 { for j in 0..4 { if j <= i { t += x[i] * x[j] * x[i] * x[j] } } }
    t + sum(x) + s
}

fn halve(x: Real) -> Real { var y = x; while y > 1.0 { y = y / 2.0 }; y * y + sin(x) }

fn newton(a: Real, b: Real) -> Real {
    var x = a
    var dx = 1.0
    while abs(dx) > 1e-13 max 200 { dx = (x * x - a) / (2.0 * x); x -= dx }
    x * b
}
`

func TestLangDerivatives(t *testing.T) {
	p := rose.Load("lang.rose", []byte(langSrc))
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cases := []struct {
		name  string
		args  string
		x     []value.Value
		modes []rose.Mode
	}{
		{"scatter", "[[1.0, 2.0, 3.0]]", []value.Value{value.Array(value.Real(1), value.Real(2), value.Real(3))}, []rose.Mode{rose.Forward, rose.Reverse}},
		{"scatter", "[[0.5, -1.0, 2.0, 0.25]]", []value.Value{value.Array(value.Real(0.5), value.Real(-1), value.Real(2), value.Real(0.25))}, []rose.Mode{rose.Forward, rose.Reverse}},
		{"fields", "", []value.Value{value.Real(1.3), value.Real(0.7)}, []rose.Mode{rose.Forward, rose.Reverse}},
		{"fields", "", []value.Value{value.Real(-0.4), value.Real(2.1)}, []rose.Mode{rose.Forward, rose.Reverse}},
		{"tris", "", []value.Value{value.Array(value.Real(0.3), value.Real(-1.2), value.Real(0.8))}, []rose.Mode{rose.Forward, rose.Reverse}},
		{"dyn", "", []value.Value{value.Array(value.Real(0.3), value.Real(-1.2), value.Real(0.8), value.Real(2.5))}, []rose.Mode{rose.Forward, rose.Reverse}},
		{"halve", "", []value.Value{value.Real(10)}, []rose.Mode{rose.Forward, rose.Reverse}},
		{"halve", "", []value.Value{value.Real(0.6)}, []rose.Mode{rose.Forward, rose.Reverse}},
		{"newton", "", []value.Value{value.Real(2), value.Real(1.5)}, []rose.Mode{rose.Forward, rose.Reverse}},
	}
	for _, c := range cases {
		var argsJSON []byte
		if c.args != "" {
			argsJSON = []byte(c.args)
		}
		f, err := p.Func(c.name, argsJSON)
		if err != nil {
			t.Fatal(err)
		}
		valueAt := func(x []value.Value) float64 {
			v, err := f.Call(ctx, x, nil)
			if err != nil {
				t.Fatal(err)
			}
			return v.Real()
		}
		// Central differences, parameter by parameter, element by element.
		var fd []float64
		const h = 1e-6
		for i := range c.x {
			n := 1
			if c.x[i].Len() > 0 {
				n = c.x[i].Len()
			}
			for k := 0; k < n; k++ {
				shift := func(d float64) []value.Value {
					y := append([]value.Value(nil), c.x...)
					if c.x[i].Len() > 0 {
						es := make([]value.Value, n)
						for j := range es {
							es[j] = c.x[i].Elem(j)
						}
						es[k] = value.Real(es[k].Real() + d)
						y[i] = value.Array(es...)
					} else {
						y[i] = value.Real(c.x[i].Real() + d)
					}
					return y
				}
				fd = append(fd, (valueAt(shift(h))-valueAt(shift(-h)))/(2*h))
			}
		}
		for _, m := range c.modes {
			g, err := f.GradMode(ctx, c.x, nil, m)
			if err != nil {
				t.Fatalf("%s mode %v: %v", c.name, m, err)
			}
			var got []float64
			for _, gv := range g.Grad {
				if gv.Len() > 0 {
					for j := 0; j < gv.Len(); j++ {
						got = append(got, gv.Elem(j).Real())
					}
				} else {
					got = append(got, gv.Real())
				}
			}
			if len(got) != len(fd) {
				t.Fatalf("%s: %d gradient entries, want %d", c.name, len(got), len(fd))
			}
			for k := range fd {
				if math.Abs(got[k]-fd[k]) > 1e-6*math.Max(1, math.Abs(fd[k])) {
					t.Errorf("%s%s mode %v: gradient[%d] = %.12g, finite differences %.12g", c.name, c.args, m, k, got[k], fd[k])
				}
			}
		}
	}
}

// TestDynamicLoops compares loops whose trip counts depend on enclosing
// indices with the same sums written as guarded static loops.
func TestDynamicLoops(t *testing.T) {
	p := rose.Load("lang.rose", []byte(langSrc))
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	x := []value.Value{value.Array(value.Real(0.3), value.Real(-1.2), value.Real(0.8), value.Real(2.5))}
	var got [2]float64
	for k, name := range []string{"dyn", "guarded"} {
		f, err := p.Func(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		v, err := f.Call(context.Background(), x, nil)
		if err != nil {
			t.Fatal(err)
		}
		got[k] = v.Real()
	}
	if math.Abs(got[0]-got[1]) > 1e-12*math.Abs(got[1]) {
		t.Errorf("dyn = %.17g, guarded = %.17g", got[0], got[1])
	}
}

// TestWhileLimits checks the three ways a while loop stops without its
// condition turning false: its own bound, the step budget, cancellation.
func TestWhileLimits(t *testing.T) {
	src := `
fn bounded(x: Real) -> Real { var y = x; while y > 0.0 max 10 { y -= 1.0 }; y }
fn forever(x: Real) -> Real { var y = x; while y > 0.0 { y += 1.0 }; y }
fn empty(x: Real) -> Real { var y = x; while y > 100.0 max 1 { y = 0.0 }; y }
`
	p := rose.Load("w.rose", []byte(src))
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	fn := func(name string) *rose.Func {
		f, err := p.Func(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	// Exactly 10 steps are allowed; the 11th fails.
	if v, err := fn("bounded").Call(ctx, []value.Value{value.Real(9.5)}, nil); err != nil || v.Real() != -0.5 {
		t.Errorf("bounded(9.5) = %v, %v; want -0.5", v, err)
	}
	if _, err := fn("bounded").Call(ctx, []value.Value{value.Real(10.5)}, nil); err == nil || !strings.Contains(err.Error(), "while loop exceeded its bound of 10 steps") {
		t.Errorf("bounded(10.5): error %v, want the bound error", err)
	}
	if v, err := fn("empty").Call(ctx, []value.Value{value.Real(3)}, nil); err != nil || v.Real() != 3 {
		t.Errorf("empty(3) = %v, %v; want 3 (the body never runs)", v, err)
	}
	// Every iteration is a step of the budget.
	_, err := fn("forever").Call(ctx, []value.Value{value.Real(1)}, &eval.Options{MaxSteps: 5000})
	if !errors.Is(err, value.ErrStepBudget) {
		t.Errorf("forever under a budget: error %v, want the step budget", err)
	}
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = fn("forever").Call(cctx, []value.Value{value.Real(1)}, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("forever with a deadline: error %v, want the deadline", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancellation took %v", d)
	}
	// Forward mode keeps the bound.
	if _, err := fn("bounded").GradMode(ctx, []value.Value{value.Real(10.5)}, nil, rose.Forward); err == nil || !strings.Contains(err.Error(), "bound of 10 steps") {
		t.Errorf("forward mode of bounded(10.5): error %v, want the bound error", err)
	}
}
