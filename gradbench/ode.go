package gradbench

import (
	"encoding/json"
	"fmt"

	"github.com/rose-go/rose"
)

// ode integrates a linear ODE system with s steps of RK4 (evals/ode.rose).
// Input {x: float[n], s: int}; primal outputs y(2) as float[n], gradient
// the gradient of its last component with respect to x, float[n].
func init() {
	register("ode", map[string]function{
		"primal":   ode("primal"),
		"gradient": ode("gradient"),
	})
}

type odeInput struct {
	X []float64 `json:"x"`
	S *int64    `json:"s"`
}

func ode(name string) function {
	return func(p *rose.Program, in json.RawMessage) (*call, error) {
		var v odeInput
		if err := decode(in, &v); err != nil {
			return nil, err
		}
		if len(v.X) == 0 || v.S == nil || *v.S < 1 {
			return nil, fmt.Errorf("%w: ode: want {x: [numbers] (at least one), s: a step count (at least 1)}", errInput)
		}
		return rosecall(p, name, v.X, *v.S)
	}
}
