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
