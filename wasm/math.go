package wasm

// The math builtins as WebAssembly functions. Wasm has f64 sqrt, floor,
// ceil, trunc, nearest, abs, neg, copysign, min and max, but no exp, log or
// sin; calling back into Go costs about 45 ns a call, so the builtins are
// written here as functions of the module. They are ports of the
// algorithms of Go's math package (its pure-Go, fdlibm- and Cephes-derived
// versions), so they follow its special cases (NaN, ±Inf, ±0, overflow,
// underflow, subnormals).
//
// The reference is package ir/mathx, which the evaluator runs: each port
// here performs the same operations in the same order as its mathx
// function, so that the results are bit for bit the same (math_test.go
// checks it). A change to one must be made to the other.
//
// Each port is written with a small expression layer over Code (ex, lv,
// the arithmetic helpers and the statements on mfn) so that it reads close
// to its Go original.

import (
	"fmt"
	"math"
	"sort"

	"github.com/rose-go/rose/ir/mathx"
)

// MathLib emits the math functions into a module on demand.
//
// Contract: every import must be added to the module before the first call
// of Func, because imported functions come first in the function index
// space and the indices Func returns would shift. Func panics if it finds
// that imports were added after its first call.
type MathLib struct {
	m       *Module
	idx     map[string]uint32
	imports int // len(m.Imports) at the first Func call, -1 before
}

// NewMathLib returns a MathLib that adds functions to m.
func NewMathLib(m *Module) *MathLib {
	return &MathLib{m: m, idx: map[string]uint32{}, imports: -1}
}

