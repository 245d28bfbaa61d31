package rose_test

import (
	"context"
	"errors"
	"go/token"
	"strings"
	"sync"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
)

const traceSrc = `
struct P { x: Real, y: Real }

fn sq(y: Real) -> Real { y * y }

fn f(x: [3]Real, c: Real) -> Real {
    let a = c * 2.0
    let b = sq(a)
    var s = 0.0
    for i in 0..3 {
        s += x[i] * x[i]
    }
    let t = s + b
    let u = t
    let (p, q) = (t, a - 1.0)
    var v = [0.0, 0.0]
    v[1] = q + 3.0
    var w = P { x: 1.0, y: 2.0 }
    w.y *= t
    let m = if s > 10.0 { s } else { 0.0 }
    let r = sum([for k in 0..3 { let e = x[k] + 1.0
        e * e }])
    u + p + q + v[1] + w.y + m + r
}

fn g(x: Real) -> Real {
    let d = x - 1.0
    let s = sqrt(d)
    let z = 1.0 / (x - 0.5)
    s * 2.0 + z
}

example f([1.0, 2.0, 3.0], 0.5)
example g(0.5)
`

// at is the position of the n-th (from 0) occurrence of text in traceSrc.
func at(t *testing.T, prog *rose.Program, text string, n int) token.Pos {
	t.Helper()
	off := -1
	for k := 0; k <= n; k++ {
		i := strings.Index(traceSrc[off+1:], text)
		if i < 0 {
			t.Fatalf("%q not found %d times", text, n+1)
		}
		off += 1 + i
	}
	return prog.Fset.File(prog.File.FileEnd).Pos(off)
}

