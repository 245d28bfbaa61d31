package grammar

import "github.com/alecthomas/participle/v2/lexer"

// Token types of Lexer, looked up once.
var (
	symbols     = Lexer.Symbols()
	TComment    = symbols["Comment"]
	TNewline    = symbols["Newline"]
	TWhitespace = symbols["Whitespace"]
	TNumber     = symbols["Number"]
	TIdent      = symbols["Ident"]
	TPunct      = symbols["Punct"]
	TIllegal    = symbols["Illegal"]
	TEOF        = lexer.EOF
)

// Tokenize lexes src completely. Whitespace is dropped; comments are kept
// (the formatter needs them); newlines are kept for Separate. Tokenize never
// fails: an unknown character becomes an Illegal token.
func Tokenize(filename string, src []byte) []lexer.Token {
	lex, err := Lexer.LexString(filename, string(src))
	if err != nil {
		return nil
	}
	toks := make([]lexer.Token, 0, len(src)/3)
	for {
		t, err := lex.Next()
		if err != nil || t.EOF() {
			break
		}
		if t.Type == TWhitespace {
			continue
		}
		toks = append(toks, t)
	}
	return toks
}

// ItemTokens is the token range of one top-level declaration.
type ItemTokens struct {
	Toks []lexer.Token // the item's tokens after Separate
	End  int           // byte offset just past the item's last token
}

// itemKeywords start a top-level item. None of them can occur inside an
// item, so splitting at them is safe even when braces are unbalanced.
var itemKeywords = map[string]bool{"fn": true, "const": true, "type": true, "struct": true, "example": true}

// Split applies the statement-separator rule and cuts the token stream into
// top-level items. Comments are dropped. Tokens before the first item
// keyword form an item of their own, which the parser reports.
//
// The separator rule: a newline becomes ";" when the token before it can
// end a statement (a name, a number, true/false, or a closing bracket) and
// the newline is not inside parentheses or square brackets; otherwise the
// newline is dropped. This is Go's rule, restricted so that a call's
// arguments or an array literal may span lines freely.
func Split(toks []lexer.Token) []ItemTokens {
	var items []ItemTokens
	var cur []lexer.Token
	var stack []byte // open brackets
	flush := func() {
		for len(cur) > 0 && cur[len(cur)-1].Type == TPunct && cur[len(cur)-1].Value == ";" {
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			last := cur[len(cur)-1]
			items = append(items, ItemTokens{Toks: cur, End: last.Pos.Offset + len(last.Value)})
		}
		cur = nil
		stack = stack[:0]
	}
	for _, t := range toks {
		switch t.Type {
		case TComment:
			continue
		case TNewline:
			if len(cur) == 0 || (len(stack) > 0 && stack[len(stack)-1] != '{') {
				continue
			}
			if endsStatement(cur[len(cur)-1]) {
				t.Type, t.Value = TPunct, ";"
				cur = append(cur, t)
			}
			continue
		case TIdent:
			if itemKeywords[t.Value] {
				flush()
			}
		case TPunct:
			switch t.Value {
			case "(", "[", "{":
				stack = append(stack, t.Value[0])
			case ")", "]", "}":
				if len(stack) > 0 {
					stack = stack[:len(stack)-1]
				}
			}
		}
		cur = append(cur, t)
	}
	flush()
	return items
}

func endsStatement(t lexer.Token) bool {
	switch t.Type {
	case TIdent, TNumber:
		return true
	case TPunct:
		return t.Value == ")" || t.Value == "]" || t.Value == "}"
	}
	return false
}

// MaxDepth is the deepest bracket nesting the parser accepts. Deeper input
// is reported instead of parsed, so hostile input cannot exhaust the stack.
const MaxDepth = 200

// Depth returns the maximum bracket nesting of toks and the first token at
// which it exceeds MaxDepth (or -1).
func Depth(toks []lexer.Token) (max, over int) {
	depth := 0
	over = -1
	for i, t := range toks {
		if t.Type != TPunct || len(t.Value) != 1 {
			continue
		}
		switch t.Value[0] {
		case '(', '[', '{':
			depth++
			if depth > max {
				max = depth
			}
			if depth > MaxDepth && over < 0 {
				over = i
			}
		case ')', ']', '}':
			depth--
		}
	}
	return max, over
}

// sliceLexer feeds prepared tokens to participle.
type sliceLexer struct {
	toks []lexer.Token
	i    int
	eof  lexer.Position
}

func (l *sliceLexer) Next() (lexer.Token, error) {
	if l.i >= len(l.toks) {
		return lexer.EOFToken(l.eof), nil
	}
	t := l.toks[l.i]
	l.i++
	return t, nil
}

// ParseItem parses the tokens of one item. end is the position reported for
// an unexpected end of input.
func ParseItem(toks []lexer.Token, end lexer.Position) (*Item, error) {
	peek, err := lexer.Upgrade(&sliceLexer{toks: toks, eof: end})
	if err != nil {
		return nil, err
	}
	return Parser.ParseFromLexer(peek)
}

// IsKeyword reports whether name is reserved.
func IsKeyword(name string) bool {
	for _, k := range Keywords {
		if k == name {
			return true
		}
	}
	return false
}
