// Command rose is the Rose toolchain: run, check, format and inspect .rose
// programs.
//
// Exit codes: 0 success; 1 the program or its input data is wrong (syntax,
// types, runtime errors, bad JSON); 2 the command line is wrong.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"sort"
	"strings"
	"syscall"
)

// Exit codes.
const (
	exitOK    = 0
	exitUser  = 1
	exitUsage = 2
)

// command is one subcommand.
type command struct {
	name    string
	usage   string // one line: arguments
	summary string
	help    string // paragraphs after the usage line
	flags   func(fs *flag.FlagSet) func(ctx context.Context, env *env, args []string) int
}

// env is where a command writes; tests substitute buffers.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

var commands []*command

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func main() {
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
	// Ctrl-C cancels the command's context: evaluations stop with an error
	// at a source position, servers shut down; a second one kills.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, e, os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes the command line args and returns the exit code. It never
// panics: a bug is reported as an internal error.
func run(ctx context.Context, e *env, args []string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(e.stderr, "rose: internal error: %v\n", r)
			code = exitUser
		}
	}()
	if len(args) == 0 {
		mainUsage(e.stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		mainUsage(e.stdout)
		return exitOK
	case "-version", "--version":
		name = "version"
	}
	c := lookup(name)
	if c == nil {
		fmt.Fprintf(e.stderr, "rose: unknown command %q\n", name)
		if sug := closest(name); sug != "" {
			fmt.Fprintf(e.stderr, "did you mean %q?\n", sug)
		}
		fmt.Fprintln(e.stderr, "run 'rose help' for the list of commands")
		return exitUsage
	}
	fs := flag.NewFlagSet("rose "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	body := c.flags(fs)
	pos, err := parseInterleaved(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		commandUsage(e.stdout, c, fs)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "rose %s: %v\n", c.name, err)
		fmt.Fprintf(e.stderr, "usage: rose %s %s\nrun 'rose help %s' for details\n", c.name, c.usage, c.name)
		return exitUsage
	}
	return body(ctx, e, pos)
}

// parseInterleaved parses flags that may come before or after positional
// arguments, as in `rose run f.rose -f loss`. A lone "--" ends flags.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func mainUsage(w io.Writer) {
	fmt.Fprint(w, `Rose is a language for differentiable functions.

Usage:

	rose <command> [arguments]

Commands:

`)
	for _, c := range commands {
		fmt.Fprintf(w, "\t%-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run 'rose help <command>' for more about a command.
Exit codes: 0 success, 1 the program or its data is wrong, 2 bad command line.
`)
}

func commandUsage(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: rose %s %s\n\n%s\n", c.name, c.usage, strings.TrimSpace(c.help))
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(w, "\nFlags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
}

func closest(name string) string {
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	sort.Strings(names)
	for _, n := range names {
		if strings.HasPrefix(n, name) || strings.HasPrefix(name, n) {
			return n
		}
	}
	return ""
}

func init() {
	commands = []*command{runCmd, gradCmd, optCmd, plotCmd, benchCmd, testCmd, buildCmd, checkCmd, fmtCmd, irCmd, lspCmd, gradbenchCmd, serveCmd, versionCmd, helpCmd}
}

var versionCmd = &command{
	name: "version", usage: "", summary: "print the toolchain version",
	help: "Version prints the version of rose and of the Go runtime it was built with.",
	flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
		return func(_ context.Context, e *env, args []string) int {
			if len(args) > 0 {
				fmt.Fprintln(e.stderr, "rose version: takes no arguments")
				return exitUsage
			}
			fmt.Fprintf(e.stdout, "rose version %s (%s %s/%s)\n", roseVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return exitOK
		}
	},
}

var helpCmd = &command{
	name: "help", usage: "[command]", summary: "show help for a command",
	help: "Help prints the usage of rose, or of one command.",
	flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
		return func(_ context.Context, e *env, args []string) int {
			if len(args) == 0 {
				mainUsage(e.stdout)
				return exitOK
			}
			c := lookup(args[0])
			if c == nil {
				fmt.Fprintf(e.stderr, "rose help: unknown command %q\n", args[0])
				return exitUsage
			}
			fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
			c.flags(fs)
			commandUsage(e.stdout, c, fs)
			return exitOK
		}
	},
}
