package main

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
)

// TestGradLang checks `rose grad` in both modes on functions that use
// element updates, computed ranges and sizes, triangular loops and while
// loops, against central finite differences of `rose run`.
func TestGradLang(t *testing.T) {
	cases := []struct {
		file, fn string
		x        []float64
		modes    []string
		scalar   bool // the function takes one Real, not an array
	}{
		{"../../examples/sizes.rose", "scatter", []float64{1, 2, 3}, []string{"reverse", "forward"}, false},
		{"../../examples/sizes.rose", "pairs", []float64{0.5, -1, 2, 0.25}, []string{"reverse", "forward"}, false},
		{"../../examples/sizes.rose", "centered", []float64{0.5, -1, 2}, []string{"reverse", "forward"}, false},
		{"testdata/lang.rose", "halve", []float64{10}, []string{"reverse", "forward"}, true},
		{"testdata/lang.rose", "bump", []float64{0.3, 1.5, -0.7}, []string{"reverse", "forward"}, false},
	}
	args := func(x []float64, scalar bool) string {
		parts := make([]string, len(x))
		for i, v := range x {
			parts[i] = fmt.Sprint(v)
		}
		if scalar {
			return "[" + parts[0] + "]"
		}
		return "[[" + strings.Join(parts, ", ") + "]]"
	}
	value := func(file, fn string, x []float64, scalar bool) float64 {
		code, out, errs := invoke(t, "", "run", file, "-f", fn, "--args", args(x, scalar))
		if code != 0 {
			t.Fatalf("rose run %s -f %s: %s", file, fn, errs)
		}
		var v float64
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("rose run output %q: %v", out, err)
		}
		return v
	}
	for _, c := range cases {
		const h = 1e-6
		fd := make([]float64, len(c.x))
		for k := range c.x {
			xp := append([]float64(nil), c.x...)
			xm := append([]float64(nil), c.x...)
			xp[k] += h
			xm[k] -= h
			fd[k] = (value(c.file, c.fn, xp, c.scalar) - value(c.file, c.fn, xm, c.scalar)) / (2 * h)
		}
		for _, m := range c.modes {
			code, out, errs := invoke(t, "", "grad", c.file, "-f", c.fn, "--args", args(c.x, c.scalar), "--mode", m)
			if code != 0 {
				t.Fatalf("rose grad %s -f %s --mode %s: %s", c.file, c.fn, m, errs)
			}
			var res struct {
				Grad []json.RawMessage `json:"grad"`
			}
			if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Grad) != 1 {
				t.Fatalf("rose grad output %q: %v", out, err)
			}
			var g []float64
			if err := json.Unmarshal(res.Grad[0], &g); err != nil {
				var s float64
				if err := json.Unmarshal(res.Grad[0], &s); err != nil {
					t.Fatalf("gradient %s: %v", res.Grad[0], err)
				}
				g = []float64{s}
			}
			if len(g) != len(fd) {
				t.Fatalf("%s %s: gradient %v, want %d entries", c.fn, m, g, len(fd))
			}
			for k := range fd {
				if math.Abs(g[k]-fd[k]) > 1e-6*math.Max(1, math.Abs(fd[k])) {
					t.Errorf("%s --mode %s: d/dx[%d] = %.12g, finite differences %.12g", c.fn, m, k, g[k], fd[k])
				}
			}
		}
	}
}
