package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestExamplesRoseTest runs `rose test` on every program in examples/: their
// test blocks pass, and the gradient at every example agrees with forward
// mode and with finite differences, so the examples double as derivative
// tests.
func TestExamplesRoseTest(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "examples", "*.rose"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".rose"), func(t *testing.T) {
			code, stdout, stderr := runRose(t, "test", path)
			if code != exitOK || stderr != "" || !strings.Contains(stdout, "ok  \t"+path) {
				t.Errorf("rose test %s: exit code %d\nstdout:\n%s\nstderr:\n%s", path, code, stdout, stderr)
			}
		})
	}
}
