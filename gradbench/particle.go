package gradbench

import (
	"encoding/json"
	"fmt"

	"github.com/rose-go/rose"
)

// particle: the control w that makes a particle land at x = 0, by
// gradient descent on a cost whose gradient differentiates a simulation
// that itself takes the gradient of a potential (evals/particle.rose).
// Input {"w": w0}; every function's output is the optimised w.
func init() {
	funcs := map[string]function{}
	for _, name := range []string{"rr", "ff", "fr", "rf"} {
		funcs[name] = func(p *rose.Program, in json.RawMessage) (*call, error) {
			var input struct {
				W *float64 `json:"w"`
			}
			if err := decode(in, &input); err != nil {
				return nil, err
			}
			if input.W == nil {
				return nil, fmt.Errorf("%w: particle wants {\"w\": number}", errInput)
			}
			return rosecall(p, name, *input.W)
		}
	}
	register("particle", funcs)
}
