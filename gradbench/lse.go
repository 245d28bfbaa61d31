package gradbench

import (
	"encoding/json"
	"fmt"

	"github.com/rose-go/rose"
)

// lse is log-sum-exp: primal is log Σ exp(x_i), gradient its gradient
// (evals/lse.rose). Input {x: float[n]}; outputs a float and float[n].
func init() {
	register("lse", map[string]function{
		"primal":   lse("primal"),
		"gradient": lse("gradient"),
	})
}

type lseInput struct {
	X []float64 `json:"x"`
}

func lse(name string) function {
	return func(p *rose.Program, in json.RawMessage) (*call, error) {
		var v lseInput
		if err := decode(in, &v); err != nil {
			return nil, err
		}
		if len(v.X) == 0 {
			return nil, fmt.Errorf("%w: lse: x must be a non-empty list of numbers", errInput)
		}
		return rosecall(p, name, v.X)
	}
}
