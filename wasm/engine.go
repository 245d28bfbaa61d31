package wasm

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"sync"

	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// Compiled is a function compiled to WebAssembly and to machine code by
// wazero. It is safe for concurrent use: each call takes a module instance
// of its own from a free list.
type Compiled struct {
	f   *ir.Func
	mod *module
	ev  *eval.Code // the evaluator's compilation: its memory accounting, for identical budget errors

	rt       wazero.Runtime
	compiled wazero.CompiledModule

	mu   sync.Mutex
	free []*instance
}

// instance is one module instance with its reusable call stack.
type instance struct {
	m     api.Module
	entry api.Function
	mem   api.Memory
	stack []uint64
}

// maxFree is how many idle instances a Compiled keeps.
const maxFree = 16

// Compile verifies f and its callees and compiles them into one module.
func Compile(f *ir.Func) (*Compiled, error) {
	ev, err := eval.Compile(f) // verifies f and every callee
	if err != nil {
		return nil, err
	}
	mod, err := generate(f)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig())
	if err := hostModule(ctx, rt); err != nil {
		rt.Close(ctx)
		return nil, err
	}
	cm, err := rt.CompileModule(ctx, mod.bin)
	if err != nil {
		rt.Close(ctx)
		return nil, fmt.Errorf("wasm: %s: %v", f.Name, err)
	}
	return &Compiled{f: f, mod: mod, ev: ev, rt: rt, compiled: cm}, nil
}

// Close releases the runtime and its instances. The Compiled must not be
// used afterwards.
func (c *Compiled) Close() error {
	c.mu.Lock()
	c.free = nil
	c.mu.Unlock()
	return c.rt.Close(context.Background())
}

// hostModule instantiates "rose": the context poll and the math builtins,
// computed with the functions the evaluator uses (bit for bit the same
// results).
func hostModule(ctx context.Context, rt wazero.Runtime) error {
	b := rt.NewHostModuleBuilder("rose")
	b.NewFunctionBuilder().WithGoFunction(api.GoFunc(func(ctx context.Context, stack []uint64) {
		stack[0] = 0
		select {
		case <-ctx.Done():
			stack[0] = 1
		default:
		}
	}), nil, []api.ValueType{api.ValueTypeI32}).Export("done")
	f64 := api.ValueTypeF64
	for op := range mathOps {
		info := op.Info()
		switch {
		case op == ir.OpPolygamma:
			b.NewFunctionBuilder().WithGoFunction(api.GoFunc(func(_ context.Context, s []uint64) {
				s[0] = math.Float64bits(ir.Polygamma(int64(s[0]), math.Float64frombits(s[1])))
			}), []api.ValueType{api.ValueTypeI64, f64}, []api.ValueType{f64}).Export(info.Name)
		case info.Real1 != nil:
			fn := info.Real1
			b.NewFunctionBuilder().WithGoFunction(api.GoFunc(func(_ context.Context, s []uint64) {
				s[0] = math.Float64bits(fn(math.Float64frombits(s[0])))
			}), []api.ValueType{f64}, []api.ValueType{f64}).Export(info.Name)
		case info.Real2 != nil:
			fn := info.Real2
			b.NewFunctionBuilder().WithGoFunction(api.GoFunc(func(_ context.Context, s []uint64) {
				s[0] = math.Float64bits(fn(math.Float64frombits(s[0]), math.Float64frombits(s[1])))
			}), []api.ValueType{f64, f64}, []api.ValueType{f64}).Export(info.Name)
		default:
			return fmt.Errorf("wasm: no host function for %v", op)
		}
	}
	_, err := b.Instantiate(ctx)
	return err
}

func (c *Compiled) get(ctx context.Context) (*instance, error) {
	c.mu.Lock()
	if n := len(c.free); n > 0 {
		in := c.free[n-1]
		c.free = c.free[:n-1]
		c.mu.Unlock()
		return in, nil
	}
	c.mu.Unlock()
	m, err := c.rt.InstantiateModule(ctx, c.compiled, wazero.NewModuleConfig().WithName("").WithStartFunctions())
	if err != nil {
		return nil, err
	}
	return &instance{m: m, entry: m.ExportedFunction("entry"), mem: m.Memory(), stack: make([]uint64, 3)}, nil
}

