// Package value is what every engine of Rose shares: the Value a caller
// passes and gets back, its flat slot layout (Store, Load), its text and
// JSON forms (Format, DecodeJSON, DecodeArgs, EncodeJSON), and the runtime
// errors with their messages (RuntimeError and the *Msg functions). The
// evaluator (package eval) and the compiled engine (package wasm) both
// import it, so a value, a layout or a message is defined once.
//
// The semantics every engine follows, beyond the ir.Op documentation:
//
//   - Real arithmetic is IEEE-754 float64 as in Go (no fused multiply-add);
//     Pow, Atan2, Round (half away from zero) and the other functions are
//     those of Go's math package.
//   - Int arithmetic wraps on overflow. Div truncates toward zero and Mod
//     has the sign of the dividend, as Go's / and %; a zero divisor is a
//     runtime error.
//   - min(x, y) is x if x < y, else y; max(x, y) is x if x > y, else y. So
//     for Reals a NaN second operand is returned when the comparison fails,
//     a NaN first operand is never returned, and min(-0, +0) is +0.
//     Derivative rules should pick the operand the same way.
//   - sign(x) is 1 for x > 0, -1 for x < 0, 0 for ±0, NaN for NaN.
//   - Real operations without an opcode of their own (lgamma, log1p, expm1,
//     erf, cbrt, hypot) run the function of the op table (ir.OpInfo.Real1
//     and Real2); polygamma is ir.Polygamma and mulz ir.MulZ.
//   - int(x) truncates toward zero; NaN, ±Inf and values outside
//     [-2^63, 2^63) are a runtime error. Shifts by a count outside 0..63
//     are a runtime error; shr is arithmetic.
//   - An array index outside [0, len) is a runtime error.
//   - Only the taken arm of an if runs.
//   - A runtime error stops the call with a *RuntimeError whose message is
//     one of this package's (IndexMsg, DivByZeroMsg, ...), at the position
//     of the failing instruction, with the chain of calls that led there.
package value
