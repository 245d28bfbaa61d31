package check_test

import (
	"bytes"
	"flag"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/rose-go/rose/check"
	"github.com/rose-go/rose/diag"
	"github.com/rose-go/rose/grammar/lex"
	"github.com/rose-go/rose/parser"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/broken")

// TestBrokenExamples breaks every example mechanically, one statement at a
// time (a token replaced by ")", a closing bracket deleted, a line cut in
// half, `let = ` inserted), and checks what the parser and the checker
// report: exactly one syntax error, and nothing else (no "undefined" for a
// name whose declaration broke or for a function whose body did, no type
// mismatch on what failed to parse). The diagnostics are kept in
// testdata/broken/*.golden (go test -update rewrites them) for review.
func TestBrokenExamples(t *testing.T) {
	files, _ := filepath.Glob("../examples/*.rose")
	if len(files) == 0 {
		t.Fatal("no examples")
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".rose")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			n := 0
			for _, v := range breakages(src) {
				diags, fset, pkg := diagnose(name+".rose", v.src)
				if !hasSyntaxError(diags) {
					continue // still valid syntax: not a breakage
				}
				if _, err := pkg.Program(); err == nil {
					t.Errorf("line %d, %s: a program with syntax errors was lowered", v.line, v.what)
				}
				n++
				fmt.Fprintf(&out, "== line %d: %s\n%s\n", v.line, v.what, v.text)
				syntax := 0
				for _, d := range diags {
					p := fset.Position(d.Pos)
					fmt.Fprintf(&out, "%d:%d: %s: %s\n", p.Line, p.Column, d.Code, d.Msg)
					if d.Code == "syntax" {
						syntax++
						// A break may split a statement in two: a second
						// error must lie in the statement broken.
						if syntax > 1 && (p.Line < v.line || p.Line > v.lastRow) {
							t.Errorf("line %d, %s: syntax error outside the statement (lines %d-%d): %s\n%s", v.line, v.what, v.line, v.lastRow, diag.Format(fset, d), v.text)
						}
					} else {
						t.Errorf("line %d, %s: follow-on error %s\n%s", v.line, v.what, diag.Format(fset, d), v.text)
					}
				}
				if syntax > 2 {
					t.Errorf("line %d, %s: %d syntax errors, want 1 (or 2 in the statement broken)\n%s", v.line, v.what, syntax, v.text)
				}
			}
			if n < 8 {
				t.Errorf("only %d broken variants", n)
			}
			golden := filepath.Join("testdata", "broken", name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(want, out.Bytes()) {
				t.Errorf("diagnostics differ from %s (go test -update rewrites it); got:\n%s", golden, out.Bytes())
			}
		})
	}
}

func hasSyntaxError(l diag.List) bool {
	for _, d := range l {
		if d.Code == "syntax" {
			return true
		}
	}
	return false
}

func diagnose(filename string, src []byte) (diag.List, *token.FileSet, *check.Package) {
	fset := token.NewFileSet()
	f, errs := parser.ParseFile(fset, filename, src)
	pkg, cerrs := check.Check(fset, f)
	return append(errs, cerrs...), fset, pkg
}

type breakage struct {
	line    int    // the broken line
	lastRow int    // the last line of the statement it begins
	what    string // how it was broken
	text    string // the broken line
	src     []byte
}

