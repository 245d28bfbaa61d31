package ir

import (
	"math"

	"github.com/rose-go/rose/ir/mathx"
)

// The operations added to the core set: more scalar functions, the
// zero-safe product the derivative rules use, the Real-to-Int conversion
// and the bit operations on Int. They follow the conventions of the Op
// constants in ir.go.
const (
	// Unary on Real.
	OpLgamma Op = opCore + iota // log|Γ(x)|, as math.Lgamma (mathx.Lgamma)
	OpLog1p                     // log(1 + x), accurate near 0
	OpExpm1                     // exp(x) - 1, accurate near 0
	OpErf                       // the error function
	OpCbrt                      // the real cube root
	// OpPolygamma: Dst = ψ^(I)(x), the polygamma function of order I >= 0
	// (I = 0 is the digamma function, the derivative of OpLgamma); see
	// Polygamma.
	OpPolygamma

	// Binary on Real.
	OpHypot // sqrt(x*x + y*y) without undue overflow, as math.Hypot (mathx.Hypot)
	// OpMulZ is the zero-safe product: 0 when either operand is 0, even if
	// the other is infinite or NaN; x * y otherwise. Derivative rules
	// multiply tangents and cotangents by partial derivatives with it, so
	// that a zero tangent or cotangent contributes exactly zero.
	OpMulZ

	// OpToInt converts a Real to an Int, truncating toward zero; NaN and
	// values outside the range of Int are runtime errors.
	OpToInt

	// Binary on Int: bitwise and, or, exclusive or of two's-complement
	// values, and shifts (OpShr is arithmetic). A shift count outside
	// 0..63 is a runtime error.
	OpBitAnd
	OpBitOr
	OpBitXor
	OpShl
	OpShr

	numOps
)

// Class is the shape of an operation's operands and result, as the
// verifier checks it. Operations of ClassOther have a contract of their own
// (see each Op); the verifier has a rule for each of them and rejects any
// operation it has no rule for.
type Class uint8

// The classes of operations. "num" is Real or Int, the same for every
// operand and the result.
const (
	ClassNone      Class = iota // not an operation
	ClassOther                  // aggregates, control flow, calls, constants
	ClassNum1                   // num -> num
	ClassReal1                  // Real -> Real
	ClassNum2                   // (num, num) -> num
	ClassReal2                  // (Real, Real) -> Real
	ClassInt2                   // (Int, Int) -> Int
	ClassCmp                    // (num, num) -> Bool; OpEq and OpNe also take two Bools
	ClassBool1                  // Bool -> Bool
	ClassBool2                  // (Bool, Bool) -> Bool
	ClassIntToReal              // Int -> Real
	ClassRealToInt              // Real -> Int
)

// OpInfo is what every pass needs to know about an operation.
type OpInfo struct {
	Name  string
	Arity int   // number of Args, -1 when it varies
	Class Class // operand and result shapes

	// Linear is set for operations linear in their operands taken
	// together (neg, add, sub); Bilinear for those linear in each operand
	// separately (products).
	Linear, Bilinear bool

	// Real1 and Real2 compute a scalar Real operation (ClassReal1 and
	// ClassReal2, and ClassNum1 and ClassNum2 on Reals), for evaluators
	// and tests; the math builtins are those of package mathx, the same
	// algorithms as the Wasm engine's. OpPolygamma, whose order is an instruction field, has
	// neither: see Polygamma.
	Real1 func(x float64) float64
	Real2 func(x, y float64) float64
}

