package rose

import (
	"context"
	"fmt"
	"runtime"

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
// evaluator a function whose code has more than wasm.MaxBlocks branches in
// one function, which would take longer to compile than to evaluate.
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
