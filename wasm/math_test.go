package wasm

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/rose-go/rose/internal/bigmath"
	"github.com/rose-go/rose/ir/mathx"
)

// mathModule instantiates a module exporting every builtin under its name.
func mathModule(t testing.TB) (api.Module, func()) {
	t.Helper()
	m := &Module{}
	lib := NewMathLib(m)
	for _, name := range MathNames() {
		m.Exports = append(m.Exports, Export{Name: name, Kind: ExportFunc, Index: lib.Func(name)})
	}
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	mod, err := r.Instantiate(ctx, m.Encode())
	if err != nil {
		r.Close(ctx)
		t.Fatal(err)
	}
	return mod, func() { r.Close(ctx) }
}

// ref is the reference for each builtin, package mathx: the Wasm ports
// must agree with it bit for bit. Polygamma's order is args[0].
var ref = map[string]func(a ...float64) float64{
	"exp":       func(a ...float64) float64 { return mathx.Exp(a[0]) },
	"log":       func(a ...float64) float64 { return mathx.Log(a[0]) },
	"sin":       func(a ...float64) float64 { return mathx.Sin(a[0]) },
	"cos":       func(a ...float64) float64 { return mathx.Cos(a[0]) },
	"tan":       func(a ...float64) float64 { return mathx.Tan(a[0]) },
	"asin":      func(a ...float64) float64 { return mathx.Asin(a[0]) },
	"acos":      func(a ...float64) float64 { return mathx.Acos(a[0]) },
	"atan":      func(a ...float64) float64 { return mathx.Atan(a[0]) },
	"atan2":     func(a ...float64) float64 { return mathx.Atan2(a[0], a[1]) },
	"sinh":      func(a ...float64) float64 { return mathx.Sinh(a[0]) },
	"cosh":      func(a ...float64) float64 { return mathx.Cosh(a[0]) },
	"tanh":      func(a ...float64) float64 { return mathx.Tanh(a[0]) },
	"pow":       func(a ...float64) float64 { return mathx.Pow(a[0], a[1]) },
	"log1p":     func(a ...float64) float64 { return mathx.Log1p(a[0]) },
	"expm1":     func(a ...float64) float64 { return mathx.Expm1(a[0]) },
	"cbrt":      func(a ...float64) float64 { return mathx.Cbrt(a[0]) },
	"hypot":     func(a ...float64) float64 { return mathx.Hypot(a[0], a[1]) },
	"erf":       func(a ...float64) float64 { return mathx.Erf(a[0]) },
	"lgamma":    func(a ...float64) float64 { return mathx.Lgamma(a[0]) },
	"polygamma": func(a ...float64) float64 { return mathx.Polygamma(int64(a[0]), a[1]) },
	"round":     func(a ...float64) float64 { return mathx.Round(a[0]) },
	"sign":      func(a ...float64) float64 { return mathx.Sign(a[0]) },
}

// same reports whether got and want are the same float64: the same bits,
// or both NaN (Wasm does not specify the payload of a NaN result).
func same(got, want float64) bool {
	return math.Float64bits(got) == math.Float64bits(want) || (math.IsNaN(got) && math.IsNaN(want))
}

func callWasm(mod api.Module, name string, a ...float64) float64 {
	var args []uint64
	if name == "polygamma" {
		args = []uint64{api.EncodeI64(int64(a[0])), api.EncodeF64(a[1])}
	} else {
		for _, x := range a {
			args = append(args, api.EncodeF64(x))
		}
	}
	r, err := mod.ExportedFunction(name).Call(context.Background(), args...)
	if err != nil {
		panic(err)
	}
	return api.DecodeF64(r[0])
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
			i = math.MinInt64 - i - 1 // -0 is -1, just below +0
		}
		return i
	}
	ia, ib := ord(a), ord(b)
	if ia > ib {
		return uint64(ia - ib)
	}
	return uint64(ib - ia)
}

// Inputs.

var (
	pinf = math.Inf(1)
	nan  = math.NaN()
	tiny = 5e-324
)

