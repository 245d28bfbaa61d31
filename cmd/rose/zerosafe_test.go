package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestZeroSafeGrad differentiates the builtins at their singular points
// (testdata/zerosafe.rose) in both modes: the outputs must be identical,
// free of NaN, and equal to testdata/zerosafe.golden (rewritten with
// -update).
func TestZeroSafeGrad(t *testing.T) {
	path := filepath.Join("testdata", "zerosafe.rose")
	_, rev, stderr := runRose(t, "grad", "--mode", "reverse", path)
	if stderr != "" {
		t.Fatalf("rose grad: %s", stderr)
	}
	_, fwd, stderr := runRose(t, "grad", "--mode", "forward", path)
	if stderr != "" {
		t.Fatalf("rose grad --mode forward: %s", stderr)
	}
	if fwd != rev {
		t.Errorf("forward mode differs from reverse mode\nforward:\n%s\nreverse:\n%s", fwd, rev)
	}
	if strings.Contains(rev, "NaN") || strings.Contains(fwd, "NaN") {
		t.Errorf("a derivative is NaN:\n%s", rev)
	}
	golden := filepath.Join("testdata", "zerosafe.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(rev), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test with -update to create it)", err)
	}
	if rev != string(want) {
		t.Errorf("rose grad %s differs from %s\ngot:\n%s\nwant:\n%s", path, golden, rev, want)
	}
}
