// Package format prints Rose source in its one canonical layout, the layout
// that `rose fmt` writes. Having exactly one layout means diffs show only
// real changes and nobody argues about style.
//
// The layout:
//
//   - Indentation is 4 spaces per level; lines have no trailing spaces and
//     the file ends with exactly one newline.
//   - Top-level declarations are separated by one blank line. Consecutive
//     one-line declarations of the same kind (consts; type aliases and
//     structs; examples) stay grouped: a blank line is kept between them
//     only if the source had one.
//   - Inside blocks and lists, at most one blank line is kept where the
//     source had one or more; none after an opening or before a closing
//     bracket.
//   - A block `{ ... }` is printed on one line, with statements separated by
//     "; ", if it was on one line in the source and fits in 100 columns;
//     otherwise it has one statement per line. An empty block is `{}`. A
//     struct declaration follows the same rule, with one `field: T,` per
//     line when it is broken.
//   - Argument, parameter, array, tuple and struct-literal lists are printed
//     one element per line, with a trailing comma, if the source had a line
//     break between the brackets and the elements or between two elements;
//     otherwise on one line. A 1-tuple is `(a,)`.
//   - Binary operators have one space on each side; unary operators, `.`,
//     `..`, indexing and calls have none. Parentheses are kept exactly as
//     written and number literals are printed exactly as written. (Two
//     rare exceptions to "no space" keep the syntax tree unchanged: `- 1`,
//     a minus separated from a number in the source, stays separated
//     because `-1` is a single literal; and `1 .0`, a tuple field of an
//     integer literal, keeps its space because `1.0` is a number.)
//   - Every comment is kept, in order, with trailing whitespace removed. A
//     comment on its own line stays on its own line, indented like the code
//     that follows it; a comment after code on the same line stays at the
//     end of that line after one space. A comment inside an expression that
//     is printed on one line moves to the end of the output line, or onto
//     its own line just after it when several meet there.
//
// The layout is idempotent: formatting formatted output changes nothing.
package format

import (
	"bytes"
	"go/token"
	"strings"

	"github.com/rose-go/rose/diag"
	"github.com/rose-go/rose/parser"
)

// maxWidth is the widest line a one-line block or struct may produce.
const maxWidth = 100

// indentUnit is one level of indentation.
const indentUnit = "    "

// Source formats a whole file. It refuses to format a file with syntax
// errors, returning them as a *diag.Error, because the layout of broken code
// cannot be known.
func Source(filename string, src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, errs := parser.ParseFile(fset, filename, src)
	if len(errs) > 0 {
		return nil, &diag.Error{Fset: fset, Diags: errs}
	}
	return Node(fset, f), nil
}

// Node formats an already parsed file, for tools (such as an editor
// server) that hold the AST. f must come from parser.ParseFile with fset and
// should have no syntax errors: BadDecl, BadStmt and BadExpr nodes print as
// the unparseable placeholder `<bad>`.
func Node(fset *token.FileSet, f *parser.File) []byte {
	p := newPrinter(fset, f.FileEnd)
	p.comments = f.Comments
	p.file(f)
	if p.buf == nil {
		return []byte{}
	}
	return p.buf
}

// printer accumulates the output. Comments are consumed in source order:
// each one is either written on its own line (when the printer is at the
// start of a line) or queued in pending and written at the end of the
// current output line.
type printer struct {
	fset *token.FileSet
	tf   *token.File // the file being printed, for line numbers

	buf       []byte
	indent    int
	lineStart bool // nothing written on the current line yet
	lineBeg   int  // index in buf where the current line begins
	startCol  int  // column of buf[0] (scratch printers)

	comments []*parser.Comment
	ci       int // next comment to emit
	pending  []*parser.Comment

	last       token.Pos // end of the latest source token or comment printed
	noBlank    bool      // suppress a blank line before the next line item
	forceBlank bool      // put a blank line before the next line item

	// flat is set in scratch printers measuring one-line text: blocks are
	// then printed on one line without measuring again.
	flat bool
}

func newPrinter(fset *token.FileSet, anchor token.Pos) *printer {
	p := &printer{fset: fset, lineStart: true, noBlank: true}
	if fset != nil && anchor.IsValid() {
		p.tf = fset.File(anchor)
	}
	return p
}

// scratch returns a flat printer without comments that renders a fragment
// starting at the current column, to measure it.
func (p *printer) scratch() *printer {
	return &printer{fset: p.fset, tf: p.tf, flat: true, indent: p.indent, startCol: p.col()}
}

