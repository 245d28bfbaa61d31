package rose

import (
	"context"
	"fmt"
	"go/token"
	"math"

	"github.com/rose-go/rose/ad"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// DefaultTolerance is the largest error GradCheck and RuleCheck accept by
// default (`rose test --tol`).
const DefaultTolerance = 1e-6

// DefaultMaxInputs is how many Real inputs of each parameter GradCheck
// checks by default (`rose test --inputs`).
const DefaultMaxInputs = 100

// RelError is the error measure of gradient checks: |a - b| divided by
// max(1, |a|, |b|), a relative error for values above 1 and an absolute
// one below, so that derivatives near zero are not judged by the rounding
// noise of finite differences. Two NaNs, or two equal infinities, agree;
// a NaN against a number is an infinite error.
func RelError(a, b float64) float64 {
	switch {
	case a == b || math.IsNaN(a) && math.IsNaN(b):
		return 0
	case math.IsNaN(a) || math.IsNaN(b) || math.IsInf(a, 0) || math.IsInf(b, 0):
		return math.Inf(1)
	}
	return math.Abs(a-b) / math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// ParamCheck is the worst disagreement over the Real inputs of one
// parameter.
type ParamCheck struct {
	Name    string
	Forward float64 // worst RelError of reverse mode against forward mode
	FD      float64 // worst RelError of reverse mode against central differences
	Worst   string  // the input with the worst FD error, such as "v[2]"
	Inputs  int     // the parameter's Real inputs
	Checked int     // how many of them were checked
}

// GradCheck is a gradient check at one example.
type GradCheck struct {
	Params []ParamCheck // one per parameter with Reals
}

// Worst is the largest error of the check.
func (g *GradCheck) Worst() float64 {
	w := 0.0
	for _, p := range g.Params {
		w = math.Max(w, math.Max(p.Forward, p.FD))
	}
	return w
}

// GradCheck compares, at the example's arguments, the reverse-mode
// gradient with the forward-mode gradient and with central finite
// differences of the function, input by input, the differences taken at
// steps from 1e-3 to 1e-7 times max(1, |x|) and the closest one kept. A
// parameter with more than maxInputs Reals is checked at maxInputs of them,
// spread evenly from the first to the last (0 checks every input). The
// example's function must return a Real.
func (ex *Example) GradCheck(ctx context.Context, opts *eval.Options, maxInputs int) (*GradCheck, error) {
	if ex.Err != nil {
		return nil, ex.Err
	}
	f := ex.Func
	rev, err := f.GradMode(ctx, ex.Args, opts, Reverse)
	if err != nil {
		return nil, err
	}
	params := f.Params()
	out := &GradCheck{}
	for i, t := range params {
		if rev.Grad[i] == nil {
			continue
		}
		r := Reals(*rev.Grad[i])
		labels := realLabels(ad.Tangent(t), f.ParamNames[i])
		pc := ParamCheck{Name: f.ParamNames[i]}
		ks := sample(len(r), maxInputs)
		pc.Checked = len(ks)
		for _, k := range ks {
			fw, err := f.directional(ctx, ex.Args, opts, i, k)
			if err != nil {
				return nil, err
			}
			pc.Forward = math.Max(pc.Forward, RelError(r[k], fw))
			ds, err := f.centralDiffs(ctx, ex.Args, opts, i, k)
			if err != nil {
				return nil, err
			}
			if e := fdError(r[k], ds, 0); e > pc.FD || pc.Worst == "" {
				pc.FD, pc.Worst = math.Max(pc.FD, e), labels[k]
			}
		}
		pc.Inputs = len(r)
		out.Params = append(out.Params, pc)
	}
	return out, nil
}

// sample picks at most max of the indices 0..n-1, spread evenly and
// including the first and (for max > 1) the last; max <= 0 picks them all.
func sample(n, max int) []int {
	var ks []int
	if max <= 0 || n <= max {
		for k := 0; k < n; k++ {
			ks = append(ks, k)
		}
		return ks
	}
	if max == 1 {
		return []int{0}
	}
	for j := 0; j < max; j++ {
		ks = append(ks, int(int64(j)*int64(n-1)/int64(max-1)))
	}
	return ks
}

// directional is the forward-mode derivative of f's Real result along the
// k-th Real of parameter i.
func (f *Func) directional(ctx context.Context, args []value.Value, opts *eval.Options, i, k int) (float64, error) {
	jvp, err := f.jvpCode()
	if err != nil {
		return 0, err
	}
	params := f.Params()
	in := append([]value.Value(nil), args...)
	for j, t := range params {
		if j == i {
			in = append(in, unitTangent(t, k))
		} else {
			in = append(in, zeroTangent(t))
		}
	}
	out, err := jvp.Call(ctx, in, opts)
	if err != nil {
		return 0, f.prog.wrapErr(err)
	}
	return out.Elem(1).Real(), nil
}

// fdSteps are the relative steps of the central differences.
var fdSteps = []float64{1e-3, 1e-4, 1e-5, 1e-6, 1e-7}

// centralDiffs are the central differences (f(x+h) - f(x-h)) / 2h of
// every Real of f's result along the k-th Real x of parameter i, one slice
// per step h = s * max(1, |x|) for s in fdSteps. No one step suits every
// function: a large step crosses kinks (max, abs, branches) and a small
// one drowns in rounding, so checks take the closest of them.
func (f *Func) centralDiffs(ctx context.Context, args []value.Value, opts *eval.Options, i, k int) ([][]float64, error) {
	x := Reals(args[i])[k]
	var out [][]float64
	for _, s := range fdSteps {
		h := s * math.Max(1, math.Abs(x))
		h = (x + h) - x // the step actually taken
		var ys [2][]float64
		for j, m := range []float64{1, -1} {
			in := append([]value.Value(nil), args...)
			n := k
			in[i] = shiftReal(args[i], &n, m*h)
			v, err := f.Call(ctx, in, opts)
			if err != nil {
				return nil, err
			}
			ys[j] = Reals(v)
		}
		d := make([]float64, len(ys[0]))
		for j := range d {
			d[j] = (ys[0][j] - ys[1][j]) / (2 * h)
		}
		out = append(out, d)
	}
	return out, nil
}

// fdError is the smallest RelError of a against the j-th Real of the
// differences ds.
func fdError(a float64, ds [][]float64, j int) float64 {
	e := math.Inf(1)
	for _, d := range ds {
		e = math.Min(e, RelError(a, d[j]))
	}
	return e
}

// shiftReal returns v with d added to its *k-th Real (layout order);
// *k counts down the Reals passed.
func shiftReal(v value.Value, k *int, d float64) value.Value {
	switch v.Kind() {
	case ir.KReal:
		if *k == 0 {
			*k = -1
			return value.Real(v.Real() + d)
		}
		*k--
		return v
	case ir.KArray, ir.KTuple:
		elems := make([]value.Value, v.Len())
		for j := range elems {
			elems[j] = shiftReal(v.Elem(j), k, d)
		}
		if v.Kind() == ir.KArray {
			return value.Array(elems...)
		}
		return value.Tuple(elems...)
	}
	return v
}

// RuleCheck is the comparison of a custom JVP rule with finite
// differences of its function's own body, at one example of the function.
type RuleCheck struct {
	Rule     string         // the rule's name
	Func     string         // the function it is attached to
	Pos      token.Position // the rule's declaration
	Attached token.Position // where `jvp rule` attaches it
	Params   []ParamCheck   // FD: worst error of the rule's tangents; Forward unused
	Value    float64        // RelError of the rule's value against the body's, worst over the result's Reals
}

// Worst is the largest error of the check.
func (r *RuleCheck) Worst() float64 {
	w := r.Value
	for _, p := range r.Params {
		w = math.Max(w, p.FD)
	}
	return w
}

// RuleCheck compares the custom JVP rule of the example's function, if it
// has one, with the function's own body: the rule's value against the
// body's value, and the rule's tangent along each Real input against
// central differences of the body. It returns nil for a function without
// a rule.
func (ex *Example) RuleCheck(ctx context.Context, opts *eval.Options) (*RuleCheck, error) {
	if ex.Err != nil {
		return nil, ex.Err
	}
	f := ex.Func
	p := f.prog
	p.mu.Lock()
	rule := f.IR.CustomJVP
	if rule == nil || ex.obj == nil || ex.obj.Rule == nil {
		p.mu.Unlock()
		return nil, nil
	}
	code, err := p.compile(rule)
	p.mu.Unlock()
	if err != nil {
		return nil, err
	}
	rc := &RuleCheck{Rule: ex.obj.Rule.Name, Func: ex.obj.Name,
		Pos: p.Position(rule.Pos), Attached: p.Fset.Position(ex.obj.Decl.Rule.Pos())}
	val, err := f.Call(ctx, ex.Args, opts)
	if err != nil {
		return nil, err
	}
	params := f.Params()
	in := append([]value.Value(nil), ex.Args...)
	for _, t := range params {
		in = append(in, zeroTangent(t))
	}
	first := true
	for i, t := range params {
		n := ad.Tangent(t).Slots()
		if n == 0 {
			continue
		}
		labels := realLabels(ad.Tangent(t), f.ParamNames[i])
		pc := ParamCheck{Name: f.ParamNames[i]}
		for k := 0; k < n; k++ {
			in[len(ex.Args)+i] = unitTangent(t, k)
			out, err := code.Call(ctx, in, opts)
			if err != nil {
				return nil, p.wrapErr(err)
			}
			if first {
				for j, y := range Reals(val) {
					rc.Value = math.Max(rc.Value, RelError(Reals(out.Elem(0))[j], y))
				}
				first = false
			}
			ds, err := f.centralDiffs(ctx, ex.Args, opts, i, k)
			if err != nil {
				return nil, err
			}
			tan := Reals(out.Elem(1))
			for j := range tan {
				if e := fdError(tan[j], ds, j); e > pc.FD || pc.Worst == "" {
					pc.FD, pc.Worst = math.Max(pc.FD, e), labels[k]
				}
			}
		}
		in[len(ex.Args)+i] = zeroTangent(t)
		pc.Inputs, pc.Checked = n, n
		rc.Params = append(rc.Params, pc)
	}
	return rc, nil
}

// String describes the check's worst disagreement.
func (r *RuleCheck) String() string {
	s := fmt.Sprintf("value error %.3g", r.Value)
	for _, p := range r.Params {
		s += fmt.Sprintf(", d/d%s error %.3g (worst at %s)", p.Name, p.FD, p.Worst)
	}
	return s
}

// ReachedRule is a custom JVP rule that a function's derivatives use,
// directly or through calls.
type ReachedRule struct {
	Rule, Func string         // the rule's and its function's names
	Pos        token.Position // the rule's declaration
}

// ReachedRules lists the custom JVP rules of the functions f calls,
// directly or indirectly, and of f itself, each once, callees first.
func (f *Func) ReachedRules() []ReachedRule {
	f.prog.mu.Lock()
	defer f.prog.mu.Unlock()
	var out []ReachedRule
	for _, fn := range ir.Reachable(f.IR) {
		if r := fn.CustomJVP; r != nil {
			out = append(out, ReachedRule{Rule: r.Name, Func: fn.Name, Pos: f.prog.Position(r.Pos)})
		}
	}
	return out
}
