package format

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rose-go/rose/diag"
	"github.com/rose-go/rose/parser"
)

var (
	update       = flag.Bool("update", false, "rewrite testdata/*.golden from the formatter's output")
	allMutations = flag.Bool("allmutations", false, "check every variant in TestMutations, not a sample")
)

// TestGolden formats every testdata/*.rose file and compares the result
// with its .golden file, then checks the invariants on it.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "*.rose"))
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) < 10 {
		t.Fatalf("only %d golden inputs", len(inputs))
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Source(in, src)
			if err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimSuffix(in, ".rose") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./format -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s:\n%s", golden, lineDiff(string(want), string(got)))
			}
			checkInvariants(t, src, got)
		})
	}
}

// checkInvariants asserts, for a source that parses and its formatted form
// out: out parses, has the same AST and the same comments, is a fixed point
// of Source and has no trailing spaces.
func checkInvariants(t *testing.T, src, out []byte) {
	t.Helper()
	fset := token.NewFileSet()
	f1, errs := parser.ParseFile(fset, "in.rose", src)
	if len(errs) > 0 {
		t.Fatalf("input does not parse: %v", &diag.Error{Fset: fset, Diags: errs})
	}
	f2, errs := parser.ParseFile(fset, "out.rose", out)
	if len(errs) > 0 {
		t.Fatalf("output does not parse: %v\noutput:\n%s", &diag.Error{Fset: fset, Diags: errs}, out)
	}
	if d1, d2 := dumpFile(f1), dumpFile(f2); d1 != d2 {
		t.Fatalf("formatting changed the AST:\n%s\noutput:\n%s", lineDiff(d1, d2), out)
	}
	if c1, c2 := commentTexts(f1), commentTexts(f2); !slices.Equal(c1, c2) {
		t.Fatalf("comments changed:\nin:  %q\nout: %q\noutput:\n%s", c1, c2, out)
	}
	again, err := Source("out.rose", out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, out) {
		t.Fatalf("not idempotent:\n%s\nfirst output:\n%s", lineDiff(string(out), string(again)), out)
	}
	for i, l := range strings.Split(string(out), "\n") {
		if strings.TrimRight(l, " \t") != l {
			t.Fatalf("output line %d has trailing space: %q", i+1, l)
		}
	}
	if len(out) > 0 && (!bytes.HasSuffix(out, []byte("\n")) || bytes.HasSuffix(out, []byte("\n\n"))) {
		t.Fatalf("output does not end in exactly one newline: %q", out)
	}
}

// commentTexts lists a file's comments as the formatter prints them
// (trailing whitespace removed), in order.
func commentTexts(f *parser.File) []string {
	var cs []string
	for _, c := range f.Comments {
		cs = append(cs, strings.TrimRight(c.Text, " \t\r"))
	}
	return cs
}

func TestSyntaxError(t *testing.T) {
	src := []byte("fn f(x: Real) -> Real { x + }\n")
	out, err := Source("bad.rose", src)
	if out != nil {
		t.Errorf("formatted a file with syntax errors: %q", out)
	}
	var de *diag.Error
	if !errors.As(err, &de) || len(de.Diags) == 0 {
		t.Fatalf("error = %v, want a *diag.Error with diagnostics", err)
	}
}

func TestEmpty(t *testing.T) {
	for _, src := range []string{"", "\n", "\n\n  \n"} {
		out, err := Source("e.rose", []byte(src))
		if err != nil || len(out) != 0 {
			t.Errorf("Source(%q) = %q, %v; want empty", src, out, err)
		}
	}
}