func (p *printer) line(pos token.Pos) int {
	if !pos.IsValid() {
		return 0
	}
	if p.tf != nil && int(pos) >= p.tf.Base() && int(pos) <= p.tf.Base()+p.tf.Size() {
		return p.tf.Line(pos)
	}
	if p.fset != nil {
		return p.fset.Position(pos).Line
	}
	return 0
}

func (p *printer) sameLine(a, b token.Pos) bool { return p.line(a) == p.line(b) }

// ---- Low-level output

func (p *printer) write(s string) {
	if p.lineStart {
		for i := 0; i < p.indent; i++ {
			p.buf = append(p.buf, indentUnit...)
		}
		p.lineStart = false
	}
	p.buf = append(p.buf, s...)
}

// col is the column (in bytes, 0-based) where the next text will go.
func (p *printer) col() int {
	if p.lineStart {
		return p.indent * len(indentUnit)
	}
	if p.lineBeg == 0 {
		return p.startCol + len(p.buf)
	}
	return len(p.buf) - p.lineBeg
}

// nl appends a line break.
func (p *printer) nl() {
	p.buf = append(p.buf, '\n')
	p.lineStart = true
	p.lineBeg = len(p.buf)
}

func (p *printer) seen(end token.Pos) {
	if end > p.last {
		p.last = end
	}
}

func commentText(c *parser.Comment) string {
	return strings.TrimRight(c.Text, " \t\r")
}

// newline ends the output line. Pending comments go first: the first at the
// end of the line, the others on their own lines.
func (p *printer) newline() {
	pend := p.pending
	p.pending = nil
	if len(pend) > 0 {
		if !p.lineStart {
			p.write(" ")
		}
		p.write(commentText(pend[0]))
		pend = pend[1:]
	}
	p.nl()
	for _, c := range pend {
		p.ownLine(c)
	}
}

// maybeBlank writes a blank line before a line item at pos if one is forced
// or the source had one there.
func (p *printer) maybeBlank(pos token.Pos) {
	if p.noBlank {
		p.noBlank, p.forceBlank = false, false
		return
	}
	if p.forceBlank || (p.last.IsValid() && p.line(pos) > p.line(p.last)+1) {
		p.nl()
	}
	p.forceBlank = false
}

// ownLine writes c on a line of its own; the printer is at a line start.
func (p *printer) ownLine(c *parser.Comment) {
	p.maybeBlank(c.Pos())
	p.write(commentText(c))
	p.nl()
	p.seen(c.End())
}

// advance emits the comments before pos: on their own lines at a line
// start, otherwise queued for the end of the line.
func (p *printer) advance(pos token.Pos) {
	for p.ci < len(p.comments) && p.comments[p.ci].Slash < pos {
		c := p.comments[p.ci]
		p.ci++
		if p.lineStart {
			p.ownLine(c)
		} else {
			p.pending = append(p.pending, c)
			p.seen(c.End())
		}
	}
}

// trailing queues the comments inside a node that ends at end, and the
// comment after it on the same source line if it comes before limit (the
// next token).
func (p *printer) trailing(end, limit token.Pos) {
	p.advance(end)
	if p.ci < len(p.comments) {
		c := p.comments[p.ci]
		if c.Slash >= end && c.Slash < limit && p.sameLine(c.Slash, end) {
			p.ci++
			p.pending = append(p.pending, c)
			p.seen(c.End())
		}
	}
}

// lineItem starts an item (statement, declaration, element) on its own
// line: leading comments, then the blank-line decision.
func (p *printer) lineItem(pos token.Pos) {
	p.advance(pos)
	p.maybeBlank(pos)
}

// open ends the line after an opening bracket at pos (whose first content
// starts at first) and indents.
func (p *printer) open(pos, first token.Pos) {
	p.trailing(pos+1, first)
	p.indent++
	p.noBlank = true
	p.newline()
}

// close emits the comments before a closing bracket at pos at the inner
// indentation, then outdents; the caller writes the bracket.
func (p *printer) close(pos token.Pos) {
	p.advance(pos)
	p.indent--
	p.forceBlank = false
}

// ---- Declarations

func (p *printer) file(f *parser.File) {
	limit := f.FileEnd + 1
	oneLine := make([]bool, len(f.Decls))
	for i, d := range f.Decls {
		q := newPrinter(p.fset, f.FileEnd) // a dry run, without comments
		q.decl(d)
		oneLine[i] = bytes.IndexByte(q.buf, '\n') < 0
	}
	for i, d := range f.Decls {
		p.lineItem(d.Pos())
		p.decl(d)
		p.seen(d.End())
		next := limit
		if i+1 < len(f.Decls) {
			next = f.Decls[i+1].Pos()
			p.forceBlank = !(oneLine[i] && oneLine[i+1] && kind(d) != 0 && kind(d) == kind(f.Decls[i+1]))
		}
		p.trailing(d.End(), next)
		p.newline()
	}
	p.advance(limit)
	if len(p.pending) > 0 { // only if the file ended mid-line, which cannot happen
		p.newline()
	}
}

