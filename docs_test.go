package rose_test

import (
	"bufio"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/check"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/value"
)

// minRoseBlocks is the fewest valid ```rose blocks docs/language.md may
// have, so that the reference cannot silently shrink.
const minRoseBlocks = 25

// docBlock is one fenced code block of a Markdown file.
type docBlock struct {
	line  int               // line of the opening fence, from 1
	lang  string            // first word of the info string
	attrs map[string]string // key=value words of the info string
	body  string            // the lines between the fences, each ending in \n
	gap   bool              // non-blank text between the previous block and this one
}

// readBlocks returns the fenced blocks of the Markdown file path. Fences
// are lines starting with three backquotes.
func readBlocks(t *testing.T, path string) []docBlock {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		blocks []docBlock
		cur    *docBlock
		body   strings.Builder
		gap    bool
	)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if cur == nil {
			if !strings.HasPrefix(line, "```") {
				if strings.TrimSpace(line) != "" {
					gap = true
				}
				continue
			}
			words := strings.Fields(strings.TrimPrefix(line, "```"))
			cur = &docBlock{line: n, attrs: map[string]string{}, gap: gap}
			for i, w := range words {
				if i == 0 {
					cur.lang = w
					continue
				}
				k, v, _ := strings.Cut(w, "=")
				cur.attrs[k] = v
			}
			body.Reset()
			continue
		}
		if strings.HasPrefix(line, "```") {
			cur.body = body.String()
			blocks = append(blocks, *cur)
			cur, gap = nil, false
			continue
		}
		body.WriteString(line)
		body.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cur != nil {
		t.Fatalf("%s:%d: unterminated code block", path, cur.line)
	}
	return blocks
}

// TestLanguageDocs checks the code of docs/language.md:
//
//   - a ```rose block is a complete file that loads without diagnostics;
//   - a ```rose error=CODE block yields at least one diagnostic with CODE;
//   - a ```rose block may carry file=NAME, the file name it is loaded as
//     (default block.rose), which shows in runtime error messages;
//   - a ```output block right after a ```rose block holds exactly what
//     `rose run` prints on standard output for it: one line per example,
//     `call = value`, or `call = error` when the call fails;
//   - a ```stderr block right after that holds the error messages of the
//     failing examples, as `rose run` prints them on standard error;
//   - a ```ir block right after a ```rose block holds what `rose ir`
//     prints for it;
//   - a ```rose test=ok (or test=FAIL) block passes (or fails) what
//     `rose test` runs: its tests, gradient checks and rule checks.
//
// A valid ```rose block with examples must be followed by its output.
func TestLanguageDocs(t *testing.T) {
	const path = "docs/language.md"
	blocks := readBlocks(t, path)
	roseBlocks := 0
	for i := 0; i < len(blocks); i++ {
		b := blocks[i]
		switch b.lang {
		case "output", "stderr", "ir", "grad":
			t.Errorf("%s:%d: ```%s block does not follow a ```rose block", path, b.line, b.lang)
			continue
		case "rose":
		default:
			continue
		}
		// Collect the result blocks that follow immediately.
		var output, stderr, irText, gradText *docBlock
		for i+1 < len(blocks) && !blocks[i+1].gap && isResult(blocks[i+1].lang) {
			next := &blocks[i+1]
			switch {
			case next.lang == "output" && output == nil && irText == nil:
				output = next
			case next.lang == "stderr" && output != nil && stderr == nil:
				stderr = next
			case next.lang == "ir" && irText == nil:
				irText = next
			case next.lang == "grad" && gradText == nil:
				gradText = next
			default:
				t.Errorf("%s:%d: unexpected ```%s block", path, next.line, next.lang)
			}
			i++
		}
		name := "block.rose"
		if n, ok := b.attrs["file"]; ok {
			name = n
		}
		prog := rose.Load(name, []byte(b.body))
		if code, ok := b.attrs["error"]; ok {
			found := false
			for _, d := range prog.Diags {
				if d.Code == code {
					found = true
				}
			}
			if !found {
				t.Errorf("%s:%d: want a diagnostic with code %q, got %v", path, b.line, code, prog.Err())
			}
			if output != nil || irText != nil {
				t.Errorf("%s:%d: a block with errors cannot have output", path, b.line)
			}
			continue
		}
		roseBlocks++
		if want, ok := b.attrs["test"]; ok {
			checkRoseTest(t, path, b.line, prog, want)
		}
		if err := prog.Err(); err != nil {
			for _, d := range prog.Diags {
				pos := prog.Fset.Position(d.Pos)
				t.Errorf("%s:%d: block line %d:%d: error[%s]: %s", path, b.line+pos.Line, pos.Line, pos.Column, d.Code, d.Msg)
			}
			continue
		}
		if output == nil && len(prog.Pkg.Examples) > 0 {
			t.Errorf("%s:%d: block has examples but no ```output block after it", path, b.line)
		}
		if output != nil {
			out, errs := runExamples(t, prog)
			if out != output.body {
				t.Errorf("%s:%d: output differs\n--- got:\n%s--- want:\n%s", path, output.line, out, output.body)
			}
			switch {
			case stderr != nil && errs != stderr.body:
				t.Errorf("%s:%d: error output differs\n--- got:\n%s--- want:\n%s", path, stderr.line, errs, stderr.body)
			case stderr == nil && errs != "":
				t.Errorf("%s:%d: examples fail but no ```stderr block follows:\n%s", path, output.line, errs)
			}
		}
		if gradText != nil {
			if got := gradExamples(t, prog); got != gradText.body {
				t.Errorf("%s:%d: rose grad output differs\n--- got:\n%s--- want:\n%s", path, gradText.line, got, gradText.body)
			}
		}
		if irText != nil {
			p, err := prog.IR()
			if err != nil {
				t.Errorf("%s:%d: %v", path, irText.line, err)
			} else if got := p.String(); got != irText.body {
				t.Errorf("%s:%d: IR differs\n--- got:\n%s--- want:\n%s", path, irText.line, got, irText.body)
			}
		}
	}
	if roseBlocks < minRoseBlocks {
		t.Errorf("%s has %d valid ```rose blocks, want at least %d", path, roseBlocks, minRoseBlocks)
	}
	t.Logf("%s: %d valid rose blocks, %d blocks in all", path, roseBlocks, len(blocks))
}

