package gradbench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
)

// ba is GradBench's bundle adjustment (evals/ba.rose). The input is one
// camera, point, weight and feature and the counts n, m, p; as the eval
// asks, the tool replicates them into n cameras, m points, p weights and p
// features (input conversion, outside the timed runs), and observation i
// sees point i % m through camera i % n (in the Rose program). Every
// observation is computed; the outputs are manual's compressed forms.
func init() {
	register("ba", map[string]function{
		"objective": baObjective,
		"jacobian":  baJacobian,
	})
}

// baCams is the number of parameters of a camera.
const baCams = 11

// baMaxLen is the longest array Rose has (docs/language.md, Arrays and
// sizes).
const baMaxLen = 1 << 24

type baInput struct {
	N    int       `json:"n"`
	M    int       `json:"m"`
	P    int       `json:"p"`
	Cam  []float64 `json:"cam"`
	X    []float64 `json:"x"`
	W    float64   `json:"w"`
	Feat []float64 `json:"feat"`
}

// baPrepare decodes the input and prepares the call of the function name
// on the replicated arrays.
func baPrepare(p *rose.Program, name string, in json.RawMessage) (*baInput, *rose.Func, []value.Value, error) {
	var b baInput
	if err := decode(in, &b); err != nil {
		return nil, nil, nil, err
	}
	switch {
	case b.N < 1 || b.M < 1 || b.P < 1:
		return nil, nil, nil, fmt.Errorf("%w: ba: n = %d, m = %d, p = %d; each must be at least 1", errInput, b.N, b.M, b.P)
	case len(b.Cam) != baCams:
		return nil, nil, nil, fmt.Errorf("%w: ba: cam has %d parameters, want %d", errInput, len(b.Cam), baCams)
	case len(b.X) != 3:
		return nil, nil, nil, fmt.Errorf("%w: ba: x has %d coordinates, want 3", errInput, len(b.X))
	case len(b.Feat) != 2:
		return nil, nil, nil, fmt.Errorf("%w: ba: feat has %d coordinates, want 2", errInput, len(b.Feat))
	}
	if max(b.N, b.M, b.P) > baMaxLen {
		return nil, nil, nil, fmt.Errorf("ba: n = %d, m = %d, p = %d: Rose's arrays hold at most %d elements", b.N, b.M, b.P, baMaxLen)
	}
	f, err := p.FuncExpr(name, baShape(&b))
	if err != nil {
		return nil, nil, nil, err
	}
	return &b, f, baArgs(&b), nil
}

// baArgs are the replicated arrays: n cameras, m points, p weights and p
// features. Values are immutable, so the copies share their elements.
func baArgs(b *baInput) []value.Value {
	reals := func(xs []float64) value.Value {
		es := make([]value.Value, len(xs))
		for i, x := range xs {
			es[i] = value.Real(x)
		}
		return value.Array(es...)
	}
	repeat := func(v value.Value, n int) value.Value {
		es := make([]value.Value, n)
		for i := range es {
			es[i] = v
		}
		return value.Array(es...)
	}
	return []value.Value{repeat(reals(b.Cam), b.N), repeat(reals(b.X), b.M), repeat(value.Real(b.W), b.P), repeat(reals(b.Feat), b.P)}
}

// baShape is an argument list of the shapes of baArgs, all zeros: what
// FuncExpr reads the sizes n, m and p from. (Encoding the arguments
// themselves as JSON and decoding them again takes seconds at ba14's
// sizes.)
func baShape(b *baInput) []byte {
	var buf bytes.Buffer
	list := func(n int, elem string) {
		buf.WriteByte('[')
		for i := 0; i < n; i++ {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString(elem)
		}
		buf.WriteByte(']')
	}
	zeros := func(n int) string { return "[" + strings.TrimSuffix(strings.Repeat("0,", n), ",") + "]" }
	buf.WriteByte('[')
	list(b.N, zeros(baCams))
	buf.WriteByte(',')
	list(b.M, zeros(3))
	buf.WriteByte(',')
	list(b.P, "0")
	buf.WriteByte(',')
	list(b.P, zeros(2))
	buf.WriteByte(']')
	return buf.Bytes()
}

