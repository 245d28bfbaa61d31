package parser

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/token"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/rose-go/rose/diag"
	"github.com/rose-go/rose/grammar/lex"
)

// The grammar (package grammar, run by participle) is the definition of
// the syntax; the hand-written parser (fast.go, recover.go) is the
// production parser. The contract between them: on every input both accept
// or both reject, and where both accept they build the same AST with the
// same extra diagnostics. On rejected input the production parser is free
// to recover (recover.go): it must then report at least one syntax error
// and never fail internally. The tests here check the contract on every
// .rose file of the repository, on fuzz corpora, on a table of tricky
// snippets, on token-level mutations of all of these, and under the fuzzer.

// itemResult is what one parser made of one item.
type itemResult struct {
	decl     Decl
	diags    diag.List
	accepted bool
}

func parseWith(p *parser, it lex.ItemTokens, parse func(*parser, []lexer.Token, lexer.Position) (Decl, bool)) (itemResult, int) {
	p.errs, p.memoHits, p.rejected = nil, 0, false
	d := p.itemWith(it, parse)
	_, bad := d.(*BadDecl)
	return itemResult{decl: d, diags: p.errs, accepted: !bad && !p.rejected}, p.memoHits
}

// maxMemoHits is the most memoized failures of the fast parser on an item
// for which the parsers are compared.
const maxMemoHits = 12

// compareItem reports how the production parser breaks the contract with
// participle on one item, or "". The production parser uses p, which may
// have parsed other items.
func compareItem(p *parser, it lex.ItemTokens) string {
	tf := p.file
	got, hits := parseWith(p, it, (*parser).parseItem)
	for _, d := range got.diags {
		if d.Code == "internal" {
			return "production parser failed internally: " + d.Msg
		}
	}
	if hits > maxMemoHits {
		// Participle, which does not memoize, may take exponential time.
		return ""
	}
	ref, _ := parseWith(&parser{file: p.file, src: p.src}, it, (*parser).parseItemParticiple)
	for _, d := range ref.diags {
		if d.Code == "internal" {
			return "participle failed internally: " + d.Msg
		}
	}
	for _, d := range got.diags {
		if d.Code == "too-deep" && ref.accepted {
			return "" // a limit participle does not have
		}
	}
	switch {
	case !ref.accepted && !got.accepted:
		for _, d := range got.diags {
			if d.Code == "syntax" || d.Code == "too-deep" {
				return ""
			}
		}
		return fmt.Sprintf("the production parser rejects the item without a syntax error: %v", got.diags)
	case !ref.accepted:
		return fmt.Sprintf("participle rejects (%s) but the production parser accepts:\n%s", msgs(ref.diags), dump(got.decl))
	case !got.accepted:
		return fmt.Sprintf("participle accepts but the production parser rejects (%s); participle's AST:\n%s", msgs(got.diags), dump(ref.decl))
	}
	if !reflect.DeepEqual(ref.decl, got.decl) {
		return fmt.Sprintf("ASTs differ\n--- participle:\n%s--- production:\n%s", dump(ref.decl), dump(got.decl))
	}
	if a, b := diagSet(tf, ref.diags), diagSet(tf, got.diags); a != b {
		return fmt.Sprintf("diagnostics differ\n--- participle:\n%s--- production:\n%s", a, b)
	}
	return ""
}

func msgs(l diag.List) string {
	var s []string
	for _, d := range l {
		s = append(s, d.Msg)
	}
	return strings.Join(s, "; ")
}

// dump prints d with go/ast's generic printer; positions show as numbers.
func dump(d Decl) string {
	var b bytes.Buffer
	ast.Fprint(&b, nil, d, nil)
	return b.String()
}

func diagSet(tf *token.File, l diag.List) string {
	var s []string
	for _, d := range l {
		s = append(s, fmt.Sprintf("%d-%d %s %s\n", tf.Offset(d.Pos), tf.Offset(d.End), d.Code, d.Msg))
	}
	sort.Strings(s)
	return strings.Join(s, "")
}

