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
	f.Add([]byte("fn f(x: Real) -> Real {\n  let z = x * )\n  z + 1\n}\nfn g() -> Real { f(1.0"))
	f.Add([]byte("test t {\n  assert (1 <\n  let a = [for i in 0..2 { ) }]\n}\nconst c = P { 1 }"))
	f.Fuzz(func(t *testing.T, src []byte) {
		fset := token.NewFileSet()
		file, errs := parser.ParseFile(fset, "fuzz.rose", src)
		tf := fset.File(file.FileEnd)
		inFile := func(p token.Pos) bool { return p >= token.Pos(tf.Base()) && p <= token.Pos(tf.Base()+tf.Size()) }
		for _, d := range file.Decls {
			if !inFile(d.Pos()) || !inFile(d.End()) || d.End() < d.Pos() {
				t.Fatalf("declaration %T has span %d..%d outside the file", d, d.Pos(), d.End())
			}
			// Every node, recovered ones included, lies inside its declaration.
			parser.Inspect(d, func(n parser.Node) bool {
				if n.Pos() < d.Pos() || n.End() > d.End() || n.End() < n.Pos() {
					t.Fatalf("%T has span %d..%d outside its declaration's %d..%d", n, n.Pos(), n.End(), d.Pos(), d.End())
				}
				return true
			})
		}
		if len(errs) == 0 {
			for _, d := range file.Decls {
				parser.Inspect(d, func(n parser.Node) bool {
					switch n.(type) {
					case *parser.BadDecl, *parser.BadStmt, *parser.BadExpr:
						t.Fatalf("%T without a syntax error", n)
					}
					return true
				})
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
