package wasm

import (
	"context"

	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
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

// Raw returns a function running c's entry on args stored once, without
// converting arguments or results (for timing the generated code alone).
func (c *Compiled) Raw(args []value.Value) (func() error, error) {
	ctx := context.Background()
	in, err := c.get(ctx)
	if err != nil {
		return nil, err
	}
	mem, _ := in.mem.Read(0, in.mem.Size())
	for i, p := range c.f.Params {
		if err := value.StoreBytes(mem[c.mod.argOff[i]:], args[i], c.f.Types[p]); err != nil {
			return nil, err
		}
	}
	return func() error {
		in.stack[0], in.stack[1], in.stack[2] = 0, 0, 0
		return in.entry.CallWithStack(ctx, in.stack)
	}, nil
}