func loadTrace(t *testing.T) (*rose.Program, []*rose.Example) {
	t.Helper()
	prog := rose.Load("trace.rose", []byte(traceSrc))
	if err := prog.Err(); err != nil {
		t.Fatal(err)
	}
	exs, err := prog.Examples(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(exs) != 2 {
		t.Fatalf("%d examples", len(exs))
	}
	for _, ex := range exs {
		if ex.Err != nil {
			t.Fatal(ex.Err)
		}
	}
	return prog, exs
}

// call evaluates a function of traceSrc plainly.
func call(t *testing.T, prog *rose.Program, name string, args ...value.Value) value.Value {
	t.Helper()
	fn, err := prog.Func(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := fn.Call(context.Background(), args, nil)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestLiveValues(t *testing.T) {
	prog, exs := loadTrace(t)
	ctx := context.Background()
	vals, nf, err := prog.LiveValues(ctx, exs[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	if nf != nil {
		t.Errorf("unexpected non-finite value: %+v", nf)
	}
	want, err := exs[0].Func.Call(ctx, exs[0].Args, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := value.Real(1)
	b := call(t, prog, "sq", a)
	s := value.Real(1 + 4 + 9)
	tv := value.Real(s.Real() + b.Real())
	for _, c := range []struct {
		name string
		n    int
		want value.Value
	}{
		{"a =", 0, a},
		{"b =", 0, b},
		{"s =", 0, value.Real(0)},
		{"s +=", 0, s}, // after the last step
		{"t =", 0, tv},
		{"u =", 0, tv}, // a plain name takes its value
		{"p,", 0, tv},  // tuple let: the fields
		{"q)", 0, value.Real(0)},
		{"v =", 0, value.Array(value.Real(0), value.Real(0))},
		{"v[1] =", 0, value.Array(value.Real(0), value.Real(3))},
		{"w =", 0, value.Tuple(value.Real(1), value.Real(2))},
		{"w.y", 0, value.Tuple(value.Real(1), value.Real(2*tv.Real()))},
		{"m =", 0, s},
		{"e =", 0, value.Real(4)}, // the last element's
		{"r =", 0, value.Real(4 + 9 + 16)},
	} {
		pos := at(t, prog, c.name, c.n)
		got, ok := vals[pos]
		if !ok {
			t.Errorf("%s: no value", c.name)
			continue
		}
		if !value.Equal(got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, got, c.want)
		}
	}
	// The bindings add up to the result.
	sum := tv.Real() + tv.Real() + 0 + 3 + 2*tv.Real() + s.Real() + 29
	if want.Real() != sum {
		t.Errorf("result %v, bindings give %v", want, sum)
	}

	// The trace itself: the result, and the loop's last step at +=.
	tr, err := exs[0].Func.Trace(ctx, exs[0].Args, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !value.Equal(tr.Result, want) {
		t.Errorf("traced result %v, Call gives %v", tr.Result, want)
	}
	if v := tr.Values[at(t, prog, "sq(a)", 0)]; !value.Equal(v, b) {
		t.Errorf("call sq(a) traced as %v, want %v", v, b)
	}
	if v := tr.Values[at(t, prog, "y * y", 0)+2]; !value.Equal(v, b) {
		t.Errorf("y * y in sq traced as %v, want %v", v, b)
	}
}

func TestLiveValuesNonFinite(t *testing.T) {
	prog, exs := loadTrace(t)
	ctx := context.Background()
	vals, nf, err := prog.LiveValues(ctx, exs[1], nil)
	if err != nil {
		t.Fatal(err)
	}
	if nf == nil {
		t.Fatal("no non-finite value reported")
	}
	if want := at(t, prog, "sqrt", 0); nf.Pos != want {
		t.Errorf("non-finite at %v, want %v (the sqrt call)", prog.Fset.Position(nf.Pos), prog.Fset.Position(want))
	}
	if want := "sqrt of -0.5 gives NaN here"; nf.Msg != want {
		t.Errorf("message %q, want %q", nf.Msg, want)
	}
	if nf.Func != "g" {
		t.Errorf("function %q, want g", nf.Func)
	}
	if v := vals[at(t, prog, "d =", 0)]; !value.Equal(v, value.Real(-0.5)) {
		t.Errorf("d = %v, want -0.5", v)
	}
	z := vals[at(t, prog, "z =", 0)]
	if !value.Equal(z, value.Real(1/zero())) {
		t.Errorf("z = %v, want +Inf", z)
	}
	want := call(t, prog, "g", value.Real(0.5))
	tr, err := exs[1].Func.Trace(ctx, exs[1].Args, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !value.Equal(tr.Result, want) {
		t.Errorf("traced result %v, Call gives %v", tr.Result, want)
	}
}

func zero() float64 { return 0 }

func TestNonFiniteMessages(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"fn h(x: Real) -> Real { 1.0 / x }", "division 1 / 0 gives +Inf here"},
		{"fn h(x: Real) -> Real { log(x) }", "log of 0 gives -Inf here"},
		{"fn h(x: Real) -> Real { let y = x + 1.0\n pow(y, 2000.0) }", "pow of 1 and 2000 gives NaN here"},
		{"fn h(x: Real) -> Real { exp(x + 1000.0) }", "exp of 1000 gives +Inf here"},
		{"fn h(x: Real) -> Real { (x + 1e308) * 10.0 }", "multiplication 1e+308 * 10 gives +Inf here"},
	} {
		prog := rose.Load("h.rose", []byte(c.src+"\nexample h(0.0)\n"))
		if err := prog.Err(); err != nil {
			t.Fatal(err)
		}
		exs, err := prog.Examples(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		_, nf, err := prog.LiveValues(context.Background(), exs[0], nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.want == "pow of 1 and 2000 gives NaN here" {
			// pow(1, 2000) is 1: finite, nothing to report.
			if nf != nil {
				t.Errorf("%s: reported %q", c.src, nf.Msg)
			}
			continue
		}
		if nf == nil {
			t.Errorf("%s: nothing reported", c.src)
			continue
		}
		if nf.Msg != c.want {
			t.Errorf("%s: %q, want %q", c.src, nf.Msg, c.want)
		}
	}
}

// Trace is safe for concurrent use, the traced code made once.
func TestTraceConcurrent(t *testing.T) {
	_, exs := loadTrace(t)
	ex := exs[0]
	want, err := ex.Func.Call(context.Background(), ex.Args, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for k := 0; k < 8; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr, err := ex.Func.Trace(context.Background(), ex.Args, nil)
			if err != nil {
				t.Error(err)
				return
			}
			if !value.Equal(tr.Result, want) {
				t.Errorf("traced result %v, want %v", tr.Result, want)
			}
		}()
	}
	wg.Wait()
}

// A run that fails returns what it recorded before the failure, and a
// while loop's bindings show their last step.
func TestLiveValuesPartial(t *testing.T) {
	src := `
fn k(i: Int) -> Real {
    let a = 2.0 * real(i)
    var x = 1.0
    while x < 100.0 {
        x = x * 3.0
    }
    let xs = [1.0, 2.0]
    xs[i] + a + x
}
example k(5)
`
	prog := rose.Load("k.rose", []byte(src))
	if err := prog.Err(); err != nil {
		t.Fatal(err)
	}
	exs, err := prog.Examples(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	vals, _, err := prog.LiveValues(context.Background(), exs[0], nil)
	var re *rose.RuntimeError
	if !errors.As(err, &re) {
		t.Fatalf("error %v, want a runtime error", err)
	}
	file := prog.Fset.File(prog.File.FileEnd)
	for name, want := range map[string]value.Value{"a =": value.Real(10), "x =": value.Real(1), "x = x": value.Real(243)} {
		pos := file.Pos(strings.Index(src, name))
		if v, ok := vals[pos]; !ok || !value.Equal(v, want) {
			t.Errorf("%s: %v (%v), want %v", name, v, ok, want)
		}
	}
}
