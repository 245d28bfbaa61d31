package gradbench

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
)

// rosecall prepares the call expr(args...) of p, expr being a function's
// name or a derivative expression such as "grad(f)". The arguments are Go
// values in the JSON shapes of `rose run --args` (slices for arrays, maps
// or structs with the field names for structs); they also give a generic
// function its sizes. The output is the result in those shapes.
func rosecall(p *rose.Program, expr string, args ...any) (*call, error) {
	// Straight from the decoded input to Values: no JSON in between.
	f, vals, err := p.FuncExprGo(expr, args)
	if err != nil {
		return nil, err
	}
	// The arguments go into the engine's layout once, here; each run only
	// copies them into place and runs (rose.Prepared).
	pr, err := f.Prepare(context.Background(), vals)
	if err != nil {
		return nil, err
	}
	return &call{
		run: func(ctx context.Context) error { return pr.Run(ctx, nil) },
		output: func() (any, error) {
			return json.RawMessage(value.EncodeJSON(pr.Result(), f.IR.Result())), nil
		},
		close: pr.Close,
	}, nil
}

// decode parses an evaluate input into v, with the module's name in errors.
func decode(input json.RawMessage, v any) error {
	if err := json.Unmarshal(input, v); err != nil {
		return fmt.Errorf("%w: %v", errInput, err)
	}
	return nil
}
