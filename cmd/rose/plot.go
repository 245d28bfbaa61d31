package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/rose-go/rose/plot"
)

// plotSub is a subcommand of plot: its own usage, help and flags, parsed
// from the union of all plot flags (the command table has one flag set per
// command).
type plotSub struct {
	name, usage, summary, help string
	run                        func(ctx context.Context, e *env, sub *plotSub, args []string, o *plotOpts) int
}

// plotOpts are the flags of all plot subcommands.
type plotOpts struct {
	out        string
	name, args string
	x, y       string
	rng        string
	grid       int
}

var plotSubs = []*plotSub{
	{
		name:    "trace",
		usage:   "FILE.jsonl... [--x iter|evals] [-o FILE.svg|FILE.png]",
		summary: "loss and gradient norm per iteration of 'rose opt --trace' files",
		help: `
Plot trace draws the trace files that 'rose opt --trace FILE' writes (one
JSON object per line with "iter", "loss", "grad_norm", "evals" and
"elapsed") as two panels sharing the x axis: the loss above, the gradient
norm below. A panel has a log scale when all its values are positive and a
linear one otherwise (a loss that goes negative, as mass-spring's does);
its axis label says which.

Several files are drawn on one picture, one colour each, with their base
names in the legend: the way to compare optimizers on one problem.

	rose opt examples/billiards.rose -f loss --max-evals 300 --trace lbfgs.jsonl
	rose opt examples/billiards.rose -f loss --method gd --step 0.01 --max-iter 200 --trace gd.jsonl
	rose plot trace lbfgs.jsonl gd.jsonl --x evals -o compare.png

--x evals puts the number of function evaluations on the x axis instead of
the iteration: an L-BFGS iteration may cost several evaluations in its line
search, so evaluations are the fair measure of work.

A line that is not a trace record is an error naming the file and line; so
is a file without iterations.
`,
		run: plotTrace,
	},
	{
		name:    "surface",
		usage:   "FILE -f NAME [--args JSON] --x LABEL --y LABEL [--range X0,X1,Y0,Y1] [--grid N] [-o FILE.svg|FILE.png]",
		summary: "contours and gradient field of a function of two of its inputs",
		help: `
Plot surface draws the function NAME, whose result must be a Real, as a
function of two of its Real inputs: its contour lines, its gradient as
arrows, and the point of --args marked. The other inputs stay at their
values in --args.

	rose plot surface examples/rosenbrock.rose -f rosenbrock --args '[[-1.2, 1.0]]' \
		--x 'x[0]' --y 'x[1]' --range -2,2,-1,3 -o rosenbrock.png

--x and --y name the inputs as 'rose grad --hessian' labels them: "x[0]"
for an element of an array parameter, "p.mass" for a struct field, "c" for
a Real parameter. An unknown label is an error that lists the valid ones.

--range is X0,X1,Y0,Y1; without it each axis spans the --args value v by
max(1, |v|) on either side. The function and its gradient are evaluated at
N by N grid points (--grid, default 100), one reverse-mode gradient each.

Contour levels are evenly spaced, or evenly spaced in log(f - min) when the
values span many decades (Rosenbrock's do), so that valleys get lines too.
The arrows point along the gradient (uphill) in the direction they have on
the page; their length grows with the log of the gradient's size. A range
where the function has no finite value is an error.
`,
		run: plotSurface,
	},
	{
		name:    "draw",
		usage:   "FILE -f NAME [--args JSON] [-o FILE.svg|FILE.png]",
		summary: "draw the circles, boxes, paths and points a function returns",
		help: `
Plot draw calls NAME and draws its result by its types (docs/plotting.md):

	struct Circle { center: [2]Real, radius: Real }   a circle
	struct Box { center: [2]Real, size: [2]Real }     a rectangle (width, height)
	[n][2]Real, n >= 2                                a path through the points
	a [2]Real struct field                            a point

Anything else is walked into (arrays, tuples, struct fields) and left out if
nothing in it is drawable. A shape that is a struct field is labelled with
the field's name; shapes in arrays are not labelled, and shapes at the same
array index share a colour (ball 3's path and ball 3's circle). Both axes
have the same scale, so circles are round.

	rose plot draw examples/billiards.rose -f picture --args '[[0.1, 0.5], [0.3, 0.0]]' -o break.png

A result with nothing drawable in it is an error.
`,
		run: plotDraw,
	},
}

func lookupPlotSub(name string) *plotSub {
	for _, s := range plotSubs {
		if s.name == name {
			return s
		}
	}
	return nil
}

