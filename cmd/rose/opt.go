package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/opt"
	"github.com/rose-go/rose/value"
)

// exitInterrupted is the exit code of a run stopped by Ctrl-C (128 +
// SIGINT, as shells report it): the best point is still printed.
const exitInterrupted = 130

var optCmd = &command{
	name:    "opt",
	usage:   "FILE -f NAME [--args JSON] [--wrt a,b] [--method lbfgs|bfgs|cg|gd] [--step S | --clip L] [--max-iter N] [--trace FILE.jsonl] [flags]",
	summary: "minimize a function and print the optimized arguments",
	help: `
Opt minimizes the function NAME of FILE, whose result must be a Real, over
the Real inputs of its parameters (all of them, or those named by --wrt;
the others stay as given), and prints the optimized arguments on standard
output as JSON, in the form --args takes, so that they can be passed on:

	rose opt examples/billiards.rose -f loss --method cg --max-evals 100 > shot.json
	rose run examples/billiards.rose -f loss --args @shot.json
	rose plot draw examples/billiards.rose -f picture --args @shot.json -o shot.png

The start is --args (JSON, @FILE or - as for 'rose run'); without it, the
arguments of the first 'example' of NAME in FILE.

Methods (--method), all from gonum.org/v1/gonum/optimize, each step using
one reverse-mode sweep for the value and the gradient together:

	lbfgs  limited-memory BFGS (the default)
	bfgs   BFGS, a dense inverse Hessian: for a few hundred inputs at most
	cg     nonlinear conjugate gradient
	gd     gradient descent with a fixed step and no line search, as the
	       Rose paper's experiments: x -= S * gradient with --step S, or
	       steps of fixed length L with --clip L (x -= L / (|g| + 1e-6) * g)

The line search of lbfgs, bfgs and cg (--line-search) is bisection to the
strong Wolfe conditions (the default), morethuente (More and Thuente's,
fewer evaluations on smooth losses) or backtracking (halving until the
loss decreases enough, the cheapest where the loss has kinks). When it
gives up, the method restarts from the best point with its memory
cleared, as long as its last attempt made progress.

The run stops at the first of: the gradient's largest entry below
--grad-tol (default 1e-10; 0 or negative: never), the loss improving by
less than --f-tol relative over 20 iterations (default 1e-15, off for gd),
--max-iter iterations (default 1000), --max-evals evaluations,
--max-time (such as 30s). Iteration 0 is the start.

On a terminal, a progress line shows the iteration, the loss, the
gradient's norm, the evaluations and the time. --trace FILE writes one
JSON line per iteration ({"iter", "loss", "grad_norm", "evals",
"elapsed"} in seconds), and a last line with "done": true and the
status, for 'rose plot trace'. A summary goes to standard error.

Ctrl-C stops the run at once and prints the best point so far (exit code
130). An objective that becomes NaN or infinite stops the run with the
last good point and says where the NaN came from (exit code 1), as do
runtime errors. Exit code 0 means the run stopped by one of its rules.

The budgets --max-steps and --max-memory apply to each evaluation;
--timeout to the whole run (then as Ctrl-C, but exit code 1).
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
		name := fs.String("f", "", "minimize the function `NAME` (required)")
		args := fs.String("args", "", "the starting arguments as a `JSON` array; - reads standard input, @FILE the file FILE (default: NAME's first example)")
		wrtText := fs.String("wrt", "", "optimize the parameters `NAMES` only (comma-separated)")
		method := fs.String("method", opt.LBFGS, "the `METHOD`: lbfgs, bfgs, cg or gd")
		search := fs.String("line-search", opt.Bisection, "the line search of lbfgs, bfgs and cg: `NAME`, bisection, morethuente or backtracking")
		step := fs.Float64("step", 0, "gradient descent's fixed step `S` (learning rate)")
		clip := fs.Float64("clip", 0, "gradient descent with every step of length `L`")
		gradTol := fs.Float64("grad-tol", opt.DefaultGradTol, "stop when every gradient entry is below `G` in magnitude")
		fTol := fs.Float64("f-tol", 0, "stop when the loss improves by less than `R` (relative) over 20 iterations; default 1e-15, off for gd")
		maxIter := fs.Int("max-iter", opt.DefaultMaxIter, "stop after `N` iterations")
		maxEvals := fs.Int("max-evals", 0, "stop after `N` evaluations (0: no limit)")
		maxTime := fs.Duration("max-time", 0, "stop after `DURATION` (0: no limit)")
		trace := fs.String("trace", "", "write one JSON line per iteration to `FILE`")
		lim := addLimits(fs)
		eng := addEngine(fs)
		return func(ctx context.Context, e *env, pos []string) int {
			if len(pos) != 1 {
				return usage(e, "opt", "expects exactly one FILE")
			}
			if *name == "" {
				return usage(e, "opt", "needs -f NAME, the function to minimize")
			}
			if *maxIter <= 0 {
				return usage(e, "opt", fmt.Sprintf("--max-iter must be positive, not %d", *maxIter))
			}
			s := opt.Settings{
				Method: *method, LineSearch: *search, Step: *step, Clip: *clip, GradTol: *gradTol, FTol: *fTol,
				MaxIter: *maxIter, MaxEvals: *maxEvals, MaxTime: *maxTime,
			}
			if *gradTol == 0 {
				s.GradTol = -1 // 0 on the command line means never
			}
			if err := s.Check(); err != nil {
				return usage(e, "opt", err.Error())
			}
			wrtNames, code := wrtNames(e, "opt", *wrtText, *name)
			if code != exitOK {
				return code
			}
			p, ok := load(e, "opt", pos[0])
			if !ok {
				return exitUser
			}
			p.Engine = eng.e
			ctx, cancel := lim.context(ctx)
			defer cancel()
			r := &optRun{e: e, cmd: "opt", lim: lim}
			return r.run(ctx, p, *name, *args, wrtNames, s, *trace)
		}
	},
}

// optRun is one `rose opt`.
type optRun struct {
	e   *env
	cmd string
	lim *limits

	progress bool // a progress line on standard error, a terminal
	shown    time.Time
	last     opt.Iter      // the last iterate shown, without its slices
	trace    *bytes.Buffer // the trace's lines, flushed to the file as they come
	traceOut io.Writer
}

func (r *optRun) run(ctx context.Context, p *rose.Program, name, argText string, wrtNames []string, s opt.Settings, tracePath string) int {
	e := r.e
	f, args, code := r.start(ctx, p, name, argText)
	if code != exitOK {
		return code
	}
	wrt, err := f.ParamIndex(wrtNames)
	if err != nil {
		fmt.Fprintf(e.stderr, "rose opt: --wrt: %v\n", err)
		return exitUser
	}
	if len(wrtNames) == 0 {
		wrt = nil
	}
	o, err := f.Objective(ctx, args, wrt, r.lim.options())
	if err != nil {
		fmt.Fprintf(e.stderr, "rose opt: %v\n", err)
		return exitUser
	}
	defer o.Close()
	if tracePath != "" {
		tf, err := os.Create(tracePath)
		if err != nil {
			fmt.Fprintf(e.stderr, "rose opt: --trace: %v\n", unwrapPathError(err))
			return exitUser
		}
		defer tf.Close()
		r.traceOut, r.trace = tf, &bytes.Buffer{}
	}
	r.progress = isTerminal(e.stderr)
	s.Record = r.record
	res := opt.Minimize(ctx, o, nil, s)
	if r.progress {
		r.showProgress(nil, true)
	}
	final, err := o.Args(res.X)
	if err != nil {
		fmt.Fprintf(e.stderr, "rose opt: %v\n", err)
		return exitUser
	}
	r.writeTrace(res)
	// The point first, so that nothing is lost whatever happened.
	var out bytes.Buffer
	out.WriteByte('[')
	for i, a := range final {
		if i > 0 {
			out.WriteString(", ")
		}
		out.Write(value.EncodeJSON(a, f.Params()[i]))
	}
	out.WriteString("]\n")
	e.stdout.Write(out.Bytes())
	return r.report(p, res)
}

// start resolves the function and the starting arguments: --args, or
// the function's first example.
func (r *optRun) start(ctx context.Context, p *rose.Program, name, argText string) (*rose.Func, []value.Value, int) {
	e := r.e
	if argText != "" {
		f, args, code := funcAndArgs(e, r.cmd, p, name, argText)
		return f, args, code
	}
	ex, err := p.ExampleOf(ctx, name)
	if err != nil {
		fmt.Fprintf(e.stderr, "rose %s: %v\n", r.cmd, err)
		return nil, nil, exitUser
	}
	if ex != nil {
		if ex.Err != nil {
			fmt.Fprintf(e.stderr, "rose %s: the start, example %s: %v\n", r.cmd, ex.Text, ex.Err)
			return nil, nil, exitUser
		}
		return ex.Func, ex.Args, exitOK
	}
	f, err := p.FuncExpr(name, nil)
	if err != nil {
		fmt.Fprintf(e.stderr, "rose %s: %v\n", r.cmd, err)
		return nil, nil, exitUser
	}
	if len(f.Params()) > 0 {
		fmt.Fprintf(e.stderr, "rose %s: %s has no example in %s to start from; give the start with --args JSON\n", r.cmd, name, p.File.Name)
		return nil, nil, exitUsage
	}
	return f, nil, exitOK
}

// record is the optimizer's callback: the trace line and the progress.
func (r *optRun) record(it *opt.Iter) error {
	if r.trace != nil {
		r.trace.Reset()
		fmt.Fprintf(r.trace, `{"iter": %d, "loss": %s, "grad_norm": %s, "evals": %d, "elapsed": %s}`+"\n",
			it.Iter, jsonNum(it.Loss), jsonNum(it.GradNorm), it.Evals, jsonNum(it.Elapsed.Seconds()))
		if _, err := r.traceOut.Write(r.trace.Bytes()); err != nil {
			return fmt.Errorf("--trace: %v", err)
		}
	}
	if r.progress {
		r.showProgress(it, false)
	}
	return nil
}

// writeTrace ends the trace with the run's status.
func (r *optRun) writeTrace(res *opt.Result) {
	if r.trace == nil {
		return
	}
	r.trace.Reset()
	fmt.Fprintf(r.trace, `{"done": true, "status": %q, "iter": %d, "loss": %s, "grad_norm": %s, "evals": %d, "elapsed": %s}`+"\n",
		res.Status, res.Iters, jsonNum(res.Loss), jsonNum(res.GradNorm), res.Evals, jsonNum(res.Elapsed.Seconds()))
	r.traceOut.Write(r.trace.Bytes())
}

// jsonNum writes a Real as value.EncodeJSON does (NaN and infinities as
// the strings it uses for them, which rose plot trace reads).
func jsonNum(x float64) []byte { return value.EncodeJSON(value.Real(x), ir.Real) }

// showProgress redraws the progress line, at most ten times a second
// unless final.
func (r *optRun) showProgress(it *opt.Iter, final bool) {
	if it != nil {
		r.last = opt.Iter{Iter: it.Iter, Loss: it.Loss, GradNorm: it.GradNorm, Evals: it.Evals, Elapsed: it.Elapsed}
	}
	now := time.Now()
	if !final && now.Sub(r.shown) < 100*time.Millisecond {
		return
	}
	r.shown = now
	l := r.last
	fmt.Fprintf(r.e.stderr, "\r\x1b[Kiter %d  loss %.6g  |grad| %.3g  evals %d  %s", l.Iter, l.Loss, l.GradNorm, l.Evals, roundDuration(l.Elapsed))
	if final {
		fmt.Fprintln(r.e.stderr)
	}
}

// report prints the summary and gives the exit code.
func (r *optRun) report(p *rose.Program, res *opt.Result) int {
	e := r.e
	summary := fmt.Sprintf("%d iterations, %d evaluations, loss %v, |grad| %.3g, %s",
		res.Iters, res.Evals, res.Loss, res.GradNorm, roundDuration(res.Elapsed))
	var nf *opt.NonFiniteError
	switch {
	case res.Err == nil:
		fmt.Fprintf(e.stderr, "rose opt: %s after %s\n", res.Status, summary)
		return exitOK
	case errors.Is(res.Err, context.Canceled):
		fmt.Fprintf(e.stderr, "rose opt: interrupted; the best point so far is printed: %s\n", summary)
		return exitInterrupted
	case errors.As(res.Err, &nf):
		fmt.Fprintf(e.stderr, "rose opt: %v\n", nf)
		if nf.Where != nil {
			fmt.Fprintf(e.stderr, "\t%s: %s (in %s)\n", p.Fset.Position(nf.Where.Pos), nf.Where.Msg, nf.Where.Func)
		}
		fmt.Fprintf(e.stderr, "rose opt: stopped; the last good point is printed: %s\n", summary)
		return exitUser
	}
	fmt.Fprintf(e.stderr, "rose opt: %v%s\nrose opt: stopped; the best point so far is printed: %s\n", res.Err, r.lim.explain(res.Err), summary)
	return exitUser
}

// roundDuration keeps three or four significant digits of d.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond)
	case d < time.Second:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Millisecond)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
