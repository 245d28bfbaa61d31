package gradbench

import (
	"encoding/json"
	"fmt"

	"github.com/rose-go/rose"
)

// det is the determinant by expansion by minors (evals/det.rose) and its
// gradient. The eval sends the matrix flat, row-major, with its order ell;
// Rose takes it as an ell x ell array, and the gradient goes back flat in
// the same order.
func init() {
	register("det", map[string]function{
		"primal": func(p *rose.Program, in json.RawMessage) (*call, error) {
			a, err := detInput(in)
			if err != nil {
				return nil, err
			}
			return rosecall(p, "primal", a)
		},
		"gradient": func(p *rose.Program, in json.RawMessage) (*call, error) {
			a, err := detInput(in)
			if err != nil {
				return nil, err
			}
			c, err := rosecall(p, "gradient", a)
			if err != nil {
				return nil, err
			}
			return flatRows(c), nil
		},
	})
}

// detInput reads {A: float[ell*ell], ell: int} as the rows of A.
func detInput(in json.RawMessage) ([][]float64, error) {
	var x struct {
		A   *[]float64 `json:"A"`
		Ell *int       `json:"ell"`
	}
	if err := decode(in, &x); err != nil {
		return nil, err
	}
	if x.A == nil || x.Ell == nil {
		return nil, fmt.Errorf("%w: det needs A and ell", errInput)
	}
	ell, flat := *x.Ell, *x.A
	if ell < 1 || ell > len(flat) || len(flat) != ell*ell {
		return nil, fmt.Errorf("%w: det needs ell >= 1 and ell*ell entries in A, got ell = %d and %d entries", errInput, ell, len(flat))
	}
	rows := make([][]float64, ell)
	for i := range rows {
		rows[i] = flat[i*ell : (i+1)*ell]
	}
	return rows, nil
}

// flatRows makes the output of c, an array of arrays, one array of their
// elements in order.
func flatRows(c *call) *call {
	return &call{
		run: c.run,
		output: func() (any, error) {
			out, err := c.output()
			if err != nil {
				return nil, err
			}
			var rows [][]json.RawMessage
			if err := json.Unmarshal(out.(json.RawMessage), &rows); err != nil {
				return nil, err
			}
			var flat []json.RawMessage
			for _, r := range rows {
				flat = append(flat, r...)
			}
			return flat, nil
		},
	}
}
