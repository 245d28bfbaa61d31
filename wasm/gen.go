package wasm

import (
	"fmt"
	"math"

	"github.com/rose-go/rose/ir"
)

// The code generator turns an ir.Func and its callees into one module.
//
// Values: scalars (Real f64, Int i64, Bool i32, and the i32 addresses of
// references and tapes) live in Wasm locals, and so do small aggregates of
// scalars (one local per slot, see Options.RegSlots). Other aggregates live in
// linear memory in the evaluator's flat layout, 8 bytes per slot (Ints as
// their bits, Bools as 0 or 1, tapes as their header address). The IR has
// no recursion, so no function is ever active twice at once: every
// function's frame has a fixed address, and every aggregate of a function
// in memory is a constant address or, for an aggregate parameter, a
// pointer parameter plus a constant offset. Calls of small leaf functions
// are generated inline (see inlinable); other calls stay calls: aggregate
// arguments by pointer (an aggregate in locals through a frame copy), an
// aggregate result into a pointer the caller passes last.
//
// Memory map, from address 0: the failure record (see failRecord), the
// call-site slots (one i32 per function: the site of its call in
// progress, so that the engine can rebuild the call stack of a failure),
// the frames, the argument and result areas of the top function, then a
// bump heap for tapes, reset by every top-level call and grown on demand.

// mathProvider gives the function index of a math builtin by its IR op
// name (exp, log, ..., polygamma): MathLib, the builtins as functions of
// the module (math.go), the same algorithms as the evaluator's (package
// ir/mathx), so that both engines agree bit for bit.
type mathProvider interface {
	Func(name string) uint32
}

// mathOps are the operations done by a math builtin rather than inline.
var mathOps = map[ir.Op]bool{
	ir.OpExp: true, ir.OpLog: true, ir.OpSin: true, ir.OpCos: true, ir.OpTan: true,
	ir.OpAsin: true, ir.OpAcos: true, ir.OpAtan: true, ir.OpSinh: true, ir.OpCosh: true,
	ir.OpTanh: true, ir.OpRound: true, ir.OpPow: true, ir.OpAtan2: true,
	ir.OpLgamma: true, ir.OpLog1p: true, ir.OpExpm1: true, ir.OpErf: true, ir.OpCbrt: true,
	ir.OpPolygamma: true, ir.OpHypot: true,
}

// Failure codes, written to the failure record before a trap.
const (
	failIndex  = 1 + iota // a: index, b: length
	failDiv               // integer division by zero
	failMod               // integer modulo by zero
	failToInt             // a: the float's bits
	failShift             // a: the count
	failWhile             // a: the bound
	failTape              // a: the tape budget in slots
	failSteps             // a: the step budget
	failCancel            // the context is done
	failMemory            // memory.grow failed
)

// Fixed addresses.
const (
	failRecord = 0  // code i32 @0, site i32 @4, a i64 @8, b i64 @16
	zeroSlot   = 32 // 8 zero bytes: the state a tape records for an empty state
	callSlots  = 64 // i32 per function
)

// Globals.
const (
	gFuel     = iota // steps left before the next tick
	gNext            // step count at which the fuel runs out
	gMax             // the step budget, 0 for none
	gCheck           // 1 when the context can be cancelled
	gHeap            // the heap's first free byte
	gTapeUsed        // slots recorded on tapes in this call
	gTapeMax         // the most slots tapes may hold, 0 for no limit
)

// checkInterval is how many steps pass between looks at the context (the
// evaluator's interval, so that budgets fail at the same step).
const checkInterval = 4096

// site is a place that may fail or call: a function (index into
// module.funcs) and a source position, and for a call site the callee.
type site struct {
	fn     int
	pos    ir.Pos
	callee int
}

// module is a generated module with what the engine needs to call it.
type module struct {
	bin      []byte
	funcs    []*ir.Func // reachable functions, callees first; the last is the top
	sites    []site
	argOff   []uint32 // byte address of each top-level argument
	resOff   uint32   // byte address of the result
	heapBase uint32
	entries  []entryInfo // one per exported entry function (Build)
	imports  []string    // names of the functions imported from "rose"
}

