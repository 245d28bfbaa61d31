package rose

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"github.com/rose-go/rose/check"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// FuncExpr looks up a function expression: a function's name, as Func
// does, or a derivative operator applied to one, as the language writes
// it: "grad(f)", "jvp(h)", "vjp(f)", "grad(f, x, y)" (by the parameters x
// and y only), and compositions such as "grad(grad(f))" or "jvp(grad(f))".
// The derivative has the signature the language gives it: jvp(f) takes f's
// parameters then one tangent per parameter and returns (value, tangent);
// vjp(f) takes f's parameters then the cotangent of the result and returns
// (value, cotangent of each parameter...); grad(f) takes f's parameters and
// returns the cotangent of one parameter, or a tuple of them. A generic
// function's sizes are read off the leading arguments of argsJSON, which
// are always the base function's parameters.
func (p *Program) FuncExpr(expr string, argsJSON []byte) (*Func, error) {
	return p.funcExpr(expr, jsonArgs(argsJSON))
}

// jsonArgs decodes argsJSON for a generic function fo, whose sizes it
// gives (and only then: a large argument list is not parsed for
// nothing).
func jsonArgs(argsJSON []byte) func(fo *check.FuncObj) ([]any, error) {
	return func(fo *check.FuncObj) ([]any, error) {
		if argsJSON == nil {
			return nil, fmt.Errorf("%s is generic in %s; its sizes come from the arguments", fo.Name, sizeNames(fo))
		}
		var args []any
		if err := json.Unmarshal(argsJSON, &args); err != nil {
			return nil, fmt.Errorf("arguments: %v", err)
		}
		return args, nil
	}
}

// FuncExprGo is FuncExpr for arguments that are Go data in the JSON
// shapes (value.FromGo): it resolves expr with the sizes args give and
// converts args to the Values of its parameters, with no JSON between.
// A harness that has decoded its input into Go structs (rose gradbench)
// prepares a call of millions of numbers without encoding and parsing
// them again.
func (p *Program) FuncExprGo(expr string, args []any) (*Func, []value.Value, error) {
	f, err := p.funcExpr(expr, func(*check.FuncObj) ([]any, error) { return args, nil })
	if err != nil {
		return nil, nil, err
	}
	vals, err := value.ArgsFromGo(f.Params(), args)
	if err != nil {
		return nil, nil, err
	}
	return f, vals, nil
}

