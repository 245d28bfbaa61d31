// Package handgo holds hand-written Go versions of the four benchmark
// workloads (billiards, mass-spring, Rosenbrock and ADBench's GMM), each a
// value and a value with its gradient by a reverse mode derived by hand.
// They are the practical limit that bench/compare.sh measures the
// evaluator, the compiled engine and the original Rose against.
//
// Each follows its .rose program in examples/ (the same constants and the
// same order of operations in the value), uses the standard library and
// ir/mathx (the math builtins as Rose computes them, so results can be
// compared bit for bit),
// and writes float64(x*y) + z wherever a fused multiply-add would change
// the result. The tests check them against the .rose programs run by the
// root package, and GMM against ADBench's golden gradients.
package handgo
