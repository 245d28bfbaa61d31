package gradbench

import (
	"encoding/json"
	"fmt"

	"github.com/rose-go/rose"
)

// llsq is a linear least-squares objective over n sample points
// (evals/llsq.rose). Input {x: float[m], n: int}; primal outputs a float,
// gradient float[m].
func init() {
	register("llsq", map[string]function{
		"primal":   llsq("primal"),
		"gradient": llsq("gradient"),
	})
}

type llsqInput struct {
	X []float64 `json:"x"`
	N *int64    `json:"n"`
}

func llsq(name string) function {
	return func(p *rose.Program, in json.RawMessage) (*call, error) {
		var v llsqInput
		if err := decode(in, &v); err != nil {
			return nil, err
		}
		if v.X == nil || v.N == nil || *v.N < 0 {
			return nil, fmt.Errorf("%w: llsq: want {x: [numbers], n: a count}", errInput)
		}
		return rosecall(p, name, v.X, *v.N)
	}
}
