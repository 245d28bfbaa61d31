// Package rose is the Go API of the Rose language: load a source file,
// look up a function, call it. The CLI and the language server go through
// this package, so a file is parsed, checked, lowered and run the same way
// everywhere.
//
//	prog := rose.Load("f.rose", src)
//	if err := prog.Err(); err != nil { ... }   // diagnostics with positions
//	f, err := prog.Func("loss", nil)
//	y, err := f.Call(ctx, []value.Value{value.Real(0.3)})
//
// # Concurrency
//
// Once Load has returned, a Program and the Funcs and Examples it gives
// are safe for concurrent use by multiple goroutines: any mix of Func,
// FuncExpr, Derivative, IR, Examples, RunTests and the methods of Func and
// Example (Call, Grad, GradMode, GradWrt, Hessian, GradientText, GradCheck,
// RuleCheck, ...) may run at once, and gives the results a serial run
// gives. A language server can thus evaluate while it answers requests, and
// a caller can evaluate one Func on many arguments in parallel.
//
// Derivatives are made and compiled lazily, once, under a lock that the
// Program holds for lowering, differentiation and compilation (which share
// one cache of derivatives, the ad.Transformer, and rewrite the IR they
// resolve); evaluation itself runs outside the lock, each call with its own
// state, so calls of compiled code proceed in parallel. What is not
// synchronized:
//
//   - The exported fields of Program and Func are set by Load and by the
//     methods that return a Func. Read them freely, but do not write them
//     while other goroutines use the Program; in particular set Limits
//     before sharing the Program, not during calls that read it (Examples,
//     GradientText).
//   - The IR (Func.IR, Program.IR, Derivative) and the check.Package
//     (Program.Pkg) are shared: treat them as read-only. Its side tables
//     (Types, Uses, Defs, Scope, ...) may be read at any time, but lowering
//     through it directly (Pkg.Instantiate, Pkg.Program, ...) bypasses the
//     Program's lock and must not run concurrently with the Program's
//     methods.
//   - An eval.Options passed to several calls at once must not have
//     Executed set: the calls would add to it concurrently.
package rose

import (
	"context"
	"errors"
	"fmt"
	"go/token"
	"reflect"
	"strings"
	"sync"

	"github.com/rose-go/rose/ad"
	"github.com/rose-go/rose/check"
	"github.com/rose-go/rose/diag"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/parser"
	"github.com/rose-go/rose/value"
)

// Version is the toolchain's version.
const Version = "0.1.0"

// Program is a loaded source file: its syntax, its checked package and its
// diagnostics.
type Program struct {
	Fset  *token.FileSet
	File  *parser.File
	Pkg   *check.Package
	Diags diag.List // syntax and type errors, sorted by position
	Src   []byte

	// Limits bound the evaluation of the examples' arguments in Examples
	// and of Example.GradientText; nil means no limits.
	Limits *eval.Options

	// Engine runs the program's functions: EngineAuto (the zero value)
	// is the compiled engine where wazero compiles natively. Like Limits,
	// set it before the first call and do not change it afterwards.
	Engine Engine

	// mu serializes what mutates shared state: lowering through Pkg,
	// differentiation (ad keeps a cache, and Resolve rewrites the IR it
	// resolves), compilation of IR that another call may be rewriting,
	// and every Func's derivative caches (jvp, vjp, wrt).
	mu sync.Mutex
	ad *ad.Transformer // derivatives made so far, shared by all functions
}

// Load parses and checks src. It always returns a Program; Err reports
// whether it has errors.
func Load(filename string, src []byte) *Program {
	fset := token.NewFileSet()
	f, errs := parser.ParseFile(fset, filename, src)
	pkg, cerrs := check.Check(fset, f)
	all := append(errs, cerrs...)
	p := &Program{Fset: fset, File: f, Pkg: pkg, Src: src, ad: ad.NewTransformer()}
	if len(all) == 0 {
		all = p.checkRules()
	}
	all.Sort()
	p.Diags = all
	return p
}

