package main

import (
	"context"
	"flag"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/rose-go/rose"
)

var testCmd = &command{
	name:    "test",
	usage:   "[--tol X] [--inputs N] [-run REGEXP] FILE...",
	summary: "run test blocks and check gradients at every example",
	help: `
Test runs, for each FILE:

  - every 'test NAME { ... }' block: its statements in order, each 'assert
    cond' at its top level checked. A false assert prints its position and
    the condition, and for a comparison (==, !=, <, <=, >, >=) the values of
    both sides.
  - at every 'example' whose function returns a Real, a gradient check: the
    reverse-mode gradient against the forward-mode gradient and against
    central finite differences of the function, input by input, printing the
    worst error per parameter. The error of a against b is |a - b| /
    max(1, |a|, |b|) (relative above 1, absolute below); the check fails
    when it exceeds --tol (default 1e-6). A parameter with more than
    --inputs Reals (default 100) is checked at that many of them, spread
    evenly from the first to the last; --inputs 0 checks them all.
  - at every example of a function with a custom JVP rule ('fn f(...) -> T
    jvp rule'), the rule against the function's own body: the rule's value
    against the body's value and its tangents against central differences
    of the body. A disagreement above --tol prints a warning at the rule's
    position and fails the file: the rule, not the function, is what every
    derivative uses. A rule whose function has no example of its own is
    reported as skipped.

-run REGEXP runs only the tests whose name, and checks only the examples
whose call as written, match REGEXP.

The output reads like 'go test -v': a '--- PASS' or '--- FAIL' line per test
and check, then 'ok' or 'FAIL' with the file name. Test exits with 1 if
anything failed (or a file has errors), 0 otherwise.

Finite differences cannot see through a discontinuity (an 'if' whose branch
changes within the step): an example sitting exactly on one can fail the
check although the gradient is right; move the example or raise --tol.

The budgets --timeout, --max-steps and --max-memory are those of 'rose run'.
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
		tol := fs.Float64("tol", rose.DefaultTolerance, "fail a gradient or rule check whose error exceeds `X`")
		runPat := fs.String("run", "", "run only the tests and examples whose name or call text matches `REGEXP`")
		inputs := fs.Int("inputs", rose.DefaultMaxInputs, "check at most `N` Real inputs of each parameter, spread evenly; 0 checks all")
		lim := addLimits(fs)
		return func(ctx context.Context, e *env, files []string) int {
			if len(files) == 0 {
				return usage(e, "test", "expects at least one FILE")
			}
			if !(*tol >= 0) {
				return usage(e, "test", "--tol must be a number at least 0")
			}
			sel, err := regexp.Compile(*runPat)
			if err != nil {
				return usage(e, "test", fmt.Sprintf("-run: %v", err))
			}
			ctx, cancel := lim.context(ctx)
			defer cancel()
			code := exitOK
			for _, path := range files {
				if !testFile(ctx, e, path, *tol, *inputs, sel, lim) {
					code = exitUser
				}
			}
			return code
		}
	},
}

// testFile runs the tests and checks of one file; it reports whether they
// all passed.
func testFile(ctx context.Context, e *env, path string, tol float64, inputs int, sel *regexp.Regexp, lim *limits) bool {
	start := time.Now()
	p, ok := load(e, "test", path)
	if !ok {
		fmt.Fprintf(e.stdout, "FAIL\t%s [load failed]\n", path)
		return false
	}
	p.Limits = lim.options()
	pass := true
	report := func(ok bool, what string, d time.Duration, details []string) {
		status := "PASS"
		if !ok {
			status, pass = "FAIL", false
		}
		fmt.Fprintf(e.stdout, "--- %s: %s (%.2fs)\n", status, what, d.Seconds())
		for _, d := range details {
			fmt.Fprintf(e.stdout, "    %s\n", d)
		}
	}
	tests, err := p.RunTests(ctx, lim.options())
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return false
	}
	for _, r := range tests {
		if !sel.MatchString(r.Name) {
			continue
		}
		var details []string
		if r.Err != nil {
			details = append(details, strings.ReplaceAll(fmt.Sprintf("%v%s", r.Err, lim.explain(r.Err)), "\n", "\n    "))
		}
		for _, f := range r.Failures {
			details = append(details, fmt.Sprintf("%s: assert failed: %s", f.Pos, f.Text))
			// The compared values, but not of literals, which show theirs.
			for _, side := range [][2]string{{f.LeftText, f.Left}, {f.RightText, f.Right}} {
				if side[0] != "" && side[0] != side[1] {
					details = append(details, fmt.Sprintf("    %s = %s", side[0], side[1]))
				}
			}
		}
		report(!r.Failed(), "test "+r.Name, r.Time, details)
	}
	exs, err := p.Examples(ctx)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return false
	}
	checked := map[string]bool{} // functions whose rule was checked
	warned := map[string]bool{}  // functions whose rule was found wrong
	for _, ex := range exs {
		if !sel.MatchString(ex.Text) {
			continue
		}
		t := time.Now()
		if ex.Err != nil {
			report(false, "example "+ex.Text, time.Since(t), []string{ex.Err.Error()})
			continue
		}
		if !hasGradient(ex.Func) {
			continue // nothing to check
		}
		if rc, err := ex.RuleCheck(ctx, lim.options()); err != nil {
			report(false, "rule check "+ex.Text, time.Since(t), []string{err.Error()})
		} else if rc != nil {
			checked[rc.Func] = true
			ok := rc.Worst() <= tol
			if !ok {
				warned[rc.Func] = true
				fmt.Fprintf(e.stderr, "%s: warning: the JVP rule %s of %s disagrees with %s's body at %s: %s, more than --tol %g\n\t%s: rule attached here\n",
					rc.Pos, rc.Rule, rc.Func, rc.Func, ex.Text, rc, tol, rc.Attached)
			}
			report(ok, fmt.Sprintf("rule %s at %s", rc.Rule, ex.Text), time.Since(t), []string{rc.String()})
		}
		t = time.Now()
		gc, err := ex.GradCheck(ctx, lim.options(), inputs)
		if err != nil {
			report(false, "gradient check "+ex.Text, time.Since(t), []string{strings.ReplaceAll(fmt.Sprintf("%v%s", err, lim.explain(err)), "\n", "\n    ")})
			continue
		}
		var details []string
		for _, pc := range gc.Params {
			d := fmt.Sprintf("d/d%s: reverse vs forward %.3g, vs central differences %.3g (worst at %s)", pc.Name, pc.Forward, pc.FD, pc.Worst)
			if pc.Checked < pc.Inputs {
				d += fmt.Sprintf(", %d of %d inputs checked", pc.Checked, pc.Inputs)
			}
			details = append(details, d)
		}
		ok := gc.Worst() <= tol
		if !ok {
			// The derivatives use the rules instead of the bodies that
			// finite differences see: a wrong rule is a likely cause.
			for _, r := range ex.Func.ReachedRules() {
				if warned[r.Func] {
					continue // already reported against the body
				}
				fmt.Fprintf(e.stderr, "%s: warning: the gradient check at %s fails, and its derivatives use the JVP rule %s of %s: check the rule\n", r.Pos, ex.Text, r.Rule, r.Func)
			}
		}
		report(ok, "gradient check "+ex.Text, time.Since(t), details)
	}
	for _, fo := range p.Pkg.Funcs {
		if fo.Rule != nil && !checked[fo.Name] && sel.String() == "" {
			fmt.Fprintf(e.stdout, "--- SKIP: rule %s of %s (0.00s)\n    no example of %s to check the rule at; add one, such as: example %s(...)\n", fo.Rule.Name, fo.Name, fo.Name, fo.Name)
		}
	}
	if pass {
		fmt.Fprintf(e.stdout, "ok  \t%s\t%.3fs\n", path, time.Since(start).Seconds())
	} else {
		fmt.Fprintf(e.stdout, "FAIL\t%s\t%.3fs\n", path, time.Since(start).Seconds())
	}
	return pass
}
