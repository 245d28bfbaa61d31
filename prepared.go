package rose

import (
	"context"

	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/value"
	"github.com/rose-go/rose/wasm"
)

// Prepared is a call of a Func whose arguments are converted once and
// that runs many times, for benchmark harnesses (rose gradbench times Run
// alone, as GradBench's tools time their function apart from reading the
// input) and for loops that call a function on the same arguments. On
// the compiled engine each Run copies the argument bytes into linear
// memory and runs, with no conversion of Values; Result converts the
// last result. A Prepared is not safe for concurrent use; Close it.
type Prepared struct {
	f    *Func
	args []value.Value
	wp   *wasm.Prepared
	res  value.Value
}

// Prepare converts args for repeated calls of f.
func (f *Func) Prepare(ctx context.Context, args []value.Value) (*Prepared, error) {
	p := &Prepared{f: f, args: append([]value.Value(nil), args...)}
	c, ok := f.code.(*wasm.Compiled)
	if e, first := f.code.(*evalFirst); first {
		// Calls will repeat: compiling pays now.
		var err error
		if c, err = e.compiled(); err != nil {
			return nil, err
		}
		ok = true
	}
	if ok {
		wp, err := c.Prepare(ctx, args)
		if err != nil {
			return nil, err
		}
		p.wp = wp
	}
	return p, nil
}

// Run calls f on the prepared arguments. Runtime errors are
// *RuntimeError, as from Call.
func (p *Prepared) Run(ctx context.Context, opts *eval.Options) error {
	if p.wp != nil {
		return p.f.prog.wrapErr(p.wp.Run(ctx, opts))
	}
	v, err := p.f.Call(ctx, p.args, opts)
	p.res = v
	return err
}

// SetSlots replaces argument i by the value whose flat layout (that of
// value.Store; for an argument made only of Reals, its Reals in order) is
// slots: the way to call f at many points without building Values (an
// optimizer's loop). On the compiled engine it copies bytes and
// allocates nothing.
func (p *Prepared) SetSlots(i int, slots []float64) {
	if p.wp != nil {
		p.wp.SetSlots(i, slots)
		return
	}
	p.args[i], _ = value.Load(slots, p.f.params[i])
}

// Result is the value of the last Run that succeeded.
func (p *Prepared) Result() value.Value {
	if p.wp != nil {
		return p.wp.Result()
	}
	return p.res
}

// Slots appends the last result's slots to dst, in the flat layout of
// value.Store (for a result made only of Reals: its Reals in order). On
// the compiled engine they are read straight from linear memory, with no
// Value built: the fast way out for large results.
func (p *Prepared) Slots(dst []float64) []float64 {
	if p.wp != nil {
		return p.wp.Slots(dst)
	}
	return value.AppendSlots(dst, p.res, p.f.result)
}

// Close releases what the Prepared holds (a module instance).
func (p *Prepared) Close() {
	if p.wp != nil {
		p.wp.Close()
	}
}
