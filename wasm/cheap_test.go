package wasm_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
	"github.com/rose-go/rose/wasm"
)

// branchy is a straight-line function of n selects, each reading the one
// before it: its code has about n ifs in one function.
func branchy(n int) []byte {
	var b strings.Builder
	b.WriteString("fn f(x: Real, a: Real) -> Real {\n    let v0 = x\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "    let v%d = if v%d > a { v%d * 0.5 } else { v%d + a * 0.25 }\n", i, i-1, i-1, i-1)
	}
	fmt.Fprintf(&b, "    v%d\n}\n", n)
	return []byte(b.String())
}

// TestCompileCheap checks that CompileCheap generates code for a function
// of a few branches and leaves one of thousands (which wazero compiles in
// time quadratic in their number) to the evaluator, that Compile compiles
// both, and that all give the same value and gradient, bit for bit.
func TestCompileCheap(t *testing.T) {
	ctx := context.Background()
	args := []value.Value{value.Real(3), value.Real(0.7)}
	for _, c := range []struct {
		n         int
		generated bool
	}{{10, true}, {wasm.MaxBlocks, false}} {
		p := rose.Load("branchy.rose", branchy(c.n))
		p.Engine = rose.EngineEval
		f, err := p.Func("f", nil)
		if err != nil {
			t.Fatal(err)
		}
		g, err := f.GradIR()
		if err != nil {
			t.Fatal(err)
		}
		want, err := f.Grad(ctx, args, nil)
		if err != nil {
			t.Fatal(err)
		}
		cheap, err := wasm.CompileCheap(g)
		if err != nil {
			t.Fatal(err)
		}
		if wasm.Generated(cheap) != c.generated {
			t.Errorf("n=%d: CompileCheap generated code: %v, want %v", c.n, wasm.Generated(cheap), c.generated)
		}
		full, err := wasm.Compile(g)
		if err != nil {
			t.Fatal(err)
		}
		if !wasm.Generated(full) {
			t.Errorf("n=%d: Compile left the function to the evaluator", c.n)
		}
		for name, code := range map[string]*wasm.Compiled{"CompileCheap": cheap, "Compile": full} {
			out, err := code.Call(ctx, append(append([]value.Value(nil), args...), value.Real(1)), nil)
			if err != nil {
				t.Fatal(err)
			}
			got := []float64{out.Elem(0).Real(), out.Elem(1).Real(), out.Elem(2).Real()}
			exp := []float64{want.Value.Real(), want.Grad[0].Real(), want.Grad[1].Real()}
			for i := range got {
				if math.Float64bits(got[i]) != math.Float64bits(exp[i]) {
					t.Errorf("n=%d %s: result %d is %v, the evaluator's %v", c.n, name, i, got[i], exp[i])
				}
			}
		}
	}
}
