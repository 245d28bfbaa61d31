package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/value"
)

// The defaults of the budgets: generous enough for any real workload
// (10^10 steps take minutes), they turn a runaway loop or allocation into
// an error with a position instead of a hang or a crash.
const (
	defaultMaxMemory = 1 << 30 // per call
	defaultMaxSteps  = 1e10    // per call
)

// limits are the budgets of a command that runs Rose code: --timeout,
// --max-steps and --max-memory.
type limits struct {
	timeout  time.Duration
	maxSteps int64
	memory   byteSize
}

// addLimits declares the budget flags on fs.
func addLimits(fs *flag.FlagSet) *limits {
	l := &limits{memory: defaultMaxMemory, maxSteps: defaultMaxSteps}
	fs.DurationVar(&l.timeout, "timeout", 0, "stop after `DURATION` (such as 10s or 2m); 0 means no limit")
	fs.Int64Var(&l.maxSteps, "max-steps", defaultMaxSteps, "stop a call after `N` steps (loop iterations and calls); 0 means no limit")
	fs.Var(&l.memory, "max-memory", "refuse a call that needs more than `SIZE` of memory (bytes, or with KiB, MiB, GiB, KB, MB, GB); 0 means no limit")
	return l
}

// options are the evaluator options of the budgets.
func (l *limits) options() *eval.Options {
	if l == nil {
		return nil
	}
	return &eval.Options{MaxSteps: l.maxSteps, MaxMemory: int64(l.memory)}
}

// context applies --timeout to ctx.
func (l *limits) context(ctx context.Context) (context.Context, context.CancelFunc) {
	if l.timeout > 0 {
		return context.WithTimeout(ctx, l.timeout)
	}
	return context.WithCancel(ctx)
}

// explain adds a hint naming the flag behind an error caused by a budget.
func (l *limits) explain(err error) string {
	if l == nil {
		return ""
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("\n\t(stopped by --timeout %v)", l.timeout)
	case errors.Is(err, value.ErrStepBudget):
		return "\n\t(raise --max-steps to allow more)"
	case errors.Is(err, value.ErrMemoryBudget):
		return "\n\t(raise --max-memory to allow more)"
	}
	return ""
}

// byteSize is a flag value for a number of bytes with an optional unit.
type byteSize int64

func (b *byteSize) String() string {
	if b == nil {
		return "0"
	}
	n := int64(*b)
	for _, u := range []struct {
		name string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10)
}

func (b *byteSize) Set(s string) error {
	units := []struct {
		name string
		size int64
	}{
		{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", 1 << 40}, {"B", 1},
	}
	num, mult := strings.TrimSpace(s), int64(1)
	for _, u := range units {
		if strings.HasSuffix(strings.ToUpper(num), strings.ToUpper(u.name)) {
			num, mult = strings.TrimSpace(num[:len(num)-len(u.name)]), u.size
			break
		}
	}
	x, err := strconv.ParseFloat(num, 64)
	if err != nil || x < 0 || x*float64(mult) > 1<<62 {
		return fmt.Errorf("want a size such as 512MiB or 2GB, not %q", s)
	}
	*b = byteSize(x * float64(mult))
	return nil
}

// engineFlag is --engine: what runs the program (see rose.Engine).
type engineFlag struct{ e rose.Engine }

func (f *engineFlag) String() string { return f.e.String() }

func (f *engineFlag) Set(s string) error {
	e, err := rose.ParseEngine(s)
	if err != nil {
		return err
	}
	f.e = e
	return nil
}

// addEngine declares --engine on fs.
func addEngine(fs *flag.FlagSet) *engineFlag {
	f := &engineFlag{}
	fs.Var(f, "engine", "run with `ENGINE`: compiled (WebAssembly through wazero), eval (the reference evaluator) or auto (the default: compiled where wazero compiles natively, except functions of thousands of branches)")
	return f
}
