package rose_test

import (
	"context"
	"math"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
)

const objectiveSrc = `
struct P { k: Int, w: [2]Real, b: Real }
fn f(x: [3]Real, p: P, c: Real) -> Real {
    var s = c * p.b
    for i in 0..3 { s += x[i] * x[i] * p.w[i % 2] }
    s + sin(p.b) * real(p.k)
}
`

// TestObjective checks an Objective's value and gradient, by every
// parameter and by some, against finite differences of the function
// itself, on both engines, and that the arguments not chosen stay fixed.
func TestObjective(t *testing.T) {
	for _, eng := range []rose.Engine{rose.EngineEval, rose.EngineCompiled} {
		p := rose.Load("obj.rose", []byte(objectiveSrc))
		p.Engine = eng
		f, err := p.Func("f", nil)
		if err != nil {
			t.Fatal(err)
		}
		args, err := value.DecodeArgs(f.Params(), []byte(`[[1, 2, 3], {"k": 2, "w": [0.5, 1.5], "b": 0.25}, 4]`))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for _, tc := range []struct {
			wrt    []int
			inputs []string
		}{
			{nil, []string{"x[0]", "x[1]", "x[2]", "p.w[0]", "p.w[1]", "p.b", "c"}},
			{[]int{1}, []string{"p.w[0]", "p.w[1]", "p.b"}},
			{[]int{2, 0}, []string{"c", "x[0]", "x[1]", "x[2]"}},
		} {
			o, err := f.Objective(ctx, args, tc.wrt, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := o.Inputs(); len(got) != len(tc.inputs) {
				t.Fatalf("%v: inputs %v, want %v", eng, got, tc.inputs)
			} else {
				for i := range got {
					if got[i] != tc.inputs[i] {
						t.Fatalf("%v: inputs %v, want %v", eng, got, tc.inputs)
					}
				}
			}
			x := o.Start(nil)
			for i := range x {
				x[i] += 0.1 * float64(i+1)
			}
			g := make([]float64, o.Dim())
			v, err := o.ValueGrad(ctx, x, g)
			if err != nil {
				t.Fatal(err)
			}
			if v2, _ := o.Value(ctx, x); v2 != v {
				t.Errorf("%v %v: Value %v, ValueGrad %v", eng, tc.wrt, v2, v)
			}
			for i := range x {
				h := 1e-6
				xp := append([]float64(nil), x...)
				xm := append([]float64(nil), x...)
				xp[i] += h
				xm[i] -= h
				fp, _ := o.Value(ctx, xp)
				fm, _ := o.Value(ctx, xm)
				fd := (fp - fm) / (2 * h)
				if rose.RelError(fd, g[i]) > 1e-7 {
					t.Errorf("%v %v: d/d%s = %v, finite differences %v", eng, tc.wrt, o.Inputs()[i], g[i], fd)
				}
			}
			// The full argument list carries x and the fixed parts.
			full, err := o.Args(x)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := f.Call(ctx, full, nil)
			if want.Real() != v {
				t.Errorf("%v %v: f(Args(x)) = %v, ValueGrad %v", eng, tc.wrt, want.Real(), v)
			}
			o.Close()
		}
	}
}

// TestObjectiveNoAlloc checks the optimizer's fast path: on the compiled
// engine a value-and-gradient call allocates nothing.
func TestObjectiveNoAlloc(t *testing.T) {
	p := rose.Load("rosen.rose", []byte(`
fn rosen<n>(x: [n]Real) -> Real {
    var s = 0.0
    for i in 0..n - 1 { let a = 1.0 - x[i]; let b = x[i + 1] - x[i] * x[i]; s += a * a + 100.0 * b * b }
    s
}`))
	p.Engine = rose.EngineCompiled
	f, err := p.Func("rosen", []byte(`[[0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]`))
	if err != nil {
		t.Fatal(err)
	}
	args, _ := value.DecodeArgs(f.Params(), []byte(`[[0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]`))
	ctx := context.Background()
	o, err := f.Objective(ctx, args, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	x := o.Start(nil)
	g := make([]float64, o.Dim())
	allocs := testing.AllocsPerRun(100, func() {
		x[0] += 1e-3
		if _, err := o.ValueGrad(ctx, x, g); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("ValueGrad allocates %v times per call", allocs)
	}
	if v, _ := o.ValueGrad(ctx, x, g); math.IsNaN(v) {
		t.Fatal("NaN")
	}
}