func isResult(lang string) bool {
	return lang == "output" || lang == "stderr" || lang == "ir" || lang == "grad"
}

// gradExamples renders the examples of prog with their gradients as
// `rose grad` does.
func gradExamples(t *testing.T, prog *rose.Program) string {
	t.Helper()
	ctx := context.Background()
	exs, err := prog.Examples(ctx)
	if err != nil {
		return err.Error() + "\n"
	}
	var out strings.Builder
	for _, ex := range exs {
		text, err := ex.GradientText(ctx, rose.Reverse)
		if err != nil {
			out.WriteString(ex.Text + " = error\n")
			continue
		}
		out.WriteString(text)
	}
	return out.String()
}

// runExamples evaluates the examples of prog as `rose run` does and
// returns its standard output and standard error.
func runExamples(t *testing.T, prog *rose.Program) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	exs, err := prog.Examples(ctx)
	if err != nil {
		return "", err.Error() + "\n"
	}
	var out, errs strings.Builder
	for _, ex := range exs {
		if ex.Err != nil {
			out.WriteString(ex.Text + " = error\n")
			errs.WriteString(ex.Err.Error() + "\n")
			continue
		}
		v, err := ex.Func.Call(ctx, ex.Args, &eval.Options{MaxSteps: 1e8})
		if err != nil {
			out.WriteString(ex.Text + " = error\n")
			errs.WriteString(err.Error() + "\n")
			continue
		}
		out.WriteString(ex.Text + " = " + value.Format(v, ex.Func.IR.Result()) + "\n")
	}
	return out.String(), errs.String()
}

// TestBuiltinsDocumented checks that the builtin table of the language
// reference lists every builtin function.
func TestBuiltinsDocumented(t *testing.T) {
	doc, err := os.ReadFile("docs/language.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	start := strings.Index(text, "## 7. Builtin functions")
	end := strings.Index(text, "## 8.")
	if start < 0 || end < start {
		t.Fatal("docs/language.md has no section 7, Builtin functions")
	}
	section := text[start:end]
	for name := range check.BuiltinDocs() {
		if !strings.Contains(section, "| `"+name+"` ") && !strings.Contains(section, " `"+name+"` |") && !strings.Contains(section, " `"+name+"` `") {
			t.Errorf("docs/language.md, Builtin functions, has no table row for %s", name)
		}
	}
}
