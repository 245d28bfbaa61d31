package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/rose-go/rose/gradbench"
)

var gradbenchCmd = &command{
	name:    "gradbench",
	usage:   "[--engine ENGINE] [--source MODULE]",
	summary: "run as a GradBench tool on stdin and stdout",
	help: `
Gradbench speaks GradBench's protocol (github.com/gradbench/gradbench,
CONTRIBUTING.md) on stdin and stdout: one JSON message per line from the
eval, one answer per line back. Each eval's module is a Rose program built
into this binary; --source MODULE prints it, and 'rose gradbench --source'
lists the modules.

	python3 run.py --eval lse --tool 'rose gradbench' --eval-args -n 2500

An evaluate runs the function at least min_runs times and until
min_seconds have passed, and reports one "evaluate" timing per run and a
"prepare" timing for the conversion of the input (and the compilation of
the function for its sizes). A malformed message or a failing function
gets a response with success false and an error; the session goes on.

The exit code is 0 at the end of the input or after an "end" message, 1 if
reading or writing fails.
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
		eng := addEngine(fs)
		src := fs.Bool("source", false, "print the Rose program of the module named, or list the modules")
		return func(ctx context.Context, e *env, args []string) int {
			if *src {
				if len(args) == 0 {
					fmt.Fprintln(e.stdout, strings.Join(gradbench.Modules(), "\n"))
					return exitOK
				}
				if len(args) > 1 {
					return usage(e, "gradbench", "--source takes one module")
				}
				b := gradbench.Source(args[0])
				if b == nil {
					fmt.Fprintf(e.stderr, "rose gradbench: no module %q (modules: %s)\n", args[0], strings.Join(gradbench.Modules(), ", "))
					return exitUser
				}
				e.stdout.Write(b)
				return exitOK
			}
			if len(args) > 0 {
				return usage(e, "gradbench", "takes no arguments")
			}
			err := gradbench.Serve(ctx, e.stdin, e.stdout, gradbench.Options{Engine: eng.e, Version: roseVersion(), Log: e.stderr})
			if err != nil {
				fmt.Fprintf(e.stderr, "rose gradbench: %v\n", err)
				return exitUser
			}
			return exitOK
		}
	},
}