// defineFlags defines the flags of the subcommand sub on fs, or of all of
// them for "".
func defineFlags(fs *flag.FlagSet, sub string) *plotOpts {
	o := &plotOpts{}
	in := func(subs ...string) bool { return sub == "" || slices.Contains(subs, sub) }
	out := "default " + sub + ".svg"
	if sub == "" {
		out = "default trace.svg, surface.svg or draw.svg"
	}
	fs.StringVar(&o.out, "o", "", "write the picture to `FILE`, an .svg or a .png ("+out+")")
	if in("surface", "draw") {
		fs.StringVar(&o.name, "f", "", "the function `NAME`")
		fs.StringVar(&o.args, "args", "", "the arguments of -f as a `JSON` array; - reads standard input, @FILE the file FILE")
	}
	switch sub {
	case "trace":
		fs.StringVar(&o.x, "x", "iter", "what the x axis counts: `iter` (iterations) or evals (function evaluations)")
	case "surface":
		fs.StringVar(&o.x, "x", "", "the input `LABEL` on the x axis, such as x[0] or p.mass")
	case "":
		fs.StringVar(&o.x, "x", "", "trace: `iter` or evals on the x axis; surface: the input on the x axis")
	}
	if in("surface") {
		fs.StringVar(&o.y, "y", "", "the input `LABEL` on the y axis")
		fs.StringVar(&o.rng, "range", "", "the plotted `X0,X1,Y0,Y1` (default: the --args point ± max(1, |value|))")
		fs.IntVar(&o.grid, "grid", 100, "sample `N` by N points")
	}
	return o
}

