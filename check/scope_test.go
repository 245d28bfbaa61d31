package check_test

import (
	"fmt"
	"go/token"
	"strings"
	"testing"

	"github.com/rose-go/rose/check"
	"github.com/rose-go/rose/parser"
)

const sidesSrc = `struct P { x: Real, y: Real }

const c = 2.0

fn f<n>(a: [n]Real, p: P) -> Real {
    let q = P { x: p.x, y: 1.0 }
    let b = q.y + c
    var t = 0.0
    for i in 0..n {
        let b = a[i] * b
        t += b
    }
    let s = sum([for j in 0..n { a[j] + real(j) }])
    if t > 0.0 { let u = t; u + s + b } else { s }
}

test shadow {
    let z = 1.0
    let w = { let z = 2.0; z + 1.0 }
    assert w == 3.0
    assert z == 1.0
}
`

type sides struct {
	t    *testing.T
	src  string
	base int
	pkg  *check.Package
}

func checkSides(t *testing.T, src string) *sides {
	t.Helper()
	fset := token.NewFileSet()
	f, perrs := parser.ParseFile(fset, "sides.rose", []byte(src))
	if len(perrs) > 0 {
		t.Fatalf("parse: %v", perrs)
	}
	pkg, errs := check.Check(fset, f)
	if len(errs) > 0 {
		t.Fatalf("check: %v", errs)
	}
	return &sides{t: t, src: src, base: fset.File(f.FileEnd).Base(), pkg: pkg}
}

// at is the position of the only occurrence of sub in the source, plus off.
func (s *sides) at(sub string, off int) token.Pos {
	s.t.Helper()
	i := strings.Index(s.src, sub)
	if i < 0 || strings.Count(s.src, sub) != 1 {
		s.t.Fatalf("%q is not in the source exactly once", sub)
	}
	return token.Pos(s.base + i + off)
}

// ident is the name at pos in m (Uses or Defs).
func (s *sides) ident(m map[*parser.Ident]check.Object, pos token.Pos) check.Object {
	s.t.Helper()
	for id, o := range m {
		if id.Pos() == pos {
			return o
		}
	}
	s.t.Fatalf("no name at %v", pos)
	return nil
}

func TestFieldObjects(t *testing.T) {
	s := checkSides(t, sidesSrc)
	px := s.at("x: Real", 0)
	py := s.at("y: Real", 0)
	fx, ok := s.ident(s.pkg.Defs, px).(*check.Field)
	if !ok || fx.Name != "x" || fx.ObjName() != "x" || fx.ObjPos() != px {
		t.Fatalf("Defs at field x: %#v", fx)
	}
	fy, _ := s.ident(s.pkg.Defs, py).(*check.Field)
	if fy == nil || fy.ObjPos() != py {
		t.Fatalf("Defs at field y: %#v", fy)
	}

	// Selections: p.x and q.y, with the field name in Uses too.
	if len(s.pkg.Selections) != 2 {
		t.Fatalf("got %d selections, want 2", len(s.pkg.Selections))
	}
	for sel, f := range s.pkg.Selections {
		want := map[string]*check.Field{"x": fx, "y": fy}[sel.Sel.Name]
		if f != want {
			t.Errorf("selection .%s: got %v, want the field declared at %v", sel.Sel.Name, f, want.Pos)
		}
		if s.pkg.Uses[sel.Sel] != f {
			t.Errorf("Uses of .%s: %v", sel.Sel.Name, s.pkg.Uses[sel.Sel])
		}
	}

	// Struct literal field names are uses of the fields.
	if o := s.ident(s.pkg.Uses, s.at("x: p.x", 0)); o != fx {
		t.Errorf("literal field x: got %v", o)
	}
	if o := s.ident(s.pkg.Uses, s.at("y: 1.0", 0)); o != fy {
		t.Errorf("literal field y: got %v", o)
	}
	// The struct type's fields are the same objects.
	o := s.ident(s.pkg.Defs, s.at("P { x: Real", 0)).(*check.TypeObj)
	if st := o.Type.(*check.Struct); &st.Fields[0] != fx || &st.Fields[1] != fy {
		t.Error("Defs do not point into Struct.Fields")
	}
}

func names(objs []check.Object) string {
	var b []string
	for _, o := range objs {
		b = append(b, o.ObjName())
	}
	return strings.Join(b, " ")
}