// kind groups declarations that may stay together without a blank line;
// 0 means never grouped.
func kind(d parser.Decl) int {
	switch d.(type) {
	case *parser.ConstDecl:
		return 1
	case *parser.TypeDecl, *parser.StructDecl:
		return 2
	case *parser.ExampleDecl:
		return 3
	}
	return 0
}

func (p *printer) decl(d parser.Decl) {
	switch d := d.(type) {
	case *parser.FuncDecl:
		p.write("fn ")
		p.ident(d.Name)
		if len(d.Sizes) > 0 {
			p.write("<")
			for i, s := range d.Sizes {
				if i > 0 {
					p.write(", ")
				}
				p.ident(s)
			}
			p.write(">")
		}
		open := d.Name.End()
		if len(d.Sizes) > 0 {
			open = d.Sizes[len(d.Sizes)-1].End()
		}
		p.list("(", ")", false, open, d.Result.Pos(), len(d.Params), false,
			func(i int) parser.Node { return paramNode{d.Params[i]} },
			func(i int) { p.param(d.Params[i]) })
		p.write(" -> ")
		p.typ(d.Result)
		if d.Rule != nil {
			p.write(" jvp ")
			p.ident(d.Rule)
		}
		p.write(" ")
		p.block(d.Body)
	case *parser.ConstDecl:
		p.write("const ")
		p.ident(d.Name)
		if d.Type != nil {
			p.write(": ")
			p.typ(d.Type)
		}
		p.write(" = ")
		p.expr(d.Value)
	case *parser.TypeDecl:
		p.write("type ")
		p.ident(d.Name)
		p.write(" = ")
		p.typ(d.Type)
	case *parser.StructDecl:
		p.structDecl(d)
	case *parser.ExampleDecl:
		p.write("example ")
		p.expr(d.Call)
	case *parser.TestDecl:
		p.write("test ")
		p.ident(d.Name)
		p.write(" ")
		p.block(d.Body)
	default: // *parser.BadDecl
		p.write("<bad>")
	}
}

func (p *printer) structDecl(d *parser.StructDecl) {
	p.write("struct ")
	p.ident(d.Name)
	if len(d.Fields) == 0 && !p.commentBefore(d.Rbrace) {
		p.write(" {}")
		return
	}
	flat := func(q *printer) {
		q.write(" { ")
		for i, f := range d.Fields {
			if i > 0 {
				q.write(", ")
			}
			q.param(f)
		}
		q.write(" }")
	}
	if p.flat || p.sameLine(d.Struct, d.Rbrace) && len(d.Fields) > 0 && p.fits(flat) {
		flat(p)
		return
	}
	p.write(" {")
	first := d.Rbrace
	if len(d.Fields) > 0 {
		first = d.Fields[0].Name.Pos()
	}
	p.open(d.Name.End(), first)
	for i, f := range d.Fields {
		p.lineItem(f.Name.Pos())
		p.param(f)
		p.write(",")
		end := f.Type.End()
		p.seen(end)
		next := d.Rbrace
		if i+1 < len(d.Fields) {
			next = d.Fields[i+1].Name.Pos()
		}
		p.trailing(end, next)
		p.newline()
	}
	p.close(d.Rbrace)
	p.write("}")
}

// commentBefore reports whether a comment not yet emitted precedes pos.
func (p *printer) commentBefore(pos token.Pos) bool {
	return p.ci < len(p.comments) && p.comments[p.ci].Slash < pos
}

// fits reports whether the text render writes from the current column fits
// on the current line.
func (p *printer) fits(render func(q *printer)) bool {
	q := p.scratch()
	render(q)
	return bytes.IndexByte(q.buf, '\n') < 0 && q.col() <= maxWidth
}

// paramNode gives a Param a position for list.
type paramNode struct{ *parser.Param }

func (n paramNode) Pos() token.Pos { return n.Name.Pos() }
func (n paramNode) End() token.Pos { return n.Type.End() }

func (p *printer) param(f *parser.Param) {
	p.ident(f.Name)
	p.write(": ")
	p.typ(f.Type)
}