// entryInfo is an exported entry function: its name, the index in
// module.funcs of the function it runs, and its argument and result areas.
type entryInfo struct {
	name   string
	fn     int
	argOff []uint32
	resOff uint32
}

type gen struct {
	m       *Module
	math    mathProvider
	funcs   []*ir.Func
	index   map[*ir.Func]int // position in funcs
	first   uint32           // function index of funcs[0]
	sites   []site
	siteIdx map[site]int32
	next    uint32 // next free static byte

	failFn, tickFn, allocFn, pushFn, startFn, doneImport uint32

	inl map[*ir.Func]bool // inlinable, by function
	opt Options
}

// Options tune the code generator between speed and size.
type Options struct {
	Inline     int  // the most instructions of a leaf function generated inline (0: none)
	Unroll     int  // the most slots an elementwise loop over memory is unrolled for
	CopyUnroll int  // the largest copy done slot by slot; larger ones use memory.copy
	RegSlots   int  // the largest aggregate of scalars kept in locals
	Names      bool // a name section (function names in stack traces)
	maxBlocks  int  // see CompileCheap (0: no limit)
}

// Fast is the setting of the in-process engine (Compile): inlining and
// unrolling for speed.
var Fast = Options{Inline: 400, Unroll: 64, CopyUnroll: 8, RegSlots: 16, Names: true}

// Small is the default setting of Build: smaller modules, somewhat slower.
var Small = Options{Inline: 0, Unroll: 0, CopyUnroll: 0, RegSlots: 16}

// limit on static memory (frames and argument areas), in bytes.
const maxStatic = 1 << 31

// generate compiles f and its callees into a module with one entry
// function, exported as "entry".
func generate(f *ir.Func) (*module, error) {
	return generateEntries([]Entry{{Name: "entry", Func: f}}, Fast)
}

// generateEntries compiles the functions of entries and their callees into
// one module that exports an entry function for each under its name.
func generateEntries(entries []Entry, opt Options) (*module, error) {
	g := &gen{m: &Module{}, index: map[*ir.Func]int{}, siteIdx: map[site]int32{}, opt: opt}
	for _, e := range entries {
		// Each list is callees first, so the union in this order is too.
		for _, fn := range ir.Reachable(e.Func) {
			if _, ok := g.index[fn]; ok {
				continue
			}
			if fn.Body == nil {
				return nil, fmt.Errorf("wasm: %s has no body", fn.Name)
			}
			g.index[fn] = len(g.funcs)
			g.funcs = append(g.funcs, fn)
		}
	}
	m := g.m
	// Imports first (the context poll), then the math builtins used, as
	// functions of the module.
	g.doneImport = uint32(len(m.Imports))
	m.Imports = append(m.Imports, Import{Module: "rose", Name: "done", Type: m.TypeIndex(FuncType{Results: []ValType{I32}})})
	var names []string
	seen := map[string]bool{}
	for _, fn := range g.funcs {
		ir.Walk(fn.Body, func(in *ir.Instr) {
			if mathOps[in.Op] && !seen[in.Op.String()] {
				seen[in.Op.String()] = true
				names = append(names, in.Op.String())
			}
		})
	}
	g.math = NewMathLib(m)
	for _, n := range names {
		g.math.Func(n)
	}
	base := uint32(len(m.Imports) + len(m.Funcs))
	// The runtime helpers, then the IR functions, then the entry.
	g.failFn, g.tickFn, g.allocFn, g.pushFn, g.startFn = base, base+1, base+2, base+3, base+4
	g.first = base + 5
	g.helpers()
	g.next = align8(callSlots + 4*uint32(len(g.funcs)))
	if opt.maxBlocks > 0 {
		// Each if and each call (its step count) opens at least one
		// block: a function over the limit is known before generating.
		for _, fn := range g.funcs {
			n := 0
			ir.Walk(fn.Body, func(in *ir.Instr) {
				if in.Op == ir.OpIf || in.Op == ir.OpCall {
					n++
				}
			})
			if n > opt.maxBlocks {
				return nil, fmt.Errorf("wasm: %s: %w", fn.Name, errCompileCost)
			}
		}
	}
	for _, fn := range g.funcs {
		if err := g.function(fn); err != nil {
			return nil, err
		}
	}
	mod := &module{funcs: g.funcs}
	// The argument and result areas first: every entry starts the heap
	// after all of them.
	for _, e := range entries {
		info, err := g.areas(e)
		if err != nil {
			return nil, err
		}
		mod.entries = append(mod.entries, info)
	}
	mod.heapBase = (g.next + 15) &^ 15
	for i, e := range entries {
		g.entry(e.Func, mod.entries[i], mod.heapBase)
		m.Exports = append(m.Exports, Export{Name: e.Name, Kind: ExportFunc, Index: uint32(len(m.Imports) + len(m.Funcs) - 1)})
	}
	mod.argOff, mod.resOff = mod.entries[0].argOff, mod.entries[0].resOff
	mod.sites = g.sites
	m.MinPages = mod.heapBase/65536 + 1
	m.Exports = append(m.Exports, Export{Name: "memory", Kind: ExportMemory, Index: 0})
	for _, im := range m.Imports {
		mod.imports = append(mod.imports, im.Name)
	}
	m.NoNames = !g.opt.Names
	mod.bin = m.Encode()
	return mod, nil
}

