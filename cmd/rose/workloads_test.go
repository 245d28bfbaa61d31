package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWorkloadPictures runs two of the paper's workloads end to end from
// the command line, as the README shows them: optimize, then draw the
// answer. The diagram from its seeded start to a valid layout (L-BFGS),
// the billiards shot by the paper's 200 steps of gradient descent; both
// pictures are SVG checked by structure (testdata/plot/*.golden), with
// their traces drawn too.
func TestWorkloadPictures(t *testing.T) {
	dir := t.TempDir()
	for _, w := range []struct {
		name, file, fn, draw string
		opt                  []string
	}{
		{"diagram", "../../examples/diagram.rose", "energy", "draw", nil},
		{"billiards", "../../examples/billiards.rose", "loss", "picture", []string{"--method", "gd", "--step", "0.01", "--max-iter", "200"}},
	} {
		trace := filepath.Join(dir, w.name+".jsonl")
		args := append([]string{"opt", w.file, "-f", w.fn, "--trace", trace}, w.opt...)
		code, stdout, stderr := runRose(t, args...)
		if code != exitOK {
			t.Fatalf("rose %s: exit %d: %s", strings.Join(args, " "), code, stderr)
		}
		point := filepath.Join(dir, w.name+".json")
		if err := os.WriteFile(point, []byte(stdout), 0o644); err != nil {
			t.Fatal(err)
		}
		svg := filepath.Join(dir, w.name+".svg")
		if code, _, stderr := runRose(t, "plot", "draw", w.file, "-f", w.draw, "--args", "@"+point, "-o", svg); code != exitOK {
			t.Fatalf("rose plot draw %s: exit %d: %s", w.name, code, stderr)
		}
		plotGolden(t, "workload-"+w.name, svg)
		tsvg := filepath.Join(dir, w.name+"-trace.svg")
		if code, _, stderr := runRose(t, "plot", "trace", trace, "-o", tsvg); code != exitOK {
			t.Fatalf("rose plot trace %s: exit %d: %s", w.name, code, stderr)
		}
		plotGolden(t, "workload-"+w.name+"-trace", tsvg)
	}
}
