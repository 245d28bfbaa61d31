package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/ad"
	"github.com/rose-go/rose/eval"
)

var gradCmd = &command{
	name:    "grad",
	usage:   "FILE [-f NAME --args JSON] [--mode reverse|forward]",
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

With -f NAME and --args JSON (the same shapes as 'rose run'), grad prints
{"value": ..., "grad": [...]} with one gradient entry per parameter, null
for Int and Bool parameters.

Gradients are computed in reverse mode: one forward sweep and one backward
sweep, whatever the number of inputs. --mode forward computes the same
gradient with one Jacobian-vector product per Real input instead, an
independent method for cross-checking.
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
		name := fs.String("f", "", "differentiate the function `NAME` instead of the examples")
		args := fs.String("args", "", "the arguments of -f as a `JSON` array; - reads standard input")
		modeName := fs.String("mode", "reverse", "`reverse` or forward differentiation")
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
			p, ok := load(e, "grad", pos[0])
			if !ok {
				return exitUser
			}
			if *name == "" {
				return gradExamples(ctx, e, p, mode)
			}
			return gradOne(ctx, e, p, *name, *args, mode)
		}
	},
}

func gradExamples(ctx context.Context, e *env, p *rose.Program, mode rose.Mode) int {
	return eachExample(ctx, e, p, "differentiate", func(ex *rose.Example) (string, error) {
		return ex.GradientText(ctx, mode)
	})
}

func gradOne(ctx context.Context, e *env, p *rose.Program, name, argText string, mode rose.Mode) int {
	f, args, code := funcAndArgs(e, "grad", p, name, argText)
	if code != exitOK {
		return code
	}
	params := f.Params()
	g, err := f.GradMode(ctx, args, nil, mode)
	if err != nil {
		fmt.Fprintf(e.stderr, "rose grad: %v\n", err)
		return exitUser
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, `{"value": %s, "grad": [`, eval.EncodeJSON(g.Value, f.IR.Result()))
	for i, d := range g.Grad {
		if i > 0 {
			out.WriteString(", ")
		}
		if d == nil {
			out.WriteString("null")
		} else {
			out.Write(eval.EncodeJSON(*d, ad.Tangent(params[i])))
		}
	}
	out.WriteString("]}\n")
	e.stdout.Write(out.Bytes())
	return exitOK
}

// readArgs returns the JSON argument text: inline, from stdin for "-", or
// "[]" when absent.
func readArgs(e *env, cmd, argText string) ([]byte, int) {
	switch argText {
	case "-":
		data, err := io.ReadAll(io.LimitReader(e.stdin, 1<<30))
		if err != nil {
			fmt.Fprintf(e.stderr, "rose %s: reading arguments: %v\n", cmd, err)
			return nil, exitUser
		}
		return bytes.TrimSpace(data), exitOK
	case "":
		return []byte("[]"), exitOK
	}
	return bytes.TrimSpace([]byte(argText)), exitOK
}
