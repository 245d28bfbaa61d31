package parser

import (
	"errors"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
	"github.com/rose-go/rose/grammar"
)

// parseItemParticiple parses the tokens of one item with participle and
// converts the result, the reference that the hand-written parser in
// fast.go is tested against. On a syntax error it reports one diagnostic
// and returns false.
func (p *parser) parseItemParticiple(toks []lexer.Token, end lexer.Position) (Decl, bool) {
	g, err := grammar.ParseItem(toks, end)
	if err != nil {
		p.syntaxError(err)
		return nil, false
	}
	d := p.decl(g)
	return d, d != nil
}

// syntaxError turns a participle error into a plain-words diagnostic.
func (p *parser) syntaxError(err error) {
	var ute *participle.UnexpectedTokenError
	if errors.As(err, &ute) {
		msg := "unexpected " + p.describe(ute.Unexpected)
		if exp := expected(ute.Message()); exp != "" {
			msg += ", expected " + exp
		}
		p.errorf(p.lpos(ute.Unexpected.Pos), "syntax", "%s", msg)
		return
	}
	var pe participle.Error
	if errors.As(err, &pe) {
		p.errorf(p.lpos(pe.Position()), "syntax", "%s", pe.Message())
		return
	}
	p.errorf(p.pos(0), "syntax", "%v", err)
}

// productionWords translates participle's expectation into plain words.
var productionWords = map[string]string{
	"Expr": "an expression", "Operand": "an expression", "Primary": "an expression",
	"Type": "a type", "Name": "a name", "<ident>": "a name", "Block": `"{"`,
	"Param": "a parameter (name: Type)", "Stmt": "a statement or expression",
	"FieldInit": "a field (name: value)", "<number>": "a number", "Assign": `"="`,
	"CallArgs": `"("`, "BinOp": "an operator",
	"RParen": `")"`, "RBrack": `"]"`, "RBrace": `"}"`,
}

func expected(msg string) string {
	i := strings.Index(msg, "(expected ")
	if i < 0 || !strings.HasSuffix(msg, ")") {
		return ""
	}
	exp := msg[i+len("(expected ") : len(msg)-1]
	var words []string
	for _, alt := range strings.Split(exp, " | ") {
		alt = strings.TrimSpace(alt)
		if w, ok := productionWords[alt]; ok {
			alt = w
		}
		if !contains(words, alt) {
			words = append(words, alt)
		}
	}
	if len(words) > 4 {
		words = words[:4]
	}
	return strings.Join(words, " or ")
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