// compareSource compares the parsers on every item of src.
func compareSource(t testing.TB, name string, src []byte) {
	t.Helper()
	if len(src) > MaxFileSize || !utf8.Valid(src) {
		return
	}
	tf := token.NewFileSet().AddFile(name, -1, len(src))
	tf.SetLinesForContent(src)
	p := &parser{file: tf, src: src}
	for _, it := range lex.Split(lex.Tokenize(name, src)) {
		if msg := compareItem(p, it); msg != "" {
			t.Errorf("%s: item at offset %d: %s\nsource:\n%s", name, it.Toks[0].Pos.Offset, msg, src[it.Toks[0].Pos.Offset:it.End])
		}
	}
}

// roseSources returns every .rose file of the repository the parsers are
// compared on, the ```rose blocks of the language docs and the inputs of
// the fuzz corpora.
func roseSources(t testing.TB) map[string][]byte {
	t.Helper()
	srcs := map[string][]byte{}
	for _, dir := range []string{"../examples", "../check/testdata", "../cmd/rose/testdata", "../format/testdata", "testdata", "../testdata"} {
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return nil
			}
			switch {
			case strings.HasSuffix(path, ".rose"):
				srcs[path] = b
			case strings.Contains(path, string(filepath.Separator)+"fuzz"+string(filepath.Separator)):
				if v, ok := fuzzInput(b); ok {
					srcs[path] = v
				}
			}
			return nil
		})
	}
	if b, err := os.ReadFile("../docs/language.md"); err == nil {
		for i, block := range strings.Split(string(b), "```rose")[1:] {
			if end := strings.Index(block, "```"); end >= 0 {
				block = block[:end]
			}
			if nl := strings.IndexByte(block, '\n'); nl >= 0 {
				srcs[fmt.Sprintf("docs/language.md#%d", i+1)] = []byte(block[nl+1:])
			}
		}
	}
	if len(srcs) < 20 {
		t.Fatalf("found only %d sources", len(srcs))
	}
	return srcs
}

// fuzzInput decodes a `go test fuzz v1` file holding one []byte or string.
func fuzzInput(b []byte) ([]byte, bool) {
	lines := strings.SplitN(string(b), "\n", 3)
	if len(lines) < 2 || lines[0] != "go test fuzz v1" {
		return nil, false
	}
	v := strings.TrimSpace(lines[1])
	for _, pre := range []string{"[]byte(", "string("} {
		if strings.HasPrefix(v, pre) && strings.HasSuffix(v, ")") {
			s, err := strconv.Unquote(v[len(pre) : len(v)-1])
			return []byte(s), err == nil
		}
	}
	return nil, false
}

func TestFastParserFiles(t *testing.T) {
	srcs := roseSources(t)
	for name, src := range srcs {
		compareSource(t, name, src)
	}
	t.Logf("compared %d sources", len(srcs))
}