var opTable = [numOps]OpInfo{
	OpInvalid: {Name: "invalid", Arity: -1},
	OpConst:   {Name: "const", Arity: 0, Class: ClassOther},

	OpNeg:   {Name: "neg", Arity: 1, Class: ClassNum1, Linear: true, Real1: func(x float64) float64 { return -x }},
	OpAbs:   {Name: "abs", Arity: 1, Class: ClassNum1, Real1: math.Abs},
	OpSqrt:  {Name: "sqrt", Arity: 1, Class: ClassReal1, Real1: math.Sqrt},
	OpExp:   {Name: "exp", Arity: 1, Class: ClassReal1, Real1: mathx.Exp},
	OpLog:   {Name: "log", Arity: 1, Class: ClassReal1, Real1: mathx.Log},
	OpSin:   {Name: "sin", Arity: 1, Class: ClassReal1, Real1: mathx.Sin},
	OpCos:   {Name: "cos", Arity: 1, Class: ClassReal1, Real1: mathx.Cos},
	OpTan:   {Name: "tan", Arity: 1, Class: ClassReal1, Real1: mathx.Tan},
	OpAsin:  {Name: "asin", Arity: 1, Class: ClassReal1, Real1: mathx.Asin},
	OpAcos:  {Name: "acos", Arity: 1, Class: ClassReal1, Real1: mathx.Acos},
	OpAtan:  {Name: "atan", Arity: 1, Class: ClassReal1, Real1: mathx.Atan},
	OpSinh:  {Name: "sinh", Arity: 1, Class: ClassReal1, Real1: mathx.Sinh},
	OpCosh:  {Name: "cosh", Arity: 1, Class: ClassReal1, Real1: mathx.Cosh},
	OpTanh:  {Name: "tanh", Arity: 1, Class: ClassReal1, Real1: mathx.Tanh},
	OpFloor: {Name: "floor", Arity: 1, Class: ClassReal1, Real1: math.Floor},
	OpCeil:  {Name: "ceil", Arity: 1, Class: ClassReal1, Real1: math.Ceil},
	OpRound: {Name: "round", Arity: 1, Class: ClassReal1, Real1: mathx.Round},
	OpSign:  {Name: "sign", Arity: 1, Class: ClassReal1, Real1: Sign},

	OpAdd:   {Name: "add", Arity: 2, Class: ClassNum2, Linear: true, Real2: func(x, y float64) float64 { return x + y }},
	OpSub:   {Name: "sub", Arity: 2, Class: ClassNum2, Linear: true, Real2: func(x, y float64) float64 { return x - y }},
	OpMul:   {Name: "mul", Arity: 2, Class: ClassNum2, Bilinear: true, Real2: func(x, y float64) float64 { return x * y }},
	OpDiv:   {Name: "div", Arity: 2, Class: ClassNum2, Real2: func(x, y float64) float64 { return x / y }},
	OpMod:   {Name: "mod", Arity: 2, Class: ClassInt2},
	OpMin:   {Name: "min", Arity: 2, Class: ClassNum2, Real2: MinReal},
	OpMax:   {Name: "max", Arity: 2, Class: ClassNum2, Real2: MaxReal},
	OpPow:   {Name: "pow", Arity: 2, Class: ClassReal2, Real2: mathx.Pow},
	OpAtan2: {Name: "atan2", Arity: 2, Class: ClassReal2, Real2: mathx.Atan2},

	OpEq: {Name: "eq", Arity: 2, Class: ClassCmp},
	OpNe: {Name: "ne", Arity: 2, Class: ClassCmp},
	OpLt: {Name: "lt", Arity: 2, Class: ClassCmp},
	OpLe: {Name: "le", Arity: 2, Class: ClassCmp},
	OpGt: {Name: "gt", Arity: 2, Class: ClassCmp},
	OpGe: {Name: "ge", Arity: 2, Class: ClassCmp},

	OpNot:    {Name: "not", Arity: 1, Class: ClassBool1},
	OpAnd:    {Name: "and", Arity: 2, Class: ClassBool2},
	OpOr:     {Name: "or", Arity: 2, Class: ClassBool2},
	OpToReal: {Name: "toreal", Arity: 1, Class: ClassIntToReal},

	OpIf:     {Name: "if", Arity: 1, Class: ClassOther},
	OpTuple:  {Name: "tuple", Arity: -1, Class: ClassOther},
	OpField:  {Name: "field", Arity: 1, Class: ClassOther},
	OpArray:  {Name: "array", Arity: -1, Class: ClassOther},
	OpIndex:  {Name: "index", Arity: 2, Class: ClassOther},
	OpFor:    {Name: "for", Arity: 0, Class: ClassOther},
	OpLoop:   {Name: "loop", Arity: 1, Class: ClassOther},
	OpCall:   {Name: "call", Arity: -1, Class: ClassOther},
	OpScan:   {Name: "scan", Arity: 1, Class: ClassOther},
	OpUpdate: {Name: "update", Arity: 3, Class: ClassOther},
	OpScale:  {Name: "scale", Arity: 2, Class: ClassOther, Bilinear: true},
	OpDot:    {Name: "dot", Arity: 2, Class: ClassOther, Bilinear: true},

	OpAccum:     {Name: "accum", Arity: -1, Class: ClassOther},
	OpRefIndex:  {Name: "refindex", Arity: 2, Class: ClassOther},
	OpRefField:  {Name: "reffield", Arity: 1, Class: ClassOther},
	OpAccAdd:    {Name: "accadd", Arity: 2, Class: ClassOther},
	OpResolve:   {Name: "resolve", Arity: 1, Class: ClassOther},
	OpWhile:     {Name: "while", Arity: 1, Class: ClassOther},
	OpWhileScan: {Name: "whilescan", Arity: 1, Class: ClassOther},
	OpTapeLen:   {Name: "tapelen", Arity: 1, Class: ClassOther},
	OpTapeIndex: {Name: "tapeindex", Arity: 2, Class: ClassOther},

	OpLgamma:    {Name: "lgamma", Arity: 1, Class: ClassReal1, Real1: Lgamma},
	OpLog1p:     {Name: "log1p", Arity: 1, Class: ClassReal1, Real1: mathx.Log1p},
	OpExpm1:     {Name: "expm1", Arity: 1, Class: ClassReal1, Real1: mathx.Expm1},
	OpErf:       {Name: "erf", Arity: 1, Class: ClassReal1, Real1: mathx.Erf},
	OpCbrt:      {Name: "cbrt", Arity: 1, Class: ClassReal1, Real1: mathx.Cbrt},
	OpPolygamma: {Name: "polygamma", Arity: 1, Class: ClassReal1},
	OpHypot:     {Name: "hypot", Arity: 2, Class: ClassReal2, Real2: mathx.Hypot},
	OpMulZ:      {Name: "mulz", Arity: 2, Class: ClassReal2, Bilinear: true, Real2: MulZ},
	OpToInt:     {Name: "toint", Arity: 1, Class: ClassRealToInt},
	OpBitAnd:    {Name: "band", Arity: 2, Class: ClassInt2},
	OpBitOr:     {Name: "bor", Arity: 2, Class: ClassInt2},
	OpBitXor:    {Name: "bxor", Arity: 2, Class: ClassInt2},
	OpShl:       {Name: "shl", Arity: 2, Class: ClassInt2},
	OpShr:       {Name: "shr", Arity: 2, Class: ClassInt2},
}