// TestCases checks small layouts that are easier to read inline than as
// golden files.
func TestCases(t *testing.T) {
	cases := []struct{ in, want string }{
		{"const a=1\nconst b=2", "const a = 1\nconst b = 2\n"},
		{"const a=1\n\n\n\nconst b=2", "const a = 1\n\nconst b = 2\n"},
		{"const a = 1\nfn f() -> Real { 1.0 }", "const a = 1\n\nfn f() -> Real { 1.0 }\n"},
		{"fn f(x:Real)->Real{x*x}", "fn f(x: Real) -> Real { x * x }\n"},
		{"fn f(x: Real) -> Real {\nx*x}", "fn f(x: Real) -> Real {\n    x * x\n}\n"},
		{"fn f() -> Real { - 1 + -1 + -x }", "fn f() -> Real { - 1 + -1 + -x }\n"},
		{"fn f() -> (Real,) { (1.0,) }", "fn f() -> (Real,) { (1.0,) }\n"},
		{"fn f() -> (Real) { (1.0) }", "fn f() -> Real { (1.0) }\n"},
		{"example f(1, // one\n2)", "example f(\n    1, // one\n    2,\n)\n"},
		{"fn f() -> Real { 1 + // c\n 2 }", "fn f() -> Real {\n    1 + 2 // c\n}\n"},
		{"fn f() -> Real { 1 .0 + t.0.1 + t . 0 }", "fn f() -> Real { 1 .0 + t.0.1 + t.0 }\n"},
		{"// only a comment   ", "// only a comment\n"},
		{"struct S {\n}", "struct S {}\n"},
		{"fn f() -> Real { for i in 0..n {}; 1 }", "fn f() -> Real { for i in 0..n {}; 1 }\n"},
		{"fn f() -> Real {\n    if a { b } // c\n    else { d }\n}", "fn f() -> Real {\n    if a { b } else { d } // c\n}\n"},
	}
	for _, c := range cases {
		got, err := Source("c.rose", []byte(c.in))
		if err != nil {
			t.Errorf("Source(%q): %v", c.in, err)
			continue
		}
		if string(got) != c.want {
			t.Errorf("Source(%q) =\n%s\nwant\n%s", c.in, got, c.want)
			continue
		}
		checkInvariants(t, []byte(c.in), got)
	}
}

// FuzzFormat checks, for every input that parses, that the output parses
// to the same AST with the same comments and is a fixed point.
func FuzzFormat(f *testing.F) {
	inputs, _ := filepath.Glob(filepath.Join("testdata", "*.rose"))
	for _, in := range inputs {
		src, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		out, err := Source("fuzz.rose", src)
		if err != nil {
			return
		}
		checkInvariants(t, src, out)
	})
}

// ---- Position-free AST dump

// dumpFile renders f's declarations as an indented tree without positions,
// so that two parses of differently laid out text can be compared.
func dumpFile(f *parser.File) string {
	var d dumper
	for _, x := range f.Decls {
		d.node(x, 0)
	}
	return d.b.String()
}

type dumper struct{ b strings.Builder }

func (d *dumper) line(depth int, format string, args ...any) {
	d.b.WriteString(strings.Repeat("  ", depth))
	fmt.Fprintf(&d.b, format, args...)
	d.b.WriteByte('\n')
}

