package main

import (
	"bufio"
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
)

const optFuncs = "testdata/opt/funcs.rose"

// optPoint decodes the point rose opt prints as f's arguments.
func optPoint(t *testing.T, name, argsJSON, stdout string) []value.Value {
	t.Helper()
	src, err := os.ReadFile(optFuncs)
	if err != nil {
		t.Fatal(err)
	}
	f, err := rose.Load(optFuncs, src).Func(name, []byte(argsJSON))
	if err != nil {
		t.Fatal(err)
	}
	args, err := value.DecodeArgs(f.Params(), []byte(stdout))
	if err != nil {
		t.Fatalf("the printed point %q does not decode as %s's arguments: %v", stdout, name, err)
	}
	return args
}

// rosenStart is the classic start (-1.2, 1, -1.2, 1, ...), n even.
func rosenStart(n int) string {
	return "[[" + strings.TrimSuffix(strings.Repeat("-1.2, 1, ", n/2), ", ") + "]]"
}

// TestOptRosenbrock checks that rose opt reaches Rosenbrock's minimum,
// (1, ..., 1), to 1e-6 from the classic start, in 2 and 100 dimensions,
// with its default method and the others.
func TestOptRosenbrock(t *testing.T) {
	for _, n := range []int{2, 100} {
		for _, m := range []string{"lbfgs", "bfgs", "cg"} {
			args := rosenStart(n)
			code, stdout, stderr := runRose(t, "opt", optFuncs, "-f", "rosen", "--args", args, "--method", m, "--max-iter", "5000")
			if code != exitOK {
				t.Fatalf("n=%d %s: exit %d: %s", n, m, code, stderr)
			}
			x := rose.Reals(optPoint(t, "rosen", args, stdout)[0])
			for i := range x {
				if math.Abs(x[i]-1) > 1e-6 {
					t.Fatalf("n=%d %s: x[%d] = %v (%s)", n, m, i, x[i], stderr)
				}
			}
		}
	}
}

// TestOptExampleStart checks the start from the function's example and
// --wrt: only the named parameter moves, Ints and the others stay.
func TestOptExampleStart(t *testing.T) {
	code, stdout, stderr := runRose(t, "opt", optFuncs, "-f", "fit", "--wrt", "p")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	args := optPoint(t, "fit", "", stdout)
	if args[0].Real() != 0.5 || args[2].Int() != 2 {
		t.Errorf("a and n moved: %s", stdout)
	}
	p := args[1]
	// d = 0.5 - scale * 3 vanishes at scale 1/6; offset goes to (1, 0).
	if p.Elem(0).Int() != 1 || math.Abs(p.Elem(1).Real()-0.5/3) > 1e-8 ||
		math.Abs(p.Elem(2).Elem(0).Real()-1) > 1e-8 || math.Abs(p.Elem(2).Elem(1).Real()) > 1e-8 {
		t.Errorf("p = %s", stdout)
	}
}

// TestOptTrace checks --trace: one JSON line per iteration from 0, the
// evaluations growing, and a last line with the status.
func TestOptTrace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.jsonl")
	code, _, stderr := runRose(t, "opt", optFuncs, "-f", "rosen", "--method", "gd", "--step", "0.001", "--max-iter", "30", "--trace", path)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 32 {
		t.Fatalf("%d lines, want 31 iterations and the end", len(lines))
	}
	prev := math.Inf(1)
	for i, l := range lines {
		var rec struct {
			Iter     int      `json:"iter"`
			Loss     *float64 `json:"loss"`
			GradNorm *float64 `json:"grad_norm"`
			Evals    int      `json:"evals"`
			Elapsed  *float64 `json:"elapsed"`
			Done     bool     `json:"done"`
			Status   string   `json:"status"`
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, l)
		}
		if rec.Loss == nil || rec.GradNorm == nil || rec.Elapsed == nil {
			t.Fatalf("line %d lacks a field: %s", i+1, l)
		}
		if i == len(lines)-1 {
			if !rec.Done || rec.Status != "iteration limit" || rec.Iter != 30 || rec.Evals != 31 {
				t.Errorf("last line %s", l)
			}
			continue
		}
		if rec.Iter != i || rec.Evals != i+1 || rec.Done {
			t.Errorf("line %d: %s", i+1, l)
		}
		if *rec.Loss > prev {
			t.Errorf("line %d: the loss went up with a small step: %s", i+1, l)
		}
		prev = *rec.Loss
	}
	if !strings.Contains(stderr, "iteration limit after 30 iterations, 31 evaluations") {
		t.Errorf("summary: %s", stderr)
	}
}