// snippets are function bodies and declarations on which participle's
// choices are easy to get wrong.
var snippets = []string{
	// struct literal vs block after if, for and in conditions
	`fn f(x: Real) -> Real { if x { 1 } else { 2 } }`,
	`fn f(x: Real) -> Real { if x {} else { 2 } }`,
	`fn f(x: Real) -> Real { if x { y: 1 } else { 2 } }`,
	`fn f(x: Real) -> P { P { x: 1, y: 2 } }`,
	`fn f(x: Real) -> P { P {} }`,
	`fn f(x: Real) -> P { P { x: 1, y: 2, } }`,
	`fn f(x: Real) -> P { P { x: 1, } }`,
	`fn f(x: Real) -> P { P { x: 1 ,, } }`,
	`fn f(x: Real) -> P { P { x } }`,
	`fn f(x: Real) -> Real { for i in 0..n {} x }`,
	`fn f(x: Real) -> Real { for i in 0..n { x } x }`,
	`fn f(x: Real) -> Real { if { x: 1 } }`,
	`fn f(x: Real) -> Real { if {} }`,
	`fn f(x: Real) -> Real { if }`,
	`fn f(x: Real) -> Real { if x }`,
	`fn f(x: Real) -> Real { if x { 1 } else }`,
	`fn f(x: Real) -> Real { if x { 1 } else if }`,
	`fn f(x: Real) -> Real { if x { 1 } else if y }`,
	`fn f(x: Real) -> Real { if x { 1 } else if y { 2 } else }`,
	`fn f(x: Real) -> Real { if x { 1 } else if y { 2 } else if z { 3 } else { 4 } }`,
	`fn f(x: Real) -> Real { if x { 1 } else { } }`,
	`fn f(x: Real) -> Real { if x { 1 } else { 2 ) }`,
	`fn f(x: Real) -> Real { if if x { true } else { false } { 1 } else { 2 } }`,
	`fn f(x: Real) -> Real { if x { 1 }; 2 }`,
	`fn f(x: Real) -> Real { if x < 1 { s = 1 } else { s = 2 }; s }`,
	`fn f(x: Real) -> Real { { { x } } }`,
	`fn f(x: Real) -> Real { {} }`,
	// tuple selectors
	`fn f(t: T) -> Real { t.0.1 }`,
	`fn f(t: T) -> Real { t.0.1.2 }`,
	`fn f(t: T) -> Real { t.0 .1 }`,
	`fn f(t: T) -> Real { t . 0 }`,
	`fn f(t: T) -> Real { t.1e5 }`,
	`fn f(t: T) -> Real { t.0.1e5 }`,
	`fn f(t: T) -> Real { t.x.y }`,
	`fn f(t: T) -> Real { t.fn }`,
	`fn f(t: T) -> Real { t. }`,
	`fn f(t: T) -> Real { t.(1) }`,
	// negative literals
	`const a = -1`,
	`const a = - 1`,
	`const a = -x[0]`,
	`const a = -1[0]`,
	`const a = -2.5e3`,
	`const a = --1`,
	`const a = - -1`,
	`const a = !-1`,
	`const a = -!1`,
	`const a = -(1)`,
	`const a = 2-1`,
	`const a = 2 -1`,
	`const a = -1.5.x`,
	`const a = -1()`,
	`const a = - - - - - - x`,
	`const a = -`,
	`const a = !`,
	// trailing commas, tuples, arrays
	`fn f(a: Real, b: Real,) -> Real { g(a, b,) }`,
	`fn f(a: Real,,) -> Real { a }`,
	`fn f(,) -> Real { a }`,
	`fn f() -> Real { g(,) }`,
	`fn f() -> Real { g(a,,) }`,
	`fn f() -> (Real, Real) { (a,) }`,
	`fn f() -> (Real,) { (a,) }`,
	`fn f() -> () { () }`,
	`fn f() -> (,) { (,) }`,
	`fn f() -> (Real, Real,) { (a, b,) }`,
	`fn f() -> Real { (a) }`,
	`fn f() -> Real { ((a)) }`,
	`fn f() -> Real { (a, b }`,
	`fn f() -> Real { (a b) }`,
	`fn f() -> [0]Real { [] }`,
	`fn f() -> [2]Real { [1, 2,] }`,
	`fn f() -> [2]Real { [1, 2,,] }`,
	`fn f() -> [2]Real { [,] }`,
	`fn f() -> [2]Real { [for] }`,
	`fn f() -> [2]Real { [for i] }`,
	`fn f() -> [2]Real { [for i in] }`,
	`fn f() -> [2]Real { [for i in 0..2] }`,
	`fn f() -> [2]Real { [for i in 0..2 { i }] }`,
	`fn f() -> [2]Real { [for i in 0..2 { i }, 1] }`,
	`fn f() -> [2][2]Real { [for i in 0..2 { [for j in 0..2 { i * j }] }] }`,
	`fn f() -> [2]Real { [for i in 0..n { [for j in 0..m { a[i][j] }][0] }] }`,
	`fn f() -> Real { a[] }`,
	`fn f() -> Real { a[1][2](3)(4).x[5] }`,
	`fn f() -> Real { a[1, 2] }`,
	// statements
	`fn f() -> Real { var s = 0; s += 1; s -= 2; s *= 3; s /= 4; s = 5; s }`,
	`fn f() -> Real { s += }`,
	`fn f() -> Real { a[i] = 1; p.x -= 2; m[i][j + 1] *= 3; s.pos[k].0 /= 4; a[0] }`,
	`fn f() -> Real { (a)[0] = 1; f(x)[0] += 2; a.b(c) = 3; 0 }`,
	`fn f() -> Real { a[i] = ; a[] = 1; a. = 2 }`,
	"fn f<n>(x: [n - 1]Real) -> [n * (n + 1) / 2][len(x)]Real { x }",
	"fn f<n>(x: [n -]Real) -> Real { x }",
	"fn f<n>(x: [(n]Real, y: [n)]Real) -> Real { x }",
	"fn f() -> Real { let x: [n + ]Real = 1; let y: [-1][]Real = 2; x }",
	"fn f() -> Real { let x: [{ 1 }]Real = 1; let y: [if a { 1 } else { 2 }]Real = 2; x }",
	"fn f() -> Real { for i in j + 1..n - 1 { s += i }; while s > 0 { s -= 1 }; s }",
	"fn f() -> Real { while x max 10 { x -= 1 }; while x max n * 2 { }; while max { }; x }",
	"fn f() -> Real { while x max { x = 1 }; x }",
	"fn f() -> Real { while { x = 1 }; x }",
	"fn f() -> Real { while x max 3 x }",
	"fn f() -> Real { var while = 1; while }",
	"fn f() -> Real { while f(x) { x = y }\n while x < max(a, b) max 5 { x += 1 }\n x }",
	`fn f() -> Real { s = = 1 }`,
	`fn f() -> Real { 2 = x; x }`,
	`fn f() -> Real { a.b = x; x }`,
	`fn f() -> Real { a + b = x; x }`,
	`fn f() -> Real { (a) = x; x }`,
	`fn f() -> Real { let.x = 3 }`,
	`fn f() -> Real { let (a, b) = t; a }`,
	`fn f() -> Real { let (a, b,) = t; a }`,
	`fn f() -> Real { let (a) = t; a }`,
	`fn f() -> Real { let () = t; a }`,
	`fn f() -> Real { let (a,,) = t; a }`,
	`fn f() -> Real { var (a) = t; a }`,
	`fn f() -> Real { var (a, b) = t; a }`,
	`fn f() -> Real { let x: Real = 1; x }`,
	`fn f() -> Real { let x: = 1; x }`,
	`fn f() -> Real { let x: [ = 1; x }`,
	`fn f() -> Real { let x: [3] = 1; x }`,
	`fn f() -> Real { let x: [3]Real = 1; x }`,
	`fn f() -> Real { let x }`,
	`fn f() -> Real { let x = }`,
	`fn f() -> Real { let }`,
	`fn f() -> Real { let + 1 }`,
	`fn f() -> Real { let if; 1 }`,
	`fn f() -> Real { var }`,
	`fn f() -> Real { for }`,
	`fn f() -> Real { for i }`,
	`fn f() -> Real { for i in }`,
	`fn f() -> Real { for i in 0 }`,
	`fn f() -> Real { for i in 0.. }`,
	`fn f() -> Real { for i in 0..n }`,
	`fn f() -> Real { for i in 0..n { } }`,
	`fn f() -> Real { for i in 0..n { s += i } }`,
	`fn f() -> Real { for i in 0..n { s += i }; s }`,
	`fn f() -> Real { a b c }`,
	`fn f() -> Real { ;;; a ;;; b ;;; }`,
	`fn f() -> Real { a ) }`,
	`fn f() -> Real { x + }`,
	`fn f() -> Real { (a + 1.0 }`,
	`fn f() -> Real { a @ a }`,
	`fn f() -> Real { else }`,
	`fn f() -> Real { in }`,
	`fn f() -> Real { true && false || !true }`,
	`fn f() -> Real { a || b && c == d + e * f - g / h % i }`,
	`fn f() -> Real { a * b + c * d < e - f }`,
	`fn f() -> Real { a < b < c }`,
	`fn f() -> Real { a < b == c }`,
	`fn f() -> Real { a < b + c < d }`,
	`fn f() -> Real { a == b && c == d }`,
	`fn f() -> Real { (a < b) < c }`,
	`fn f() -> Real { a < b < c < d }`,
	`fn f() -> Real { a - b - c - d }`,
	// declarations
	`fn f<>() -> Real { 1.0 }`,
	`fn f<n>() -> Real { 1.0 }`,
	`fn f<n, m>() -> Real { 1.0 }`,
	`fn f<n,>() -> Real { 1.0 }`,
	`fn f<,>() -> Real { 1.0 }`,
	`fn f<n m>() -> Real { 1.0 }`,
	`fn f< -> Real { 1.0 }`,
	`fn f() { 1.0 }`,
	`fn f() -> { 1.0 }`,
	`fn f() -> Real`,
	`fn f() -> Real 1`,
	`fn f(x) -> Real { 1.0 }`,
	`fn f(x:) -> Real { 1.0 }`,
	`fn f(x: Real y: Real) -> Real { 1.0 }`,
	`fn f(x: Real, y) -> Real { 1.0 }`,
	`fn f(x: Real, y:) -> Real { 1.0 }`,
	`fn f(x: [n]Real, y: [3][4]Real, z: [2.5]Real, w: [fn]Real) -> Real { 1.0 }`,
	`fn f(x: [n Real) -> Real { 1.0 }`,
	`fn f(x: []Real) -> Real { 1.0 }`,
	`fn f(x: [3][) -> Real { 1.0 }`,
	`fn f(x: [3][3]) -> Real { 1.0 }`,
	`fn f(x: [3][3][) -> Real { 1.0 }`,
	`fn f(x: ((Real, Int), [2](Real,))) -> Real { 1.0 }`,
	`fn f(x: (Real Int)) -> Real { 1.0 }`,
	`fn f(x: (Real,,)) -> Real { 1.0 }`,
	`fn f(x: ([) -> Real { 1.0 }`,
	`fn fn(let: if) -> else { for }`,
	`fn f`,
	`fn`,
	`fn f(`,
	`fn f() ->`,
	`fn f() -> Real {`,
	`fn f() -> Real { 1 } }`,
	`fn f() -> Real { 1 } 2`,
	`const c = 1`,
	`const c: Real = 1`,
	`const c: = 1`,
	`const c: [ = 1`,
	`const c: [3]Real [1, 2, 3]`,
	`const c`,
	`const`,
	`const c = `,
	`const true = 1`,
	`type V = [2]Real`,
	`type V = `,
	`type V [2]Real`,
	`type = Real`,
	`type type = type`,
	`struct S {}`,
	`struct S { x: Real }`,
	`struct S { x: Real, y: Real }`,
	`struct S { x: Real, y: Real, }`,
	`struct S { x: Real; y: Real }`,
	`struct S { x: Real; y: Real; }`,
	`struct S { ; x: Real ;; y: Real ,; }`,
	`struct S { x: Real, ;; }`,
	`struct S { x: Real ; ; }`,
	`struct S { x: Real ; ; ; }`,
	`struct S { x: Real ; ; ; y: Real }`,
	`struct S { x: Real ,,,, }`,
	`struct S { x: Real y: Real }`,
	`struct S { x }`,
	`struct S { x: }`,
	`struct S { , }`,
	`struct S`,
	`struct S {`,
	"struct S {\n  x: Real\n  y: Real\n}",
	"struct S {\n\n  x: Real,\n\n  y: Real,\n\n}",
	`example f(1.0)`,
	`example f(1.0) + 2`,
	`example`,
	`example f(`,
	`example P { x: 1 }`,
	`example if x { 1 } else { 2 }`,
	`let x = 1`,
	`x`,
	`@`,
	// newlines
	"fn f(x: Real) -> Real {\n  let a = x\n  -a\n}",
	"fn f(x: Real) -> Real {\n  let a = x +\n  a\n  a\n}",
	"fn f(x: Real) -> Real {\n  g(a,\n    b)\n}",
	"fn f(x: Real) -> Real {\n  if x < 0 {\n    1\n  }\n  else {\n    2\n  }\n}",
	"fn f(x: Real) -> Real {\n  if x < 0 {\n    1\n  } else if x > 1 {\n    2\n  } else {\n    3\n  }\n}",
	"fn f(x: Real) -> Real {\n  [1,\n   2,\n  ]\n}",
	"fn f(x: Real) -> Real {\n  P {\n    x: 1,\n    y: 2\n  }\n}",
	"fn f(x: Real) -> Real {\n  P {\n    x: 1\n    y: 2\n  }\n}",
	// parenthesized types: (T) is T
	`fn f(x: (Real)) -> (Real) { x }`,
	`fn f(x: ((Real,))) -> ((Real)) { x }`,
	`fn f(x: ([2]Real), y: [2](Real), z: ([2](Real,))) -> Real { x }`,
	`fn f(x: (Real,Int,)) -> Real { x }`,
	`fn f(x: ()) -> Real { x }`,
	"fn f() -> Real {\n  if x {\n    1\n  }\n  else {\n    2\n  }\n}",
	"fn f() -> Real {\n  if x {\n    1\n  }\n\n  else if y {\n    2\n  }\n  else {\n    3\n  }\n}",
	"fn f() -> P {\n  P {\n    x: 1,\n    y: P { a:\n 2\n }\n  }\n}",
	"fn f() -> P {\n  P {\n    x: 1\n    y: 2\n  }\n}",
	`fn f() -> Real { P {} }`,
	`fn f() -> Real { P { x } }`,
	`fn f() -> Real { P { x: } }`,
	`fn f() -> Real { P { x: 1 y: 2 } }`,
	`fn f() -> Real { if P { x: 1 } { 2 } }`,
	`fn f() -> Real { for i in 0..n {} }`,
	// deep nesting, near and over the limit
	"fn f() -> Real { " + strings.Repeat("(", 199) + "x" + strings.Repeat(")", 199) + " }",
	"fn f() -> Real { " + strings.Repeat("(", 200) + "x" + strings.Repeat(")", 200) + " }",
	"fn f() -> Real { " + strings.Repeat("[", 198) + "x" + strings.Repeat("]", 198) + " }",
	"fn f() -> Real { " + strings.Repeat("{", 199) + "x" + strings.Repeat("}", 199) + " }",
	"fn f() -> Real { " + strings.Repeat("a[", 199) + "x" + strings.Repeat("]", 199) + " }",
	"fn f() -> Real { " + strings.Repeat("- ", 500) + "x }",
	"fn f() -> Real { " + strings.Repeat("-", 500) + "1 }",
	"fn f() -> Real { " + strings.Repeat("!-", 500) + "1 }",
	"fn f() -> Real { x" + strings.Repeat(" + x * y < z", 300) + " }",
	"fn f() -> Real { x" + strings.Repeat(".0", 300) + " }",
	"fn f() -> Real { x" + strings.Repeat("(1)", 300) + " }",
	"fn f() -> Real { if a { 1 }" + strings.Repeat(" else if a { 1 }", 300) + " else { 2 } }",
	"fn f() -> Real { if a { 1 }" + strings.Repeat(" else if a { 1 }", 300) + " else }",
	"fn f() -> Real { " + strings.Repeat("if ", 100) + "x" + strings.Repeat(" { 1 } else { 2 }", 100) + " }",
	"fn f(x: " + strings.Repeat("[1]", 300) + "Real) -> Real { 1 }",
	"fn f(x: " + strings.Repeat("[1]", 300) + ") -> Real { 1 }",
	"fn f(x: " + strings.Repeat("(", 190) + "Real" + strings.Repeat(")", 190) + ") -> Real { 1 }",
	// test blocks and asserts
	"test t { assert f(1.0) == 2.0 }",
	"test t {\n  let x = 1.0\n  assert x > 0.0\n  assert x < 2.0; }\nfn f() -> Real { 1 }",
	"test t { }",
	"test { assert true }",
	"test t assert true",
	"test t { assert }",
	"test t { assert 1.0 +; assert true }",
	"test test { assert true }",
	"fn f() -> Real { assert true; 1.0 }",
	"fn f() -> Real { let assert = 1.0; assert }",
	"fn f() -> Real { let test = 1.0; test }",
	"test t { assert x = 1 }",
	"test t { for i in 0..3 { assert i < 3 } }",
	// a byte order mark: skipped at the start, illegal elsewhere
	lex.BOM + "fn f(x: Real) -> Real { x }",
	lex.BOM + "// c\nconst c = 1",
	"fn f() -> Real { 1 }\n" + lex.BOM + "fn g() -> Real { 1 }",
	"fn f() -> Real {" + lex.BOM + " 1 }",
}

