package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestColumns checks the parsers on the original Rose's recorded results
// and an engine that is missing.
func TestColumns(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "reason"), []byte("n/a (no compiled engine yet)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if c := engineColumn(dir); c.reason != "n/a (no compiled engine yet)" || len(c.ns) != 0 {
		t.Errorf("missing engine: %+v", c)
	}
	goOut := filepath.Join(dir, "go.txt")
	os.WriteFile(goOut, []byte("BenchmarkHand/billiards/value-2  10  3.0 ns/op\nBenchmarkHand/billiards/value-2  10  1.0 ns/op\nBenchmarkHand/billiards/value-2  10  2.0 ns/op\nBenchmarkEval/billiards/grad-2  1  7 ns/op\n"), 0o644)
	hand, eval, runs, err := goColumns(goOut)
	if err != nil || hand.ns["billiards/value"] != 2 || eval.ns["billiards/grad"] != 7 || runs != 3 {
		t.Errorf("go columns: %v %v %d %v", hand, eval, runs, err)
	}
	ref := "../../../shared/reference/rose-npm/results"
	if _, err := os.Stat(ref); err != nil {
		t.Skip("no recorded results of the original Rose")
	}
	c := roseColumn(ref)
	if got := c.ns["billiards/grad"]; got < 50e6 || got > 200e6 {
		t.Errorf("recorded billiards gradient %v ns, want about 100 ms", got)
	}
	if got := c.ns["rosenbrock1000/value"]; got < 5e3 || got > 20e3 {
		t.Errorf("recorded Rosenbrock n=1000 %v ns, want about 12 us", got)
	}
}
