package parser

import (
	"fmt"
	"go/token"
	"strings"
	"testing"

	"github.com/rose-go/rose/diag"
)

func parseString(t *testing.T, src string) (*File, diag.List, *token.FileSet) {
	t.Helper()
	fset := token.NewFileSet()
	f, errs := ParseFile(fset, "t.rose", []byte(src))
	for _, e := range errs {
		if e.Code == "internal" {
			t.Fatalf("internal error: %s", e.Msg)
		}
	}
	return f, errs, fset
}

func errLines(fset *token.FileSet, errs diag.List) string {
	var s []string
	for _, e := range errs {
		p := fset.Position(e.Pos)
		s = append(s, p.String()[len("t.rose:"):]+": "+e.Msg)
	}
	return strings.Join(s, "\n")
}

// TestRecoverStatements checks the shape of what recovery keeps of a
// function whose body has syntax errors.
func TestRecoverStatements(t *testing.T) {
	src := `fn helper(x: Real) -> Real { x * 2.0 }
fn f(x: Real) -> Real {
    let y = helper(x)
    let z = y * )
    var (a, b) = 1
    for i in 0.. { y = 1 }
    z + nosuch
}
fn g(x: Real) -> Real { f(x) + 1.0 }
`
	f, errs, fset := parseString(t, src)
	want := `4:17: unexpected ")", expected an expression
5:5: var cannot destructure a tuple; use let
6:27: unexpected newline, expected "{"`
	if got := errLines(fset, errs); got != want {
		t.Errorf("errors:\n%s\nwant:\n%s", got, want)
	}
	if len(f.Decls) != 3 {
		t.Fatalf("%d declarations, want 3", len(f.Decls))
	}
	fn, ok := f.Decls[1].(*FuncDecl)
	if !ok {
		t.Fatalf("f is a %T", f.Decls[1])
	}
	b := fn.Body
	if len(b.Stmts) != 4 || b.Result == nil {
		t.Fatalf("body has %d statements and result %v, want 4 and z + nosuch", len(b.Stmts), b.Result)
	}
	let, ok := b.Stmts[1].(*LetStmt)
	if !ok || let.Names[0].Name != "z" {
		t.Fatalf("statement 2 is %T, want the let of z", b.Stmts[1])
	}
	if bad, ok := let.Value.(*BadExpr); !ok || fset.Position(bad.From).Column != 13 || bad.To != b.Stmts[1].End() {
		t.Errorf("z's value is %T %v, want a BadExpr from column 13", let.Value, let.Value)
	}
	if _, ok := b.Stmts[2].(*LetStmt); !ok {
		t.Errorf("statement 3 is %T, want a LetStmt", b.Stmts[2])
	}
	bad, ok := b.Stmts[3].(*BadStmt)
	if !ok {
		t.Fatalf("statement 4 is %T, want a BadStmt", b.Stmts[3])
	}
	if got := src[fset.Position(bad.From).Offset:fset.Position(bad.To).Offset]; got != "for i in 0.. { y = 1 }" {
		t.Errorf("BadStmt covers %q", got)
	}
	n := 0
	Inspect(fn, func(Node) bool { n++; return true })
	if n == 0 {
		t.Error("Inspect visited nothing")
	}
}

