package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/pmezard/go-difflib/difflib"
	"github.com/rose-go/rose"
	"github.com/rose-go/rose/diag"
	"github.com/rose-go/rose/format"
	"github.com/rose-go/rose/value"
)

func roseVersion() string { return rose.Version }

// load reads and checks one file, printing diagnostics. ok is false when
// the command must stop with exit code 1.
func load(e *env, cmd, path string) (*rose.Program, bool) {
	src, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(e.stderr, "rose %s: %v\n", cmd, unwrapPathError(err))
		return nil, false
	}
	p := rose.Load(path, src)
	if len(p.Diags) > 0 {
		printDiags(e.stderr, p)
		return p, false
	}
	return p, true
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("cannot read %s: %v", pe.Path, pe.Err)
	}
	return err
}

func printDiags(w io.Writer, p *rose.Program) {
	for _, d := range p.Diags {
		fmt.Fprintln(w, diag.Format(p.Fset, d))
	}
}

var runCmd = &command{
	name:    "run",
	usage:   "FILE [-f NAME --args JSON | -f NAME --batch FILE.jsonl] [--timeout D] [--max-steps N] [--max-memory SIZE]",
	summary: "evaluate a program's examples, or call one function",
	help: `
Run checks FILE and evaluates every 'example' declaration in it, printing one
line per example: the call as written, " = ", and its value.

With -f NAME, run instead calls the function NAME with the arguments given by
--args, a JSON array with one entry per parameter, and prints the result as
JSON. Reals are JSON numbers, Ints integers, Bools true/false, arrays [n]T and
tuples JSON arrays, structs JSON objects with one member per field. --args -
reads the JSON from standard input and --args @FILE from the file FILE. A
function without parameters needs no --args.

NAME may also be a derivative operator applied to the file's functions, as
the language writes it: 'grad(f)', 'jvp(f)', 'vjp(f)', 'grad(f, x, y)' (by
the parameters x and y only) and compositions such as 'grad(grad(f))' or
'jvp(grad(f))'. The arguments are those of the derivative: jvp(f) takes f's
parameters then one tangent per parameter and returns [value, tangent];
vjp(f) takes f's parameters then the result's cotangent; grad(f) takes f's
parameters.

With -f NAME --batch FILE.jsonl, run calls NAME once per line of the file,
each line a JSON argument list, on every core, and prints one JSON line
per input line in the same order: the result, or {"error": "line N: ..."}
(exit code 1 if any line failed). A generic function's sizes come from the
first line.

Budgets: --timeout stops the command after a duration, --max-steps stops a
call after that many steps (loop iterations and calls), and --max-memory
refuses, before allocating, a call whose values need more memory than that
(defaults: no timeout, 10000000000 steps, 1GiB). Each stops with an error
at a source position and exit code 1.

Reals print in the shortest form that reads back to the same float64, so
printed results can be compared exactly. NaN and infinities, which JSON
cannot represent, print as the strings "NaN", "+Inf" and "-Inf".

Examples:

	rose run examples/rosenbrock.rose
	rose run examples/rosenbrock.rose -f rosenbrock --args '[[1.5, 2.0, 0.5]]'
	rose run examples/rosenbrock.rose -f 'grad(rosenbrock)' --args @point.json
	rose run examples/rosenbrock.rose -f rosenbrock --batch points.jsonl
	echo '[[0.3, 0.1]]' | rose run examples/projectile.rose -f range --args -
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
		name := fs.String("f", "", "call the function `NAME` instead of running the examples")
		args := fs.String("args", "", "the arguments of -f as a `JSON` array; - reads standard input, @FILE the file FILE")
		batch := fs.String("batch", "", "call -f on each line of `FILE.jsonl` (one JSON argument list per line), in parallel")
		lim := addLimits(fs)
		eng := addEngine(fs)
		return func(ctx context.Context, e *env, pos []string) int {
			if len(pos) != 1 {
				return usage(e, "run", "expects exactly one FILE")
			}
			if (*args != "" || *batch != "") && *name == "" {
				return usage(e, "run", "--args and --batch need -f NAME")
			}
			if *args != "" && *batch != "" {
				return usage(e, "run", "--args and --batch exclude each other")
			}
			p, ok := load(e, "run", pos[0])
			if !ok {
				return exitUser
			}
			ctx, cancel := lim.context(ctx)
			defer cancel()
			p.Limits = lim.options()
			p.Engine = eng.e
			switch {
			case *name == "":
				return runExamples(ctx, e, p, lim)
			case *batch != "":
				return runBatch(ctx, e, p, *name, *batch, lim)
			}
			return callOne(ctx, e, p, *name, *args, lim)
		}
	},
}

func usage(e *env, cmd, msg string) int {
	c := lookup(cmd)
	fmt.Fprintf(e.stderr, "rose %s: %s\nusage: rose %s %s\n", cmd, msg, cmd, c.usage)
	return exitUsage
}

func runExamples(ctx context.Context, e *env, p *rose.Program, lim *limits) int {
	return eachExample(ctx, e, p, "run", lim, func(ex *rose.Example) (string, error) {
		text, err := ex.ValueText(ctx, lim.options())
		return text + "\n", err
	})
}

// eachExample prints render's text for every example of p, or "= error"
// with the error on stderr; it exits 1 if an example fails or there are
// none. A budget's error gets a hint naming its flag.
func eachExample(ctx context.Context, e *env, p *rose.Program, verb string, lim *limits, render func(*rose.Example) (string, error)) int {
	exs, err := p.Examples(ctx)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUser
	}
	if len(exs) == 0 {
		fmt.Fprintf(e.stderr, "%s: nothing to %s: the file has no examples (add a line like: example f(1.0), or call a function with -f NAME)\n", p.File.Name, verb)
		return exitUser
	}
	code := exitOK
	for _, ex := range exs {
		out, err := "", ex.Err
		if err == nil {
			out, err = render(ex)
		}
		if err != nil {
			fmt.Fprintf(e.stdout, "%s = error\n", ex.Text)
			fmt.Fprintf(e.stderr, "%v%s\n", err, lim.explain(err))
			code = exitUser
			continue
		}
		fmt.Fprint(e.stdout, out)
	}
	return code
}

// funcAndArgs looks up the function of -f and decodes the arguments of
// --args for it, reporting problems as command cmd; code is exitOK when f
// can be called.
func funcAndArgs(e *env, cmd string, p *rose.Program, name, argText string) (f *rose.Func, args []value.Value, code int) {
	data, code := readArgs(e, cmd, argText)
	if code != exitOK {
		return nil, nil, code
	}
	f, err := p.FuncExpr(name, data)
	if err != nil {
		fmt.Fprintf(e.stderr, "rose %s: %v\n", cmd, err)
		return nil, nil, exitUser
	}
	params := f.Params()
	if argText == "" && len(params) > 0 {
		fmt.Fprintf(e.stderr, "rose %s: %s takes %d arguments; pass them with --args JSON\n", cmd, name, len(params))
		return nil, nil, exitUsage
	}
	args, err = value.DecodeArgs(params, data)
	if err != nil {
		fmt.Fprintf(e.stderr, "rose %s: %s: %v\n", cmd, name, err)
		return nil, nil, exitUser
	}
	return f, args, exitOK
}

func callOne(ctx context.Context, e *env, p *rose.Program, name, argText string, lim *limits) int {
	f, args, code := funcAndArgs(e, "run", p, name, argText)
	if code != exitOK {
		return code
	}
	v, err := f.Call(ctx, args, lim.options())
	if err != nil {
		fmt.Fprintf(e.stderr, "%v%s\n", err, lim.explain(err))
		return exitUser
	}
	fmt.Fprintf(e.stdout, "%s\n", value.EncodeJSON(v, f.IR.Result()))
	return exitOK
}

var checkCmd = &command{
	name:    "check",
	usage:   "[--json] FILE...",
	summary: "report syntax and type errors",
	help: `
Check parses and type-checks each FILE and prints every problem as

	file:line:col: error[code]: message

followed by indented related positions (such as where a name was declared).
It exits with 1 if there is any error. Columns count bytes, as in Go tools.

With --json it prints one JSON array of objects with the fields file, line,
col, end_line, end_col, code, message and related, for editors and scripts.
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
		asJSON := fs.Bool("json", false, "print diagnostics as a JSON array")
		return func(_ context.Context, e *env, files []string) int {
			if len(files) == 0 {
				return usage(e, "check", "expects at least one FILE")
			}
			code := exitOK
			all := []jsonDiag{}
			for _, path := range files {
				src, err := os.ReadFile(path)
				if err != nil {
					fmt.Fprintf(e.stderr, "rose check: %v\n", unwrapPathError(err))
					code = exitUser
					continue
				}
				p := rose.Load(path, src)
				if len(p.Diags) > 0 {
					code = exitUser
				}
				if *asJSON {
					all = append(all, toJSON(p)...)
				} else {
					printDiags(e.stdout, p)
				}
			}
			if *asJSON {
				out, _ := json.MarshalIndent(all, "", "  ")
				fmt.Fprintf(e.stdout, "%s\n", out)
			}
			return code
		}
	},
}

