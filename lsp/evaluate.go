package lsp

import (
	"context"
	"errors"
	"fmt"
	"go/token"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/ad"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// exampleResult is what evaluating one example gave: its value and
// gradient, in full and abbreviated, or why there is none.
type exampleResult struct {
	index    int // into the package's examples
	fn       string
	pos      token.Pos // the example declaration's span
	end      token.Pos
	text     string // the call as written
	ex       *rose.Example
	value    value.Value
	hasVal   bool
	full     string      // the value, in full
	short    string      // the value, abbreviated for a hint
	grads    []paramGrad // one per parameter with a derivative
	err      error       // evaluation failed (or stopped: see stopped)
	errPos   token.Pos   // where, when it failed at a source position
	stop     string      // "evaluation stopped after 250 ms", when a budget ran out
	gradOnly bool        // the value was computed, its gradient failed (err, stop)
	live     live        // the traced run, made on demand (values.go)
}

// paramGrad is the partial derivative of an example's function by one
// parameter.
type paramGrad struct {
	param int
	name  string
	full  string
	short string
}

// evaluate runs every example of the snapshot (once), each bounded by the
// configured time and memory and all cancelled when the snapshot is
// superseded.
func (sn *snapshot) evaluate() {
	sn.evalOnce.Do(func() {
		defer close(sn.evalDone)
		prog := sn.program()
		if prog.Err() != nil {
			return
		}
		base := prog.Fset.File(prog.File.FileEnd).Base()
		ctx, cancel := context.WithTimeout(sn.ctx, sn.cfg.Timeout)
		exs, err := prog.Examples(ctx)
		cancel()
		if err != nil {
			return
		}
		for i, ex := range exs {
			ce := prog.Pkg.Examples[i]
			r := &exampleResult{index: i, fn: ce.Func.Name, pos: ce.Decl.Pos(), end: ce.Decl.End(), text: ex.Text, ex: ex}
			sn.evals = append(sn.evals, r)
			if sn.ctx.Err() != nil {
				r.err = sn.ctx.Err()
				continue
			}
			if ex.Err != nil {
				r.fail(ex.Err, sn.cfg, base)
				continue
			}
			sn.run(r, base)
			if r.hasVal && nonFinite(r.value) {
				sn.trace(r) // for the diagnostic at the NaN's origin
			}
		}
	})
}

// run evaluates one prepared example: its gradient when the result is
// Real, its value otherwise.
func (sn *snapshot) run(r *exampleResult, base int) {
	f := r.ex.Func
	ctx, cancel := context.WithTimeout(sn.ctx, sn.cfg.Timeout)
	defer cancel()
	opts := sn.cfg.limits()
	rt := f.IR.Result()
	if rt.Kind != ir.KReal {
		v, err := f.Call(ctx, r.ex.Args, opts)
		if err != nil {
			r.fail(err, sn.cfg, base)
			return
		}
		r.setValue(v, rt)
		return
	}
	// The gradient brings the value with it. When it needs more memory
	// than the budget (reverse mode records loop states), the value alone
	// may still fit: show that.
	g, err := f.Grad(ctx, r.ex.Args, opts)
	if err != nil {
		if !errors.Is(err, value.ErrMemoryBudget) {
			r.fail(err, sn.cfg, base)
			return
		}
		v, verr := f.Call(ctx, r.ex.Args, opts)
		if verr != nil {
			r.fail(verr, sn.cfg, base) // the value fails too: say why
			return
		}
		r.setValue(v, rt)
		r.fail(err, sn.cfg, base)
		r.gradOnly = true
		return
	}
	r.setValue(g.Value, rt)
	params := f.Params()
	for i, d := range g.Grad {
		if d == nil {
			continue
		}
		t := ad.Tangent(params[i])
		r.grads = append(r.grads, paramGrad{param: i, name: f.ParamNames[i], full: value.Format(*d, t), short: short(*d, t)})
	}
}

func (r *exampleResult) setValue(v value.Value, t *ir.Type) {
	r.value, r.hasVal = v, true
	r.full, r.short = value.Format(v, t), short(v, t)
}

// fail records an evaluation error; a budget that ran out is a stop, not
// an error of the program.
func (r *exampleResult) fail(err error, cfg config, base int) {
	r.err = err
	var re *rose.RuntimeError
	if errors.As(err, &re) && re.Pos.IsValid() {
		r.errPos = token.Pos(base + re.Pos.Offset)
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		r.stop = "evaluation stopped after " + showDuration(cfg.Timeout)
	case errors.Is(err, value.ErrMemoryBudget):
		r.stop = fmt.Sprintf("evaluation stopped: more than %d MB of memory", cfg.MaxMemory>>20)
	}
}

func showDuration(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%d s", d/time.Second)
	}
	return fmt.Sprintf("%d ms", d.Milliseconds())
}

