package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// nodePath finds Node, which the tests of generated JavaScript need: its
// absence is a failure, not a skip (CI has Node 20).
func nodePath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not installed: the tests of `rose build`'s JavaScript need Node 18 or later on PATH (%v)", err)
	}
	return p
}

// buildCase is one call of an export, with what the CLI prints for it.
type buildCase struct {
	Export string `json:"export"`
	Args   []any  `json:"args"`
	want   any    // the CLI's JSON, decoded
	errMsg string // or the CLI's runtime error
	what   string
}

// TestBuildNode builds every example file, runs its examples through the
// generated ES module in Node, value and gradient, and compares with the
// JSON of `rose run -f` and `rose grad -f`.
func TestBuildNode(t *testing.T) {
	node := nodePath(t)
	runner, err := filepath.Abs("testdata/build_runner.mjs")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../../examples/*.rose")
	if len(files) < 5 {
		t.Fatalf("found %d example files", len(files))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".rose")
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, name+".wasm")
			if code, _, stderr := invoke(t, "", "build", file, "-o", out); code != 0 {
				t.Fatalf("rose build: %d\n%s", code, stderr)
			}
			cases := buildCases(t, file)
			if name == "billiards" {
				cases = append(cases, billiardsCases(t, file)...)
			}
			data, _ := json.Marshal(cases)
			casesPath := filepath.Join(dir, "cases.json")
			if err := os.WriteFile(casesPath, data, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(node, runner, filepath.Join(dir, name+".js"), casesPath)
			stdout, err := cmd.Output()
			if err != nil {
				var stderr []byte
				if ee, ok := err.(*exec.ExitError); ok {
					stderr = ee.Stderr
				}
				t.Fatalf("node: %v\n%s", err, stderr)
			}
			var le struct{ LoadError string }
			if json.Unmarshal(stdout, &le) == nil && le.LoadError != "" {
				t.Fatalf("load: %s", le.LoadError)
			}
			var got []struct {
				Result any
				Error  string
				Rose   bool
				Ms     float64
			}
			if err := json.Unmarshal(stdout, &got); err != nil || len(got) != len(cases) {
				t.Fatalf("runner output (%v): %s", err, stdout)
			}
			for i, c := range cases {
				g := got[i]
				switch {
				case c.errMsg != "":
					if !g.Rose || g.Error != c.errMsg {
						t.Errorf("%s: error\n%s\nwant\n%s", c.what, g.Error, c.errMsg)
					}
				case g.Error != "":
					t.Errorf("%s: %s", c.what, g.Error)
				case !reflect.DeepEqual(g.Result, c.want):
					t.Errorf("%s:\n got %v\nwant %v (exactly)", c.what, g.Result, c.want)
				}
			}
			t.Logf("%d calls agree with the CLI", len(cases))
		})
	}
}

// buildCases are the file's examples, as calls of the module's exports
// and of their gradients, with the CLI's answers.
func buildCases(t *testing.T, file string) []*buildCase {
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	p := rose.Load(file, src)
	exs, err := p.Examples(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []*buildCase
	for _, ex := range exs {
		if ex.Err != nil {
			continue
		}
		f := ex.Func
		base, _, _ := strings.Cut(f.Name, "[")
		var args []string
		for i, a := range ex.Args {
			args = append(args, string(value.EncodeJSON(a, f.Params()[i])))
		}
		argText := "[" + strings.Join(args, ",") + "]"
		var jsArgs []any
		if err := json.Unmarshal([]byte(argText), &jsArgs); err != nil {
			t.Fatal(err)
		}
		out = append(out, cliCase(t, file, "run", exportName(f.Name), base, argText, jsArgs))
		if f.IR.Result().Kind == ir.KReal && p.Pkg.FuncByName(exportName(f.Name)+"_grad") == nil {
			out = append(out, cliCase(t, file, "grad", exportName(f.Name)+"_grad", base, argText, jsArgs))
		}
	}
	return out
}

// billiardsCases add a shot of the web page, the trajectory, and a
// runtime error in a callee.
func billiardsCases(t *testing.T, file string) []*buildCase {
	var table []any
	_, stdout, _ := invoke(t, "", "run", file, "-f", "table", "--args", "[[0.1,0.5],[0.3,0.0]]")
	if err := json.Unmarshal([]byte(stdout), &table); err != nil {
		t.Fatal(err)
	}
	shot := []any{[]any{0.1, 0.5}, []any{0.45, 0.2}}
	shotText, _ := json.Marshal(shot)
	bad := []any{table, 12.0}
	badText, _ := json.Marshal(bad)
	return []*buildCase{
		cliCase(t, file, "grad", "loss_grad", "loss", string(shotText), shot),
		cliCase(t, file, "run", "trajectory", "trajectory", string(shotText), shot),
		cliCase(t, file, "run", "advance", "advance", string(badText), bad),
	}
}

// cliCase asks the CLI (rose run or rose grad -f base --args argText) for
// the answer of calling export with jsArgs.
func cliCase(t *testing.T, file, verb, export, base, argText string, jsArgs []any) *buildCase {
	t.Helper()
	c := &buildCase{Export: export, Args: jsArgs, what: fmt.Sprintf("%s%s", export, argText)}
	if len(c.what) > 200 {
		c.what = c.what[:200] + "..."
	}
	code, stdout, stderr := invoke(t, "", verb, file, "-f", base, "--args", argText)
	if code != 0 {
		msg := strings.TrimSpace(strings.TrimPrefix(stderr, "rose grad: "))
		if !strings.Contains(msg, "runtime error") {
			t.Fatalf("rose %s -f %s: %s", verb, base, stderr)
		}
		c.errMsg = strings.ReplaceAll(msg, file, filepath.Base(file))
		return c
	}
	if err := json.Unmarshal([]byte(stdout), &c.want); err != nil {
		t.Fatalf("rose %s output: %v\n%s", verb, err, stdout)
	}
	return c
}

// TestBuildCLI covers build's command line: what it writes and its errors.
func TestBuildCLI(t *testing.T) {
	dir := t.TempDir()
	src := write(t, "g.rose", []byte("fn sum2<n>(x: [n]Real) -> Real { sum(x) }\nfn h(x: Real) -> Bool { x > 0.0 }\nexample sum2([1.0, 2.0])\n"))
	out := filepath.Join(dir, "g.wasm")
	code, stdout, stderr := invoke(t, "", "build", src, "-o", out)
	if code != 0 || !strings.Contains(stdout, "sum2_2, sum2_2_grad, h") {
		t.Fatalf("build: %d %q %q", code, stdout, stderr)
	}
	for _, ext := range []string{".wasm", ".js", ".d.ts"} {
		if _, err := os.Stat(filepath.Join(dir, "g"+ext)); err != nil {
			t.Error(err)
		}
	}
	dts, _ := os.ReadFile(filepath.Join(dir, "g.d.ts"))
	if !strings.Contains(string(dts), "sum2_2_grad(x: number[]): Gradient<[number[]]>;") || !strings.Contains(string(dts), "h(x: number): boolean;") {
		t.Errorf("g.d.ts:\n%s", dts)
	}
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"build", src}, 2, "needs -o OUT.wasm"},
		{[]string{"build", src, "-o", out, "-f", "nope"}, 1, "no function nope"},
		{[]string{"build", src, "-o", out, "-f", "h", "x.rose"}, 2, "exactly one FILE"},
	} {
		code, _, stderr := invoke(t, "", c.args...)
		if code != c.code || !strings.Contains(stderr, c.msg) {
			t.Errorf("rose %v: %d %q, want %d and %q", c.args, code, stderr, c.code, c.msg)
		}
	}
}

// TestBuildSize keeps the default module of billiards within 10 KiB: it is
// generated for size, without a name section unless -names, and -fast
// trades size for speed.
func TestBuildSize(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join("..", "..", "examples", "billiards.rose")
	size := func(flags ...string) int {
		out := filepath.Join(dir, "b.wasm")
		if code, _, stderr := invoke(t, "", append([]string{"build", file, "-o", out}, flags...)...); code != 0 {
			t.Fatalf("build %v: %s", flags, stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if named := strings.Contains(string(b), "\x04name"); named != (len(flags) > 0 && flags[0] == "-names") {
			t.Errorf("build %v: name section %v", flags, named)
		}
		return len(b)
	}
	small, named, fast := size(), size("-names"), size("-fast")
	if small > 10240 {
		t.Errorf("the default module of billiards has %d bytes, more than 10240", small)
	}
	if named <= small || fast <= small {
		t.Errorf("sizes: default %d, -names %d, -fast %d", small, named, fast)
	}
}
