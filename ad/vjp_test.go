package ad_test

import (
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/ad"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// randomTangent returns a tangent of v with normally distributed Reals,
// and those Reals.
func randomTangent(v value.Value, rng *rand.Rand) (value.Value, []float64) {
	xs := reals(v, nil)
	for k := range xs {
		xs[k] = rng.NormFloat64()
	}
	flat := append([]float64(nil), xs...)
	return rebuild(v, &xs, true), flat
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// checkDuality checks <vjp(x, dy), dx> == <dy, jvp(x, dx)> for random dx
// and dy: reverse mode against the independent forward mode.
func checkDuality(t *testing.T, tr *ad.Transformer, f *ir.Func, args []value.Value, rng *rand.Rand, label string) {
	t.Helper()
	g, err := tr.VJP(f)
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	if err := ir.Verify(g); err != nil {
		t.Fatalf("%s: VJP does not verify: %v\n%s", label, err, g)
	}
	jin := append([]value.Value(nil), args...)
	var dxs []float64
	for _, a := range args {
		dt, flat := randomTangent(a, rng)
		jin = append(jin, dt)
		dxs = append(dxs, flat...)
	}
	jout := call(t, mustJVP(tr, f), jin)
	y := jout.Elem(0)
	dy, dyFlat := randomTangent(y, rng)
	vout := call(t, g, append(append([]value.Value(nil), args...), dy))
	if !value.Equal(vout.Elem(0), y) {
		t.Errorf("%s: VJP primal %v, want %v", label, vout.Elem(0), y)
	}
	var cts []float64
	for i := range args {
		cts = reals(vout.Elem(i+1), cts)
	}
	lhs := dot(cts, dxs)
	rhs := dot(dyFlat, reals(jout.Elem(1), nil))
	scale := math.Max(1, math.Max(math.Abs(lhs), math.Abs(rhs)))
	if math.Abs(lhs-rhs) > 1e-12*scale*float64(1+len(dxs)) || math.IsNaN(lhs) {
		t.Errorf("%s: <vjp, dx> = %.17g but <dy, jvp> = %.17g", label, lhs, rhs)
	}
}

// TestVJPBuiltins checks reverse mode against forward mode on every
// operator and construct.
func TestVJPBuiltins(t *testing.T) {
	forBuiltinCases(t, 4, checkDuality)
}

// TestVJPExamples checks reverse mode against forward mode on every
// example program.
func TestVJPExamples(t *testing.T) {
	forExamples(t, 5, checkDuality)
}

// hessian computes the Hessian of a function of Real scalars as the JVP of
// its gradient (forward over reverse).
func hessian(t *testing.T, src, name string, x []float64) [][]float64 {
	t.Helper()
	f := loadFunc(t, src, name)
	tr := ad.NewTransformer()
	g, err := tr.VJP(f.IR)
	if err != nil {
		t.Fatal(err)
	}
	hj := mustJVP(tr, g)
	if err := ir.Verify(hj); err != nil {
		t.Fatal(err)
	}
	n := len(x)
	h := make([][]float64, n)
	for j := 0; j < n; j++ {
		var in []value.Value
		for _, xi := range x {
			in = append(in, value.Real(xi))
		}
		in = append(in, value.Real(1)) // the cotangent seed
		for i := 0; i < n; i++ {
			d := 0.0
			if i == j {
				d = 1
			}
			in = append(in, value.Real(d))
		}
		in = append(in, value.Real(0)) // the seed does not move
		out := call(t, hj, in)
		h[j] = make([]float64, n)
		for i := 0; i < n; i++ {
			h[j][i] = out.Elem(1).Elem(i + 1).Real()
		}
	}
	return h
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

// TestHessians checks second derivatives against values from the original
// Rose (../shared/reference/rose-npm).
func TestHessians(t *testing.T) {
	rosen := "fn f(x: Real, y: Real) -> Real { let a = 1.0 - x; let b = y - x * x; a * a + 100.0 * b * b }\n"
	h := hessian(t, rosen, "f", []float64{-1.2, 1})
	want := [][]float64{{1330, 480}, {480, 200}}
	for i := range want {
		for j := range want[i] {
			if !near(h[i][j], want[i][j]) {
				t.Errorf("Rosenbrock H[%d][%d] = %v, want %v", i, j, h[i][j], want[i][j])
			}
		}
	}
	pow := "fn f(x: Real, y: Real) -> Real { pow(x, y) }\n"
	p := rose.Load("p.rose", []byte(pow))
	f, _ := p.Func("f", nil)
	g, err := ad.NewTransformer().VJP(f.IR)
	if err != nil {
		t.Fatal(err)
	}
	out := call(t, g, []value.Value{value.Real(2), value.Real(3), value.Real(1)})
	if gx, gy := out.Elem(1).Real(), out.Elem(2).Real(); !near(gx, 12) || !near(gy, 5.545177444479562) {
		t.Errorf("grad x^y at (2, 3) = [%v, %v], want [12, 5.545177444479562]", gx, gy)
	}
	h = hessian(t, pow, "f", []float64{2, 3})
	want = [][]float64{{12, 12.317766166719343}, {12.317766166719343, 3.843624111345611}}
	for i := range want {
		for j := range want[i] {
			if !near(h[i][j], want[i][j]) {
				t.Errorf("x^y H[%d][%d] = %.17g, want %.17g", i, j, h[i][j], want[i][j])
			}
		}
	}
}

func instrCount(b *ir.Block) int {
	n := len(b.Instrs)
	for i := range b.Instrs {
		for _, nb := range b.Instrs[i].Blocks {
			n += instrCount(nb)
		}
	}
	return n
}

// programSize counts the instructions of f and every function it calls.
func programSize(f *ir.Func) int {
	seen := map[*ir.Func]bool{}
	var walk func(f *ir.Func) int
	walk = func(f *ir.Func) int {
		if seen[f] {
			return 0
		}
		seen[f] = true
		n := instrCount(f.Body)
		var visit func(b *ir.Block)
		visit = func(b *ir.Block) {
			for i := range b.Instrs {
				if c := b.Instrs[i].Callee; c != nil {
					n += walk(c)
				}
				for _, nb := range b.Instrs[i].Blocks {
					visit(nb)
				}
			}
		}
		visit(f.Body)
		return n
	}
	return walk(f)
}

// TestLongLoop differentiates a 1024-step simulation: the gradient agrees
// with finite differences and the derivative's code does not grow with
// the number of steps.
func TestLongLoop(t *testing.T) {
	src := func(steps int) string {
		return fmt.Sprintf(`
fn sim(x0: [2]Real, v0: [2]Real) -> Real {
    var x = x0
    var v = v0
    for t in 0..%d {
        let d = sqrt(x[0] * x[0] + x[1] * x[1])
        v = if d > 1.0 { v - 0.001 * x } else { v * 0.999 }
        x = x + 0.01 * v
    }
    x[0] * x[1]
}
`, steps)
	}
	sizes := map[int]int{}
	for _, steps := range []int{16, 1024} {
		f := loadFunc(t, src(steps), "sim")
		tr := ad.NewTransformer()
		g, err := tr.VJP(f.IR)
		if err != nil {
			t.Fatal(err)
		}
		sizes[steps] = programSize(g)
		args := []value.Value{value.Array(value.Real(0.3), value.Real(-0.2)), value.Array(value.Real(1.1), value.Real(0.7))}
		out := call(t, g, append(args, value.Real(1)))
		grad := append(reals(out.Elem(1), nil), reals(out.Elem(2), nil)...)
		x := []float64{0.3, -0.2, 1.1, 0.7}
		for k := range x {
			const h = 1e-6
			at := func(d float64) float64 {
				xs := append([]float64(nil), x...)
				xs[k] += d
				v := call(t, f.IR, []value.Value{value.Array(value.Real(xs[0]), value.Real(xs[1])), value.Array(value.Real(xs[2]), value.Real(xs[3]))})
				return v.Real()
			}
			fd := (at(h) - at(-h)) / (2 * h)
			if math.Abs(fd-grad[k]) > 1e-5*math.Max(1, math.Abs(fd)) {
				t.Errorf("%d steps: grad[%d] = %v, finite differences %v", steps, k, grad[k], fd)
			}
		}
	}
	if sizes[16] != sizes[1024] {
		t.Errorf("derivative size depends on the step count: %v", sizes)
	}
}

// genChain makes a program of n functions, each calling the previous one.
func genChain(n int) string {
	var b strings.Builder
	b.WriteString("fn f0(x: Real, v: [3]Real) -> Real { x * v[0] + sin(v[1]) }\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, `fn f%d(x: Real, v: [3]Real) -> Real {
    let a = x * 2.0 + sin(x) / (1.0 + x * x)
    var s = 0.0
    for k in 0..3 { s += v[k] * a }
    if s > 0.0 { sqrt(s) + f%d(a, v) } else { f%d(x, v) - s }
}
`, i, i-1, i-1)
	}
	return b.String()
}

// TestDerivativeSize checks that the reverse-mode derivative of programs of
// growing size stays within a constant factor of the program.
func TestDerivativeSize(t *testing.T) {
	var report []string
	for _, n := range []int{10, 100, 1000} {
		p := rose.Load("g.rose", []byte(genChain(n)))
		if err := p.Err(); err != nil {
			t.Fatal(err)
		}
		f, err := p.Func(fmt.Sprintf("f%d", n-1), nil)
		if err != nil {
			t.Fatal(err)
		}
		g, err := ad.NewTransformer().VJP(f.IR)
		if err != nil {
			t.Fatal(err)
		}
		ratio := float64(programSize(g)) / float64(programSize(f.IR))
		report = append(report, fmt.Sprintf("n=%d: %d -> %d instructions, ratio %.2f", n, programSize(f.IR), programSize(g), ratio))
		if ratio > 6 {
			t.Errorf("n=%d: derivative is %.2f times the program", n, ratio)
		}
	}
	t.Log(strings.Join(report, "\n"))
}

// BenchmarkDifferentiate times building the reverse-mode derivative of a
// generated program of about 2,000 lines (333 functions of 6 lines).
func BenchmarkDifferentiate(b *testing.B) {
	p := rose.Load("g.rose", []byte(genChain(333)))
	f, err := p.Func("f332", nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := ad.NewTransformer().VJP(f.IR); err != nil {
			b.Fatal(err)
		}
	}
}

// TestVJPOfVJP takes reverse mode of reverse mode through a loop (whose
// VJP records its states with OpScan): the dot-product identity must hold
// for the derivative itself, and the second derivative must agree with
// forward over reverse.
func TestVJPOfVJP(t *testing.T) {
	src := `
fn f(x: Real, y: Real) -> Real {
    var s = x
    for i in 0..10 { s = sin(s) * y + 0.1 * x }
    s * s
}
fn rr(x: Real, y: Real) -> (Real, Real) { grad(grad(f, x))(x, y) }
fn fr(x: Real, y: Real) -> (Real, Real) { jvp(grad(f))(x, y, 1.0, 0.0).1 }
`
	p := rose.Load("v.rose", []byte(src))
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	f, err := p.Func("f", nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := ad.NewTransformer()
	g, err := tr.VJP(f.IR)
	if err != nil {
		t.Fatal(err)
	}
	args := []value.Value{value.Real(0.7), value.Real(1.3), value.Real(1)}
	checkDuality(t, tr, g, args, rand.New(rand.NewSource(6)), "vjp(vjp(f))")
	for _, name := range []string{"rr", "fr"} {
		if _, err := p.Func(name, nil); err != nil {
			t.Fatal(err)
		}
	}
	rr, _ := p.Func("rr", nil)
	fr, _ := p.Func("fr", nil)
	in := []value.Value{value.Real(0.7), value.Real(1.3)}
	a := call(t, rr.IR, in)
	b := call(t, fr.IR, in)
	for k := 0; k < 2; k++ {
		if x, y := a.Elem(k).Real(), b.Elem(k).Real(); math.Abs(x-y) > 1e-12*math.Max(1, math.Abs(y)) {
			t.Errorf("H[0][%d]: reverse over reverse %v, forward over reverse %v", k, x, y)
		}
	}
}

// TestVJPAccAddValue: the value of an accumulation (the empty tuple) used
// as an operand in a block the backward sweep recomputes, where the
// accumulation itself is dropped (the recomputation made an instruction
// with an undefined operand, and Prune panicked). Found by wasm's FuzzIR.
func TestVJPAccAddValue(t *testing.T) {
	// fn(x: Real) -> Real {
	//   r = accum
	//   if x > 0 { u = accadd r 0.0; accum u; s = sin x; s * s } else { x }
	// }
	b := ir.NewBuilder("accaddvalue", 0)
	x := b.Param(ir.Real)
	r := b.Emit(ir.RefOf(ir.Real), ir.Instr{Op: ir.OpAccum})
	c := b.Compare(ir.OpGt, x, b.Real(0))
	b.Begin()
	u := b.Emit(ir.TupleOf(), ir.Instr{Op: ir.OpAccAdd, Args: []ir.Var{r, b.Real(0)}})
	b.Emit(ir.RefOf(ir.TupleOf()), ir.Instr{Op: ir.OpAccum, Args: []ir.Var{u}})
	sin := b.Unary(ir.OpSin, x)
	then := b.End(b.Binary(ir.OpMul, sin, sin))
	b.Begin()
	els := b.End(x)
	f := b.Finish(b.Emit(ir.Real, ir.Instr{Op: ir.OpIf, Args: []ir.Var{c}, Blocks: []*ir.Block{then, els}}))
	tr := ad.NewTransformer()
	checkDuality(t, tr, f, []value.Value{value.Real(1.5)}, rand.New(rand.NewSource(1)), "accaddvalue")
	g, _ := tr.VJP(f)
	want := 2 * math.Sin(1.5) * math.Cos(1.5)
	if out := call(t, g, []value.Value{value.Real(1.5), value.Real(1)}); !near(out.Elem(1).Real(), want) {
		t.Errorf("d/dx sin²x at 1.5 = %v, want %v", out.Elem(1), want)
	}
}