func (p *printer) ident(id *parser.Ident) {
	p.advance(id.Pos())
	p.write(id.Name)
}

// ---- Lists

// list prints n elements between the brackets lbrack and rbrack.
// openPos and closePos are the positions of the tokens around the elements.
// pad puts spaces inside the brackets of a one-line list (struct literals);
// oneTrail asks for `(a,)` when n is 1.
func (p *printer) list(lbrack, rbrack string, pad bool, openPos, closePos token.Pos, n int, oneTrail bool, node func(int) parser.Node, elem func(int)) {
	p.write(lbrack)
	if n == 0 || p.flat || !p.broken(openPos, closePos, n, node) {
		if pad {
			p.write(" ")
		}
		for i := 0; i < n; i++ {
			if i > 0 {
				p.write(", ")
			}
			elem(i)
		}
		if n == 1 && oneTrail {
			p.write(",")
		}
		if pad {
			p.write(" ")
		}
		p.write(rbrack)
		return
	}
	p.open(openPos, node(0).Pos())
	for i := 0; i < n; i++ {
		x := node(i)
		p.lineItem(x.Pos())
		elem(i)
		p.write(",")
		p.seen(x.End())
		next := closePos
		if i+1 < n {
			next = node(i + 1).Pos()
		}
		p.trailing(x.End(), next)
		p.newline()
	}
	p.close(closePos)
	p.write(rbrack)
}

// broken reports whether the source had a line break right inside the
// brackets or between two elements.
func (p *printer) broken(openPos, closePos token.Pos, n int, node func(int) parser.Node) bool {
	prev := openPos
	for i := 0; i < n; i++ {
		x := node(i)
		if !p.sameLine(prev, x.Pos()) {
			return true
		}
		prev = x.End()
	}
	return !p.sameLine(prev, closePos)
}

// ---- Types

func (p *printer) typ(t parser.TypeExpr) {
	p.advance(t.Pos())
	switch t := t.(type) {
	case *parser.NamedType:
		p.ident(t.Name)
	case *parser.ArrayType:
		p.write("[")
		p.expr(t.Len)
		p.write("]")
		p.typ(t.Elem)
	case *parser.TupleType:
		p.write("(")
		for i, e := range t.Elems {
			if i > 0 {
				p.write(", ")
			}
			p.typ(e)
		}
		if len(t.Elems) == 1 {
			p.write(",")
		}
		p.write(")")
	}
}

// ---- Statements and blocks

func (p *printer) block(b *parser.Block) {
	p.advance(b.Lbrace)
	items := blockItems(b)
	if len(items) == 0 && !p.commentBefore(b.Rbrace) {
		p.write("{}")
		return
	}
	flat := func(q *printer) {
		q.write("{ ")
		for i, s := range items {
			if i > 0 {
				q.write("; ")
			}
			q.stmt(s)
		}
		q.write(" }")
	}
	if p.flat || p.sameLine(b.Lbrace, b.Rbrace) && p.fits(flat) {
		flat(p)
		return
	}
	p.write("{")
	first := b.Rbrace
	if len(items) > 0 {
		first = items[0].Pos()
	}
	p.open(b.Lbrace, first)
	for i, s := range items {
		p.lineItem(s.Pos())
		p.stmt(s)
		p.seen(s.End())
		next := b.Rbrace
		if i+1 < len(items) {
			next = items[i+1].Pos()
		}
		p.trailing(s.End(), next)
		p.newline()
	}
	p.close(b.Rbrace)
	p.write("}")
}

// blockItems lists a block's statements and its result as statements.
func blockItems(b *parser.Block) []parser.Stmt {
	items := b.Stmts
	if b.Result != nil {
		items = append(items[:len(items):len(items)], &parser.ExprStmt{X: b.Result})
	}
	return items
}

func (p *printer) stmt(s parser.Stmt) {
	p.advance(s.Pos())
	switch s := s.(type) {
	case *parser.LetStmt:
		if s.Var {
			p.write("var ")
		} else {
			p.write("let ")
		}
		if s.Tuple {
			p.write("(")
			for i, n := range s.Names {
				if i > 0 {
					p.write(", ")
				}
				p.ident(n)
			}
			if len(s.Names) == 1 {
				p.write(",")
			}
			p.write(")")
		} else {
			for _, n := range s.Names {
				p.ident(n)
			}
		}
		if s.Type != nil {
			p.write(": ")
			p.typ(s.Type)
		}
		p.write(" = ")
		p.expr(s.Value)
	case *parser.AssignStmt:
		if s.Place != nil {
			p.expr(s.Place)
		} else {
			p.ident(s.Target)
		}
		p.write(" " + s.Op + " ")
		p.expr(s.Value)
	case *parser.ForStmt:
		p.forLoop(s)
	case *parser.WhileStmt:
		p.write("while ")
		p.expr(s.Cond)
		if s.Max != nil {
			p.write(" max ")
			p.expr(s.Max)
		}
		p.write(" ")
		p.block(s.Body)
	case *parser.ExprStmt:
		p.expr(s.X)
	case *parser.AssertStmt:
		p.write("assert ")
		p.expr(s.Cond)
	case *parser.BadStmt:
		p.write("<bad>")
	}
}