// waitEvals waits for the snapshot's evaluations, starting them if no one
// has, until ctx is done.
func (sn *snapshot) waitEvals(ctx context.Context) ([]*exampleResult, error) {
	go sn.evaluate()
	select {
	case <-sn.evalDone:
		return sn.evals, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// message is the one-line outcome of an example: its error, or its value
// and gradient.
func (r *exampleResult) message() string {
	if r.err != nil && !r.gradOnly {
		return r.why()
	}
	var b strings.Builder
	b.WriteString(r.full)
	for _, g := range r.grads {
		fmt.Fprintf(&b, "\n∂/∂%s = %s", g.name, g.full)
	}
	if r.gradOnly {
		b.WriteString("\ngradient: " + r.why())
	}
	return b.String()
}

// why is what stopped or failed the evaluation.
func (r *exampleResult) why() string {
	if r.stop != "" {
		return r.stop
	}
	return errorText(r.err)
}

// errorText is an evaluation error's message without its position
// prefix (the editor shows where).
func errorText(err error) string {
	var re *rose.RuntimeError
	if errors.As(err, &re) {
		return "runtime error: " + re.Err.Msg
	}
	return err.Error()
}

// nonFinite reports whether a value holds a NaN or an infinity.
func nonFinite(v value.Value) bool {
	switch v.Kind() {
	case ir.KReal:
		x := v.Real()
		return math.IsNaN(x) || math.IsInf(x, 0)
	case ir.KArray, ir.KTuple:
		for i := 0; i < v.Len(); i++ {
			if nonFinite(v.Elem(i)) {
				return true
			}
		}
	}
	return false
}

// hintWidth bounds an abbreviated value: VS Code cuts inlay hints at 43
// characters by default, and the full value is in the tooltip anyway.
const hintWidth = 28

// short renders v for an inlay hint: Reals to 3 significant digits, and
// aggregates cut after their first elements with the count of the rest.
func short(v value.Value, t *ir.Type) string {
	var b strings.Builder
	writeShort(&b, v, t, 0)
	return b.String()
}

func writeShort(b *strings.Builder, v value.Value, t *ir.Type, depth int) {
	switch v.Kind() {
	case ir.KReal:
		b.WriteString(shortReal(v.Real()))
	case ir.KInt:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case ir.KBool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case ir.KArray, ir.KTuple:
		open, close := "[", "]"
		var names []string
		if v.Kind() == ir.KTuple {
			open, close = "(", ")"
			if t != nil && t.Kind == ir.KTuple && len(t.Fields) == v.Len() {
				open, close, names = "{", "}", t.Fields
			}
		}
		b.WriteString(open)
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			if b.Len() > hintWidth || depth > 1 {
				b.WriteString("…")
				break
			}
			if names != nil {
				b.WriteString(names[i] + ": ")
			}
			writeShort(b, v.Elem(i), elemOf(t, i), depth+1)
		}
		b.WriteString(close)
	default:
		b.WriteString("?")
	}
}

func elemOf(t *ir.Type, i int) *ir.Type {
	switch {
	case t == nil:
		return nil
	case t.Kind == ir.KArray:
		return t.Elem
	case t.Kind == ir.KTuple && i < len(t.Elems):
		return t.Elems[i]
	}
	return nil
}

func shortReal(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return value.Format(value.Real(x), nil) // NaN, +Inf, -Inf as everywhere
	}
	// Three significant digits, and always recognisable as a Real:
	// 272.0 and 109.3, not 272 and 109.
	s := strconv.FormatFloat(x, 'g', 3, 64)
	if !strings.ContainsAny(s, ".e") {
		s = strconv.FormatFloat(x, 'f', 1, 64)
	}
	return s
}