func TestScopes(t *testing.T) {
	s := checkSides(t, sidesSrc)
	pkg := s.pkg
	def := func(sub string) check.Object { return s.ident(pkg.Defs, s.at(sub, 0)) }
	lookup := func(name string, pos token.Pos) check.Object { return pkg.ScopeAt(pos).Lookup(name, pos) }

	// The file scope and the universe.
	file := pkg.Scope()
	if file.Parent() != check.Universe() || check.Universe().Parent() != nil {
		t.Fatal("the file scope's parent is not the universe")
	}
	if got := names(file.Objects()); got != "P c f" {
		t.Errorf("file scope: %q", got)
	}
	if _, ok := check.Universe().Lookup("sqrt", token.NoPos).(*check.BuiltinObj); !ok {
		t.Error("sqrt is not in the universe")
	}
	if _, ok := check.Universe().Lookup("Real", token.NoPos).(*check.TypeObj); !ok {
		t.Error("Real is not in the universe")
	}
	if pkg.ScopeAt(s.at("struct P", 0)) != file {
		t.Error("a struct declaration is not in the file scope")
	}

	// Function scope: size parameters in the signature, parameters in the body.
	sig := s.at("[n]Real, p", 1)
	if lookup("n", sig) != def("n>(") {
		t.Error("n is not visible in the signature")
	}
	if lookup("a", sig) != nil {
		t.Error("a parameter is visible in the signature")
	}

	// A let is visible after its statement only.
	inQ := s.at("q.y + c", 0)
	if lookup("q", inQ) != def("q = P") || lookup("c", inQ) != def("c = 2.0") {
		t.Error("q or c not visible in the next let")
	}
	if lookup("b", inQ) != nil || lookup("t", inQ) != nil {
		t.Error("b or t visible before its let")
	}
	if got := names(pkg.ScopeAt(inQ).Names(inQ)); !strings.HasPrefix(got, "q n a p P c f Real Int Bool sqrt") || !strings.HasSuffix(got, " pi") {
		t.Errorf("names at q.y: %q", got)
	}

	// The loop body: the index, and shadowing of b.
	outerB, innerB := def("b = q.y"), def("b = a[i]")
	inLet := s.at("a[i] * b", 7)
	if lookup("b", inLet) != outerB {
		t.Error("the b inside its own let is not the outer b")
	}
	if lookup("b", inLet) != pkg.Uses[identAt(pkg, inLet)] {
		t.Error("ScopeAt disagrees with Uses")
	}
	after := s.at("t += b", 5)
	if lookup("b", after) != innerB {
		t.Error("the inner b does not shadow the outer b after its let")
	}
	if got := names(pkg.ScopeAt(after).Names(after)); !strings.HasPrefix(got, "b i q t n a p P c f Real") {
		t.Errorf("names in the loop body: %q", got)
	}
	if lookup("i", after) != def("i in") {
		t.Error("the loop index is not visible in the body")
	}
	rng := s.at("0..n {\n        let b", 3)
	if lookup("i", rng) != nil || lookup("n", rng) == nil {
		t.Error("the loop index is visible in its range")
	}
	body := pkg.ScopeAt(after)
	if body.Pos() != s.at("{\n        let b", 0) || body.End() != s.at("}\n    let s", 1) {
		t.Errorf("loop body scope spans %v..%v", body.Pos(), body.End())
	}

	// Comprehension index, and scopes ending.
	inComp := s.at("a[j] +", 2)
	if lookup("j", inComp) != def("j in") || lookup("i", inComp) != nil {
		t.Error("comprehension index")
	}
	end := s.at("u + s + b", 0)
	if lookup("j", end) != nil || lookup("u", end) != def("u = t") || lookup("b", end) != outerB {
		t.Error("names in an if branch")
	}
	if elseArm := s.at("{ s }", 2); lookup("u", elseArm) != nil || lookup("s", elseArm) != def("s = sum") {
		t.Error("names in the else branch")
	}

	// Test blocks and nested blocks.
	inner := s.at("z + 1.0", 0)
	if lookup("z", inner) != def("z = 2.0") || lookup("w", inner) != nil {
		t.Error("nested block in a test")
	}
	if a := s.at("z == 1.0", 0); lookup("z", a) != def("z = 1.0") || lookup("w", a) != def("w = {") {
		t.Error("names in a test body")
	}
	if lookup("a", inner) != nil {
		t.Error("a function's parameter is visible in a test")
	}
	// Every source scope nests in its parent's span and children are ordered.
	var walk func(sc *check.Scope)
	walk = func(sc *check.Scope) {
		prev := token.NoPos
		for _, k := range sc.Children() {
			if k.Parent() != sc || k.Pos() < sc.Pos() || k.End() > sc.End() || k.Pos() < prev {
				t.Errorf("scope %v..%v badly nested in %v..%v", k.Pos(), k.End(), sc.Pos(), sc.End())
			}
			prev = k.Pos()
			walk(k)
		}
	}
	walk(file)
}

func identAt(pkg *check.Package, pos token.Pos) *parser.Ident {
	for id := range pkg.Uses {
		if id.Pos() == pos {
			return id
		}
	}
	return nil
}

func TestBuiltinSignature(t *testing.T) {
	if got := check.BuiltinSignature("sqrt"); got != "sqrt(x: Real) -> Real" {
		t.Errorf("sqrt: %q", got)
	}
	if got := check.BuiltinSignature("pi"); !strings.HasPrefix(got, "pi: Real") {
		t.Errorf("pi: %q", got)
	}
	if got := check.BuiltinSignature("nope"); got != "" {
		t.Errorf("nope: %q", got)
	}
	for _, o := range check.Universe().Objects() {
		if _, ok := o.(*check.TypeObj); !ok && check.BuiltinSignature(o.ObjName()) == "" {
			t.Errorf("%s has no signature", o.ObjName())
		}
	}
}

// TestConcurrentCheck checks one source from several goroutines at once: a
// language server checks documents in parallel, and Check shares only the
// read-only universe between them.
func TestConcurrentCheck(t *testing.T) {
	done := make(chan string)
	for w := 0; w < 4; w++ {
		go func() {
			fset := token.NewFileSet()
			f, _ := parser.ParseFile(fset, "sides.rose", []byte(sidesSrc))
			pkg, errs := check.Check(fset, f)
			pos := pkg.Scope().Children()[0].Pos()
			done <- fmt.Sprint(len(errs), names(pkg.ScopeAt(pos).Names(pos))[:20], len(check.Universe().Objects()))
		}()
	}
	first := <-done
	for w := 1; w < 4; w++ {
		if got := <-done; got != first {
			t.Errorf("got %q, then %q", first, got)
		}
	}
}