var specials = []float64{
	0, math.Copysign(0, -1), pinf, -pinf, nan, tiny, -tiny, 1e-310, -1e-310,
	2.2250738585072014e-308, -2.2250738585072014e-308, 1e-300, 1e-20, 1e-10,
	0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 10, 20, 21, 22, 50, 100, 700, 709,
	709.78, 709.79, 710, 745, 746, 1e10, 1 << 29, 1<<29 + 1, 1 << 30, 1e20, 1e100,
	1e300, math.MaxFloat64, -0.25, -0.5, -1, -1.5, -2, -2.5, -3, -10, -20, -700,
	-708, -709, -745, -745.1, -746, -1e10, -1e20, -1e300, -math.MaxFloat64,
	math.Pi, math.Pi / 2, math.Pi / 4, -math.Pi, 0.84375, 1.25, 6, 1 / 0.35, 0.66,
	2.414213562373095, 0.7, 0.9, 1.4616321449683622, 8, 1 << 52, 1 << 53, 1 << 58,
	-(1 << 52), -1e-20, 0.6931471805599453, 0.34657359027997264, 1.0397207708399179,
	38.816242111356935, -38.816242111356935, 3.7252902984e-9, 1.1102230246251565e-16,
	-0.9999999999999999, -0.29289321881345254, 0.41421356237309503, 44.014845965556525,
	0.625, 2.2250738585072014e-308 * 3, 4.5e15, 1e16 + 1,
}

// logUniform is ±10**u with u uniform in [lo, hi].
func logUniform(r *rand.Rand, lo, hi float64, signed bool) float64 {
	x := math.Pow(10, lo+(hi-lo)*r.Float64())
	if signed && r.Intn(2) == 0 {
		x = -x
	}
	return x
}