func (c *Compiled) put(in *instance) {
	c.mu.Lock()
	if len(c.free) < maxFree {
		c.free = append(c.free, in)
		in = nil
	}
	c.mu.Unlock()
	if in != nil {
		in.m.Close(context.Background())
	}
}

// MemoryBytes is what the evaluator counts for one call of the same
// function (see eval.Code.MemoryBytes); Options.MaxMemory is checked
// against it, so that both engines accept the same calls.
func (c *Compiled) MemoryBytes() int64 { return c.ev.MemoryBytes() }

// Call runs the function on args, with the semantics of eval's Code.Call:
// the same results, and the same runtime errors (message, position,
// function and call stack) for failures, budgets and cancellation.
// Options.Executed and Options.Trace are not supported (they count and
// report evaluator instructions) and are ignored.
func (c *Compiled) Call(ctx context.Context, args []eval.Value, opts *eval.Options) (eval.Value, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return eval.Value{}, eval.NewRuntimeError("cancelled: "+err.Error(), c.f.Pos, c.f.Name, nil, err)
	}
	f := c.f
	if len(args) != len(f.Params) {
		return eval.Value{}, fmt.Errorf("%s: want %d arguments, got %d", f.Name, len(f.Params), len(args))
	}
	var maxSteps, tapeMax int64
	if opts != nil {
		if opts.MaxMemory > 0 {
			if c.ev.MemoryBytes() > opts.MaxMemory {
				// The evaluator fails before running, with its error.
				return c.ev.Call(ctx, args, opts)
			}
			tapeMax = max((opts.MaxMemory-c.ev.MemoryBytes())/8, 1)
		}
		maxSteps = max(opts.MaxSteps, 0)
	}
	in, err := c.get(ctx)
	if err != nil {
		return eval.Value{}, err
	}
	mem, _ := in.mem.Read(0, in.mem.Size())
	for i, p := range f.Params {
		if err := storeValue(mem[c.mod.argOff[i]:], args[i], f.Types[p]); err != nil {
			c.put(in)
			return eval.Value{}, fmt.Errorf("%s: argument %d: %v", f.Name, i+1, err)
		}
	}
	binary.LittleEndian.PutUint32(mem[failRecord:], 0)
	in.stack[0] = uint64(maxSteps)
	in.stack[1] = 0
	if ctx.Done() != nil {
		in.stack[1] = 1
	}
	in.stack[2] = uint64(tapeMax)
	if err := in.entry.CallWithStack(ctx, in.stack); err != nil {
		rerr := c.failure(ctx, in, err)
		c.put(in)
		return eval.Value{}, rerr
	}
	mem, _ = in.mem.Read(0, in.mem.Size())
	v, _ := loadValue(mem[c.mod.resOff:], f.Result())
	c.put(in)
	return v, nil
}

// failure turns a trap into the evaluator's RuntimeError, from the
// failure record and the call-site slots.
func (c *Compiled) failure(ctx context.Context, in *instance, trap error) error {
	mem, ok := in.mem.Read(0, in.mem.Size())
	if !ok || len(mem) < callSlots {
		return trap
	}
	le := binary.LittleEndian
	code := le.Uint32(mem[failRecord:])
	sid := le.Uint32(mem[failRecord+4:])
	a, b := int64(le.Uint64(mem[failRecord+8:])), int64(le.Uint64(mem[failRecord+16:]))
	if code == 0 || int(sid) >= len(c.mod.sites) {
		return fmt.Errorf("wasm: %s: %v", c.f.Name, trap)
	}
	s := c.mod.sites[sid]
	e := &eval.RuntimeError{Pos: s.pos, Func: c.mod.funcs[s.fn].Name}
	var cause error
	switch code {
	case failIndex:
		e.Msg = fmt.Sprintf("index %d out of range [0, %d)", a, b)
	case failDiv:
		e.Msg = "integer division by zero"
	case failMod:
		e.Msg = "integer modulo by zero"
	case failToInt:
		e.Msg = fmt.Sprintf("int(%v) is out of the range of Int", math.Float64frombits(uint64(a)))
	case failShift:
		e.Msg = fmt.Sprintf("shift count %d is outside 0..63", a)
	case failWhile:
		e.Msg = fmt.Sprintf("while loop exceeded its bound of %d steps", a)
	case failTape:
		cause = eval.ErrMemoryBudget
		e.Msg = "memory budget exceeded: the states a while loop records for reverse mode need more than " + byteSize(8*a)
	case failSteps:
		cause = eval.ErrStepBudget
		e.Msg = fmt.Sprintf("step budget of %d exceeded", a)
	case failCancel:
		cause = ctx.Err()
		if cause == nil {
			cause = context.Canceled
		}
		e.Msg = "cancelled: " + cause.Error()
	case failMemory:
		cause = eval.ErrMemoryBudget
		e.Msg = "memory budget exceeded: the WebAssembly memory cannot grow"
	}
	// The call chain: from the top function, follow each function's call
	// in progress down to the failing one.
	var stack []eval.Frame
	fn := len(c.mod.funcs) - 1
	for range len(c.mod.funcs) {
		if fn == s.fn {
			break
		}
		cs := c.mod.sites[le.Uint32(mem[callSlots+4*fn:])]
		stack = append(stack, eval.Frame{Func: c.mod.funcs[fn].Name, Pos: cs.pos})
		fn = cs.callee
	}
	for i := len(stack) - 1; i >= 0; i-- {
		e.Stack = append(e.Stack, stack[i])
	}
	return eval.NewRuntimeError(e.Msg, e.Pos, e.Func, e.Stack, cause)
}

