package wasm_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/ad"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// FuzzCompile loads each input as a Rose program and runs its examples,
// and the VJPs of those with a Real result, in both engines under a step
// and memory budget: wazero must accept every module, and results and
// errors must agree with the evaluator's.
func FuzzCompile(f *testing.F) {
	files, _ := filepath.Glob("../examples/*.rose")
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err == nil {
			f.Add(src)
		}
	}
	// The evaluator's fuzz corpus too (go test fuzz v1 files of one []byte).
	corpus, _ := filepath.Glob("../testdata/fuzz/FuzzEval/*")
	for _, file := range corpus {
		b, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		_, rest, ok := strings.Cut(string(b), "[]byte(")
		if !ok {
			continue
		}
		if src, err := strconv.Unquote(strings.TrimSuffix(strings.TrimSpace(rest), ")")); err == nil {
			f.Add([]byte(src))
		}
	}
	f.Add([]byte("fn f(v: [3]Real, i: Int) -> Real { v[i] }\nexample f([1.0, 2.0, 3.0], 5)\n"))
	f.Add([]byte("fn f(x: Real) -> Real { var y = x; while y > 0.5 max 100 { y = y * 0.5 }; y * x }\nexample f(40.0)\n"))
	f.Add([]byte("fn f(xs: [4]Real) -> Real { var s = 0.0; for i in 0..4 { s += xs[i] * xs[(i + 1) % 4] }; s }\nexample f([1.0, 2.0, 3.0, 4.0])\n"))
	opts := &eval.Options{MaxSteps: 1 << 16, MaxMemory: 1 << 26}
	f.Fuzz(func(t *testing.T, src []byte) {
		p := rose.Load("fuzz.rose", src)
		if p.Err() != nil {
			return
		}
		exs, err := p.Examples(context.Background())
		if err != nil {
			return
		}
		for _, ex := range exs {
			if ex.Err != nil {
				continue
			}
			check(t, ex.Text, ex.Func.IR, ex.Args, opts)
			if ex.Func.IR.Result().Kind != ir.KReal {
				continue
			}
			vjp, err := ad.NewTransformer().VJP(ex.Func.IR)
			if err != nil {
				continue
			}
			check(t, ex.Text+" (vjp)", vjp, append(append([]value.Value(nil), ex.Args...), value.Real(1)), opts)
		}
	})
}