// baObjective answers objective with manual's compressed output: the
// first observation's reprojection error and weight error, each with the
// number of observations.
func baObjective(p *rose.Program, in json.RawMessage) (*call, error) {
	b, f, vals, err := baPrepare(p, "objective", in)
	if err != nil {
		return nil, err
	}
	pr, err := f.Prepare(context.Background(), vals)
	if err != nil {
		return nil, err
	}
	var res []float64
	return &call{
		run: func(ctx context.Context) error { return pr.Run(ctx, nil) },
		output: func() (any, error) {
			// The result is ([2][p]Real, [p]Real): the reprojection
			// errors' two rows, then the weight errors.
			res = pr.Slots(res[:0])
			return map[string]any{
				"reproj_error": map[string]any{"elements": []float64{res[0], res[b.P]}, "repeated": b.P},
				"w_err":        map[string]any{"element": res[2*b.P], "repeated": b.P},
			}, nil
		},
		close: pr.Close,
	}, nil
}

// baSparse is the Jacobian in manual's layout (ba.hpp's SparseMat): rows
// holds CSR row pointers into cols and vals; row 2i + r is reprojection
// error r of observation i (its camera's 11 columns, its point's 3, its
// weight's 1), row 2p + i the weight error of observation i.
type baSparse struct {
	rows, cols []int
	vals       []float64
}

// baAssemble lays out the blocks Rose computed, res being the slots of
// the result ([p][2][15]Real, [p]Real): each observation's two rows of
// derivatives by its camera, point and weight, then the weight errors'.
func baAssemble(b *baInput, res []float64) baSparse {
	const nz = baCams + 3 + 1
	blocks, wd := res[:2*nz*b.P], res[2*nz*b.P:]
	s := baSparse{
		rows: make([]int, 3*b.P+1),
		cols: make([]int, 2*nz*b.P+b.P),
		vals: make([]float64, 2*nz*b.P+b.P),
	}
	ptCol, wCol := baCams*b.N, baCams*b.N+3*b.M
	k := 0 // the next entry
	for i := 0; i < b.P; i++ {
		cam, pt := i%b.N, i%b.M
		for r := 0; r < 2; r++ {
			s.rows[2*i+r] = k
			row := blocks[(2*i+r)*nz:]
			cols, vals := s.cols[k:k+nz], s.vals[k:k+nz]
			for t := range baCams {
				cols[t] = baCams*cam + t
			}
			for t := range 3 {
				cols[baCams+t] = ptCol + 3*pt + t
			}
			cols[nz-1] = wCol + i
			copy(vals, row[:nz])
			k += nz
		}
	}
	for i := 0; i < b.P; i++ {
		s.rows[2*b.P+i] = k
		s.cols[k] = wCol + i
		s.vals[k] = wd[i]
		k++
	}
	s.rows[3*b.P] = k
	return s
}

// baHead is what manual sends of a long list: its first 30 elements and
// its last.
func baHead[T any](xs []T) []T {
	const k = 2 * (baCams + 4)
	if len(xs) <= k {
		return xs
	}
	return append(append([]T(nil), xs[:k]...), xs[len(xs)-1])
}

// baJacobian answers jacobian: Rose computes the blocks, the Go side lays
// them out (timed, as manual's run builds its matrix) and sends manual's
// excerpt of rows, cols and vals.
func baJacobian(p *rose.Program, in json.RawMessage) (*call, error) {
	b, f, vals, err := baPrepare(p, "jacobian", in)
	if err != nil {
		return nil, err
	}
	pr, err := f.Prepare(context.Background(), vals)
	if err != nil {
		return nil, err
	}
	var s baSparse
	var res []float64
	return &call{
		run: func(ctx context.Context) error {
			if err := pr.Run(ctx, nil); err != nil {
				return err
			}
			res = pr.Slots(res[:0])
			s = baAssemble(b, res)
			return nil
		},
		output: func() (any, error) {
			return map[string]any{"rows": baHead(s.rows), "cols": baHead(s.cols), "vals": baHead(s.vals)}, nil
		},
		close: pr.Close,
	}, nil
}
