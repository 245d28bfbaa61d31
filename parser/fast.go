package parser

import (
	"fmt"
	"go/token"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/rose-go/rose/diag"
	"github.com/rose-go/rose/grammar/lex"
)

// This file is a hand-written recursive-descent parser for one top-level
// item. It accepts exactly the language of grammar.Item as participle
// parses it and builds the same AST as grammar.ParseItem followed by
// parser.decl, an order of magnitude faster.
//
// Participle is a PEG-style parser: alternatives are tried in order and the
// first that matches wins, repetitions are greedy, and a failed optional
// part or alternative is backtracked only when it consumed at most
// lookahead (2) tokens; a branch that fails further in is a syntax error.
// Every branch point below mirrors the grammar's (see soft), so the two
// parsers agree even on odd input; fast_test.go checks that they do.

// lookahead is the grammar's participle.UseLookahead.
const lookahead = 2

// maxExprDepth bounds the nesting of expressions. Bracket nesting is
// bounded by lex.MaxDepth before parsing, but `if` conditions nest
// without brackets (`if if if ... x {} {} {}`).
const maxExprDepth = 1000

// fast is the state of parsing one item.
type fast struct {
	p    *parser
	toks []lexer.Token
	i    int         // next token
	eof  lexer.Token // returned past the last token

	diags diag.List // extra diagnostics, dropped when their branch is

	// The furthest position at which something was expected, and what.
	failAt    int
	failWords []string

	depth   int  // expression nesting
	tooDeep bool // maxExprDepth exceeded: fail without backtracking
	deepAt  int  // token where it was exceeded

	// exprFail[i] is 1 + where parsing an Expr at token i failed, or 0;
	// failed lists the i set.
	exprFail []int32
	failed   []int32

	// Operand and operator stacks shared by nested expressions.
	xs  []Expr
	ops []binOp

	rec recovery // the state of the recovering mode (recover.go)
}

type binOp struct {
	pos  token.Pos
	op   string
	prec int
}

func (p *parser) fastFor(toks []lexer.Token, end lexer.Position, rec bool) *fast {
	f := p.fast
	if f == nil {
		f = &fast{p: p}
		p.fast = f
	}
	f.reset(toks, end)
	f.rec.on = rec
	return f
}

// parse parses the item and reports whether all its tokens made one.
func (f *fast) parse() (Decl, bool) {
	d, ok := f.item()
	if ok && f.i < len(f.toks) {
		f.expect("end of declaration")
		ok = false
	}
	return d, ok && !f.tooDeep
}

// failure is the diagnostic for a failed parse: the furthest point reached
// (every failure records what it expected, so there is one), or the
// nesting limit.
func (f *fast) failure() diag.Diagnostic {
	if f.tooDeep {
		pos := f.pos(f.deepAt)
		return diag.Diagnostic{Pos: pos, End: pos, Code: "too-deep", Msg: fmt.Sprintf("expressions nested more than %d deep", maxExprDepth)}
	}
	return f.syntaxAt(max(f.failAt, 0), f.failWords)
}

// syntaxAt is the diagnostic for an unexpected token i where words were
// expected.
func (f *fast) syntaxAt(i int, words []string) diag.Diagnostic {
	msg := "unexpected " + f.p.describe(*f.tok(i))
	if len(words) > 0 {
		msg += ", expected " + strings.Join(words, " or ")
	}
	pos := f.pos(i)
	return diag.Diagnostic{Pos: pos, End: pos, Code: "syntax", Msg: msg}
}

// reset prepares f, which may have parsed another item, for toks. The
// stacks and the memo are reused.
func (f *fast) reset(toks []lexer.Token, end lexer.Position) {
	for _, i := range f.failed {
		f.exprFail[i] = 0
	}
	if len(f.exprFail) < len(toks)+1 {
		f.exprFail = make([]int32, len(toks)+1)
	}
	*f = fast{
		p: f.p, toks: toks, eof: lexer.EOFToken(end), failAt: -1,
		failWords: f.failWords[:0], exprFail: f.exprFail, failed: f.failed[:0],
		xs: f.xs[:0], ops: f.ops[:0], rec: recovery{stack: f.rec.stack[:0]},
	}
}

// ---- Tokens and branches

func (f *fast) tok(i int) *lexer.Token {
	if i < len(f.toks) {
		return &f.toks[i]
	}
	return &f.eof
}

func (f *fast) cur() *lexer.Token { return f.tok(f.i) }

// pos is the position of token i.
func (f *fast) pos(i int) token.Pos { return f.p.lpos(f.tok(i).Pos) }

// at reports whether the next token is s. Like participle's literals it
// compares only the text: no two token types share a spelling.
func (f *fast) at(s string) bool { return f.i < len(f.toks) && f.toks[f.i].Value == s }

