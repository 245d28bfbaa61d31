package rose

import (
	"context"
	"fmt"
	"math"

	"github.com/rose-go/rose/ad"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// Objective is a function with a Real result seen as a function of a flat
// vector: the Reals of the parameters chosen, in parameter order and, in
// each, in layout order (the order of Hessian.Inputs), the other arguments
// held fixed. It is what an optimizer calls thousands of times: the value
// and the gradient are compiled and their arguments converted once, and on
// the compiled engine a call copies the vector in and the results out
// without allocating. An Objective is not safe for concurrent use; Close
// it.
type Objective struct {
	f      *Func
	opts   *eval.Options
	wrt    []int       // the chosen parameters
	slots  [][]float64 // every parameter's flat layout, the vector written in
	at     [][]int     // at[k]: the slots of wrt[k] that hold its Reals
	grad   [][2]int    // where each wrt[k]'s cotangent lies in the sweep's result
	inputs []string
	val    *Prepared // f itself
	sweep  *Prepared // the reverse sweep: (value, cotangents...) or, when sweepValue is false, the cotangents alone
	// sweepValue reports a sweep that returns the value too (else val
	// runs first).
	sweepValue bool
	out        []float64 // the sweep's result slots
	dim        int
	x0         []float64 // the vector at the arguments given
}

// Objective prepares f at args as a function of the Reals of the
// parameters wrt (indices; nil means every parameter with Reals). The
// arguments of the other parameters stay as given. opts (nil for none) are
// the budgets of every call.
func (f *Func) Objective(ctx context.Context, args []value.Value, wrt []int, opts *eval.Options) (*Objective, error) {
	if f.result.Kind != ir.KReal {
		return nil, fmt.Errorf("%s returns %s; an objective needs a Real result", f.Name, f.result)
	}
	if len(args) != len(f.params) {
		return nil, fmt.Errorf("%s takes %d arguments, got %d", f.Name, len(f.params), len(args))
	}
	all := wrt == nil
	if all {
		wrt = f.withReals()
	}
	o := &Objective{f: f, opts: opts, wrt: wrt, slots: make([][]float64, len(args))}
	for i, t := range f.params {
		o.slots[i] = make([]float64, t.Slots())
		if err := value.Store(o.slots[i], args[i], t); err != nil {
			return nil, fmt.Errorf("%s: argument %d (%s): %v", f.Name, i+1, f.ParamNames[i], err)
		}
	}
	for _, k := range wrt {
		if k < 0 || k >= len(f.params) {
			return nil, fmt.Errorf("%s has no parameter %d", f.Name, k)
		}
		t := f.params[k]
		if !f.tangent[k] {
			return nil, fmt.Errorf("parameter %s of %s is %s: it has no Reals to optimize", f.ParamNames[k], f.Name, t)
		}
		var at []int
		realSlots(t, 0, &at)
		o.at = append(o.at, at)
		o.inputs = append(o.inputs, realLabels(t, f.ParamNames[k])...)
		o.dim += len(at)
	}
	if len(wrt) == 0 {
		return nil, fmt.Errorf("%s has no parameter with Reals to optimize", f.Name)
	}
	for k, p := range wrt {
		for _, s := range o.at[k] {
			o.x0 = append(o.x0, o.slots[p][s])
		}
	}
	sweep, withValue, err := f.sweepCode(wrt, all)
	if err != nil {
		return nil, err
	}
	// The sweep's result: (value, cotangent of every parameter) with a
	// value, else the chosen cotangents (a tuple of them if several).
	off := 0
	if withValue {
		at := make([]int, len(f.params))
		off = 1
		for i, t := range f.params {
			at[i] = off
			off += ad.Tangent(t).Slots()
		}
		for _, k := range wrt {
			o.grad = append(o.grad, [2]int{at[k], ad.Tangent(f.params[k]).Slots()})
		}
	} else {
		for _, k := range wrt {
			n := ad.Tangent(f.params[k]).Slots()
			o.grad = append(o.grad, [2]int{off, n})
			off += n
		}
	}
	o.out = make([]float64, 0, off)
	o.sweepValue = withValue
	if o.val, err = f.Prepare(ctx, args); err != nil {
		return nil, err
	}
	sargs := args
	if withValue {
		sargs = append(append([]value.Value(nil), args...), value.Real(1))
	}
	if o.sweep, err = sweep.Prepare(ctx, sargs); err != nil {
		o.val.Close()
		return nil, err
	}
	return o, nil
}

// sweepCode is the reverse sweep an Objective runs: f's VJP when every
// parameter with Reals is chosen, else the VJP by the chosen ones, both
// returning the value too; the gradient function alone where that VJP is
// not found (withValue false).
func (f *Func) sweepCode(wrt []int, all bool) (fn *Func, withValue bool, err error) {
	var c code
	if all {
		c, err = f.vjpCode()
		withValue = true
	} else {
		var wc *wrtCode
		if wc, err = f.wrtCode(wrt); err == nil {
			c, withValue = wc.vjp, wc.vjp != nil
			if !withValue {
				c = wc.grad
			}
		}
	}
	if err != nil {
		return nil, false, err
	}
	// The sweep's types: with the value, it takes the result's cotangent
	// last and returns (value, every parameter's cotangent); else the
	// chosen cotangents, a tuple of them if several.
	params, result := f.params, ad.Tangent(f.params[wrt[0]])
	if withValue {
		params = append(append([]*ir.Type(nil), f.params...), f.result)
		elems := []*ir.Type{f.result}
		for _, t := range f.params {
			elems = append(elems, ad.Tangent(t))
		}
		result = ir.TupleOf(elems...)
	} else if len(wrt) > 1 {
		var elems []*ir.Type
		for _, k := range wrt {
			elems = append(elems, ad.Tangent(f.params[k]))
		}
		result = ir.TupleOf(elems...)
	}
	return &Func{Name: f.Name, prog: f.prog, code: c, params: params, result: result}, withValue, nil
}

// realSlots appends the slots of a value of type t (starting at off) that
// hold Reals, and returns the slot after it.
func realSlots(t *ir.Type, off int, at *[]int) int {
	switch t.Kind {
	case ir.KReal:
		*at = append(*at, off)
		return off + 1
	case ir.KArray:
		for range t.Len {
			off = realSlots(t.Elem, off, at)
		}
		return off
	case ir.KTuple:
		for _, e := range t.Elems {
			off = realSlots(e, off, at)
		}
		return off
	}
	return off + t.Slots()
}

// Dim is the length of the vector: the number of Reals chosen.
func (o *Objective) Dim() int { return o.dim }

// Inputs labels each entry of the vector, as Hessian.Inputs does ("x",
// "v[1]", "p.mass").
func (o *Objective) Inputs() []string { return o.inputs }

// Start appends the vector at the arguments Objective was given to dst.
func (o *Objective) Start(dst []float64) []float64 { return append(dst, o.x0...) }

// set writes x into the slots of the arguments, and into the arguments
// of the calls runs (those about to run: a value-and-gradient sweep
// need not update the value's call).
func (o *Objective) set(x []float64, runs ...*Prepared) error {
	if len(x) != o.dim {
		return fmt.Errorf("%s: the vector has %d entries, want %d", o.f.Name, len(x), o.dim)
	}
	i := 0
	for k, p := range o.wrt {
		for _, s := range o.at[k] {
			o.slots[p][s] = x[i]
			i++
		}
		for _, r := range runs {
			r.SetSlots(p, o.slots[p])
		}
	}
	return nil
}

// Value is the function's value at x.
func (o *Objective) Value(ctx context.Context, x []float64) (float64, error) {
	if err := o.set(x, o.val); err != nil {
		return math.NaN(), err
	}
	if err := o.val.Run(ctx, o.opts); err != nil {
		return math.NaN(), err
	}
	var one [1]float64
	return o.val.Slots(one[:0])[0], nil
}

// ValueGrad is the function's value at x, with its gradient written into
// grad (of length Dim) by one reverse sweep.
func (o *Objective) ValueGrad(ctx context.Context, x, grad []float64) (float64, error) {
	if len(grad) != o.dim {
		return math.NaN(), fmt.Errorf("%s: the gradient has %d entries, want %d", o.f.Name, len(grad), o.dim)
	}
	runs := []*Prepared{o.sweep}
	if !o.sweepValue {
		runs = append(runs, o.val)
	}
	if err := o.set(x, runs...); err != nil {
		return math.NaN(), err
	}
	v := math.NaN()
	if !o.sweepValue {
		if err := o.val.Run(ctx, o.opts); err != nil {
			return v, err
		}
		var one [1]float64
		v = o.val.Slots(one[:0])[0]
	}
	if err := o.sweep.Run(ctx, o.opts); err != nil {
		return math.NaN(), err
	}
	o.out = o.sweep.Slots(o.out[:0])
	if o.sweepValue {
		v = o.out[0]
	}
	i := 0
	for _, g := range o.grad {
		i += copy(grad[i:], o.out[g[0]:g[0]+g[1]])
	}
	return v, nil
}

// Args is the full argument list with the vector x in place: what to
// print or pass on once an optimizer is done.
func (o *Objective) Args(x []float64) ([]value.Value, error) {
	if err := o.set(x); err != nil {
		return nil, err
	}
	args := make([]value.Value, len(o.slots))
	for i, t := range o.f.params {
		args[i], _ = value.Load(o.slots[i], t)
	}
	return args, nil
}

// Func is the function the objective calls.
func (o *Objective) Func() *Func { return o.f }

// Close releases both prepared calls.
func (o *Objective) Close() {
	o.val.Close()
	o.sweep.Close()
}
