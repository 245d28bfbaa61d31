package gradbench

import (
	"encoding/json"
	"fmt"

	"github.com/rose-go/rose"
)

// lstm is ADBench's LSTM (evals/lstm.rose): the loss of an l-layer LSTM
// over a text, and its gradient by the parameters.
func init() {
	register("lstm", map[string]function{
		"objective": func(p *rose.Program, in json.RawMessage) (*call, error) { return lstmCall(p, in, "objective") },
		"jacobian":  func(p *rose.Program, in json.RawMessage) (*call, error) { return lstmCall(p, in, "jacobian") },
	})
}

// lstmInput is the eval's input.
type lstmInput struct {
	MainParams  [][]float64 `json:"main_params"`
	ExtraParams [][]float64 `json:"extra_params"`
	State       [][]float64 `json:"state"`
	Sequence    [][]float64 `json:"sequence"`
}

func lstmCall(p *rose.Program, in json.RawMessage, name string) (*call, error) {
	var x lstmInput
	if err := decode(in, &x); err != nil {
		return nil, err
	}
	// The shapes the Rose signature cannot say: two rows of parameters and
	// of state per layer, four gates per row, b bits throughout.
	m, b := len(x.MainParams), len(x.Sequence)
	if b > 0 {
		b = len(x.Sequence[0])
	}
	switch {
	case m == 0 || m%2 != 0:
		return nil, fmt.Errorf("%w: lstm: main_params has %d rows, want two per layer", errInput, m)
	case len(x.State) != m:
		return nil, fmt.Errorf("%w: lstm: state has %d rows for %d rows of main_params", errInput, len(x.State), m)
	case len(x.Sequence) < 2:
		return nil, fmt.Errorf("%w: lstm: the sequence has %d characters, want at least 2", errInput, len(x.Sequence))
	case len(x.MainParams[0]) != 4*b:
		return nil, fmt.Errorf("%w: lstm: main_params rows have %d numbers for %d bits, want 4 per bit", errInput, len(x.MainParams[0]), b)
	}
	return rosecall(p, name, x.MainParams, x.ExtraParams, x.State, x.Sequence)
}
