package gradbench

import (
	"encoding/json"
	"fmt"
)

// particle: the control w that makes a particle land at x = 0, by
// gradient descent on a cost whose gradient differentiates a simulation
// that itself takes the gradient of a potential (evals/particle.rose).
// Input {"w": w0}; every function's output is the optimised w.
func init() {
	registerNested("particle", func(in json.RawMessage) (any, error) {
		var input struct {
			W *float64 `json:"w"`
		}
		if err := decode(in, &input); err != nil {
			return nil, err
		}
		if input.W == nil {
			return nil, fmt.Errorf("%w: particle wants {\"w\": number}", errInput)
		}
		return *input.W, nil
	})
}
