package check

import "github.com/rose-go/rose/ir"

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
}

// BuiltinDocs lists the signature of every builtin function, for
// documentation and editor completion.
func BuiltinDocs() map[string]string {
	m := map[string]string{}
	for id := builtinID(1); id < numBuiltins; id++ {
		m[builtins[id].name] = builtins[id].doc
	}
	return m
}
