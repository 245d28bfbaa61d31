package mathx

import (
	"fmt"
	"math"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/rose-go/rose/internal/bigmath"
)

// fn is one builtin: its mathx function, Go's, and how to draw arguments.
type fn struct {
	name  string
	arity int
	x     func(a []float64) float64
	goF   func(a []float64) float64
	// bound is the largest distance from Go's result accepted, in ulps
	// (measured on amd64, where Go's Exp, Log and Hypot are assembly; on
	// other platforms the pure-Go algorithms are closer still).
	bound uint64
}

func lgammaGo(x float64) float64 { v, _ := math.Lgamma(x); return v }

// polygammaGo is the digamma-family reference through Go's math: the
// same algorithm as Polygamma with math.Pow and math.Log.
func polygammaGo(n int64, x float64) float64 {
	return polygammaWith(n, x, math.Pow, math.Log)
}

var fns = []fn{
	{"exp", 1, func(a []float64) float64 { return Exp(a[0]) }, func(a []float64) float64 { return math.Exp(a[0]) }, 1},
	{"log", 1, func(a []float64) float64 { return Log(a[0]) }, func(a []float64) float64 { return math.Log(a[0]) }, 1},
	{"sin", 1, func(a []float64) float64 { return Sin(a[0]) }, func(a []float64) float64 { return math.Sin(a[0]) }, 0},
	{"cos", 1, func(a []float64) float64 { return Cos(a[0]) }, func(a []float64) float64 { return math.Cos(a[0]) }, 0},
	{"tan", 1, func(a []float64) float64 { return Tan(a[0]) }, func(a []float64) float64 { return math.Tan(a[0]) }, 0},
	{"asin", 1, func(a []float64) float64 { return Asin(a[0]) }, func(a []float64) float64 { return math.Asin(a[0]) }, 0},
	{"acos", 1, func(a []float64) float64 { return Acos(a[0]) }, func(a []float64) float64 { return math.Acos(a[0]) }, 0},
	{"atan", 1, func(a []float64) float64 { return Atan(a[0]) }, func(a []float64) float64 { return math.Atan(a[0]) }, 0},
	{"atan2", 2, func(a []float64) float64 { return Atan2(a[0], a[1]) }, func(a []float64) float64 { return math.Atan2(a[0], a[1]) }, 0},
	{"sinh", 1, func(a []float64) float64 { return Sinh(a[0]) }, func(a []float64) float64 { return math.Sinh(a[0]) }, 3},
	{"cosh", 1, func(a []float64) float64 { return Cosh(a[0]) }, func(a []float64) float64 { return math.Cosh(a[0]) }, 1},
	{"tanh", 1, func(a []float64) float64 { return Tanh(a[0]) }, func(a []float64) float64 { return math.Tanh(a[0]) }, 2},
	{"pow", 2, func(a []float64) float64 { return Pow(a[0], a[1]) }, func(a []float64) float64 { return math.Pow(a[0], a[1]) }, 4},
	{"log1p", 1, func(a []float64) float64 { return Log1p(a[0]) }, func(a []float64) float64 { return math.Log1p(a[0]) }, 0},
	{"expm1", 1, func(a []float64) float64 { return Expm1(a[0]) }, func(a []float64) float64 { return math.Expm1(a[0]) }, 0},
	{"cbrt", 1, func(a []float64) float64 { return Cbrt(a[0]) }, func(a []float64) float64 { return math.Cbrt(a[0]) }, 0},
	{"hypot", 2, func(a []float64) float64 { return Hypot(a[0], a[1]) }, func(a []float64) float64 { return math.Hypot(a[0], a[1]) }, 1},
	{"erf", 1, func(a []float64) float64 { return Erf(a[0]) }, func(a []float64) float64 { return math.Erf(a[0]) }, 1},
	{"lgamma", 1, func(a []float64) float64 { return Lgamma(a[0]) }, func(a []float64) float64 { return lgammaGo(a[0]) }, 1},
	{"polygamma", 2, func(a []float64) float64 { return Polygamma(int64(a[0]), a[1]) }, func(a []float64) float64 { return polygammaGo(int64(a[0]), a[1]) }, 1},
	{"round", 1, func(a []float64) float64 { return Round(a[0]) }, func(a []float64) float64 { return math.Round(a[0]) }, 0},
	{"sign", 1, func(a []float64) float64 { return Sign(a[0]) }, func(a []float64) float64 { return goSign(a[0]) }, 0},
}

