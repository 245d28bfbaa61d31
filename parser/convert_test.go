package parser

import (
	"go/token"
	"strings"

	"github.com/rose-go/rose/grammar"
	"github.com/rose-go/rose/grammar/lex"
)

// This file lowers participle's grammar structs into the AST, applying
// operator precedence and the few rules the grammar leaves open. With
// participle (parseItemParticiple) it is the reference that the production
// parser is tested against; the production build needs neither.

func (p *parser) decl(g *grammar.Item) Decl {
	switch {
	case g.Fn != nil:
		fn := g.Fn
		d := &FuncDecl{Fn: p.lpos(fn.Pos), Name: p.name(fn.Name), Result: p.typ(fn.Result), Body: p.block(fn.Body)}
		for _, s := range fn.Sizes {
			d.Sizes = append(d.Sizes, p.name(s))
		}
		if fn.Rule != nil {
			d.Rule = p.name(fn.Rule)
		}
		for _, q := range fn.Params {
			d.Params = append(d.Params, &Param{Name: p.name(q.Name), Type: p.typ(q.Type)})
		}
		return d
	case g.Const != nil:
		c := g.Const
		d := &ConstDecl{Const: p.lpos(c.Pos), Name: p.name(c.Name), Value: p.expr(c.Value)}
		if c.Type != nil {
			d.Type = p.typ(c.Type)
		}
		return d
	case g.Type != nil:
		return &TypeDecl{TypePos: p.lpos(g.Type.Pos), Name: p.name(g.Type.Name), Type: p.typ(g.Type.Type)}
	case g.Struct != nil:
		s := g.Struct
		d := &StructDecl{Struct: p.lpos(s.Pos), Name: p.name(s.Name), Rbrace: p.lpos(s.Close.Pos)}
		for _, f := range s.Fields {
			d.Fields = append(d.Fields, &Param{Name: p.name(f.Name), Type: p.typ(f.Type)})
		}
		return d
	case g.Example != nil:
		return &ExampleDecl{Example: p.lpos(g.Example.Pos), Call: p.expr(g.Example.Call)}
	case g.Test != nil:
		return &TestDecl{Test: p.lpos(g.Test.Pos), Name: p.name(g.Test.Name), Body: p.block(g.Test.Body)}
	}
	return nil
}

func (p *parser) name(n *grammar.Name) *Ident {
	id := &Ident{NamePos: p.lpos(n.Pos), Name: n.Name}
	if lex.IsKeyword(n.Name) {
		p.errorf(id.NamePos, "syntax", "keyword %s cannot be used as a name", n.Name)
	}
	return id
}

func (p *parser) typ(t *grammar.Type) TypeExpr {
	switch {
	case t.Array != nil:
		return &ArrayType{Lbrack: p.lpos(t.Array.Pos), Len: p.expr(t.Array.Len), Elem: p.typ(t.Array.Elem)}
	case t.Tuple != nil:
		if len(t.Tuple.Elems) == 1 && !t.Tuple.Trail {
			return p.typ(t.Tuple.Elems[0])
		}
		tt := &TupleType{Lparen: p.lpos(t.Tuple.Pos), Rparen: p.lpos(t.Tuple.Close.Pos)}
		for _, e := range t.Tuple.Elems {
			tt.Elems = append(tt.Elems, p.typ(e))
		}
		return tt
	}
	return &NamedType{Name: p.name(t.Name)}
}

