package parser

import (
	"go/token"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/rose-go/rose/grammar/lex"
)

// This file is the parser's recovering mode. The fast parser (fast.go)
// decides whether an item is valid, exactly as the grammar does. When it
// rejects an item, the item is parsed again with recovery on, which
// changes one thing: a block never fails. A statement of a block that
// fails to parse (or is followed by something other than a separator) is
// reported and skipped up to the next statement boundary, and becomes a
// BadStmt, or, for a let whose names were read, a LetStmt whose value is a
// BadExpr, so that the names stay declared. A block missing its "}" ends
// at the end of the item. Everything outside blocks (the declaration's
// header, a constant's value) is parsed as before: if it fails, the item
// is a BadDecl.

// recovery is the state of the recovering mode.
type recovery struct {
	on bool

	// let is the let statement being parsed once its names are read, and
	// letAt the token after its names (and type): where its value begins.
	let   *LetStmt
	letAt int

	eofReported bool   // a missing "}" was reported at the end of the item
	dangling    bool   // the statement ended in a "." whose field is missing (fast.go)
	errors      int    // syntax errors reported by recovery, kept or not
	stack       []byte // brackets open while skipping a statement
}

// parseItem parses the tokens of one item: with the fast parser, and when
// that rejects the item, again with recovery. It reports the syntax errors
// and returns false when the item is a BadDecl.
func (p *parser) parseItem(toks []lexer.Token, end lexer.Position) (Decl, bool) {
	f := p.fastFor(toks, end, false)
	d, ok := f.parse()
	p.rejected = !ok
	if ok {
		p.errs = append(p.errs, f.diags...)
		return d, true
	}
	first := f.failure()
	if !f.tooDeep {
		f = p.fastFor(toks, end, true)
		d, ok := f.item()
		if ok && !f.tooDeep {
			if f.i < len(f.toks) {
				// Tokens follow a complete declaration. A value they
				// follow may be the start of a longer one.
				f.expect("end of declaration")
				f.diags = append(f.diags, f.failure())
				f.rec.errors++
				to := f.endOf(len(f.toks) - 1)
				switch d := d.(type) {
				case *ConstDecl:
					d.Value = &BadExpr{From: d.Value.Pos(), To: to}
				case *ExampleDecl:
					d.Call = &BadExpr{From: d.Call.Pos(), To: to}
				}
			}
			// Without an error from recovery, the fast parser's reason
			// for rejecting the item would be lost: that would be a bug.
			if f.rec.errors > 0 {
				p.errs = append(p.errs, f.diags...)
				return d, true
			}
		}
	}
	// The header is broken: the whole item is bad, with the first error.
	p.errs = append(p.errs, first)
	return nil, false
}

