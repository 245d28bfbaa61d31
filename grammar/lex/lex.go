// Package lex is the lexical layer of Rose's syntax: tokens, the
// statement-separator rule and the cut of a file into top-level items. It
// is shared by the grammar (package grammar, the executable specification
// run by participle) and the production parser (package parser), and needs
// only participle's token type, not its parser.
package lex

import (
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// Token types, the same as those of grammar.Lexer's rules (a test in
// package grammar checks that they agree).
const (
	TComment    lexer.TokenType = -2 - iota
	TNewline                    // -3
	TWhitespace                 // -4
	TNumber                     // -5
	TIdent                      // -6
	TPunct                      // -7
	TIllegal                    // -8
	TEOF        = lexer.EOF
)

// Keywords are the reserved words; they cannot name anything.
var Keywords = []string{
	"fn", "const", "type", "struct", "example", "let", "var", "if", "else",
	"for", "in", "true", "false", "while", "test", "assert",
}

// Tokenize lexes src completely with the same token types as grammar.Lexer,
// by hand rather than by that lexer's regular expressions, which cost an order of
// magnitude more. Whitespace is dropped; comments are kept (the formatter
// needs them); newlines are kept for Split. Tokenize never fails: an
// unknown character becomes an Illegal token.
//
// A byte order mark at the start of src is skipped (see SkipBOM); offsets
// and columns still count its bytes, as go/token's do.
func Tokenize(filename string, src []byte) []lexer.Token {
	toks := make([]lexer.Token, 0, len(src)/3+16) // dense code has a token (or newline) per 3 bytes
	text := string(src)                           // token values are slices of one copy
	line, lineStart := 1, 0
	for i := SkipBOM(src); i < len(src); {
		c := src[i]
		start := i
		var typ lexer.TokenType
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			i++
			continue
		case c == '\n':
			typ = TNewline
			i++
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			typ = TComment
		case isDigit(c):
			i = scanNumber(src, i)
			typ = TNumber
		case isLetter(c):
			for i < len(src) && (isLetter(src[i]) || isDigit(src[i])) {
				i++
			}
			typ = TIdent
		default:
			if n := punctLen(src[i:]); n > 0 {
				i += n
				typ = TPunct
			} else {
				_, n := utf8.DecodeRune(src[i:])
				i += n
				typ = TIllegal
			}
		}
		toks = append(toks, lexer.Token{Type: typ, Value: text[start:i], Pos: lexer.Position{
			Filename: filename, Offset: start, Line: line, Column: start - lineStart + 1,
		}})
		if typ == TNewline {
			line, lineStart = line+1, i
		}
	}
	return toks
}

// BOM is the UTF-8 byte order mark, U+FEFF.
const BOM = "\uFEFF"