// Info describes op; its Class is ClassNone for a value that is not an
// operation.
func (op Op) Info() *OpInfo {
	if op >= numOps {
		return &OpInfo{Name: "op?", Arity: -1}
	}
	return &opTable[op]
}

// Ops lists every operation, in order.
func Ops() []Op {
	ops := make([]Op, 0, numOps)
	for op := OpInvalid + 1; op < numOps; op++ {
		ops = append(ops, op)
	}
	return ops
}

func (op Op) String() string {
	if op < numOps && opTable[op].Name != "" {
		return opTable[op].Name
	}
	return "op?"
}

// Arity is the number of Args op takes, or -1 when it varies (OpTuple,
// OpArray, OpCall).
func (op Op) Arity() int { return op.Info().Arity }

// Sign is -1, 0 or 1 by the sign of x; NaN stays NaN and -0 is 0 (see
// mathx.Sign).
func Sign(x float64) float64 { return mathx.Sign(x) }

// MinReal is OpMin on Reals: x < y ? x : y.
func MinReal(x, y float64) float64 {
	if x < y {
		return x
	}
	return y
}

// MaxReal is OpMax on Reals: x > y ? x : y.
func MaxReal(x, y float64) float64 {
	if x > y {
		return x
	}
	return y
}

// MulZ is OpMulZ: 0 when x or y is 0, else x * y.
func MulZ(x, y float64) float64 {
	if x == 0 || y == 0 {
		return 0
	}
	return x * y
}

// Lgamma is OpLgamma: the natural logarithm of |Γ(x)| (mathx.Lgamma).
func Lgamma(x float64) float64 { return mathx.Lgamma(x) }

// Polygamma is OpPolygamma: ψ^(n)(x), the n-th derivative of the digamma
// function ψ = Γ'/Γ, for n >= 0. At the poles (x = 0, -1, -2, ...) it is
// NaN for even n (where the sign of the infinity depends on the side) and
// +Inf for odd n; for x below -1e6 it is NaN. NaN for n < 0. See
// mathx.Polygamma.
func Polygamma(n int64, x float64) float64 { return mathx.Polygamma(n, x) }