func (f *fast) atIdent() bool { return f.i < len(f.toks) && f.toks[f.i].Type == lex.TIdent }

// want consumes s or records that it was expected.
func (f *fast) want(s, words string) bool {
	if f.at(s) {
		f.i++
		return true
	}
	f.expect(words)
	return false
}

// expect records that words were expected at the current token, for the
// message if the item fails.
func (f *fast) expect(words string) { f.expectAt(f.i, words) }

func (f *fast) expectAt(i int, words string) {
	if i < f.failAt {
		return
	}
	if i > f.failAt {
		f.failAt = i
		f.failWords = f.failWords[:0]
	}
	for _, w := range f.failWords {
		if w == words {
			return
		}
	}
	if len(f.failWords) < 4 {
		f.failWords = append(f.failWords, words)
	}
}

// soft decides the fate of a branch (an alternative, or an optional or
// repeated part) that started at token start and failed: if it consumed
// at most lookahead tokens it is undone, diagnostics from mark on
// included, and soft reports true; otherwise the failure is final.
func (f *fast) soft(start, mark int) bool {
	if f.tooDeep || f.i > start+lookahead {
		return false
	}
	f.i = start
	f.diags = f.diags[:mark]
	return true
}

// undo is soft for the last alternative of a disjunction that started at
// start: unless the failure is final, the disjunction fails at start.
func (f *fast) undo(start int) {
	if !f.tooDeep && f.i <= start+lookahead {
		f.i = start
	}
}

func (f *fast) mark() int { return len(f.diags) }

func (f *fast) errorf(pos token.Pos, format string, args ...any) {
	f.diags.Add(pos, pos, "syntax", format, args...)
}

// ---- Declarations

func (f *fast) item() (Decl, bool) {
	switch f.cur().Value {
	case "fn":
		return f.funcDecl()
	case "const":
		return f.constDecl()
	case "type":
		return f.typeDecl()
	case "struct":
		return f.structDecl()
	case "example":
		return f.exampleDecl()
	case "test":
		return f.testDecl()
	}
	f.expect("a declaration")
	return nil, false
}

// name parses a Name: any identifier, keywords included (they are
// reported, as convert.go does).
func (f *fast) name() (*Ident, bool) {
	if !f.atIdent() {
		return nil, false
	}
	t := &f.toks[f.i]
	f.i++
	id := &Ident{NamePos: f.p.lpos(t.Pos), Name: t.Value}
	if lex.IsKeyword(t.Value) {
		f.errorf(id.NamePos, "keyword %s cannot be used as a name", t.Value)
	}
	return id, true
}

// wantName parses a mandatory Name.
func (f *fast) wantName() (*Ident, bool) {
	id, ok := f.name()
	if !ok {
		f.expect("a name")
	}
	return id, ok
}

// "fn" Name ( "<" ( Name ( "," Name )* )? ">" )?
// "(" ( Param ( "," Param )* ","? )? ")" "->" Type ( "jvp" Name )? Block
func (f *fast) funcDecl() (Decl, bool) {
	d := &FuncDecl{Fn: f.pos(f.i)}
	f.i++
	var ok bool
	if d.Name, ok = f.wantName(); !ok {
		return nil, false
	}
	if f.at("<") {
		start, mark := f.i, f.mark()
		if d.Sizes, ok = f.sizes(); !ok {
			if !f.soft(start, mark) {
				return nil, false
			}
			d.Sizes = nil
		}
	}
	if !f.want("(", `"("`) {
		return nil, false
	}
	if d.Params, ok = f.params(); !ok {
		return nil, false
	}
	if !f.want(")", `")"`) || !f.want("->", `"->"`) {
		return nil, false
	}
	if d.Result, ok = f.typ(); !ok {
		return nil, false
	}
	if f.at("jvp") {
		f.i++
		if d.Rule, ok = f.wantName(); !ok {
			return nil, false
		}
	}
	if d.Body, ok = f.wantBlock(); !ok {
		return nil, false
	}
	return d, true
}

// "<" ( Name ( "," Name )* )? ">"
func (f *fast) sizes() ([]*Ident, bool) {
	f.i++
	var sizes []*Ident
	if n, ok := f.name(); ok {
		sizes = append(sizes, n)
		for f.at(",") {
			start, mark := f.i, f.mark()
			f.i++
			n, ok := f.wantName()
			if !ok {
				if !f.soft(start, mark) {
					return nil, false
				}
				break
			}
			sizes = append(sizes, n)
		}
	}
	return sizes, f.want(">", `">"`)
}

