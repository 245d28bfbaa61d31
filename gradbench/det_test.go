package gradbench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/rose-go/rose"
)

// TestDet compares det's primal with Gaussian elimination and its gradient
// with the cofactor matrix det(A) A^-T, on random matrices of orders 1 to
// 7, on both engines.
func TestDet(t *testing.T) {
	rng := rand.New(rand.NewSource(31337))
	for _, eng := range []rose.Engine{rose.EngineEval, rose.EngineCompiled} {
		for ell := 1; ell <= 7; ell++ {
			a := make([]float64, ell*ell)
			for i := range a {
				a[i] = rng.Float64()
			}
			input := map[string]any{"A": a, "ell": ell}
			want, inv := gaussJordan(a, ell)

			out, err := evaluate(t, eng, "det", "primal", input)
			if err != nil {
				t.Fatalf("%v ell=%d primal: %v", eng, ell, err)
			}
			var got float64
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%v ell=%d primal output %s: %v", eng, ell, out, err)
			}
			if !close8(got, want) {
				t.Errorf("%v ell=%d: det = %.17g, elimination gives %.17g", eng, ell, got, want)
			}

			out, err = evaluate(t, eng, "det", "gradient", input)
			if err != nil {
				t.Fatalf("%v ell=%d gradient: %v", eng, ell, err)
			}
			var g []float64
			if err := json.Unmarshal(out, &g); err != nil || len(g) != ell*ell {
				t.Fatalf("%v ell=%d gradient output %s: want %d numbers (%v)", eng, ell, out, ell*ell, err)
			}
			for i := 0; i < ell; i++ {
				for j := 0; j < ell; j++ {
					// d det / d a[i][j] is the cofactor of a[i][j]: det(A) (A^-1)[j][i].
					if cof := want * inv[j*ell+i]; !close8(g[i*ell+j], cof) {
						t.Errorf("%v ell=%d: gradient[%d][%d] = %.17g, cofactor %.17g", eng, ell, i, j, g[i*ell+j], cof)
					}
				}
			}
		}
	}
}

