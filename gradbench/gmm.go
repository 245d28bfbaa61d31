package gradbench

import (
	"encoding/json"
	"fmt"

	"github.com/rose-go/rose"
)

// gmm is GradBench's Gaussian mixture model (evals/gmm.rose): objective
// is the log posterior, jacobian its gradient by alpha, mu, q and l.
func init() {
	register("gmm", map[string]function{
		"objective": func(p *rose.Program, in json.RawMessage) (*call, error) { return gmmCall(p, "objective", in) },
		"jacobian": func(p *rose.Program, in json.RawMessage) (*call, error) {
			c, err := gmmCall(p, "jacobian", in)
			if err != nil {
				return nil, err
			}
			// The gradient is a tuple (alpha, mu, q, l); the eval wants an
			// object with those keys.
			tuple := c.output
			c.output = func() (any, error) {
				out, err := tuple()
				if err != nil {
					return nil, err
				}
				var parts [4]json.RawMessage
				if err := json.Unmarshal(out.(json.RawMessage), &parts); err != nil {
					return nil, err
				}
				return map[string]json.RawMessage{"alpha": parts[0], "mu": parts[1], "q": parts[2], "l": parts[3]}, nil
			}
			return c, nil
		},
	})
}

// gmmInput is the eval's input; the sizes d, k and n are implied by the
// arrays, and are checked against them.
type gmmInput struct {
	D     int         `json:"d"`
	K     int         `json:"k"`
	N     int         `json:"n"`
	M     int         `json:"m"`
	Gamma float64     `json:"gamma"`
	X     [][]float64 `json:"x"`
	Alpha []float64   `json:"alpha"`
	Mu    [][]float64 `json:"mu"`
	Q     [][]float64 `json:"q"`
	L     [][]float64 `json:"l"`
}

func gmmCall(p *rose.Program, name string, in json.RawMessage) (*call, error) {
	var g gmmInput
	if err := decode(in, &g); err != nil {
		return nil, err
	}
	if err := g.check(); err != nil {
		return nil, err
	}
	return rosecall(p, name, g.Alpha, g.Mu, g.Q, g.L, g.X, g.Gamma, g.M)
}

// check reports an input whose arrays disagree with d, k and n.
func (g *gmmInput) check() error {
	if g.D < 1 || g.K < 1 || g.N < 0 {
		return fmt.Errorf("%w: gmm: d = %d, k = %d, n = %d", errInput, g.D, g.K, g.N)
	}
	rows := func(name string, a [][]float64, n, m int) error {
		if len(a) != n {
			return fmt.Errorf("%w: gmm: %s has %d rows, want %d", errInput, name, len(a), n)
		}
		for i, r := range a {
			if len(r) != m {
				return fmt.Errorf("%w: gmm: %s[%d] has %d entries, want %d", errInput, name, i, len(r), m)
			}
		}
		return nil
	}
	if len(g.Alpha) != g.K {
		return fmt.Errorf("%w: gmm: alpha has %d entries, want k = %d", errInput, len(g.Alpha), g.K)
	}
	for _, e := range []error{
		rows("mu", g.Mu, g.K, g.D),
		rows("q", g.Q, g.K, g.D),
		rows("l", g.L, g.K, g.D*(g.D-1)/2),
		rows("x", g.X, g.N, g.D),
	} {
		if e != nil {
			return e
		}
	}
	return nil
}