// ( Param ( "," Param )* ","? )?, after "(".
func (f *fast) params() ([]*Param, bool) {
	start, mark := f.i, f.mark()
	q, ok := f.param()
	if !ok {
		return nil, f.soft(start, mark)
	}
	ps := []*Param{q}
	for f.at(",") {
		start, mark := f.i, f.mark()
		f.i++
		q, ok := f.param()
		if !ok {
			if !f.soft(start, mark) {
				return nil, false
			}
			break
		}
		ps = append(ps, q)
	}
	if f.at(",") {
		f.i++
	}
	return ps, true
}

// Name ":" Type
func (f *fast) param() (*Param, bool) {
	n, ok := f.name()
	if !ok {
		f.expect("a parameter (name: Type)")
		return nil, false
	}
	if !f.want(":", `":"`) {
		return nil, false
	}
	t, ok := f.typ()
	if !ok {
		return nil, false
	}
	return &Param{Name: n, Type: t}, true
}

// "const" Name ( ":" Type )? "=" Expr
func (f *fast) constDecl() (Decl, bool) {
	d := &ConstDecl{Const: f.pos(f.i)}
	f.i++
	var ok bool
	if d.Name, ok = f.wantName(); !ok {
		return nil, false
	}
	if f.at(":") {
		start, mark := f.i, f.mark()
		f.i++
		if d.Type, ok = f.typ(); !ok {
			if !f.soft(start, mark) {
				return nil, false
			}
			d.Type = nil
		}
	}
	if !f.want("=", `"="`) {
		return nil, false
	}
	if d.Value, ok = f.expr(); !ok {
		return nil, false
	}
	return d, true
}

// "type" Name "=" Type
func (f *fast) typeDecl() (Decl, bool) {
	d := &TypeDecl{TypePos: f.pos(f.i)}
	f.i++
	var ok bool
	if d.Name, ok = f.wantName(); !ok || !f.want("=", `"="`) {
		return nil, false
	}
	if d.Type, ok = f.typ(); !ok {
		return nil, false
	}
	return d, true
}

// "struct" Name "{" ";"* ( Param ( ( "," | ";" ) ";"* Param )* ( "," | ";" )* )? "}"
func (f *fast) structDecl() (Decl, bool) {
	d := &StructDecl{Struct: f.pos(f.i)}
	f.i++
	var ok bool
	if d.Name, ok = f.wantName(); !ok || !f.want("{", `"{"`) {
		return nil, false
	}
	f.skipSemis()
	start, mark := f.i, f.mark()
	if q, ok := f.param(); ok {
		d.Fields = append(d.Fields, q)
		for f.at(",") || f.at(";") {
			start, mark := f.i, f.mark()
			f.i++
			f.skipSemis()
			q, ok := f.param()
			if !ok {
				if !f.soft(start, mark) {
					return nil, false
				}
				break
			}
			d.Fields = append(d.Fields, q)
		}
		for f.at(",") || f.at(";") {
			f.i++
		}
	} else if !f.soft(start, mark) {
		return nil, false
	}
	if !f.at("}") {
		f.expect(`"}"`)
		return nil, false
	}
	d.Rbrace = f.pos(f.i)
	f.i++
	return d, true
}

// "example" Expr
func (f *fast) exampleDecl() (Decl, bool) {
	d := &ExampleDecl{Example: f.pos(f.i)}
	f.i++
	var ok bool
	if d.Call, ok = f.expr(); !ok {
		return nil, false
	}
	return d, true
}

// "test" Name Block
func (f *fast) testDecl() (Decl, bool) {
	d := &TestDecl{Test: f.pos(f.i)}
	f.i++
	var ok bool
	if d.Name, ok = f.wantName(); !ok {
		return nil, false
	}
	if d.Body, ok = f.wantBlock(); !ok {
		return nil, false
	}
	return d, true
}

// "assert" Expr
func (f *fast) assertStmt() (*AssertStmt, bool) {
	s := &AssertStmt{Assert: f.pos(f.i)}
	f.i++
	var ok bool
	if s.Cond, ok = f.expr(); !ok {
		return nil, false
	}
	return s, true
}

func (f *fast) skipSemis() {
	for f.at(";") {
		f.i++
	}
}

// ---- Types

