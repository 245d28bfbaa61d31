package check_test

import (
	"fmt"
	"go/token"
	"strings"
	"testing"

	"github.com/rose-go/rose/check"
	"github.com/rose-go/rose/parser"
)

// genProgram returns a program of about lines lines: a chain of small
// functions, each calling the previous one, with arithmetic, a loop, a
// conditional and builtins, the shape of real scalar-heavy code.
func genProgram(lines int) []byte {
	var b strings.Builder
	for i := 0; i*6 < lines; i++ {
		fmt.Fprintf(&b, "fn f%d(x: Real, v: [3]Real) -> Real {\n", i)
		fmt.Fprintf(&b, "  let a = x * 2.0 + sin(x) / (1.0 + x * x)\n")
		fmt.Fprintf(&b, "  var s = 0.0\n")
		fmt.Fprintf(&b, "  for k in 0..3 { s += v[k] * a }\n")
		prev := "0.0"
		if i > 0 {
			prev = fmt.Sprintf("f%d(x, v)", i-1)
		}
		fmt.Fprintf(&b, "  if s > 0.0 { sqrt(s) } else { %s }\n}\n", prev)
	}
	return []byte(b.String())
}

// BenchmarkFrontEnd measures parse + check + lowering to IR, the work an
// editor redoes on every keystroke, at growing program sizes.
func BenchmarkFrontEnd(b *testing.B) {
	for _, lines := range []int{1000, 2000, 4000, 8000} {
		src := genProgram(lines)
		b.Run(fmt.Sprintf("lines=%d", lines), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for i := 0; i < b.N; i++ {
				fset := token.NewFileSet()
				f, errs := parser.ParseFile(fset, "gen.rose", src)
				pkg, cerrs := check.Check(fset, f)
				if len(errs)+len(cerrs) > 0 {
					b.Fatal(errs, cerrs)
				}
				if _, err := pkg.Program(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParse isolates the parser.
func BenchmarkParse(b *testing.B) {
	src := genProgram(2000)
	b.SetBytes(int64(len(src)))
	for i := 0; i < b.N; i++ {
		parser.ParseFile(token.NewFileSet(), "gen.rose", src)
	}
}

// genSum returns a function whose body is a sum of n terms.
func genSum(n int) []byte {
	return []byte("fn f(x: Real) -> Real { x" + strings.Repeat(" + x", n-1) + " }\n")
}

// genElseIf returns a function whose body is an else-if chain of n branches.
func genElseIf(n int) []byte {
	var b strings.Builder
	b.WriteString("fn f(x: Real) -> Real {\n  if x < 0.0 { 0.0 }\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "  else if x < %d.0 { %d.0 }\n", i, i)
	}
	b.WriteString("  else { 1.0 }\n}\n")
	return []byte(b.String())
}

// benchShape times parse + check + lowering of gen(n) for each n; the time
// per op should double with n.
func benchShape(b *testing.B, gen func(int) []byte, sizes []int) {
	for _, n := range sizes {
		src := gen(n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				fset := token.NewFileSet()
				f, errs := parser.ParseFile(fset, "gen.rose", src)
				pkg, cerrs := check.Check(fset, f)
				if len(errs)+len(cerrs) > 0 {
					b.Fatal(errs, cerrs)
				}
				if _, err := pkg.Program(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLongSum times the front end on one expression of n terms.
func BenchmarkLongSum(b *testing.B) { benchShape(b, genSum, []int{2000, 4000, 8000, 16000}) }

// BenchmarkElseIf times the front end on an else-if chain of n branches.
func BenchmarkElseIf(b *testing.B) { benchShape(b, genElseIf, []int{1000, 2000, 4000, 8000}) }