// MathNames lists the builtins Func supports, sorted.
func MathNames() []string {
	var names []string
	for name := range mathDefs() {
		if name[0] != '_' {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// MathArity is the number of parameters of builtin name (0 if unknown).
// Every builtin returns one f64. The parameters are f64, except for
// polygamma, whose parameters are (i64 order, f64 x).
func MathArity(name string) int {
	d, ok := mathDefs()[name]
	if !ok || name[0] == '_' {
		return 0
	}
	return len(d.params)
}

// Func returns the function index (len(m.Imports) + position in m.Funcs)
// of the Wasm implementation of builtin name, emitting it and the helper
// functions it needs on first use (each once). It panics for a name not
// in MathNames. See MathLib for the contract on imports.
func (l *MathLib) Func(name string) uint32 {
	if l.imports < 0 {
		l.imports = len(l.m.Imports)
	} else if l.imports != len(l.m.Imports) {
		panic("wasm: imports added to the module after MathLib.Func was first called")
	}
	if i, ok := l.idx[name]; ok {
		return i
	}
	d, ok := mathDefs()[name]
	if !ok {
		panic(fmt.Sprintf("wasm: no math function %q", name))
	}
	// Reserve the slot first: bodies call other functions (and pow calls
	// itself), which may be emitted while this one is being written.
	pos := len(l.m.Funcs)
	l.m.Funcs = append(l.m.Funcs, Func{})
	i := uint32(l.imports + pos)
	l.idx[name] = i
	f := &mfn{l: l, c: &Code{}, nparams: len(d.params)}
	d.body(f)
	l.m.Funcs[pos] = Func{
		Type:   l.m.TypeIndex(FuncType{Params: d.params, Results: d.results}),
		Locals: f.locals,
		Body:   f.c,
		Name:   "math." + name,
	}
	return i
}

type mathDef struct {
	params, results []ValType
	body            func(f *mfn)
}

var (
	f64to1  = []ValType{F64}
	f64to2  = []ValType{F64, F64}
	f64i64  = []ValType{F64, I64}
	i64f64  = []ValType{I64, F64}
	i64i64  = []ValType{I64, I64}
	i64only = []ValType{I64}
	i32only = []ValType{I32}
)

// mathDefs is a function rather than a variable to avoid an
// initialisation cycle (bodies call Func, which looks here).
func mathDefs() map[string]mathDef {
	return map[string]mathDef{
		"exp":       {f64to1, f64to1, mExp},
		"log":       {f64to1, f64to1, mLog},
		"sin":       {f64to1, f64to1, mSin},
		"cos":       {f64to1, f64to1, mCos},
		"tan":       {f64to1, f64to1, mTan},
		"asin":      {f64to1, f64to1, mAsin},
		"acos":      {f64to1, f64to1, mAcos},
		"atan":      {f64to1, f64to1, mAtan},
		"atan2":     {f64to2, f64to1, mAtan2},
		"sinh":      {f64to1, f64to1, mSinh},
		"cosh":      {f64to1, f64to1, mCosh},
		"tanh":      {f64to1, f64to1, mTanh},
		"pow":       {f64to2, f64to1, mPow},
		"log1p":     {f64to1, f64to1, mLog1p},
		"expm1":     {f64to1, f64to1, mExpm1},
		"cbrt":      {f64to1, f64to1, mCbrt},
		"hypot":     {f64to2, f64to1, mHypot},
		"erf":       {f64to1, f64to1, mErf},
		"lgamma":    {f64to1, f64to1, mLgamma},
		"polygamma": {i64f64, f64to1, mPolygamma},
		"round":     {f64to1, f64to1, mRound},
		"sign":      {f64to1, f64to1, mSign},

		// Helpers, not builtins.
		"_ldexp":      {f64i64, f64to1, mLdexp},
		"_frexp":      {f64to1, f64i64, mFrexp},
		"_trigreduce": {f64to1, []ValType{I64, F64}, mTrigReduce},
		"_mulhi":      {i64i64, i64only, mMulHi},
		"_mpi4":       {i64only, i64only, mMPi4},
		"_xatan":      {f64to1, f64to1, mXatan},
		"_satan":      {f64to1, f64to1, mSatan},
		"_isoddint":   {f64to1, i32only, mIsOddInt},
		"_sinpi":      {f64to1, f64to1, mSinPi},
		"_coshbig":    {f64to1, f64to1, mCoshBig},
	}
}

// The expression layer.

// mfn is a function being written.
type mfn struct {
	l       *MathLib
	c       *Code
	nparams int
	locals  []ValType
}

// ex is an expression: code that pushes one value.
type ex interface{ emit(f *mfn) }

// lv is a local (or parameter); as an ex it is its value.
type lv uint32

func (v lv) emit(f *mfn) { f.c.Idx(OpLocalGet, uint32(v)) }

// kf is an f64 constant, ki an i64 constant.
type kf float64
type ki int64

func (k kf) emit(f *mfn) { f.c.F64Const(float64(k)) }
func (k ki) emit(f *mfn) { f.c.I64Const(int64(k)) }

// exf is an expression written as code.
type exf func(f *mfn)

func (e exf) emit(f *mfn) { e(f) }

func (f *mfn) local(t ValType) lv {
	f.locals = append(f.locals, t)
	return lv(f.nparams + len(f.locals) - 1)
}

// fv and iv declare an f64 and an i64 local set to e.
func (f *mfn) fv(e ex) lv { v := f.local(F64); f.set(v, e); return v }
func (f *mfn) iv(e ex) lv { v := f.local(I64); f.set(v, e); return v }

func bin(op byte, a, b ex) ex { return exf(func(f *mfn) { a.emit(f); b.emit(f); f.c.Op(op) }) }
func un(op byte, a ex) ex     { return exf(func(f *mfn) { a.emit(f); f.c.Op(op) }) }

// f64 arithmetic and comparisons (the comparisons give i32 booleans).
func add(a, b ex) ex  { return bin(OpF64Add, a, b) }
func sub(a, b ex) ex  { return bin(OpF64Sub, a, b) }
func mul(a, b ex) ex  { return bin(OpF64Mul, a, b) }
func div(a, b ex) ex  { return bin(OpF64Div, a, b) }
func csgn(a, b ex) ex { return bin(OpF64Copysign, a, b) }
func neg(a ex) ex     { return un(OpF64Neg, a) }
func fabs(a ex) ex    { return un(OpF64Abs, a) }
func fsqrt(a ex) ex   { return un(OpF64Sqrt, a) }
func ffloor(a ex) ex  { return un(OpF64Floor, a) }
func ftrunc(a ex) ex  { return un(OpF64Trunc, a) }
func lt(a, b ex) ex   { return bin(OpF64Lt, a, b) }
func gt(a, b ex) ex   { return bin(OpF64Gt, a, b) }
func le(a, b ex) ex   { return bin(OpF64Le, a, b) }
func ge(a, b ex) ex   { return bin(OpF64Ge, a, b) }
func eq(a, b ex) ex   { return bin(OpF64Eq, a, b) }
func ne(a, b ex) ex   { return bin(OpF64Ne, a, b) }
func isnan(a ex) ex   { return ne(a, a) }
func isinf(a ex) ex   { return eq(fabs(a), kf(math.Inf(1))) }

// i64 arithmetic and comparisons.
func iadd(a, b ex) ex { return bin(OpI64Add, a, b) }
func isub(a, b ex) ex { return bin(OpI64Sub, a, b) }
func imul(a, b ex) ex { return bin(OpI64Mul, a, b) }
func iand(a, b ex) ex { return bin(OpI64And, a, b) }
func ior(a, b ex) ex  { return bin(OpI64Or, a, b) }
func ishl(a, b ex) ex { return bin(OpI64Shl, a, b) }
func ishr(a, b ex) ex { return bin(OpI64ShrS, a, b) }
func ishu(a, b ex) ex { return bin(OpI64ShrU, a, b) }
func idvu(a, b ex) ex { return bin(OpI64DivU, a, b) }
func iclz(a ex) ex    { return un(OpI64Clz, a) }
func ieq(a, b ex) ex  { return bin(OpI64Eq, a, b) }
func ine(a, b ex) ex  { return bin(OpI64Ne, a, b) }
func ilt(a, b ex) ex  { return bin(OpI64LtS, a, b) }
func igt(a, b ex) ex  { return bin(OpI64GtS, a, b) }
func ile(a, b ex) ex  { return bin(OpI64LeS, a, b) }
func ilu(a, b ex) ex  { return bin(OpI64LtU, a, b) }

// i32 booleans.
func and(a, b ex) ex { return bin(OpI32And, a, b) }
func or(a, b ex) ex  { return bin(OpI32Or, a, b) }
func not(a ex) ex    { return un(OpI32Eqz, a) }

// Conversions: bits and fbits reinterpret, i2f converts, f2i truncates
// toward zero (saturating; NaN gives 0).
func bits(a ex) ex  { return un(OpI64ReinterpretF64, a) }
func fbits(a ex) ex { return un(OpF64ReinterpretI64, a) }
func i2f(a ex) ex   { return un(OpF64ConvertI64S, a) }
func f2i(a ex) ex {
	return exf(func(f *mfn) { a.emit(f); f.c.Op(OpMisc, 0x06) })
}

// signbit is bits(a) < 0.
func signbit(a ex) ex { return ilt(bits(a), ki(0)) }

// sel is a if c else b (both evaluated).
func sel(a, b, c ex) ex {
	return exf(func(f *mfn) { a.emit(f); b.emit(f); c.emit(f); f.c.Op(OpSelect) })
}

// horner is ((cs[0]*z + cs[1])*z + cs[2])*z + ..., the highest degree
// first; a leading coefficient 1 is z + cs[1] (z*1 is exact anyway). In
// fdlibm's form c0 + z*(c1 + z*c2) it is horner(z, c2, c1, c0): the same
// operations in the same order.
func horner(z ex, cs ...float64) ex {
	var e ex
	if cs[0] == 1 {
		e = add(z, kf(cs[1]))
	} else {
		e = add(mul(kf(cs[0]), z), kf(cs[1]))
	}
	for _, c := range cs[2:] {
		e = add(mul(e, z), kf(c))
	}
	return e
}

// call calls math function name (emitting it if needed).
func call(name string, args ...ex) ex {
	return exf(func(f *mfn) {
		for _, a := range args {
			a.emit(f)
		}
		f.c.Idx(OpCall, f.l.Func(name))
	})
}

// Statements.

func (f *mfn) set(v lv, e ex) { e.emit(f); f.c.Idx(OpLocalSet, uint32(v)) }
func (f *mfn) ret(e ex)       { e.emit(f); f.c.Op(OpReturn) }

// callSet calls name, which returns len(dst) values, into dst.
func (f *mfn) callSet(name string, args []ex, dst ...lv) {
	call(name, args...).emit(f)
	for i := len(dst) - 1; i >= 0; i-- {
		f.c.Idx(OpLocalSet, uint32(dst[i]))
	}
}

func (f *mfn) if1(c ex, then func()) {
	c.emit(f)
	f.c.If(BlockVoid)
	then()
	f.c.End()
}

func (f *mfn) if2(c ex, then, els func()) {
	c.emit(f)
	f.c.If(BlockVoid)
	then()
	f.c.Else()
	els()
	f.c.End()
}

// The exp and log family.

const (
	ln2Hi          = 6.93147180369123816490e-01
	ln2Lo          = 1.90821492927058770002e-10
	smallestNormal = 2.2250738585072014e-308 // 2**-1022
)

var inf = kf(math.Inf(1))

func mExp(f *mfn) {
	const (
		Log2e     = 1.44269504088896338700e+00
		Overflow  = 7.09782712893383973096e+02
		Underflow = -7.45133219101941108420e+02
		NearZero  = 1.0 / (1 << 28)
		P1        = 1.66666666666666657415e-01
		P2        = -2.77777777770155933842e-03
		P3        = 6.61375632143793436117e-05
		P4        = -1.65339022054652515390e-06
		P5        = 4.13813679705723846039e-08
	)
	x := lv(0)
	f.if1(isnan(x), func() { f.ret(x) })
	f.if1(gt(x, kf(Overflow)), func() { f.ret(inf) })
	f.if1(lt(x, kf(Underflow)), func() { f.ret(kf(0)) })
	f.if1(and(lt(kf(-NearZero), x), lt(x, kf(NearZero))), func() { f.ret(add(kf(1), x)) })
	k := f.iv(ki(0))
	f.if1(lt(x, kf(0)), func() { f.set(k, f2i(sub(mul(kf(Log2e), x), kf(0.5)))) })
	f.if1(gt(x, kf(0)), func() { f.set(k, f2i(add(mul(kf(Log2e), x), kf(0.5)))) })
	hi := f.fv(sub(x, mul(i2f(k), kf(ln2Hi))))
	lo := f.fv(mul(i2f(k), kf(ln2Lo)))
	// expmulti(hi, lo, k)
	r := f.fv(sub(hi, lo))
	t := f.fv(mul(r, r))
	c := f.fv(sub(r, mul(t, horner(t, P5, P4, P3, P2, P1))))
	y := f.fv(sub(kf(1), sub(sub(lo, div(mul(r, c), sub(kf(2), c))), hi)))
	f.ret(call("_ldexp", y, k))
}

// mLdexp is ldexp(frac, exp): frac * 2**exp.
func mLdexp(f *mfn) {
	frac, e := lv(0), lv(1)
	f.if1(or(eq(frac, kf(0)), not(lt(fabs(frac), inf))), func() { f.ret(frac) })
	f.if1(lt(fabs(frac), kf(smallestNormal)), func() {
		f.set(frac, mul(frac, kf(1<<52)))
		f.set(e, isub(e, ki(52)))
	})
	x := f.iv(bits(frac))
	f.set(e, iadd(e, isub(iand(ishu(x, ki(52)), ki(0x7ff)), ki(1023))))
	f.if1(ilt(e, ki(-1075)), func() { f.ret(csgn(kf(0), frac)) })
	f.if1(igt(e, ki(1023)), func() { f.ret(csgn(inf, frac)) })
	m := f.fv(kf(1))
	f.if1(ilt(e, ki(-1022)), func() {
		f.set(e, iadd(e, ki(53)))
		f.set(m, kf(1.0/(1<<53)))
	})
	f.set(x, ior(iand(x, ki(^(0x7ff<<52))), ishl(iadd(e, ki(1023)), ki(52))))
	f.ret(mul(m, fbits(x)))
}

// mFrexp is frexp(x): (frac, exp) with frac in [½, 1).
func mFrexp(f *mfn) {
	x := lv(0)
	e := f.iv(ki(0))
	f.if1(or(eq(x, kf(0)), not(lt(fabs(x), inf))), func() {
		x.emit(f)
		e.emit(f)
		f.c.Op(OpReturn)
	})
	f.if1(lt(fabs(x), kf(smallestNormal)), func() {
		f.set(x, mul(x, kf(1<<52)))
		f.set(e, ki(-52))
	})
	b := f.iv(bits(x))
	f.set(e, iadd(e, isub(iand(ishu(b, ki(52)), ki(0x7ff)), ki(1022))))
	fbits(ior(iand(b, ki(^(0x7ff<<52))), ki(1022<<52))).emit(f)
	e.emit(f)
}

func mLog(f *mfn) {
	const (
		L1 = 6.666666666666735130e-01
		L2 = 3.999999999940941908e-01
		L3 = 2.857142874366239149e-01
		L4 = 2.222219843214978396e-01
		L5 = 1.818357216161805012e-01
		L6 = 1.531383769920937332e-01
		L7 = 1.479819860511658591e-01
	)
	x := lv(0)
	f.if1(or(isnan(x), eq(x, inf)), func() { f.ret(x) })
	f.if1(lt(x, kf(0)), func() { f.ret(kf(math.NaN())) })
	f.if1(eq(x, kf(0)), func() { f.ret(neg(inf)) })
	// Frexp, inline (x is positive and finite here).
	ki_ := f.iv(ki(0))
	f.if1(lt(x, kf(smallestNormal)), func() {
		f.set(x, mul(x, kf(1<<52)))
		f.set(ki_, ki(-52))
	})
	b := f.iv(bits(x))
	f.set(ki_, iadd(ki_, isub(iand(ishu(b, ki(52)), ki(0x7ff)), ki(1022))))
	f1 := f.fv(fbits(ior(iand(b, ki(^(0x7ff<<52))), ki(1022<<52))))
	f.if1(lt(f1, kf(math.Sqrt2/2)), func() {
		f.set(f1, mul(f1, kf(2)))
		f.set(ki_, isub(ki_, ki(1)))
	})
	fr := f.fv(sub(f1, kf(1)))
	k := f.fv(i2f(ki_))
	s := f.fv(div(fr, add(kf(2), fr)))
	s2 := f.fv(mul(s, s))
	s4 := f.fv(mul(s2, s2))
	t1 := mul(s2, horner(s4, L7, L5, L3, L1))
	t2 := mul(s4, horner(s4, L6, L4, L2))
	R := f.fv(add(t1, t2))
	hfsq := f.fv(mul(mul(kf(0.5), fr), fr))
	f.ret(sub(mul(k, kf(ln2Hi)), sub(sub(hfsq, add(mul(s, add(hfsq, R)), mul(k, kf(ln2Lo)))), fr)))
}

// ku is an i64 constant given by its unsigned bits.
func ku(u uint64) ki { return ki(int64(u)) }

// Sine, cosine and tangent (Cephes, as in Go's sin.go and tan.go).

// Pi/4 split into three parts.
const (
	pi4A = 7.85398125648498535156e-1
	pi4B = 3.77489470793079817668e-8
	pi4C = 2.69515142907905952645e-15
	// reduceThreshold is where the reduction by Cody–Waite stops being
	// accurate and Payne–Hanek takes over.
	reduceThreshold = 1 << 29
)

// trigArg reduces x >= 0 to the octant j and z in [-π/4, π/4]; j and z
// are set, with j odd octants moved up as Go does (andSeven: j &= 7).
func (f *mfn) trigArg(x lv, andSeven bool) (j, z lv) {
	j, z = f.local(I64), f.local(F64)
	f.if2(ge(x, kf(reduceThreshold)), func() {
		f.callSet("_trigreduce", []ex{x}, j, z)
	}, func() {
		f.set(j, f2i(mul(x, kf(4/math.Pi))))
		y := f.fv(i2f(j))
		f.if1(ieq(iand(j, ki(1)), ki(1)), func() {
			f.set(j, iadd(j, ki(1)))
			f.set(y, add(y, kf(1)))
		})
		if andSeven {
			f.set(j, iand(j, ki(7)))
		}
		f.set(z, sub(sub(sub(x, mul(y, kf(pi4A))), mul(y, kf(pi4B))), mul(y, kf(pi4C))))
	})
	return j, z
}

// sinPoly and cosPoly are the kernels on [-π/4, π/4].
func sinPoly(z, zz ex) ex {
	return add(z, mul(mul(z, zz), horner(zz, mathx.SinCoef...)))
}

func cosPoly(zz ex) ex {
	return add(sub(kf(1), mul(kf(0.5), zz)), mul(mul(zz, zz), horner(zz, mathx.CosCoef...)))
}

func mSin(f *mfn) {
	x := lv(0)
	f.if1(or(eq(x, kf(0)), isnan(x)), func() { f.ret(x) })
	f.if1(isinf(x), func() { f.ret(kf(math.NaN())) })
	sign := f.absSign(x)
	j, z := f.trigArg(x, true)
	f.if1(igt(j, ki(3)), func() {
		f.set(sign, not(sign))
		f.set(j, isub(j, ki(4)))
	})
	zz := f.fv(mul(z, z))
	y := f.local(F64)
	f.if2(or(ieq(j, ki(1)), ieq(j, ki(2))), func() {
		f.set(y, cosPoly(zz))
	}, func() {
		f.set(y, sinPoly(z, zz))
	})
	f.ret(sel(neg(y), y, sign))
}

func mCos(f *mfn) {
	x := lv(0)
	f.if1(or(isnan(x), isinf(x)), func() { f.ret(kf(math.NaN())) })
	sign := f.local(I32)
	f.set(x, fabs(x))
	j, z := f.trigArg(x, true)
	f.if1(igt(j, ki(3)), func() {
		f.set(j, isub(j, ki(4)))
		f.set(sign, not(sign))
	})
	f.if1(igt(j, ki(1)), func() { f.set(sign, not(sign)) })
	zz := f.fv(mul(z, z))
	y := f.local(F64)
	f.if2(or(ieq(j, ki(1)), ieq(j, ki(2))), func() {
		f.set(y, sinPoly(z, zz))
	}, func() {
		f.set(y, cosPoly(zz))
	})
	f.ret(sel(neg(y), y, sign))
}

func mTan(f *mfn) {
	x := lv(0)
	f.if1(or(eq(x, kf(0)), isnan(x)), func() { f.ret(x) })
	f.if1(isinf(x), func() { f.ret(kf(math.NaN())) })
	sign := f.absSign(x)
	j, z := f.trigArg(x, false)
	zz := f.fv(mul(z, z))
	y := f.fv(z)
	f.if1(gt(zz, kf(1e-14)), func() {
		p := mul(zz, horner(zz, mathx.TanP...))
		q := horner(zz, mathx.TanQ...)
		f.set(y, add(z, mul(z, div(p, q))))
	})
	f.if1(ieq(iand(j, ki(2)), ki(2)), func() { f.set(y, div(kf(-1), y)) })
	f.ret(sel(neg(y), y, sign))
}

// mPi4 is the binary digits of 4/π, for the Payne–Hanek reduction.
var mPi4 = [...]uint64{
	0x0000000000000001,
	0x45f306dc9c882a53,
	0xf84eafa3ea69bb81,
	0xb6c52b3278872083,
	0xfca2c757bd778ac3,
	0x6e48dc74849ba5c0,
	0x0c925dd413a32439,
	0xfc3bd63962534e7d,
	0xd1046bea5d768909,
	0xd338e04d68befc82,
	0x7323ac7306a673e9,
	0x3908bf177bf25076,
	0x3ff12fffbc0b301f,
	0xde5e2316b414da3e,
	0xda6cfd9e4f96136e,
	0x9e8c7ecd3cbfd45a,
	0xea4f758fd7cbe2f6,
	0x7a0e73ef14a525d4,
	0xd7f6bf623f1aba10,
	0xac06608df8f6d757,
}

// mMPi4 is mPi4[i], a chain of selects (no memory needed).
func mMPi4(f *mfn) {
	i := lv(0)
	var e ex = ki(0)
	for k, u := range mPi4 {
		e = sel(ku(u), e, ieq(i, ki(k)))
	}
	f.ret(e)
}

// mMulHi is the high half of the 128-bit product of two uint64s.
func mMulHi(f *mfn) {
	a, b := lv(0), lv(1)
	const m32 = 1<<32 - 1
	a0, a1 := f.iv(iand(a, ki(m32))), f.iv(ishu(a, ki(32)))
	b0, b1 := f.iv(iand(b, ki(m32))), f.iv(ishu(b, ki(32)))
	w0 := f.iv(imul(a0, b0))
	t := f.iv(iadd(imul(a1, b0), ishu(w0, ki(32))))
	w1 := f.iv(iadd(iand(t, ki(m32)), imul(a0, b1)))
	f.ret(iadd(iadd(imul(a1, b1), ishu(t, ki(32))), ishu(w1, ki(32))))
}

// mTrigReduce is Payne–Hanek: for x >= π/4 it returns (j, z) with z =
// x - jπ/4 in [-π/4, π/4] (j is the octant, 0..7).
func mTrigReduce(f *mfn) {
	x := lv(0)
	f.if1(lt(x, kf(math.Pi/4)), func() {
		ki(0).emit(f)
		x.emit(f)
		f.c.Op(OpReturn)
	})
	ix := f.iv(bits(x))
	e := f.iv(isub(iand(ishu(ix, ki(52)), ki(0x7ff)), ki(1023+52)))
	f.set(ix, ior(iand(ix, ki(^(0x7ff<<52))), ki(1<<52)))
	digit := f.iv(ishu(iadd(e, ki(61)), ki(6)))
	bs := f.iv(iand(iadd(e, ki(61)), ki(63)))
	tab := func(d int64) ex { return call("_mpi4", iadd(digit, ki(d))) }
	// a << bs | b >> (64-bs), where b >> 64 is 0 (as in Go): shift by 1
	// and then by 63-bs, both counts in 0..63.
	join := func(d int64) ex {
		return ior(ishl(tab(d), bs), ishu(ishu(tab(d+1), ki(1)), isub(ki(63), bs)))
	}
	z0 := f.iv(join(0))
	z1 := f.iv(join(1))
	z2 := f.iv(join(2))
	z2hi := f.iv(call("_mulhi", z2, ix))
	z1hi := f.iv(call("_mulhi", z1, ix))
	z1lo := f.iv(imul(z1, ix))
	z0lo := f.iv(imul(z0, ix))
	lo := f.iv(iadd(z1lo, z2hi))
	carry := exf(func(f *mfn) { ilu(lo, z1lo).emit(f); f.c.Op(OpI64ExtendI32U) })
	hi := f.iv(iadd(iadd(z0lo, z1hi), carry))
	j := f.iv(ishu(hi, ki(61)))
	f.set(hi, ior(ishl(hi, ki(3)), ishu(lo, ki(61))))
	lz := f.iv(iclz(hi))
	ee := f.iv(isub(ki(1023), iadd(lz, ki(1))))
	// hi << (lz+1) | lo >> (64-(lz+1)), with the counts kept in 0..63.
	f.set(hi, ior(ishl(ishl(hi, lz), ki(1)), ishu(lo, isub(ki(63), lz))))
	f.set(hi, ishu(hi, ki(12)))
	f.set(hi, ior(hi, ishl(ee, ki(52))))
	z := f.fv(fbits(hi))
	f.if1(ieq(iand(j, ki(1)), ki(1)), func() {
		f.set(j, iand(iadd(j, ki(1)), ki(7)))
		f.set(z, sub(z, kf(1)))
	})
	j.emit(f)
	mul(z, kf(math.Pi/4)).emit(f)
}

// Inverse trigonometric functions (Cephes, as in Go's atan.go, asin.go and
// atan2.go).

// mXatan is atan(x) for 0 <= x <= 0.66.
func mXatan(f *mfn) {
	const (
		P0 = -8.750608600031904122785e-01
		P1 = -1.615753718733365076637e+01
		P2 = -7.500855792314704667340e+01
		P3 = -1.228866684490136173410e+02
		P4 = -6.485021904942025371773e+01
		Q0 = +2.485846490142306297962e+01
		Q1 = +1.650270098316988542046e+02
		Q2 = +4.328810604912902668951e+02
		Q3 = +4.853903996359136964868e+02
		Q4 = +1.945506571482613964425e+02
	)
	x := lv(0)
	z := f.fv(mul(x, x))
	f.set(z, div(mul(z, horner(z, P0, P1, P2, P3, P4)), horner(z, 1, Q0, Q1, Q2, Q3, Q4)))
	f.ret(add(mul(x, z), x))
}

// mSatan is atan(x) for x >= 0, reduced to xatan's range.
func mSatan(f *mfn) {
	const (
		Morebits = 6.123233995736765886130e-17 // pi/2 = PIO2 + Morebits
		Tan3pio8 = 2.41421356237309504880      // tan(3*pi/8)
	)
	x := lv(0)
	f.if1(le(x, kf(0.66)), func() { f.ret(call("_xatan", x)) })
	f.if1(gt(x, kf(Tan3pio8)), func() {
		f.ret(add(sub(kf(math.Pi/2), call("_xatan", div(kf(1), x))), kf(Morebits)))
	})
	f.ret(add(add(kf(math.Pi/4), call("_xatan", div(sub(x, kf(1)), add(x, kf(1))))), kf(0.5*Morebits)))
}

func mAtan(f *mfn) {
	x := lv(0)
	f.if1(eq(x, kf(0)), func() { f.ret(x) })
	f.if1(gt(x, kf(0)), func() { f.ret(call("_satan", x)) })
	f.ret(neg(call("_satan", neg(x))))
}

func mAsin(f *mfn) {
	x := lv(0)
	f.if1(eq(x, kf(0)), func() { f.ret(x) })
	sign := f.fv(kf(1))
	f.if1(lt(x, kf(0)), func() {
		f.set(x, neg(x))
		f.set(sign, kf(-1))
	})
	f.if1(gt(x, kf(1)), func() { f.ret(kf(math.NaN())) })
	temp := f.fv(fsqrt(sub(kf(1), mul(x, x))))
	f.if2(gt(x, kf(0.7)), func() {
		f.set(temp, sub(kf(math.Pi/2), call("_satan", div(temp, x))))
	}, func() {
		f.set(temp, call("_satan", div(x, temp)))
	})
	f.ret(csgn(temp, sign)) // temp >= 0 or NaN; as -temp in Go
}

func mAcos(f *mfn) {
	f.ret(sub(kf(math.Pi/2), call("asin", lv(0))))
}

func mAtan2(f *mfn) {
	y, x := lv(0), lv(1)
	f.if1(or(isnan(y), isnan(x)), func() { f.ret(kf(math.NaN())) })
	f.if1(eq(y, kf(0)), func() {
		f.if1(and(ge(x, kf(0)), not(signbit(x))), func() { f.ret(csgn(kf(0), y)) })
		f.ret(csgn(kf(math.Pi), y))
	})
	f.if1(eq(x, kf(0)), func() { f.ret(csgn(kf(math.Pi/2), y)) })
	f.if1(isinf(x), func() {
		f.if1(eq(x, inf), func() {
			f.if1(isinf(y), func() { f.ret(csgn(kf(math.Pi/4), y)) })
			f.ret(csgn(kf(0), y))
		})
		f.if1(isinf(y), func() { f.ret(csgn(kf(3*math.Pi/4), y)) })
		f.ret(csgn(kf(math.Pi), y))
	})
	f.if1(isinf(y), func() { f.ret(csgn(kf(math.Pi/2), y)) })
	q := f.fv(call("atan", div(y, x)))
	f.if1(lt(x, kf(0)), func() {
		f.if1(le(q, kf(0)), func() { f.ret(add(q, kf(math.Pi))) })
		f.ret(sub(q, kf(math.Pi)))
	})
	f.ret(q)
}

// Hyperbolic functions.

var (
	tanhP = []float64{-9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3}
	tanhQ = []float64{1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3}
)

// mSinh is fdlibm's sinh, built on expm1 (measured at most 1.5 ulp from
// the exact value). Go's Cephes sinh, a rational function up to 0.5 and
// (e - 1/e)/2 beyond, was measured at up to 2.4 ulp, and it overflows for
// |x| in (709.78, 710.48), where sinh is still finite.
func mSinh(f *mfn) {
	x := lv(0)
	f.if1(or(isnan(x), isinf(x)), func() { f.ret(x) })
	a := f.fv(fabs(x))
	r := f.local(F64)
	f.if2(lt(a, kf(22)), func() {
		f.if1(lt(a, kf(1.0/(1<<28))), func() { f.ret(x) })
		t := f.fv(call("expm1", a))
		f.if2(lt(a, kf(1)), func() {
			f.set(r, mul(kf(0.5), sub(mul(kf(2), t), div(mul(t, t), add(t, kf(1))))))
		}, func() {
			f.set(r, mul(kf(0.5), add(t, div(t, add(t, kf(1))))))
		})
	}, func() {
		f.set(r, call("_coshbig", a))
	})
	f.ret(csgn(r, x))
}

// mCoshBig is e**a / 2 for a >= 21 without overflowing early: up to
// 709.78 (where exp overflows) it is exp(a)*0.5 as in Go; beyond, up to
// 710.48 (where e**a / 2 does) it is (exp(a/2)*0.5)*exp(a/2).
func mCoshBig(f *mfn) {
	const (
		expOverflow  = 7.09782712893383973096e+02
		halfOverflow = 7.10475860073943863426e+02
	)
	a := lv(0)
	f.if1(le(a, kf(expOverflow)), func() { f.ret(mul(call("exp", a), kf(0.5))) })
	f.if1(le(a, kf(halfOverflow)), func() {
		w := f.fv(call("exp", mul(kf(0.5), a)))
		f.ret(mul(mul(kf(0.5), w), w))
	})
	f.ret(inf)
}

// mCosh is Go's cosh, with the overflow of mCoshBig.
func mCosh(f *mfn) {
	x := lv(0)
	f.set(x, fabs(x))
	f.if1(gt(x, kf(21)), func() { f.ret(call("_coshbig", x)) })
	ex := f.fv(call("exp", x))
	f.ret(mul(add(ex, div(kf(1), ex)), kf(0.5)))
}

// mTanh is Go's (Cephes) tanh: a rational function below 0.625, and
// beyond 1 - 2/(e**2x + 1), with e**2x - 1 from expm1 (fdlibm's form).
func mTanh(f *mfn) {
	x := lv(0)
	f.if1(isnan(x), func() { f.ret(x) })
	a := f.fv(fabs(x))
	z := f.local(F64)
	f.if2(lt(a, kf(22)), func() {
		f.if1(lt(a, kf(0.625)), func() {
			// Go's (Cephes) rational approximation.
			f.if1(eq(x, kf(0)), func() { f.ret(x) })
			s := f.fv(mul(x, x))
			f.ret(add(x, div(mul(mul(x, s), horner(s, tanhP...)), horner(s, 1, tanhQ[0], tanhQ[1], tanhQ[2]))))
		})
		t := f.fv(call("expm1", mul(kf(2), a)))
		f.set(z, sub(kf(1), div(kf(2), add(t, kf(2)))))
	}, func() {
		f.set(z, kf(1))
	})
	f.ret(csgn(z, x))
}

// Power (Go's pow.go).

// mIsOddInt reports whether x is an odd integer.
func mIsOddInt(f *mfn) {
	x := lv(0)
	f.if1(ge(fabs(x), kf(1<<53)), func() {
		f.c.I32Const(0)
		f.c.Op(OpReturn)
	})
	xi := f.fv(ftrunc(x))
	xf := csgn(sub(x, xi), x)
	and(eq(xf, kf(0)), ieq(iand(f2i(xi), ki(1)), ki(1))).emit(f)
}

func mPow(f *mfn) {
	x, y := lv(0), lv(1)
	f.if1(or(eq(y, kf(0)), eq(x, kf(1))), func() { f.ret(kf(1)) })
	f.if1(eq(y, kf(1)), func() { f.ret(x) })
	f.if1(or(isnan(x), isnan(y)), func() { f.ret(kf(math.NaN())) })
	f.if1(eq(x, kf(0)), func() {
		odd := and(signbit(x), call("_isoddint", y))
		f.if1(lt(y, kf(0)), func() { f.ret(sel(neg(inf), inf, odd)) })
		f.if1(gt(y, kf(0)), func() { f.ret(sel(x, kf(0), odd)) })
	})
	f.if1(isinf(y), func() {
		f.if1(eq(x, kf(-1)), func() { f.ret(kf(1)) })
		f.if1(bin(OpI32Eq, lt(fabs(x), kf(1)), eq(y, inf)), func() { f.ret(kf(0)) })
		f.ret(inf)
	})
	f.if1(isinf(x), func() {
		f.if1(eq(x, neg(inf)), func() { f.ret(call("pow", div(kf(1), x), neg(y))) })
		f.if1(lt(y, kf(0)), func() { f.ret(kf(0)) })
		f.if1(gt(y, kf(0)), func() { f.ret(inf) })
	})
	f.if1(eq(y, kf(0.5)), func() { f.ret(fsqrt(x)) })
	f.if1(eq(y, kf(-0.5)), func() { f.ret(div(kf(1), fsqrt(x))) })
	yi := f.fv(ftrunc(fabs(y)))
	yf := f.fv(sub(fabs(y), yi)) // Modf of a positive number
	f.if1(and(ne(yf, kf(0)), lt(x, kf(0))), func() { f.ret(kf(math.NaN())) })
	f.if1(ge(yi, kf(1<<63)), func() {
		f.if1(eq(x, kf(-1)), func() { f.ret(kf(1)) })
		f.if1(bin(OpI32Eq, lt(fabs(x), kf(1)), gt(y, kf(0))), func() { f.ret(kf(0)) })
		f.ret(inf)
	})
	a1 := f.fv(kf(1))
	ae := f.iv(ki(0))
	f.if1(ne(yf, kf(0)), func() {
		f.if1(gt(yf, kf(0.5)), func() {
			f.set(yf, sub(yf, kf(1)))
			f.set(yi, add(yi, kf(1)))
		})
		f.set(a1, call("exp", mul(yf, call("log", x))))
	})
	x1, xe := f.local(F64), f.local(I64)
	f.callSet("_frexp", []ex{x}, x1, xe)
	i := f.iv(f2i(yi))
	f.c.Block(BlockVoid)
	f.c.Loop(BlockVoid)
	ieq(i, ki(0)).emit(f)
	f.c.Idx(OpBrIf, 1)
	f.if1(or(ilt(xe, ki(-1<<12)), ilt(ki(1<<12), xe)), func() {
		f.set(ae, iadd(ae, xe))
		f.c.Idx(OpBr, 2)
	})
	f.if1(ieq(iand(i, ki(1)), ki(1)), func() {
		f.set(a1, mul(a1, x1))
		f.set(ae, iadd(ae, xe))
	})
	f.set(x1, mul(x1, x1))
	f.set(xe, ishl(xe, ki(1)))
	f.if1(lt(x1, kf(0.5)), func() {
		f.set(x1, add(x1, x1))
		f.set(xe, isub(xe, ki(1)))
	})
	f.set(i, ishr(i, ki(1)))
	f.c.Idx(OpBr, 0)
	f.c.End()
	f.c.End()
	f.if1(lt(y, kf(0)), func() {
		f.set(a1, div(kf(1), a1))
		f.set(ae, isub(ki(0), ae))
	})
	f.ret(call("_ldexp", a1, ae))
}

// log1p and expm1 (fdlibm, as in Go's log1p.go and expm1.go).

func mLog1p(f *mfn) {
	const (
		Sqrt2M1     = 4.142135623730950488017e-01
		Sqrt2HalfM1 = -2.928932188134524755992e-01
		Small       = 1.0 / (1 << 29)
		Tiny        = 1.0 / (1 << 54)
		Two53       = 1 << 53
		Lp1         = 6.666666666666735130e-01
		Lp2         = 3.999999999940941908e-01
		Lp3         = 2.857142874366239149e-01
		Lp4         = 2.222219843214978396e-01
		Lp5         = 1.818357216161805012e-01
		Lp6         = 1.531383769920937332e-01
		Lp7         = 1.479819860511658591e-01
	)
	x := lv(0)
	f.if1(or(lt(x, kf(-1)), isnan(x)), func() { f.ret(kf(math.NaN())) })
	f.if1(eq(x, kf(-1)), func() { f.ret(neg(inf)) })
	f.if1(eq(x, inf), func() { f.ret(inf) })
	absx := f.fv(fabs(x))
	fr := f.fv(kf(0))
	iu := f.iv(ki(0))
	k := f.iv(ki(1))
	f.if1(lt(absx, kf(Sqrt2M1)), func() {
		f.if1(lt(absx, kf(Small)), func() {
			f.if1(lt(absx, kf(Tiny)), func() { f.ret(x) })
			f.ret(sub(x, mul(mul(x, x), kf(0.5))))
		})
		f.if1(gt(x, kf(Sqrt2HalfM1)), func() {
			f.set(k, ki(0))
			f.set(fr, x)
			f.set(iu, ki(1))
		})
	})
	c := f.fv(kf(0))
	f.if1(ine(k, ki(0)), func() {
		u := f.local(F64)
		f.if2(lt(absx, kf(Two53)), func() {
			f.set(u, add(kf(1), x))
			f.set(iu, bits(u))
			f.set(k, isub(ishu(iu, ki(52)), ki(1023)))
			f.if2(igt(k, ki(0)), func() {
				f.set(c, sub(kf(1), sub(u, x)))
			}, func() {
				f.set(c, sub(x, sub(u, kf(1))))
			})
			f.set(c, div(c, u))
		}, func() {
			f.set(u, x)
			f.set(iu, bits(u))
			f.set(k, isub(ishu(iu, ki(52)), ki(1023)))
			f.set(c, kf(0))
		})
		f.set(iu, iand(iu, ki(0x000fffffffffffff)))
		f.if2(ilu(iu, ki(0x0006a09e667f3bcd)), func() {
			f.set(u, fbits(ior(iu, ki(0x3ff0000000000000))))
		}, func() {
			f.set(k, iadd(k, ki(1)))
			f.set(u, fbits(ior(iu, ki(0x3fe0000000000000))))
			f.set(iu, ishu(isub(ki(0x0010000000000000), iu), ki(2)))
		})
		f.set(fr, sub(u, kf(1)))
	})
	hfsq := f.fv(mul(mul(kf(0.5), fr), fr))
	kk := f.fv(i2f(k))
	f.if1(ieq(iu, ki(0)), func() {
		f.if1(eq(fr, kf(0)), func() {
			f.if1(ieq(k, ki(0)), func() { f.ret(kf(0)) })
			f.set(c, add(c, mul(kk, kf(ln2Lo))))
			f.ret(add(mul(kk, kf(ln2Hi)), c))
		})
		R := f.fv(mul(hfsq, sub(kf(1), mul(kf(0.66666666666666666), fr))))
		f.if1(ieq(k, ki(0)), func() { f.ret(sub(fr, R)) })
		f.ret(sub(mul(kk, kf(ln2Hi)), sub(sub(R, add(mul(kk, kf(ln2Lo)), c)), fr)))
	})
	s := f.fv(div(fr, add(kf(2), fr)))
	z := f.fv(mul(s, s))
	R := f.fv(mul(z, horner(z, Lp7, Lp6, Lp5, Lp4, Lp3, Lp2, Lp1)))
	f.if1(ieq(k, ki(0)), func() { f.ret(sub(fr, sub(hfsq, mul(s, add(hfsq, R))))) })
	f.ret(sub(mul(kk, kf(ln2Hi)), sub(sub(hfsq, add(mul(s, add(hfsq, R)), add(mul(kk, kf(ln2Lo)), c))), fr)))
}

func mExpm1(f *mfn) {
	const (
		Othreshold = 7.09782712893383973096e+02
		Ln2X56     = 3.88162421113569373274e+01
		Ln2HalfX3  = 1.03972077083991796413e+00
		Ln2Half    = 3.46573590279972654709e-01
		InvLn2     = 1.44269504088896338700e+00
		Tiny       = 1.0 / (1 << 54)
		Q1         = -3.33333333333331316428e-02
		Q2         = 1.58730158725481460165e-03
		Q3         = -7.93650757867487942473e-05
		Q4         = 4.00821782732936239552e-06
		Q5         = -2.01099218183624371326e-07
	)
	x := lv(0)
	f.if1(or(eq(x, inf), isnan(x)), func() { f.ret(x) })
	f.if1(eq(x, neg(inf)), func() { f.ret(kf(-1)) })
	absx := f.fv(fabs(x))
	neg_ := lt(x, kf(0))
	f.if1(ge(absx, kf(Ln2X56)), func() {
		f.if1(neg_, func() { f.ret(kf(-1)) })
		f.if1(ge(absx, kf(Othreshold)), func() { f.ret(inf) })
	})
	c := f.fv(kf(0))
	k := f.iv(ki(0))
	f.if2(gt(absx, kf(Ln2Half)), func() {
		hi, lo := f.local(F64), f.local(F64)
		f.if2(lt(absx, kf(Ln2HalfX3)), func() {
			f.if2(not(neg_), func() {
				f.set(hi, sub(x, kf(ln2Hi)))
				f.set(lo, kf(ln2Lo))
				f.set(k, ki(1))
			}, func() {
				f.set(hi, add(x, kf(ln2Hi)))
				f.set(lo, kf(-ln2Lo))
				f.set(k, ki(-1))
			})
		}, func() {
			f.if2(not(neg_), func() {
				f.set(k, f2i(add(mul(kf(InvLn2), x), kf(0.5))))
			}, func() {
				f.set(k, f2i(sub(mul(kf(InvLn2), x), kf(0.5))))
			})
			t := f.fv(i2f(k))
			f.set(hi, sub(x, mul(t, kf(ln2Hi))))
			f.set(lo, mul(t, kf(ln2Lo)))
		})
		f.set(x, sub(hi, lo))
		f.set(c, sub(sub(hi, x), lo))
	}, func() {
		f.if1(lt(absx, kf(Tiny)), func() { f.ret(x) })
	})
	hfx := f.fv(mul(kf(0.5), x))
	hxs := f.fv(mul(x, hfx))
	r1 := f.fv(add(kf(1), mul(hxs, horner(hxs, Q5, Q4, Q3, Q2, Q1))))
	t := f.fv(sub(kf(3), mul(r1, hfx)))
	e := f.fv(mul(hxs, div(sub(r1, t), sub(kf(6), mul(x, t)))))
	f.if1(ieq(k, ki(0)), func() { f.ret(sub(x, sub(mul(x, e), hxs))) })
	f.set(e, sub(mul(x, sub(e, c)), c))
	f.set(e, sub(e, hxs))
	f.if1(ieq(k, ki(-1)), func() { f.ret(sub(mul(kf(0.5), sub(x, e)), kf(0.5))) })
	f.if1(ieq(k, ki(1)), func() {
		f.if1(lt(x, kf(-0.25)), func() { f.ret(mul(kf(-2), sub(e, add(x, kf(0.5))))) })
		f.ret(add(kf(1), mul(kf(2), sub(x, e))))
	})
	addExp := func(y ex) ex { return fbits(iadd(bits(y), ishl(k, ki(52)))) }
	y := f.local(F64)
	f.if1(or(ile(k, ki(-2)), igt(k, ki(56))), func() {
		f.set(y, sub(kf(1), sub(e, x)))
		f.ret(sub(addExp(y), kf(1)))
	})
	f.if1(ilt(k, ki(20)), func() {
		tt := f.fv(fbits(isub(ki(0x3ff0000000000000), ishu(ki(0x20000000000000), k))))
		f.set(y, sub(tt, sub(e, x)))
		f.ret(addExp(y))
	})
	f.set(t, fbits(ishl(isub(ki(0x3ff), k), ki(52))))
	f.set(y, sub(x, add(e, t)))
	f.set(y, add(y, kf(1)))
	f.ret(addExp(y))
}

// Cube root and hypotenuse (Go's cbrt.go and hypot.go).

func mCbrt(f *mfn) {
	const (
		B1 = 715094163
		B2 = 696219795
		C  = 5.42857142857142815906e-01
		D  = -7.05306122448979611050e-01
		E  = 1.41428571428571436819e+00
		F  = 1.60714285714285720630e+00
		G  = 3.57142857142857150787e-01
	)
	x := lv(0)
	f.if1(or(eq(x, kf(0)), not(lt(fabs(x), inf))), func() { f.ret(x) })
	sx := f.fv(x)
	f.set(x, fabs(x))
	t := f.fv(fbits(iadd(idvu(bits(x), ki(3)), ki(B1<<32))))
	f.if1(lt(x, kf(smallestNormal)), func() {
		f.set(t, kf(1<<54))
		f.set(t, mul(t, x))
		f.set(t, fbits(iadd(idvu(bits(t), ki(3)), ki(B2<<32))))
	})
	r := f.fv(div(mul(t, t), x))
	s := f.fv(add(kf(C), mul(r, t)))
	f.set(t, mul(t, add(kf(G), div(kf(F), add(add(s, kf(E)), div(kf(D), s))))))
	f.set(t, fbits(iadd(iand(bits(t), ku(0xFFFFFFFFC<<28)), ki(1<<30))))
	f.set(s, mul(t, t))
	f.set(r, div(x, s))
	w := f.fv(add(t, t))
	f.set(r, div(sub(r, t), add(w, r)))
	f.set(t, add(t, mul(t, r)))
	f.ret(csgn(t, sx))
}

func mHypot(f *mfn) {
	p, q := lv(0), lv(1)
	f.set(p, fabs(p))
	f.set(q, fabs(q))
	f.if1(or(eq(p, inf), eq(q, inf)), func() { f.ret(inf) })
	f.if1(or(isnan(p), isnan(q)), func() { f.ret(kf(math.NaN())) })
	f.if1(lt(p, q), func() {
		t := f.fv(p)
		f.set(p, q)
		f.set(q, t)
	})
	f.if1(eq(p, kf(0)), func() { f.ret(kf(0)) })
	f.set(q, div(q, p))
	f.ret(mul(p, fsqrt(add(kf(1), mul(q, q)))))
}

// The error function (fdlibm, as in Go's erf.go).

func mErf(f *mfn) {
	const (
		erx      = 8.45062911510467529297e-01
		efx      = 1.28379167095512586316e-01
		efx8     = 1.02703333676410069053e+00
		VeryTiny = 2.848094538889218e-306
		Small    = 1.0 / (1 << 28)
	)
	pp := []float64{-2.37630166566501626084e-05, -5.77027029648944159157e-03, -2.84817495755985104766e-02, -3.25042107247001499370e-01, 1.28379167095512558561e-01}
	qq := []float64{-3.96022827877536812320e-06, 1.32494738004321644526e-04, 5.08130628187576562776e-03, 6.50222499887672944485e-02, 3.97917223959155352819e-01, 1}
	pa := []float64{-2.16637559486879084300e-03, 3.54783043256182359371e-02, -1.10894694282396677476e-01, 3.18346619901161753674e-01, -3.72207876035701323847e-01, 4.14856118683748331666e-01, -2.36211856075265944077e-03}
	qa := []float64{1.19844998467991074170e-02, 1.36370839120290507362e-02, 1.26171219808761642112e-01, 7.18286544141962662868e-02, 5.40397917702171048937e-01, 1.06420880400844228286e-01, 1}
	ra := []float64{-9.81432934416914548592e+00, -8.12874355063065934246e+01, -1.84605092906711035994e+02, -1.62396669462573470355e+02, -6.23753324503260060396e+01, -1.05586262253232909814e+01, -6.93858572707181764372e-01, -9.86494403484714822705e-03}
	sa := []float64{-6.04244152148580987438e-02, 6.57024977031928170135e+00, 1.08635005541779435134e+02, 4.29008140027567833386e+02, 6.45387271733267880336e+02, 4.34565877475229228821e+02, 1.37657754143519042600e+02, 1.96512716674392571292e+01, 1}
	rb := []float64{-4.83519191608651397019e+02, -1.02509513161107724954e+03, -6.37566443368389627722e+02, -1.60636384855821916062e+02, -1.77579549177547519889e+01, -7.99283237680523006574e-01, -9.86494292470009928597e-03}
	sb := []float64{-2.24409524465858183362e+01, 4.74528541206955367215e+02, 2.55305040643316442583e+03, 3.19985821950859553908e+03, 1.53672958608443695994e+03, 3.25792512996573918826e+02, 3.03380607434824582924e+01, 1}
	x := lv(0)
	f.if1(isnan(x), func() { f.ret(kf(math.NaN())) })
	f.if1(eq(x, inf), func() { f.ret(kf(1)) })
	f.if1(eq(x, neg(inf)), func() { f.ret(kf(-1)) })
	sx := f.fv(x)
	f.set(x, fabs(x))
	// The result is negated for x < 0: copysign does it, as the results
	// below are positive (or +0 for x = +0, -0 for -0).
	f.if1(lt(x, kf(0.84375)), func() {
		temp := f.local(F64)
		f.if2(lt(x, kf(Small)), func() {
			f.if2(lt(x, kf(VeryTiny)), func() {
				f.set(temp, mul(kf(0.125), add(mul(kf(8), x), mul(kf(efx8), x))))
			}, func() {
				f.set(temp, add(x, mul(kf(efx), x)))
			})
		}, func() {
			z := f.fv(mul(x, x))
			y := f.fv(div(horner(z, pp...), fdlibmOne(z, qq[:len(qq)-1])))
			f.set(temp, add(x, mul(x, y)))
		})
		f.ret(csgn(temp, sx))
	})
	f.if1(lt(x, kf(1.25)), func() {
		s := f.fv(sub(x, kf(1)))
		P := f.fv(horner(s, pa...))
		Q := f.fv(fdlibmOne(s, qa[:len(qa)-1]))
		f.ret(csgn(add(kf(erx), div(P, Q)), sx))
	})
	f.if1(ge(x, kf(6)), func() { f.ret(csgn(kf(1), sx)) })
	s := f.fv(div(kf(1), mul(x, x)))
	R, S := f.local(F64), f.local(F64)
	f.if2(lt(x, kf(1/0.35)), func() {
		f.set(R, horner(s, ra...))
		f.set(S, fdlibmOne(s, sa[:len(sa)-1]))
	}, func() {
		f.set(R, horner(s, rb...))
		f.set(S, fdlibmOne(s, sb[:len(sb)-1]))
	})
	z := f.fv(fbits(iand(bits(x), ku(0xffffffff00000000))))
	r := f.fv(mul(call("exp", sub(mul(neg(z), z), kf(0.5625))), call("exp", add(mul(sub(z, x), add(z, x)), div(R, S)))))
	f.ret(csgn(sub(kf(1), div(r, x)), sx))
}

// fdlibmOne is 1 + z*(c[n-1] + z*(... + z*c[0])): a denominator with
// constant term 1, its other coefficients highest degree first.
func fdlibmOne(z ex, cs []float64) ex {
	return add(kf(1), mul(z, horner(z, cs...)))
}

// The log of the gamma function (fdlibm, as in Go's lgamma.go) and the
// polygamma functions (as mathx.Polygamma).

func mLgamma(f *mfn) {
	const (
		Ymin  = 1.461632144968362245
		Two52 = 1 << 52
		Two58 = 1 << 58
		Tiny  = 1.0 / (1 << 70)
		Tc    = 1.46163214496836224576e+00
		Tf    = -1.21486290535849611461e-01
		Tt    = -3.63867699703950536541e-18
	)
	A := []float64{7.72156649015328655494e-02, 3.22467033424113591611e-01, 6.73523010531292681824e-02, 2.05808084325167332806e-02, 7.38555086081402883957e-03, 2.89051383673415629091e-03, 1.19270763183362067845e-03, 5.10069792153511336608e-04, 2.20862790713908385557e-04, 1.08011567247583939954e-04, 2.52144565451257326939e-05, 4.48640949618915160150e-05}
	R := []float64{1.0, 1.39200533467621045958e+00, 7.21935547567138069525e-01, 1.71933865632803078993e-01, 1.86459191715652901344e-02, 7.77942496381893596434e-04, 7.32668430744625636189e-06}
	S := []float64{-7.72156649015328655494e-02, 2.14982415960608852501e-01, 3.25778796408930981787e-01, 1.46350472652464452805e-01, 2.66422703033638609560e-02, 1.84028451407337715652e-03, 3.19475326584100867617e-05}
	T := []float64{4.83836122723810047042e-01, -1.47587722994593911752e-01, 6.46249402391333854778e-02, -3.27885410759859649565e-02, 1.79706750811820387126e-02, -1.03142241298341437450e-02, 6.10053870246291332635e-03, -3.68452016781138256760e-03, 2.25964780900612472250e-03, -1.40346469989232843813e-03, 8.81081882437654011382e-04, -5.38595305356740546715e-04, 3.15632070903625950361e-04, -3.12754168375120860518e-04, 3.35529192635519073543e-04}
	U := []float64{-7.72156649015328655494e-02, 6.32827064025093366517e-01, 1.45492250137234768737e+00, 9.77717527963372745603e-01, 2.28963728064692451092e-01, 1.33810918536787660377e-02}
	V := []float64{1.0, 2.45597793713041134822e+00, 2.12848976379893395361e+00, 7.69285150456672783825e-01, 1.04222645593369134254e-01, 3.21709242282423911810e-03}
	W := []float64{4.18938533204672725052e-01, 8.33333333333329678849e-02, -2.77777777728775536470e-03, 7.93650558643019558500e-04, -5.95187557450339963135e-04, 8.36339918996282139126e-04, -1.63092934096575273989e-03}
	// c0 + z*(c1 + z*(... )) of the coefficients cs[i], cs[i+d], ...
	fd := func(z ex, cs []float64, i, d int) ex {
		var r []float64
		for ; i < len(cs); i += d {
			r = append([]float64{cs[i]}, r...)
		}
		return horner(z, r...)
	}
	x := lv(0)
	f.if1(or(isnan(x), isinf(x)), func() { f.ret(x) })
	f.if1(eq(x, kf(0)), func() { f.ret(inf) })
	isNeg := f.local(I32)
	f.if1(lt(x, kf(0)), func() {
		f.set(x, neg(x))
		f.c.I32Const(1)
		f.c.Idx(OpLocalSet, uint32(isNeg))
	})
	f.if1(lt(x, kf(Tiny)), func() { f.ret(neg(call("log", x))) })
	nadj := f.fv(kf(0))
	f.if1(isNeg, func() {
		f.if1(ge(x, kf(Two52)), func() { f.ret(inf) })
		t := f.fv(call("_sinpi", x))
		f.if1(eq(t, kf(0)), func() { f.ret(inf) })
		f.set(nadj, call("log", div(kf(math.Pi), fabs(mul(t, x)))))
	})
	lg := f.local(F64)
	// The cases of Go's switch, as a chain of if/else.
	f.if2(or(eq(x, kf(1)), eq(x, kf(2))), func() {
		f.ret(kf(0)) // Go returns 0 here, for negative x too
	}, func() {
		f.if2(lt(x, kf(2)), func() {
			y := f.local(F64)
			i := f.local(I32)
			setI := func(v int32) { f.c.I32Const(v); f.c.Idx(OpLocalSet, uint32(i)) }
			f.if2(le(x, kf(0.9)), func() {
				f.set(lg, neg(call("log", x)))
				f.if2(ge(x, kf(Ymin-1+0.27)), func() {
					f.set(y, sub(kf(1), x))
					setI(0)
				}, func() {
					f.if2(ge(x, kf(Ymin-1-0.27)), func() {
						f.set(y, sub(x, kf(Tc-1)))
						setI(1)
					}, func() {
						f.set(y, x)
						setI(2)
					})
				})
			}, func() {
				f.set(lg, kf(0))
				f.if2(ge(x, kf(Ymin+0.27)), func() {
					f.set(y, sub(kf(2), x))
					setI(0)
				}, func() {
					f.if2(ge(x, kf(Ymin-0.27)), func() {
						f.set(y, sub(x, kf(Tc)))
						setI(1)
					}, func() {
						f.set(y, sub(x, kf(1)))
						setI(2)
					})
				})
			})
			f.if2(bin(OpI32Eq, i, exf(func(f *mfn) { f.c.I32Const(0) })), func() {
				z := f.fv(mul(y, y))
				p1 := fd(z, A, 0, 2)
				p2 := mul(z, fd(z, A, 1, 2))
				p := f.fv(add(mul(y, p1), p2))
				f.set(lg, add(lg, sub(p, mul(kf(0.5), y))))
			}, func() {
				f.if2(bin(OpI32Eq, i, exf(func(f *mfn) { f.c.I32Const(1) })), func() {
					z := f.fv(mul(y, y))
					w := f.fv(mul(z, y))
					p1 := fd(w, T, 0, 3)
					p2 := fd(w, T, 1, 3)
					p3 := fd(w, T, 2, 3)
					p := f.fv(sub(mul(z, p1), sub(kf(Tt), mul(w, add(p2, mul(y, p3))))))
					f.set(lg, add(lg, add(kf(Tf), p)))
				}, func() {
					p1 := mul(y, fd(y, U, 0, 1))
					p2 := add(kf(1), mul(y, fd(y, V[1:], 0, 1)))
					f.set(lg, add(lg, add(mul(kf(-0.5), y), div(p1, p2))))
				})
			})
		}, func() {
			f.if2(lt(x, kf(8)), func() {
				i := f.iv(f2i(x))
				y := f.fv(sub(x, i2f(i)))
				p := mul(y, fd(y, S, 0, 1))
				q := add(kf(1), mul(y, fd(y, R[1:], 0, 1)))
				f.set(lg, add(mul(kf(0.5), y), div(p, q)))
				// Lgamma(1+s) = Log(s) + Lgamma(s): Go's fallthrough
				// chain from case i down to case 3.
				z := f.fv(kf(1))
				for c := int64(7); c >= 3; c-- {
					f.if1(ile(ki(c), i), func() { f.set(z, mul(z, add(y, kf(float64(c-1))))) })
				}
				f.if1(ile(ki(3), i), func() { f.set(lg, add(lg, call("log", z))) })
			}, func() {
				f.if2(lt(x, kf(Two58)), func() {
					t := f.fv(call("log", x))
					z := f.fv(div(kf(1), x))
					y := f.fv(mul(z, z))
					w := add(kf(W[0]), mul(z, fd(y, W[1:], 0, 1)))
					f.set(lg, add(mul(sub(x, kf(0.5)), sub(t, kf(1))), w))
				}, func() {
					f.set(lg, mul(x, sub(call("log", x), kf(1))))
				})
			})
		})
	})
	f.ret(sel(sub(nadj, lg), lg, isNeg))
}

// mSinPi is -sin(πx) for x >= Tiny, with the argument reduced first (as
// Go's sinPi, which lgamma uses for negative x).
func mSinPi(f *mfn) {
	const (
		Two52 = 1 << 52
		Two53 = 1 << 53
	)
	x := lv(0)
	f.if1(lt(x, kf(0.25)), func() { f.ret(neg(call("sin", mul(kf(math.Pi), x)))) })
	z := f.fv(ffloor(x))
	n := f.iv(ki(0))
	f.if2(ne(z, x), func() {
		// Mod(x, 2), exact here: x is not an integer, so x < 2**52 and
		// x - 2*floor(x/2) is representable.
		f.set(x, sub(x, mul(kf(2), ffloor(mul(x, kf(0.5))))))
		f.set(n, f2i(mul(x, kf(4))))
	}, func() {
		f.if2(ge(x, kf(Two53)), func() {
			f.set(x, kf(0))
			f.set(n, ki(0))
		}, func() {
			f.if1(lt(x, kf(Two52)), func() { f.set(z, add(x, kf(Two52))) })
			f.set(n, iand(ki(1), bits(z)))
			f.set(x, i2f(n))
			f.set(n, ishl(n, ki(2)))
		})
	})
	r := f.local(F64)
	f.if2(ieq(n, ki(0)), func() {
		f.set(r, call("sin", mul(kf(math.Pi), x)))
	}, func() {
		f.if2(ile(n, ki(2)), func() {
			f.set(r, call("cos", mul(kf(math.Pi), sub(kf(0.5), x))))
		}, func() {
			f.if2(ile(n, ki(4)), func() {
				f.set(r, call("sin", mul(kf(math.Pi), sub(kf(1), x))))
			}, func() {
				f.if2(ile(n, ki(6)), func() {
					f.set(r, neg(call("cos", mul(kf(math.Pi), sub(x, kf(1.5))))))
				}, func() {
					f.set(r, call("sin", mul(kf(math.Pi), sub(x, kf(2)))))
				})
			})
		})
	})
	f.ret(neg(r))
}

// mPolygamma is ψ^(n)(x), the algorithm of mathx.Polygamma step by step.
func mPolygamma(f *mfn) {
	n, x := lv(0), lv(1)
	f.if1(or(or(ilt(n, ki(0)), isnan(x)), lt(x, kf(-1e6))), func() { f.ret(kf(math.NaN())) })
	f.if1(eq(x, inf), func() { f.ret(sel(x, kf(0), ieq(n, ki(0)))) })
	f.if1(and(le(x, kf(0)), eq(x, ffloor(x))), func() {
		f.ret(sel(kf(math.NaN()), inf, ieq(iand(n, ki(1)), ki(0))))
	})
	fact := f.fv(kf(1))
	k := f.iv(ki(2))
	loop := func(cond ex, body func()) {
		f.c.Block(BlockVoid)
		f.c.Loop(BlockVoid)
		not(cond).emit(f)
		f.c.Idx(OpBrIf, 1)
		body()
		f.c.Idx(OpBr, 0)
		f.c.End()
		f.c.End()
	}
	loop(ile(k, n), func() {
		f.set(fact, mul(fact, i2f(k)))
		f.set(k, iadd(k, ki(1)))
	})
	sgn := f.fv(sel(kf(1), kf(-1), ieq(iand(n, ki(1)), ki(1))))
	acc := f.fv(kf(0))
	nf := f.fv(i2f(n))
	np1 := f.fv(i2f(iadd(n, ki(1))))
	loop(lt(x, kf(12)), func() {
		f.set(acc, add(acc, div(mul(sgn, fact), call("pow", x, np1))))
		f.set(x, add(x, kf(1)))
	})
	bern := [...]float64{1.0 / 6, -1.0 / 30, 1.0 / 42, -1.0 / 30, 5.0 / 66, -691.0 / 2730, 7.0 / 6, -3617.0 / 510}
	f.if1(ieq(n, ki(0)), func() {
		s := f.fv(sub(call("log", x), div(kf(1), mul(kf(2), x))))
		x2 := f.fv(mul(x, x))
		p := f.fv(x2)
		for k, b := range bern {
			f.set(s, sub(s, div(kf(b), mul(kf(float64(2*k+2)), p))))
			f.set(p, mul(p, x2))
		}
		f.ret(add(acc, s))
	})
	fm1 := f.fv(div(fact, nf))
	s := f.fv(add(div(fm1, call("pow", x, nf)), div(fact, mul(kf(2), call("pow", x, np1)))))
	c := f.fv(fm1)
	for k, b := range bern {
		k1 := float64(2 * (k + 1))
		kn := add(kf(k1), nf)
		f.set(c, mul(c, div(mul(sub(kn, kf(2)), sub(kn, kf(1))), kf((k1-1)*k1))))
		f.set(s, add(s, div(mul(kf(b), c), call("pow", x, add(kf(k1), nf)))))
	}
	f.ret(add(acc, mul(sgn, s)))
}

// round is half away from zero (math.Round); sign is -1, 0 or 1 with NaN
// kept (mathx.Sign).

func mRound(f *mfn) {
	x := lv(0)
	t := f.fv(ftrunc(x))
	f.ret(sel(add(t, csgn(kf(1), x)), t, ge(fabs(sub(x, t)), kf(0.5))))
}

func mSign(f *mfn) {
	x := lv(0)
	f.ret(sel(kf(1), sel(kf(-1), sel(kf(0), x, eq(x, kf(0))), lt(x, kf(0))), gt(x, kf(0))))
}

// absSign makes x its absolute value and returns an i32 local that is 1
// when x was negative (the odd functions' argument reduction).
func (f *mfn) absSign(x lv) lv {
	sign := f.local(I32)
	f.if1(lt(x, kf(0)), func() {
		f.set(x, neg(x))
		f.c.I32Const(1)
		f.c.Idx(OpLocalSet, uint32(sign))
	})
	return sign
}
