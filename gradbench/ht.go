package gradbench

import (
	"encoding/json"
	"fmt"

	"github.com/rose-go/rose"
)

// ht is hand tracking (evals/ht.rose): the residuals of a skinned hand
// model against data points, and their Jacobian. An input with us is the
// complicated variant (points on triangles), one without the simple one
// (points at vertices).
func init() {
	register("ht", map[string]function{
		"objective": func(p *rose.Program, in json.RawMessage) (*call, error) { return htCall(p, in, "objective") },
		"jacobian":  func(p *rose.Program, in json.RawMessage) (*call, error) { return htCall(p, in, "jacobian") },
	})
}

// htInput is the eval's input.
type htInput struct {
	Theta []float64    `json:"theta"`
	Us    [][2]float64 `json:"us"`
	Data  struct {
		Model struct {
			Parents              []int64         `json:"parents"`
			BaseRelatives        [][4][4]float64 `json:"base_relatives"`
			InverseBaseAbsolutes [][4][4]float64 `json:"inverse_base_absolutes"`
			BasePositions        [][4]float64    `json:"base_positions"`
			Weights              [][]float64     `json:"weights"`
			Triangles            [][3]int64      `json:"triangles"`
			IsMirrored           bool            `json:"is_mirrored"`
		} `json:"model"`
		Correspondences []int64      `json:"correspondences"`
		Points          [][3]float64 `json:"points"`
	} `json:"data"`
}

// htCall prepares name (objective or jacobian) of the variant the input
// is: name_us with the us, name without.
func htCall(p *rose.Program, in json.RawMessage, name string) (*call, error) {
	var x htInput
	if err := decode(in, &x); err != nil {
		return nil, err
	}
	m := &x.Data.Model
	if len(x.Theta) != 26 {
		return nil, fmt.Errorf("%w: ht: theta has %d numbers, want 26", errInput, len(x.Theta))
	}
	if len(m.Parents) != len(m.BaseRelatives) || len(m.Parents) != len(m.InverseBaseAbsolutes) {
		return nil, fmt.Errorf("%w: ht: %d parents, %d base relatives, %d inverse base absolutes", errInput,
			len(m.Parents), len(m.BaseRelatives), len(m.InverseBaseAbsolutes))
	}
	if len(m.Weights) != len(m.BasePositions) {
		return nil, fmt.Errorf("%w: ht: %d rows of weights for %d vertices", errInput, len(m.Weights), len(m.BasePositions))
	}
	for i, w := range m.Weights {
		if len(w) != len(m.Parents) {
			return nil, fmt.Errorf("%w: ht: vertex %d has %d weights for %d bones", errInput, i, len(w), len(m.Parents))
		}
	}
	d := &x.Data
	if len(d.Correspondences) != len(d.Points) {
		return nil, fmt.Errorf("%w: ht: %d correspondences for %d points", errInput, len(d.Correspondences), len(d.Points))
	}
	if len(x.Us) != 0 && len(x.Us) != len(d.Points) {
		return nil, fmt.Errorf("%w: ht: %d us for %d points", errInput, len(x.Us), len(d.Points))
	}
	suffix, args := htArgs(&x)
	return rosecall(p, name+suffix, args...)
}

// htArgs are the arguments of the Rose functions of x's variant, and the
// suffix of their names: "_us" for the complicated variant.
func htArgs(x *htInput) (string, []any) {
	m, d := &x.Data.Model, &x.Data
	if len(x.Us) == 0 {
		return "", []any{x.Theta, m.Parents, m.BaseRelatives, m.InverseBaseAbsolutes, m.BasePositions,
			m.Weights, m.IsMirrored, d.Correspondences, d.Points}
	}
	return "_us", []any{x.Theta, x.Us, m.Parents, m.BaseRelatives, m.InverseBaseAbsolutes, m.BasePositions,
		m.Weights, m.Triangles, m.IsMirrored, d.Correspondences, d.Points}
}
