package rose_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
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
	{"while", `fn f<n>(x: [n]Real) -> Real {
    var s = 0.0
    var i = 0
    while i < n { s += x[i] * sin(x[i]); i += 1 }
    s
}`, func(n int, r *rand.Rand) string { return "[" + reals(n, r) + "]" }},
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

// funcAt instantiates the function name of p for the JSON argument list
// argsJSON and decodes the arguments.
func funcAt(tb testing.TB, p *rose.Program, name, argsJSON string) (*rose.Func, []value.Value) {
	tb.Helper()
	f, err := p.Func(name, []byte(argsJSON))
	if err != nil {
		tb.Fatal(err)
	}
	args, err := value.DecodeArgs(f.Params(), []byte(argsJSON))
	if err != nil {
		tb.Fatal(err)
	}
	return f, args
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
				f, args := funcAt(t, p, "f", argsJSON)
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

// TestSecondOrderThroughAccumulators checks Hessian-vector products of a
// function whose gradient uses accumulators (second.rose) or records
// calls in comprehensions (mapcall.rose), forward over reverse and
// reverse over reverse, against central differences of the gradient, and
// the gradient against central differences of the function.
func TestSecondOrderThroughAccumulators(t *testing.T) {
	for _, name := range []string{"second.rose", "mapcall.rose"} {
		t.Run(name, func(t *testing.T) { secondOrder(t, name) })
	}
}

func secondOrder(t *testing.T, name string) {
	src, err := os.ReadFile("testdata/scale/" + name)
	if err != nil {
		t.Fatal(err)
	}
	p := rose.Load(name, src)
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
	f, g, hf, hr := fn("f"), fn("g"), fn("hv_fwd"), fn("hv_rev")
	arr := func(xs []float64) value.Value {
		vs := make([]value.Value, len(xs))
		for i, x := range xs {
			vs[i] = value.Real(x)
		}
		return value.Array(vs...)
	}
	reals := func(v value.Value) []float64 {
		out := make([]float64, v.Len())
		for i := range out {
			out[i] = v.Elem(i).Real()
		}
		return out
	}
	call := func(f *rose.Func, args ...[]float64) value.Value {
		vs := make([]value.Value, len(args))
		for i, a := range args {
			vs[i] = arr(a)
		}
		out, err := f.Call(ctx, vs, nil)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	r := rand.New(rand.NewSource(3))
	vec := func() []float64 {
		xs := make([]float64, 5)
		for i := range xs {
			xs[i] = r.Float64()*2 - 1
		}
		return xs
	}
	const h = 1e-5
	for trial := 0; trial < 20; trial++ {
		x, m, v := vec(), vec(), vec()
		shift := func(s float64) []float64 {
			y := make([]float64, 5)
			for i := range y {
				y[i] = x[i] + s*v[i]
			}
			return y
		}
		// Directional derivative of f against <grad f, v>.
		fd := (call(f, shift(h), m).Real() - call(f, shift(-h), m).Real()) / (2 * h)
		gr := reals(call(g, x, m))
		dir := 0.0
		for i := range gr {
			dir += gr[i] * v[i]
		}
		if !relClose(fd, dir, 1e-6) {
			t.Errorf("trial %d: <grad f, v> = %v, central difference %v", trial, dir, fd)
		}
		gp, gm := reals(call(g, shift(h), m)), reals(call(g, shift(-h), m))
		fwd, rev := reals(call(hf, x, m, v)), reals(call(hr, x, m, v))
		for i := range fwd {
			want := (gp[i] - gm[i]) / (2 * h)
			if !relClose(fwd[i], want, 1e-5) || !relClose(rev[i], want, 1e-5) {
				t.Errorf("trial %d: (H v)[%d]: forward over reverse %v, reverse over reverse %v, central difference %v", trial, i, fwd[i], rev[i], want)
			}
			if !relClose(fwd[i], rev[i], 1e-12) {
				t.Errorf("trial %d: (H v)[%d]: forward over reverse %v and reverse over reverse %v differ", trial, i, fwd[i], rev[i])
			}
		}
	}
}

func relClose(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

var updateCost = flag.Bool("update-cost", false, "rewrite testdata/scale/cost.golden")

// TestExampleGradientCost records, for every example of examples/, the
// instructions the value and the value with its gradient execute, and
// their ratio, in testdata/scale/cost.golden. The counts are exact, so any
// change in the cost of a derivative shows in the diff of that file
// (regenerate it with -update-cost and review it). The goal is a ratio of
// at most 4 on every example.
func TestExampleGradientCost(t *testing.T) {
	files, _ := filepath.Glob("examples/*.rose")
	ctx := context.Background()
	var sb strings.Builder
	sb.WriteString("# example: value instructions, value+gradient instructions, ratio (goal <= 4)\n")
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		exs, err := rose.Load(path, src).Examples(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, ex := range exs {
			if ex.Err != nil || ex.Func.IR.Result() != ir.Real {
				continue
			}
			var value, grad int64
			if _, err := ex.Func.Call(ctx, ex.Args, &eval.Options{Executed: &value}); err != nil {
				t.Fatal(err)
			}
			if _, err := ex.Func.Grad(ctx, ex.Args, &eval.Options{Executed: &grad}); err != nil {
				t.Fatal(err)
			}
			text := strings.Join(strings.Fields(ex.Text), " ")
			fmt.Fprintf(&sb, "%s %s: %d %d %.2f\n", filepath.Base(path), text, value, grad, float64(grad)/float64(value))
		}
	}
	const golden = "testdata/scale/cost.golden"
	if *updateCost {
		if err := os.WriteFile(golden, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := sb.String(); got != string(want) {
		t.Errorf("the cost of the examples' gradients changed; review and run go test -run TestExampleGradientCost -update-cost .\n got:\n%s\nwant:\n%s", got, want)
	}
}

// TestDeepCallChain differentiates a chain of 1000 calls in reverse mode
// (whose residuals once nested one tuple per call) and compares it with
// forward mode and with the closed form 1.0001^1000 cos(x).
func TestDeepCallChain(t *testing.T) {
	const depth = 1000
	var sb strings.Builder
	for i := 0; i < depth; i++ {
		fmt.Fprintf(&sb, "fn f%d(x: Real) -> Real { f%d(x) * 1.0001 }\n", i, i+1)
	}
	fmt.Fprintf(&sb, "fn f%d(x: Real) -> Real { sin(x) }\n", depth)
	p := rose.Load("chain.rose", []byte(sb.String()))
	f, err := p.Func("f0", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	args := []value.Value{value.Real(1)}
	rev, err := f.GradMode(ctx, args, nil, rose.Reverse)
	if err != nil {
		t.Fatal(err)
	}
	fwd, err := f.GradMode(ctx, args, nil, rose.Forward)
	if err != nil {
		t.Fatal(err)
	}
	want := math.Pow(1.0001, depth) * math.Cos(1)
	r, fw := rev.Grad[0].Real(), fwd.Grad[0].Real()
	if !relClose(r, want, 1e-12) || !relClose(fw, want, 1e-12) {
		t.Errorf("d f0/dx: reverse %v, forward %v, closed form %v", r, fw, want)
	}
}

// TestConstantTablesOnce checks that an aggregate constant used inside a
// loop is materialized once per call, as if it were bound with let first.
func TestConstantTablesOnce(t *testing.T) {
	const table = "const springs: [4][2]Int = [[0, 1], [1, 2], [2, 3], [3, 0]]\n"
	inLoop := table + `fn f(x: [4]Real) -> Real {
    var e = 0.0
    for k in 0..1000 { e += x[springs[k % 4][0]] * x[springs[k % 4][1]] }
    e
}`
	bound := table + `fn f(x: [4]Real) -> Real {
    let s = springs
    var e = 0.0
    for k in 0..1000 { e += x[s[k % 4][0]] * x[s[k % 4][1]] }
    e
}`
	count := func(src string) (int64, float64) {
		p := rose.Load("c.rose", []byte(src))
		f, err := p.Func("f", nil)
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		v, err := f.Call(context.Background(), []value.Value{value.Array(value.Real(1), value.Real(2), value.Real(3), value.Real(4))}, &eval.Options{Executed: &n})
		if err != nil {
			t.Fatal(err)
		}
		return n, v.Real()
	}
	a, va := count(inLoop)
	b, vb := count(bound)
	if va != vb || va != 250*(2+6+12+4) {
		t.Fatalf("values %v and %v, want %v", va, vb, 250*(2+6+12+4))
	}
	if a != b {
		t.Errorf("a constant table used in a loop executes %d instructions, bound with let first %d", a, b)
	}
}

// TestWhileDerivatives checks reverse mode through while loops (states on
// a run-time sized tape) against forward mode (to 1e-12) and central
// differences (to 1e-6), every input of every parameter, at every example
// of testdata/scale/while.rose.
func TestWhileDerivatives(t *testing.T) {
	src, err := os.ReadFile("testdata/scale/while.rose")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	exs, err := rose.Load("while.rose", src).Examples(ctx)
	if err != nil || len(exs) == 0 {
		t.Fatalf("examples: %v (%d)", err, len(exs))
	}
	for _, ex := range exs {
		if ex.Err != nil {
			t.Fatalf("%s: %v", ex.Text, ex.Err)
		}
		g, err := ex.GradCheck(ctx, nil, 0)
		if err != nil {
			t.Fatalf("%s: %v", ex.Text, err)
		}
		for _, pc := range g.Params {
			if pc.Checked != pc.Inputs || pc.Forward > 1e-12 || pc.FD > 1e-6 {
				t.Errorf("%s: %s: %d of %d inputs checked, against forward mode %g, against central differences %g (worst at %s)",
					ex.Text, pc.Name, pc.Checked, pc.Inputs, pc.Forward, pc.FD, pc.Worst)
			}
		}
	}
}

// BenchmarkScale times the value and value+gradient of the scale shapes
// at 10^3 to 10^5 elements: the ratio must stay flat.
func BenchmarkScale(b *testing.B) {
	ctx := context.Background()
	for _, sh := range scaleShapes {
		for _, n := range []int{1000, 10000, 100000} {
			argsJSON := "[" + sh.args(n, rand.New(rand.NewSource(int64(n)))) + "]"
			f, args := funcAt(b, rose.Load("scale.rose", []byte(sh.src)), "f", argsJSON)
			b.Run(fmt.Sprintf("%s/n=%d/value", sh.name, n), func(b *testing.B) {
				for b.Loop() {
					if _, err := f.Call(ctx, args, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(fmt.Sprintf("%s/n=%d/grad", sh.name, n), func(b *testing.B) {
				for b.Loop() {
					if _, err := f.Grad(ctx, args, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkRosenbrock1000 times examples/rosenbrock.rose at n = 1000 beside
// the same function and its hand-derived gradient written in Go.
func BenchmarkRosenbrock1000(b *testing.B) {
	src, err := os.ReadFile("examples/rosenbrock.rose")
	if err != nil {
		b.Fatal(err)
	}
	const n = 1000
	x := make([]float64, n)
	vals := make([]value.Value, n)
	for i := range x {
		x[i] = 0.5 + 0.001*float64(i)
		vals[i] = value.Real(x[i])
	}
	args := []value.Value{value.Array(vals...)}
	argsJSON, _ := json.Marshal([][]float64{x})
	f, err := rose.Load("rosenbrock.rose", src).Func("rosenbrock", argsJSON)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Run("rose/value", func(b *testing.B) {
		for b.Loop() {
			if _, err := f.Call(ctx, args, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("rose/grad", func(b *testing.B) {
		for b.Loop() {
			if _, err := f.Grad(ctx, args, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	g := make([]float64, n)
	var sink float64
	b.Run("go/value", func(b *testing.B) {
		for b.Loop() {
			sink += rosenbrockGo(x, nil)
		}
	})
	b.Run("go/grad", func(b *testing.B) {
		for b.Loop() {
			sink += rosenbrockGo(x, g)
		}
	})
	if want := f; want == nil || math.IsNaN(sink) {
		b.Fatal("unreachable")
	}
}

// rosenbrockGo is the Rosenbrock function and, when g is not nil, its
// hand-derived gradient into g.
func rosenbrockGo(x, g []float64) float64 {
	s := 0.0
	for i := range g {
		g[i] = 0
	}
	for i := 0; i+1 < len(x); i++ {
		a := 1 - x[i]
		b := x[i+1] - x[i]*x[i]
		s += 100*b*b + a*a
		if g != nil {
			g[i] += -400*b*x[i] - 2*a
			g[i+1] += 200 * b
		}
	}
	return s
}

// BenchmarkElementUpdates times a loop that updates one element of an
// n-element var per step: with updates in place the time per element is
// flat in n (a copy per update made it grow linearly).
func BenchmarkElementUpdates(b *testing.B) {
	const src = `fn f<n>(x: [n]Real) -> Real {
    var a = x
    for i in 0..n { a[i] = a[i] * 2.0 + a[(i + 1) % n] }
    a[n - 1]
}`
	ctx := context.Background()
	for _, n := range []int{1000, 10000, 100000} {
		argsJSON := "[[" + reals(n, rand.New(rand.NewSource(1))) + "]]"
		f, args := funcAt(b, rose.Load("u.rose", []byte(src)), "f", argsJSON)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := f.Call(ctx, args, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/element")
		})
	}
}