// TestRecoverCases checks the errors reported for broken items: one per
// bad statement, and what kind of declaration survives.
func TestRecoverCases(t *testing.T) {
	tests := []struct {
		src, errs, decl string
	}{
		{"fn f() -> Real {\n  let a = (1 +\n  let b = 2\n  b\n}", `3:3: unexpected keyword let, expected an expression`, "*parser.FuncDecl"},
		{"fn f() -> Real {\n  a b c\n  1\n}", `2:5: unexpected name b, expected a newline, ";" or "}"`, "*parser.FuncDecl"},
		{"fn f() -> Real {\n  1", `2:4: unexpected end of file, expected a newline, ";" or "}"`, "*parser.FuncDecl"},
		{"fn f() -> Real {", `1:17: unexpected end of file, expected "}"`, "*parser.FuncDecl"},
		{"fn f() -> Real { g(1, 2", `1:24: unexpected end of file, expected ")"`, "*parser.FuncDecl"},
		{"fn f() -> Real { 1 } }", `1:22: unexpected "}", expected end of declaration`, "*parser.FuncDecl"},
		{"fn f() -> Real { ) ; ] ; 1 }", "1:18: unexpected \")\", expected an expression\n1:22: unexpected \"]\", expected an expression", "*parser.FuncDecl"},
		{"fn f() -> Real {\n  if x { let = 1 } else { ) }\n  2\n}", "2:14: unexpected \"=\", expected a name or \"(\"\n2:27: unexpected \")\", expected an expression", "*parser.FuncDecl"},
		{"test t {\n  assert 1 +\n  assert true\n}", `3:3: unexpected keyword assert, expected an expression`, "*parser.TestDecl"},
		{"fn f(x: Real -> Real { x }", `1:14: unexpected "->", expected ")"`, "*parser.BadDecl f"},
		{"fn (((", `1:4: unexpected "(", expected a name`, "*parser.BadDecl"},
		{"struct S { x: Real y: Real }", `1:20: unexpected name y, expected "}"`, "*parser.BadDecl S"},
		{"const c = P { 1 }", `1:13: unexpected "{", expected end of declaration`, "*parser.ConstDecl"},
	}
	for _, tt := range tests {
		f, errs, fset := parseString(t, tt.src)
		if got := errLines(fset, errs); got != tt.errs {
			t.Errorf("%q: errors:\n%s\nwant:\n%s", tt.src, got, tt.errs)
		}
		if len(f.Decls) != 1 {
			t.Errorf("%q: %d declarations", tt.src, len(f.Decls))
			continue
		}
		got := fmt.Sprintf("%T", f.Decls[0])
		if bd, ok := f.Decls[0].(*BadDecl); ok && bd.Name != nil {
			got += " " + bd.Name.Name
		}
		if got != tt.decl {
			t.Errorf("%q: declaration %s, want %s", tt.src, got, tt.decl)
		}
	}
}

// TestDocComments checks the Doc of declarations and struct fields: the
// comment lines just above, without "// ", up to a blank line or code.
func TestDocComments(t *testing.T) {
	src := `// not attached: a blank line follows

// f doubles.
//
//   indented
//no space
fn f(x: Real) -> Real { x * 2.0 } // trailing, not a doc
// c is one.
const c = 1.0
type V = [2]Real
// P is a point.
struct P {
    // x is across.
    x: Real, y: Real
    z: Real // trailing

    // w follows a blank line.
    w: Real
}
struct Q { a: Real }
// broken.
fn g() -> Real {
    let = 1
    2.0
}
// t tests.
test t { assert true }
`
	f, _, _ := parseString(t, src)
	docs := map[string]string{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *FuncDecl:
			docs[d.Name.Name] = d.Doc
		case *ConstDecl:
			docs[d.Name.Name] = d.Doc
		case *TypeDecl:
			docs[d.Name.Name] = d.Doc
		case *TestDecl:
			docs[d.Name.Name] = d.Doc
		case *StructDecl:
			docs[d.Name.Name] = d.Doc
			for _, fd := range d.Fields {
				docs[d.Name.Name+"."+fd.Name.Name] = fd.Doc
			}
		}
	}
	want := map[string]string{
		"f": "f doubles.\n\n  indented\nno space", "c": "c is one.", "V": "",
		"P": "P is a point.", "P.x": "x is across.", "P.y": "", "P.z": "", "P.w": "w follows a blank line.",
		"Q": "", "Q.a": "", "g": "broken.", "t": "t tests.",
	}
	for k, w := range want {
		if got, ok := docs[k]; !ok || got != w {
			t.Errorf("Doc of %s = %q (found %v), want %q", k, got, ok, w)
		}
	}
}
