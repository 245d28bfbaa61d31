package rose_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/value"
)

// TestNestedAssignments lowers conditionals and loops nested in each other
// that assign variables declared at different depths (the lists of
// assigned variables are shared between levels), and compares each call
// with the same computation in Go.
func TestNestedAssignments(t *testing.T) {
	src := `
fn f(x: Real) -> Real {
  var a = 0.0
  var b = 1.0
  if x < 0.0 { a = 1.0 }
  else if x < 1.0 {
    var c = x
    for i in 0..3 { c = c * 2.0; if c > 3.0 { b = b + c } else { a = a - 1.0 } }
    a = a + c
  } else if x < 2.0 { b = 5.0 }
  else { for i in 0..2 { var d = 1.0; d = d + x; a = a + d } }
  a * 10.0 + b
}
`
	goF := func(x float64) float64 {
		a, b := 0.0, 1.0
		switch {
		case x < 0:
			a = 1
		case x < 1:
			c := x
			for i := 0; i < 3; i++ {
				c *= 2
				if c > 3 {
					b += c
				} else {
					a--
				}
			}
			a += c
		case x < 2:
			b = 5
		default:
			for i := 0; i < 2; i++ {
				d := 1.0
				d += x
				a += d
			}
		}
		return a*10 + b
	}
	p := rose.Load("n.rose", []byte(src))
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	f, err := p.Func("f", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []float64{-1, 0.1, 0.5, 0.9, 1.5, 3} {
		y, err := f.Call(context.Background(), []value.Value{value.Real(x)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := y.Real(), goF(x); got != want {
			t.Errorf("f(%v) = %v, want %v", x, got, want)
		}
	}
}

// genElseIfExample is an else-if chain of n branches with an example that
// takes the middle one.
func genElseIfExample(n int) []byte {
	var b strings.Builder
	b.WriteString("fn f(x: Real) -> Real {\n  if x < 0.0 { 0.0 }\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "  else if x < %d.0 { %d.0 }\n", i, i)
	}
	fmt.Fprintf(&b, "  else { 1.0 }\n}\nexample f(%d.5)\n", n/2)
	return []byte(b.String())
}

// BenchmarkElseIfRun is rose run on an else-if chain of n branches: load,
// lower, compile and evaluate the example. The time per op should double
// with n.
func BenchmarkElseIfRun(b *testing.B) {
	for _, n := range []int{2500, 5000, 10000, 20000} {
		src := genElseIfExample(n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				exs, err := rose.Load("ifs.rose", src).Examples(context.Background())
				if err != nil || len(exs) != 1 || exs[0].Err != nil {
					b.Fatal(err, exs)
				}
			}
		})
	}
}

// TestLongLoop checks that a for loop's trip count is not bounded by the
// array length limit: a loop of 10^8 steps is accepted, and the step budget
// bounds its work.
func TestLongLoop(t *testing.T) {
	src := "fn f(x: Real) -> Real {\n  var s = 0.0\n  for i in 0..100000000 { s += x }\n  s\n}\n"
	p := rose.Load("l.rose", []byte(src))
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	f, err := p.Func("f", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Call(context.Background(), []value.Value{value.Real(1)}, &eval.Options{MaxSteps: 1000000})
	if !errors.Is(err, value.ErrStepBudget) {
		t.Fatalf("got %v, want the step budget error", err)
	}
}

// TestLongChain evaluates a generated chain of 3,000 additions and
// subtractions of products (typed and lowered in a loop, not by recursion)
// and compares it with the same sum in Go.
func TestLongChain(t *testing.T) {
	var b strings.Builder
	b.WriteString("fn f(x: Real) -> Real { 1")
	x := 0.75
	want := 1.0
	for i := 1; i <= 3000; i++ {
		c := float64(i%7) + 0.5
		if i%2 == 0 {
			fmt.Fprintf(&b, " + x * %v", c)
			want += x * c
		} else {
			fmt.Fprintf(&b, " - %d / 4", i%5) // untyped: becomes Real
			want -= float64(i%5) / 4
		}
	}
	b.WriteString(" }\n")
	p := rose.Load("c.rose", []byte(b.String()))
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	f, err := p.Func("f", nil)
	if err != nil {
		t.Fatal(err)
	}
	y, err := f.Call(context.Background(), []value.Value{value.Real(x)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if y.Real() != want {
		t.Errorf("f(%v) = %v, want %v", x, y.Real(), want)
	}
}