// checkRules verifies that every custom JVP rule of a non-generic function
// is linear in its tangents, which reverse mode relies on to transpose it.
func (p *Program) checkRules() diag.List {
	var out diag.List
	base := p.Fset.File(p.File.FileEnd).Base()
	for _, fo := range p.Pkg.Funcs {
		if fo.Rule == nil || len(fo.Sizes) > 0 {
			continue
		}
		fn, err := p.Pkg.Instantiate(fo, nil)
		if err != nil || fn.CustomJVP == nil {
			continue // reported when the function is used
		}
		err = ad.CheckLinear(fn.CustomJVP, len(fn.Params))
		if le, ok := err.(*ad.LinearityError); ok {
			pos := token.Pos(base + int(le.Pos))
			out = append(out, diag.Diagnostic{Pos: pos, End: pos, Code: "nonlinear-rule",
				Msg:     fmt.Sprintf("the JVP rule %s of %s must be linear in its tangents, but it %s", fo.Rule.Name, fo.Name, le.Msg),
				Related: []diag.Related{{Pos: fo.Decl.Rule.Pos(), Msg: "rule attached here"}}})
		}
	}
	return out
}

// Err returns the diagnostics as a *diag.Error, or nil if there are none.
func (p *Program) Err() error {
	if len(p.Diags) == 0 {
		return nil
	}
	return &diag.Error{Fset: p.Fset, Diags: p.Diags}
}

// IR lowers every non-generic function and example instance, with the
// derivatives they use made.
func (p *Program) IR() (*ir.Program, error) {
	if err := p.Err(); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	prog, err := p.Pkg.Program()
	if err != nil {
		return nil, err
	}
	for _, f := range prog.Funcs {
		if err := p.ad.Resolve(f); err != nil {
			return nil, err
		}
	}
	return prog, nil
}

// Func is a callable function instance.
type Func struct {
	Name       string
	IR         *ir.Func
	ParamNames []string // as declared in the source

	prog   *Program
	code   code
	params []*ir.Type // the parameter types, read off IR once
	result *ir.Type   // the result type
	// tangent[i]: parameter i has Reals, so a gradient part (ad.Tangent
	// of it has slots), decided once rather than at every gradient.
	tangent []bool
	// ones is the cotangent with 1 in every Real of the result, VJP's
	// default, made once (Values are not modified after they are made).
	ones     value.Value
	onesOnce sync.Once

	// Made on first use, under prog.mu.
	jvp code                // compiled forward-mode derivative
	vjp code                // compiled reverse-mode derivative
	wrt map[string]*wrtCode // compiled gradients by chosen parameters, by fmt.Sprint(wrt)

	traced tracedCode // compiled for Trace, made on first use (trace.go)
}

// Func looks up the function name. A size-generic function needs its
// sizes: give the JSON arguments it will be called with (sizes are read off
// the array lengths), or nil for a non-generic function.
func (p *Program) Func(name string, argsJSON []byte) (*Func, error) {
	if err := p.Err(); err != nil {
		return nil, err
	}
	fo, err := p.funcObj(name)
	if err != nil {
		return nil, err
	}
	var args []any
	if len(fo.Sizes) > 0 {
		if args, err = jsonArgs(argsJSON)(fo); err != nil {
			return nil, err
		}
	}
	return p.instance(fo, args)
}

// funcObj is the function name declares, or an error listing them.
func (p *Program) funcObj(name string) (*check.FuncObj, error) {
	if fo := p.Pkg.FuncByName(name); fo != nil {
		return fo, nil
	}
	var names []string
	for _, f := range p.Pkg.Funcs {
		names = append(names, f.Name)
	}
	return nil, fmt.Errorf("no function %s in %s (functions: %s)", name, p.File.Name, strings.Join(names, ", "))
}

