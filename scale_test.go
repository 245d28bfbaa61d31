package rose_test

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/eval"
)

// scaleShapes are the array-heavy shapes of real workloads: a loop over
// element reads, a comprehension reduced by sum, nested arrays read row by
// row and element by element (GMM), and a struct of arrays read by index
// in a loop (mass-spring).
var scaleShapes = []struct {
	name, src string
	args      func(n int, r *rand.Rand) string
}{
	{"loopsum", `fn f<n>(x: [n]Real) -> Real { var s = 0.0; for i in 0..n { s += x[i] * x[i] }; s }`,
		func(n int, r *rand.Rand) string { return "[" + reals(n, r) + "]" }},
	{"comprehension", `fn f<n>(x: [n]Real) -> Real { sum([for i in 0..n { sin(x[i]) * x[i] }]) }`,
		func(n int, r *rand.Rand) string { return "[" + reals(n, r) + "]" }},
	{"nested", `fn f<n>(x: [n][3]Real, m: [3]Real) -> Real {
    var s = 0.0
    for i in 0..n {
        let d = x[i] - m
        var e = 0.0
        for j in 0..3 { e += x[i][j] * d[j] }
        s += dot(d, d) + e
    }
    s
}`, func(n int, r *rand.Rand) string {
		rows := make([]string, n)
		for i := range rows {
			rows[i] = "[" + reals(3, r) + "]"
		}
		return "[" + strings.Join(rows, ",") + "], [" + reals(3, r) + "]"
	}},
	{"struct", `fn f<n>(s: ([n]Real, [n]Real, Real)) -> Real {
    var e = 0.0
    for i in 0..n {
        let d = s.0[i] - s.1[i]
        e += s.2 * d * d + s.1[i] * s.0[i]
    }
    e
}`, func(n int, r *rand.Rand) string {
		return `[[` + reals(n, r) + `], [` + reals(n, r) + `], 0.5]`
	}},
}

func reals(n int, r *rand.Rand) string {
	xs := make([]string, n)
	for i := range xs {
		xs[i] = fmt.Sprint(r.Float64()*2 - 1)
	}
	return strings.Join(xs, ",")
}

// TestCheapGradient checks the cheap-gradient principle on instruction
// counts, which repeat exactly: value and gradient together cost at most 4
// times the value, at every size, and the ratio does not grow with it.
func TestCheapGradient(t *testing.T) {
	ctx := context.Background()
	for _, sh := range scaleShapes {
		t.Run(sh.name, func(t *testing.T) {
			var ratios []float64
			for _, n := range []int{1000, 10000, 100000} {
				r := rand.New(rand.NewSource(int64(n)))
				argsJSON := "[" + sh.args(n, r) + "]"
				p := rose.Load("scale.rose", []byte(sh.src))
				if err := p.Err(); err != nil {
					t.Fatal(err)
				}
				f, err := p.Func("f", []byte(argsJSON))
				if err != nil {
					t.Fatal(err)
				}
				args, err := eval.DecodeArgs(f.Params(), []byte(argsJSON))
				if err != nil {
					t.Fatal(err)
				}
				var value, grad int64
				if _, err := f.Call(ctx, args, &eval.Options{Executed: &value}); err != nil {
					t.Fatal(err)
				}
				if _, err := f.Grad(ctx, args, &eval.Options{Executed: &grad}); err != nil {
					t.Fatal(err)
				}
				ratio := float64(grad) / float64(value)
				t.Logf("n=%d value %d grad %d ratio %.3f", n, value, grad, ratio)
				if ratio > 4 {
					t.Errorf("n=%d: value+gradient costs %.2f times the value (goal <= 4)", n, ratio)
				}
				ratios = append(ratios, ratio)
			}
			if ratios[len(ratios)-1] > ratios[0]*1.05 {
				t.Errorf("gradient/value grows with the size: %.3f at 10^3, %.3f at 10^5", ratios[0], ratios[len(ratios)-1])
			}
		})
	}
}
