package ad_test

import (
	"context"
	"math"
	"math/rand"
	"testing"

	"github.com/rose-go/rose/ad"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// A pairwise interaction that is zero unless the pair is close, as in
// billiards: the backward sweep of a pair that does not interact should
// cost about its condition, not the transposed code of everything before
// the if.
const contactSrc = `
fn push(a: [2]Real, b: [2]Real) -> [2]Real {
    let d = a - b
    let r = norm(d)
    let u = (1.0 / (1e-6 + r)) * d
    if r < 1.0 { ((1.0 - r) * (1.0 - r)) * u } else { [0.0, 0.0] }
}

fn energy(p: [4][2]Real, k: Real) -> Real {
    var e = 0.0
    for i in 0..4 {
        var f = [0.0, 0.0]
        for j in 0..4 {
            if j != i { f += push(p[i], p[j]) }
        }
        e += k * dot(f, f) + dot(p[i], p[i])
    }
    e
}
`

func contactArgs(spread float64) []value.Value {
	pts := make([]value.Value, 4)
	for i := range pts {
		pts[i] = value.Array(value.Real(spread*float64(i)+0.1), value.Real(0.3*float64(i%2)))
	}
	return []value.Value{value.Array(pts...), value.Real(1.5)}
}

func TestSinkZeroArms(t *testing.T) {
	f := loadFunc(t, contactSrc, "energy")
	tr := ad.NewTransformer()
	g, err := tr.VJP(f.IR)
	if err != nil {
		t.Fatal(err)
	}
	// Reverse mode against forward mode, with pairs in contact (spread
	// 0.4) and none (spread 5).
	for _, spread := range []float64{0.4, 5} {
		args := contactArgs(spread)
		checkDuality(t, tr, f.IR, args, rand.New(rand.NewSource(3)), "energy")
	}
	// Far apart, the gradient costs little more than twice the value
	// (the forward sweep, then each pair's recomputed condition), where
	// the transposed code run on zeros made it 3.23.
	cost := func(fn *ir.Func, args []value.Value) int64 {
		var n int64
		if _, err := eval.Call(context.Background(), fn, args, &eval.Options{Executed: &n}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	far := contactArgs(5)
	v := cost(f.IR, far)
	d := cost(g, append(far, value.Real(1)))
	if r := float64(d) / float64(v); r > 2.75 {
		t.Errorf("far apart: gradient / value = %d / %d = %.2f instructions, want <= 2.75", d, v, r)
	}
}

// TestSinkZeroArmsNonFinite: a zero cotangent contributes exactly zero even
// where the primal values it would multiply are infinite.
func TestSinkZeroArmsNonFinite(t *testing.T) {
	src := `
fn g(x: Real, y: Real) -> Real {
    let w = [y * 1e308 * 10.0, 1.0]
    let s = dot([x, x], w)
    if x > 0.0 { s } else { 0.0 }
}
`
	f := loadFunc(t, src, "g")
	gr, err := f.Grad(context.Background(), []value.Value{value.Real(-1), value.Real(1)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, c := range gr.Grad {
		if x := c.Real(); x != 0 || math.Signbit(x) {
			t.Errorf("d/d%s = %v, want 0", f.ParamNames[k], x)
		}
	}
}
