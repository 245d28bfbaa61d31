package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestExamples runs every program in examples/ through `rose check` and
// `rose run`, and compares the output of run with the golden file next to
// the program (examples/NAME.golden). Run with -update to rewrite the
// goldens after a deliberate change, then review the diff.
func TestExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "examples", "*.rose"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no examples found in ../../examples")
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".rose")
		t.Run(name, func(t *testing.T) {
			if code, stdout, stderr := runRose(t, "check", path); code != exitOK || stdout != "" || stderr != "" {
				t.Fatalf("rose check %s: exit code %d\nstdout:\n%s\nstderr:\n%s", path, code, stdout, stderr)
			}
			code, stdout, stderr := runRose(t, "run", path)
			if code != exitOK || stderr != "" {
				t.Fatalf("rose run %s: exit code %d\nstdout:\n%s\nstderr:\n%s", path, code, stdout, stderr)
			}
			golden := strings.TrimSuffix(path, ".rose") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(stdout), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test with -update to create it)", err)
			}
			if stdout != string(want) {
				t.Errorf("rose run %s: output differs from %s\ngot:\n%s\nwant:\n%s", path, golden, stdout, want)
			}
		})
	}
}

// runRose runs the rose command line in-process and returns its exit code
// and output.
func runRose(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut}
	code = run(context.Background(), e, args)
	return code, out.String(), errOut.String()
}