// randomArgs draws n argument lists for name over several magnitude ranges.
func randomArgs(name string, n int, seed int64) [][]float64 {
	r := rand.New(rand.NewSource(seed))
	var out [][]float64
	one := func(gen func() float64) {
		for i := 0; i < n/4; i++ {
			out = append(out, []float64{gen()})
		}
	}
	lu := func(lo, hi float64, signed bool) func() float64 {
		return func() float64 { return logUniform(r, lo, hi, signed) }
	}
	switch name {
	case "exp":
		one(lu(-10, 0, true))
		one(lu(0, 2, true))
		one(lu(2, 2.87, true))
		one(func() float64 { return -745 + 1455*r.Float64() })
	case "log":
		one(lu(-323, -300, false))
		one(lu(-300, 300, false))
		one(func() float64 { return 0.5 + r.Float64() })
		one(func() float64 { return 1 + (r.Float64()-0.5)*1e-6 })
	case "sin", "cos", "tan":
		one(lu(-10, 0, true))
		one(lu(0, 3, true))
		one(lu(3, 9, true))
		one(lu(9, 308, true))
	case "asin", "acos":
		one(lu(-10, 0, true))
		one(lu(-1, 0, true))
		one(func() float64 { return 2*r.Float64() - 1 })
		one(func() float64 { return math.Copysign(1-math.Pow(10, -16*r.Float64()), r.Float64()-0.5) })
	case "atan":
		one(lu(-20, 0, true))
		one(lu(-1, 1, true))
		one(lu(0, 20, true))
		one(lu(20, 308, true))
	case "sinh", "cosh":
		one(lu(-10, 0, true))
		one(lu(-1, 1, true))
		one(lu(0, 2.85, true))
		one(func() float64 { return (r.Float64() - 0.5) * 1420 })
	case "tanh":
		one(lu(-10, 0, true))
		one(lu(-1, 1, true))
		one(lu(0, 1.7, true))
		one(lu(-300, -10, true))
	case "log1p":
		one(lu(-20, 0, true))
		one(lu(-300, -20, true))
		one(lu(0, 300, false))
		one(func() float64 { return -1 + math.Pow(10, -16*r.Float64()) })
	case "expm1":
		one(lu(-20, 0, true))
		one(lu(-1, 1, true))
		one(lu(0, 2.85, true))
		one(lu(-300, -20, true))
	case "cbrt":
		one(lu(-323, -300, true))
		one(lu(-300, 300, true))
		one(lu(-3, 3, true))
		one(lu(300, 308, true))
	case "erf":
		one(lu(-10, 0, true))
		one(lu(-1, 0.1, true))
		one(lu(0, 0.85, true))
		one(lu(-320, -10, true))
	case "lgamma":
		one(lu(-10, 0, false))
		one(lu(0, 2, false))
		one(lu(0, 300, false))
		one(func() float64 { return -200 * r.Float64() })
	case "round":
		one(lu(-3, 0, true))
		one(lu(0, 6, true))
		one(lu(6, 17, true))
		one(func() float64 { return float64(r.Intn(2000)-1000) + 0.5 })
	case "sign":
		one(lu(-320, 300, true))
		one(lu(-3, 3, true))
		one(lu(-320, -300, true))
		one(lu(300, 308, true))
	case "atan2", "hypot":
		for i := 0; i < n; i++ {
			d := 300.0
			if i%2 == 0 {
				d = 10
			}
			out = append(out, []float64{logUniform(r, -d, d, true), logUniform(r, -d, d, true)})
		}
	case "pow":
		for i := 0; i < n; i++ {
			var x, y float64
			switch i % 4 {
			case 0:
				x, y = logUniform(r, -3, 3, false), 100*r.Float64()-50
			case 1:
				x, y = logUniform(r, -300, 300, false), 2*r.Float64()-1
			case 2:
				x, y = -logUniform(r, -2, 2, false), float64(r.Intn(200)-100)
			default:
				x, y = 1+(r.Float64()-0.5)*1e-3, logUniform(r, 0, 6, true)
			}
			out = append(out, []float64{x, y})
		}
	case "polygamma":
		for i := 0; i < n; i++ {
			k := float64(r.Intn(6))
			var x float64
			switch i % 3 {
			case 0:
				x = logUniform(r, -2, 4, false)
			case 1:
				x = 12 * r.Float64()
			default:
				x = -50 * r.Float64()
			}
			out = append(out, []float64{k, x})
		}
	default:
		panic(name)
	}
	return out
}

// specialArgs are the special values, as argument lists.
func specialArgs(name string) [][]float64 {
	var out [][]float64
	switch MathArity(name) {
	case 1:
		for _, x := range specials {
			out = append(out, []float64{x})
			out = append(out, []float64{math.Nextafter(x, pinf)}, []float64{math.Nextafter(x, -pinf)})
		}
	case 2:
		if name == "polygamma" {
			for _, n := range []float64{-1, 0, 1, 2, 3, 4, 7, 10} {
				for _, x := range specials {
					if math.Abs(x) < 1e7 || math.IsInf(x, 0) || math.IsNaN(x) {
						out = append(out, []float64{n, x})
					}
				}
			}
			return out
		}
		ys := specials
		if name == "pow" {
			ys = append(append([]float64(nil), specials...), 0.5, -0.5, 4, 5, -4, -5, 1<<63, 1<<64, -(1 << 63), 1e19, 3.5, 1/3.0, 53, 1<<53, 1<<53+2)
		}
		for _, x := range specials {
			for _, y := range ys {
				out = append(out, []float64{x, y})
			}
		}
	}
	return out
}

// TestMathSpecial checks every builtin on the special values: bit for
// bit the result of package mathx.
func TestMathSpecial(t *testing.T) {
	mod, done := mathModule(t)
	defer done()
	for _, name := range MathNames() {
		n := 0
		for _, a := range specialArgs(name) {
			got, want := callWasm(mod, name, a...), ref[name](a...)
			if !same(got, want) {
				t.Errorf("%s(%v) = %v, mathx %v (%d ulp)", name, a, got, want, ulps(got, want))
			}
			n++
		}
		t.Logf("%-9s %d special argument lists, identical to mathx", name, n)
	}
}

