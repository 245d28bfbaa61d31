package handgo

import "encoding/json"

// Rosenbrock is examples/rosenbrock.rose: the sum over i < n-1, from zero
// and in order, of 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2.
func Rosenbrock(x []float64) float64 {
	s := 0.0
	for i := 0; i+1 < len(x); i++ {
		a := 1 - x[i]
		b := x[i+1] - float64(x[i]*x[i])
		s += float64(float64(100*b)*b) + float64(a*a)
	}
	return s
}

// RosenbrockGrad returns Rosenbrock(x) and writes its gradient into g
// (len(g) == len(x)).
//
// Term i contributes 200 b to g[i+1] and -2 x[i] (200 b) - 2 a to g[i]; the
// factors 2 are exact, so these are the evaluator's products. The sweep
// runs backwards as a reverse pass does: g[i+1] already holds term i+1's
// share when term i adds its own.
func RosenbrockGrad(x, g []float64) float64 {
	n := len(x)
	s := 0.0
	for i := 0; i+1 < n; i++ {
		a := 1 - x[i]
		b := x[i+1] - float64(x[i]*x[i])
		s += float64(float64(100*b)*b) + float64(a*a)
	}
	if n == 0 {
		return s
	}
	g[n-1] = 0
	for i := n - 2; i >= 0; i-- {
		a := 1 - x[i]
		b := x[i+1] - float64(x[i]*x[i])
		db := 2 * float64(100*b)
		g[i+1] += db
		g[i] = -(2 * float64(x[i]*db)) - 2*a
	}
	return s
}

// RosenbrockPoint is the point of the original Rose's microbenchmark:
// x_i = (i even ? -1.2 : 1.0) + i/1000.
func RosenbrockPoint(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = 1.0
		if i%2 == 0 {
			x[i] = -1.2
		}
		x[i] += float64(i) / 1000
	}
	return x
}

// RosenbrockArgs is the argument list of examples/rosenbrock.rose's
// rosenbrock at x.
func RosenbrockArgs(x []float64) []byte {
	out, err := json.Marshal([]any{x})
	if err != nil {
		panic(err)
	}
	return out
}
