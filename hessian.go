package rose

import (
	"context"
	"fmt"
	"strconv"

	"github.com/rose-go/rose/ad"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// Hessian is the value, gradient and matrix of second derivatives of a
// function with a Real result, over its Real inputs flattened: every Real
// inside the chosen parameters, in parameter order and, within a
// parameter, in layout order (array elements in order, tuple and struct
// fields in declaration order).
type Hessian struct {
	Value  value.Value
	Inputs []string    // one label per Real input: "x", "v[1]", "p.mass"
	Grad   []float64   // Grad[i] = df/dInputs[i]
	H      [][]float64 // H[i][j] = d2f/dInputs[i]dInputs[j]
}

// Hessian computes f's Hessian at args with respect to the parameters wrt
// (indices, as ParamIndex gives; nil for every parameter with Reals), in
// forward-over-reverse mode: one JVP of the reverse-mode gradient per Real
// input, each giving one column.
func (f *Func) Hessian(ctx context.Context, args []value.Value, opts *eval.Options, wrt []int) (*Hessian, error) {
	if f.result.Kind != ir.KReal {
		return nil, fmt.Errorf("%s returns %s; a Hessian needs a Real result", f.Name, f.result)
	}
	params := f.params
	if wrt == nil {
		if wrt = f.withReals(); len(wrt) == 0 {
			return nil, fmt.Errorf("%s has no Real parameters", f.Name)
		}
	}
	code, err := f.hessianCode(wrt)
	if err != nil {
		return nil, err
	}
	val, err := f.Call(ctx, args, opts)
	if err != nil {
		return nil, err
	}
	h := &Hessian{Value: val}
	for _, k := range wrt {
		h.Inputs = append(h.Inputs, realLabels(params[k], f.ParamNames[k])...)
	}
	in := append([]value.Value(nil), args...)
	for _, t := range params {
		in = append(in, zeroTangent(t))
	}
	for _, k := range wrt {
		n := ad.Tangent(params[k]).Slots()
		for s := 0; s < n; s++ {
			in[len(args)+k] = unitTangent(params[k], s)
			out, err := code.Call(ctx, in, opts)
			if err != nil {
				return nil, f.prog.wrapErr(err)
			}
			if h.Grad == nil {
				h.Grad = Reals(out.Elem(0))
			}
			h.H = append(h.H, Reals(out.Elem(1)))
		}
		in[len(args)+k] = zeroTangent(params[k])
	}
	// The columns are the rows: the Hessian of a twice differentiable
	// function is symmetric, and column j is the derivative along input j.
	for i := range h.H {
		for j := 0; j < i; j++ {
			h.H[i][j], h.H[j][i] = h.H[j][i], h.H[i][j]
		}
	}
	return h, nil
}

// hessianCode compiles the JVP of f's gradient by wrt, under the
// program's lock.
func (f *Func) hessianCode(wrt []int) (code, error) {
	f.prog.mu.Lock()
	defer f.prog.mu.Unlock()
	g, err := f.prog.ad.GradWrt(f.IR, wrt)
	if err != nil {
		return nil, err
	}
	jg, err := f.prog.ad.JVP(g)
	if err != nil {
		return nil, err
	}
	return f.prog.compile(jg)
}

// Reals lists the Reals of v in layout order.
func Reals(v value.Value) []float64 {
	var out []float64
	var walk func(v value.Value)
	walk = func(v value.Value) {
		switch v.Kind() {
		case ir.KReal:
			out = append(out, v.Real())
		case ir.KArray, ir.KTuple:
			for i := 0; i < v.Len(); i++ {
				walk(v.Elem(i))
			}
		}
	}
	walk(v)
	return out
}

// realLabels names the Reals of a value of type t called name, in layout
// order.
func realLabels(t *ir.Type, name string) []string {
	switch t.Kind {
	case ir.KReal:
		return []string{name}
	case ir.KArray:
		var out []string
		for i := 0; i < t.Len; i++ {
			out = append(out, realLabels(t.Elem, name+"["+strconv.Itoa(i)+"]")...)
		}
		return out
	case ir.KTuple:
		var out []string
		for i, e := range t.Elems {
			field := strconv.Itoa(i)
			if i < len(t.Fields) {
				field = t.Fields[i]
			}
			out = append(out, realLabels(e, name+"."+field)...)
		}
		return out
	}
	return nil
}