// goSign is Sign written with Go's math.
func goSign(x float64) float64 {
	if math.IsNaN(x) {
		return x
	}
	if x == 0 {
		return 0
	}
	return math.Copysign(1, x)
}

// ulps is the distance between a and b in units in the last place: 0 for
// two NaNs, MaxUint64 for a NaN and a number; +0 and -0 are one apart.
func ulps(a, b float64) uint64 {
	na, nb := math.IsNaN(a), math.IsNaN(b)
	if na || nb {
		if na && nb {
			return 0
		}
		return math.MaxUint64
	}
	ord := func(x float64) int64 {
		i := int64(math.Float64bits(x))
		if i < 0 {
			i = math.MinInt64 - i - 1
		}
		return i
	}
	ia, ib := ord(a), ord(b)
	if ia > ib {
		return uint64(ia - ib)
	}
	return uint64(ib - ia)
}

var specials = []float64{
	0, math.Copysign(0, -1), inf, -inf, nan, 5e-324, -5e-324, 1e-310, -1e-310,
	smallestNormal, -smallestNormal, 1e-300, 1e-20, 1e-10, 1.0 / (1 << 28), 1.0 / (1 << 54),
	0.25, 0.5, 0.625, 0.66, 0.7, 0.75, 0.84375, 0.9, 1, 1.25, 1.4616321449683622, 1.5, 2,
	2.414213562373095, 2.5, 1 / 0.35, 3, 6, 8, 10, 20, 21, 22, 38.816242111356935, 50,
	100, 700, 709, 709.78, 709.79, 710, 710.4, 710.5, 745, 746, 1e10, 1 << 29, 1<<29 + 1,
	1 << 30, 1 << 52, 1 << 53, 1 << 58, 1e16 + 1, 1e20, 1e100, 1e300, math.MaxFloat64,
	math.Pi, math.Pi / 2, math.Pi / 4, 0.6931471805599453, 0.34657359027997264,
	1.0397207708399179, 0.41421356237309503, -0.29289321881345254, -0.9999999999999999,
}

// args draws the special and random argument lists of f.
func args(f fn, n int) [][]float64 {
	var xs []float64
	for _, x := range specials {
		for _, s := range []float64{x, -x} {
			xs = append(xs, s, math.Nextafter(s, inf), math.Nextafter(s, -inf))
		}
	}
	r := rand.New(rand.NewSource(1))
	lu := func(lo, hi float64) float64 {
		x := math.Pow(10, lo+(hi-lo)*r.Float64())
		if r.Intn(2) == 0 {
			x = -x
		}
		return x
	}
	for i := 0; i < n; i++ {
		switch i % 5 {
		case 0:
			xs = append(xs, lu(-20, 0))
		case 1:
			xs = append(xs, lu(-1, 1))
		case 2:
			xs = append(xs, lu(0, 3))
		case 3:
			xs = append(xs, lu(-320, 308))
		default:
			xs = append(xs, (r.Float64()-0.5)*1500)
		}
	}
	var out [][]float64
	switch {
	case f.arity == 1:
		for _, x := range xs {
			out = append(out, []float64{x})
		}
	case f.name == "polygamma":
		for i, x := range xs {
			if math.Abs(x) < 1e7 || math.IsInf(x, 0) || math.IsNaN(x) {
				out = append(out, []float64{float64(i%8 - 1), x})
			}
		}
	default:
		for _, x := range specials[:40] {
			for _, y := range specials {
				out = append(out, []float64{x, y}, []float64{-x, -y}, []float64{x, -y})
			}
		}
		for i := 0; i < n; i++ {
			switch i % 4 {
			case 0:
				out = append(out, []float64{lu(-3, 3), 100*r.Float64() - 50})
			case 1:
				out = append(out, []float64{lu(-300, 300), 2*r.Float64() - 1})
			case 2:
				out = append(out, []float64{-math.Abs(lu(-2, 2)), float64(r.Intn(200) - 100)})
			default:
				out = append(out, []float64{1 + (r.Float64()-0.5)*1e-3, lu(0, 6)})
			}
		}
	}
	return out
}

