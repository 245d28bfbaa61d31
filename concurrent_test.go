package rose_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
)

// concurrentSrc has a plain function, a size-generic one, a struct
// parameter, a custom JVP rule, derivatives used inside the source, an
// example of each kind and a test, so that every lazy path of the driver
// (lowering, derivatives, their caches, compilation) is exercised.
const concurrentSrc = `struct P { m: Real, v: [2]Real }

fn sq(x: Real) -> Real jvp sqj { x * x }
fn sqj(x: Real, dx: Real) -> (Real, Real) { (x * x, 2.0 * x * dx) }

fn f(x: Real, p: P) -> Real { sq(x) * p.m + sin(x) * dot(p.v, p.v) }
fn g<n>(v: [n]Real) -> Real { sum(v) * sum(v) + sq(v[0]) }
fn h(x: Real) -> Real { grad(f)(x, P { m: 1.0, v: [x, 2.0] }).0 }

example f(0.5, P { m: 2.0, v: [1.0, 3.0] })
example sq(1.5)
example h(0.25)

test t { assert f(1.0, P { m: 1.0, v: [0.0, 0.0] }) == 1.0 }
`

// concurrentWork runs every entry point of the driver on p and renders the
// results; f is a Func of p shared between callers, so that its lazy
// caches are filled by whichever caller comes first.
func concurrentWork(t *testing.T, p *rose.Program, f *rose.Func) string {
	ctx := context.Background()
	var b strings.Builder
	say := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	must := func(err error) {
		if err != nil {
			t.Error(err)
		}
	}
	args, err := value.DecodeArgs(f.Params(), []byte(`[0.7, {"m": 1.5, "v": [0.5, -1.0]}]`))
	must(err)

	v, err := f.Call(ctx, args, nil)
	must(err)
	say("call %s", value.Format(v, nil))
	for _, mode := range []rose.Mode{rose.Reverse, rose.Forward} {
		g, err := f.GradMode(ctx, args, nil, mode)
		must(err)
		if g != nil {
			say("grad %d %s %s %s", mode, value.Format(g.Value, nil), value.Format(*g.Grad[0], nil), value.Format(*g.Grad[1], nil))
		}
		g, err = f.GradWrt(ctx, args, nil, mode, []int{1})
		must(err)
		if g != nil {
			say("wrt %d %s %v", mode, value.Format(*g.Grad[1], nil), g.Grad[0] == nil)
		}
	}
	hs, err := f.Hessian(ctx, args, nil, nil)
	must(err)
	if hs != nil {
		say("hessian %v %v %v", hs.Inputs, hs.Grad, hs.H)
	}
	say("rules %v", f.ReachedRules())

	// A second Func of the same function, a generic instance and
	// derivative expressions.
	f2, err := p.Func("f", nil)
	must(err)
	if f2 != nil {
		v, err := f2.Call(ctx, args, nil)
		must(err)
		say("f2 %s", value.Format(v, nil))
	}
	gf, err := p.Func("g", []byte(`[[1.0, 2.0, 3.0]]`))
	must(err)
	if gf != nil {
		gargs, _ := value.DecodeArgs(gf.Params(), []byte(`[[1.0, 2.0, 3.0]]`))
		g, err := gf.Grad(ctx, gargs, nil)
		must(err)
		say("g %s", value.Format(*g.Grad[0], nil))
	}
	for _, e := range []string{"grad(f)", "jvp(f)", "vjp(f)", "grad(f, p)", "jvp(grad(sq))", "grad(h)"} {
		d, err := p.FuncExpr(e, nil)
		must(err)
		if d != nil {
			say("%s: %d params %s", e, len(d.Params()), d.IR.Result())
		}
	}
	for _, kind := range []string{"grad", "jvp", "vjp"} {
		d, err := p.Derivative(kind, "f")
		must(err)
		if d != nil {
			say("derivative %s: %d funcs", kind, len(d.Funcs))
		}
	}
	irp, err := p.IR()
	must(err)
	if irp != nil {
		say("ir %d funcs", len(irp.Funcs))
	}

	exs, err := p.Examples(ctx)
	must(err)
	for _, ex := range exs {
		for _, mode := range []rose.Mode{rose.Reverse, rose.Forward} {
			s, err := ex.GradientText(ctx, mode)
			must(err)
			say("%s", s)
		}
		gc, err := ex.GradCheck(ctx, nil, 0)
		must(err)
		if gc != nil {
			say("gradcheck ok %v", gc.Worst() < 1e-5)
		}
		rc, err := ex.RuleCheck(ctx, nil)
		must(err)
		if rc != nil {
			say("rulecheck ok %v", rc.Worst() < 1e-5)
		}
	}
	res, err := p.RunTests(ctx, nil)
	must(err)
	for _, r := range res {
		say("test %s failed %v", r.Name, r.Failed())
	}
	return b.String()
}

func loadConcurrent(t *testing.T) (*rose.Program, *rose.Func) {
	t.Helper()
	p := rose.Load("concurrent.rose", []byte(concurrentSrc))
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	f, err := p.Func("f", nil)
	if err != nil {
		t.Fatal(err)
	}
	return p, f
}

// TestConcurrentUse runs the whole driver from several goroutines at once
// on one Program and one Func, which start with every cache empty, and
// compares each goroutine's results with a serial run on a fresh Program.
// Run it with -race: it is what makes a missing lock visible.
func TestConcurrentUse(t *testing.T) {
	sp, sf := loadConcurrent(t)
	want := concurrentWork(t, sp, sf)
	if t.Failed() {
		t.Fatal("the serial run failed")
	}
	if testing.Verbose() {
		t.Log(want)
	}
	for round := 0; round < 3; round++ {
		p, f := loadConcurrent(t)
		const workers = 8
		got := make([]string, workers)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				got[w] = concurrentWork(t, p, f)
			}()
		}
		close(start)
		wg.Wait()
		for w, g := range got {
			if g != want {
				t.Fatalf("round %d, goroutine %d differs from the serial run:\n%s\nwant:\n%s", round, w, g, want)
			}
		}
	}
}

// TestConcurrentCall runs one compiled Func from many goroutines with
// different arguments: eval.Code keeps its per-call state out of the Code.
func TestConcurrentCall(t *testing.T) {
	_, f := loadConcurrent(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				x := float64(w) + float64(i)/100
				args, _ := value.DecodeArgs(f.Params(), []byte(fmt.Sprintf(`[%g, {"m": 2.0, "v": [0.0, 0.0]}]`, x)))
				v, err := f.Call(ctx, args, nil)
				if err != nil {
					t.Error(err)
					return
				}
				if got, want := v.Real(), 2*x*x; got != want {
					t.Errorf("f(%g) = %g, want %g", x, got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}
