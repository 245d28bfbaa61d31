package opt_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/opt"
	"github.com/rose-go/rose/value"
)

const rosenSrc = `
fn rosen<n>(x: [n]Real) -> Real {
    var s = 0.0
    for i in 0..n - 1 {
        let a = 1.0 - x[i]
        let b = x[i + 1] - x[i] * x[i]
        s += a * a + 100.0 * b * b
    }
    s
}
fn quad(x: [2]Real, c: Real) -> Real { let d = x[0] - c; d * d + 10.0 * x[1] * x[1] }
fn cliff(x: Real) -> Real { sqrt(1.0 - x) + x * x }
fn slow(x: Real) -> Real {
    var s = 0.0
    for i in 0..2000000 { s += sin(x + real(i)) }
    s
}
`

// objective loads fn name from rosenSrc at the JSON arguments.
func objective(t *testing.T, name, args string, wrt []int) *rose.Objective {
	t.Helper()
	p := rose.Load("opt.rose", []byte(rosenSrc))
	f, err := p.Func(name, []byte(args))
	if err != nil {
		t.Fatal(err)
	}
	vs, err := value.DecodeArgs(f.Params(), []byte(args))
	if err != nil {
		t.Fatal(err)
	}
	o, err := f.Objective(context.Background(), vs, wrt, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(o.Close)
	return o
}

// rosenStart is the classic start (-1.2, 1, -1.2, 1, ...), n even.
func rosenStart(n int) string {
	return "[[" + strings.TrimSuffix(strings.Repeat("-1.2, 1, ", n/2), ", ") + "]]"
}

// TestRosenbrock checks that each line-search method reaches the
// minimum (1, ..., 1) of Rosenbrock's function to 1e-6, in 2 and 100
// dimensions, from the classic start.
func TestRosenbrock(t *testing.T) {
	for _, n := range []int{2, 100} {
		for _, m := range []string{opt.LBFGS, opt.BFGS, opt.CG} {
			t.Run(fmt.Sprintf("%s/%d", m, n), func(t *testing.T) {
				o := objective(t, "rosen", rosenStart(n), nil)
				r := opt.Minimize(context.Background(), o, nil, opt.Settings{Method: m, MaxIter: 20000})
				if r.Err != nil {
					t.Fatalf("%v (status %s)", r.Err, r.Status)
				}
				for i, x := range r.X {
					if math.Abs(x-1) > 1e-6 {
						t.Fatalf("x[%d] = %v after %d iterations (%s)", i, x, r.Iters, r.Status)
					}
				}
				t.Logf("%s n=%d: %d iterations, %d evaluations, loss %.3g, %s", m, n, r.Iters, r.Evals, r.Loss, r.Status)
			})
		}
	}
}

// TestFixedStep checks gradient descent against the update written out:
// x -= lr * grad, bit for bit, with the gradient computed by hand, and
// that the record sees every iterate.
func TestFixedStep(t *testing.T) {
	o := objective(t, "quad", "[[1, 1], 0.5]", []int{0})
	const lr = 0.01
	var losses []float64
	r := opt.Minimize(context.Background(), o, nil, opt.Settings{
		Method: opt.GD, Step: lr, MaxIter: 50,
		Record: func(it *opt.Iter) error { losses = append(losses, it.Loss); return nil },
	})
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	x := []float64{1, 1}
	var want []float64
	for i := range 51 {
		d := x[0] - 0.5
		want = append(want, d*d+10*x[1]*x[1])
		if i < 50 {
			g0, g1 := 2*d, 20*x[1]
			x[0] -= lr * g0
			x[1] -= lr * g1
		}
	}
	if r.X[0] != x[0] || r.X[1] != x[1] {
		t.Errorf("x = %v after 50 steps, by hand %v", r.X, x)
	}
	if len(losses) != 51 || r.Iters != 50 || r.Evals != 51 {
		t.Fatalf("%d records, %d iterations, %d evaluations; want 51, 50, 51", len(losses), r.Iters, r.Evals)
	}
	for i := range want {
		if losses[i] != want[i] {
			t.Fatalf("loss %d = %v, by hand %v", i, losses[i], want[i])
		}
	}
	if r.Status != "iteration limit" {
		t.Errorf("status %q", r.Status)
	}
}

// TestClip checks the clipped step: every step is Clip long.
func TestClip(t *testing.T) {
	o := objective(t, "quad", "[[3, 2], 0.5]", []int{0})
	var xs [][]float64
	r := opt.Minimize(context.Background(), o, nil, opt.Settings{
		Method: opt.GD, Clip: 0.2, MaxIter: 5,
		Record: func(it *opt.Iter) error { xs = append(xs, append([]float64(nil), it.X...)); return nil },
	})
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	for i := 1; i < len(xs); i++ {
		d := math.Hypot(xs[i][0]-xs[i-1][0], xs[i][1]-xs[i-1][1])
		if math.Abs(d-0.2) > 1e-6 {
			t.Errorf("step %d has length %v, want 0.2", i, d)
		}
	}
}

// TestNonFinite checks a run whose objective becomes NaN: it stops with
// the last good point and says which operation made the NaN.
func TestNonFinite(t *testing.T) {
	o := objective(t, "cliff", "[0.5]", nil)
	// Gradient descent with a large step jumps past x = 1, where sqrt
	// of a negative number is NaN.
	r := opt.Minimize(context.Background(), o, nil, opt.Settings{Method: opt.GD, Step: 2, MaxIter: 10})
	var nf *opt.NonFiniteError
	if !errors.As(r.Err, &nf) {
		t.Fatalf("err %v, want a NonFiniteError", r.Err)
	}
	if nf.Where == nil || !strings.Contains(nf.Where.Msg, "sqrt") {
		t.Fatalf("where %+v, want the sqrt", nf.Where)
	}
	if len(r.X) != 1 || r.X[0] != 0.5 || math.IsNaN(r.Loss) {
		t.Errorf("best point %v (loss %v), want the start 0.5", r.X, r.Loss)
	}
	if r.Status != "not finite" {
		t.Errorf("status %q", r.Status)
	}
}

// TestCancel checks that a cancelled context stops a run mid-evaluation
// with the best point so far.
func TestCancel(t *testing.T) {
	o := objective(t, "slow", "[0.5]", nil)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	r := opt.Minimize(ctx, o, nil, opt.Settings{Record: func(it *opt.Iter) error {
		if n++; n == 2 {
			cancel()
		}
		return nil
	}})
	if !errors.Is(r.Err, context.Canceled) || r.Status != "interrupted" {
		t.Fatalf("err %v status %q, want interrupted", r.Err, r.Status)
	}
	if len(r.X) != 1 || math.IsNaN(r.Loss) {
		t.Errorf("best %v loss %v", r.X, r.Loss)
	}
}

// TestBadSettings checks settings errors: a run that does not start.
func TestBadSettings(t *testing.T) {
	o := objective(t, "quad", "[[1, 1], 0.5]", nil)
	for _, s := range []opt.Settings{{Method: "newton"}, {Method: opt.GD}, {Method: opt.GD, Step: -1}} {
		if r := opt.Minimize(context.Background(), o, nil, s); r.Err == nil {
			t.Errorf("%+v: no error", s)
		}
	}
}
