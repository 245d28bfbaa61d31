package grammar

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/rose-go/rose/grammar/lex"
)

var update = flag.Bool("update", false, "rewrite testdata/grammar.ebnf")

// TestEBNF keeps the grammar's EBNF, as participle prints it, in a golden
// file, so that every change to the syntax shows up in review as a diff.
func TestEBNF(t *testing.T) {
	const path = "testdata/grammar.ebnf"
	got := Parser.String() + "\n"
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("the grammar changed; review and run go test ./grammar -update:\n%s", got)
	}
}

// TestSplit checks the statement-separator rule and the cut into items.
func TestSplit(t *testing.T) {
	src := "fn f(x: Real) -> Real {\n  let a = g(x,\n    1)\n  a\n}\n\nconst c = 1\nfn h() -> Real { if c > 0 { 1.0 }\n  else { 2.0 } }\n"
	items := lex.Split(lex.Tokenize("t.rose", []byte(src)))
	if len(items) != 3 {
		t.Fatalf("got %d items, want 3", len(items))
	}
	var got []string
	for _, tok := range items[0].Toks {
		got = append(got, tok.Value)
	}
	want := "fn f ( x : Real ) -> Real { let a = g ( x , 1 ) ; a ; }"
	if s := strings.Join(got, " "); s != want {
		t.Errorf("item 1 tokens:\n got %s\nwant %s", s, want)
	}
	got = got[:0]
	for _, tok := range items[2].Toks {
		got = append(got, tok.Value)
	}
	// The newline before else does not end the if.
	if s := strings.Join(got, " "); s != "fn h ( ) -> Real { if c > 0 { 1.0 } else { 2.0 } }" {
		t.Errorf("item 3 tokens: %s", s)
	}
}

// TestTokenizeMatchesLexer checks that the hand-written lex.Tokenize produces
// the tokens of the participle Lexer (the definition), on every example
// and on sources with a byte order mark at the start (skipped by both) or
// in the middle (an Illegal token for both).
func TestTokenizeMatchesLexer(t *testing.T) {
	srcs := map[string]string{
		"bom":        lex.BOM + "// c\nfn f(x: Real) -> Real { x * 2.0 }\n",
		"bom only":   lex.BOM,
		"mid bom":    "fn f() -> Real {" + lex.BOM + " 1.0 }\n",
		"two boms":   lex.BOM + lex.BOM + "const c = 1\n",
		"no bom":     "fn f(a: [2]Real) -> Real { a[0] += 1.5e-3; a[1] }\n",
		"bom prefix": "\xef\xbb" + "fn",
	}
	files, _ := filepath.Glob("../examples/*.rose")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs[f] = string(b)
		srcs[f+" with bom"] = lex.BOM + string(b)
	}
	for name, src := range srcs {
		n := lex.SkipBOM([]byte(src))
		lx, err := Lexer.LexString(name, src[n:])
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for {
			tok, err := lx.Next()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if tok.EOF() {
				break
			}
			if tok.Type != lex.TWhitespace {
				want = append(want, fmt.Sprintf("%d:%d %q", tok.Type, tok.Pos.Offset+n, tok.Value))
			}
		}
		var got []string
		for _, tok := range lex.Tokenize(name, []byte(src)) {
			got = append(got, fmt.Sprintf("%d:%d %q", tok.Type, tok.Pos.Offset, tok.Value))
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: lex.Tokenize:\n%s\nLexer:\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// TestSplitKeywords checks where an item keyword starts a new item: at the
// top level, or at the start of a line inside brackets; not in the middle
// of a line inside brackets.
func TestSplitKeywords(t *testing.T) {
	for _, c := range []struct {
		src   string
		items int
	}{
		{"fn f() -> Real {\n  let type = 2.0\n  x * type\n}\nfn g() -> Real { 1 }\n", 2},
		{"fn f() -> Real { (fn) }", 1},
		{"fn f() -> Real {\n  1\nfn g() -> Real { 1 }\n", 2},
		{"fn f() -> Real {\n  1\n  type T = Real\n", 2},
		{"const c = 1 type T = Real fn f() -> Real { 1 }", 3},
		{"fn f() -> Real { g(1,\n  example) }", 2},
	} {
		if got := len(lex.Split(lex.Tokenize("t.rose", []byte(c.src)))); got != c.items {
			t.Errorf("%q: %d items, want %d", c.src, got, c.items)
		}
	}
}

// TestTokenTypes checks that package lex's token types are Lexer's.
func TestTokenTypes(t *testing.T) {
	sym := Lexer.Symbols()
	for name, typ := range map[string]lexer.TokenType{
		"Comment": lex.TComment, "Newline": lex.TNewline, "Whitespace": lex.TWhitespace,
		"Number": lex.TNumber, "Ident": lex.TIdent, "Punct": lex.TPunct, "Illegal": lex.TIllegal, "EOF": lex.TEOF,
	} {
		if sym[name] != typ {
			t.Errorf("token type %s: lex has %d, Lexer %d", name, typ, sym[name])
		}
	}
}