func TestFastParserSnippets(t *testing.T) {
	for _, s := range snippets {
		compareSource(t, "snippet.rose", []byte(s))
	}
}

// TestFastParserMutations compares the parsers on each item of every
// source with one token deleted, duplicated or replaced, which walks the
// error paths near every construct.
func TestFastParserMutations(t *testing.T) {
	srcs := roseSources(t)
	for _, s := range snippets {
		srcs["snippet:"+s] = []byte(s)
	}
	names := make([]string, 0, len(srcs))
	for name := range srcs {
		names = append(names, name)
	}
	sort.Strings(names)
	replacements := []string{"}", ")", "]", "{", "(", "[", ";", ",", ":", "=", "-", "if", "else", "x", "1", "..", "for", "let", "<"}
	rng := rand.New(rand.NewSource(1))
	n := 0
	for _, name := range names {
		src := srcs[name]
		if len(src) > MaxFileSize || !utf8.Valid(src) {
			continue
		}
		tf := token.NewFileSet().AddFile(name, -1, len(src))
		tf.SetLinesForContent(src)
		p := &parser{file: tf, src: src}
		for _, it := range lex.Split(lex.Tokenize(name, src)) {
			// Every position with ROSE_MUTATE_ALL=1 (minutes), else a few
			// random ones per item.
			positions := make([]int, 0, len(it.Toks))
			for k := 1; k < len(it.Toks); k++ {
				positions = append(positions, k)
			}
			if os.Getenv("ROSE_MUTATE_ALL") == "" {
				rng.Shuffle(len(positions), func(i, j int) { positions[i], positions[j] = positions[j], positions[i] })
				if n := 8; len(positions) > n {
					positions = positions[:n]
				}
			}
			for _, k := range positions {
				var muts [][]lexer.Token
				del := append(append([]lexer.Token(nil), it.Toks[:k]...), it.Toks[k+1:]...)
				dup := append(append([]lexer.Token(nil), it.Toks[:k+1]...), it.Toks[k:]...)
				rep := append([]lexer.Token(nil), it.Toks...)
				r := replacements[rng.Intn(len(replacements))]
				rep[k].Value = r
				switch {
				case r == "x" || r == "if" || r == "else" || r == "for" || r == "let":
					rep[k].Type = lex.TIdent
				case r == "1":
					rep[k].Type = lex.TNumber
				default:
					rep[k].Type = lex.TPunct
				}
				muts = append(muts, del, dup, rep)
				for _, m := range muts {
					n++
					mit := lex.ItemTokens{Toks: m, End: it.End}
					if msg := compareItem(p, mit); msg != "" {
						t.Errorf("%s: mutated item: %s\ntokens: %s", name, msg, tokText(m))
					}
				}
			}
		}
	}
	t.Logf("compared %d mutated items", n)
}