// typ parses Type = ArrayType | TupleType | Name, where
// ArrayType = "[" ( Number | Name ) "]" Type. A run of array prefixes is
// parsed in a loop, since it nests without bounds.
func (f *fast) typ() (TypeExpr, bool) {
	type header struct {
		start  int
		lbrack token.Pos
		len    Expr
	}
	var hs []header
	var base TypeExpr
	ok := false
	for {
		start := f.i
		t := f.cur()
		if t.Value == "[" {
			h := header{start: start, lbrack: f.p.lpos(t.Pos)}
			f.i++
			var lenOK bool
			if h.len, lenOK = f.expr(); lenOK && f.want("]", `"]"`) {
				hs = append(hs, h)
				continue
			}
			// The ArrayType alternative failed; the others cannot match "[".
			f.typeFailed(start)
		} else {
			base, ok = f.typeBase()
		}
		break
	}
	if !ok {
		// The Type at level len(hs) failed; an enclosing ArrayType then
		// fails three tokens in, which is final.
		return nil, false
	}
	for k := len(hs) - 1; k >= 0; k-- {
		base = &ArrayType{Lbrack: hs[k].lbrack, Len: hs[k].len, Elem: base}
	}
	return base, true
}

// typeFailed handles the failure of the Type alternative that started at
// start when the other alternatives cannot match: the Type fails where the
// alternative did if that is final, else at start.
func (f *fast) typeFailed(start int) {
	if !f.tooDeep && f.i <= start+lookahead {
		f.i = start
		f.expect("a type")
	}
}

// typeBase parses a TupleType or a Name.
func (f *fast) typeBase() (TypeExpr, bool) {
	start := f.i
	switch {
	case f.at("("):
		t, ok := f.tupleType()
		if !ok {
			f.typeFailed(start)
			return nil, false
		}
		return t, true
	case f.atIdent():
		n, _ := f.name()
		return &NamedType{Name: n}, true
	}
	f.expect("a type")
	return nil, false
}

// "(" ( Type ( "," Type )* ","? )? ")". As convert.go: `(T)` is just T.
func (f *fast) tupleType() (TypeExpr, bool) {
	t := &TupleType{Lparen: f.pos(f.i)}
	f.i++
	trail := false
	start, mark := f.i, f.mark()
	if e, ok := f.typ(); ok {
		t.Elems = append(t.Elems, e)
		for f.at(",") {
			start, mark := f.i, f.mark()
			f.i++
			e, ok := f.typ()
			if !ok {
				if !f.soft(start, mark) {
					return nil, false
				}
				break
			}
			t.Elems = append(t.Elems, e)
		}
		if f.at(",") {
			f.i++
			trail = true
		}
	} else if !f.soft(start, mark) {
		return nil, false
	}
	if !f.at(")") {
		f.expect(`")"`)
		return nil, false
	}
	t.Rparen = f.pos(f.i)
	f.i++
	if len(t.Elems) == 1 && !trail {
		return t.Elems[0], true
	}
	return t, true
}

// ---- Blocks and statements

// wantBlock parses a mandatory Block.
func (f *fast) wantBlock() (*Block, bool) {
	if !f.at("{") {
		f.expect(`"{"`)
		return nil, false
	}
	return f.block()
}

// "{" ";"* ( Stmt ";"* )* "}". The last item, if a bare expression, is the
// block's result.
func (f *fast) block() (*Block, bool) {
	if f.rec.on {
		return f.recBlock()
	}
	b := &Block{Lbrace: f.pos(f.i)}
	f.i++
	f.skipSemis()
	var pending Expr // the last item, if an expression
	closing := `"}"`
	for {
		start, mark := f.i, f.mark()
		s, x, ok := f.stmt()
		if !ok {
			if !f.soft(start, mark) {
				return nil, false
			}
			break
		}
		if pending != nil {
			b.Stmts = append(b.Stmts, &ExprStmt{X: pending})
		}
		pending = x
		if s != nil {
			b.Stmts = append(b.Stmts, s)
		}
		if !f.at(";") {
			closing = `a newline, ";" or "}"` // items are separated
			break
		}
		f.skipSemis()
	}
	if !f.at("}") {
		f.expect(closing)
		return nil, false
	}
	b.Result = pending
	b.Rbrace = f.pos(f.i)
	f.i++
	return b, true
}

// stmt parses Stmt = Let | For | Expr Assign?. It returns a statement, or
// for a bare expression the expression.
func (f *fast) stmt() (Stmt, Expr, bool) {
	start, mark := f.i, f.mark()
	switch f.cur().Value {
	case "let", "var":
		if s, ok := f.let(); ok {
			return s, nil, true
		}
		if !f.soft(start, mark) {
			return nil, nil, false
		}
	case "for":
		if s, ok := f.forStmt(); ok {
			return s, nil, true
		}
		if !f.soft(start, mark) {
			return nil, nil, false
		}
	case "while":
		if s, ok := f.whileStmt(); ok {
			return s, nil, true
		}
		if !f.soft(start, mark) {
			return nil, nil, false
		}
	case "assert":
		if s, ok := f.assertStmt(); ok {
			return s, nil, true
		}
		if !f.soft(start, mark) {
			return nil, nil, false
		}
	}
	x, ok := f.expr()
	if !ok {
		f.undo(start)
		return nil, nil, false
	}
	switch op := f.cur().Value; op {
	case "=", "+=", "-=", "*=", "/=":
		start, mark := f.i, f.mark()
		opPos := f.pos(f.i)
		f.i++
		v, ok := f.expr()
		if !ok {
			if !f.soft(start, mark) {
				return nil, nil, false
			}
			break
		}
		target, place, isPlace := AssignTarget(x)
		if !isPlace {
			f.errorf(x.Pos(), "%s", badTarget)
		}
		return &AssignStmt{Target: target, Place: place, OpPos: opPos, Op: op, Value: v}, nil, true
	}
	return nil, x, true
}

