package parser_test

import (
	"go/token"
	"testing"

	"github.com/rose-go/rose/parser"
)

// FuzzParse checks that parsing never panics and that every declaration
// and diagnostic has a position inside the file.
func FuzzParse(f *testing.F) {
	f.Add([]byte("fn f(x: Real) -> Real { x * x }\nexample f(2.0)\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		fset := token.NewFileSet()
		file, errs := parser.ParseFile(fset, "fuzz.rose", src)
		tf := fset.File(file.FileEnd)
		inFile := func(p token.Pos) bool { return p >= token.Pos(tf.Base()) && p <= token.Pos(tf.Base()+tf.Size()) }
		for _, d := range file.Decls {
			if !inFile(d.Pos()) || !inFile(d.End()) || d.End() < d.Pos() {
				t.Fatalf("declaration %T has span %d..%d outside the file", d, d.Pos(), d.End())
			}
		}
		for _, e := range errs {
			if !inFile(e.Pos) {
				t.Fatalf("diagnostic %q at %d is outside the file", e.Msg, e.Pos)
			}
			if e.Code == "internal" {
				t.Fatalf("internal error: %s", e.Msg)
			}
		}
	})
}