// SkipBOM returns the length of the byte order mark at the start of src, or
// 0. A file may begin with one (editors on Windows write it); it is not a
// token. U+FEFF anywhere else is an Illegal character.
func SkipBOM(src []byte) int {
	if len(src) >= len(BOM) && string(src[:len(BOM)]) == BOM {
		return len(BOM)
	}
	return 0
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

// scanNumber returns the end of the number starting at i:
// digits ( "." digits )? ( [eE] [+-]? digits )?.
func scanNumber(src []byte, i int) int {
	digits := func(i int) int {
		for i < len(src) && isDigit(src[i]) {
			i++
		}
		return i
	}
	i = digits(i)
	if i+1 < len(src) && src[i] == '.' && isDigit(src[i+1]) {
		i = digits(i + 1)
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		j := i + 1
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		if j < len(src) && isDigit(src[j]) {
			i = digits(j)
		}
	}
	return i
}

// punctLen is the length of the operator or delimiter at the start of b,
// or 0.
func punctLen(b []byte) int {
	if len(b) >= 2 {
		switch string(b[:2]) {
		case "->", "..", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=", "/=":
			return 2
		}
	}
	switch b[0] {
	case '-', '+', '*', '/', '%', '<', '>', '=', '!', '(', ')', '[', ']', '{', '}', ',', ':', ';', '.':
		return 1
	}
	return 0
}

// ItemTokens is the token range of one top-level declaration.
type ItemTokens struct {
	Toks []lexer.Token // the item's tokens after Separate
	End  int           // byte offset just past the item's last token
}

// itemKeywords start a top-level item. None of them can occur inside an
// item, so splitting at them is safe even when braces are unbalanced. Inside
// brackets only one that begins a line starts an item: a keyword misused in
// the middle of a line (`let type = 2.0`) is an error in its item, while a
// declaration after a function missing its "}" still starts afresh.
var itemKeywords = map[string]bool{"fn": true, "const": true, "type": true, "struct": true, "example": true, "test": true}

// Split applies the statement-separator rule and cuts the token stream into
// top-level items. Comments are dropped. Tokens before the first item
// keyword form an item of their own, which the parser reports.
//
// The separator rule: a newline becomes ";" when the token before it can
// end a statement (a name, a number, true/false, or a closing bracket) and
// the newline is not inside parentheses or square brackets; otherwise the
// newline is dropped. This is Go's rule, restricted so that a call's
// arguments or an array literal may span lines freely.
//
// For the separator rule, brackets are matched the way the parser's
// recovery matches them, which matters only in items that are rejected
// anyway: a "}" also closes the parentheses and square brackets left open
// inside its block, and a ")" or "]" directly inside braces closes nothing.
// So a statement with a stray or missing parenthesis leaves the lines
// after it separated. An item keyword begins a new item where the plain
// count of open brackets is zero (or at the start of a line).
//
// The items are built in toks' own array, which Split overwrites (each
// token yields at most one): toks must not be used afterwards.
func Split(toks []lexer.Token) []ItemTokens {
	var items []ItemTokens
	cur := toks[:0]   // all items share toks' array, written behind the reader
	var stack []byte  // open brackets; 's' is a struct literal's brace
	depth := 0        // open brackets, counting every closer
	inserted := -1    // index in cur of the last ";" made from a newline
	lineStart := true // no token yet on the current line
	flush := func() {
		for len(cur) > 0 && cur[len(cur)-1].Type == TPunct && cur[len(cur)-1].Value == ";" {
			cur = cur[:len(cur)-1]
		}
		n := len(cur)
		if n > 0 {
			last := cur[n-1]
			items = append(items, ItemTokens{Toks: cur[:n:n], End: last.Pos.Offset + len(last.Value)})
		}
		cur = cur[n:n]
		stack = stack[:0]
		depth = 0
		inserted = -1
	}
	for _, t := range toks {
		switch t.Type {
		case TComment:
			continue
		case TNewline:
			lineStart = true
			if len(cur) == 0 || (len(stack) > 0 && stack[len(stack)-1] != '{') {
				continue
			}
			if endsStatement(cur[len(cur)-1]) {
				t.Type, t.Value = TPunct, ";"
				inserted = len(cur)
				cur = append(cur, t)
			}
			continue
		case TIdent:
			if itemKeywords[t.Value] && (depth == 0 || lineStart) {
				flush()
			}
			// `}` newline `else`: the else continues the if.
			if t.Value == "else" && len(cur) > 0 && inserted == len(cur)-1 {
				cur = cur[:len(cur)-1]
			}
		case TPunct:
			switch t.Value {
			case "(", "[", "{":
				stack = append(stack, t.Value[0])
				depth++
			case ")", "]":
				if n := len(stack); n > 0 && stack[n-1] != '{' && stack[n-1] != 's' {
					stack = stack[:n-1]
				}
				depth = max(depth-1, 0)
			case "}":
				for len(stack) > 0 && stack[len(stack)-1] != '{' && stack[len(stack)-1] != 's' {
					stack = stack[:len(stack)-1]
				}
				if len(stack) > 0 {
					stack = stack[:len(stack)-1]
				}
				depth = max(depth-1, 0)
			case ":":
				// `Name { field:` opens a struct literal, whose fields may
				// span lines like a call's arguments (but not a struct
				// declaration's, which newlines separate).
				n := len(cur)
				if n >= 3 && len(stack) > 0 && stack[len(stack)-1] == '{' && cur[n-2].Value == "{" &&
					cur[n-1].Type == TIdent && cur[n-3].Type == TIdent && !(n >= 4 && cur[n-4].Value == "struct") {
					stack[len(stack)-1] = 's'
				}
			}
		}
		lineStart = false
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

// IsKeyword reports whether name is reserved.
func IsKeyword(name string) bool {
	for _, k := range Keywords {
		if k == name {
			return true
		}
	}
	return false
}
