package wasm

import (
	"github.com/rose-go/rose/ir"
)

// Generate exposes the generated module bytes of f to the external tests.
func Generate(f *ir.Func) ([]byte, error) {
	m, err := generate(f)
	if err != nil {
		return nil, err
	}
	return m.bin, nil
}

// CompileWith is Compile with the code generator's options, for tests of
// the settings other than Fast.
func CompileWith(f *ir.Func, opt Options) (*Compiled, error) { return compileWith(f, opt) }

// Generated reports whether c runs generated code (not the evaluator).
func Generated(c *Compiled) bool { return c.mod != nil }