// TestOptBadInput checks each input rose opt refuses: a clear message,
// exit code 1 (2 for the command line itself), and no panic.
func TestOptBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"-f", "fit", "--wrt", "nosuch"}, exitUser, "nosuch"},
		{[]string{"-f", "fit", "--wrt", "n"}, exitUser, "no derivative"},
		{[]string{"-f", "pair", "--args", "[1.0]"}, exitUser, "Real result"},
		{[]string{"-f", "nosuch", "--args", "[1.0]"}, exitUser, "no function nosuch"},
		{[]string{"-f", "cliff"}, exitUsage, "no example"},
		{[]string{"-f", "rosen", "--method", "newton"}, exitUsage, "--method"},
		{[]string{"-f", "rosen", "--method", "gd"}, exitUsage, "--step"},
		{[]string{"-f", "rosen", "--step", "0.1"}, exitUsage, "--method gd"},
		{[]string{"-f", "rosen", "--max-iter", "0"}, exitUsage, "--max-iter"},
		{[]string{"-f", "rosen", "--args", "[[1.0, 2.0"}, exitUser, ""},
		{[]string{"--args", "[1.0]"}, exitUsage, "-f NAME"},
	} {
		code, stdout, stderr := runRose(t, append([]string{"opt", optFuncs}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.msg) || strings.Contains(stderr, "internal error") {
			t.Errorf("rose opt %s: exit %d (want %d)\nstdout: %s\nstderr: %s", strings.Join(tc.args, " "), code, tc.code, stdout, stderr)
		}
	}
}

// TestOptNaN checks an objective that becomes NaN mid-run: exit 1, the
// last good point printed, and the operation that made the NaN named
// with its position.
func TestOptNaN(t *testing.T) {
	code, stdout, stderr := runRose(t, "opt", optFuncs, "-f", "cliff", "--args", "[0.5]", "--method", "gd", "--step", "1")
	if code != exitUser {
		t.Fatalf("exit %d, want 1: %s", code, stderr)
	}
	if x := optPoint(t, "cliff", "[0.5]", stdout)[0].Real(); x != 0.5 {
		t.Errorf("printed %v, want the last good point 0.5", x)
	}
	if !strings.Contains(stderr, "the loss is NaN at iteration 1") || !strings.Contains(stderr, "funcs.rose:24:") || !strings.Contains(stderr, "sqrt") {
		t.Errorf("stderr does not say where the NaN came from:\n%s", stderr)
	}
}

// TestOptInterrupt sends SIGINT to a real rose opt mid-run: it stops at
// once with exit code 130 and prints a valid best point.
func TestOptInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "rose")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	trace := filepath.Join(dir, "t.jsonl")
	cmd := exec.Command(bin, "opt", optFuncs, "-f", "slow", "--args", "[0.0]", "--method", "gd", "--step", "0.01", "--trace", trace)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait for a few iterations, then interrupt.
	deadline := time.Now().Add(60 * time.Second)
	for {
		if n := countLines(trace); n >= 3 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no iterations within a minute; stderr: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	start := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != exitInterrupted {
		t.Fatalf("exit %v, want %d; stderr: %s", err, exitInterrupted, stderr.String())
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v to stop", d)
	}
	x := optPoint(t, "slow", "[0.0]", stdout.String())[0].Real()
	if !(x > 0 && x < 3) {
		t.Errorf("best point %v: want a point on the way from 0 to 3", x)
	}
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr: %s", stderr.String())
	}
	_ = context.Background
}

func countLines(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	n := 0
	for s := bufio.NewScanner(f); s.Scan(); {
		n++
	}
	return n
}