// instance is fo at the sizes of args (its leading arguments, as JSON
// decodes them or as Go data; unused when fo is not generic).
func (p *Program) instance(fo *check.FuncObj, args []any) (*Func, error) {
	var sizes []int
	if len(fo.Sizes) > 0 {
		var err error
		if sizes, err = inferSizes(fo, args); err != nil {
			return nil, err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fn, err := p.Pkg.Instantiate(fo, sizes)
	if err != nil {
		return nil, err
	}
	return p.wrap(fn, fo)
}

// wrap resolves and compiles a function instance. p.mu must be held.
func (p *Program) wrap(fn *ir.Func, fo *check.FuncObj) (*Func, error) {
	if err := p.ad.Resolve(fn); err != nil {
		return nil, err
	}
	code, err := p.compile(fn)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, prm := range fo.Decl.Params {
		names = append(names, prm.Name.Name)
	}
	return p.newFunc(fn.Name, fn, names, code), nil
}

// newFunc makes a Func of the compiled fn. p.mu must be held: fn's types
// are read here once, so that Func's methods need not read the IR.
func (p *Program) newFunc(name string, fn *ir.Func, names []string, code code) *Func {
	ts := make([]*ir.Type, len(fn.Params))
	tangent := make([]bool, len(fn.Params))
	for i, v := range fn.Params {
		ts[i] = fn.Types[v]
		tangent[i] = ad.Tangent(ts[i]).Slots() > 0
	}
	return &Func{Name: name, IR: fn, ParamNames: names, prog: p, code: code, params: ts, result: fn.Result(), tangent: tangent}
}

// withReals lists the parameters that have Reals (a gradient part), in
// order: what "every parameter" means for a derivative.
func (f *Func) withReals() []int {
	var out []int
	for i, has := range f.tangent {
		if has {
			out = append(out, i)
		}
	}
	return out
}

// Params are the parameter types of f.
func (f *Func) Params() []*ir.Type {
	return append([]*ir.Type(nil), f.params...)
}

// Call runs f. Runtime errors are *RuntimeError, with source positions.
func (f *Func) Call(ctx context.Context, args []value.Value, opts *eval.Options) (value.Value, error) {
	v, err := f.code.Call(ctx, args, opts)
	return v, f.prog.wrapErr(err)
}

// RuntimeError is an evaluation failure with source positions.
type RuntimeError struct {
	Err   *value.RuntimeError
	Pos   token.Position   // where it failed
	Stack []token.Position // call sites, innermost first
}

func (e *RuntimeError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: runtime error: %s", e.Pos, e.Err.Msg)
	fmt.Fprintf(&b, "\n\tin %s", e.Err.Func)
	for i, fr := range e.Err.Stack {
		fmt.Fprintf(&b, "\n\tcalled from %s at %s", fr.Func, e.Stack[i])
	}
	return b.String()
}

// Unwrap gives access to the evaluator's error.
func (e *RuntimeError) Unwrap() error { return e.Err }

func (p *Program) wrapErr(err error) error {
	if err == nil {
		return nil // before errors.As, whose target escapes: calls that succeed allocate nothing
	}
	var re *value.RuntimeError
	if !errors.As(err, &re) {
		return err
	}
	out := &RuntimeError{Err: re, Pos: p.Position(re.Pos)}
	for _, fr := range re.Stack {
		out.Stack = append(out.Stack, p.Position(fr.Pos))
	}
	return out
}

// Position resolves an IR position of this program.
func (p *Program) Position(pos ir.Pos) token.Position {
	tf := p.Fset.File(p.File.FileEnd)
	if tf == nil || pos < 0 || int(pos) > tf.Size() {
		return token.Position{Filename: p.File.Name}
	}
	return tf.Position(tf.Pos(int(pos)))
}

// Example is an `example` declaration with its arguments evaluated.
type Example struct {
	Text string         // the call as written
	Pos  token.Position // where it is declared
	Func *Func
	Args []value.Value
	Err  error // evaluating the arguments failed; Func and Args are unset

	obj *check.FuncObj // the function's declaration
}

// Of is the name of the function the example calls, as declared: for a
// size-generic function Func.Name is that of its instance.
func (ex *Example) Of() string { return ex.obj.Name }

// ExampleOf is the first example of the function name (as declared),
// prepared: where a tool starts from when given no arguments (rose opt).
// It is nil, with no error, when the function has none.
func (p *Program) ExampleOf(ctx context.Context, name string) (*Example, error) {
	if err := p.Err(); err != nil {
		return nil, err
	}
	for _, ex := range p.Pkg.Examples {
		if ex.Func.Name == name {
			return p.example(ctx, ex), nil // the others are not prepared
		}
	}
	return nil, nil
}

// Examples prepares every example in the file. An example whose arguments
// fail to evaluate carries the error in Err; the others are unaffected.
func (p *Program) Examples(ctx context.Context) ([]*Example, error) {
	if err := p.Err(); err != nil {
		return nil, err
	}
	var out []*Example
	for _, ex := range p.Pkg.Examples {
		out = append(out, p.example(ctx, ex))
	}
	return out, nil
}

// example prepares one example.
func (p *Program) example(ctx context.Context, ex *check.Example) *Example {
	start := p.Fset.Position(ex.Call.Pos()).Offset
	end := p.Fset.Position(ex.Call.End()).Offset
	e := &Example{Text: string(p.Src[start:end]), Pos: p.Fset.Position(ex.Decl.Pos()), obj: ex.Func}
	e.Func, e.Args, e.Err = p.prepare(ctx, ex)
	return e
}

func (p *Program) prepare(ctx context.Context, ex *check.Example) (*Func, []value.Value, error) {
	f, argsCode, err := p.prepareCode(ex)
	if err != nil {
		return nil, nil, err
	}
	tuple, err := argsCode.Call(ctx, nil, p.Limits)
	if err != nil {
		return nil, nil, p.wrapErr(err)
	}
	args := make([]value.Value, tuple.Len())
	for i := range args {
		args[i] = tuple.Elem(i)
	}
	return f, args, nil
}

// prepareCode instantiates and compiles an example's function and the
// function computing its arguments, under p.mu.
func (p *Program) prepareCode(ex *check.Example) (*Func, code, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fn, err := p.Pkg.Instantiate(ex.Func, ex.Sizes)
	if err != nil {
		return nil, nil, err
	}
	f, err := p.wrap(fn, ex.Func)
	if err != nil {
		return nil, nil, err
	}
	argsFn, err := p.Pkg.ExampleArgs(ex)
	if err != nil {
		return nil, nil, err
	}
	code, err := eval.Compile(argsFn)
	if err != nil {
		return nil, nil, err
	}
	return f, code, nil
}

// inferSizes reads a generic function's sizes off the lengths of the JSON
// arrays passed for its parameters.
func inferSizes(fo *check.FuncObj, args []any) ([]int, error) {
	if len(args) != len(fo.Params) {
		return nil, fmt.Errorf("%s takes %d arguments, got %d", fo.Name, len(fo.Params), len(args))
	}
	bound := map[*check.SizeParam]int{}
	for i, t := range fo.Params {
		bindSizes(t, reflect.ValueOf(args[i]), bound)
	}
	sizes := make([]int, len(fo.Sizes))
	for i, sp := range fo.Sizes {
		n, ok := bound[sp]
		if !ok {
			return nil, fmt.Errorf("cannot infer size %s of %s from the arguments", sp.Name, fo.Name)
		}
		sizes[i] = n
	}
	return sizes, nil
}

func bindSizes(t check.Type, v reflect.Value, bound map[*check.SizeParam]int) {
	for v.IsValid() && (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) && !v.IsNil() {
		v = v.Elem()
	}
	list := v.IsValid() && (v.Kind() == reflect.Slice || v.Kind() == reflect.Array)
	switch t := t.(type) {
	case *check.Array:
		if !list {
			return
		}
		if sp := t.Len.Param; sp != nil {
			if _, done := bound[sp]; !done {
				bound[sp] = v.Len()
			}
		}
		if v.Len() > 0 {
			bindSizes(t.Elem, v.Index(0), bound)
		}
	case *check.Tuple:
		if list {
			for i := range t.Elems {
				if i < v.Len() {
					bindSizes(t.Elems[i], v.Index(i), bound)
				}
			}
		}
	case *check.Struct:
		for _, f := range t.Fields {
			if fv, ok := value.GoField(v, f.Name); ok {
				bindSizes(f.Type, fv, bound)
			}
		}
	}
}

func sizeNames(fo *check.FuncObj) string {
	var names []string
	for _, s := range fo.Sizes {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}
