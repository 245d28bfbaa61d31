package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"sort"
	"time"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/ad"
	"github.com/rose-go/rose/ir"
)

var benchCmd = &command{
	name:    "bench",
	usage:   "[--json] [--samples N] FILE [-f NAME --args JSON [--wrt a,b]]",
	summary: "time every example, with and without its gradient",
	help: `
Bench times each 'example' of FILE on the engine chosen (--engine): the
value alone, and the value with its derivative in reverse mode: the
gradient for a Real result, and for any other result one reverse sweep
with the cotangent 1 in each of its Reals (one vector-Jacobian product).
Each figure is the median over --samples samples of the time per call; a
sample repeats the call until at least 20 ms have passed. Under the
default --engine auto, a large function that runs through its code about
once per call (over 4,096 instructions, no loops to speak of) is timed on
the evaluator, as auto runs it (docs/engines.md); --engine compiled times
its compiled code.

	rose bench examples/billiards.rose
	rose bench --json examples/billiards.rose

With --json it prints [{"example": "...", "value_ns": N, "grad_ns": N}, ...],
grad_ns being null for examples with nothing to differentiate (no Real
among the parameters or in the result).

With -f NAME and --args JSON (the shapes of 'rose run'; - reads standard
input, @FILE the file FILE) it times instead the one call NAME(args), so
data need not be pasted into the source; the output has the same shape,
with "example" the function's name. NAME may be a derivative expression such
as 'grad(f)'. --wrt a,b times the gradient by those parameters only.

	rose bench -f rosenbrock --args @point.json --json examples/rosenbrock.rose
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
		asJSON := fs.Bool("json", false, "print the figures as JSON")
		samples := fs.Int("samples", 5, "`N` samples per figure")
		name := fs.String("f", "", "time the function `NAME` at --args instead of the examples")
		args := fs.String("args", "", "the arguments of -f as a `JSON` array; - reads standard input, @FILE the file FILE")
		wrtText := fs.String("wrt", "", "time the gradient by the parameters `NAMES` only (comma-separated; needs -f)")
		eng := addEngine(fs)
		return func(ctx context.Context, e *env, pos []string) int {
			if len(pos) != 1 {
				return usage(e, "bench", "expects exactly one FILE")
			}
			if *samples < 1 {
				return usage(e, "bench", "--samples must be at least 1")
			}
			if *args != "" && *name == "" {
				return usage(e, "bench", "--args needs -f NAME")
			}
			wrt, code := wrtNames(e, "bench", *wrtText, *name)
			if code != exitOK {
				return code
			}
			p, ok := load(e, "bench", pos[0])
			if !ok {
				return exitUser
			}
			p.Engine = eng.e
			if *name != "" {
				return benchOne(ctx, e, p, *name, *args, wrt, *samples, *asJSON)
			}
			return bench(ctx, e, p, *samples, *asJSON)
		}
	},
}

type benchRow struct {
	Example string `json:"example"`
	ValueNs int64  `json:"value_ns"`
	GradNs  *int64 `json:"grad_ns"`
}

func bench(ctx context.Context, e *env, p *rose.Program, samples int, asJSON bool) int {
	exs, err := p.Examples(ctx)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUser
	}
	rows := []benchRow{}
	for _, ex := range exs {
		if ex.Err != nil {
			fmt.Fprintln(e.stderr, ex.Err)
			return exitUser
		}
		value, err := median(samples, func() error { _, err := ex.Func.Call(ctx, ex.Args, nil); return err })
		if err != nil {
			fmt.Fprintln(e.stderr, err)
			return exitUser
		}
		row := benchRow{Example: ex.Text, ValueNs: value}
		if differentiable(ex.Func) {
			grad, err := median(samples, func() error { _, err := ex.Func.VJP(ctx, ex.Args, nil, nil); return err })
			if err != nil {
				fmt.Fprintln(e.stderr, err)
				return exitUser
			}
			row.GradNs = &grad
		}
		rows = append(rows, row)
		if !asJSON {
			printRow(e, row)
		}
	}
	if asJSON {
		printRows(e, rows)
	}
	return exitOK
}

// differentiable reports whether f has a reverse-mode derivative to time:
// Reals among its parameters and in its result.
func differentiable(f *rose.Func) bool {
	if ad.Tangent(f.IR.Result()).Slots() == 0 {
		return false
	}
	for _, t := range f.Params() {
		if ad.Tangent(t).Slots() > 0 {
			return true
		}
	}
	return false
}

func printRow(e *env, row benchRow) {
	fmt.Fprintf(e.stdout, "%s\n\tvalue %s", row.Example, showNs(row.ValueNs))
	if row.GradNs != nil {
		fmt.Fprintf(e.stdout, "\tvalue+derivative %s\tratio %.2f", showNs(*row.GradNs), float64(*row.GradNs)/float64(row.ValueNs))
	}
	fmt.Fprintln(e.stdout)
}

func printRows(e *env, rows []benchRow) {
	out, _ := json.MarshalIndent(rows, "", "  ")
	fmt.Fprintf(e.stdout, "%s\n", out)
}

// benchOne times the call of -f at --args, and its gradient (by --wrt)
// when the result is a Real.
func benchOne(ctx context.Context, e *env, p *rose.Program, name, argText string, wrtNames []string, samples int, asJSON bool) int {
	f, args, code := funcAndArgs(e, "bench", p, name, argText)
	if code != exitOK {
		return code
	}
	wrt, err := f.ParamIndex(wrtNames)
	if err != nil {
		fmt.Fprintf(e.stderr, "rose bench: --wrt: %v\n", err)
		return exitUsage
	}
	value, err := median(samples, func() error { _, err := f.Call(ctx, args, nil); return err })
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUser
	}
	row := benchRow{Example: name, ValueNs: value}
	if f.IR.Result().Kind == ir.KReal {
		grad, err := median(samples, func() error { _, err := f.GradWrt(ctx, args, nil, rose.Reverse, wrt); return err })
		if err != nil {
			fmt.Fprintln(e.stderr, err)
			return exitUser
		}
		row.GradNs = &grad
	} else if wrt != nil {
		fmt.Fprintf(e.stderr, "rose bench: --wrt: %s returns %s, which has no gradient\n", name, f.IR.Result())
		return exitUser
	}
	if asJSON {
		printRows(e, []benchRow{row})
	} else {
		printRow(e, row)
	}
	return exitOK
}

// median returns the median time per call of f over n samples of at least
// 20 ms each (one call if a call takes longer).
func median(n int, f func() error) (int64, error) {
	if err := f(); err != nil { // warm up: compile derivatives, fill pools
		return 0, err
	}
	per := make([]int64, n)
	for s := range per {
		calls := 0
		start := time.Now()
		for calls == 0 || time.Since(start) < 20*time.Millisecond {
			if err := f(); err != nil {
				return 0, err
			}
			calls++
		}
		per[s] = time.Since(start).Nanoseconds() / int64(calls)
	}
	sort.Slice(per, func(i, j int) bool { return per[i] < per[j] })
	return per[n/2], nil
}

func showNs(ns int64) string {
	d := time.Duration(ns)
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.3gs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.3gms", float64(d)/float64(time.Millisecond))
	case d >= time.Microsecond:
		return fmt.Sprintf("%.3gµs", float64(d)/float64(time.Microsecond))
	}
	return fmt.Sprintf("%dns", ns)
}
