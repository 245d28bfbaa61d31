// Package mathx is the reference semantics of Rose's math builtins: one
// function per builtin, ports of the algorithms of fdlibm, Cephes and Go's
// pure-Go math package, written so that every operation is an IEEE 754
// double operation rounded on its own. The WebAssembly engine (package
// wasm, math.go) implements the same algorithms with the same operations
// in the same order, so that both engines give bit-identical results on
// every platform.
//
// Only exact operations are taken from package math (Abs, Sqrt, Floor,
// Trunc, Copysign, the bit conversions, the classification functions):
// Go's Exp, Log, Hypot and the functions built on them run assembly on
// some architectures (amd64, arm64, s390x) whose results differ from the
// pure-Go algorithms by up to an ulp.
//
// Fused multiply-add: Go allows a compiler to fuse x*y + z into one
// rounding (it does on arm64, ppc64le, s390x and riscv64), which Wasm does
// not. Every product that is an operand of an addition or a subtraction
// is therefore written float64(x*y): an explicit conversion rounds, and it
// keeps the compiler from fusing.
package mathx

import (
	"math"
	"math/bits"
)

const (
	ln2Hi          = 6.93147180369123816490e-01
	ln2Lo          = 1.90821492927058770002e-10
	smallestNormal = 2.2250738585072014e-308 // 2**-1022
)

var (
	inf = math.Inf(1)
	nan = math.NaN()
)

func isNaN(x float64) bool { return x != x }
func isInf(x float64) bool { return math.Abs(x) == inf }

// horner is ((cs[0]*z + cs[1])*z + cs[2])*z + ..., the highest degree
// first; a leading coefficient 1 is z + cs[1]. It is the wasm port's
// horner, operation for operation.
func horner(z float64, cs []float64) float64 {
	var e float64
	if cs[0] == 1 {
		e = float64(z) + cs[1] // z may be a product: no fusing
	} else {
		e = float64(cs[0]*z) + cs[1]
	}
	for _, c := range cs[2:] {
		e = float64(e*z) + c
	}
	return e
}

// fdlibmOne is 1 + z*horner(z, cs): a denominator with constant term 1.
func fdlibmOne(z float64, cs []float64) float64 {
	return 1 + float64(z*horner(z, cs))
}

// Exp is e**x (Go's pure-Go exp.go, from FreeBSD's e_exp.c).
func Exp(x float64) float64 {
	const (
		Log2e     = 1.44269504088896338700e+00
		Overflow  = 7.09782712893383973096e+02
		Underflow = -7.45133219101941108420e+02
		NearZero  = 1.0 / (1 << 28)
	)
	switch {
	case isNaN(x):
		return x
	case x > Overflow:
		return inf
	case x < Underflow:
		return 0
	case -NearZero < x && x < NearZero:
		return 1 + x
	}
	var k int64
	if x < 0 {
		k = int64(float64(Log2e*x) - 0.5)
	}
	if x > 0 {
		k = int64(float64(Log2e*x) + 0.5)
	}
	hi := x - float64(float64(k)*ln2Hi)
	lo := float64(float64(k) * ln2Lo)
	return expmulti(hi, lo, k)
}

var expP = []float64{
	4.13813679705723846039e-08,
	-1.65339022054652515390e-06,
	6.61375632143793436117e-05,
	-2.77777777770155933842e-03,
	1.66666666666666657415e-01,
}

// expmulti is e**(hi-lo) * 2**k.
func expmulti(hi, lo float64, k int64) float64 {
	r := hi - lo
	t := r * r
	c := r - float64(t*horner(t, expP))
	y := 1 - ((lo - (r*c)/(2-c)) - hi)
	return ldexp(y, k)
}

// ldexp is frac * 2**e.
func ldexp(frac float64, e int64) float64 {
	if frac == 0 || !(math.Abs(frac) < inf) {
		return frac
	}
	if math.Abs(frac) < smallestNormal {
		frac *= 1 << 52
		e -= 52
	}
	x := math.Float64bits(frac)
	e += int64(x>>52&0x7ff) - 1023
	if e < -1075 {
		return math.Copysign(0, frac)
	}
	if e > 1023 {
		return math.Copysign(inf, frac)
	}
	m := 1.0
	if e < -1022 {
		e += 53
		m = 1.0 / (1 << 53)
	}
	x = x&^(0x7ff<<52) | uint64(e+1023)<<52
	return m * math.Float64frombits(x)
}

// frexp is (frac, exp) with x = frac * 2**exp and |frac| in [½, 1).
func frexp(x float64) (float64, int64) {
	var e int64
	if x == 0 || !(math.Abs(x) < inf) {
		return x, 0
	}
	if math.Abs(x) < smallestNormal {
		x *= 1 << 52
		e = -52
	}
	b := math.Float64bits(x)
	e += int64(b>>52&0x7ff) - 1022
	return math.Float64frombits(b&^(0x7ff<<52) | 1022<<52), e
}

var (
	logOdd  = []float64{1.479819860511658591e-01, 1.818357216161805012e-01, 2.857142874366239149e-01, 6.666666666666735130e-01} // L7 L5 L3 L1
	logEven = []float64{1.531383769920937332e-01, 2.222219843214978396e-01, 3.999999999940941908e-01}                           // L6 L4 L2
)

