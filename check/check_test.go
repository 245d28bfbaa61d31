package check_test

import (
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rose-go/rose/check"
	"github.com/rose-go/rose/diag"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/parser"
)

// expectRx matches `// ERROR code "regexp"` at the end of a line.
var expectRx = regexp.MustCompile(`// ERROR ([a-z-]+) ("(?:[^"\\]|\\.)*")\s*$`)

type expectation struct {
	code string
	rx   *regexp.Regexp
}

// TestErrors checks the files in testdata/errors: every line marked with
// an ERROR comment gets a diagnostic with that code and a matching message,
// and no other line gets one.
func TestErrors(t *testing.T) {
	files, _ := filepath.Glob("testdata/errors/*.rose")
	if len(files) == 0 {
		t.Fatal("no test files")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want := map[int]expectation{}
			for i, line := range strings.Split(string(src), "\n") {
				if m := expectRx.FindStringSubmatch(line); m != nil {
					pat := strings.ReplaceAll(m[2][1:len(m[2])-1], `\"`, `"`)
					want[i+1] = expectation{m[1], regexp.MustCompile(pat)}
				}
			}
			fset := token.NewFileSet()
			f, perrs := parser.ParseFile(fset, path, src)
			_, cerrs := check.Check(fset, f)
			got := map[int][]diag.Diagnostic{}
			for _, d := range append(perrs, cerrs...) {
				line := fset.Position(d.Pos).Line
				got[line] = append(got[line], d)
				if _, ok := want[line]; !ok {
					t.Errorf("unexpected: %s", diag.Format(fset, d))
				}
			}
			for line, w := range want {
				found := false
				for _, d := range got[line] {
					if d.Code == w.code && w.rx.MatchString(d.Msg) {
						found = true
					}
				}
				if !found {
					var have []string
					for _, d := range got[line] {
						have = append(have, diag.Format(fset, d))
					}
					t.Errorf("%s:%d: want error[%s] matching %q; have %v", path, line, w.code, w.rx, have)
				}
			}
		})
	}
}

// TestLowerVerifies lowers the valid programs of testdata/ok and every
// example, and runs the IR verifier on the result.
func TestLowerVerifies(t *testing.T) {
	files, _ := filepath.Glob("testdata/ok/*.rose")
	more, _ := filepath.Glob("../examples/*.rose")
	for _, path := range append(files, more...) {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		f, perrs := parser.ParseFile(fset, path, src)
		pkg, cerrs := check.Check(fset, f)
		if errs := append(perrs, cerrs...); len(errs) > 0 {
			t.Errorf("%s: %s", path, diag.Format(fset, errs[0]))
			continue
		}
		prog, err := pkg.Program()
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if err := ir.VerifyProgram(prog); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
}
