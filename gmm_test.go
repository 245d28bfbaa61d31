package rose_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/eval"
)

// adbench is where the ADBench GMM inputs and golden outputs are.
const adbench = "../shared/data/adbench"

// gmmArgs turns an ADBench GMM input file (d k n, then alphas, means,
// icf, the points and gamma m, one row per line) into the JSON argument
// list of examples/gmm.rose's gmm.
func gmmArgs(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	row := func(i int) string { return "[" + strings.Join(strings.Fields(lines[i]), ", ") + "]" }
	var d, k, n int
	if _, err := fmt.Sscan(lines[0], &d, &k, &n); err != nil {
		return "", err
	}
	if len(lines) != 1+3*k+n+1 {
		return "", fmt.Errorf("%s: %d lines, want %d", path, len(lines), 1+3*k+n+1)
	}
	alphas := make([]string, k)
	means := make([]string, k)
	icf := make([]string, k)
	for c := 0; c < k; c++ {
		alphas[c] = strings.TrimSpace(lines[1+c])
		means[c] = row(1 + k + c)
		icf[c] = row(1 + 2*k + c)
	}
	xs := make([]string, n)
	for i := range xs {
		xs[i] = row(1 + 3*k + i)
	}
	last := strings.Fields(lines[len(lines)-1])
	return fmt.Sprintf("[[%s], [%s], [%s], [%s], %s, %s]", strings.Join(alphas, ", "), strings.Join(means, ", "),
		strings.Join(icf, ", "), strings.Join(xs, ", "), last[0], last[1]), nil
}

func readFloats(path string) ([]float64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []float64
	for _, f := range strings.Fields(string(data)) {
		x, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// TestGMMAgainstADBench checks examples/gmm.rose's objective and its
// gradient by alphas, means and icf against ADBench's hand-derived C++ on
// every input, with ADBench's own acceptance test, and reports what the
// gradient costs against the objective in evaluator instructions.
func TestGMMAgainstADBench(t *testing.T) {
	inputs, _ := filepath.Glob(adbench + "/gmm/*/gmm_*.txt")
	inputs = append(inputs, adbench+"/gmm/test.txt")
	if _, err := os.Stat(adbench); err != nil {
		t.Skip("no ADBench data beside the project:", err)
	}
	src, err := os.ReadFile("examples/gmm.rose")
	if err != nil {
		t.Fatal(err)
	}
	p := rose.Load("gmm.rose", src)
	ctx := context.Background()
	for _, in := range inputs {
		rel, _ := filepath.Rel(adbench+"/gmm", in)
		name := strings.TrimSuffix(rel, ".txt")
		t.Run(name, func(t *testing.T) {
			if testing.Short() && strings.Contains(name, "d20") {
				t.Skip("large")
			}
			argsJSON, err := gmmArgs(in)
			if err != nil {
				t.Fatal(err)
			}
			f, args := funcAt(t, p, "gmm", argsJSON)
			var value, grad int64
			v, err := f.Call(ctx, args, &eval.Options{Executed: &value})
			if err != nil {
				t.Fatal(err)
			}
			g, err := f.GradWrt(ctx, args, &eval.Options{Executed: &grad}, rose.Reverse, []int{0, 1, 2})
			if err != nil {
				t.Fatal(err)
			}
			wantF, err := readFloats(adbench + "/golden/gmm/" + name + "_F_Manual.txt")
			if err != nil {
				t.Fatal(err)
			}
			wantJ, err := readFloats(adbench + "/golden/gmm/" + name + "_J_Manual.txt")
			if err != nil {
				t.Fatal(err)
			}
			rho := func(x, y float64) float64 { return math.Abs(x-y) / math.Max(1, math.Abs(x)+math.Abs(y)) }
			if r := rho(v.Real(), wantF[0]); r > 1e-8 {
				t.Errorf("objective %v, ADBench %v (rho %g)", v.Real(), wantF[0], r)
			}
			var got []float64
			for _, k := range []int{0, 1, 2} {
				got = append(got, rose.Reals(*g.Grad[k])...)
			}
			if len(got) != len(wantJ) {
				t.Fatalf("%d gradient entries, ADBench %d", len(got), len(wantJ))
			}
			worst := 0.0
			for i := range got {
				worst = math.Max(worst, rho(got[i], wantJ[i]))
			}
			if worst > 1e-8 {
				t.Errorf("gradient differs from ADBench's by rho %g", worst)
			}
			t.Logf("objective rho %.1e, gradient worst rho %.1e; instructions: value %d, value+gradient %d, ratio %.2f",
				rho(v.Real(), wantF[0]), worst, value, grad, float64(grad)/float64(value))
		})
	}
}

// BenchmarkGMM times examples/gmm.rose's objective, and the objective with
// its gradient by alphas, means and icf, on ADBench inputs (bench/scale.sh
// runs it beside ADBench's hand-derived C++).
func BenchmarkGMM(b *testing.B) {
	src, err := os.ReadFile("examples/gmm.rose")
	if err != nil {
		b.Fatal(err)
	}
	p := rose.Load("gmm.rose", src)
	ctx := context.Background()
	for _, name := range []string{"1k/gmm_d2_K5", "1k/gmm_d10_K25", "10k/gmm_d2_K5"} {
		argsJSON, err := gmmArgs(adbench + "/gmm/" + name + ".txt")
		if err != nil {
			b.Skip("no ADBench data:", err)
		}
		f, args := funcAt(b, p, "gmm", argsJSON)
		b.Run(name+"/value", func(b *testing.B) {
			for b.Loop() {
				if _, err := f.Call(ctx, args, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/grad", func(b *testing.B) {
			for b.Loop() {
				if _, err := f.GradWrt(ctx, args, nil, rose.Reverse, []int{0, 1, 2}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
