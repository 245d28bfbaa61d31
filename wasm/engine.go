package wasm

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
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
func Compile(f *ir.Func) (*Compiled, error) { return compileWith(f, Fast) }

// errCompileCost stops the generation of a function with more than
// Options.maxBlocks blocks, loops and ifs (see CompileCheap).
var errCompileCost = errors.New("wasm: too many branches in one function to compile quickly")

// MaxBlocks is the most blocks, loops and ifs CompileCheap accepts in one
// generated function. wazero's compile time grows with the square of a
// function's branches (its SSA construction resolves each local through
// a chain as long as the ifs before it): about 50 ms at 1,000 and 0.9 s
// at 4,000, where the evaluator runs a straight-line gradient of that
// size, from source, in 16 ms. Every example stays far below (billiards
// 28, mass-spring 154).
const MaxBlocks = 1024

// CompileCheap is Compile unless f's code would compile slowly (see
// MaxBlocks): then the result runs f on the evaluator, so that the cost
// of a first call stays linear in the program's size. The auto engine
// uses it.
func CompileCheap(f *ir.Func) (*Compiled, error) {
	opt := Fast
	opt.maxBlocks = MaxBlocks
	return compileWith(f, opt)
}

// compileWith is Compile with the code generator's options.
func compileWith(f *ir.Func, opt Options) (*Compiled, error) {
	ev, err := eval.Compile(f) // verifies f and every callee
	if err != nil {
		return nil, err
	}
	mod, err := generateEntries([]Entry{{Name: "entry", Func: f}}, opt)
	if errors.Is(err, errTooLarge) || errors.Is(err, errCompileCost) {
		// Values too large for linear memory, or code too branchy to
		// compile fast: the evaluator runs it (and fails under a memory
		// budget as it does for any engine).
		return &Compiled{f: f, ev: ev}, nil
	}
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
	c := &Compiled{f: f, mod: mod, ev: ev, rt: rt, compiled: cm}
	// A Compiled that is dropped without Close (a language server's
	// superseded program, say) still releases its machine code.
	runtime.AddCleanup(c, func(rt wazero.Runtime) { rt.Close(context.Background()) }, rt)
	return c, nil
}

// Close releases the runtime and its instances. The Compiled must not be
// used afterwards.
func (c *Compiled) Close() error {
	c.mu.Lock()
	c.free = nil
	c.mu.Unlock()
	if c.rt == nil {
		return nil // runs on the evaluator (see Compile)
	}
	return c.rt.Close(context.Background())
}

// hostModule instantiates "rose": the context poll. The math builtins are
// functions of the module itself (math.go).
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
// A call with Options.Executed or Options.Trace runs on the evaluator:
// both count or report evaluator instructions.
func (c *Compiled) Call(ctx context.Context, args []value.Value, opts *eval.Options) (value.Value, error) {
	ctx, err := c.start(ctx)
	if err != nil {
		return value.Value{}, err
	}
	if c.mod == nil {
		return c.ev.Call(ctx, args, opts) // too large for linear memory (see Compile)
	}
	f := c.f
	if len(args) != len(f.Params) {
		return value.Value{}, fmt.Errorf("%s: want %d arguments, got %d", f.Name, len(f.Params), len(args))
	}
	lim, onEval := c.limits(opts)
	if onEval {
		return c.ev.Call(ctx, args, opts)
	}
	in, err := c.get(ctx)
	if err != nil {
		return value.Value{}, err
	}
	mem, _ := in.mem.Read(0, in.mem.Size())
	for i, p := range f.Params {
		if err := value.StoreBytes(mem[c.mod.argOff[i]:], args[i], f.Types[p]); err != nil {
			c.put(in)
			return value.Value{}, fmt.Errorf("%s: argument %d: %v", f.Name, i+1, err)
		}
	}
	if err := c.invoke(ctx, in, lim); err != nil {
		c.put(in)
		return value.Value{}, err
	}
	mem, _ = in.mem.Read(0, in.mem.Size())
	v, _ := loadValue(mem, int(c.mod.resOff), f.Result())
	c.put(in)
	return v, nil
}

