package ad_test

import (
	"context"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/ad"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// reals lists the Real scalars of v in layout order.
func reals(v value.Value, out []float64) []float64 {
	switch v.Kind() {
	case ir.KReal:
		return append(out, v.Real())
	case ir.KArray, ir.KTuple:
		for i := 0; i < v.Len(); i++ {
			out = reals(v.Elem(i), out)
		}
	}
	return out
}

// rebuild returns v with its Reals replaced by xs (consumed in order).
// With tangent set, Ints and Bools become empty tuples: the value is then
// a tangent of v.
func rebuild(v value.Value, xs *[]float64, tangent bool) value.Value {
	switch v.Kind() {
	case ir.KReal:
		x := (*xs)[0]
		*xs = (*xs)[1:]
		return value.Real(x)
	case ir.KInt, ir.KBool:
		if tangent {
			return value.Tuple()
		}
		return v
	}
	elems := make([]value.Value, v.Len())
	for i := range elems {
		elems[i] = rebuild(v.Elem(i), xs, tangent)
	}
	if v.Kind() == ir.KArray {
		return value.Array(elems...)
	}
	return value.Tuple(elems...)
}

func perturb(args []value.Value, dir [][]float64, h float64) []value.Value {
	out := make([]value.Value, len(args))
	for i, a := range args {
		xs := reals(a, nil)
		for k := range xs {
			xs[k] += h * dir[i][k]
		}
		out[i] = rebuild(a, &xs, false)
	}
	return out
}

// loadFunc loads src and returns its function name (not generic).
func loadFunc(t testing.TB, src, name string) *rose.Func {
	t.Helper()
	p := rose.Load("t.rose", []byte(src))
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	f, err := p.Func(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func call(t *testing.T, f *ir.Func, args []value.Value) value.Value {
	t.Helper()
	v, err := eval.Call(context.Background(), f, args, nil)
	if err != nil {
		t.Fatalf("%s: %v", f.Name, err)
	}
	return v
}

// checkJVP compares the JVP of f at args in a random direction with central
// finite differences.
func checkJVP(t *testing.T, tr *ad.Transformer, f *ir.Func, args []value.Value, rng *rand.Rand, label string) {
	t.Helper()
	g := mustJVP(tr, f)
	if err := ir.Verify(g); err != nil {
		t.Fatalf("%s: JVP does not verify: %v\n%s", label, err, g)
	}
	dir := make([][]float64, len(args))
	all := append([]value.Value(nil), args...)
	for i, a := range args {
		xs := reals(a, nil)
		for k := range xs {
			xs[k] = rng.NormFloat64()
		}
		dir[i] = append([]float64(nil), xs...)
		all = append(all, rebuild(a, &xs, true))
	}
	out := call(t, g, all)
	y, dy := out.Elem(0), reals(out.Elem(1), nil)
	if want := call(t, f, args); !value.Equal(y, want) {
		t.Errorf("%s: JVP primal %v, want %v", label, y, want)
	}
	const h = 1e-6
	plus := reals(call(t, f, perturb(args, dir, h)), nil)
	minus := reals(call(t, f, perturb(args, dir, -h)), nil)
	for k := range dy {
		fd := (plus[k] - minus[k]) / (2 * h)
		scale := math.Max(1, math.Max(math.Abs(fd), math.Abs(dy[k])))
		if math.Abs(fd-dy[k]) > 1e-5*scale || math.IsNaN(dy[k]) != math.IsNaN(fd) {
			t.Errorf("%s: tangent[%d] = %.12g, finite differences give %.12g", label, k, dy[k], fd)
		}
	}
}

// TestJVPBuiltins differentiates every differentiable builtin and operator
// at points where it is smooth.
func TestJVPBuiltins(t *testing.T) {
	forBuiltinCases(t, 1, checkJVP)
}

// forBuiltinCases runs check three times (random directions) on every
// case of builtinCases.
func forBuiltinCases(t *testing.T, seed int64, check func(*testing.T, *ad.Transformer, *ir.Func, []value.Value, *rand.Rand, string)) {
	p := rose.Load("b.rose", []byte(builtinsSrc))
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	tr := ad.NewTransformer()
	rng := rand.New(rand.NewSource(seed))
	for _, c := range builtinCases {
		f, err := p.Func(c.fn, []byte(c.args))
		if err != nil {
			t.Fatal(err)
		}
		args, err := value.DecodeArgs(f.Params(), []byte(c.args))
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; k < 3; k++ {
			check(t, tr, f.IR, args, rng, c.fn+c.args)
		}
	}
}

// TestJVPExamples differentiates every example program at its example
// points in random directions.
func TestJVPExamples(t *testing.T) {
	forExamples(t, 2, checkJVP)
}

// forExamples runs check on every example of every program in examples/.
func forExamples(t *testing.T, seed int64, check func(*testing.T, *ad.Transformer, *ir.Func, []value.Value, *rand.Rand, string)) {
	files, _ := filepath.Glob("../examples/*.rose")
	if len(files) == 0 {
		t.Fatal("no examples")
	}
	rng := rand.New(rand.NewSource(seed))
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		p := rose.Load(path, src)
		exs, err := p.Examples(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		tr := ad.NewTransformer()
		for _, ex := range exs {
			if ex.Err != nil {
				t.Fatal(ex.Err)
			}
			check(t, tr, ex.Func.IR, ex.Args, rng, filepath.Base(path)+": "+ex.Text)
		}
	}
}

// TestJVPOfJVP checks second derivatives: the JVP of the JVP of x^y
// against finite differences of the first derivative.
func TestJVPOfJVP(t *testing.T) {
	f := loadFunc(t, "fn f(x: Real, y: Real) -> Real { pow(x, y) }\n", "f")
	tr := ad.NewTransformer()
	g := mustJVP(tr, f.IR)
	args := []value.Value{value.Real(2), value.Real(3), value.Real(1), value.Real(0)}
	rng := rand.New(rand.NewSource(3))
	checkJVP(t, tr, g, args, rng, "jvp(jvp(pow))")
	// d/dx of d/dx x^y = y (y-1) x^(y-2) = 12 at (2, 3).
	h := mustJVP(tr, g)
	out := call(t, h, []value.Value{
		value.Real(2), value.Real(3), value.Real(1), value.Real(0),
		value.Real(1), value.Real(0), value.Real(0), value.Real(0),
	})
	if d2 := out.Elem(1).Elem(1).Real(); math.Abs(d2-12) > 1e-12 {
		t.Errorf("second derivative %v, want 12", d2)
	}
}

// builtinsSrc exercises every differentiable operator and construct.
const builtinsSrc = `
fn un(x: Real) -> [14]Real {
    [sqrt(x), exp(x), log(x), sin(x), cos(x), tan(x), asin(x - 0.5), acos(x - 0.5),
     atan(x), sinh(x), cosh(x), tanh(x), abs(x - 2.0), -x]
}
fn bin(x: Real, y: Real) -> [9]Real {
    [x + y, x - y, x * y, x / y, pow(x, y), atan2(y, x), min(x, y), max(x, y), x * 3.0 / y]
}
fn flat(x: Real) -> [4]Real { [floor(x), ceil(x), round(x), sign(x)] }
fn ints(x: Real, k: Int) -> Real { real(k * 2) * x + real(k / 2) }
fn agg(v: [3]Real, p: (Real, Int)) -> (Real, [3]Real) {
    let w = [for i in 0..3 { v[i] * p.0 }]
    (sum(w) + norm(v), w * 2.0 + v)
}
fn branchy(x: Real) -> Real { if x > 1.0 { x * x } else { sqrt(x) } }
fn looped(x: Real, v: [2]Real) -> [2]Real {
    var s = v
    for i in 0..50 { s = s * 0.99 + [sin(x) * 0.1, cos(s[0]) * 0.1] }
    s
}
fn inner(a: Real, b: Real) -> Real { a * exp(-b) }
fn calls(x: Real) -> Real { inner(x, 2.0) + inner(1.0, x) + inner(x, x) }
`

var builtinCases = []struct {
	fn   string
	args string
}{
	{"un", "[0.7]"}, {"un", "[1.3]"},
	{"bin", "[0.8, 1.7]"}, {"bin", "[2.5, -0.5]"}, {"bin", "[1.5, -2.5]"},
	{"flat", "[1.3]"},
	{"ints", "[0.3, 7]"},
	{"agg", "[[1.0, 2.0, -0.5], [0.3, 4]]"},
	{"branchy", "[2.0]"}, {"branchy", "[0.5]"},
	{"looped", "[0.4, [1.0, -1.0]]"},
	{"calls", "[0.9]"},
}

// mustJVP is JVP for programs the test knows forward mode handles.
func mustJVP(tr *ad.Transformer, f *ir.Func) *ir.Func {
	g, err := tr.JVP(f)
	if err != nil {
		panic(err)
	}
	return g
}

// TestJVPIntResultCall checks that forward mode calls a function whose
// result has no Real (an index search) as itself: no JVP of it is made,
// and the derivative of its caller is still exact.
func TestJVPIntResultCall(t *testing.T) {
	src := `
fn nearest(p: Real, c: [3]Real) -> Int {
    var best = 0
    var bestd = 1.0 / 0.0
    for j in 0..3 {
        let e = (p - c[j]) * (p - c[j])
        if e < bestd { best = j; bestd = e }
    }
    best
}
fn cost(p: Real, c: [3]Real) -> Real { let t = p - c[nearest(p, c)]; t * t * t }
`
	f := loadFunc(t, src, "cost")
	tr := ad.NewTransformer()
	g := mustJVP(tr, f.IR)
	for _, h := range ir.Reachable(g) {
		if h.Name == "jvp(nearest)" {
			t.Errorf("forward mode made %s:\n%s", h.Name, h)
		}
	}
	args := []value.Value{value.Real(0.9), value.Array(value.Real(0), value.Real(1.5), value.Real(3))}
	// cost = (p - c[1])^3 near p = 0.9: d/dp = 3 (p - c1)^2, d/dc1 = -that.
	out := call(t, g, append(args, value.Real(1), value.Array(value.Real(0), value.Real(0.5), value.Real(0))))
	want := 3 * 0.6 * 0.6 * (1 - 0.5)
	if d := out.Elem(1).Real(); math.Abs(d-want) > 1e-15 {
		t.Errorf("tangent %v, want %v", d, want)
	}
	checkJVP(t, tr, f.IR, args, rand.New(rand.NewSource(5)), "cost")
}