// recBlock is block in the recovering mode: "{" ( Stmt ";"* )* "}", where
// a statement that fails is skipped. It fails only past the nesting limit.
func (f *fast) recBlock() (*Block, bool) {
	savedLet, savedAt := f.rec.let, f.rec.letAt
	defer func() { f.rec.let, f.rec.letAt = savedLet, savedAt }()
	b := &Block{Lbrace: f.pos(f.i)}
	f.i++
	var pending Expr // the last item, if an expression
	toEnd := false   // the last statement was skipped to the end of the item
	closing := `"}"`
	for {
		f.skipSemis()
		if f.i >= len(f.toks) || f.at("}") {
			break
		}
		start, mark := f.i, f.mark()
		// Each statement's error is the furthest point reached inside it.
		outerAt, outerWords := f.failAt, append([]string(nil), f.failWords...)
		f.failAt, f.failWords = -1, f.failWords[:0]
		f.rec.let, f.rec.dangling = nil, false
		s, x, ok := f.stmt()
		if f.tooDeep {
			return nil, false
		}
		closing = `a newline, ";" or "}"`
		// A statement that ends in a dangling "." has no newline after it
		// (a "." continues the line): the statement keyword below ends it.
		next := f.i >= len(f.toks) || f.at(";") || f.at("}") || f.rec.dangling && startsStmt(f.cur().Value)
		if ok && next {
			if pending != nil {
				b.Stmts = append(b.Stmts, &ExprStmt{X: pending})
			}
			pending = x
			if s != nil {
				b.Stmts = append(b.Stmts, s)
			}
			f.mergeFail(outerAt, outerWords)
			toEnd = false
			continue
		}
		if ok {
			f.expect(closing) // something follows the statement
		}
		at := f.failAt
		if at < start {
			at = start // a memoized failure recorded nothing
		}
		f.diags = f.diags[:mark]
		f.diags = append(f.diags, f.syntaxAt(at, f.failWords))
		f.rec.errors++
		stop := f.skipStmt(start)
		bad := &BadStmt{From: f.pos(start), To: f.endOf(stop - 1)}
		var st Stmt = bad
		if l := f.rec.let; l != nil && l.Let == bad.From {
			from := bad.To
			if k := f.rec.letAt; k < stop {
				if f.toks[k].Value == "=" {
					k++
				}
				if k < stop {
					from = f.pos(k)
				}
			}
			l.Value = &BadExpr{From: from, To: bad.To}
			st = l
		}
		if pending != nil {
			b.Stmts = append(b.Stmts, &ExprStmt{X: pending})
			pending = nil
		}
		b.Stmts = append(b.Stmts, st)
		f.i = stop
		toEnd = stop >= len(f.toks)
		f.failAt, f.failWords = outerAt, append(f.failWords[:0], outerWords...)
	}
	b.Result = pending
	if f.at("}") {
		b.Rbrace = f.pos(f.i)
		f.i++
		return b, true
	}
	// The item ends inside the block: close it after the last token.
	if !toEnd && !f.rec.eofReported {
		f.rec.eofReported = true
		f.rec.errors++
		f.diags = append(f.diags, f.syntaxAt(f.i, []string{closing}))
	}
	b.Rbrace = max(b.Lbrace, f.endOf(len(f.toks)-1)-1)
	return b, true
}

// mergeFail combines the furthest failure recorded before a statement with
// the one inside it.
func (f *fast) mergeFail(at int, words []string) {
	switch {
	case at > f.failAt:
		f.failAt, f.failWords = at, append(f.failWords[:0], words...)
	case at == f.failAt:
		local := append([]string(nil), f.failWords...)
		f.failWords = append(f.failWords[:0], words...)
		for _, w := range local {
			f.expectAt(at, w)
		}
	}
}

// endOf is the position just past token i.
func (f *fast) endOf(i int) token.Pos {
	t := f.tok(i)
	return f.p.lpos(t.Pos) + token.Pos(len(t.Value))
}

// skipStmt returns the index of the token that ends the statement starting
// at token i: the first ";" outside the brackets it opens, the "}" that
// closes the enclosing block, or the end of the item. A "}" also closes
// the parentheses and square brackets left open before it, and a ")" or
// "]" that closes nothing is skipped. The statement is at least token i.
func (f *fast) skipStmt(i int) int {
	stack := f.rec.stack[:0]
	defer func() { f.rec.stack = stack[:0] }()
	for k := i; k < len(f.toks); k++ {
		t := &f.toks[k]
		if t.Type == lex.TIdent && startsStmt(t.Value) && len(stack) == 0 && k > i {
			return k
		}
		if t.Type != lex.TPunct {
			continue
		}
		switch t.Value {
		case "(", "[", "{":
			stack = append(stack, t.Value[0])
		case ")", "]":
			if n := len(stack); n > 0 && stack[n-1] != '{' {
				stack = stack[:n-1]
			}
		case "}":
			for len(stack) > 0 && stack[len(stack)-1] != '{' {
				stack = stack[:len(stack)-1]
			}
			if len(stack) == 0 {
				if k == i {
					continue // cannot happen: a statement does not start at "}"
				}
				return k
			}
			stack = stack[:len(stack)-1]
		case ";":
			if len(stack) == 0 && k > i {
				return k
			}
		}
	}
	return len(f.toks)
}

// startsStmt reports whether the keyword s begins a statement. Recovery
// resumes at one, and does not read one as a name in an expression (which
// the grammar does, and reports).
func startsStmt(s string) bool {
	switch s {
	case "let", "var", "for", "while", "assert":
		return true
	}
	return false
}
