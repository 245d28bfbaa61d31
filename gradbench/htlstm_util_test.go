package gradbench

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
)

// Helpers of the ht and lstm tests (prefixed htl).

// htlMustEvaluate is evaluate for inputs that must succeed, decoded into v.
func htlMustEvaluate(t testing.TB, mod, fn string, input, v any) {
	t.Helper()
	out, err := evaluate(t, rose.EngineAuto, mod, fn, input)
	if err != nil {
		t.Fatalf("%s %s: %v", mod, fn, err)
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("%s %s: output %.200s: %v", mod, fn, out, err)
	}
}

// htlRelErr is |a - b| relative to the larger magnitude, absolute below 1.
func htlRelErr(a, b float64) float64 {
	return math.Abs(a-b) / math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// htlRichardson is the derivative of f at 0 by central differences with
// steps h and h/2, extrapolated (error O(h^4)).
func htlRichardson(f func(d float64) float64, h float64) float64 {
	d1 := (f(h) - f(-h)) / (2 * h)
	d2 := (f(h/2) - f(-h/2)) / h
	return (4*d2 - d1) / 3
}

// htlRng is a small deterministic generator for test data.
type htlRng uint64

func (r *htlRng) float() float64 {
	*r = *r*6364136223846793005 + 1442695040888963407
	return float64(uint64(*r)>>11) / (1 << 53)
}

// between is a number drawn uniformly from [lo, hi).
func (r *htlRng) between(lo, hi float64) float64 { return lo + (hi-lo)*r.float() }

func (r *htlRng) intn(n int) int { return int(r.float() * float64(n)) }

// htlFunc looks up expr (a function or a derivative expression) of
// module mod, instantiated at the sizes of args.
func htlFunc(t testing.TB, mod, expr string, args ...any) *rose.Func {
	t.Helper()
	b, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	f, err := program(t, mod, rose.EngineAuto).FuncExpr(expr, b)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// htlCall calls f on args (in the JSON shapes of rose run) and decodes
// the result into v.
func htlCall(t testing.TB, f *rose.Func, v any, args ...any) {
	t.Helper()
	b, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := value.DecodeArgs(f.Params(), b)
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.Call(context.Background(), vals, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(value.EncodeJSON(res, f.IR.Result()), v); err != nil {
		t.Fatal(err)
	}
}