func (p *parser) block(b *grammar.Block) *Block {
	blk := &Block{Lbrace: p.lpos(b.Pos), Rbrace: p.lpos(b.Close.Pos)}
	for i, it := range b.Items {
		last := i == len(b.Items)-1
		switch {
		case it.Let != nil:
			blk.Stmts = append(blk.Stmts, p.let(it.Let))
		case it.For != nil:
			blk.Stmts = append(blk.Stmts, p.forStmt(it.For))
		case it.While != nil:
			w := &WhileStmt{While: p.lpos(it.While.Pos), Cond: p.expr(it.While.Cond), Body: p.block(it.While.Body)}
			if it.While.Max != nil {
				w.Max = p.expr(it.While.Max)
			}
			blk.Stmts = append(blk.Stmts, w)
		case it.Assert != nil:
			blk.Stmts = append(blk.Stmts, &AssertStmt{Assert: p.lpos(it.Assert.Pos), Cond: p.expr(it.Assert.Cond)})
		case it.Assign != nil:
			x := p.expr(it.Expr)
			target, place, ok := AssignTarget(x)
			if !ok {
				p.errorf(x.Pos(), "syntax", "%s", badTarget)
			}
			blk.Stmts = append(blk.Stmts, &AssignStmt{Target: target, Place: place, OpPos: p.lpos(it.Assign.Pos), Op: it.Assign.Op, Value: p.expr(it.Assign.Value)})
		default:
			x := p.expr(it.Expr)
			if last {
				blk.Result = x
			} else {
				blk.Stmts = append(blk.Stmts, &ExprStmt{X: x})
			}
		}
	}
	return blk
}

func (p *parser) let(l *grammar.Let) *LetStmt {
	s := &LetStmt{Let: p.lpos(l.Pos), Var: l.Keyword == "var", Value: p.expr(l.Value)}
	if l.Name != nil {
		s.Names = []*Ident{p.name(l.Name)}
	} else {
		s.Tuple = true
		for _, n := range l.Names {
			s.Names = append(s.Names, p.name(n))
		}
		if s.Var {
			p.errorf(s.Let, "syntax", "var cannot destructure a tuple; use let")
		}
	}
	if l.Type != nil {
		s.Type = p.typ(l.Type)
	}
	return s
}

func (p *parser) forStmt(f *grammar.For) *ForStmt {
	return &ForStmt{For: p.lpos(f.Pos), Index: p.name(f.Index), Lo: p.expr(f.Lo), Hi: p.expr(f.Hi), Body: p.block(f.Body)}
}

// precedence of binary operators; higher binds tighter.
var precedence = map[string]int{
	"||": 1, "&&": 2,
	"==": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3,
	"+": 4, "-": 4, "*": 5, "/": 5, "%": 5,
}

// expr applies precedence to the flat operand/operator chain by precedence
// climbing. Comparisons do not associate: `a < b < c` is an error.
func (p *parser) expr(e *grammar.Expr) Expr {
	operands := []Expr{p.operand(e.Left)}
	for _, r := range e.Rest {
		operands = append(operands, p.operand(r.Right))
	}
	i := 0
	return p.climb(e, operands, &i, 1)
}

// climb parses, starting at operand xs[*i], the longest chain whose
// operators bind at least as tightly as minPrec. e.Rest[k] is the operator
// between xs[k] and xs[k+1]; recursion depth is bounded by the number of
// precedence levels.
func (p *parser) climb(e *grammar.Expr, xs []Expr, i *int, minPrec int) Expr {
	lhs := xs[*i]
	for *i < len(e.Rest) && precedence[e.Rest[*i].Op] >= minPrec {
		op := e.Rest[*i]
		prec := precedence[op.Op]
		*i++
		rhs := p.climb(e, xs, i, prec+1)
		if b, ok := lhs.(*BinaryExpr); ok && prec == 3 && precedence[b.Op] == 3 {
			p.errorf(p.lpos(op.Pos), "syntax", "comparison operators do not chain; write (a %s b) && (b %s c)", b.Op, op.Op)
		}
		lhs = &BinaryExpr{X: lhs, OpPos: p.lpos(op.Pos), Op: op.Op, Y: rhs, start: lhs.Pos()}
	}
	return lhs
}