func align8(n uint32) uint32 { return (n + 7) &^ 7 }

// static reserves n bytes of static memory.
func (g *gen) static(n uint64) (uint32, error) {
	if uint64(g.next)+n > maxStatic {
		return 0, fmt.Errorf("wasm: the program needs more than %d bytes of frames", maxStatic)
	}
	a := g.next
	g.next = align8(g.next + uint32(n))
	return a, nil
}

// siteOf numbers a failure or call site.
func (g *gen) siteOf(fn int, pos ir.Pos, callee int) int32 {
	s := site{fn, pos, callee}
	if i, ok := g.siteIdx[s]; ok {
		return i
	}
	i := int32(len(g.sites))
	g.sites = append(g.sites, s)
	g.siteIdx[s] = i
	return i
}

// helpers adds fail, tick, alloc, push and start (see each).
func (g *gen) helpers() {
	m := g.m
	// fail(code i32, site i32, a i64, b i64): records, then traps.
	var c Code
	for i, op := range []byte{OpI32Store, OpI32Store, OpI64Store, OpI64Store} {
		c.I32Const(0)
		c.Idx(OpLocalGet, uint32(i))
		c.Mem(op, 2, uint32([]int{0, 4, 8, 16}[i]))
	}
	c.Op(OpUnreachable)
	m.Funcs = append(m.Funcs, Func{Type: m.TypeIndex(FuncType{Params: []ValType{I32, I32, I64, I64}}), Body: &c, Name: "rose.fail"})

	// tick(site i32): the fuel ran out, so the step count is gNext:
	// enforce the budget, poll the context, refill.
	var t Code
	t.Idx(OpGlobalGet, gMax)
	t.Op(OpI64Eqz, OpI32Eqz)
	t.Idx(OpGlobalGet, gNext)
	t.Idx(OpGlobalGet, gMax)
	t.Op(OpI64GtS, OpI32And)
	t.If(BlockVoid)
	t.I32Const(failSteps)
	t.Idx(OpLocalGet, 0)
	t.Idx(OpGlobalGet, gMax)
	t.I64Const(0)
	t.Idx(OpCall, g.failFn)
	t.End()
	t.Idx(OpGlobalGet, gCheck)
	t.If(BlockVoid)
	t.Idx(OpCall, g.doneImport)
	t.If(BlockVoid)
	t.I32Const(failCancel)
	t.Idx(OpLocalGet, 0)
	t.I64Const(0)
	t.I64Const(0)
	t.Idx(OpCall, g.failFn)
	t.End()
	t.End()
	// next' = next + interval, at most max + 1; fuel = next' - next.
	t.Idx(OpGlobalGet, gNext)
	t.I64Const(checkInterval)
	t.Op(OpI64Add)
	t.Idx(OpLocalSet, 1)
	t.Idx(OpGlobalGet, gMax)
	t.Op(OpI64Eqz, OpI32Eqz)
	t.Idx(OpLocalGet, 1)
	t.Idx(OpGlobalGet, gMax)
	t.I64Const(1)
	t.Op(OpI64Add, OpI64GtS, OpI32And)
	t.If(BlockVoid)
	t.Idx(OpGlobalGet, gMax)
	t.I64Const(1)
	t.Op(OpI64Add)
	t.Idx(OpLocalSet, 1)
	t.End()
	t.Idx(OpLocalGet, 1)
	t.Idx(OpGlobalGet, gNext)
	t.Op(OpI64Sub)
	t.Idx(OpGlobalSet, gFuel)
	t.Idx(OpLocalGet, 1)
	t.Idx(OpGlobalSet, gNext)
	m.Funcs = append(m.Funcs, Func{Type: m.TypeIndex(FuncType{Params: []ValType{I32}}), Locals: []ValType{I64}, Body: &t, Name: "rose.tick"})

	// alloc(n i32, site i32) i32: n bytes (a multiple of 16) from the heap.
	var a Code
	a.Idx(OpGlobalGet, gHeap)
	a.Idx(OpLocalSet, 2)
	a.Idx(OpLocalGet, 2)
	a.Idx(OpLocalGet, 0)
	a.Op(OpI32Add)
	a.Idx(OpLocalTee, 3)
	a.Idx(OpLocalGet, 2)
	a.Op(OpI32LtU) // wrapped around
	a.If(BlockVoid)
	a.I32Const(failMemory)
	a.Idx(OpLocalGet, 1)
	a.I64Const(0)
	a.I64Const(0)
	a.Idx(OpCall, g.failFn)
	a.End()
	a.Idx(OpLocalGet, 3)
	a.Idx(OpMemorySize, 0)
	a.I32Const(16)
	a.Op(OpI32Shl, OpI32GtU)
	a.If(BlockVoid)
	// grow by max(needed pages, current pages)
	a.Idx(OpLocalGet, 3)
	a.I32Const(65535)
	a.Op(OpI32Add)
	a.I32Const(16)
	a.Op(OpI32ShrU)
	a.Idx(OpMemorySize, 0)
	a.Op(OpI32Sub)
	a.Idx(OpLocalTee, 4)
	a.Idx(OpMemorySize, 0)
	a.Idx(OpLocalGet, 4)
	a.Idx(OpMemorySize, 0)
	a.Op(OpI32GtU, OpSelect)
	a.Idx(OpMemoryGrow, 0)
	a.I32Const(-1)
	a.Op(OpI32Eq)
	a.If(BlockVoid)
	a.Idx(OpLocalGet, 4)
	a.Idx(OpMemoryGrow, 0)
	a.I32Const(-1)
	a.Op(OpI32Eq)
	a.If(BlockVoid)
	a.I32Const(failMemory)
	a.Idx(OpLocalGet, 1)
	a.I64Const(0)
	a.I64Const(0)
	a.Idx(OpCall, g.failFn)
	a.End()
	a.End()
	a.End()
	a.Idx(OpLocalGet, 3)
	a.Idx(OpGlobalSet, gHeap)
	a.Idx(OpLocalGet, 2)
	m.Funcs = append(m.Funcs, Func{Type: m.TypeIndex(FuncType{Params: []ValType{I32, I32}, Results: []ValType{I32}}), Locals: []ValType{I32, I32, I32}, Body: &a, Name: "rose.alloc"})

	// push(hdr i32, src i32, n i32, site i32): appends n bytes to the
	// tape whose header (data @0, len @4, cap @8) is at hdr.
	var p Code
	const hdr, src, n, st, newcap, data = 0, 1, 2, 3, 4, 5
	get := func(i uint32) { p.Idx(OpLocalGet, i) }
	get(hdr)
	p.Mem(OpI32Load, 2, 4)
	get(n)
	p.Op(OpI32Add)
	get(hdr)
	p.Mem(OpI32Load, 2, 8)
	p.Op(OpI32GtU)
	p.If(BlockVoid)
	// newcap = max(2*cap, len+n, 256), rounded up to 16
	get(hdr)
	p.Mem(OpI32Load, 2, 8)
	p.I32Const(1)
	p.Op(OpI32Shl)
	p.Idx(OpLocalTee, newcap)
	get(hdr)
	p.Mem(OpI32Load, 2, 4)
	get(n)
	p.Op(OpI32Add)
	p.Idx(OpLocalTee, data)
	get(newcap)
	get(data)
	p.Op(OpI32GtU, OpSelect)
	p.Idx(OpLocalTee, newcap)
	p.I32Const(256)
	get(newcap)
	p.I32Const(256)
	p.Op(OpI32GtU, OpSelect)
	p.I32Const(15)
	p.Op(OpI32Add)
	p.I32Const(-16)
	p.Op(OpI32And)
	p.Idx(OpLocalTee, newcap)
	get(st)
	p.Idx(OpCall, g.allocFn)
	p.Idx(OpLocalTee, data)
	get(hdr)
	p.Mem(OpI32Load, 2, 0)
	get(hdr)
	p.Mem(OpI32Load, 2, 4)
	p.Op(OpMisc, MiscMemoryCopy, 0, 0)
	get(hdr)
	get(data)
	p.Mem(OpI32Store, 2, 0)
	get(hdr)
	get(newcap)
	p.Mem(OpI32Store, 2, 8)
	p.End()
	get(hdr)
	p.Mem(OpI32Load, 2, 0)
	get(hdr)
	p.Mem(OpI32Load, 2, 4)
	p.Op(OpI32Add)
	get(src)
	get(n)
	p.Op(OpMisc, MiscMemoryCopy, 0, 0)
	get(hdr)
	get(hdr)
	p.Mem(OpI32Load, 2, 4)
	get(n)
	p.Op(OpI32Add)
	p.Mem(OpI32Store, 2, 4)
	m.Funcs = append(m.Funcs, Func{Type: m.TypeIndex(FuncType{Params: []ValType{I32, I32, I32, I32}}), Locals: []ValType{I32, I32}, Body: &p, Name: "rose.push"})
	g.start()

	m.Globals = []Global{
		gFuel: {Type: I64, Mutable: true}, gNext: {Type: I64, Mutable: true}, gMax: {Type: I64, Mutable: true},
		gCheck: {Type: I32, Mutable: true}, gHeap: {Type: I32, Mutable: true},
		gTapeUsed: {Type: I64, Mutable: true}, gTapeMax: {Type: I64, Mutable: true},
	}
}