// Log is the natural logarithm (Go's pure-Go log.go, from FreeBSD's
// e_log.c).
func Log(x float64) float64 {
	switch {
	case isNaN(x) || x == inf:
		return x
	case x < 0:
		return nan
	case x == 0:
		return -inf
	}
	var ki int64
	if x < smallestNormal {
		x *= 1 << 52
		ki = -52
	}
	b := math.Float64bits(x)
	ki += int64(b>>52&0x7ff) - 1022
	f1 := math.Float64frombits(b&^(0x7ff<<52) | 1022<<52)
	if f1 < math.Sqrt2/2 {
		f1 *= 2
		ki--
	}
	f := f1 - 1
	k := float64(ki)
	s := f / (2 + f)
	s2 := s * s
	s4 := s2 * s2
	t1 := float64(s2 * horner(s4, logOdd))
	t2 := float64(s4 * horner(s4, logEven))
	R := t1 + t2
	hfsq := float64(0.5 * f * f)
	return float64(k*ln2Hi) - ((hfsq - (float64(s*(hfsq+R)) + float64(k*ln2Lo))) - f)
}

// Sine, cosine and tangent (Cephes, as in Go's sin.go and tan.go).

// SinCoef, CosCoef, TanP and TanQ are the kernel polynomials of Sin, Cos
// and Tan, highest degree first; the WebAssembly ports (package wasm) read
// the same tables.
var SinCoef = []float64{
	1.58962301576546568060e-10,
	-2.50507477628578072866e-8,
	2.75573136213857245213e-6,
	-1.98412698295895385996e-4,
	8.33333333332211858878e-3,
	-1.66666666666666307295e-1,
}

// CosCoef is Cos's kernel polynomial (see SinCoef).
var CosCoef = []float64{
	-1.13585365213876817300e-11,
	2.08757008419747316778e-9,
	-2.75573141792967388112e-7,
	2.48015872888517045348e-5,
	-1.38888888888730564116e-3,
	4.16666666666665929218e-2,
}

const (
	pi4A            = 7.85398125648498535156e-1
	pi4B            = 3.77489470793079817668e-8
	pi4C            = 2.69515142907905952645e-15
	reduceThreshold = 1 << 29
)

// trigArg reduces x >= 0 to the octant j and z in [-π/4, π/4].
func trigArg(x float64, andSeven bool) (j uint64, z float64) {
	if x >= reduceThreshold {
		return trigReduce(x)
	}
	j = uint64(int64(x * (4 / math.Pi))) // x < 2**29: as the Wasm i64.trunc_sat_f64_s
	y := float64(j)
	if j&1 == 1 {
		j++
		y++
	}
	if andSeven {
		j &= 7
	}
	z = ((x - float64(y*pi4A)) - float64(y*pi4B)) - float64(y*pi4C)
	return j, z
}

func sinPoly(z, zz float64) float64 { return z + float64((z*zz)*horner(zz, SinCoef)) }

func cosPoly(zz float64) float64 {
	return (1 - float64(0.5*zz)) + float64((zz*zz)*horner(zz, CosCoef))
}

// Sin is the sine of x radians.
func Sin(x float64) float64 {
	if x == 0 || isNaN(x) {
		return x
	}
	if isInf(x) {
		return nan
	}
	sign := false
	if x < 0 {
		x = -x
		sign = true
	}
	j, z := trigArg(x, true)
	if j > 3 {
		sign = !sign
		j -= 4
	}
	zz := z * z
	var y float64
	if j == 1 || j == 2 {
		y = cosPoly(zz)
	} else {
		y = sinPoly(z, zz)
	}
	if sign {
		y = -y
	}
	return y
}

// Cos is the cosine of x radians.
func Cos(x float64) float64 {
	if isNaN(x) || isInf(x) {
		return nan
	}
	sign := false
	x = math.Abs(x)
	j, z := trigArg(x, true)
	if j > 3 {
		j -= 4
		sign = !sign
	}
	if j > 1 {
		sign = !sign
	}
	zz := z * z
	var y float64
	if j == 1 || j == 2 {
		y = sinPoly(z, zz)
	} else {
		y = cosPoly(zz)
	}
	if sign {
		y = -y
	}
	return y
}

var (
	// TanP and TanQ are Tan's rational kernel (see SinCoef).
	TanP = []float64{-1.30936939181383777646e4, 1.15351664838587416140e6, -1.79565251976484877988e7}
	TanQ = []float64{1, 1.36812963470692954678e4, -1.32089234440210967447e6, 2.50083801823357915839e7, -5.38695755929454629881e7}
)