func tokText(toks []lexer.Token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.Value)
	}
	return b.String()
}

// FuzzFastParser checks that the hand-written parser agrees with the
// participle path on arbitrary input.
func FuzzFastParser(f *testing.F) {
	for _, s := range snippets {
		if len(s) < 1000 {
			f.Add([]byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		compareSource(t, "fuzz.rose", src)
	})
}

// TestFastParserMessages checks the wording and position of a few syntax
// errors.
func TestFastParserMessages(t *testing.T) {
	tests := []struct{ src, want string }{
		{"fn f(x: Real) -> Real { x + }", `1:29: unexpected "}", expected an expression`},
		{"fn f(x: Real) -> Real { (x + 1.0 }", `1:34: unexpected "}", expected ")"`},
		{"fn f(x Real) -> Real { x }", `1:8: unexpected name Real, expected ":"`},
		{"fn f() Real { x }", `1:8: unexpected name Real, expected "->"`},
		{"fn f() -> Real { x", `1:19: unexpected end of file, expected a newline, ";" or "}"`},
		{"fn f() -> Real {\n  let x =\n}", `3:1: unexpected "}", expected an expression`},
		{"fn f() -> Real {\n  let x: Real\n}", `2:14: unexpected newline, expected "="`},
		{"fn f() -> Real { a @ a }", `1:20: unexpected character "@", expected a newline, ";" or "}"`},
		{"fn f() -> Real { a b }", `1:20: unexpected name b, expected a newline, ";" or "}"`},
		{"const c = 1 2", `1:13: unexpected number 2, expected end of declaration`},
		{"type T =", `1:9: unexpected end of file, expected a type`},
		{"struct S { x: Real y: Real }", `1:20: unexpected name y, expected "}"`},
		{"fn f() -> Real { g(1,, 2) }", `1:22: unexpected ",", expected an expression or ")"`},
		{"fn f() -> Real { for i in 0..n { x }", `1:37: unexpected end of file, expected a newline, ";" or "}"`},
		{"fn f() -> Real { for i in 0..n x }", `1:32: unexpected name x, expected "{"`},
		{"fn f(x: Real) -> Real {\n  let type = 2.0\n  x * 2.0\n}\nfn g() -> Real { 1.0 }", `2:7: keyword type cannot be used as a name`},
		{"fn f() -> Real {\n  1.0\nfn g() -> Real { 1.0 }", `2:6: unexpected end of declaration (the next one begins on line 3), expected a newline, ";" or "}"`},
		{"fn f() -> Real { (1.0 fn g() -> Real { 1.0 }", `1:23: unexpected keyword fn, expected ")"`},
		{lex.BOM + "fn f(x Real) -> Real { x }", `1:11: unexpected name Real, expected ":"`},
		{"fn f() -> Real { 1 " + lex.BOM + "}", `1:20: unexpected character "\ufeff", expected a newline, ";" or "}"`},
	}
	for _, tt := range tests {
		fset := token.NewFileSet()
		_, errs := ParseFile(fset, "t.rose", []byte(tt.src))
		if len(errs) != 1 {
			t.Errorf("%q: got %d errors %v, want 1", tt.src, len(errs), errs)
			continue
		}
		pos := fset.Position(errs[0].Pos)
		if got := fmt.Sprintf("%d:%d: %s", pos.Line, pos.Column, errs[0].Msg); got != tt.want || errs[0].Code != "syntax" {
			t.Errorf("%q:\ngot  %s [%s]\nwant %s", tt.src, got, errs[0].Code, tt.want)
		}
	}
}

// TestFastParserTooDeep checks the limit on expression nesting that
// brackets do not bound.
func TestFastParserTooDeep(t *testing.T) {
	src := "fn f() -> Real { " + strings.Repeat("if ", 5000) + "x" + strings.Repeat(" { 1 } else { 2 }", 5000) + " }\nfn g() -> Real { 1 }\n"
	fset := token.NewFileSet()
	f, errs := ParseFile(fset, "t.rose", []byte(src))
	if len(errs) != 1 || errs[0].Code != "too-deep" {
		t.Fatalf("got %v, want one too-deep error", errs)
	}
	if len(f.Decls) != 2 {
		t.Fatalf("got %d declarations, want 2", len(f.Decls))
	}
	if _, ok := f.Decls[1].(*FuncDecl); !ok {
		t.Errorf("second declaration is %T", f.Decls[1])
	}
}

// TestFastParserLinear checks that input on which a non-memoizing parser
// (participle) backtracks exponentially parses quickly.
func TestFastParserLinear(t *testing.T) {
	for _, pat := range []string{"if (", "if [", "if {", "if -(", "if f(", "if (x, ", "if x[", "(if (", "P { x: if (", "if if (", "let (", "[for ("} {
		src := []byte("fn f() -> Real { " + strings.Repeat(pat, 150) + " }")
		start := time.Now()
		ParseFile(token.NewFileSet(), "t.rose", src)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%q repeated 150 times: parsing took %v", pat, d)
		}
	}
}