// start is the context a call runs under (Background for nil) and the
// evaluator's error for a context already done.
func (c *Compiled) start(ctx context.Context) (context.Context, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return ctx, &value.RuntimeError{Msg: value.CancelledMsg(err), Pos: c.f.Pos, Func: c.f.Name, Cause: err}
	}
	return ctx, nil
}

// callLimits are what the entry function is told of a call's budgets.
type callLimits struct{ maxSteps, tapeMax int64 }

// limits reads the budgets of opts; onEval reports a call that the
// evaluator must run instead (see Call).
func (c *Compiled) limits(opts *eval.Options) (lim callLimits, onEval bool) {
	if opts == nil {
		return lim, false
	}
	if opts.Executed != nil || opts.Trace != nil {
		// Both report evaluator instructions: such a call runs on the
		// evaluator, where they mean something.
		return lim, true
	}
	if opts.MaxMemory > 0 {
		if c.ev.MemoryBytes() > opts.MaxMemory {
			// The evaluator fails before running, with its error.
			return lim, true
		}
		lim.tapeMax = max((opts.MaxMemory-c.ev.MemoryBytes())/8, 1)
	}
	lim.maxSteps = max(opts.MaxSteps, 0)
	return lim, false
}

// invoke runs the entry function of in on the arguments in its memory.
func (c *Compiled) invoke(ctx context.Context, in *instance, lim callLimits) error {
	mem, _ := in.mem.Read(0, in.mem.Size())
	binary.LittleEndian.PutUint32(mem[failRecord:], 0)
	in.stack[0] = uint64(lim.maxSteps)
	in.stack[1] = 0
	if ctx.Done() != nil {
		in.stack[1] = 1
	}
	in.stack[2] = uint64(lim.tapeMax)
	if err := in.entry.CallWithStack(ctx, in.stack); err != nil {
		return c.failure(ctx, in, err)
	}
	return nil
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
	e := &value.RuntimeError{Pos: s.pos, Func: c.mod.funcs[s.fn].Name}
	var cause error
	switch code {
	case failIndex:
		e.Msg = value.IndexMsg(a, b)
	case failDiv:
		e.Msg = value.DivByZeroMsg
	case failMod:
		e.Msg = value.ModByZeroMsg
	case failToInt:
		e.Msg = value.ToIntMsg(math.Float64frombits(uint64(a)))
	case failShift:
		e.Msg = value.ShiftMsg(a)
	case failWhile:
		e.Msg = value.WhileBoundMsg(a)
	case failTape:
		cause = value.ErrMemoryBudget
		e.Msg = value.TapeBudgetMsg(8 * a)
	case failSteps:
		cause = value.ErrStepBudget
		e.Msg = value.StepBudgetMsg(a)
	case failCancel:
		cause = ctx.Err()
		if cause == nil {
			cause = context.Canceled
		}
		e.Msg = value.CancelledMsg(cause)
	case failMemory:
		cause = value.ErrMemoryBudget
		e.Msg = "memory budget exceeded: the WebAssembly memory cannot grow"
	}
	// The call chain: from the top function, follow each function's call
	// in progress down to the failing one.
	var stack []value.Frame
	fn := len(c.mod.funcs) - 1
	for range len(c.mod.funcs) {
		if fn == s.fn {
			break
		}
		cs := c.mod.sites[le.Uint32(mem[callSlots+4*fn:])]
		stack = append(stack, value.Frame{Func: c.mod.funcs[fn].Name, Pos: cs.pos})
		fn = cs.callee
	}
	for i := len(stack) - 1; i >= 0; i-- {
		e.Stack = append(e.Stack, stack[i])
	}
	return &value.RuntimeError{Msg: e.Msg, Pos: e.Pos, Func: e.Func, Stack: e.Stack, Cause: cause}
}
