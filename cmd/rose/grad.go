package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/ad"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

var gradCmd = &command{
	name:    "grad",
	usage:   "FILE [-f NAME --args JSON [--wrt a,b]] [--mode reverse|forward] [--hessian] [--timeout D] [--max-steps N] [--max-memory SIZE]",
	summary: "evaluate examples with their gradients",
	help: `
Grad is run with derivatives: for every 'example' in FILE whose function
returns a Real, it prints the value and then one line per parameter with
the partial derivatives with respect to it, shaped like the parameter:

	loss([0.3, 0.0]) = 0.07728656000000217
	  d/dv0 = [0.2432, 0.0]

Parameters of type Int or Bool have no derivative and are left out; inside
arrays, tuples and structs, Int and Bool parts print as (). An example whose
result is not a Real prints its value and no gradient.

With -f NAME and --args JSON (the same shapes as 'rose run'; - reads
standard input, @FILE the file FILE), grad prints {"value": ..., "grad":
[...]} with one gradient entry per parameter, null for Int and Bool
parameters. NAME may be a derivative expression such as 'grad(f)' when its
result is a Real, as in 'rose run'. --wrt a,b differentiates by the named
parameters only: the others get null and cost nothing to differentiate by
(10,000 data points need not be differentiated to fit 3 weights). An
unknown name is a usage error that lists the parameters.

--hessian adds the matrix of second derivatives over the Real inputs of the
parameters differentiated by (all, or those of --wrt), flattened in
parameter order and, inside a parameter, in layout order (array elements in
order, struct fields as declared). With -f it adds "inputs" (a label per
input, such as "v[1]" or "p.mass") and "hessian" (rows) to the JSON; for
examples it prints the inputs' labels and then one line per row. It is computed
forward-over-reverse: one JVP of the reverse-mode gradient per input.

Gradients are computed in reverse mode: one forward sweep and one backward
sweep, whatever the number of inputs. --mode forward computes the same
gradient with one Jacobian-vector product per Real input instead, an
independent method for cross-checking.

The budgets --timeout, --max-steps and --max-memory are those of 'rose run'.
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
		name := fs.String("f", "", "differentiate the function `NAME` instead of the examples")
		args := fs.String("args", "", "the arguments of -f as a `JSON` array; - reads standard input, @FILE the file FILE")
		wrtText := fs.String("wrt", "", "differentiate by the parameters `NAMES` only (comma-separated; needs -f)")
		modeName := fs.String("mode", "reverse", "`reverse` or forward differentiation")
		hessian := fs.Bool("hessian", false, "also print the Hessian over the differentiated inputs")
		lim := addLimits(fs)
		eng := addEngine(fs)
		return func(ctx context.Context, e *env, pos []string) int {
			if len(pos) != 1 {
				return usage(e, "grad", "expects exactly one FILE")
			}
			var mode rose.Mode
			switch *modeName {
			case "reverse":
				mode = rose.Reverse
			case "forward":
				mode = rose.Forward
			default:
				return usage(e, "grad", fmt.Sprintf("--mode must be reverse or forward, not %q", *modeName))
			}
			if *args != "" && *name == "" {
				return usage(e, "grad", "--args needs -f NAME")
			}
			wrt, code := wrtNames(e, "grad", *wrtText, *name)
			if code != exitOK {
				return code
			}
			p, ok := load(e, "grad", pos[0])
			if !ok {
				return exitUser
			}
			ctx, cancel := lim.context(ctx)
			defer cancel()
			p.Limits = lim.options()
			p.Engine = eng.e
			if *name == "" {
				return gradExamples(ctx, e, p, mode, *hessian, lim)
			}
			return gradOne(ctx, e, p, *name, *args, mode, wrt, *hessian, lim)
		}
	},
}

// wrtNames splits the --wrt list; nil means every parameter.
func wrtNames(e *env, cmd, text, name string) ([]string, int) {
	if text == "" {
		return nil, exitOK
	}
	if name == "" {
		return nil, usage(e, cmd, "--wrt needs -f NAME")
	}
	var names []string
	for _, n := range strings.Split(text, ",") {
		if n = strings.TrimSpace(n); n == "" {
			return nil, usage(e, cmd, fmt.Sprintf("--wrt %q has an empty name", text))
		}
		names = append(names, n)
	}
	return names, exitOK
}

func gradExamples(ctx context.Context, e *env, p *rose.Program, mode rose.Mode, hessian bool, lim *limits) int {
	return eachExample(ctx, e, p, "differentiate", lim, func(ex *rose.Example) (string, error) {
		text, err := ex.GradientText(ctx, mode)
		if err != nil || !hessian || !hasGradient(ex.Func) {
			return text, err
		}
		h, err := ex.Func.Hessian(ctx, ex.Args, lim.options(), nil)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		b.WriteString(text)
		fmt.Fprintf(&b, "  hessian by %s:\n", strings.Join(h.Inputs, ", "))
		for _, row := range h.H {
			fmt.Fprintf(&b, "    %s\n", showReals(row))
		}
		return b.String(), nil
	})
}

// hasGradient reports whether f has a Real result and a parameter with
// Reals, and so a gradient and a Hessian.
func hasGradient(f *rose.Func) bool {
	if f.IR.Result().Kind != ir.KReal {
		return false
	}
	for _, t := range f.Params() {
		if ad.Tangent(t).Slots() > 0 {
			return true
		}
	}
	return false
}

// showReals prints Reals as a Rose array literal.
func showReals(xs []float64) string {
	vs := make([]value.Value, len(xs))
	for i, x := range xs {
		vs[i] = value.Real(x)
	}
	return value.Format(value.Array(vs...), nil)
}

func gradOne(ctx context.Context, e *env, p *rose.Program, name, argText string, mode rose.Mode, wrtNames []string, hessian bool, lim *limits) int {
	f, args, code := funcAndArgs(e, "grad", p, name, argText)
	if code != exitOK {
		return code
	}
	wrt, err := f.ParamIndex(wrtNames)
	if err != nil {
		fmt.Fprintf(e.stderr, "rose grad: --wrt: %v\n", err)
		return exitUsage
	}
	params := f.Params()
	g, err := f.GradWrt(ctx, args, lim.options(), mode, wrt)
	if err != nil {
		fmt.Fprintf(e.stderr, "rose grad: %v%s\n", err, lim.explain(err))
		return exitUser
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, `{"value": %s, "grad": [`, value.EncodeJSON(g.Value, f.IR.Result()))
	for i, d := range g.Grad {
		if i > 0 {
			out.WriteString(", ")
		}
		if d == nil {
			out.WriteString("null")
		} else {
			out.Write(value.EncodeJSON(*d, ad.Tangent(params[i])))
		}
	}
	out.WriteString("]")
	if hessian {
		h, err := f.Hessian(ctx, args, lim.options(), wrt)
		if err != nil {
			fmt.Fprintf(e.stderr, "rose grad: %v%s\n", err, lim.explain(err))
			return exitUser
		}
		labels, _ := json.Marshal(h.Inputs)
		fmt.Fprintf(&out, `, "inputs": %s, "hessian": [`, labels)
		for i, row := range h.H {
			if i > 0 {
				out.WriteString(", ")
			}
			out.WriteString(jsonReals(row))
		}
		out.WriteString("]")
	}
	out.WriteString("}\n")
	e.stdout.Write(out.Bytes())
	return exitOK
}

// jsonReals encodes Reals as a JSON array, as EncodeJSON encodes Reals.
func jsonReals(xs []float64) string {
	vs := make([]value.Value, len(xs))
	for i, x := range xs {
		vs[i] = value.Real(x)
	}
	return string(value.EncodeJSON(value.Array(vs...), nil))
}

// readArgs returns the JSON argument text: inline, from stdin for "-",
// from the file FILE for "@FILE", or "[]" when absent.
func readArgs(e *env, cmd, argText string) ([]byte, int) {
	switch {
	case argText == "-":
		data, err := io.ReadAll(io.LimitReader(e.stdin, 1<<30))
		if err != nil {
			fmt.Fprintf(e.stderr, "rose %s: reading arguments: %v\n", cmd, err)
			return nil, exitUser
		}
		return bytes.TrimSpace(data), exitOK
	case argText == "":
		return []byte("[]"), exitOK
	case strings.HasPrefix(argText, "@"):
		data, err := os.ReadFile(argText[1:])
		if err != nil {
			fmt.Fprintf(e.stderr, "rose %s: --args: %v\n", cmd, unwrapPathError(err))
			return nil, exitUser
		}
		return bytes.TrimSpace(data), exitOK
	}
	return bytes.TrimSpace([]byte(argText)), exitOK
}