// valType is the Wasm type of a scalar-like IR type.
func valType(t *ir.Type) ValType {
	switch t.Kind {
	case ir.KReal:
		return F64
	case ir.KInt:
		return I64
	}
	return I32 // Bool, references, tapes
}

// inLocal reports whether values of type t live in a Wasm local.
func inLocal(t *ir.Type) bool { return t.Kind != ir.KArray && t.Kind != ir.KTuple }

// signature is the Wasm type of an IR function.
func signature(f *ir.Func) FuncType {
	var ft FuncType
	for _, p := range f.Params {
		t := f.Types[p]
		if inLocal(t) {
			ft.Params = append(ft.Params, valType(t))
		} else {
			ft.Params = append(ft.Params, I32)
		}
	}
	if r := f.Result(); inLocal(r) {
		ft.Results = []ValType{valType(r)}
	} else {
		ft.Params = append(ft.Params, I32)
	}
	return ft
}

// areas reserves the argument and result areas of entry e.
func (g *gen) areas(e Entry) (entryInfo, error) {
	info := entryInfo{name: e.Name, fn: g.index[e.Func]}
	for _, p := range e.Func.Params {
		a, err := g.static(uint64(e.Func.Types[p].Slots()) * 8)
		if err != nil {
			return info, err
		}
		info.argOff = append(info.argOff, a)
	}
	res, err := g.static(uint64(e.Func.Result().Slots()) * 8)
	info.resOff = res
	return info, err
}