func (p *parser) operand(o *grammar.Operand) Expr {
	x := p.primary(o.Primary)
	for _, s := range o.Suffixes {
		switch {
		case s.Index != nil:
			x = &IndexExpr{X: x, Lbrack: p.lpos(s.Pos), Index: p.expr(s.Index), Rbrack: p.lpos(s.IndexClose.Pos)}
		case s.Field != nil:
			// `t.0.1` lexes as "t" "." "0.1": split the number into two
			// tuple selectors.
			pos := p.lpos(s.Pos) + 1
			for j, part := range strings.Split(*s.Field, ".") {
				if j > 0 {
					pos++
				}
				x = &SelectorExpr{X: x, Sel: &Ident{NamePos: pos, Name: part}}
				pos += token.Pos(len(part))
			}
		case s.Call != nil:
			c := &CallExpr{Fun: x, Lparen: p.lpos(s.Call.Pos), Rparen: p.lpos(s.Call.Close.Pos)}
			for _, a := range s.Call.Args {
				c.Args = append(c.Args, p.expr(a))
			}
			x = c
		}
	}
	for i := len(o.Prefix) - 1; i >= 0; i-- {
		pre := o.Prefix[i]
		// A negative literal stays a literal, so that constants like -1
		// and -0.5 fold and print as written.
		if n, ok := x.(*NumberLit); ok && pre.Op == "-" && i == len(o.Prefix)-1 && len(o.Suffixes) == 0 && p.lpos(pre.Pos)+1 == n.ValuePos {
			x = &NumberLit{ValuePos: p.lpos(pre.Pos), Value: "-" + n.Value, IsInt: n.IsInt}
			continue
		}
		x = &UnaryExpr{OpPos: p.lpos(pre.Pos), Op: pre.Op, X: x}
	}
	return x
}

func (p *parser) primary(g *grammar.Primary) Expr {
	pos := p.lpos(g.Pos)
	switch {
	case g.Number != nil:
		return &NumberLit{ValuePos: pos, Value: *g.Number, IsInt: isIntLit(*g.Number)}
	case g.Bool != nil:
		return &BoolLit{ValuePos: pos, Value: *g.Bool == "true"}
	case g.If != nil:
		return p.ifExpr(g.If)
	case g.Block != nil:
		return p.block(g.Block)
	case g.Array != nil:
		a := g.Array
		if a.For != nil {
			return &ForExpr{Lbrack: pos, Rbrack: p.lpos(a.Close.Pos), Loop: p.forStmt(a.For)}
		}
		lit := &ArrayLit{Lbrack: pos, Rbrack: p.lpos(a.Close.Pos)}
		for _, e := range a.Elems {
			lit.Elems = append(lit.Elems, p.expr(e))
		}
		return lit
	case g.Paren != nil:
		par := g.Paren
		if len(par.Elems) == 1 && !par.Trail {
			return &ParenExpr{Lparen: pos, X: p.expr(par.Elems[0]), Rparen: p.lpos(par.Close.Pos)}
		}
		t := &TupleExpr{Lparen: pos, Rparen: p.lpos(par.Close.Pos)}
		for _, e := range par.Elems {
			t.Elems = append(t.Elems, p.expr(e))
		}
		return t
	case g.Struct != nil:
		s := &StructLit{Type: p.name(g.Struct.Name), Lbrace: p.lpos(g.Struct.Name.Pos) + token.Pos(len(g.Struct.Name.Name)), Rbrace: p.lpos(g.Struct.Close.Pos)}
		for _, f := range g.Struct.Fields {
			s.Fields = append(s.Fields, &FieldInit{Name: p.name(f.Name), Value: p.expr(f.Value)})
		}
		return s
	case g.Name != nil:
		return p.name(g.Name)
	}
	return &BadExpr{From: pos, To: pos}
}

func (p *parser) ifExpr(g *grammar.If) *IfExpr {
	x := &IfExpr{If: p.lpos(g.Pos), Cond: p.expr(g.Cond), Then: p.block(g.Then)}
	switch {
	case g.ElseIf != nil:
		x.Else = p.ifExpr(g.ElseIf)
	case g.Else != nil:
		x.Else = p.block(g.Else)
	}
	return x
}