// ( "let" | "var" ) ( Name | "(" Name ( "," Name )* ","? ")" ) ( ":" Type )? "=" Expr
func (f *fast) let() (*LetStmt, bool) {
	s := &LetStmt{Let: f.pos(f.i), Var: f.cur().Value == "var"}
	f.i++
	if n, ok := f.name(); ok {
		s.Names = []*Ident{n}
	} else if f.at("(") {
		start := f.i
		names, ok := f.letNames()
		if !ok {
			f.undo(start)
			return nil, false
		}
		s.Tuple, s.Names = true, names
		if s.Var {
			f.errorf(s.Let, "var cannot destructure a tuple; use let")
		}
	} else {
		f.expect(`a name or "("`)
		return nil, false
	}
	if f.rec.on {
		f.rec.let, f.rec.letAt = s, f.i
	}
	if f.at(":") {
		start, mark := f.i, f.mark()
		f.i++
		t, ok := f.typ()
		if !ok {
			if !f.soft(start, mark) {
				return nil, false
			}
		} else {
			s.Type = t
			if f.rec.on {
				f.rec.letAt = f.i
			}
		}
	}
	if !f.want("=", `"="`) {
		return nil, false
	}
	var ok bool
	if s.Value, ok = f.expr(); !ok {
		return nil, false
	}
	return s, true
}

// "(" Name ( "," Name )* ","? ")"
func (f *fast) letNames() ([]*Ident, bool) {
	f.i++
	n, ok := f.wantName()
	if !ok {
		return nil, false
	}
	names := []*Ident{n}
	for f.at(",") {
		start, mark := f.i, f.mark()
		f.i++
		n, ok := f.wantName()
		if !ok {
			if !f.soft(start, mark) {
				return nil, false
			}
			break
		}
		names = append(names, n)
	}
	if f.at(",") {
		f.i++
	}
	return names, f.want(")", `")"`)
}

// "for" Name "in" Expr ".." Expr Block
func (f *fast) forStmt() (*ForStmt, bool) {
	s := &ForStmt{For: f.pos(f.i)}
	f.i++
	var ok bool
	if s.Index, ok = f.wantName(); !ok || !f.want("in", `"in"`) {
		return nil, false
	}
	if s.Lo, ok = f.expr(); !ok || !f.want("..", `".."`) {
		return nil, false
	}
	if s.Hi, ok = f.expr(); !ok {
		return nil, false
	}
	if s.Body, ok = f.wantBlock(); !ok {
		return nil, false
	}
	return s, true
}

// "while" Expr ( "max" Expr )? Block
func (f *fast) whileStmt() (*WhileStmt, bool) {
	s := &WhileStmt{While: f.pos(f.i)}
	f.i++
	var ok bool
	if s.Cond, ok = f.expr(); !ok {
		return nil, false
	}
	if f.at("max") {
		start, mark := f.i, f.mark()
		f.i++
		if s.Max, ok = f.expr(); !ok {
			if !f.soft(start, mark) {
				return nil, false
			}
			s.Max = nil
		}
	}
	if s.Body, ok = f.wantBlock(); !ok {
		return nil, false
	}
	return s, true
}

// ---- Expressions

// prec is the precedence of binary operator s, or 0.
func prec(s string) int {
	switch s {
	case "||":
		return 1
	case "&&":
		return 2
	case "==", "!=", "<", "<=", ">", ">=":
		return 3
	case "+", "-":
		return 4
	case "*", "/", "%":
		return 5
	}
	return 0
}

// expr parses Expr = Operand ( op Operand )* and applies precedence.
//
// Failures are memoized: parsing depends only on the position, and
// without the memo, input like `if (if (if (...` takes exponential time,
// as each level explores the next twice (as the condition's parenthesis
// and as the arguments of a call of a variable named if).
func (f *fast) expr() (Expr, bool) {
	start := f.i
	if c := f.exprFail[start]; c != 0 {
		f.i = int(c) - 1
		f.p.memoHits++
		return nil, false
	}
	if f.depth >= maxExprDepth {
		if !f.tooDeep {
			f.tooDeep, f.deepAt = true, f.i
		}
		return nil, false
	}
	f.depth++
	x, ok := f.binary()
	f.depth--
	if !ok && !f.tooDeep {
		f.exprFail[start] = int32(f.i + 1)
		f.failed = append(f.failed, int32(start))
	}
	return x, ok
}

