package wasm_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/ad"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
	"github.com/rose-go/rose/wasm"
)

// agree compares two values bit for bit (two NaNs agree whatever their
// payloads: Wasm does not specify them).
func agree(a, b value.Value) bool {
	if a.Kind() != b.Kind() || a.Len() != b.Len() {
		return false
	}
	switch a.Kind() {
	case ir.KReal:
		x, y := a.Real(), b.Real()
		return math.Float64bits(x) == math.Float64bits(y) || (math.IsNaN(x) && math.IsNaN(y))
	case ir.KArray, ir.KTuple:
		for i := range a.Len() {
			if !agree(a.Elem(i), b.Elem(i)) {
				return false
			}
		}
		return true
	}
	return value.Equal(a, b)
}

// check runs f on args in both engines and compares results and errors.
func check(t *testing.T, name string, f *ir.Func, args []value.Value, opts *eval.Options) {
	t.Helper()
	want, werr := eval.Call(context.Background(), f, args, opts)
	c, err := wasm.Compile(f)
	if err != nil {
		t.Fatalf("%s: compile: %v", name, err)
	}
	defer c.Close()
	got, gerr := c.Call(context.Background(), args, opts)
	sameErr(t, name, werr, gerr)
	if werr != nil {
		t.Logf("%s: %v", name, werr)
	}
	if werr != nil {
		return
	}
	if !agree(want, got) {
		t.Errorf("%s: wasm %v, eval %v", name, got, want)
	}
}

func sameErr(t *testing.T, name string, werr, gerr error) {
	t.Helper()
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%s: eval error %v, wasm error %v", name, werr, gerr)
	}
	if werr == nil {
		return
	}
	if werr.Error() != gerr.Error() {
		t.Errorf("%s: errors differ:\neval: %v\nwasm: %v", name, werr, gerr)
	}
	for _, target := range []error{value.ErrStepBudget, value.ErrMemoryBudget, context.Canceled} {
		if errorsIs(werr, target) != errorsIs(gerr, target) {
			t.Errorf("%s: errors.Is(%v): eval %v, wasm %v", name, target, errorsIs(werr, target), errorsIs(gerr, target))
		}
	}
}

// loadExamples loads every example of examples/*.rose and of the scale
// tests' programs (testdata/scale/*.rose).
func loadExamples(t testing.TB) map[string][]*rose.Example {
	files, _ := filepath.Glob("../examples/*.rose")
	scale, _ := filepath.Glob("../testdata/scale/*.rose")
	files = append(files, scale...)
	out := map[string][]*rose.Example{}
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		prog := rose.Load(filepath.Base(file), src)
		exs, err := prog.Examples(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		out[strings.TrimSuffix(filepath.Base(file), ".rose")] = exs
	}
	return out
}

// TestExamples runs every example, and its reverse-mode derivative when
// the result is Real, in both engines.
func TestExamples(t *testing.T) {
	for file, exs := range loadExamples(t) {
		for _, ex := range exs {
			if ex.Err != nil {
				continue
			}
			name := file + ": " + ex.Text
			check(t, name, ex.Func.IR, ex.Args, nil)
			if ex.Func.IR.Result().Kind != ir.KReal {
				continue
			}
			vjp, err := ad.NewTransformer().VJP(ex.Func.IR)
			if err != nil {
				t.Errorf("%s: vjp: %v", name, err)
				continue
			}
			check(t, name+" (vjp)", vjp, append(append([]value.Value(nil), ex.Args...), value.Real(1)), nil)
			jvp, err := ad.NewTransformer().JVP(ex.Func.IR)
			if err != nil {
				t.Errorf("%s: jvp: %v", name, err)
				continue
			}
			var in []value.Value
			in = append(in, ex.Args...)
			for _, p := range ex.Func.IR.Params {
				in = append(in, ones(ad.Tangent(ex.Func.IR.Types[p])))
			}
			check(t, name+" (jvp)", jvp, in, nil)
		}
	}
}

// ones is a tangent of type t with every Real 1.
func ones(t *ir.Type) value.Value {
	switch t.Kind {
	case ir.KReal:
		return value.Real(1)
	case ir.KArray:
		e := make([]value.Value, t.Len)
		for i := range e {
			e[i] = ones(t.Elem)
		}
		return value.Array(e...)
	case ir.KTuple:
		e := make([]value.Value, len(t.Elems))
		for i := range e {
			e[i] = ones(t.Elems[i])
		}
		return value.Tuple(e...)
	}
	return value.Tuple()
}
