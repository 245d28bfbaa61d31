package gradbench

import (
	"encoding/json"
	"fmt"
)

// saddle: the saddle point of (x1² + x2²) - (y1² + y2²), found by an
// argmin over x of a max over y, both by gradient descent, the outer
// descent differentiating through the inner one (evals/saddle.rose).
// Input {"start": [a, b]}; every function's output is [x1, x2, y1, y2].
func init() {
	registerNested("saddle", func(in json.RawMessage) (any, error) {
		var input struct {
			Start []float64 `json:"start"`
		}
		if err := decode(in, &input); err != nil {
			return nil, err
		}
		if len(input.Start) != 2 {
			return nil, fmt.Errorf("%w: saddle wants {\"start\": [number, number]}, got %d numbers", errInput, len(input.Start))
		}
		return input.Start, nil
	})
}