// binary parses Operand ( op Operand )*.
func (f *fast) binary() (Expr, bool) {
	x, ok := f.operand()
	if !ok {
		return nil, false
	}
	if prec(f.cur().Value) == 0 {
		return x, true
	}
	xbase, obase := len(f.xs), len(f.ops)
	f.xs = append(f.xs, x)
	for {
		t := f.cur()
		pr := prec(t.Value)
		if pr == 0 {
			break
		}
		start, mark := f.i, f.mark()
		f.i++
		y, ok := f.operand()
		if !ok {
			if !f.soft(start, mark) {
				f.popExpr(xbase, obase)
				return nil, false
			}
			break
		}
		f.ops = append(f.ops, binOp{pos: f.p.lpos(t.Pos), op: t.Value, prec: pr})
		f.xs = append(f.xs, y)
	}
	xs, ops := f.xs[xbase:], f.ops[obase:]
	i := 0
	x = f.climb(xs, ops, &i, 1)
	f.popExpr(xbase, obase)
	return x, true
}

func (f *fast) popExpr(xbase, obase int) {
	clear(f.xs[xbase:])
	f.xs, f.ops = f.xs[:xbase], f.ops[:obase]
}

// climb is convert.go's precedence climbing: ops[k] is the operator
// between xs[k] and xs[k+1]. Comparisons do not associate.
func (f *fast) climb(xs []Expr, ops []binOp, i *int, minPrec int) Expr {
	lhs := xs[*i]
	for *i < len(ops) && ops[*i].prec >= minPrec {
		op := ops[*i]
		*i++
		rhs := f.climb(xs, ops, i, op.prec+1)
		if b, ok := lhs.(*BinaryExpr); ok && op.prec == 3 && prec(b.Op) == 3 {
			f.errorf(op.pos, "comparison operators do not chain; write (a %s b) && (b %s c)", b.Op, op.op)
		}
		lhs = &BinaryExpr{X: lhs, OpPos: op.pos, Op: op.op, Y: rhs, start: lhs.Pos()}
	}
	return lhs
}

// operand parses Operand = ( "-" | "!" )* Primary Suffix*.
func (f *fast) operand() (Expr, bool) {
	pstart := f.i
	for f.at("-") || f.at("!") {
		f.i++
	}
	npre := f.i - pstart
	x, ok := f.primary()
	if !ok {
		return nil, false
	}
	nsuf := 0
suffixes:
	for {
		start, mark := f.i, f.mark()
		t := f.cur()
		switch t.Value {
		case "[":
			ix := &IndexExpr{X: x, Lbrack: f.p.lpos(t.Pos)}
			f.i++
			var ok bool
			if ix.Index, ok = f.expr(); ok && f.at("]") {
				ix.Rbrack = f.pos(f.i)
				f.i++
				x = ix
				break
			}
			if ok {
				f.expect(`"]"`)
			}
			if !f.soft(start, mark) {
				return nil, false
			}
			break suffixes
		case ".":
			n := f.tok(f.i + 1)
			if n.Type != lex.TIdent && n.Type != lex.TNumber {
				f.expectAt(f.i+1, "a field name")
				break suffixes
			}
			if f.rec.on && n.Pos.Line > t.Pos.Line && startsStmt(n.Value) {
				// `s.` at the end of a line being typed, the next
				// statement below: the field is missing, and the keyword
				// begins that statement.
				f.errorf(f.p.lpos(t.Pos), "expected a field name after \".\"")
				f.rec.errors++
				f.rec.dangling = true
				f.i++
				x = &SelectorExpr{X: x, Sel: &Ident{NamePos: f.p.lpos(t.Pos) + 1}} // an empty field name
				break suffixes
			}
			f.i += 2
			// As convert.go: `t.0.1` lexes as "t" "." "0.1"; split the
			// number into two tuple selectors. The field is placed just
			// after the dot.
			pos := f.p.lpos(t.Pos) + 1
			field := n.Value
			for {
				part := field
				k := strings.IndexByte(field, '.')
				if k >= 0 {
					part = field[:k]
				}
				x = &SelectorExpr{X: x, Sel: &Ident{NamePos: pos, Name: part}}
				pos += token.Pos(len(part)) + 1
				if k < 0 {
					break
				}
				field = field[k+1:]
			}
		case "(":
			c, ok := f.callArgs(x)
			if !ok {
				if !f.soft(start, mark) {
					return nil, false
				}
				break suffixes
			}
			x = c
		default:
			break suffixes
		}
		nsuf++
	}
	for k := npre - 1; k >= 0; k-- {
		pre := &f.toks[pstart+k]
		opPos := f.p.lpos(pre.Pos)
		// As convert.go: a negative literal stays a literal.
		if n, ok := x.(*NumberLit); ok && pre.Value == "-" && k == npre-1 && nsuf == 0 && opPos+1 == n.ValuePos {
			x = &NumberLit{ValuePos: opPos, Value: "-" + n.Value, IsInt: n.IsInt}
			continue
		}
		x = &UnaryExpr{OpPos: opPos, Op: pre.Value, X: x}
	}
	return x, true
}

