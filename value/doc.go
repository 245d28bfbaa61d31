// Package value is what every engine of Rose shares: the Value a caller
// passes and gets back, its flat slot layout (Store, Load), its text and
// JSON forms (Format, DecodeJSON, DecodeArgs, EncodeJSON), and the runtime
// errors with their messages (RuntimeError and the *Msg functions). The
// evaluator (package eval) and the compiled engine (package wasm) both
// import it, so a value, a layout or a message is defined once.
//
// The semantics every engine follows, beyond the ir.Op documentation:
//
//   - Real arithmetic is IEEE-754 float64 as in Go (no fused multiply-add).
//     The math builtins (exp, log, sin, ..., pow, atan2, lgamma, erf,
//     polygamma; round is half away from zero) are the algorithms of
//     package ir/mathx: ports of fdlibm, Cephes and Go's pure-Go math,
//     every operation rounded on its own, the same in every engine and on
//     every platform, bit for bit. Measured against a 256-bit exact value
//     (ir/mathx tests), they are within 0.9 ulp of it for exp, 0.7 for log,
//     1.03 for log1p, 0.73 for expm1, 1.5 for sinh, 1.16 for cosh, 1.14 for
//     tanh, 1.8 for hypot; pow is Go's algorithm (exp(yf*log x) times x**yi
//     by squaring), off by up to ~4e5 ulp for x near 1 and large |y|. The
//     trigonometric functions, cbrt, log1p and expm1 give the results of
//     Go's pure-Go math package exactly; exp, log, hypot, erf and lgamma are
//     within 1 ulp, tanh 2, sinh 3 and pow 4 of Go's math on amd64 (whose
//     Exp and Log are assembly), apart from Go's own errors there (its Exp
//     overflows from 709.47, its Log of a subnormal is far off).
//   - Int arithmetic wraps on overflow. Div truncates toward zero and Mod
//     has the sign of the dividend, as Go's / and %; a zero divisor is a
//     runtime error.
//   - min(x, y) is x if x < y, else y; max(x, y) is x if x > y, else y. So
//     for Reals a NaN second operand is returned when the comparison fails,
//     a NaN first operand is never returned, and min(-0, +0) is +0.
//     Derivative rules should pick the operand the same way.
//   - sign(x) is 1 for x > 0, -1 for x < 0, 0 for ±0, NaN for NaN.
//   - Real operations run the function of the op table (ir.OpInfo.Real1
//     and Real2: mathx's for the math builtins); polygamma is
//     mathx.Polygamma and mulz ir.MulZ.
//   - int(x) truncates toward zero; NaN, ±Inf and values outside
//     [-2^63, 2^63) are a runtime error. Shifts by a count outside 0..63
//     are a runtime error; shr is arithmetic.
//   - An array index outside [0, len) is a runtime error.
//   - Only the taken arm of an if runs.
//   - A runtime error stops the call with a *RuntimeError whose message is
//     one of this package's (IndexMsg, DivByZeroMsg, ...), at the position
//     of the failing instruction, with the chain of calls that led there.
package value