// TestDetDifferences checks the gradient against central differences of
// the primal with Richardson extrapolation (error O(h^4)); det is a
// polynomial of degree 1 in each entry, so the differences are exact up to
// rounding.
func TestDetDifferences(t *testing.T) {
	const ell = 5
	rng := rand.New(rand.NewSource(7))
	a := make([]float64, ell*ell)
	for i := range a {
		a[i] = rng.Float64()*2 - 1
	}
	primal := func(x []float64) float64 {
		out, err := evaluate(t, rose.EngineCompiled, "det", "primal", map[string]any{"A": x, "ell": ell})
		if err != nil {
			t.Fatal(err)
		}
		var v float64
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	out, err := evaluate(t, rose.EngineCompiled, "det", "gradient", map[string]any{"A": a, "ell": ell})
	if err != nil {
		t.Fatal(err)
	}
	var g []float64
	if err := json.Unmarshal(out, &g); err != nil {
		t.Fatal(err)
	}
	central := func(k int, h float64) float64 {
		x := append([]float64(nil), a...)
		x[k] = a[k] + h
		up := primal(x)
		x[k] = a[k] - h
		return (up - primal(x)) / (2 * h)
	}
	for k := range a {
		const h = 1e-3
		fd := (4*central(k, h/2) - central(k, h)) / 3
		if math.Abs(g[k]-fd) > 1e-8*math.Max(1, math.Abs(fd)) {
			t.Errorf("gradient[%d] = %.17g, differences %.17g", k, g[k], fd)
		}
	}
}

// TestDetBadInput: inputs of the wrong shape are errors, not panics.
func TestDetBadInput(t *testing.T) {
	for _, in := range []string{
		`{"A": [1, 2, 3], "ell": 2}`,
		`{"A": [1, 2, 3, 4], "ell": 3}`,
		`{"A": [], "ell": 0}`,
		`{"A": [1], "ell": -1}`,
		`{"A": [1, 2, 3, 4]}`,
		`{"ell": 2}`,
		`{"A": "x", "ell": 1}`,
		`{"A": [1], "ell": 1.5}`,
		`[1, 2]`,
	} {
		for _, fn := range []string{"primal", "gradient"} {
			_, err := evaluate(t, rose.EngineEval, "det", fn, json.RawMessage(in))
			if err == nil || !errors.Is(err, errInput) {
				t.Errorf("%s(%s): got %v, want an input error", fn, in, err)
			}
		}
	}
}

// TestDetProtocol runs the module through Serve, as the eval does.
func TestDetProtocol(t *testing.T) {
	var in bytes.Buffer
	fmt.Fprintln(&in, `{"id": 0, "kind": "define", "module": "det"}`)
	fmt.Fprintln(&in, `{"id": 1, "kind": "evaluate", "module": "det", "function": "primal", "input": {"A": [1, 2, 3, 4], "ell": 2, "min_runs": 2, "min_seconds": 0}}`)
	fmt.Fprintln(&in, `{"id": 2, "kind": "evaluate", "module": "det", "function": "gradient", "input": {"A": [1, 2, 3, 4], "ell": 2}}`)
	fmt.Fprintln(&in, `{"id": 3, "kind": "evaluate", "module": "det", "function": "gradient", "input": {"A": [1, 2, 3], "ell": 2}}`)
	var out bytes.Buffer
	if err := Serve(context.Background(), &in, &out, Options{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("got %d responses:\n%s", len(lines), out.String())
	}
	var resp [4]struct {
		Success bool            `json:"success"`
		Output  json.RawMessage `json:"output"`
		Timings []timing        `json:"timings"`
	}
	for i, l := range lines {
		if err := json.Unmarshal([]byte(l), &resp[i]); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	if !resp[0].Success || !resp[1].Success || !resp[2].Success || resp[3].Success {
		t.Fatalf("responses:\n%s", out.String())
	}
	if got := string(resp[1].Output); got != "-2" {
		t.Errorf("primal output %s, want -2", got)
	}
	if got := string(resp[2].Output); got != "[4,-3,-2,1]" {
		t.Errorf("gradient output %s, want [4,-3,-2,1]", got)
	}
	if n := len(resp[1].Timings); n != 3 { // prepare, then two runs
		t.Errorf("primal timings %v, want prepare and 2 evaluates", resp[1].Timings)
	}
}

func close8(a, b float64) bool {
	return math.Abs(a-b) <= 1e-8*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// gaussJordan is the determinant and the inverse (row-major) of the
// ell x ell row-major matrix a, by elimination with partial pivoting.
func gaussJordan(a []float64, ell int) (float64, []float64) {
	m := append([]float64(nil), a...)
	inv := make([]float64, ell*ell)
	for i := 0; i < ell; i++ {
		inv[i*ell+i] = 1
	}
	swap := func(x []float64, r, s int) {
		for j := 0; j < ell; j++ {
			x[r*ell+j], x[s*ell+j] = x[s*ell+j], x[r*ell+j]
		}
	}
	det := 1.0
	for c := 0; c < ell; c++ {
		p := c
		for r := c + 1; r < ell; r++ {
			if math.Abs(m[r*ell+c]) > math.Abs(m[p*ell+c]) {
				p = r
			}
		}
		if p != c {
			swap(m, p, c)
			swap(inv, p, c)
			det = -det
		}
		piv := m[c*ell+c]
		det *= piv
		for j := 0; j < ell; j++ {
			m[c*ell+j] /= piv
			inv[c*ell+j] /= piv
		}
		for r := 0; r < ell; r++ {
			if r == c {
				continue
			}
			k := m[r*ell+c]
			for j := 0; j < ell; j++ {
				m[r*ell+j] -= k * m[c*ell+j]
				inv[r*ell+j] -= k * inv[c*ell+j]
			}
		}
	}
	return det, inv
}