// goOff reports whether Go's want, not mathx's got, is the result off
// for f(a): by a 256-bit exact value, got is closer, and either within
// the bound of it or Go is off by orders of magnitude. This is so on
// amd64, where Go's Exp (assembly) overflows from about 709.47 where e**x
// is still finite, its Log of a subnormal number is off by up to 1e15
// ulps (and Lgamma and Pow inherit it), and Sinh and Cosh overflow for
// |x| in (709.78, 710.48), where mathx does not.
func goOff(f fn, a []float64, got, want float64) bool {
	exact := bigmath.Ref(f.name, a)
	if exact == nil {
		return false
	}
	eg, ew := bigmath.UlpErr(got, exact), bigmath.UlpErr(want, exact)
	return eg < ew && (eg <= float64(f.bound) || ew > 1e6)
}

// TestAgainstGo compares every function with Go's math package: within
// its bound, and with the same NaN results, signed zeros and infinities,
// except where Go's own result is off (goOff).
func TestAgainstGo(t *testing.T) {
	var report []string
	for _, f := range fns {
		var max uint64
		var worst []float64
		same, total, off := 0, 0, 0
		for _, a := range args(f, 20000) {
			got, want := f.x(a), f.goF(a)
			total++
			d := ulps(got, want)
			if d == 0 {
				same++
				continue
			}
			if d > f.bound && goOff(f, a, got, want) {
				off++
				continue
			}
			if d > max {
				max, worst = d, a
			}
			if d > f.bound {
				t.Errorf("%s(%v) = %v, Go %v: %d ulp", f.name, a, got, want, d)
			}
			if math.IsNaN(got) != math.IsNaN(want) || math.IsInf(got, 1) != math.IsInf(want, 1) || math.IsInf(got, -1) != math.IsInf(want, -1) ||
				(got == 0 && want == 0 && math.Signbit(got) != math.Signbit(want)) {
				t.Errorf("%s(%v) = %v, Go %v: NaN, infinity or signed zero differs", f.name, a, got, want)
			}
		}
		line := fmt.Sprintf("%-9s n=%d max %d ulp from Go (bound %d), identical %.2f%%", f.name, total, max, f.bound, 100*float64(same)/float64(total))
		if worst != nil {
			line += fmt.Sprintf(", worst at %v", worst)
		}
		if off > 0 {
			line += fmt.Sprintf("; %d where Go is off and mathx is right", off)
		}
		report = append(report, line)
	}
	sort.Strings(report)
	t.Log("\n" + strings.Join(report, "\n"))
}

// exactBound is the largest error from the exact value accepted, in ulps,
// for the functions bigmath has a reference for; pow's is large because
// Go's algorithm (exp(yf*log x) times x**yi by repeated squaring) loses
// accuracy for x near 1 and large |y|.
var exactBound = map[string]float64{
	"exp": 1, "log": 1, "log1p": 1.1, "expm1": 1, "sinh": 1.5, "cosh": 1.2,
	"tanh": 1.2, "hypot": 2, "lgamma": 1, "pow": 5e5,
}

// TestExact measures every function bigmath has a reference for against
// the exact value.
func TestExact(t *testing.T) {
	var report []string
	for _, f := range fns {
		bound, ok := exactBound[f.name]
		if !ok {
			continue
		}
		var max float64
		var worst []float64
		n := 0
		for _, a := range args(f, 5000) {
			exact := bigmath.Ref(f.name, a)
			if exact == nil {
				continue
			}
			n++
			if e := bigmath.UlpErr(f.x(a), exact); e > max {
				max, worst = e, a
			}
		}
		if max > bound {
			t.Errorf("%s: %.3f ulp from the exact value at %v (bound %g)", f.name, max, worst, bound)
		}
		report = append(report, fmt.Sprintf("%-9s n=%d max %.3f ulp from the exact value (at %v)", f.name, n, max, worst))
	}
	sort.Strings(report)
	t.Log("\n" + strings.Join(report, "\n"))
}