type jsonDiag struct {
	File    string        `json:"file"`
	Line    int           `json:"line"`
	Col     int           `json:"col"`
	EndLine int           `json:"end_line"`
	EndCol  int           `json:"end_col"`
	Code    string        `json:"code"`
	Message string        `json:"message"`
	Related []jsonRelated `json:"related,omitempty"`
}

type jsonRelated struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Message string `json:"message"`
}

func toJSON(p *rose.Program) []jsonDiag {
	var out []jsonDiag
	for _, d := range p.Diags {
		start, end := p.Fset.Position(d.Pos), p.Fset.Position(d.End)
		if !d.End.IsValid() {
			end = start
		}
		j := jsonDiag{File: start.Filename, Line: start.Line, Col: start.Column, EndLine: end.Line, EndCol: end.Column, Code: d.Code, Message: d.Msg}
		for _, r := range d.Related {
			rp := p.Fset.Position(r.Pos)
			j.Related = append(j.Related, jsonRelated{File: rp.Filename, Line: rp.Line, Col: rp.Column, Message: r.Msg})
		}
		out = append(out, j)
	}
	return out
}

var irCmd = &command{
	name:    "ir",
	usage:   "[--grad NAME | --jvp NAME | --vjp NAME] FILE",
	summary: "print the intermediate representation",
	help: `
IR prints the lowered form of FILE: every non-generic function and every
instance of a generic function that an example uses, callees first. Each
function is in A-normal form: one operation per line, loops and conditionals
as nested blocks.

With --grad NAME (or --jvp, --vjp) it prints instead the derivative of the
function NAME and every function that derivative calls, callees first: the
IR that rose grad runs.
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
		kinds := map[string]*string{}
		for _, k := range []string{"grad", "jvp", "vjp"} {
			kinds[k] = fs.String(k, "", "print the "+k+" of the function `NAME`")
		}
		return func(_ context.Context, e *env, pos []string) int {
			if len(pos) != 1 {
				return usage(e, "ir", "expects exactly one FILE")
			}
			kind, name := "", ""
			for k, v := range kinds {
				if *v != "" {
					if kind != "" {
						return usage(e, "ir", "--grad, --jvp and --vjp exclude each other")
					}
					kind, name = k, *v
				}
			}
			p, ok := load(e, "ir", pos[0])
			if !ok {
				return exitUser
			}
			if kind != "" {
				d, err := p.Derivative(kind, name)
				if err != nil {
					fmt.Fprintf(e.stderr, "rose ir: %v\n", err)
					return exitUser
				}
				fmt.Fprint(e.stdout, d.String())
				return exitOK
			}
			prog, err := p.IR()
			if err != nil {
				fmt.Fprintf(e.stderr, "rose ir: %v\n", err)
				return exitUser
			}
			fmt.Fprint(e.stdout, prog.String())
			return exitOK
		}
	},
}

var fmtCmd = &command{
	name:    "fmt",
	usage:   "[-w | -d | -l] FILE...",
	summary: "format source files in the canonical layout",
	help: `
Fmt prints each FILE in Rose's one canonical layout. Formatting is
idempotent and keeps every comment. A file with syntax errors is reported
and left alone (exit code 1).

	-w  rewrite the files in place instead of printing them
	-d  print a diff of the changes instead of the result
	-l  list the files whose formatting differs
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
		write := fs.Bool("w", false, "write the result back to each file")
		diff := fs.Bool("d", false, "print a diff instead of the result")
		list := fs.Bool("l", false, "list files whose formatting differs")
		return func(_ context.Context, e *env, files []string) int {
			if len(files) == 0 {
				return usage(e, "fmt", "expects at least one FILE")
			}
			n := 0
			for _, b := range []bool{*write, *diff, *list} {
				if b {
					n++
				}
			}
			if n > 1 {
				return usage(e, "fmt", "-w, -d and -l exclude each other")
			}
			code := exitOK
			for _, path := range files {
				if !fmtFile(e, path, *write, *diff, *list) {
					code = exitUser
				}
			}
			return code
		}
	},
}