// entry adds the exported function that runs f with its arguments in the
// argument area and its result in the result area of mod:
// entry(max i64, check i32, tapeMax i64). Each call starts the heap at
// heapBase (see start).
func (g *gen) entry(f *ir.Func, mod entryInfo, heapBase uint32) {
	var c Code
	c.Idx(OpLocalGet, 0)
	c.Idx(OpLocalGet, 1)
	c.Idx(OpLocalGet, 2)
	c.I32Const(int32(heapBase))
	c.Idx(OpCall, g.startFn)
	r := f.Result()
	res := mod.resOff
	if inLocal(r) {
		c.I32Const(int32(res))
	}
	for i, p := range f.Params {
		c.I32Const(int32(mod.argOff[i]))
		if t := f.Types[p]; inLocal(t) {
			loadKind(&c, t, 0)
		}
	}
	if !inLocal(r) {
		c.I32Const(int32(res))
	}
	c.Idx(OpCall, g.first+uint32(mod.fn))
	if inLocal(r) {
		storeKind(&c, r, 0)
	}
	g.m.Funcs = append(g.m.Funcs, Func{Type: g.m.TypeIndex(FuncType{Params: []ValType{I64, I32, I64}}), Body: &c, Name: "rose." + mod.name})
}

// start(max i64, check i32, tapeMax i64, heap i32) sets up the budgets and
// the heap for a top-level call, shared by the entry functions.
func (g *gen) start() {
	var c Code
	c.Idx(OpLocalGet, 0)
	c.Idx(OpGlobalSet, gMax)
	c.Idx(OpLocalGet, 1)
	c.Idx(OpGlobalSet, gCheck)
	c.Idx(OpLocalGet, 2)
	c.Idx(OpGlobalSet, gTapeMax)
	c.I64Const(0)
	c.Idx(OpGlobalSet, gTapeUsed)
	// The first tick comes at step min(interval, max+1); with neither a
	// budget nor a context to poll, never.
	c.Idx(OpLocalGet, 0)
	c.I64Const(1)
	c.Op(OpI64Add)
	c.I64Const(checkInterval)
	c.Idx(OpLocalGet, 0)
	c.Op(OpI64Eqz, OpI32Eqz)
	c.Idx(OpLocalGet, 0)
	c.I64Const(checkInterval)
	c.Op(OpI64LtS, OpI32And, OpSelect)
	c.Idx(OpLocalTee, 4)
	c.Idx(OpGlobalSet, gNext)
	// fuel = (max == 0 && !check) ? MaxInt64 : next
	c.I64Const(math.MaxInt64)
	c.Idx(OpLocalGet, 4)
	c.Idx(OpLocalGet, 0)
	c.Op(OpI64Eqz)
	c.Idx(OpLocalGet, 1)
	c.Op(OpI32Eqz, OpI32And, OpSelect)
	c.Idx(OpGlobalSet, gFuel)
	c.Idx(OpLocalGet, 3)
	c.Idx(OpGlobalSet, gHeap)
	g.m.Funcs = append(g.m.Funcs, Func{Type: g.m.TypeIndex(FuncType{Params: []ValType{I64, I32, I64, I32}}), Locals: []ValType{I64}, Body: &c, Name: "rose.start"})
}

// loadKind loads a scalar of type t from the address on the stack (plus
// off) in the slot layout.
func loadKind(c *Code, t *ir.Type, off uint32) {
	switch t.Kind {
	case ir.KReal:
		c.Mem(OpF64Load, 3, off)
	case ir.KInt:
		c.Mem(OpI64Load, 3, off)
	default:
		c.Mem(OpI64Load, 3, off)
		c.Op(OpI32WrapI64)
	}
}

// storeKind stores the scalar of type t on the stack at the address below
// it (plus off).
func storeKind(c *Code, t *ir.Type, off uint32) {
	switch t.Kind {
	case ir.KReal:
		c.Mem(OpF64Store, 3, off)
	case ir.KInt:
		c.Mem(OpI64Store, 3, off)
	default:
		c.Op(OpI64ExtendI32U)
		c.Mem(OpI64Store, 3, off)
	}
}