// byteSize renders a byte count with a binary unit, three significant
// digits (the evaluator's format).
func byteSize(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB"}
	v := float64(n) / 1024
	k := 0
	for v >= 1024 && k < len(units)-1 {
		v /= 1024
		k++
	}
	return fmt.Sprintf("%.3g %s", v, units[k])
}

// storeValue writes v, of type t, in the slot layout at dst.
func storeValue(dst []byte, v eval.Value, t *ir.Type) error {
	_, err := storeAt(dst, v, t)
	return err
}

func storeAt(dst []byte, v eval.Value, t *ir.Type) (int, error) {
	if v.Kind() != t.Kind {
		return 0, fmt.Errorf("expected %v, got %s", t, kindText(v.Kind()))
	}
	le := binary.LittleEndian
	switch t.Kind {
	case ir.KReal:
		le.PutUint64(dst, math.Float64bits(v.Real()))
		return 8, nil
	case ir.KInt:
		le.PutUint64(dst, uint64(v.Int()))
		return 8, nil
	case ir.KBool:
		var b uint64
		if v.Bool() {
			b = 1
		}
		le.PutUint64(dst, b)
		return 8, nil
	}
	n := t.Len
	if t.Kind == ir.KTuple {
		n = len(t.Elems)
	}
	if v.Len() != n {
		return 0, fmt.Errorf("expected %v, got %d elements", t, v.Len())
	}
	off := 0
	for i := range n {
		et := t.Elem
		if t.Kind == ir.KTuple {
			et = t.Elems[i]
		}
		k, err := storeAt(dst[off:], v.Elem(i), et)
		if err != nil {
			return 0, fmt.Errorf("[%d]: %v", i, err)
		}
		off += k
	}
	return off, nil
}

func kindText(k ir.Kind) string {
	switch k {
	case ir.KReal:
		return "Real"
	case ir.KInt:
		return "Int"
	case ir.KBool:
		return "Bool"
	case ir.KArray:
		return "an array"
	case ir.KTuple:
		return "a tuple"
	}
	return "an invalid value"
}

// loadValue reads a value of type t from the slot layout at src.
func loadValue(src []byte, t *ir.Type) (eval.Value, int) {
	le := binary.LittleEndian
	switch t.Kind {
	case ir.KReal:
		return eval.Real(math.Float64frombits(le.Uint64(src))), 8
	case ir.KInt:
		return eval.Int(int64(le.Uint64(src))), 8
	case ir.KBool:
		return eval.Bool(le.Uint64(src) != 0), 8
	case ir.KArray, ir.KTuple:
		n := t.Len
		if t.Kind == ir.KTuple {
			n = len(t.Elems)
		}
		elems := make([]eval.Value, n)
		off := 0
		for i := range elems {
			et := t.Elem
			if t.Kind == ir.KTuple {
				et = t.Elems[i]
			}
			var k int
			elems[i], k = loadValue(src[off:], et)
			off += k
		}
		if t.Kind == ir.KArray {
			return eval.Array(elems...), off
		}
		return eval.Tuple(elems...), off
	}
	// A tape in a result: its handle, as an Int (tapes do not outlive the call).
	return eval.Int(int64(le.Uint64(src))), 8
}