// "(" ( Expr ( "," Expr )* ","? )? ")"
func (f *fast) callArgs(fun Expr) (*CallExpr, bool) {
	c := &CallExpr{Fun: fun, Lparen: f.pos(f.i)}
	f.i++
	var ok bool
	if c.Args, _, ok = f.exprList(); !ok {
		return nil, false
	}
	if !f.at(")") {
		f.expect(`")"`)
		return nil, false
	}
	c.Rparen = f.pos(f.i)
	f.i++
	return c, true
}

// exprList parses ( Expr ( "," Expr )* ","? )? and reports whether there
// was a trailing comma.
func (f *fast) exprList() (xs []Expr, trail, ok bool) {
	start, mark := f.i, f.mark()
	x, ok := f.expr()
	if !ok {
		return nil, false, f.soft(start, mark)
	}
	xs = append(xs, x)
	for f.at(",") {
		start, mark := f.i, f.mark()
		f.i++
		x, ok := f.expr()
		if !ok {
			if !f.soft(start, mark) {
				return nil, false, false
			}
			break
		}
		xs = append(xs, x)
	}
	if f.at(",") {
		f.i++
		trail = true
	}
	return xs, trail, true
}

// primary parses Primary = Number | Bool | If | StructLit | Name | Paren |
// ArrayLit | Block, trying the alternatives in that order.
func (f *fast) primary() (Expr, bool) {
	start, mark := f.i, f.mark()
	t := f.cur()
	switch {
	case t.Type == lex.TNumber:
		f.i++
		return &NumberLit{ValuePos: f.p.lpos(t.Pos), Value: t.Value, IsInt: isIntLit(t.Value)}, true
	case t.Value == "true" || t.Value == "false":
		f.i++
		return &BoolLit{ValuePos: f.p.lpos(t.Pos), Value: t.Value == "true"}, true
	}
	if t.Value == "if" {
		if x, ok := f.ifExpr(); ok {
			return x, true
		}
		if !f.soft(start, mark) {
			return nil, false
		}
	}
	if f.atStructLit() {
		if x, ok := f.structLit(); ok {
			return x, true
		}
		if !f.soft(start, mark) {
			return nil, false
		}
	}
	var x Expr
	ok := false
	switch {
	case t.Type == lex.TIdent && !(f.rec.on && startsStmt(t.Value)):
		n, _ := f.name()
		return n, true
	case t.Value == "(":
		x, ok = f.paren()
	case t.Value == "[":
		x, ok = f.arrayLit()
	case t.Value == "{":
		x, ok = f.block()
	default:
		f.expect("an expression")
		return nil, false
	}
	if !ok {
		if !f.soft(start, mark) {
			return nil, false
		}
		f.expect("an expression")
		return nil, false
	}
	return x, true
}

func isIntLit(s string) bool { return !strings.ContainsAny(s, ".eE") }

// atStructLit is StructLit's lookahead: Ident "{" Ident ":".
func (f *fast) atStructLit() bool {
	return f.atIdent() && f.tok(f.i+1).Value == "{" && f.tok(f.i+2).Type == lex.TIdent && f.tok(f.i+3).Value == ":"
}

// Name "{" FieldInit ( "," FieldInit )* ","? "}"
func (f *fast) structLit() (Expr, bool) {
	n, _ := f.name()
	// As convert.go: the brace is placed just after the name.
	s := &StructLit{Type: n, Lbrace: n.NamePos + token.Pos(len(n.Name))}
	f.i++ // "{"
	fi, ok := f.fieldInit()
	if !ok {
		return nil, false
	}
	s.Fields = append(s.Fields, fi)
	for f.at(",") {
		start, mark := f.i, f.mark()
		f.i++
		fi, ok := f.fieldInit()
		if !ok {
			if !f.soft(start, mark) {
				return nil, false
			}
			break
		}
		s.Fields = append(s.Fields, fi)
	}
	if f.at(",") {
		f.i++
	}
	if !f.at("}") {
		f.expect(`"}"`)
		return nil, false
	}
	s.Rbrace = f.pos(f.i)
	f.i++
	return s, true
}

