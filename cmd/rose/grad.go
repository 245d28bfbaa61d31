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
	usage:   "FILE [-f NAME --args JSON]",
	summary: "evaluate examples with their gradients",
	help: `
Grad is run with derivatives: for every 'example' in FILE whose function
returns a Real, it prints the value and then one line per parameter with
the partial derivatives with respect to it, shaped like the parameter:

	loss([0.3, 0.0]) = 0.07728656000000217
	  d/dv0 = [0.2432, 0.0]

Parameters of type Int or Bool have no derivative and are left out; inside
arrays, tuples and structs, Int and Bool parts print as ().

With -f NAME and --args JSON (the same shapes as 'rose run'), grad prints
{"value": ..., "grad": [...]} with one gradient entry per parameter, null
for Int and Bool parameters.

Gradients are computed in forward mode, one Jacobian-vector product per
Real input: exact to rounding, with a cost that grows with the number of
inputs. Reverse mode is being built.
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
		name := fs.String("f", "", "differentiate the function `NAME` instead of the examples")
		args := fs.String("args", "", "the arguments of -f as a `JSON` array; - reads standard input")
		return func(ctx context.Context, e *env, pos []string) int {
			if len(pos) != 1 {
				return usage(e, "grad", "expects exactly one FILE")
			}
			if *args != "" && *name == "" {
				return usage(e, "grad", "--args needs -f NAME")
			}
			p, ok := load(e, "grad", pos[0])
			if !ok {
				return exitUser
			}
			if *name == "" {
				return gradExamples(ctx, e, p)
			}
			return gradOne(ctx, e, p, *name, *args)
		}
	},
}

func gradExamples(ctx context.Context, e *env, p *rose.Program) int {
	exs, err := p.Examples(ctx)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUser
	}
	if len(exs) == 0 {
		fmt.Fprintf(e.stderr, "%s: nothing to differentiate: the file has no examples\n", p.File.Name)
		return exitUser
	}
	code := exitOK
	for _, ex := range exs {
		if ex.Err != nil {
			fmt.Fprintf(e.stdout, "%s = error\n", ex.Text)
			fmt.Fprintln(e.stderr, ex.Err)
			code = exitUser
			continue
		}
		g, err := ex.Func.Grad(ctx, ex.Args, nil)
		if err != nil {
			fmt.Fprintf(e.stdout, "%s = error\n", ex.Text)
			fmt.Fprintf(e.stderr, "%s: %v\n", ex.Pos, err)
			code = exitUser
			continue
		}
		fmt.Fprintf(e.stdout, "%s = %s\n", ex.Text, eval.Format(g.Value, ex.Func.IR.Result()))
		params := ex.Func.Params()
		for i, d := range g.Grad {
			if d != nil {
				fmt.Fprintf(e.stdout, "  d/d%s = %s\n", ex.Func.ParamNames[i], eval.Format(*d, ad.Tangent(params[i])))
			}
		}
	}
	return code
}

func gradOne(ctx context.Context, e *env, p *rose.Program, name, argText string) int {
	data, code := readArgs(e, "grad", argText)
	if code != exitOK {
		return code
	}
	f, err := p.Func(name, data)
	if err != nil {
		fmt.Fprintf(e.stderr, "rose grad: %v\n", err)
		return exitUser
	}
	params := f.Params()
	if argText == "" && len(params) > 0 {
		fmt.Fprintf(e.stderr, "rose grad: %s takes %d arguments; pass them with --args JSON\n", name, len(params))
		return exitUsage
	}
	args, err := eval.DecodeArgs(params, data)
	if err != nil {
		fmt.Fprintf(e.stderr, "rose grad: %s: %v\n", name, err)
		return exitUser
	}
	g, err := f.Grad(ctx, args, nil)
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