func (d *dumper) node(n any, k int) {
	switch n := n.(type) {
	case nil:
		d.line(k, "nil")
	// Declarations.
	case *parser.BadDecl:
		d.line(k, "BadDecl")
	case *parser.FuncDecl:
		d.line(k, "Func %s", n.Name.Name)
		for _, s := range n.Sizes {
			d.line(k+1, "size %s", s.Name)
		}
		for _, q := range n.Params {
			d.node(q, k+1)
		}
		d.node(n.Result, k+1)
		if n.Rule != nil {
			d.line(k+1, "jvp %s", n.Rule.Name)
		}
		d.node(n.Body, k+1)
	case *parser.ConstDecl:
		d.line(k, "Const %s", n.Name.Name)
		if n.Type != nil {
			d.node(n.Type, k+1)
		}
		d.node(n.Value, k+1)
	case *parser.TypeDecl:
		d.line(k, "Type %s", n.Name.Name)
		d.node(n.Type, k+1)
	case *parser.StructDecl:
		d.line(k, "Struct %s", n.Name.Name)
		for _, q := range n.Fields {
			d.node(q, k+1)
		}
	case *parser.ExampleDecl:
		d.line(k, "Example")
		d.node(n.Call, k+1)
	case *parser.Param:
		d.line(k, "Param %s", n.Name.Name)
		d.node(n.Type, k+1)
	// Types.
	case *parser.NamedType:
		d.line(k, "NamedType %s", n.Name.Name)
	case *parser.ArrayType:
		d.line(k, "ArrayType")
		d.node(n.Len, k+1)
		d.node(n.Elem, k+1)
	case *parser.TupleType:
		d.line(k, "TupleType %d", len(n.Elems))
		for _, e := range n.Elems {
			d.node(e, k+1)
		}
	// Statements.
	case *parser.LetStmt:
		names := make([]string, len(n.Names))
		for i, id := range n.Names {
			names[i] = id.Name
		}
		d.line(k, "Let var=%v tuple=%v %s", n.Var, n.Tuple, strings.Join(names, ","))
		if n.Type != nil {
			d.node(n.Type, k+1)
		}
		d.node(n.Value, k+1)
	case *parser.AssignStmt:
		d.line(k, "Assign %s %s", n.Target.Name, n.Op)
		if n.Place != nil {
			d.node(n.Place, k+1)
		}
		d.node(n.Value, k+1)
	case *parser.ForStmt:
		d.line(k, "For %s", n.Index.Name)
		d.node(n.Lo, k+1)
		d.node(n.Hi, k+1)
		d.node(n.Body, k+1)
	case *parser.WhileStmt:
		d.line(k, "While")
		d.node(n.Cond, k+1)
		if n.Max != nil {
			d.node(n.Max, k+1)
		}
		d.node(n.Body, k+1)
	case *parser.ExprStmt:
		d.line(k, "ExprStmt")
		d.node(n.X, k+1)
	// Expressions.
	case *parser.BadExpr:
		d.line(k, "BadExpr")
	case *parser.Ident:
		d.line(k, "Ident %s", n.Name)
	case *parser.NumberLit:
		d.line(k, "Number %s int=%v", n.Value, n.IsInt)
	case *parser.BoolLit:
		d.line(k, "Bool %v", n.Value)
	case *parser.UnaryExpr:
		d.line(k, "Unary %s", n.Op)
		d.node(n.X, k+1)
	case *parser.BinaryExpr:
		d.line(k, "Binary %s", n.Op)
		d.node(n.X, k+1)
		d.node(n.Y, k+1)
	case *parser.ParenExpr:
		d.line(k, "Paren")
		d.node(n.X, k+1)
	case *parser.TupleExpr:
		d.line(k, "Tuple %d", len(n.Elems))
		for _, e := range n.Elems {
			d.node(e, k+1)
		}
	case *parser.ArrayLit:
		d.line(k, "Array %d", len(n.Elems))
		for _, e := range n.Elems {
			d.node(e, k+1)
		}
	case *parser.ForExpr:
		d.line(k, "ForExpr")
		d.node(n.Loop, k+1)
	case *parser.StructLit:
		d.line(k, "StructLit %s", n.Type.Name)
		for _, fi := range n.Fields {
			d.line(k+1, "field %s", fi.Name.Name)
			d.node(fi.Value, k+2)
		}
	case *parser.IndexExpr:
		d.line(k, "Index")
		d.node(n.X, k+1)
		d.node(n.Index, k+1)
	case *parser.SelectorExpr:
		d.line(k, "Selector %s", n.Sel.Name)
		d.node(n.X, k+1)
	case *parser.CallExpr:
		d.line(k, "Call %d", len(n.Args))
		d.node(n.Fun, k+1)
		for _, a := range n.Args {
			d.node(a, k+1)
		}
	case *parser.IfExpr:
		d.line(k, "If")
		d.node(n.Cond, k+1)
		d.node(n.Then, k+1)
		if n.Else != nil {
			d.node(n.Else, k+1)
		}
	case *parser.Block:
		d.line(k, "Block %d result=%v", len(n.Stmts), n.Result != nil)
		for _, s := range n.Stmts {
			d.node(s, k+1)
		}
		if n.Result != nil {
			d.node(n.Result, k+1)
		}
	default:
		d.line(k, "unknown %T", n)
	}
}

// lineDiff shows the first differing line of a and b with some context.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y || i >= len(al) || i >= len(bl) {
			return fmt.Sprintf("line %d:\n-%q\n+%q", i+1, x, y)
		}
	}
	return "(no line differs)"
}

// TestMutations inserts a comment, a line break or a blank line at every
// space of every golden input and checks the invariants on each variant
// that still parses. It finds layout decisions that depend on line breaks.
// By default it checks one variant in 10 (one in 50 with -short);
// -allmutations checks them all.
func TestMutations(t *testing.T) {
	inputs, _ := filepath.Glob(filepath.Join("testdata", "*.rose"))
	inserts := []string{" // c\n", "\n", "\n\n", "// a\n// b\n"}
	n := 0
	for _, in := range inputs {
		src, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(src); i++ {
			if src[i] != ' ' && src[i] != '\n' {
				continue
			}
			for k, ins := range inserts {
				stride := 10
				if testing.Short() {
					stride = 50
				}
				if !*allMutations && (i+k)%stride != 0 {
					continue
				}
				mut := slices.Concat(src[:i], []byte(ins), src[i:])
				out, err := Source("mut.rose", mut)
				if err != nil {
					continue
				}
				n++
				t.Run(fmt.Sprintf("%s@%d/%d", filepath.Base(in), i, k), func(t *testing.T) {
					checkInvariants(t, mut, out)
				})
			}
		}
	}
	t.Logf("%d variants checked", n)
}

// BenchmarkLongSum formats one expression of n terms; the time per op
// should double with n.
func BenchmarkLongSum(b *testing.B) {
	for _, n := range []int{2000, 4000, 8000, 16000} {
		src := []byte("fn f(x: Real) -> Real { x" + strings.Repeat(" + x", n-1) + " }\n")
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Source("sum.rose", src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