// Tan is the tangent of x radians.
func Tan(x float64) float64 {
	if x == 0 || isNaN(x) {
		return x
	}
	if isInf(x) {
		return nan
	}
	sign := false
	if x < 0 {
		x = -x
		sign = true
	}
	j, z := trigArg(x, false)
	zz := z * z
	y := z
	if zz > 1e-14 {
		p := zz * horner(zz, TanP)
		q := horner(zz, TanQ)
		y = z + float64(z*(p/q))
	}
	if j&2 == 2 {
		y = -1 / y
	}
	if sign {
		y = -y
	}
	return y
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

// trigReduce is Payne–Hanek: for x >= π/4 it returns (j, z) with z =
// x - jπ/4 in [-π/4, π/4] (j is the octant, 0..7).
func trigReduce(x float64) (uint64, float64) {
	if x < math.Pi/4 {
		return 0, x
	}
	ix := math.Float64bits(x)
	e := int64(ix>>52&0x7ff) - (1023 + 52)
	ix = ix&^(0x7ff<<52) | 1<<52
	digit := uint64(e+61) >> 6
	bs := uint64(e+61) & 63
	join := func(d uint64) uint64 { return mPi4[digit+d]<<bs | mPi4[digit+d+1]>>1>>(63-bs) }
	z0, z1, z2 := join(0), join(1), join(2)
	z2hi, _ := bits.Mul64(z2, ix)
	z1hi, z1lo := bits.Mul64(z1, ix)
	z0lo := z0 * ix
	lo, c := bits.Add64(z1lo, z2hi, 0)
	hi := z0lo + z1hi + c
	j := hi >> 61
	hi = hi<<3 | lo>>61
	lz := uint64(bits.LeadingZeros64(hi))
	ee := 1023 - (lz + 1)
	hi = hi<<lz<<1 | lo>>(63-lz)
	hi >>= 12
	hi |= ee << 52
	z := math.Float64frombits(hi)
	if j&1 == 1 {
		j = (j + 1) & 7
		z--
	}
	return j, z * (math.Pi / 4)
}

// Inverse trigonometric functions (Cephes, as in Go's atan.go, asin.go and
// atan2.go).

var (
	xatanP = []float64{-8.750608600031904122785e-01, -1.615753718733365076637e+01, -7.500855792314704667340e+01, -1.228866684490136173410e+02, -6.485021904942025371773e+01}
	xatanQ = []float64{1, +2.485846490142306297962e+01, +1.650270098316988542046e+02, +4.328810604912902668951e+02, +4.853903996359136964868e+02, +1.945506571482613964425e+02}
)

// xatan is atan(x) for 0 <= x <= 0.66.
func xatan(x float64) float64 {
	z := x * x
	z = (z * horner(z, xatanP)) / horner(z, xatanQ)
	return float64(x*z) + x
}

// satan is atan(x) for x >= 0, reduced to xatan's range.
func satan(x float64) float64 {
	const (
		Morebits = 6.123233995736765886130e-17 // pi/2 = PIO2 + Morebits
		Tan3pio8 = 2.41421356237309504880      // tan(3*pi/8)
	)
	if x <= 0.66 {
		return xatan(x)
	}
	if x > Tan3pio8 {
		return (math.Pi/2 - xatan(1/x)) + Morebits
	}
	return (math.Pi/4 + xatan((x-1)/(x+1))) + 0.5*Morebits
}

// Atan is the arctangent of x, in radians.
func Atan(x float64) float64 {
	if x == 0 {
		return x
	}
	if x > 0 {
		return satan(x)
	}
	return -satan(-x)
}

// Asin is the arcsine of x, in radians.
func Asin(x float64) float64 {
	if x == 0 {
		return x
	}
	sign := 1.0
	if x < 0 {
		x = -x
		sign = -1
	}
	if x > 1 {
		return nan
	}
	temp := math.Sqrt(1 - float64(x*x))
	if x > 0.7 {
		temp = math.Pi/2 - satan(temp/x)
	} else {
		temp = satan(x / temp)
	}
	return math.Copysign(temp, sign)
}

// Acos is the arccosine of x, in radians: π/2 - Asin(x).
func Acos(x float64) float64 { return math.Pi/2 - Asin(x) }

// Atan2 is the arctangent of y/x, using the signs of both to determine
// the quadrant.
func Atan2(y, x float64) float64 {
	switch {
	case isNaN(y) || isNaN(x):
		return nan
	case y == 0:
		if x >= 0 && !math.Signbit(x) {
			return math.Copysign(0, y)
		}
		return math.Copysign(math.Pi, y)
	case x == 0:
		return math.Copysign(math.Pi/2, y)
	case isInf(x):
		if x == inf {
			if isInf(y) {
				return math.Copysign(math.Pi/4, y)
			}
			return math.Copysign(0, y)
		}
		if isInf(y) {
			return math.Copysign(3*math.Pi/4, y)
		}
		return math.Copysign(math.Pi, y)
	case isInf(y):
		return math.Copysign(math.Pi/2, y)
	}
	q := Atan(y / x)
	if x < 0 {
		if q <= 0 {
			return q + math.Pi
		}
		return q - math.Pi
	}
	return q
}

// Hyperbolic functions.

var (
	tanhP = []float64{-9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3}
	tanhQ = []float64{1, 1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3}
)

// Sinh is the hyperbolic sine: fdlibm's algorithm, built on Expm1 (Go's
// Cephes form is less accurate and overflows early).
func Sinh(x float64) float64 {
	if isNaN(x) || isInf(x) {
		return x
	}
	a := math.Abs(x)
	var r float64
	if a < 22 {
		if a < 1.0/(1<<28) {
			return x
		}
		t := Expm1(a)
		if a < 1 {
			r = 0.5 * (float64(2*t) - (t*t)/(t+1))
		} else {
			r = 0.5 * (t + t/(t+1))
		}
	} else {
		r = coshBig(a)
	}
	return math.Copysign(r, x)
}

// coshBig is e**a / 2 for a >= 21 without overflowing early.
func coshBig(a float64) float64 {
	const (
		expOverflow  = 7.09782712893383973096e+02
		halfOverflow = 7.10475860073943863426e+02
	)
	if a <= expOverflow {
		return Exp(a) * 0.5
	}
	if a <= halfOverflow {
		w := Exp(0.5 * a)
		return (0.5 * w) * w
	}
	return inf
}

// Cosh is the hyperbolic cosine (Go's algorithm, overflowing only where
// the result does).
func Cosh(x float64) float64 {
	x = math.Abs(x)
	if x > 21 {
		return coshBig(x)
	}
	ex := Exp(x)
	return (ex + 1/ex) * 0.5
}

// Tanh is the hyperbolic tangent: Cephes's rational function below 0.625,
// 1 - 2/(e**2x + 1) through Expm1 beyond.
func Tanh(x float64) float64 {
	if isNaN(x) {
		return x
	}
	a := math.Abs(x)
	var z float64
	if a < 22 {
		if a < 0.625 {
			if x == 0 {
				return x
			}
			s := x * x
			return x + ((x*s)*horner(s, tanhP))/horner(s, tanhQ)
		}
		t := Expm1(2 * a)
		z = 1 - 2/(t+2)
	} else {
		z = 1
	}
	return math.Copysign(z, x)
}

// Power (Go's pow.go).

func isOddInt(x float64) bool {
	if math.Abs(x) >= 1<<53 {
		return false
	}
	xi := math.Trunc(x)
	xf := math.Copysign(x-xi, x)
	return xf == 0 && int64(xi)&1 == 1
}

// Pow is x**y, with the special cases of Go's math.Pow.
func Pow(x, y float64) float64 {
	switch {
	case y == 0 || x == 1:
		return 1
	case y == 1:
		return x
	case isNaN(x) || isNaN(y):
		return nan
	case x == 0:
		odd := math.Signbit(x) && isOddInt(y)
		if y < 0 {
			if odd {
				return -inf
			}
			return inf
		}
		if y > 0 {
			if odd {
				return x
			}
			return 0
		}
	case isInf(y):
		if x == -1 {
			return 1
		}
		if (math.Abs(x) < 1) == (y == inf) {
			return 0
		}
		return inf
	case isInf(x):
		if x == -inf {
			return Pow(1/x, -y)
		}
		if y < 0 {
			return 0
		}
		if y > 0 {
			return inf
		}
	}
	if y == 0.5 {
		return math.Sqrt(x)
	}
	if y == -0.5 {
		return 1 / math.Sqrt(x)
	}
	yi := math.Trunc(math.Abs(y))
	yf := math.Abs(y) - yi
	if yf != 0 && x < 0 {
		return nan
	}
	if yi >= 1<<63 {
		if x == -1 {
			return 1
		}
		if (math.Abs(x) < 1) == (y > 0) {
			return 0
		}
		return inf
	}
	a1 := 1.0
	var ae int64
	if yf != 0 {
		if yf > 0.5 {
			yf--
			yi++
		}
		a1 = Exp(yf * Log(x))
	}
	x1, xe := frexp(x)
	for i := int64(yi); i != 0; i >>= 1 {
		if xe < -1<<12 || 1<<12 < xe {
			ae += xe
			break
		}
		if i&1 == 1 {
			a1 *= x1
			ae += xe
		}
		x1 = float64(x1 * x1) // x1 + x1 below: no fusing
		xe <<= 1
		if x1 < 0.5 {
			x1 += x1
			xe--
		}
	}
	if y < 0 {
		a1 = 1 / a1
		ae = -ae
	}
	return ldexp(a1, ae)
}

// log1p and expm1 (fdlibm, as in Go's log1p.go and expm1.go).

var log1pLp = []float64{
	1.479819860511658591e-01, // Lp7
	1.531383769920937332e-01,
	1.818357216161805012e-01,
	2.222219843214978396e-01,
	2.857142874366239149e-01,
	3.999999999940941908e-01,
	6.666666666666735130e-01, // Lp1
}

// Log1p is log(1 + x), accurate also for x near 0.
func Log1p(x float64) float64 {
	const (
		Sqrt2M1     = 4.142135623730950488017e-01
		Sqrt2HalfM1 = -2.928932188134524755992e-01
		Small       = 1.0 / (1 << 29)
		Tiny        = 1.0 / (1 << 54)
		Two53       = 1 << 53
	)
	switch {
	case x < -1 || isNaN(x):
		return nan
	case x == -1:
		return -inf
	case x == inf:
		return inf
	}
	absx := math.Abs(x)
	var f float64
	var iu uint64
	k := int64(1)
	if absx < Sqrt2M1 {
		if absx < Small {
			if absx < Tiny {
				return x
			}
			return x - float64(x*x*0.5)
		}
		if x > Sqrt2HalfM1 {
			k = 0
			f = x
			iu = 1
		}
	}
	var c float64
	if k != 0 {
		var u float64
		if absx < Two53 {
			u = 1 + x
			iu = math.Float64bits(u)
			k = int64(iu>>52) - 1023
			if k > 0 {
				c = 1 - (u - x)
			} else {
				c = x - (u - 1)
			}
			c /= u
		} else {
			u = x
			iu = math.Float64bits(u)
			k = int64(iu>>52) - 1023
			c = 0
		}
		iu &= 0x000fffffffffffff
		if iu < 0x0006a09e667f3bcd {
			u = math.Float64frombits(iu | 0x3ff0000000000000)
		} else {
			k++
			u = math.Float64frombits(iu | 0x3fe0000000000000)
			iu = (0x0010000000000000 - iu) >> 2
		}
		f = u - 1
	}
	hfsq := float64(0.5 * f * f)
	kk := float64(k)
	if iu == 0 {
		if f == 0 {
			if k == 0 {
				return 0
			}
			c += float64(kk * ln2Lo)
			return float64(kk*ln2Hi) + c
		}
		R := float64(hfsq * (1 - float64(0.66666666666666666*f)))
		if k == 0 {
			return f - R
		}
		return float64(kk*ln2Hi) - ((R - (float64(kk*ln2Lo) + c)) - f)
	}
	s := f / (2 + f)
	z := s * s
	R := float64(z * horner(z, log1pLp))
	if k == 0 {
		return f - (hfsq - float64(s*(hfsq+R)))
	}
	return float64(kk*ln2Hi) - ((hfsq - (float64(s*(hfsq+R)) + (float64(kk*ln2Lo) + c))) - f)
}

var expm1Q = []float64{
	-2.01099218183624371326e-07, // Q5
	4.00821782732936239552e-06,
	-7.93650757867487942473e-05,
	1.58730158725481460165e-03,
	-3.33333333333331316428e-02, // Q1
}

// Expm1 is e**x - 1, accurate also for x near 0.
func Expm1(x float64) float64 {
	const (
		Othreshold = 7.09782712893383973096e+02
		Ln2X56     = 3.88162421113569373274e+01
		Ln2HalfX3  = 1.03972077083991796413e+00
		Ln2Half    = 3.46573590279972654709e-01
		InvLn2     = 1.44269504088896338700e+00
		Tiny       = 1.0 / (1 << 54)
	)
	switch {
	case x == inf || isNaN(x):
		return x
	case x == -inf:
		return -1
	}
	absx := math.Abs(x)
	neg := x < 0
	if absx >= Ln2X56 {
		if neg {
			return -1
		}
		if absx >= Othreshold {
			return inf
		}
	}
	var c float64
	var k int64
	if absx > Ln2Half {
		var hi, lo float64
		if absx < Ln2HalfX3 {
			if !neg {
				hi = x - ln2Hi
				lo = ln2Lo
				k = 1
			} else {
				hi = x + ln2Hi
				lo = -ln2Lo
				k = -1
			}
		} else {
			if !neg {
				k = int64(float64(InvLn2*x) + 0.5)
			} else {
				k = int64(float64(InvLn2*x) - 0.5)
			}
			t := float64(k)
			hi = x - float64(t*ln2Hi)
			lo = float64(t * ln2Lo)
		}
		x = hi - lo
		c = (hi - x) - lo
	} else if absx < Tiny {
		return x
	}
	hfx := float64(0.5 * x)
	hxs := float64(x * hfx)
	r1 := 1 + float64(hxs*horner(hxs, expm1Q))
	t := 3 - float64(r1*hfx)
	e := float64(hxs * ((r1 - t) / (6 - float64(x*t))))
	if k == 0 {
		return x - (float64(x*e) - hxs)
	}
	e = float64(x*(e-c)) - c
	e -= hxs
	if k == -1 {
		return float64(0.5*(x-e)) - 0.5
	}
	if k == 1 {
		if x < -0.25 {
			return -2 * (e - (x + 0.5))
		}
		return 1 + float64(2*(x-e))
	}
	addExp := func(y float64) float64 { return math.Float64frombits(math.Float64bits(y) + uint64(k)<<52) }
	if k <= -2 || k > 56 {
		y := 1 - (e - x)
		return addExp(y) - 1
	}
	if k < 20 {
		tt := math.Float64frombits(0x3ff0000000000000 - 0x20000000000000>>uint64(k))
		y := tt - (e - x)
		return addExp(y)
	}
	t = math.Float64frombits(uint64(0x3ff-k) << 52)
	y := x - (e + t)
	y++
	return addExp(y)
}

// Cube root and hypotenuse (Go's cbrt.go and hypot.go).

// Cbrt is the real cube root of x.
func Cbrt(x float64) float64 {
	const (
		B1 = 715094163
		B2 = 696219795
		C  = 5.42857142857142815906e-01
		D  = -7.05306122448979611050e-01
		E  = 1.41428571428571436819e+00
		F  = 1.60714285714285720630e+00
		G  = 3.57142857142857150787e-01
	)
	if x == 0 || !(math.Abs(x) < inf) {
		return x
	}
	sx := x
	x = math.Abs(x)
	t := math.Float64frombits(math.Float64bits(x)/3 + B1<<32)
	if x < smallestNormal {
		t = 1 << 54
		t *= x
		t = math.Float64frombits(math.Float64bits(t)/3 + B2<<32)
	}
	r := (t * t) / x
	s := C + float64(r*t)
	t *= G + F/((s+E)+D/s)
	t = math.Float64frombits(math.Float64bits(t)&(0xFFFFFFFFC<<28) + 1<<30)
	s = t * t
	r = x / s
	w := t + t
	r = (r - t) / (w + r)
	t = t + float64(t*r)
	return math.Copysign(t, sx)
}

// Hypot is sqrt(p*p + q*q) without undue overflow or underflow.
func Hypot(p, q float64) float64 {
	p, q = math.Abs(p), math.Abs(q)
	switch {
	case p == inf || q == inf:
		return inf
	case isNaN(p) || isNaN(q):
		return nan
	}
	if p < q {
		p, q = q, p
	}
	if p == 0 {
		return 0
	}
	q = q / p
	return p * math.Sqrt(1+float64(q*q))
}

// The error function (fdlibm, as in Go's erf.go). The coefficient lists
// are highest degree first; the denominators' constant term 1 is implicit
// (fdlibmOne).
var (
	erfPP = []float64{-2.37630166566501626084e-05, -5.77027029648944159157e-03, -2.84817495755985104766e-02, -3.25042107247001499370e-01, 1.28379167095512558561e-01}
	erfQQ = []float64{-3.96022827877536812320e-06, 1.32494738004321644526e-04, 5.08130628187576562776e-03, 6.50222499887672944485e-02, 3.97917223959155352819e-01}
	erfPA = []float64{-2.16637559486879084300e-03, 3.54783043256182359371e-02, -1.10894694282396677476e-01, 3.18346619901161753674e-01, -3.72207876035701323847e-01, 4.14856118683748331666e-01, -2.36211856075265944077e-03}
	erfQA = []float64{1.19844998467991074170e-02, 1.36370839120290507362e-02, 1.26171219808761642112e-01, 7.18286544141962662868e-02, 5.40397917702171048937e-01, 1.06420880400844228286e-01}
	erfRA = []float64{-9.81432934416914548592e+00, -8.12874355063065934246e+01, -1.84605092906711035994e+02, -1.62396669462573470355e+02, -6.23753324503260060396e+01, -1.05586262253232909814e+01, -6.93858572707181764372e-01, -9.86494403484714822705e-03}
	erfSA = []float64{-6.04244152148580987438e-02, 6.57024977031928170135e+00, 1.08635005541779435134e+02, 4.29008140027567833386e+02, 6.45387271733267880336e+02, 4.34565877475229228821e+02, 1.37657754143519042600e+02, 1.96512716674392571292e+01}
	erfRB = []float64{-4.83519191608651397019e+02, -1.02509513161107724954e+03, -6.37566443368389627722e+02, -1.60636384855821916062e+02, -1.77579549177547519889e+01, -7.99283237680523006574e-01, -9.86494292470009928597e-03}
	erfSB = []float64{-2.24409524465858183362e+01, 4.74528541206955367215e+02, 2.55305040643316442583e+03, 3.19985821950859553908e+03, 1.53672958608443695994e+03, 3.25792512996573918826e+02, 3.03380607434824582924e+01}
)

// Erf is the error function.
func Erf(x float64) float64 {
	const (
		erx      = 8.45062911510467529297e-01
		efx      = 1.28379167095512586316e-01
		efx8     = 1.02703333676410069053e+00
		VeryTiny = 2.848094538889218e-306
		Small    = 1.0 / (1 << 28)
	)
	switch {
	case isNaN(x):
		return nan
	case x == inf:
		return 1
	case x == -inf:
		return -1
	}
	sx := x
	x = math.Abs(x)
	if x < 0.84375 {
		var temp float64
		if x < Small {
			if x < VeryTiny {
				temp = 0.125 * (float64(8*x) + float64(efx8*x))
			} else {
				temp = x + float64(efx*x)
			}
		} else {
			z := x * x
			y := horner(z, erfPP) / fdlibmOne(z, erfQQ)
			temp = x + float64(x*y)
		}
		return math.Copysign(temp, sx)
	}
	if x < 1.25 {
		s := x - 1
		P := horner(s, erfPA)
		Q := fdlibmOne(s, erfQA)
		return math.Copysign(erx+P/Q, sx)
	}
	if x >= 6 {
		return math.Copysign(1, sx)
	}
	s := 1 / (x * x)
	var R, S float64
	if x < 1/0.35 {
		R = horner(s, erfRA)
		S = fdlibmOne(s, erfSA)
	} else {
		R = horner(s, erfRB)
		S = fdlibmOne(s, erfSB)
	}
	z := math.Float64frombits(math.Float64bits(x) & 0xffffffff00000000)
	r := Exp(float64(-z*z)-0.5625) * Exp(float64((z-x)*(z+x))+R/S)
	return math.Copysign(1-r/x, sx)
}

// The log of the gamma function (fdlibm, as in Go's lgamma.go).

var (
	lgamA = []float64{7.72156649015328655494e-02, 3.22467033424113591611e-01, 6.73523010531292681824e-02, 2.05808084325167332806e-02, 7.38555086081402883957e-03, 2.89051383673415629091e-03, 1.19270763183362067845e-03, 5.10069792153511336608e-04, 2.20862790713908385557e-04, 1.08011567247583939954e-04, 2.52144565451257326939e-05, 4.48640949618915160150e-05}
	lgamR = []float64{1.0, 1.39200533467621045958e+00, 7.21935547567138069525e-01, 1.71933865632803078993e-01, 1.86459191715652901344e-02, 7.77942496381893596434e-04, 7.32668430744625636189e-06}
	lgamS = []float64{-7.72156649015328655494e-02, 2.14982415960608852501e-01, 3.25778796408930981787e-01, 1.46350472652464452805e-01, 2.66422703033638609560e-02, 1.84028451407337715652e-03, 3.19475326584100867617e-05}
	lgamT = []float64{4.83836122723810047042e-01, -1.47587722994593911752e-01, 6.46249402391333854778e-02, -3.27885410759859649565e-02, 1.79706750811820387126e-02, -1.03142241298341437450e-02, 6.10053870246291332635e-03, -3.68452016781138256760e-03, 2.25964780900612472250e-03, -1.40346469989232843813e-03, 8.81081882437654011382e-04, -5.38595305356740546715e-04, 3.15632070903625950361e-04, -3.12754168375120860518e-04, 3.35529192635519073543e-04}
	lgamU = []float64{-7.72156649015328655494e-02, 6.32827064025093366517e-01, 1.45492250137234768737e+00, 9.77717527963372745603e-01, 2.28963728064692451092e-01, 1.33810918536787660377e-02}
	lgamV = []float64{1.0, 2.45597793713041134822e+00, 2.12848976379893395361e+00, 7.69285150456672783825e-01, 1.04222645593369134254e-01, 3.21709242282423911810e-03}
	lgamW = []float64{4.18938533204672725052e-01, 8.33333333333329678849e-02, -2.77777777728775536470e-03, 7.93650558643019558500e-04, -5.95187557450339963135e-04, 8.36339918996282139126e-04, -1.63092934096575273989e-03}

	// The polynomials, highest degree first: fdlibm's c0 + z*(c1 + ...)
	// of the coefficients cs[i], cs[i+d], ...
	lgamA0, lgamA1         = fdCoefs(lgamA, 0, 2), fdCoefs(lgamA, 1, 2)
	lgamT0, lgamT1, lgamT2 = fdCoefs(lgamT, 0, 3), fdCoefs(lgamT, 1, 3), fdCoefs(lgamT, 2, 3)
	lgamUp, lgamVp         = fdCoefs(lgamU, 0, 1), fdCoefs(lgamV[1:], 0, 1)
	lgamSp, lgamRp         = fdCoefs(lgamS, 0, 1), fdCoefs(lgamR[1:], 0, 1)
	lgamWp                 = fdCoefs(lgamW[1:], 0, 1)
)

// fdCoefs is cs[i], cs[i+d], ... in reverse order.
func fdCoefs(cs []float64, i, d int) []float64 {
	var r []float64
	for ; i < len(cs); i += d {
		r = append([]float64{cs[i]}, r...)
	}
	return r
}

// Lgamma is the natural logarithm of |Γ(x)| (Go's math.Lgamma without the
// sign).
func Lgamma(x float64) float64 {
	const (
		Ymin  = 1.461632144968362245
		Two52 = 1 << 52
		Two58 = 1 << 58
		Tiny  = 1.0 / (1 << 70)
		Tc    = 1.46163214496836224576e+00
		Tf    = -1.21486290535849611461e-01
		Tt    = -3.63867699703950536541e-18
	)
	if isNaN(x) || isInf(x) {
		return x
	}
	if x == 0 {
		return inf
	}
	isNeg := false
	if x < 0 {
		x = -x
		isNeg = true
	}
	if x < Tiny {
		return -Log(x)
	}
	var nadj float64
	if isNeg {
		if x >= Two52 {
			return inf
		}
		t := sinPi(x)
		if t == 0 {
			return inf
		}
		nadj = Log(math.Pi / math.Abs(t*x))
	}
	var lg float64
	switch {
	case x == 1 || x == 2:
		return 0 // Go's Lgamma returns 0 here, for negative x too
	case x < 2:
		var y float64
		var i int
		if x <= 0.9 {
			lg = -Log(x)
			switch {
			case x >= Ymin-1+0.27:
				y, i = 1-x, 0
			case x >= Ymin-1-0.27:
				y, i = x-(Tc-1), 1
			default:
				y, i = x, 2
			}
		} else {
			lg = 0
			switch {
			case x >= Ymin+0.27:
				y, i = 2-x, 0
			case x >= Ymin-0.27:
				y, i = x-Tc, 1
			default:
				y, i = x-1, 2
			}
		}
		switch i {
		case 0:
			z := y * y
			p1 := horner(z, lgamA0)
			p2 := float64(z * horner(z, lgamA1))
			p := float64(y*p1) + p2
			lg += p - float64(0.5*y)
		case 1:
			z := y * y
			w := z * y
			p1 := horner(w, lgamT0)
			p2 := horner(w, lgamT1)
			p3 := horner(w, lgamT2)
			p := float64(z*p1) - (Tt - float64(w*(p2+float64(y*p3))))
			lg += Tf + p
		default:
			p1 := y * horner(y, lgamUp)
			p2 := 1 + float64(y*horner(y, lgamVp))
			lg += float64(-0.5*y) + p1/p2
		}
	case x < 8:
		i := int64(x)
		y := x - float64(i)
		p := y * horner(y, lgamSp)
		q := 1 + float64(y*horner(y, lgamRp))
		lg = float64(0.5*y) + p/q
		// Lgamma(1+s) = Log(s) + Lgamma(s).
		z := 1.0
		for c := int64(7); c >= 3; c-- {
			if c <= i {
				z *= y + float64(c-1)
			}
		}
		if 3 <= i {
			lg += Log(z)
		}
	case x < Two58:
		t := Log(x)
		z := 1 / x
		y := z * z
		w := lgamW[0] + float64(z*horner(y, lgamWp))
		lg = float64((x-0.5)*(t-1)) + w
	default:
		lg = x * (Log(x) - 1)
	}
	if isNeg {
		return nadj - lg
	}
	return lg
}

// sinPi is -sin(πx) for x >= Tiny, with the argument reduced first (Go's
// sinPi in lgamma.go).
func sinPi(x float64) float64 {
	const (
		Two52 = 1 << 52
		Two53 = 1 << 53
	)
	if x < 0.25 {
		return -Sin(math.Pi * x)
	}
	z := math.Floor(x)
	var n int64
	if z != x {
		// Mod(x, 2), exact: x is not an integer, so x < 2**52.
		x = x - float64(2*math.Floor(x*0.5))
		n = int64(x * 4)
	} else {
		if x >= Two53 {
			x = 0
			n = 0
		} else {
			if x < Two52 {
				z = x + Two52
			}
			n = int64(1 & math.Float64bits(z))
			x = float64(n)
			n <<= 2
		}
	}
	var r float64
	switch {
	case n == 0:
		r = Sin(math.Pi * x)
	case n <= 2:
		r = Cos(math.Pi * (0.5 - x))
	case n <= 4:
		r = Sin(math.Pi * (1 - x))
	case n <= 6:
		r = -Cos(math.Pi * (x - 1.5))
	default:
		r = Sin(math.Pi * (x - 2))
	}
	return -r
}

// Polygamma is ψ^(n)(x), the n-th derivative of the digamma function
// ψ = Γ'/Γ, for n >= 0. At the poles (x = 0, -1, -2, ...) it is NaN for
// even n (where the sign of the infinity depends on the side) and +Inf
// for odd n; for x below -1e6 it is NaN. NaN for n < 0.
//
// The recurrence ψ^(n)(x) = ψ^(n)(x+1) + (-1)^(n+1) n!/x^(n+1) moves x to
// 12 or beyond, where the asymptotic expansion with the Bernoulli numbers
// B_2k converges fast.
func Polygamma(n int64, x float64) float64 { return polygammaWith(n, x, Pow, Log) }

// polygammaWith is Polygamma computed with the given pow and log (tests
// run it with Go's).
func polygammaWith(n int64, x float64, Pow func(x, y float64) float64, Log func(float64) float64) float64 {
	switch {
	case n < 0 || isNaN(x) || x < -1e6:
		return nan
	case x == inf:
		if n == 0 {
			return x
		}
		return 0
	case x <= 0 && x == math.Floor(x):
		if n&1 == 0 {
			return nan
		}
		return inf
	}
	fact := 1.0 // n!
	for k := int64(2); k <= n; k++ {
		fact *= float64(k)
	}
	sgn := -1.0 // (-1)^(n+1)
	if n&1 == 1 {
		sgn = 1
	}
	acc := 0.0
	nf := float64(n)
	np1 := float64(n + 1)
	for x < 12 {
		acc += (sgn * fact) / Pow(x, np1)
		x++
	}
	bern := [...]float64{1.0 / 6, -1.0 / 30, 1.0 / 42, -1.0 / 30, 5.0 / 66, -691.0 / 2730, 7.0 / 6, -3617.0 / 510}
	if n == 0 {
		s := Log(x) - 1/(2*x)
		x2 := x * x
		p := x2
		for k, b := range bern {
			s -= b / (float64(2*k+2) * p)
			p *= x2
		}
		return acc + s
	}
	// ψ^(n)(x) ~ (-1)^(n+1) [ (n-1)!/x^n + n!/(2 x^(n+1)) +
	//   sum_k B_2k (2k+n-1)! / ((2k)! x^(2k+n)) ].
	fm1 := fact / nf // (n-1)!
	s := fm1/Pow(x, nf) + fact/(2*Pow(x, np1))
	c := fm1 // (2k+n-1)! / (2k)!, updated from k-1 to k
	for k, b := range bern {
		k1 := float64(2 * (k + 1))
		kn := k1 + nf
		c *= ((kn - 2) * (kn - 1)) / ((k1 - 1) * k1)
		s += (b * c) / Pow(x, k1+nf)
	}
	return acc + float64(sgn*s)
}

// Round is x rounded to the nearest integer, half away from zero (as
// math.Round).
func Round(x float64) float64 {
	t := math.Trunc(x)
	if math.Abs(x-t) >= 0.5 {
		return t + math.Copysign(1, x)
	}
	return t
}

// Sign is -1, 0 or 1 by the sign of x; NaN stays NaN and -0 is 0.
func Sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	case x == 0:
		return 0
	}
	return x
}
