package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rose-go/rose/plot/plottest"
)

const rosenSrc = `fn rosen(x: [2]Real) -> Real { let a = 1.0 - x[0]; let b = x[1] - x[0] * x[0]; a * a + 100.0 * b * b }
struct P { mass: Real, pos: [2]Real, n: Int }
fn energy(p: P, k: Real) -> Real { p.mass * dot(p.pos, p.pos) + k * real(p.n) }
fn pair(x: Real) -> (Real, Real) { (x, x) }
fn nowhere(x: [2]Real) -> Real { sqrt(-1.0 - x[0] * x[0]) }
fn many(x: [30]Real) -> Real { sum(x) }
fn nothing(x: Real) -> Real { x }
struct Circle { center: [2]Real, radius: Real }
fn ring(r: Real) -> [3]Circle { [for i in 0..3 { Circle { center: [real(i), 0.0], radius: r } }] }
`

// plotGolden compares the SVG summary of path with testdata/plot/name.golden.
func plotGolden(t *testing.T, name, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := plottest.Summary(data)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join("testdata", "plot", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (run go test -update and review the diff):\n%s", path, file, got)
	}
}

// TestPlot runs rose plot: the pictures it makes, checked by structure
// (golden summaries) and size, and every bad input with its exit code.
func TestPlot(t *testing.T) {
	dir := t.TempDir()
	src := write(t, "f.rose", []byte(rosenSrc))
	lbfgs := filepath.Join("..", "..", "plot", "testdata", "trace", "lbfgs.jsonl")
	gd := filepath.Join("..", "..", "plot", "testdata", "trace", "gd.jsonl")
	badTrace := write(t, "bad.jsonl", []byte("{\"iter\": 0, \"loss\": 1, \"grad_norm\": 1}\n\n{\"iter\": 1, \"loss\": oops}\n"))
	emptyTrace := write(t, "empty.jsonl", nil)
	out := func(name string) string { return filepath.Join(dir, name) }
	billiards := filepath.Join("..", "..", "examples", "billiards.rose")

	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string // regexp
		golden string // the SVG written to the -o file, when code is 0
	}{
		{"trace", []string{"plot", "trace", lbfgs, "-o", out("t.svg")}, 0, `wrote`, "trace-one"},
		{"trace compare evals", []string{"plot", "trace", lbfgs, gd, "--x", "evals", "-o", out("c.svg")}, 0, `wrote`, "trace-compare"},
		{"surface rosenbrock", []string{"plot", "surface", src, "-f", "rosen", "--args", "[[-1.2, 1.0]]", "--x", "x[0]", "--y", "x[1]", "--range", "-2,2,-1,3", "--grid", "40", "-o", out("s.svg")}, 0, `wrote`, "surface-rosen"},
		{"surface struct field, default range", []string{"plot", "surface", src, "-f", "energy", "--args", `[{"mass": 2, "pos": [0.5, -1], "n": 1}, 0.5]`, "--x", "p.pos[0]", "--y", "k", "--grid", "20", "-o", out("e.svg")}, 0, `wrote`, "surface-energy"},
		{"draw billiards", []string{"plot", "draw", billiards, "-f", "picture", "--args", "[[0.1, 0.5], [0.3, 0.0]]", "-o", out("b.svg")}, 0, `wrote`, "draw-billiards"},
		{"draw ring", []string{"plot", "draw", src, "-f", "ring", "--args", "[0.4]", "-o", out("r.svg")}, 0, `wrote`, "draw-ring"},

		{"no subcommand", []string{"plot"}, 2, `needs a subcommand`, ""},
		{"unknown subcommand", []string{"plot", "pie"}, 2, `unknown subcommand "pie"`, ""},
		{"bad extension", []string{"plot", "trace", lbfgs, "-o", out("t.pdf")}, 2, `must end in \.svg or \.png`, ""},
		{"flag of another subcommand", []string{"plot", "trace", lbfgs, "-f", "x"}, 2, `-f: not a flag of plot trace`, ""},
		{"unknown flag", []string{"plot", "trace", lbfgs, "--bogus"}, 2, `flag provided but not defined`, ""},
		{"trace no files", []string{"plot", "trace"}, 2, `one or more trace files`, ""},
		{"trace bad x", []string{"plot", "trace", lbfgs, "--x", "time"}, 2, `--x must be iter or evals`, ""},
		{"trace bad line", []string{"plot", "trace", lbfgs, badTrace, "-o", out("bad.svg")}, 1, `bad\.jsonl:3: not JSON`, ""},
		{"trace empty", []string{"plot", "trace", emptyTrace, "-o", out("bad.svg")}, 1, `empty\.jsonl: the trace has no iterations`, ""},
		{"trace missing file", []string{"plot", "trace", "nope.jsonl", "-o", out("bad.svg")}, 1, `cannot read nope\.jsonl`, ""},
		{"surface not Real", []string{"plot", "surface", src, "-f", "pair", "--args", "[1]", "--x", "x", "--y", "y", "-o", out("bad.svg")}, 1, `an objective needs a Real result`, ""},
		{"surface unknown label", []string{"plot", "surface", src, "-f", "energy", "--args", `[{"mass": 2, "pos": [0.5, -1], "n": 1}, 0.5]`, "--x", "p.n", "--y", "k", "-o", out("bad.svg")}, 1, `--x "p\.n" is not a Real input of energy; its inputs are p\.mass, p\.pos\[0\], p\.pos\[1\], k`, ""},
		{"surface many labels", []string{"plot", "surface", src, "-f", "many", "--args", "[[" + strings.Repeat("0, ", 29) + "0]]", "--x", "x[0]", "--y", "x[30]", "-o", out("bad.svg")}, 1, `x\[0\], x\[1\], .*x\[19\], \.\.\. \(30 in all\)`, ""},
		{"surface no finite value", []string{"plot", "surface", src, "-f", "nowhere", "--args", "[[0, 0]]", "--x", "x[0]", "--y", "x[1]", "--grid", "10", "-o", out("bad.svg")}, 1, `nowhere has no finite value in the range -1,1,-1,1`, ""},
		{"surface bad range", []string{"plot", "surface", src, "-f", "rosen", "--args", "[[0, 0]]", "--x", "x[0]", "--y", "x[1]", "--range", "1,0,0,1"}, 2, `--range "1,0,0,1" is empty`, ""},
		{"surface range not numbers", []string{"plot", "surface", src, "-f", "rosen", "--args", "[[0, 0]]", "--x", "x[0]", "--y", "x[1]", "--range", "a,b"}, 2, `four numbers`, ""},
		{"surface range inf", []string{"plot", "surface", src, "-f", "rosen", "--args", "[[0, 0]]", "--x", "x[0]", "--y", "x[1]", "--range", "0,inf,0,1"}, 2, `not a finite number`, ""},
		{"surface grid", []string{"plot", "surface", src, "-f", "rosen", "--args", "[[0, 0]]", "--x", "x[0]", "--y", "x[1]", "--grid", "1"}, 2, `--grid must be between 2 and 500`, ""},
		{"surface same axes", []string{"plot", "surface", src, "-f", "rosen", "--args", "[[0, 0]]", "--x", "x[0]", "--y", "x[0]"}, 2, `both "x\[0\]"`, ""},
		{"surface no axes", []string{"plot", "surface", src, "-f", "rosen", "--args", "[[0, 0]]"}, 2, `needs --x LABEL and --y LABEL`, ""},
		{"surface no -f", []string{"plot", "surface", src, "--x", "a", "--y", "b"}, 2, `needs -f NAME`, ""},
		{"surface no args", []string{"plot", "surface", src, "-f", "rosen", "--x", "x[0]", "--y", "x[1]"}, 2, `pass them with --args`, ""},
		{"surface bad args", []string{"plot", "surface", src, "-f", "rosen", "--args", "[1]", "--x", "x[0]", "--y", "x[1]"}, 1, `rose plot surface: rosen:`, ""},
		{"surface unknown function", []string{"plot", "surface", src, "-f", "nope", "--args", "[]", "--x", "a", "--y", "b"}, 1, `no function nope`, ""},
		{"surface bad file", []string{"plot", "surface", "nope.rose", "-f", "f", "--x", "a", "--y", "b"}, 1, `cannot read nope\.rose`, ""},
		{"draw nothing drawable", []string{"plot", "draw", src, "-f", "nothing", "--args", "[1]", "-o", out("bad.svg")}, 1, `nothing returns Real, with nothing drawable in it`, ""},
		{"draw no file", []string{"plot", "draw", "-f", "x"}, 2, `expects exactly one FILE`, ""},
		{"draw runtime error", []string{"plot", "draw", src, "-f", "many", "--args", "[[1]]"}, 1, `rose plot draw: many:`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := invoke(t, "", tc.args...)
			if code != tc.code {
				t.Fatalf("exit code %d, want %d\nstderr: %s", code, tc.code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout: %q, want nothing", stdout)
			}
			if !regexp.MustCompile(tc.stderr).MatchString(stderr) {
				t.Errorf("stderr %q does not match %q", stderr, tc.stderr)
			}
			if strings.Contains(stderr, "internal error") || strings.Contains(stderr, "panic") {
				t.Errorf("stderr: %s", stderr)
			}
			if tc.golden != "" {
				plotGolden(t, tc.golden, tc.args[len(tc.args)-1])
			}
		})
	}
	// A failed picture leaves no file behind.
	if _, err := os.Stat(out("bad.svg")); !os.IsNotExist(err) {
		t.Errorf("a failed plot wrote %s", out("bad.svg"))
	}
}

