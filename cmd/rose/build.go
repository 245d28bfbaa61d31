package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/ad"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/wasm"
)

var buildCmd = &command{
	name:    "build",
	usage:   "FILE -o OUT.wasm [-f NAME,...]",
	summary: "compile functions to a WebAssembly module with a JavaScript wrapper",
	help: `
Build compiles functions of FILE into one standalone WebAssembly module,
OUT.wasm, and writes next to it an ES module OUT.js that loads it and a
TypeScript declaration file OUT.d.ts. The JavaScript needs nothing else:
in a browser or in Node,

	import { load } from "./billiards.js";
	const m = await load();            // fetches billiards.wasm next to billiards.js
	m.loss([0.1, 0.5], [0.3, 0.0]);    // 0.045376100103525094
	m.loss_grad([0.1, 0.5], [0.3, 0.0]); // {value: ..., grad: [[dx0...], [dv0...]]}

load also takes a URL, the module's bytes, a Response or a
WebAssembly.Module. Arguments and results are plain JavaScript values
shaped like the JSON of 'rose run -f NAME --args JSON': Reals and Ints are
numbers (Ints beyond 2^53 come back as BigInt), Bools booleans, arrays and
tuples arrays, structs objects. A runtime error throws a RoseRuntimeError
whose message is the one 'rose run' prints, with file:line:col.

The module exports every function named by -f (comma-separated); without
-f, every non-generic function and every instance of a generic function
that an example uses, named NAME_SIZES (rosenbrock_5 for
rosenbrock([...five Reals...])). For each exported function with a Real
result, NAME_grad computes the value and the reverse-mode gradient, as
'rose grad -f NAME' does: {value, grad}, with one gradient entry per
parameter, shaped like it, null for a parameter without Reals.

The module is generated for size: no inlining, loops rather than
unrolled code, no name section. -fast generates it for speed (as the
in-process engine of 'rose run' does), -names keeps the function names.

Example:

	rose build examples/billiards.rose -o examples/web/billiards.wasm
	rose serve examples/web

With one -f NAME, --args JSON (or @FILE) fixes the sizes of a generic
function as 'rose run -f NAME --args' does, with no example needed:

	rose build examples/rosenbrock.rose -o r.wasm -f rosenbrock --args @x1000.json
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
		out := fs.String("o", "", "write the module to `OUT.wasm` (and OUT.js, OUT.d.ts next to it)")
		names := fs.String("f", "", "export the functions `NAMES` (comma-separated) instead of the default set")
		withNames := fs.Bool("names", false, "keep the function names in the module (stack traces in the browser's tools)")
		fast := fs.Bool("fast", false, "generate for speed (inlining, unrolled loops) rather than size")
		args := fs.String("args", "", "with one -f NAME: `JSON` arguments (or @FILE) whose shapes fix a generic function's sizes")
		return func(ctx context.Context, e *env, pos []string) int {
			if len(pos) != 1 {
				return usage(e, "build", "expects exactly one FILE")
			}
			if *out == "" || !strings.HasSuffix(*out, ".wasm") {
				return usage(e, "build", "needs -o OUT.wasm")
			}
			p, ok := load(e, "build", pos[0])
			if !ok {
				return exitUser
			}
			var want []string
			if *names != "" {
				for _, n := range strings.Split(*names, ",") {
					if n = strings.TrimSpace(n); n != "" {
						want = append(want, n)
					}
				}
			}
			var exps []*buildExport
			var err error
			if *args != "" {
				if len(want) != 1 {
					return usage(e, "build", "--args needs exactly one -f NAME")
				}
				data, code := readArgs(e, "build", *args)
				if code != exitOK {
					return code
				}
				var f *rose.Func
				if f, err = p.Func(want[0], data); err == nil {
					exps, err = withGradients(e, []*buildExport{{name: exportName(f.Name), f: f}}, true)
				}
			} else {
				exps, err = buildExports(ctx, e, p, want)
			}
			if err != nil {
				fmt.Fprintf(e.stderr, "rose build: %v\n", err)
				return exitUser
			}
			opt := wasm.Small
			if *fast {
				opt = wasm.Fast
			}
			opt.Names = *withNames
			b, err := buildBundle(exps, opt)
			if err != nil {
				fmt.Fprintf(e.stderr, "rose build: %v\n", err)
				return exitUser
			}
			base := strings.TrimSuffix(*out, ".wasm")
			js, dts := genJS(p, filepath.Base(*out), exps, b)
			for _, f := range []struct {
				path string
				data []byte
			}{{*out, b.Wasm}, {base + ".js", js}, {base + ".d.ts", dts}} {
				if err := os.WriteFile(f.path, f.data, 0o644); err != nil {
					fmt.Fprintf(e.stderr, "rose build: %v\n", err)
					return exitUser
				}
			}
			var list []string
			for _, x := range exps {
				list = append(list, x.name)
				if x.grad != nil {
					list = append(list, x.name+"_grad")
				}
			}
			fmt.Fprintf(e.stdout, "wrote %s (%d bytes), %s.js, %s.d.ts: %s\n", *out, len(b.Wasm), base, base, strings.Join(list, ", "))
			return exitOK
		}
	},
}

// buildExport is one function to export and, for a Real result, its
// gradient.
type buildExport struct {
	name string // the export's name
	f    *rose.Func
	grad *ir.Func // the VJP, or nil
}

// buildExports picks the functions to export: those named (a generic
// function's example instances), or the default set.
func buildExports(ctx context.Context, e *env, p *rose.Program, want []string) ([]*buildExport, error) {
	var exs []*rose.Example
	exampled := func() ([]*rose.Example, error) {
		if exs == nil {
			var err error
			if exs, err = p.Examples(ctx); err != nil {
				return nil, err
			}
		}
		return exs, nil
	}
	var out []*buildExport
	taken := map[string]bool{}
	add := func(name string, f *rose.Func) {
		if !taken[name] {
			taken[name] = true
			out = append(out, &buildExport{name: name, f: f})
		}
	}
	instances := func(name string) error {
		exs, err := exampled()
		if err != nil {
			return err
		}
		for _, ex := range exs {
			if ex.Err == nil && strings.HasPrefix(ex.Func.Name, name+"[") {
				add(exportName(ex.Func.Name), ex.Func)
			}
		}
		return nil
	}
	generic := func(name string) bool {
		fo := p.Pkg.FuncByName(name)
		return fo != nil && len(fo.Sizes) > 0
	}
	if want == nil {
		for _, fo := range p.Pkg.Funcs {
			if len(fo.Sizes) > 0 {
				if err := instances(fo.Name); err != nil {
					return nil, err
				}
				continue
			}
			f, err := p.Func(fo.Name, nil)
			if err != nil {
				return nil, err
			}
			add(fo.Name, f)
		}
	} else {
		for _, name := range want {
			if generic(name) {
				n := len(out)
				if err := instances(name); err != nil {
					return nil, err
				}
				if len(out) == n {
					return nil, fmt.Errorf("%s is generic and no example uses it: an example fixes its sizes", name)
				}
				continue
			}
			f, err := p.Func(name, nil)
			if err != nil {
				return nil, err
			}
			add(name, f)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s has no function to export", p.File.Name)
	}
	return withGradients(e, out, want != nil)
}

// withGradients adds the reverse-mode gradient of each export with a Real
// result; strict makes a gradient that cannot be made an error, else a
// warning.
func withGradients(e *env, out []*buildExport, strict bool) ([]*buildExport, error) {
	taken := map[string]bool{}
	for _, x := range out {
		taken[x.name] = true
	}
	for _, x := range out {
		if x.f.IR.Result().Kind != ir.KReal {
			continue
		}
		if taken[x.name+"_grad"] {
			fmt.Fprintf(e.stderr, "rose build: not exporting the gradient of %s: %s_grad is a function of the file\n", x.name, x.name)
			continue
		}
		g, err := x.f.GradIR()
		if err != nil {
			if strict {
				return nil, err
			}
			fmt.Fprintf(e.stderr, "rose build: not exporting the gradient of %s: %v\n", x.name, err)
			continue
		}
		x.grad = g
	}
	return out, nil
}

// exportName turns an instance name such as rosenbrock[2,3] into an
// identifier: rosenbrock_2_3.
func exportName(s string) string {
	r := strings.NewReplacer("[", "_", ",", "_", "]", "")
	return r.Replace(s)
}

func buildBundle(exps []*buildExport, opt wasm.Options) (*wasm.Bundle, error) {
	var entries []wasm.Entry
	for _, x := range exps {
		entries = append(entries, wasm.Entry{Name: x.name, Func: x.f.IR})
		if x.grad != nil {
			entries = append(entries, wasm.Entry{Name: x.name + "_grad", Func: x.grad})
		}
	}
	return wasm.BuildWith(entries, opt)
}

// gradNull marks the parameters of f without Reals, whose gradient entry
// is null.
func gradNull(f *rose.Func) []bool {
	var out []bool
	for _, t := range f.Params() {
		out = append(out, ad.Tangent(t).Slots() == 0)
	}
	return out
}
