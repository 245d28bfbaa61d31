package rose

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
	"github.com/rose-go/rose/wasm"
)

// Engine chooses what runs a program's functions. Both engines give the
// same values and the same runtime errors (package value); they differ in
// speed and start-up cost.
type Engine int

// The engines. EngineAuto is the compiled engine where wazero compiles to
// machine code (amd64 and arm64 on the common systems) and the evaluator
// elsewhere, where wazero would only interpret; it also runs on the
// evaluator the functions that take longer to compile than to evaluate
// (see pays and wasm.CompileCheap), until Func.Prepare.
const (
	EngineAuto     Engine = iota
	EngineEval            // the reference evaluator (package eval): starts at once
	EngineCompiled        // WebAssembly run by wazero (package wasm): a few ms to compile, faster to run
)

// ParseEngine reads an engine's name: "auto", "eval" or "compiled".
func ParseEngine(s string) (Engine, error) {
	switch s {
	case "auto", "":
		return EngineAuto, nil
	case "eval":
		return EngineEval, nil
	case "compiled":
		return EngineCompiled, nil
	}
	return 0, fmt.Errorf("unknown engine %q (want auto, eval or compiled)", s)
}

func (e Engine) String() string {
	switch e {
	case EngineEval:
		return "eval"
	case EngineCompiled:
		return "compiled"
	}
	return "auto"
}

// compilerNative reports whether wazero compiles to machine code here
// (its compiler's platforms, see ../shared/reference/backends.md).
func compilerNative() bool {
	switch runtime.GOARCH {
	case "amd64", "arm64":
		switch runtime.GOOS {
		case "linux", "darwin", "windows", "freebsd", "netbsd":
			return true
		}
	}
	return false
}

// resolved is the engine EngineAuto stands for on this machine.
func (e Engine) resolved() Engine {
	if e != EngineAuto {
		return e
	}
	if compilerNative() {
		return EngineCompiled
	}
	return EngineEval
}

// code is a function compiled by an engine: the evaluator's *eval.Code,
// or the compiled engine's *wasm.Compiled. Both take and give values in
// the same form and report the same runtime errors.
type code interface {
	Call(ctx context.Context, args []value.Value, opts *eval.Options) (value.Value, error)
}

// compile compiles f with the program's engine. p.mu must be held (the
// IR is read, and resolving derivatives rewrites it).
func (p *Program) compile(f *ir.Func) (code, error) {
	if p.Engine.resolved() == EngineCompiled {
		if p.Engine == EngineAuto && !pays(f) {
			c, err := eval.Compile(f)
			if err != nil {
				return nil, err
			}
			return &evalFirst{Code: c, f: f, mu: &p.mu}, nil
		}
		compile := wasm.Compile
		if p.Engine == EngineAuto {
			// Not a function of thousands of branches, which wazero
			// compiles in time quadratic in their number.
			compile = wasm.CompileCheap
		}
		c, err := compile(f)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
	c, err := eval.Compile(f)
	if err != nil {
		return nil, err // not a nil *eval.Code in a non-nil interface
	}
	return c, nil
}

// The auto engine's rule (see pays).
const (
	// smallCode is the size, in IR instructions of a function and its
	// callees, up to which compiling is always worth it: a few ms.
	smallCode = 4096
	// loopFactor is how many instructions per instruction of code a call
	// must execute for compiling a larger function to pay on its first
	// call: wazero compiles about 10 µs of machine code per IR
	// instruction, which the evaluator takes about 500 instructions to
	// make up, and the compiled code runs them about 10x faster.
	loopFactor = 50
)

// pays reports whether the auto engine compiles f: when it is small, or
// when one call executes many times its code (loops), or when it has a
// while loop (whose steps are unknown). A large function that runs
// through its code about once per call, as a generated straight-line
// energy does, compiles in more time than the evaluator needs to run it:
// 60 µs per instruction of a chain of 50-line functions against 8 µs to
// parse, check, differentiate and evaluate it. Such a function runs on
// the evaluator until Prepare, which says that calls will repeat.
func pays(f *ir.Func) bool {
	size := 0
	hasWhile := false
	for _, fn := range ir.Reachable(f) {
		ir.Walk(fn.Body, func(in *ir.Instr) {
			size++
			hasWhile = hasWhile || in.Op == ir.OpWhile
		})
	}
	if size <= smallCode || hasWhile {
		return true
	}
	return ir.Cost(f, map[*ir.Func]float64{}) >= loopFactor*float64(size)
}

// evalFirst is the auto engine's code for a function that does not pay
// to compile for one call (see pays): it runs on the evaluator, and
// compiles once, for Prepare.
type evalFirst struct {
	*eval.Code
	f    *ir.Func
	mu   *sync.Mutex // the program's: compiling reads the IR
	once sync.Once
	wc   *wasm.Compiled
	err  error
}

// compiled is f compiled, made on first use.
func (e *evalFirst) compiled() (*wasm.Compiled, error) {
	e.once.Do(func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.wc, e.err = wasm.CompileCheap(e.f)
	})
	return e.wc, e.err
}
