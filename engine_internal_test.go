package rose

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/rose-go/rose/value"
	"github.com/rose-go/rose/wasm"
)

// straight is a straight-line function of n lets; with loop set, its body
// runs in a loop of 100 steps, so that one call executes its code many
// times over.
func straight(n int, loop bool) []byte {
	var b strings.Builder
	b.WriteString("fn f(x: Real, a: Real) -> Real {\n    var s = x\n")
	if loop {
		b.WriteString("    for k in 0..100 {\n")
	}
	b.WriteString("    let v0 = s\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "    let v%d = sin(v%d) * a + v%d * 0.5\n", i, i-1, i-1)
	}
	fmt.Fprintf(&b, "    s = v%d\n", n)
	if loop {
		b.WriteString("    }\n")
	}
	b.WriteString("    s\n}\n")
	return []byte(b.String())
}

// TestAutoEngineChoice checks the auto engine's rule (pays): a large
// function that runs through its code once per call starts on the
// evaluator and compiles at Prepare; the same code in a loop, and a small
// function, compile at once; and every way of running gives the same
// value, bit for bit.
func TestAutoEngineChoice(t *testing.T) {
	if !compilerNative() {
		t.Skip("the auto engine is the evaluator here")
	}
	ctx := context.Background()
	args := []value.Value{value.Real(0.3), value.Real(0.9)}
	for _, c := range []struct {
		name      string
		src       []byte
		evalFirst bool
	}{
		{"large straight-line", straight(2*smallCode, false), true},
		{"large in a loop", straight(2*smallCode, true), false},
		{"small", straight(10, false), false},
	} {
		p := Load("f.rose", c.src)
		f, err := p.Func("f", nil)
		if err != nil {
			t.Fatal(err)
		}
		_, first := f.code.(*evalFirst)
		_, compiled := f.code.(*wasm.Compiled)
		if first != c.evalFirst || compiled == c.evalFirst {
			t.Errorf("%s: code is %T", c.name, f.code)
		}
		got, err := f.Call(ctx, args, nil)
		if err != nil {
			t.Fatal(err)
		}
		pr, err := f.Prepare(ctx, args)
		if err != nil {
			t.Fatal(err)
		}
		if pr.wp == nil {
			t.Errorf("%s: Prepare did not compile", c.name)
		}
		if err := pr.Run(ctx, nil); err != nil {
			t.Fatal(err)
		}
		prep := pr.Result()
		pr.Close()
		ref := Load("f.rose", c.src)
		ref.Engine = EngineEval
		rf, err := ref.Func("f", nil)
		if err != nil {
			t.Fatal(err)
		}
		want, err := rf.Call(ctx, args, nil)
		if err != nil {
			t.Fatal(err)
		}
		for name, v := range map[string]value.Value{"Call": got, "Prepare": prep} {
			if math.Float64bits(v.Real()) != math.Float64bits(want.Real()) {
				t.Errorf("%s: %s gives %v, the evaluator %v", c.name, name, v.Real(), want.Real())
			}
		}
	}
}

// TestConcurrentPrepareAuto prepares a function that auto leaves to the
// evaluator from several goroutines at once, while others call it and
// instantiate another function of the program (CI runs it under -race):
// it is compiled once, under the program's lock.
func TestConcurrentPrepareAuto(t *testing.T) {
	if !compilerNative() {
		t.Skip("the auto engine is the evaluator here")
	}
	src := append(straight(2*smallCode, false), "fn g(x: Real) -> Real { x * x }\n"...)
	p := Load("f.rose", src)
	f, err := p.Func("f", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	args := []value.Value{value.Real(0.3), value.Real(0.9)}
	want, err := f.Call(ctx, args, nil)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 12)
	for k := range 12 {
		go func() {
			switch k % 3 {
			case 0:
				pr, err := f.Prepare(ctx, args)
				if err == nil {
					err = pr.Run(ctx, nil)
					if err == nil && pr.Result().Real() != want.Real() {
						err = fmt.Errorf("prepared run gives %v, want %v", pr.Result().Real(), want.Real())
					}
					pr.Close()
				}
				errs <- err
			case 1:
				v, err := f.Call(ctx, args, nil)
				if err == nil && v.Real() != want.Real() {
					err = fmt.Errorf("call gives %v, want %v", v.Real(), want.Real())
				}
				errs <- err
			default:
				_, err := p.Func("g", nil)
				errs <- err
			}
		}()
	}
	for range 12 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