func fmtFile(e *env, path string, write, diff, list bool) bool {
	src, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(e.stderr, "rose fmt: %v\n", unwrapPathError(err))
		return false
	}
	out, err := format.Source(path, src)
	if err != nil {
		var de *diag.Error
		if !errors.As(err, &de) {
			fmt.Fprintf(e.stderr, "rose fmt: %v\n", err)
			return false
		}
		for _, d := range de.Diags {
			fmt.Fprintln(e.stderr, diag.Format(de.Fset, d))
		}
		return false
	}
	same := bytes.Equal(src, out)
	switch {
	case list:
		if !same {
			fmt.Fprintln(e.stdout, path)
		}
	case diff:
		if !same {
			fmt.Fprint(e.stdout, unifiedDiff(path, string(src), string(out)))
		}
	case write:
		if !same {
			info, err := os.Stat(path)
			if err != nil {
				fmt.Fprintf(e.stderr, "rose fmt: %v\n", err)
				return false
			}
			if err := os.WriteFile(path, out, info.Mode().Perm()); err != nil {
				fmt.Fprintf(e.stderr, "rose fmt: %v\n", err)
				return false
			}
		}
	default:
		e.stdout.Write(out)
	}
	return true
}

func unifiedDiff(path, a, b string) string {
	d, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(a), B: difflib.SplitLines(b),
		FromFile: path + ".orig", ToFile: path, Context: 3,
	})
	if err != nil {
		return err.Error() + "\n"
	}
	return d
}
