package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/rose-go/rose/lsp"
)

var lspCmd = &command{
	name:    "lsp",
	usage:   "[-log FILE]",
	summary: "run the language server on stdin and stdout",
	help: `
Lsp speaks the Language Server Protocol (3.17) over stdin and stdout, for
editors: diagnostics as you type, hover with values and derivatives at the
examples, go to definition, references, rename, completion, signature
help, semantic tokens, formatting, folding, code lenses on example lines
(run, grad, check gradient) and inlay hints that show each example's value
and gradient. docs/editors.md sets it up in VS Code, Neovim, Helix and
Emacs.

Evaluations the server starts are bounded (250 ms and 256 MB each by
default; the client's settings rose.eval.timeoutMs and
rose.eval.maxMemoryMB change them).

	-log FILE  append the server's log to FILE (default: standard error)
	-stdio     accepted for clients that pass it; stdio is the only transport

The exit code is 0 after the client's shutdown and exit, 1 otherwise.
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
		logFile := fs.String("log", "", "append the server's log to `FILE`")
		fs.Bool("stdio", true, "talk over stdin and stdout (the only transport)")
		return func(ctx context.Context, e *env, args []string) int {
			if len(args) > 0 {
				return usage(e, "lsp", "takes no arguments")
			}
			var logw io.Writer = e.stderr
			if *logFile != "" {
				f, err := os.OpenFile(*logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
				if err != nil {
					fmt.Fprintf(e.stderr, "rose lsp: %v\n", err)
					return exitUser
				}
				defer f.Close()
				logw = f
			}
			if err := lsp.Serve(ctx, e.stdin, e.stdout, &lsp.Options{Log: logw}); err != nil {
				fmt.Fprintf(logw, "rose lsp: %v\n", err)
				return exitUser
			}
			return exitOK
		}
	},
}
