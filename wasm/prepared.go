package wasm

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"sync/atomic"
	"unsafe"

	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/value"
)

// Prepared is a call whose arguments are converted to the module's layout
// once, to be run many times: a benchmark harness's "prepare" step, after
// which each Run only copies the argument bytes into the instance's memory
// (the generated code may update an argument in place) and runs. It holds
// one instance until Close.
type Prepared struct {
	c    *Compiled
	in   *instance
	args []value.Value // for calls the evaluator runs
	raw  [][]byte      // each argument in the module's layout
	res  value.Value   // the last result, when the evaluator ran it
	ev   bool          // the last Run was the evaluator's
	// stale marks the args that SetSlots changed since they were last
	// rebuilt from raw, for a call the evaluator runs.
	stale []bool
}

// Prepare converts args for calls of the function. The Prepared must be
// closed. Arguments of the wrong shape are an error here, as in Call.
func (c *Compiled) Prepare(ctx context.Context, args []value.Value) (*Prepared, error) {
	f := c.f
	if len(args) != len(f.Params) {
		return nil, fmt.Errorf("%s: want %d arguments, got %d", f.Name, len(f.Params), len(args))
	}
	p := &Prepared{c: c, args: append([]value.Value(nil), args...)}
	if c.mod == nil {
		return p, nil // runs on the evaluator (see Compile)
	}
	for i, prm := range f.Params {
		t := f.Types[prm]
		b := make([]byte, 8*t.Slots())
		if err := value.StoreBytes(b, args[i], t); err != nil {
			return nil, fmt.Errorf("%s: argument %d: %v", f.Name, i+1, err)
		}
		p.raw = append(p.raw, b)
	}
	in, err := c.get(ctx)
	if err != nil {
		return nil, err
	}
	p.in = in
	// Touch the instance's memory, as a harness's prepare step allocates
	// and fills its work arrays: the runs then start on mapped pages.
	mem := p.storeArgs()
	for off := 0; off+4 <= len(mem); off += 4096 {
		// An atomic add of 0 is a write the compiler keeps.
		atomic.AddUint32((*uint32)(unsafe.Pointer(&mem[off])), 0)
	}
	return p, nil
}

// Run calls the function on the prepared arguments, with the semantics
// and errors of Call.
func (p *Prepared) Run(ctx context.Context, opts *eval.Options) error {
	c := p.c
	ctx, err := c.start(ctx)
	if err != nil {
		return err
	}
	lim, onEval := c.limits(opts)
	if p.in == nil || onEval {
		p.fresh()
		v, err := c.ev.Call(ctx, p.args, opts)
		p.res, p.ev = v, true
		return err
	}
	p.ev = false
	p.storeArgs()
	return c.invoke(ctx, p.in, lim)
}

// SetSlots replaces argument i by the value whose flat layout
// (value.Store's) is slots, for loops that call the function at many
// points (an optimizer): on the compiled engine it is a copy of bytes,
// with no Value built. slots must hold the argument's slot count.
func (p *Prepared) SetSlots(i int, slots []float64) {
	t := p.c.f.Types[p.c.f.Params[i]]
	if p.raw == nil {
		p.args[i], _ = value.Load(slots, t)
		return
	}
	b := p.raw[i]
	for k, x := range slots[:t.Slots()] {
		binary.LittleEndian.PutUint64(b[8*k:], math.Float64bits(x))
	}
	if p.stale == nil {
		p.stale = make([]bool, len(p.raw))
	}
	p.stale[i] = true
}

// fresh rebuilds the arguments SetSlots changed, for the evaluator.
func (p *Prepared) fresh() {
	for i, s := range p.stale {
		if s {
			p.args[i], _ = value.LoadBytes(p.raw[i], p.c.f.Types[p.c.f.Params[i]])
			p.stale[i] = false
		}
	}
}

// storeArgs copies the prepared arguments into the instance's memory,
// which it returns.
func (p *Prepared) storeArgs() []byte {
	mem, _ := p.in.mem.Read(0, p.in.mem.Size())
	for i, b := range p.raw {
		copy(mem[p.c.mod.argOff[i]:], b)
	}
	return mem
}

// Result is the result of the last Run that succeeded.
func (p *Prepared) Result() value.Value {
	if p.ev || p.in == nil {
		return p.res
	}
	mem, _ := p.in.mem.Read(0, p.in.mem.Size())
	v, _ := loadValue(mem, int(p.c.mod.resOff), p.c.f.Result())
	return v
}

// Slots appends the slots of the last result (value.Store's layout) to
// dst, read straight from linear memory: no Value is built.
func (p *Prepared) Slots(dst []float64) []float64 {
	t := p.c.f.Result()
	if p.ev || p.in == nil {
		return value.AppendSlots(dst, p.res, t)
	}
	mem, _ := p.in.mem.Read(0, p.in.mem.Size())
	b := mem[p.c.mod.resOff:]
	for k := range t.Slots() {
		dst = append(dst, math.Float64frombits(binary.LittleEndian.Uint64(b[8*k:])))
	}
	return dst
}

// Close returns the instance to the Compiled's pool.
func (p *Prepared) Close() {
	if p.in != nil {
		p.c.put(p.in)
		p.in = nil
	}
}