// funcExpr resolves expr; argsOf gives the arguments (as JSON decodes
// them or as Go data) when the base function is generic, whose leading
// ones are the base function's and give its sizes.
func (p *Program) funcExpr(expr string, argsOf func(*check.FuncObj) ([]any, error)) (*Func, error) {
	if err := p.Err(); err != nil {
		return nil, err
	}
	e, err := parseFuncExpr(expr)
	if err != nil {
		return nil, err
	}
	base := e
	for base.of != nil {
		base = base.of
	}
	fo, err := p.funcObj(base.name)
	if err != nil {
		return nil, err
	}
	var lead []any
	if len(fo.Sizes) > 0 {
		if lead, err = argsOf(fo); err != nil {
			return nil, err
		}
		if len(lead) > len(fo.Params) && e != base {
			lead = lead[:len(fo.Params)] // a derivative's further arguments
		}
	}
	f, err := p.instance(fo, lead)
	if err != nil || e == base {
		return f, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.derive(e, f)
}

// derive builds the derivative e of the function f that e's innermost name
// denotes. p.mu must be held.
func (p *Program) derive(e *funcExpr, f *Func) (*Func, error) {
	if e.of == nil {
		return f, nil
	}
	inner, err := p.derive(e.of, f)
	if err != nil {
		return nil, err
	}
	names := append([]string(nil), inner.ParamNames...)
	var d *ir.Func
	switch e.name {
	case "jvp":
		if d, err = p.ad.JVP(inner.IR); err != nil {
			return nil, err
		}
		for _, n := range inner.ParamNames {
			names = append(names, "d"+n)
		}
	case "vjp":
		if d, err = p.ad.VJP(inner.IR); err != nil {
			return nil, err
		}
		names = append(names, "dresult")
	case "grad":
		wrt, err := inner.ParamIndex(e.wrt)
		if err != nil {
			return nil, err
		}
		if d, err = p.ad.GradWrt(inner.IR, wrt); err != nil {
			return nil, err
		}
	}
	code, err := p.compile(d)
	if err != nil {
		return nil, err
	}
	return p.newFunc(e.String(), d, names, code), nil
}

// ParamIndex resolves parameter names to their indices, in the order
// given; nil names give nil (all parameters). An unknown name, a repeated
// one or a parameter without Reals is an error that lists the parameters.
func (f *Func) ParamIndex(names []string) ([]int, error) {
	if names == nil {
		return nil, nil
	}
	params := f.params
	var wrt []int
	seen := map[int]bool{}
	for _, n := range names {
		k := -1
		for i, pn := range f.ParamNames {
			if pn == n {
				k = i
			}
		}
		switch {
		case k < 0:
			return nil, fmt.Errorf("%s has no parameter %q (its parameters: %s)", f.Name, n, strings.Join(f.ParamNames, ", "))
		case seen[k]:
			return nil, fmt.Errorf("parameter %s is chosen twice", n)
		case !f.tangent[k]:
			return nil, fmt.Errorf("parameter %s of %s has type %v, which has no derivative", n, f.Name, params[k])
		}
		seen[k] = true
		wrt = append(wrt, k)
	}
	return wrt, nil
}

// GradWrt is GradMode with respect to the parameters wrt only (indices,
// as ParamIndex gives; nil for all): the other entries of Grad are nil,
// and nothing is differentiated by them. In reverse mode a strict subset
// costs one extra evaluation of f for the value.
func (f *Func) GradWrt(ctx context.Context, args []value.Value, opts *eval.Options, mode Mode, wrt []int) (*Gradient, error) {
	if wrt == nil || len(wrt) == len(f.params) && mode == Reverse {
		// Every parameter: the whole gradient, in one sweep.
		g, err := f.GradMode(ctx, args, opts, mode)
		if err != nil || wrt == nil {
			return g, err
		}
		return keep(g, wrt), nil
	}
	if f.result.Kind != ir.KReal {
		return nil, fmt.Errorf("%s returns %s; a gradient needs a Real result (use a JVP for other results)", f.Name, f.result)
	}
	if mode == Forward {
		chosen := map[int]bool{}
		for _, k := range wrt {
			chosen[k] = true
		}
		return f.forward(ctx, args, opts, chosen)
	}
	wc, err := f.wrtCode(wrt)
	if err != nil {
		return nil, err
	}
	g := &Gradient{Grad: make([]*value.Value, len(args))}
	if wc.vjp != nil {
		// One sweep gives the value and the chosen cotangents.
		out, err := wc.vjp.Call(ctx, append(append([]value.Value(nil), args...), value.Real(1)), opts)
		if err != nil {
			return nil, f.prog.wrapErr(err)
		}
		g.Value = out.Elem(0)
		for _, k := range wrt {
			v := out.Elem(k + 1)
			g.Grad[k] = &v
		}
		return g, nil
	}
	if g.Value, err = f.Call(ctx, args, opts); err != nil {
		return nil, err
	}
	out, err := wc.grad.Call(ctx, args, opts)
	if err != nil {
		return nil, f.prog.wrapErr(err)
	}
	for i, k := range wrt {
		v := out
		if len(wrt) > 1 {
			v = out.Elem(i)
		}
		g.Grad[k] = &v
	}
	return g, nil
}

// wrtCode is the compiled gradient of a function by chosen parameters.
type wrtCode struct {
	vjp  code // the VJP by those parameters, returning the value too; nil if not found
	grad code // the gradient, when vjp is nil
}

// wrtCode compiles, once per choice, the gradient by the parameters wrt:
// the reverse sweep that ad.GradWrt wraps when it can be found (a call
// returning the value and every parameter's cotangent, the chosen ones
// computed), so that the value comes from the same sweep, and else the
// gradient function itself.
func (f *Func) wrtCode(wrt []int) (*wrtCode, error) {
	f.prog.mu.Lock()
	defer f.prog.mu.Unlock()
	key := fmt.Sprint(wrt)
	if wc := f.wrt[key]; wc != nil {
		return wc, nil
	}
	gf, err := f.prog.ad.GradWrt(f.IR, wrt)
	if err != nil {
		return nil, err
	}
	wc := &wrtCode{}
	n := len(f.IR.Params)
	for _, in := range gf.Body.Instrs {
		c := in.Callee
		if in.Op != ir.OpCall || c == nil || len(c.Params) != n+1 {
			continue
		}
		rt := c.Result()
		if rt.Kind == ir.KTuple && len(rt.Elems) == n+1 && rt.Elems[0].Kind == ir.KReal {
			if wc.vjp, err = f.prog.compile(c); err != nil {
				return nil, err
			}
		}
		break
	}
	if wc.vjp == nil {
		if wc.grad, err = f.prog.compile(gf); err != nil {
			return nil, err
		}
	}
	if f.wrt == nil {
		f.wrt = map[string]*wrtCode{}
	}
	f.wrt[key] = wc
	return wc, nil
}

// keep clears the gradient entries not in wrt.
func keep(g *Gradient, wrt []int) *Gradient {
	chosen := map[int]bool{}
	for _, k := range wrt {
		chosen[k] = true
	}
	for i := range g.Grad {
		if !chosen[i] {
			g.Grad[i] = nil
		}
	}
	return g
}

// funcExpr is a parsed function expression: a name, or an operator (name
// "grad", "jvp" or "vjp") applied to of.
type funcExpr struct {
	name string
	of   *funcExpr
	wrt  []string // grad(f, x, y)
}

func (e *funcExpr) String() string {
	if e.of == nil {
		return e.name
	}
	s := e.name + "(" + e.of.String()
	for _, w := range e.wrt {
		s += ", " + w
	}
	return s + ")"
}

// parseFuncExpr parses name | op "(" expr ("," name)* ")".
func parseFuncExpr(src string) (*funcExpr, error) {
	toks, err := funcExprTokens(src)
	if err != nil {
		return nil, err
	}
	ps := &exprParser{toks: toks, src: src}
	e := ps.expr()
	if ps.err == nil && ps.pos < len(ps.toks) {
		ps.fail("unexpected %q", ps.toks[ps.pos])
	}
	if ps.err != nil {
		return nil, ps.err
	}
	return e, nil
}

func funcExprTokens(src string) ([]string, error) {
	var toks []string
	for i := 0; i < len(src); {
		r := rune(src[i])
		switch {
		case r == ' ' || r == '\t':
			i++
		case r == '(' || r == ')' || r == ',':
			toks = append(toks, src[i:i+1])
			i++
		case r == '_' || unicode.IsLetter(r):
			j := i
			for j < len(src) && (src[j] == '_' || unicode.IsLetter(rune(src[j])) || unicode.IsDigit(rune(src[j]))) {
				j++
			}
			toks = append(toks, src[i:j])
			i = j
		default:
			return nil, fmt.Errorf("bad function expression %q: unexpected %q (write a function name or grad(f), jvp(f), vjp(f))", src, src[i:i+1])
		}
	}
	return toks, nil
}

type exprParser struct {
	toks []string
	pos  int
	src  string
	err  error
}

func (ps *exprParser) fail(format string, args ...any) {
	if ps.err == nil {
		ps.err = fmt.Errorf("bad function expression %q: %s (write a function name or grad(f), jvp(f), vjp(f))", ps.src, fmt.Sprintf(format, args...))
	}
}

func (ps *exprParser) peek() string {
	if ps.pos < len(ps.toks) {
		return ps.toks[ps.pos]
	}
	return ""
}

func (ps *exprParser) ident() string {
	t := ps.peek()
	if t == "" || t == "(" || t == ")" || t == "," {
		if t == "" {
			ps.fail("unexpected end")
		} else {
			ps.fail("unexpected %q", t)
		}
		return ""
	}
	ps.pos++
	return t
}

func (ps *exprParser) expect(t string) {
	if ps.peek() != t {
		ps.fail("expected %q", t)
		return
	}
	ps.pos++
}

func (ps *exprParser) expr() *funcExpr {
	name := ps.ident()
	if ps.err != nil {
		return nil
	}
	if ps.peek() != "(" {
		return &funcExpr{name: name}
	}
	if name != "grad" && name != "jvp" && name != "vjp" {
		ps.fail("%s is not a derivative operator", name)
		return nil
	}
	ps.pos++
	e := &funcExpr{name: name, of: ps.expr()}
	for ps.err == nil && ps.peek() == "," {
		ps.pos++
		e.wrt = append(e.wrt, ps.ident())
	}
	ps.expect(")")
	if e.wrt != nil && (name != "grad" || e.of.of != nil) {
		ps.fail("only grad of a function name chooses parameters, as in grad(f, x)")
	}
	return e
}