// TestMathRandom compares each builtin with mathx on 10,000 seeded random
// inputs (bit for bit), and reports its distance from a 256-bit exact
// value where there is one.
func TestMathRandom(t *testing.T) {
	mod, done := mathModule(t)
	defer done()
	var report []string
	for _, name := range MathNames() {
		var maxTrue float64
		var nTrue int
		args := randomArgs(name, 10000, 1)
		for _, a := range args {
			got, want := callWasm(mod, name, a...), ref[name](a...)
			if !same(got, want) {
				t.Errorf("%s(%v) = %v, mathx %v (%d ulp)", name, a, got, want, ulps(got, want))
			}
			if exact := bigmath.Ref(name, a); exact != nil {
				nTrue++
				maxTrue = math.Max(maxTrue, bigmath.UlpErr(got, exact))
			}
		}
		line := fmt.Sprintf("%-9s n=%d identical to mathx", name, len(args))
		if nTrue > 0 {
			line += fmt.Sprintf("; vs exact (n=%d): max %.3f ulp", nTrue, maxTrue)
		}
		report = append(report, line)
	}
	sort.Strings(report)
	t.Log("\n" + strings.Join(report, "\n"))
}

// BenchmarkMath times exp, sin and pow in a Wasm loop (1000 dependent-free
// calls per Wasm call) against Go's math.
func BenchmarkMath(b *testing.B) {
	for _, name := range []string{"exp", "sin", "pow"} {
		m := &Module{}
		lib := NewMathLib(m)
		fi := lib.Func(name)
		// loop(n): s = 0; for i < n { s += f(x_i[, 1.5]) }, x_i = 0.001*i.
		var c Code
		c.Block(BlockVoid)
		c.Loop(BlockVoid)
		c.Idx(OpLocalGet, 1)
		c.Idx(OpLocalGet, 0)
		c.Op(OpI64GeS)
		c.Idx(OpBrIf, 1)
		c.Idx(OpLocalGet, 2)
		c.Idx(OpLocalGet, 1)
		c.Op(OpF64ConvertI64S)
		c.F64Const(0.001)
		c.Op(OpF64Mul)
		if name == "pow" {
			c.F64Const(1.5)
		}
		c.Idx(OpCall, fi)
		c.Op(OpF64Add)
		c.Idx(OpLocalSet, 2)
		c.Idx(OpLocalGet, 1)
		c.I64Const(1)
		c.Op(OpI64Add)
		c.Idx(OpLocalSet, 1)
		c.Idx(OpBr, 0)
		c.End()
		c.End()
		c.Idx(OpLocalGet, 2)
		loop := uint32(len(m.Funcs))
		m.Funcs = append(m.Funcs, Func{Type: m.TypeIndex(FuncType{Params: []ValType{I64}, Results: []ValType{F64}}), Locals: []ValType{I64, F64}, Body: &c})
		m.Exports = append(m.Exports, Export{Name: "loop", Kind: ExportFunc, Index: loop})
		ctx := context.Background()
		r := wazero.NewRuntime(ctx)
		mod, err := r.Instantiate(ctx, m.Encode())
		if err != nil {
			b.Fatal(err)
		}
		fn := mod.ExportedFunction("loop")
		const per = 1000
		b.Run("wasm/"+name, func(b *testing.B) {
			stack := make([]uint64, 1)
			for i := 0; i < b.N; i++ {
				stack[0] = per
				if err := fn.CallWithStack(ctx, stack); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/per, "ns/call")
		})
		goF := map[string]func(float64) float64{
			"exp": math.Exp, "sin": math.Sin,
			"pow": func(x float64) float64 { return math.Pow(x, 1.5) },
		}[name]
		b.Run("go/"+name, func(b *testing.B) {
			s := 0.0
			for i := 0; i < b.N; i++ {
				for j := 0; j < per; j++ {
					s += goF(0.001 * float64(j))
				}
			}
			sink = s
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/per, "ns/call")
		})
		r.Close(ctx)
	}
}

var sink float64