// TestPlotPNG checks that a PNG decodes and has the size of the picture.
func TestPlotPNG(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		w    int
	}{
		{[]string{"plot", "trace", filepath.Join("..", "..", "plot", "testdata", "trace", "lbfgs.jsonl")}, 900},
		{[]string{"plot", "draw", filepath.Join("..", "..", "examples", "billiards.rose"), "-f", "picture", "--args", "[[0.1, 0.5], [0.3, 0.0]]"}, 900},
	} {
		path := filepath.Join(dir, c.args[1]+".png")
		code, _, stderr := invoke(t, "", append(c.args, "-o", path)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, stderr)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if b := img.Bounds(); b.Dx() != c.w || b.Dy() < c.w/3 {
			t.Errorf("%s is %dx%d, want %d wide", path, b.Dx(), b.Dy(), c.w)
		}
	}
}

// TestPlotHelp checks that the help of plot and of each subcommand says
// how to use it.
func TestPlotHelp(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"plot", "--help"}, []string{"usage: rose plot trace|surface|draw", "rose plot SUBCOMMAND --help", "docs/plotting.md"}},
		{[]string{"plot", "-h"}, []string{"usage: rose plot trace|surface|draw"}},
		{[]string{"help", "plot"}, []string{"usage: rose plot trace|surface|draw"}},
		{[]string{"plot", "trace", "--help"}, []string{"usage: rose plot trace FILE.jsonl...", "--x evals", "log scale", "-o FILE", "(default trace.svg)"}},
		{[]string{"plot", "surface", "-help"}, []string{"usage: rose plot surface FILE -f NAME", "max(1, |v|)", "log(f - min)", "-grid N"}},
		{[]string{"plot", "draw", "--help"}, []string{"struct Circle { center: [2]Real, radius: Real }", "share a colour"}},
	} {
		code, stdout, stderr := invoke(t, "", c.args...)
		if code != 0 || stderr != "" {
			t.Errorf("%v: exit %d, stderr %q", c.args, code, stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("%v: no %q in\n%s", c.args, w, stdout)
			}
		}
	}
	// The subcommand's help lists its own flags only.
	_, stdout, _ := invoke(t, "", "plot", "trace", "--help")
	if strings.Contains(stdout, "\n  -grid") || strings.Contains(stdout, "\n  -args") {
		t.Errorf("plot trace --help lists flags of other subcommands:\n%s", stdout)
	}
}
