package rose

import (
	"context"

	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// code is a function compiled by an engine: the evaluator's *eval.Code,
// or the compiled engine's. Both take and give values in the same form
// and report the same runtime errors (package value).
type code interface {
	Call(ctx context.Context, args []value.Value, opts *eval.Options) (value.Value, error)
}

// compile compiles f with the program's engine. p.mu must be held (the
// IR is read, and resolving derivatives rewrites it).
func (p *Program) compile(f *ir.Func) (code, error) {
	c, err := eval.Compile(f)
	if err != nil {
		return nil, err // not a nil *eval.Code in a non-nil interface
	}
	return c, nil
}
