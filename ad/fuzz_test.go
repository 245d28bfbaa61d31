package ad_test

import (
	"context"
	"errors"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/ad"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// FuzzDerivatives takes programs through JVP and VJP: the transforms must
// not panic, their output must verify, and wherever the program evaluates
// to finite values, <vjp(x, dy), dx> must equal <dy, jvp(x, dx)>.
func FuzzDerivatives(f *testing.F) {
	f.Add([]byte(builtinsSrc + "\nexample calls(0.9)\nexample looped(0.4, [1.0, -1.0])\n"))
	files, _ := filepath.Glob("../examples/*.rose")
	scale, _ := filepath.Glob("../testdata/scale/*.rose")
	files = append(files, scale...)
	for _, path := range files {
		if src, err := os.ReadFile(path); err == nil && filepath.Base(path) != "billiards.rose" {
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		p := rose.Load("fuzz.rose", src)
		if p.Err() != nil {
			return
		}
		exs, err := p.Examples(context.Background())
		if err != nil {
			return
		}
		tr := ad.NewTransformer()
		opts := &eval.Options{MaxSteps: 1 << 16, MaxMemory: 1 << 28}
		for _, ex := range exs {
			if ex.Err != nil {
				continue
			}
			fn := ex.Func.IR
			jf := mustJVP(tr, fn)
			if err := ir.Verify(jf); err != nil {
				t.Fatalf("%s: JVP does not verify: %v", ex.Text, err)
			}
			vf, err := tr.VJP(fn)
			if err != nil {
				continue // a construct reverse mode reports as unsupported
			}
			if err := ir.Verify(vf); err != nil {
				t.Fatalf("%s: VJP does not verify: %v", ex.Text, err)
			}
			rng := rand.New(rand.NewSource(1))
			in := append([]value.Value(nil), ex.Args...)
			var dxs []float64
			for _, a := range ex.Args {
				dt, flat := randomTangent(a, rng)
				in = append(in, dt)
				dxs = append(dxs, flat...)
			}
			jout, err := eval.Call(context.Background(), jf, in, opts)
			if err != nil {
				continue // runtime errors are the program's
			}
			dy, dyFlat := randomTangent(jout.Elem(0), rng)
			vout, err := eval.Call(context.Background(), vf, append(append([]value.Value(nil), ex.Args...), dy), opts)
			if errors.Is(err, value.ErrStepBudget) {
				continue // reverse mode takes more steps than forward mode
			}
			if err != nil {
				t.Fatalf("%s: JVP ran but VJP failed: %v", ex.Text, err)
			}
			var cts []float64
			for i := range ex.Args {
				cts = reals(vout.Elem(i+1), cts)
			}
			lhs, rhs := dot(cts, dxs), dot(dyFlat, reals(jout.Elem(1), nil))
			if math.IsNaN(lhs) || math.IsNaN(rhs) || math.IsInf(lhs, 0) || math.IsInf(rhs, 0) {
				continue
			}
			scale := math.Max(1, math.Max(math.Abs(lhs), math.Abs(rhs)))
			if math.Abs(lhs-rhs) > 1e-9*scale {
				t.Fatalf("%s: <vjp, dx> = %.17g but <dy, jvp> = %.17g", ex.Text, lhs, rhs)
			}
		}
	})
}
