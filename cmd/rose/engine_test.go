package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestEngines: run and grad print the same text, digit for digit, with
// either engine, on every example; a bad engine name is a usage error.
func TestEngines(t *testing.T) {
	files, _ := filepath.Glob("../../examples/*.rose")
	for _, f := range files {
		for _, cmd := range []string{"run", "grad"} {
			c1, out1, err1 := invoke(t, "", cmd, f, "--engine", "eval")
			c2, out2, err2 := invoke(t, "", cmd, f, "--engine", "compiled")
			if c1 != c2 || out1 != out2 || err1 != err2 {
				t.Errorf("rose %s %s: eval (exit %d)\n%s%s\ncompiled (exit %d)\n%s%s", cmd, filepath.Base(f), c1, out1, err1, c2, out2, err2)
			}
		}
	}
	code, _, errs := invoke(t, "", "run", files[0], "--engine", "jit")
	if code != 2 || !strings.Contains(errs, `unknown engine "jit"`) {
		t.Errorf("--engine jit: exit %d, %q", code, errs)
	}
}