// breakages returns variants of src, each with one statement broken: up to
// six statement lines of function and test bodies, spread over the file,
// each broken in four ways.
func breakages(src []byte) []breakage {
	lines := stmtLines(src)
	const per = 6
	if len(lines) > per {
		picked := make([]stmtLine, 0, per)
		for k := 0; k < per; k++ {
			picked = append(picked, lines[k*len(lines)/per])
		}
		lines = picked
	}
	var bs []breakage
	for _, sl := range lines {
		toks := sl.toks
		line := toks[0].Pos.Line
		add := func(what string, from, to int, with string) {
			b := append([]byte(nil), src[:from]...)
			b = append(b, with...)
			b = append(b, src[to:]...)
			start := toks[0].Pos.Offset - (toks[0].Pos.Column - 1)
			end := bytes.IndexByte(b[start:], '\n')
			if end < 0 {
				end = len(b) - start
			}
			bs = append(bs, breakage{line: line, lastRow: sl.lastRow, what: what, text: string(b[start : start+end]), src: b})
		}
		// A token in the middle of the line replaced by ")"; in a let, in
		// the middle of its value (replacing the name it declares would
		// make later uses undefined, rightly).
		val := toks
		if v := toks[0].Value; v == "let" || v == "var" {
			for k, t := range toks {
				if t.Value == "=" {
					val = toks[k+1:]
					break
				}
			}
		}
		mid := val[len(val)/2]
		if k := len(val) / 2; (mid.Value == "{" || mid.Value == "}") && k > 0 {
			mid = val[k-1] // a brace replaced would change the blocks
		}
		add(fmt.Sprintf("%q replaced by \")\"", mid.Value), mid.Pos.Offset, mid.Pos.Offset+len(mid.Value), ")")
		// The last closing parenthesis or bracket deleted.
		for k := len(toks) - 1; k >= 0; k-- {
			if v := toks[k].Value; v == ")" || v == "]" {
				add(fmt.Sprintf("last %q deleted", v), toks[k].Pos.Offset, toks[k].Pos.Offset+1, "")
				break
			}
		}
		// The line cut after its first half, keeping a "{" that ends it
		// (the block's "}" follows on a later line); not when that would
		// cut a block in two.
		if h := (len(toks) + 1) / 2; h < len(toks) {
			cut, last := toks[h-1], toks[len(toks)-1]
			rest := toks[h:]
			keep := ""
			if last.Value == "{" {
				keep, rest = " {", rest[:len(rest)-1]
			}
			braces := 0
			for _, t := range rest {
				switch t.Value {
				case "{":
					braces++
				case "}":
					braces--
				}
			}
			if braces == 0 {
				add("cut in half", cut.Pos.Offset+len(cut.Value), last.Pos.Offset+len(last.Value), keep)
			}
		}
		// `let = ` inserted at the start.
		add("`let = ` inserted", toks[0].Pos.Offset, toks[0].Pos.Offset, "let = ")
	}
	return bs
}

// stmtLine is a line that begins a statement inside a block.
type stmtLine struct {
	toks    []lexer.Token // the line's tokens
	lastRow int           // the statement's last line
}

// stmtLines returns the lines that begin a statement inside a block: lines
// whose first token is directly inside braces (not those of a struct
// declaration or literal) and is not "}".
func stmtLines(src []byte) []stmtLine {
	var sig []lexer.Token // without newlines and comments
	for _, t := range lex.Tokenize("x.rose", src) {
		if t.Type != lex.TNewline && t.Type != lex.TComment {
			sig = append(sig, t)
		}
	}
	var lines []stmtLine
	var stack []byte // '{' a block, 's' other braces, '(' parentheses and brackets
	row := 0
	for k, t := range sig {
		if t.Pos.Line != row {
			row = t.Pos.Line
			if n := len(lines); n > 0 && lines[n-1].lastRow == 0 && (len(stack) == 0 || stack[len(stack)-1] == '{') {
				// The previous statement ended before this line.
				lines[n-1].lastRow = row - 1
			}
			if len(stack) > 0 && stack[len(stack)-1] == '{' && t.Value != "}" {
				lines = append(lines, stmtLine{})
			}
		}
		if n := len(lines); n > 0 && lines[n-1].lastRow == 0 && (len(lines[n-1].toks) == 0 || lines[n-1].toks[0].Pos.Line == row) {
			lines[n-1].toks = append(lines[n-1].toks, t)
		}
		switch t.Value {
		case "(", "[":
			stack = append(stack, '(')
		case "{":
			structDecl := k >= 2 && sig[k-2].Value == "struct"
			structLit := k+2 < len(sig) && sig[k-1].Type == lex.TIdent && sig[k+1].Type == lex.TIdent && sig[k+2].Value == ":"
			if structDecl || structLit {
				stack = append(stack, 's')
			} else {
				stack = append(stack, '{')
			}
		case ")", "]", "}":
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if n := len(lines); n > 0 && lines[n-1].lastRow == 0 {
		lines[n-1].lastRow = row
	}
	return lines
}
