package gradbench

import (
	"encoding/json"

	"github.com/rose-go/rose"
)

// hello is the protocol's smoke test: square(x) and its derivative.
func init() {
	register("hello", map[string]function{
		"square": func(p *rose.Program, in json.RawMessage) (*call, error) { return scalar(p, "square", in) },
		"double": func(p *rose.Program, in json.RawMessage) (*call, error) { return scalar(p, "double", in) },
	})
}

// scalar prepares name(x) for an input that is one number.
func scalar(p *rose.Program, name string, in json.RawMessage) (*call, error) {
	var x float64
	if err := decode(in, &x); err != nil {
		return nil, err
	}
	return rosecall(p, name, x)
}
