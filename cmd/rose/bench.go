package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"sort"
	"time"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/ir"
)

var benchCmd = &command{
	name:    "bench",
	usage:   "[--json] [--samples N] FILE",
	summary: "time every example, with and without its gradient",
	help: `
Bench times each 'example' of FILE in the reference evaluator: the value
alone, and (for examples with a Real result) the value with its gradient in
reverse mode. Each figure is the median over --samples samples of the time
per call; a sample repeats the call until at least 20 ms have passed.

	rose bench examples/billiards.rose
	rose bench --json examples/billiards.rose

With --json it prints [{"example": "...", "value_ns": N, "grad_ns": N}, ...],
grad_ns being null for examples without a Real result.
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
		asJSON := fs.Bool("json", false, "print the figures as JSON")
		samples := fs.Int("samples", 5, "`N` samples per figure")
		return func(ctx context.Context, e *env, pos []string) int {
			if len(pos) != 1 {
				return usage(e, "bench", "expects exactly one FILE")
			}
			if *samples < 1 {
				return usage(e, "bench", "--samples must be at least 1")
			}
			p, ok := load(e, "bench", pos[0])
			if !ok {
				return exitUser
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
		if ex.Func.IR.Result().Kind == ir.KReal {
			grad, err := median(samples, func() error { _, err := ex.Func.Grad(ctx, ex.Args, nil); return err })
			if err != nil {
				fmt.Fprintln(e.stderr, err)
				return exitUser
			}
			row.GradNs = &grad
		}
		rows = append(rows, row)
		if !asJSON {
			fmt.Fprintf(e.stdout, "%s\n\tvalue %s", row.Example, showNs(row.ValueNs))
			if row.GradNs != nil {
				fmt.Fprintf(e.stdout, "\tvalue+grad %s\tratio %.2f", showNs(*row.GradNs), float64(*row.GradNs)/float64(row.ValueNs))
			}
			fmt.Fprintln(e.stdout)
		}
	}
	if asJSON {
		out, _ := json.MarshalIndent(rows, "", "  ")
		fmt.Fprintf(e.stdout, "%s\n", out)
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
