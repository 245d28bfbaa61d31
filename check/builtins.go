package check

import (
	"math"

	"github.com/rose-go/rose/ir"
)

// builtinID identifies a predeclared function.
type builtinID uint8

const (
	bNone builtinID = iota
	// Real -> Real
	bSqrt
	bExp
	bLog
	bSin
	bCos
	bTan
	bAsin
	bAcos
	bAtan
	bSinh
	bCosh
	bTanh
	bFloor
	bCeil
	bRound
	bSign
	// num -> num
	bAbs
	// (Real, Real) -> Real
	bPow
	bAtan2
	// (num, num) -> num, or [n]num -> num as a reduction
	bMin
	bMax
	// [n]num -> num
	bSum
	bProd
	// Int -> Real
	bReal
	// [n]T -> Int
	bLen
	// ([n]Real, [n]Real) -> Real and [n]Real -> Real
	bDot
	bNorm
	// Real -> Real, (Real, Real) -> Real, (Int, Int) -> Int and Real ->
	// Int: their shapes come from the op table (ir.OpInfo.Class).
	bLgamma
	bLog1p
	bExpm1
	bErf
	bCbrt
	bHypot
	bBand
	bBor
	bBxor
	bShl
	bShr
	bInt
	// (Real, Real, Real) -> Real
	bClamp
	numBuiltins
)

type builtinInfo struct {
	name string
	op   ir.Op // the IR operation for scalar forms
	doc  string
}

var builtins = [numBuiltins]builtinInfo{
	bSqrt:  {"sqrt", ir.OpSqrt, "sqrt(x: Real) -> Real"},
	bExp:   {"exp", ir.OpExp, "exp(x: Real) -> Real"},
	bLog:   {"log", ir.OpLog, "log(x: Real) -> Real (natural logarithm)"},
	bSin:   {"sin", ir.OpSin, "sin(x: Real) -> Real"},
	bCos:   {"cos", ir.OpCos, "cos(x: Real) -> Real"},
	bTan:   {"tan", ir.OpTan, "tan(x: Real) -> Real"},
	bAsin:  {"asin", ir.OpAsin, "asin(x: Real) -> Real"},
	bAcos:  {"acos", ir.OpAcos, "acos(x: Real) -> Real"},
	bAtan:  {"atan", ir.OpAtan, "atan(x: Real) -> Real"},
	bSinh:  {"sinh", ir.OpSinh, "sinh(x: Real) -> Real"},
	bCosh:  {"cosh", ir.OpCosh, "cosh(x: Real) -> Real"},
	bTanh:  {"tanh", ir.OpTanh, "tanh(x: Real) -> Real"},
	bFloor: {"floor", ir.OpFloor, "floor(x: Real) -> Real"},
	bCeil:  {"ceil", ir.OpCeil, "ceil(x: Real) -> Real"},
	bRound: {"round", ir.OpRound, "round(x: Real) -> Real (half away from zero)"},
	bSign:  {"sign", ir.OpSign, "sign(x: Real) -> Real (-1, 0 or 1)"},
	bAbs:   {"abs", ir.OpAbs, "abs(x: Real) -> Real, abs(i: Int) -> Int"},
	bPow:   {"pow", ir.OpPow, "pow(x: Real, y: Real) -> Real"},
	bAtan2: {"atan2", ir.OpAtan2, "atan2(y: Real, x: Real) -> Real"},
	bMin:   {"min", ir.OpMin, "min(a: T, b: T) -> T, min(xs: [n]T) -> T for T = Real or Int"},
	bMax:   {"max", ir.OpMax, "max(a: T, b: T) -> T, max(xs: [n]T) -> T for T = Real or Int"},
	bSum:   {"sum", ir.OpAdd, "sum(xs: [n]T) -> T for T = Real or Int"},
	bProd:  {"prod", ir.OpMul, "prod(xs: [n]T) -> T for T = Real or Int"},
	bReal:  {"real", ir.OpToReal, "real(i: Int) -> Real"},
	bLen:   {"len", ir.OpInvalid, "len(xs: [n]T) -> Int"},
	bDot:   {"dot", ir.OpInvalid, "dot(a: [n]Real, b: [n]Real) -> Real"},
	bNorm:  {"norm", ir.OpInvalid, "norm(v: [n]Real) -> Real (Euclidean)"},

	bLgamma: {"lgamma", ir.OpLgamma, "lgamma(x: Real) -> Real (log |Γ(x)|)"},
	bLog1p:  {"log1p", ir.OpLog1p, "log1p(x: Real) -> Real (log(1 + x))"},
	bExpm1:  {"expm1", ir.OpExpm1, "expm1(x: Real) -> Real (exp(x) - 1)"},
	bErf:    {"erf", ir.OpErf, "erf(x: Real) -> Real (error function)"},
	bCbrt:   {"cbrt", ir.OpCbrt, "cbrt(x: Real) -> Real (cube root)"},
	bHypot:  {"hypot", ir.OpHypot, "hypot(x: Real, y: Real) -> Real (sqrt(x*x + y*y))"},
	bBand:   {"band", ir.OpBitAnd, "band(a: Int, b: Int) -> Int (bitwise and)"},
	bBor:    {"bor", ir.OpBitOr, "bor(a: Int, b: Int) -> Int (bitwise or)"},
	bBxor:   {"bxor", ir.OpBitXor, "bxor(a: Int, b: Int) -> Int (bitwise exclusive or)"},
	bShl:    {"shl", ir.OpShl, "shl(a: Int, k: Int) -> Int (a shifted left by k, 0 <= k < 64)"},
	bShr:    {"shr", ir.OpShr, "shr(a: Int, k: Int) -> Int (a shifted right by k with sign, 0 <= k < 64)"},
	bInt:    {"int", ir.OpToInt, "int(x: Real) -> Int (truncated toward zero)"},
	bClamp:  {"clamp", ir.OpInvalid, "clamp(x: Real, lo: Real, hi: Real) -> Real (min(max(x, lo), hi))"},
}

// constants are the predeclared constants.
var constants = []struct {
	name string
	val  float64
	doc  string
}{
	{"pi", math.Pi, "pi: Real = 3.141592653589793"},
}

// BuiltinDocs lists the signature of every builtin function and constant, for
// documentation and editor completion.
func BuiltinDocs() map[string]string {
	m := map[string]string{}
	for id := builtinID(1); id < numBuiltins; id++ {
		m[builtins[id].name] = builtins[id].doc
	}
	for _, k := range constants {
		m[k.name] = k.doc
	}
	return m
}
