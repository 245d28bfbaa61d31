package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBatch: --batch gives, line for line and in order, what one call per
// line gives, and reports bad lines without stopping.
func TestBatch(t *testing.T) {
	dir := t.TempDir()
	var in strings.Builder
	var want []string
	for i := 0; i < 300; i++ {
		args := fmt.Sprintf("[[%d.5, %d.25, -1.0]]", i%17, i%5)
		if i == 7 {
			args = "[[1.0]]" // the wrong length: an error line
		}
		fmt.Fprintln(&in, args)
		if i%50 == 0 {
			fmt.Fprintln(&in) // blank lines are skipped
		}
		if i == 7 {
			// rosenbrock is generic: its size, 3, comes from the first line.
			want = append(want, `{"error": "line 9: argument 1 ([3]Real): expected an array of 3 elements, got 1"}`)
			continue
		}
		code, out, errs := invoke(t, "", "run", "../../examples/rosenbrock.rose", "-f", "rosenbrock", "--args", args)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", args, code, errs)
		}
		want = append(want, strings.TrimSpace(out))
	}
	file := filepath.Join(dir, "points.jsonl")
	if err := os.WriteFile(file, []byte(in.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := invoke(t, "", "run", "../../examples/rosenbrock.rose", "-f", "rosenbrock", "--batch", file)
	if code != 1 {
		t.Errorf("exit %d (one line fails), stderr %q", code, errs)
	}
	got := strings.Split(strings.TrimSpace(out), "\n")
	if len(got) != len(want) {
		t.Fatalf("%d lines out, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("line %d: %s, want %s", i, got[i], want[i])
		}
	}
	if code, _, errs := invoke(t, "", "run", "../../examples/rosenbrock.rose", "--batch", file); code != 2 || !strings.Contains(errs, "need -f NAME") {
		t.Errorf("--batch without -f: exit %d, %q", code, errs)
	}
}