// Name ":" Expr
func (f *fast) fieldInit() (*FieldInit, bool) {
	n, ok := f.name()
	if !ok {
		f.expect("a field (name: value)")
		return nil, false
	}
	if !f.want(":", `":"`) {
		return nil, false
	}
	x, ok := f.expr()
	if !ok {
		return nil, false
	}
	return &FieldInit{Name: n, Value: x}, true
}

// "(" ( Expr ( "," Expr )* ","? )? ")": a parenthesized expression or a
// tuple.
func (f *fast) paren() (Expr, bool) {
	lparen := f.pos(f.i)
	f.i++
	xs, trail, ok := f.exprList()
	if !ok {
		return nil, false
	}
	if !f.at(")") {
		f.expect(`")"`)
		return nil, false
	}
	rparen := f.pos(f.i)
	f.i++
	if len(xs) == 1 && !trail {
		return &ParenExpr{Lparen: lparen, X: xs[0], Rparen: rparen}, true
	}
	return &TupleExpr{Lparen: lparen, Elems: xs, Rparen: rparen}, true
}

// "[" ( For | Expr ( "," Expr )* ","? )? "]"
func (f *fast) arrayLit() (Expr, bool) {
	lbrack := f.pos(f.i)
	f.i++
	var loop *ForStmt
	var xs []Expr
	if f.at("for") {
		start, mark := f.i, f.mark()
		var ok bool
		if loop, ok = f.forStmt(); !ok {
			loop = nil
			if !f.soft(start, mark) {
				return nil, false
			}
		}
	}
	if loop == nil {
		var ok bool
		if xs, _, ok = f.exprList(); !ok {
			return nil, false
		}
	}
	if !f.at("]") {
		f.expect(`"]"`)
		return nil, false
	}
	rbrack := f.pos(f.i)
	f.i++
	if loop != nil {
		return &ForExpr{Lbrack: lbrack, Rbrack: rbrack, Loop: loop}, true
	}
	return &ArrayLit{Lbrack: lbrack, Elems: xs, Rbrack: rbrack}, true
}

// ifExpr parses If = "if" Expr Block ( "else" ( If | Block ) )?. An else-if
// chain is parsed in a loop rather than by recursion.
func (f *fast) ifExpr() (Expr, bool) {
	var first, last *IfExpr
	elseAt, elseMark := 0, 0 // the last "else"
	for {
		x := &IfExpr{If: f.pos(f.i)}
		f.i++
		var ok bool
		if x.Cond, ok = f.expr(); ok {
			x.Then, ok = f.wantBlock()
		}
		if !ok {
			if last == nil {
				return nil, false
			}
			// The If after "else" failed: the Block alternative cannot
			// match "if", so unless the failure is final the optional else
			// part is undone.
			return f.undoElse(first, elseAt, elseMark)
		}
		if last == nil {
			first = x
		} else {
			last.Else = x
		}
		last = x
		if !f.at("else") {
			return first, true
		}
		elseAt, elseMark = f.i, f.mark()
		f.i++
		switch {
		case f.at("if"):
			continue
		case f.at("{"):
			if b, ok := f.block(); ok {
				last.Else = b
				return first, true
			}
			return f.undoElse(first, elseAt, elseMark)
		}
		f.expect(`"{" or if`)
		return f.undoElse(first, elseAt, elseMark)
	}
}

// undoElse handles the failure of the alternatives after the "else" at
// token elseAt: the failure is final if it lies more than lookahead tokens
// past the alternatives' start; otherwise the else part is dropped and the
// if chain ends before it (the else was not linked yet).
func (f *fast) undoElse(first *IfExpr, elseAt, mark int) (Expr, bool) {
	if f.tooDeep || f.i > elseAt+1+lookahead {
		return nil, false
	}
	f.i = elseAt
	f.diags = f.diags[:mark]
	return first, true
}

// badTarget is the message for an assignment to something that is not a
// place.
const badTarget = "can only assign to a variable, an element a[i] or a field p.x of one"

// AssignTarget splits the left side x of an assignment into the variable
// it assigns and, for an element or field update, the whole place. A place
// is a name followed by indexes and field selections; anything else is not
// assignable (ok false, and target is the blank name at x's position).
func AssignTarget(x Expr) (target *Ident, place Expr, ok bool) {
	for e := x; ; {
		switch t := e.(type) {
		case *Ident:
			if t == x {
				return t, nil, true
			}
			return t, x, true
		case *IndexExpr:
			e = t.X
			continue
		case *SelectorExpr:
			e = t.X
			continue
		}
		return &Ident{NamePos: x.Pos(), Name: "_"}, nil, false
	}
}