// TestBOM checks that a byte order mark at the start of a file is skipped:
// the file parses to the declarations and comments of the same text without
// it, at positions shifted by the mark's three bytes.
func TestBOM(t *testing.T) {
	src := "// c\nfn f(x: Real) -> Real { x + 1 }\nexample f(2.0)\n"
	parse := func(src string) (*File, diag.List, *token.File) {
		fset := token.NewFileSet()
		f, errs := ParseFile(fset, "t.rose", []byte(src))
		return f, errs, fset.File(f.FileEnd)
	}
	plain, errs, tf := parse(src)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	bom, errs, tfb := parse(lex.BOM + src)
	if len(errs) > 0 {
		t.Fatalf("with a byte order mark: %v", errs)
	}
	if len(bom.Decls) != len(plain.Decls) || len(bom.Comments) != len(plain.Comments) {
		t.Fatalf("%d declarations and %d comments, want %d and %d", len(bom.Decls), len(bom.Comments), len(plain.Decls), len(plain.Comments))
	}
	for i := range plain.Decls {
		a, b := tf.Offset(plain.Decls[i].Pos()), tfb.Offset(bom.Decls[i].Pos())
		if b != a+len(lex.BOM) {
			t.Errorf("declaration %d at offset %d, want %d", i, b, a+len(lex.BOM))
		}
	}
}
