package rose

import (
	"context"
	"fmt"

	"github.com/rose-go/rose/ad"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// Gradient is the value of a function with a Real result and its partial
// derivatives: one entry per parameter, shaped like the parameter, or nil
// for a parameter without Reals (Int, Bool), which has no derivative.
type Gradient struct {
	Value value.Value
	Grad  []*value.Value
}

// Mode selects how Grad differentiates.
type Mode int

// The modes. Reverse computes the whole gradient in one backward sweep, at a
// small constant multiple of the function's cost; Forward runs one JVP per
// Real input, an independent method that tests cross-check reverse against.
const (
	Reverse Mode = iota
	Forward
)

// Grad computes f's value and gradient at args in reverse mode.
func (f *Func) Grad(ctx context.Context, args []value.Value, opts *eval.Options) (*Gradient, error) {
	return f.GradMode(ctx, args, opts, Reverse)
}

// GradMode computes f's value and gradient at args in the given mode.
func (f *Func) GradMode(ctx context.Context, args []value.Value, opts *eval.Options, mode Mode) (*Gradient, error) {
	if f.result.Kind != ir.KReal {
		return nil, fmt.Errorf("%s returns %s; a gradient needs a Real result (use a JVP for other results)", f.Name, f.result)
	}
	if mode == Reverse {
		return f.reverse(ctx, args, opts)
	}
	return f.forward(ctx, args, opts, nil)
}

// forward computes the gradient with one JVP per Real input of the
// parameters chosen (all if chosen is nil); the others get nil entries.
func (f *Func) forward(ctx context.Context, args []value.Value, opts *eval.Options, chosen map[int]bool) (*Gradient, error) {
	jvp, err := f.jvpCode()
	if err != nil {
		return nil, err
	}
	params := f.Params()
	zeros := make([]value.Value, len(params))
	for i, t := range params {
		zeros[i] = zeroTangent(t)
	}
	val, err := f.Call(ctx, args, opts)
	if err != nil {
		return nil, err
	}
	g := &Gradient{Value: val, Grad: make([]*value.Value, len(params))}
	in := append(append([]value.Value(nil), args...), zeros...)
	for i, t := range params {
		n := ad.Tangent(t).Slots()
		if n == 0 || chosen != nil && !chosen[i] {
			continue
		}
		parts := make([]float64, n)
		for k := 0; k < n; k++ {
			in[len(args)+i] = unitTangent(t, k)
			out, err := jvp.Call(ctx, in, opts)
			if err != nil {
				return nil, f.prog.wrapErr(err)
			}
			parts[k] = out.Elem(1).Real()
		}
		in[len(args)+i] = zeros[i]
		v := fillTangent(t, &parts)
		g.Grad[i] = &v
	}
	return g, nil
}

// ValueText evaluates ex and renders it as `rose run` prints it, without
// the newline: the call as written, " = ", the value.
func (ex *Example) ValueText(ctx context.Context, opts *eval.Options) (string, error) {
	if ex.Err != nil {
		return "", ex.Err
	}
	v, err := ex.Func.Call(ctx, ex.Args, opts)
	if err != nil {
		return "", err
	}
	return ex.Text + " = " + value.Format(v, ex.Func.IR.Result()), nil
}

// GradientText evaluates ex with its gradient and renders both as `rose
// grad` prints them: the value, then one line per parameter with a
// derivative. An example whose result is not Real gets its value and a note.
// The program's Limits apply.
func (ex *Example) GradientText(ctx context.Context, mode Mode) (string, error) {
	if ex.Err != nil {
		return "", ex.Err
	}
	f := ex.Func
	rt := f.result
	if rt.Kind != ir.KReal {
		v, err := f.Call(ctx, ex.Args, f.prog.Limits)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s = %s\n  (no gradient: the result is %s, not Real)\n", ex.Text, value.Format(v, rt), rt), nil
	}
	g, err := f.GradMode(ctx, ex.Args, f.prog.Limits, mode)
	if err != nil {
		return "", err
	}
	s := fmt.Sprintf("%s = %s\n", ex.Text, value.Format(g.Value, rt))
	params := f.Params()
	for i, d := range g.Grad {
		if d != nil {
			s += fmt.Sprintf("  d/d%s = %s\n", f.ParamNames[i], value.Format(*d, ad.Tangent(params[i])))
		}
	}
	return s, nil
}

// zeroTangent is the zero tangent of a value of type t.
func zeroTangent(t *ir.Type) value.Value {
	xs := make([]float64, ad.Tangent(t).Slots())
	return fillTangent(t, &xs)
}

// unitTangent is the tangent of type t whose k-th Real is 1.
func unitTangent(t *ir.Type, k int) value.Value {
	xs := make([]float64, ad.Tangent(t).Slots())
	xs[k] = 1
	return fillTangent(t, &xs)
}

// fillTangent builds a tangent of a value of type t from its Reals in
// layout order.
func fillTangent(t *ir.Type, xs *[]float64) value.Value {
	switch t.Kind {
	case ir.KReal:
		x := (*xs)[0]
		*xs = (*xs)[1:]
		return value.Real(x)
	case ir.KInt, ir.KBool:
		return value.Tuple()
	case ir.KArray:
		elems := make([]value.Value, t.Len)
		for i := range elems {
			elems[i] = fillTangent(t.Elem, xs)
		}
		return value.Array(elems...)
	}
	elems := make([]value.Value, len(t.Elems))
	for i, e := range t.Elems {
		elems[i] = fillTangent(e, xs)
	}
	return value.Tuple(elems...)
}

// reverse runs the VJP of f with the cotangent 1.
func (f *Func) reverse(ctx context.Context, args []value.Value, opts *eval.Options) (*Gradient, error) {
	return f.VJP(ctx, args, &realOne, opts)
}

// realOne is the cotangent of a Real result (read, never written).
var realOne = value.Real(1)

// VJP runs f's reverse-mode derivative at args with the cotangent ct of
// the result (shaped like the result, with an empty tuple for each Int or
// Bool in it): the value, and ct times the Jacobian by each parameter,
// shaped as in Gradient. ct nil means 1 in every Real of the result, so
// that for a Real result VJP is Grad, and for others it is one reverse
// sweep, what rose bench times for them.
func (f *Func) VJP(ctx context.Context, args []value.Value, ct *value.Value, opts *eval.Options) (*Gradient, error) {
	if ct == nil {
		f.onesOnce.Do(func() {
			xs := make([]float64, ad.Tangent(f.result).Slots())
			for k := range xs {
				xs[k] = 1
			}
			f.ones = fillTangent(f.result, &xs)
		})
		ct = &f.ones
	}
	vjp, err := f.vjpCode()
	if err != nil {
		return nil, err
	}
	in := append(append([]value.Value(nil), args...), *ct)
	out, err := vjp.Call(ctx, in, opts)
	if err != nil {
		return nil, f.prog.wrapErr(err)
	}
	g := &Gradient{Value: out.Elem(0), Grad: make([]*value.Value, len(f.params))}
	parts := make([]value.Value, len(f.params))
	for i, has := range f.tangent {
		if has {
			parts[i] = out.Elem(i + 1)
			g.Grad[i] = &parts[i]
		}
	}
	return g, nil
}

// jvpCode is f's compiled JVP, made on first use.
func (f *Func) jvpCode() (code, error) {
	f.prog.mu.Lock()
	defer f.prog.mu.Unlock()
	if f.jvp == nil {
		g, err := f.prog.ad.JVP(f.IR)
		if err != nil {
			return nil, err
		}
		if f.jvp, err = f.prog.compile(g); err != nil {
			return nil, err
		}
	}
	return f.jvp, nil
}

// vjpCode is f's compiled VJP, made on first use.
func (f *Func) vjpCode() (code, error) {
	f.prog.mu.Lock()
	defer f.prog.mu.Unlock()
	if f.vjp == nil {
		g, err := f.prog.ad.VJP(f.IR)
		if err != nil {
			return nil, err
		}
		if f.vjp, err = f.prog.compile(g); err != nil {
			return nil, err
		}
	}
	return f.vjp, nil
}

// GradIR returns the IR of f's reverse-mode derivative, the function Grad
// runs: it takes f's parameters and the cotangent of the result (1 for the
// gradient) and returns the tuple (value, cotangent of each parameter...),
// the cotangent of a parameter without Reals being the empty tuple. It is
// shared: treat it as read-only.
func (f *Func) GradIR() (*ir.Func, error) {
	if f.result.Kind != ir.KReal {
		return nil, fmt.Errorf("%s returns %s; a gradient needs a Real result", f.Name, f.result)
	}
	f.prog.mu.Lock()
	defer f.prog.mu.Unlock()
	return f.prog.ad.VJP(f.IR)
}

// Derivative returns the IR of a derivative of the function name ("grad",
// "jvp" or "vjp") with every function it calls, callees first, for
// inspection (`rose ir --grad NAME`).
func (p *Program) Derivative(kind, name string) (*ir.Program, error) {
	f, err := p.Func(name, nil)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var d *ir.Func
	switch kind {
	case "grad":
		d, err = p.ad.Grad(f.IR)
	case "jvp":
		d, err = p.ad.JVP(f.IR)
	case "vjp":
		d, err = p.ad.VJP(f.IR)
	default:
		err = fmt.Errorf("unknown derivative %q", kind)
	}
	if err != nil {
		return nil, err
	}
	return &ir.Program{Funcs: ir.Reachable(d)}, nil
}
