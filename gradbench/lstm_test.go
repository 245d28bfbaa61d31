package gradbench

import (
	"math"
	"strings"
	"testing"

	"github.com/rose-go/rose"
)

// lstmTestInput is a random LSTM of l layers of b bits over c characters.
func lstmTestInput(seed htlRng, l, b, c int) *lstmInput {
	r := &seed
	matrix := func(n, k int, f func() float64) [][]float64 {
		m := make([][]float64, n)
		for i := range m {
			m[i] = make([]float64, k)
			for j := range m[i] {
				m[i][j] = f()
			}
		}
		return m
	}
	uniform := func() float64 { return r.float() }
	bit := func() float64 { return float64(r.intn(2)) }
	return &lstmInput{
		MainParams:  matrix(2*l, 4*b, uniform),
		ExtraParams: matrix(3, b, uniform),
		State:       matrix(2*l, b, uniform),
		Sequence:    matrix(c, b, bit),
	}
}

// lstmRefObjective is ADBench's LSTM objective, transcribed directly.
func lstmRefObjective(x *lstmInput) float64 {
	l, b := len(x.MainParams)/2, len(x.Sequence[0])
	sigmoid := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	state := make([][]float64, len(x.State))
	for i := range state {
		state[i] = append([]float64(nil), x.State[i]...)
	}
	total, count := 0.0, 0
	for t := 0; t+1 < len(x.Sequence); t++ {
		input := make([]float64, b)
		for i := range input {
			input[i] = x.Sequence[t][i] * x.ExtraParams[0][i]
		}
		for layer := 0; layer < l; layer++ {
			w, bias := x.MainParams[2*layer], x.MainParams[2*layer+1]
			hidden, cell := state[2*layer], state[2*layer+1]
			for i := 0; i < b; i++ {
				forget := sigmoid(input[i]*w[i] + bias[i])
				ingate := sigmoid(hidden[i]*w[b+i] + bias[b+i])
				outgate := sigmoid(input[i]*w[2*b+i] + bias[2*b+i])
				change := math.Tanh(hidden[i]*w[3*b+i] + bias[3*b+i])
				cell[i] = cell[i]*forget + ingate*change
				hidden[i] = outgate * math.Tanh(cell[i])
			}
			input = hidden
		}
		ypred := make([]float64, b)
		sum := 0.0
		for i := range ypred {
			ypred[i] = input[i]*x.ExtraParams[1][i] + x.ExtraParams[2][i]
			sum += math.Exp(ypred[i])
		}
		lse := math.Log(sum + 2)
		for i := range ypred {
			total += x.Sequence[t+1][i] * (ypred[i] - lse)
		}
		count += b
	}
	return -total / float64(count)
}

// TestLSTMObjective compares the objective with the reference.
func TestLSTMObjective(t *testing.T) {
	for _, size := range [][3]int{{1, 2, 2}, {2, 3, 7}, {3, 7, 12}} {
		x := lstmTestInput(htlRng(size[0]*100+size[2]), size[0], size[1], size[2])
		var got float64
		htlMustEvaluate(t, "lstm", "objective", x, &got)
		if want := lstmRefObjective(x); htlRelErr(got, want) > 1e-12 {
			t.Errorf("l=%d b=%d c=%d: objective %v, want %v", size[0], size[1], size[2], got, want)
		}
	}
}

// TestLSTMJacobian checks the gradient (reverse mode) against forward
// mode, one jvp per parameter, and against extrapolated central
// differences of the objective.
func TestLSTMJacobian(t *testing.T) {
	x := lstmTestInput(htlRng(5), 2, 3, 7)
	var jac []float64
	htlMustEvaluate(t, "lstm", "jacobian", x, &jac)
	m, w, b := len(x.MainParams), len(x.MainParams[0]), len(x.ExtraParams[0])
	if len(jac) != m*w+3*b {
		t.Fatalf("%d numbers, want %d", len(jac), m*w+3*b)
	}
	zeros := func(rows [][]float64) [][]float64 {
		z := make([][]float64, len(rows))
		for i := range z {
			z[i] = make([]float64, len(rows[i]))
		}
		return z
	}
	// The parameter at flat index k of the Jacobian.
	param := func(y *lstmInput, k int) *float64 {
		if k < m*w {
			return &y.MainParams[k/w][k%w]
		}
		k -= m * w
		return &y.ExtraParams[k/b][k%b]
	}
	args := []any{x.MainParams, x.ExtraParams, x.State, x.Sequence}
	jvp := htlFunc(t, "lstm", "jvp(objective)", args...)
	objective := htlFunc(t, "lstm", "objective", args...)
	for k := range jac {
		dx := &lstmInput{MainParams: zeros(x.MainParams), ExtraParams: zeros(x.ExtraParams), State: zeros(x.State), Sequence: zeros(x.Sequence)}
		*param(dx, k) = 1
		var vt [2]float64
		htlCall(t, jvp, &vt, append(args, dx.MainParams, dx.ExtraParams, dx.State, dx.Sequence)...)
		if e := htlRelErr(jac[k], vt[1]); e > 1e-10 {
			t.Errorf("d/dparam %d: reverse %v, forward %v", k, jac[k], vt[1])
		}
		fd := htlRichardson(func(d float64) float64 {
			y := &lstmInput{MainParams: zeros(x.MainParams), ExtraParams: zeros(x.ExtraParams), State: x.State, Sequence: x.Sequence}
			for i := range y.MainParams {
				copy(y.MainParams[i], x.MainParams[i])
			}
			for i := range y.ExtraParams {
				copy(y.ExtraParams[i], x.ExtraParams[i])
			}
			*param(y, k) += d
			var v float64
			htlCall(t, objective, &v, y.MainParams, y.ExtraParams, y.State, y.Sequence)
			return v
		}, 1e-3)
		if e := htlRelErr(jac[k], fd); e > 1e-8 {
			t.Errorf("d/dparam %d: reverse %v, central differences %v", k, jac[k], fd)
		}
	}
}

// TestLSTMBadInput: inputs of the wrong shape are errors, not panics.
func TestLSTMBadInput(t *testing.T) {
	good := func() *lstmInput { return lstmTestInput(htlRng(9), 2, 3, 5) }
	cases := map[string]func() any{
		"odd main_params":  func() any { x := good(); x.MainParams = x.MainParams[:3]; return x },
		"state rows":       func() any { x := good(); x.State = x.State[:2]; return x },
		"ragged state":     func() any { x := good(); x.State[1] = x.State[1][:2]; return x },
		"ragged sequence":  func() any { x := good(); x.Sequence[3] = append(x.Sequence[3], 1); return x },
		"gates":            func() any { x := good(); x.MainParams[0] = x.MainParams[0][:11]; return x },
		"extra_params":     func() any { x := good(); x.ExtraParams = x.ExtraParams[:2]; return x },
		"one character":    func() any { x := good(); x.Sequence = x.Sequence[:1]; return x },
		"no characters":    func() any { x := good(); x.Sequence = nil; return x },
		"empty":            func() any { return map[string]any{} },
		"not an object":    func() any { return 3 },
		"a string of bits": func() any { x := good(); return map[string]any{"main_params": x.MainParams, "sequence": "abc"} },
	}
	for name, input := range cases {
		for _, fn := range []string{"objective", "jacobian"} {
			if out, err := evaluate(t, rose.EngineAuto, "lstm", fn, input()); err == nil {
				t.Errorf("%s %s: no error, output %.100s", name, fn, out)
			} else if strings.Contains(err.Error(), "internal error") {
				t.Errorf("%s %s: %v", name, fn, err)
			}
		}
	}
}