func (p *printer) forLoop(s *parser.ForStmt) {
	p.write("for ")
	p.ident(s.Index)
	p.write(" in ")
	p.expr(s.Lo)
	p.write("..")
	p.expr(s.Hi)
	p.write(" ")
	p.block(s.Body)
}

// ---- Expressions

func (p *printer) expr(x parser.Expr) {
	p.advance(x.Pos())
	switch x := x.(type) {
	case *parser.Ident:
		p.ident(x)
	case *parser.NumberLit:
		p.write(x.Value)
	case *parser.BoolLit:
		if x.Value {
			p.write("true")
		} else {
			p.write("false")
		}
	case *parser.UnaryExpr:
		p.write(x.Op)
		if n, ok := x.X.(*parser.NumberLit); ok && x.Op == "-" && !strings.HasPrefix(n.Value, "-") {
			// `-1` would parse as the literal -1, not as this negation.
			p.write(" ")
		}
		p.expr(x.X)
	case *parser.BinaryExpr:
		p.expr(x.X)
		p.write(" " + x.Op + " ")
		p.expr(x.Y)
	case *parser.ParenExpr:
		p.write("(")
		p.expr(x.X)
		p.write(")")
	case *parser.TupleExpr:
		p.exprList("(", ")", x.Lparen, x.Rparen, x.Elems, true)
	case *parser.ArrayLit:
		p.exprList("[", "]", x.Lbrack, x.Rbrack, x.Elems, false)
	case *parser.ForExpr:
		p.write("[")
		p.advance(x.Loop.Pos())
		p.forLoop(x.Loop)
		p.write("]")
	case *parser.StructLit:
		p.ident(x.Type)
		if len(x.Fields) == 0 {
			p.write(" {}")
			return
		}
		p.write(" ")
		p.list("{", "}", true, x.Lbrace, x.Rbrace, len(x.Fields), false,
			func(i int) parser.Node { return fieldNode{x.Fields[i]} },
			func(i int) {
				p.ident(x.Fields[i].Name)
				p.write(": ")
				p.expr(x.Fields[i].Value)
			})
	case *parser.IndexExpr:
		p.expr(x.X)
		p.write("[")
		p.expr(x.Index)
		p.write("]")
	case *parser.SelectorExpr:
		p.expr(x.X)
		if n, ok := x.X.(*parser.NumberLit); ok && n.IsInt && x.Sel.Name != "" && isDigit(x.Sel.Name[0]) {
			// `1.0` would lex as one number.
			p.write(" ")
		}
		p.write(".")
		p.ident(x.Sel)
	case *parser.CallExpr:
		p.expr(x.Fun)
		p.exprList("(", ")", x.Lparen, x.Rparen, x.Args, false)
	case *parser.IfExpr:
		p.ifExpr(x)
	case *parser.Block:
		p.block(x)
	default: // *parser.BadExpr
		p.write("<bad>")
	}
}

func (p *printer) ifExpr(x *parser.IfExpr) {
	p.write("if ")
	p.expr(x.Cond)
	p.write(" ")
	p.block(x.Then)
	switch e := x.Else.(type) {
	case nil:
	case *parser.IfExpr:
		p.write(" else ")
		p.advance(e.Pos())
		p.ifExpr(e)
	default:
		p.write(" else ")
		p.expr(e)
	}
}

func (p *printer) exprList(lbrack, rbrack string, openPos, closePos token.Pos, xs []parser.Expr, oneTrail bool) {
	p.list(lbrack, rbrack, false, openPos, closePos, len(xs), oneTrail,
		func(i int) parser.Node { return xs[i] },
		func(i int) { p.expr(xs[i]) })
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// fieldNode gives a FieldInit a position for list.
type fieldNode struct{ *parser.FieldInit }

func (n fieldNode) Pos() token.Pos { return n.Name.Pos() }
func (n fieldNode) End() token.Pos { return n.Value.End() }