var plotCmd = &command{
	name:    "plot",
	usage:   "trace|surface|draw ARGS... [-o FILE.svg|FILE.png]",
	summary: "draw optimizer traces, function surfaces and shapes as SVG or PNG",
	help: `
Plot makes pictures, as SVG or PNG by the extension of -o:

	rose plot trace FILE.jsonl...   loss and gradient norm of 'rose opt --trace' files
	rose plot surface FILE -f NAME --x LABEL --y LABEL ...
	                                contours and gradient arrows of a function of two inputs
	rose plot draw FILE -f NAME     the circles, boxes, paths and points NAME returns

Run 'rose plot SUBCOMMAND --help' for each one's arguments and examples;
docs/plotting.md describes them all, and how a result is drawn by its types.
Without -o the picture goes to trace.svg, surface.svg or draw.svg.
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
		o := defineFlags(fs, "")
		var help bool
		fs.BoolVar(&help, "help", false, "show the help of plot or of its subcommand")
		fs.BoolVar(&help, "h", false, "the same as -help")
		return func(ctx context.Context, e *env, pos []string) int {
			if len(pos) == 0 {
				if help {
					commandUsage(e.stdout, lookup("plot"), fs)
					return exitOK
				}
				fmt.Fprintf(e.stderr, "rose plot: needs a subcommand: trace, surface or draw\nusage: rose plot %s\nrun 'rose plot --help' for details\n", lookup("plot").usage)
				return exitUsage
			}
			sub := lookupPlotSub(pos[0])
			if sub == nil {
				fmt.Fprintf(e.stderr, "rose plot: unknown subcommand %q: it is trace, surface or draw\n", pos[0])
				return exitUsage
			}
			own := flag.NewFlagSet("rose plot "+sub.name, flag.ContinueOnError)
			defineFlags(own, sub.name)
			if help {
				fmt.Fprintf(e.stdout, "usage: rose plot %s %s\n\n%s\n\nFlags:\n", sub.name, sub.usage, strings.TrimSpace(sub.help))
				own.SetOutput(e.stdout)
				own.PrintDefaults()
				return exitOK
			}
			var stray []string
			fs.Visit(func(f *flag.Flag) {
				if own.Lookup(f.Name) == nil {
					stray = append(stray, "-"+f.Name)
				}
			})
			if len(stray) > 0 {
				return subUsage(e, sub, fmt.Sprintf("%s: not a flag of plot %s", strings.Join(stray, ", "), sub.name))
			}
			if o.out == "" {
				o.out = sub.name + ".svg"
			}
			if _, err := plot.FormatOf(o.out); err != nil {
				return subUsage(e, sub, "-o "+err.Error())
			}
			return sub.run(ctx, e, sub, pos[1:], o)
		}
	},
}

// subUsage reports a command-line error in a plot subcommand.
func subUsage(e *env, sub *plotSub, msg string) int {
	fmt.Fprintf(e.stderr, "rose plot %s: %s\nusage: rose plot %s %s\nrun 'rose plot %s --help' for details\n", sub.name, msg, sub.name, sub.usage, sub.name)
	return exitUsage
}

// writePicture draws into memory and then writes the file, so that a
// failed drawing leaves no half-written picture.
func writePicture(e *env, cmd, path string, paint func(w io.Writer, f plot.Format) error) int {
	f, err := plot.FormatOf(path)
	if err != nil {
		fmt.Fprintf(e.stderr, "rose %s: %v\n", cmd, err)
		return exitUsage
	}
	var buf bytes.Buffer
	if err := paint(&buf, f); err != nil {
		fmt.Fprintf(e.stderr, "rose %s: %v\n", cmd, err)
		return exitUser
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintf(e.stderr, "rose %s: %v\n", cmd, unwrapPathError(err))
		return exitUser
	}
	fmt.Fprintf(e.stderr, "wrote %s\n", path)
	return exitOK
}

func plotTrace(_ context.Context, e *env, sub *plotSub, files []string, o *plotOpts) int {
	if len(files) == 0 {
		return subUsage(e, sub, "expects one or more trace files")
	}
	var opt plot.TraceOptions
	switch o.x {
	case "iter", "":
	case "evals":
		opt.Evals = true
	default:
		return subUsage(e, sub, fmt.Sprintf("--x must be iter or evals, not %q", o.x))
	}
	names := traceNames(files)
	var traces []*plot.Trace
	for i, path := range files {
		t, err := readTraceFile(path)
		if err != nil {
			fmt.Fprintf(e.stderr, "rose plot trace: %v\n", err)
			return exitUser
		}
		t.Name = names[i]
		traces = append(traces, t)
	}
	return writePicture(e, "plot trace", o.out, func(w io.Writer, f plot.Format) error {
		return plot.DrawTraces(w, f, traces, opt)
	})
}

// readTraceFile reads a trace; its errors name the file and line.
func readTraceFile(path string) (*plot.Trace, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	defer f.Close()
	t, err := plot.ReadTrace(f)
	var le *plot.LineError
	switch {
	case errors.As(err, &le):
		return nil, fmt.Errorf("%s:%d: %v", path, le.Line, le.Err)
	case err != nil:
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return t, nil
}

// traceNames are the legend entries: the files' base names, or their
// paths when two base names are the same.
func traceNames(files []string) []string {
	names := make([]string, len(files))
	seen := map[string]bool{}
	dup := false
	for i, f := range files {
		names[i] = filepath.Base(f)
		dup = dup || seen[names[i]]
		seen[names[i]] = true
	}
	if dup {
		copy(names, files)
	}
	return names
}

// maxGrid bounds --grid: 500 by 500 is 250,000 gradients.
const maxGrid = 500

func plotSurface(ctx context.Context, e *env, sub *plotSub, pos []string, o *plotOpts) int {
	const cmd = "plot surface"
	switch {
	case len(pos) != 1:
		return subUsage(e, sub, "expects exactly one FILE")
	case o.name == "":
		return subUsage(e, sub, "needs -f NAME")
	case o.x == "" || o.y == "":
		return subUsage(e, sub, "needs --x LABEL and --y LABEL, the two inputs to plot")
	case o.x == o.y:
		return subUsage(e, sub, fmt.Sprintf("--x and --y are both %q", o.x))
	case o.grid < 2 || o.grid > maxGrid:
		return subUsage(e, sub, fmt.Sprintf("--grid must be between 2 and %d, not %d", maxGrid, o.grid))
	}
	var rng []float64
	if o.rng != "" {
		var err error
		if rng, err = parseRange(o.rng); err != nil {
			return subUsage(e, sub, "--range "+err.Error())
		}
	}
	p, ok := load(e, cmd, pos[0])
	if !ok {
		return exitUser
	}
	f, args, code := funcAndArgs(e, cmd, p, o.name, o.args)
	if code != exitOK {
		return code
	}
	obj, err := f.Objective(ctx, args, nil, nil)
	if err != nil {
		fmt.Fprintf(e.stderr, "rose %s: %v\n", cmd, err)
		return exitUser
	}
	defer obj.Close()
	inputs := obj.Inputs()
	ix, iy := slices.Index(inputs, o.x), slices.Index(inputs, o.y)
	for _, bad := range []struct {
		flag, label string
		i           int
	}{{"--x", o.x, ix}, {"--y", o.y, iy}} {
		if bad.i < 0 {
			fmt.Fprintf(e.stderr, "rose %s: %s %q is not a Real input of %s; its inputs are %s\n", cmd, bad.flag, bad.label, o.name, listInputs(inputs))
			return exitUser
		}
	}
	x := obj.Start(nil)
	if rng == nil {
		rng = make([]float64, 0, 4)
		for _, v := range []float64{x[ix], x[iy]} {
			d := math.Max(1, math.Abs(v))
			rng = append(rng, v-d, v+d)
		}
	}
	point := [2]float64{x[ix], x[iy]}
	grad := make([]float64, len(x))
	g, err := plot.Sample(rng[0], rng[1], rng[2], rng[3], o.grid, func(a, b float64) (float64, float64, float64, error) {
		x[ix], x[iy] = a, b
		z, err := obj.ValueGrad(ctx, x, grad)
		return z, grad[ix], grad[iy], err
	})
	if errors.Is(err, plot.ErrNoFinite) {
		fmt.Fprintf(e.stderr, "rose %s: %s has no finite value in the range %g,%g,%g,%g; choose another --range\n", cmd, o.name, rng[0], rng[1], rng[2], rng[3])
		return exitUser
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "rose %s: %v\n", cmd, err)
		return exitUser
	}
	title := fmt.Sprintf("%s by %s and %s", o.name, o.x, o.y)
	if n := len(inputs) - 2; n > 0 {
		title += fmt.Sprintf(" (its %d other inputs at --args)", n)
	}
	opt := plot.SurfaceOptions{Title: title, XLabel: o.x, YLabel: o.y, Point: point}
	return writePicture(e, cmd, o.out, func(w io.Writer, f plot.Format) error {
		return plot.DrawSurface(w, f, g, opt)
	})
}

// listInputs names the inputs, the first 20 of many.
func listInputs(inputs []string) string {
	if len(inputs) == 0 {
		return "none (it has no Real inputs)"
	}
	if len(inputs) > 20 {
		return strings.Join(inputs[:20], ", ") + fmt.Sprintf(", ... (%d in all)", len(inputs))
	}
	return strings.Join(inputs, ", ")
}

// parseRange reads X0,X1,Y0,Y1 with X0 < X1 and Y0 < Y1.
func parseRange(s string) ([]float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return nil, fmt.Errorf("%q should be four numbers X0,X1,Y0,Y1", s)
	}
	r := make([]float64, 4)
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%q: %q is not a finite number", s, p)
		}
		r[i] = v
	}
	if !(r[0] < r[1]) || !(r[2] < r[3]) {
		return nil, fmt.Errorf("%q is empty: it needs X0 < X1 and Y0 < Y1", s)
	}
	return r, nil
}

func plotDraw(ctx context.Context, e *env, sub *plotSub, pos []string, o *plotOpts) int {
	const cmd = "plot draw"
	switch {
	case len(pos) != 1:
		return subUsage(e, sub, "expects exactly one FILE")
	case o.name == "":
		return subUsage(e, sub, "needs -f NAME")
	}
	p, ok := load(e, cmd, pos[0])
	if !ok {
		return exitUser
	}
	f, args, code := funcAndArgs(e, cmd, p, o.name, o.args)
	if code != exitOK {
		return code
	}
	v, err := f.Call(ctx, args, nil)
	if err != nil {
		fmt.Fprintf(e.stderr, "rose %s: %v\n", cmd, err)
		return exitUser
	}
	t := f.IR.Result()
	shapes := plot.Shapes(v, t)
	if len(shapes) == 0 {
		fmt.Fprintf(e.stderr, "rose %s: %s returns %s, with nothing drawable in it: draw finds Circle and Box structs, [n][2]Real paths and [2]Real struct fields (see docs/plotting.md)\n", cmd, o.name, t)
		return exitUser
	}
	return writePicture(e, cmd, o.out, func(w io.Writer, f plot.Format) error {
		return plot.DrawShapes(w, f, shapes, plot.DrawOptions{Title: callTitle(o.name, o.args)})
	})
}

// callTitle is the call as a title: NAME(ARGS) when the arguments are
// short and were given inline, else NAME.
func callTitle(name, args string) string {
	args = strings.TrimSpace(args)
	if args == "" || args == "-" || strings.HasPrefix(args, "@") || len(args) > 80 || !strings.HasPrefix(args, "[") || !strings.HasSuffix(args, "]") {
		return name
	}
	return name + "(" + strings.TrimSpace(args[1:len(args)-1]) + ")"
}
