package rose_test

import (
	"context"
	"strings"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/eval"
)

// FuzzEval loads each input and runs its examples under a step budget:
// evaluation may fail with a runtime error but must never panic or hang.
func FuzzEval(f *testing.F) {
	f.Add([]byte("fn f(v: [3]Real, i: Int) -> Real { v[i] }\nexample f([1.0, 2.0, 3.0], 5)\n"))
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
			_, err := ex.Func.Call(context.Background(), ex.Args, &eval.Options{MaxSteps: 1 << 16, MaxMemory: 1 << 28})
			if err != nil && strings.Contains(err.Error(), "internal") {
				t.Fatalf("%s: %v", ex.Text, err)
			}
		}
	})
}
