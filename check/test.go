package check

import (
	"strconv"

	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/parser"
)

// Test is a checked `test` declaration.
type Test struct {
	Decl    *parser.TestDecl
	Name    string
	Asserts []*Assert // in source order
}

// Assert is one `assert` of a test. When its condition compares two values
// (==, !=, <, <=, >, >=), TestFunc also returns the two operands, so that
// a failure can show them.
type Assert struct {
	Stmt     *parser.AssertStmt
	Compare  *parser.BinaryExpr // the comparison, or nil
	Operands []Type             // the operands' types when Compare is set
}

// testDecl checks a test: its statements as in a function body without
// parameters, where asserts may stand at the top level, each with a Bool
// condition.
func (c *checker) testDecl(d *parser.TestDecl) {
	for _, t := range c.pkg.Tests {
		if t.Name == d.Name.Name && d.Name.Name != "_" {
			c.errorRel(d.Name, t.Decl.Name.Pos(), "first declared here", "duplicate", "test %s is declared twice", d.Name.Name)
			return
		}
	}
	t := &Test{Decl: d, Name: d.Name.Name}
	c.fn = nil
	s := c.openBlock(newScope(c.pkg.scope), d.Body)
	for _, st := range d.Body.Stmts {
		a, ok := st.(*parser.AssertStmt)
		if !ok {
			c.stmt(s, st)
			continue
		}
		if ct := c.expr(s, a.Cond, TBool); !isInvalid(ct) && !isKind(ct, BoolKind) {
			c.errorf(a.Cond, "type-mismatch", "an assert needs a Bool condition, not %s", ct)
			continue
		}
		as := &Assert{Stmt: a}
		if b, ok := unparen(a.Cond).(*parser.BinaryExpr); ok {
			switch b.Op {
			case "==", "!=", "<", "<=", ">", ">=":
				tx, ty := c.pkg.Types[b.X], c.pkg.Types[b.Y]
				if tx != nil && ty != nil && !isInvalid(tx) && !isInvalid(ty) {
					as.Compare, as.Operands = b, []Type{tx, ty}
				}
			}
		}
		t.Asserts = append(t.Asserts, as)
	}
	if d.Body.Result != nil {
		if rt := c.expr(s, d.Body.Result, nil); !isInvalid(rt) {
			c.errorf(d.Body.Result, "unused-value", "a test must not end with a value (it has type %s); assert something about it", rt)
		}
	}
	c.pkg.Tests = append(c.pkg.Tests, t)
}

// misplacedAssert reports an assert outside the top level of a test.
func (c *checker) misplacedAssert(s *scope, a *parser.AssertStmt) {
	c.expr(s, a.Cond, TBool)
	c.errorf(a, "misplaced-assert", "assert is allowed only at the top level of a test block: test name { ...; assert cond }")
}

func unparen(e parser.Expr) parser.Expr {
	for {
		p, ok := e.(*parser.ParenExpr)
		if !ok {
			return e
		}
		e = p.X
	}
}

// TestFunc lowers a test into a function without parameters that runs its
// statements and returns, for each assert in order, its condition followed,
// when the assert has a comparison, by the comparison's two operands.
func (p *Package) TestFunc(t *Test) (*ir.Func, error) {
	name := "test " + t.Name + " (line " + strconv.Itoa(p.Fset.Position(t.Decl.Pos()).Line) + ")"
	return p.lowerTuple(name, t.Decl.Pos(), func(l *lowerer, add func(ir.Var)) {
		k := 0
		for _, st := range t.Decl.Body.Stmts {
			a, ok := st.(*parser.AssertStmt)
			if !ok {
				l.stmt(st)
				continue
			}
			if k >= len(t.Asserts) || t.Asserts[k].Stmt != a {
				continue // not checked: cannot happen in a package without errors
			}
			as := t.Asserts[k]
			k++
			add(l.expr(a.Cond))
			if as.Compare != nil {
				add(l.expr(as.Compare.X))
				add(l.expr(as.Compare.Y))
			}
		}
	})
}
