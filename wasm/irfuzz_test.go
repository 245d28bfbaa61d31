package wasm_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/rose-go/rose/ad"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
	"github.com/rose-go/rose/wasm"
)

// FuzzIR decodes each input into a program of random but verified IR (see
// irGen), compiles it to WebAssembly and runs it, and its JVP and VJP, in
// both engines on generated arguments (and tangents and a cotangent) under
// a step and memory budget: the generated IR and the derivatives must
// verify, wazero must accept every module, and results (bit for bit, the
// math builtins included: package value documents them as the same
// algorithms in both engines; any two NaNs agree) and errors must agree
// with the evaluator's.
//
// Each program is compiled twice: with the engine's setting (wasm.Fast,
// which inlines every call the generator makes) and with a second setting
// the input picks (no inlining, no aggregates in locals, ...), so that the
// code generator's other paths are exercised too.
func FuzzIR(f *testing.F) {
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if msg := irCheck(data); msg != "" {
			t.Fatal(msg)
		}
	})
}

// irCheck runs the checks of FuzzIR on one input and describes the first
// failure, or returns "".
func irCheck(data []byte) string {
	p := genProgram(data)
	for _, fn := range ir.Reachable(p.top) {
		if err := ir.Verify(fn); err != nil {
			return fmt.Sprintf("generator made invalid IR: %v\n%s", err, p)
		}
	}
	if msg := p.check(p.top, p.args); msg != "" {
		return msg
	}
	tr := ad.NewTransformer()
	if jvp, err := tr.JVP(p.top); err == nil {
		if msg := p.checkDerivative("JVP", jvp, p.tangents); msg != "" {
			return msg
		}
	}
	if vjp, err := tr.VJP(p.top); err == nil { // else a construct reverse mode reports as unsupported
		if msg := p.checkDerivative("VJP", vjp, []value.Value{p.cotangent}); msg != "" {
			return msg
		}
	}
	return ""
}

// checkDerivative verifies a derivative of the top function and runs it on
// the arguments followed by extra.
func (p *irProgram) checkDerivative(what string, fn *ir.Func, extra []value.Value) string {
	for _, g := range ir.Reachable(fn) {
		if err := ir.Verify(g); err != nil {
			return fmt.Sprintf("%s made invalid IR: %v\n%s\n%s", what, err, p, fn)
		}
	}
	if msg := p.check(fn, append(append([]value.Value(nil), p.args...), extra...)); msg != "" {
		return fmt.Sprintf("%s\n%s:\n%s", msg, what, fn)
	}
	return ""
}

// altOptions are the second code generator settings FuzzIR compiles with.
var altOptions = []wasm.Options{
	wasm.Small,
	{Inline: 0, Unroll: 0, CopyUnroll: 0, RegSlots: 0},
	{Inline: 400, Unroll: 64, CopyUnroll: 8, RegSlots: 0},
	{Inline: 6, Unroll: 2, CopyUnroll: 2, RegSlots: 3},
}

// check runs fn on args in the evaluator and in both compilations and
// describes how they disagree, with the program, or returns "".
func (p *irProgram) check(fn *ir.Func, args []value.Value) string {
	ctx := context.Background()
	code, err := eval.Compile(fn)
	if err != nil {
		return fmt.Sprintf("eval.Compile(%s): %v\n%s", fn.Name, err, p)
	}
	want, werr := code.Call(ctx, args, p.opts)
	for k, opt := range []wasm.Options{wasm.Fast, altOptions[p.alt]} {
		var c *wasm.Compiled
		if k == 0 {
			c, err = wasm.Compile(fn)
		} else {
			c, err = wasm.CompileWith(fn, opt)
		}
		if err != nil {
			return fmt.Sprintf("wasm.Compile(%s) with %+v: %v\n%s", fn.Name, opt, err, p)
		}
		// Twice: the second call reuses the instance of the first, and
		// its memory as the first left it.
		for run := range 2 {
			got, gerr := c.Call(ctx, args, p.opts)
			if msg := compareRuns(want, werr, got, gerr); msg != "" {
				c.Close()
				return fmt.Sprintf("%s with %+v, call %d: %s\n%s", fn.Name, opt, run+1, msg, p)
			}
		}
		c.Close()
	}
	return ""
}

// compareRuns describes how two runs differ, or returns "".
func compareRuns(want value.Value, werr error, got value.Value, gerr error) string {
	if (werr == nil) != (gerr == nil) {
		return fmt.Sprintf("eval error %v, wasm error %v (eval %v, wasm %v)", werr, gerr, want, got)
	}
	if werr != nil {
		if werr.Error() != gerr.Error() {
			return fmt.Sprintf("errors differ:\neval: %v\nwasm: %v", werr, gerr)
		}
		for _, target := range []error{value.ErrStepBudget, value.ErrMemoryBudget} {
			if errors.Is(werr, target) != errors.Is(gerr, target) {
				return fmt.Sprintf("errors.Is(%v): eval %v, wasm %v", target, errors.Is(werr, target), errors.Is(gerr, target))
			}
		}
		return ""
	}
	if !sameBits(want, got) {
		return fmt.Sprintf("results differ:\neval: %v\nwasm: %v", want, got)
	}
	return ""
}

// sameBits compares two values bit for bit, except that any two NaNs are
// the same: WebAssembly leaves the payload and sign of a NaN that
// arithmetic produces unspecified.
func sameBits(a, b value.Value) bool {
	if a.Kind() != b.Kind() || a.Len() != b.Len() {
		return false
	}
	switch a.Kind() {
	case ir.KReal:
		x, y := a.Real(), b.Real()
		return math.Float64bits(x) == math.Float64bits(y) || math.IsNaN(x) && math.IsNaN(y)
	case ir.KArray, ir.KTuple:
		for i := range a.Len() {
			if !sameBits(a.Elem(i), b.Elem(i)) {
				return false
			}
		}
		return true
	}
	return value.Equal(a, b)
}

// irProgram is what genProgram decodes from an input: functions (the last
// is the top one), the top function's arguments, tangents for its JVP and
// a cotangent for its VJP, the budgets and the second code generator
// setting (an index into altOptions).
type irProgram struct {
	funcs     []*ir.Func
	top       *ir.Func
	args      []value.Value
	tangents  []value.Value
	cotangent value.Value
	opts      *eval.Options
	alt       int
}

func (p *irProgram) String() string {
	var sb strings.Builder
	for _, fn := range p.funcs {
		sb.WriteString(fn.String())
		sb.WriteString("\n")
	}
	fmt.Fprintf(&sb, "args:")
	for i, a := range p.args {
		fmt.Fprintf(&sb, " %s", value.Format(a, p.top.Types[p.top.Params[i]]))
	}
	fmt.Fprintf(&sb, "\nMaxSteps %d, MaxMemory %d, alt %+v", p.opts.MaxSteps, p.opts.MaxMemory, altOptions[p.alt])
	return sb.String()
}

// irBytes is an input read as a stream of choices. Past its end every
// choice is 0, and choice 0 is always the simplest one (reuse a variable,
// a constant), so that a short input is a small program.
type irBytes struct {
	data []byte
	pos  int
}

func (s *irBytes) byte() byte {
	if s.pos >= len(s.data) {
		return 0
	}
	b := s.data[s.pos]
	s.pos++
	return b
}

// n is a choice in [0, k).
func (s *irBytes) n(k int) int {
	if k <= 1 {
		return 0
	}
	if k <= 256 {
		return int(s.byte()) % k
	}
	return (int(s.byte())<<8 | int(s.byte())) % k
}

func (s *irBytes) u64() uint64 {
	var x uint64
	for range 8 {
		x = x<<8 | uint64(s.byte())
	}
	return x
}

// irReals are the Real constants and arguments a byte picks, by index.
var irReals = []float64{
	0, 1, 0.5, -1, 2, 3, -0.75, 0.1, 1.5, -2.5, 10, 0.3, -3, 4, 0.9, -0.1,
	math.Copysign(0, -1), math.Pi, 100, 1e-3, -1e6, 709.5, -745.5, 1e300, -1e300,
	1e-310, 5e-324, math.MaxFloat64, math.SmallestNonzeroFloat64 * 3, 1 + 0x1p-52,
	0.49999999999999994, 2.5, -0.5, 9007199254740993, 1e19, -9.3e18, 0x1p63, -0x1p63,
	math.Inf(1), math.Inf(-1), math.NaN(), 1e-8, 20, -20, 0.7853981633974483, 1e16,
}

// irInts are the Int constants and arguments a byte picks, by index.
var irInts = []int64{
	0, 1, 2, 3, -1, 4, 5, -2, 7, 10, -7, 63, 64, -64, 100, 1 << 31, -(1 << 31),
	1 << 32, 1 << 62, math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, 6, 13, -13, 255,
}

func (s *irBytes) real() float64 {
	b := s.byte()
	switch {
	case b < 224:
		return irReals[int(b)%len(irReals)]
	case b < 240:
		return float64(int(b)-232) / 4
	}
	return math.Float64frombits(s.u64())
}

func (s *irBytes) int() int64 {
	b := s.byte()
	if b < 240 {
		return irInts[int(b)%len(irInts)]
	}
	return int64(s.u64())
}

// value generates a value of type t.
func (s *irBytes) value(t *ir.Type) value.Value {
	switch t.Kind {
	case ir.KReal:
		return value.Real(s.real())
	case ir.KInt:
		return value.Int(s.int())
	case ir.KBool:
		return value.Bool(s.n(2) == 1)
	case ir.KArray:
		e := make([]value.Value, t.Len)
		for i := range e {
			e[i] = s.value(t.Elem)
		}
		return value.Array(e...)
	}
	e := make([]value.Value, len(t.Elems))
	for i := range e {
		e[i] = s.value(t.Elems[i])
	}
	return value.Tuple(e...)
}

// tangent generates a tangent of type t: its Reals are 1 past the end of
// the input.
func (s *irBytes) tangent(t *ir.Type) value.Value {
	switch t.Kind {
	case ir.KReal:
		if s.pos >= len(s.data) {
			return value.Real(1)
		}
		return value.Real(s.real())
	case ir.KArray:
		e := make([]value.Value, t.Len)
		for i := range e {
			e[i] = s.tangent(t.Elem)
		}
		return value.Array(e...)
	}
	e := make([]value.Value, len(t.Elems))
	for i := range e {
		e[i] = s.tangent(t.Elems[i])
	}
	return value.Tuple(e...)
}

// The scalar operations by class, from the op table, so that an operation
// added to the table is generated without a change here.
var irOpsByClass = func() map[ir.Class][]ir.Op {
	m := map[ir.Class][]ir.Op{}
	for _, op := range ir.Ops() {
		if c := op.Info().Class; c != ir.ClassOther && c != ir.ClassNone {
			m[c] = append(m[c], op)
		}
	}
	return m
}()

// The operations on Reals and on Ints, by arity.
var (
	irRealUnary  = append(append([]ir.Op(nil), irOpsByClass[ir.ClassReal1]...), irOpsByClass[ir.ClassNum1]...)
	irRealBinary = append(append([]ir.Op(nil), irOpsByClass[ir.ClassReal2]...), irOpsByClass[ir.ClassNum2]...)
	irIntBinary  = append(append([]ir.Op(nil), irOpsByClass[ir.ClassNum2]...), irOpsByClass[ir.ClassInt2]...)
)

// Limits of the generator.
const (
	irMaxDepth  = 5 // nesting of generated expressions
	irMaxFuncs  = 4
	irMaxParams = 4
	irMaxTrips  = 5 // trip counts and while bounds are below this
)

// genProgram decodes data into a program, the top function's arguments,
// budgets and a second code generator setting.
func genProgram(data []byte) *irProgram {
	s := &irBytes{data: data}
	g := &irGen{s: s}
	n := 1 + s.n(irMaxFuncs)
	for i := range n {
		name := fmt.Sprintf("f%d", i)
		if i == n-1 {
			name = "main"
		}
		g.funcs = append(g.funcs, g.function(name, i == n-1))
	}
	p := &irProgram{funcs: g.funcs, top: g.funcs[n-1]}
	for _, v := range p.top.Params {
		p.args = append(p.args, s.value(p.top.Types[v]))
	}
	p.opts = &eval.Options{MaxSteps: 1 << 14, MaxMemory: 1 << 24}
	if s.n(6) == 1 {
		p.opts.MaxSteps = int64(1 + s.n(40))
	}
	if s.n(6) == 1 {
		p.opts.MaxMemory = int64(64 + s.n(4096))
	}
	p.alt = s.n(len(altOptions))
	for _, v := range p.top.Params {
		p.tangents = append(p.tangents, s.tangent(ad.Tangent(p.top.Types[v])))
	}
	p.cotangent = s.tangent(ad.Tangent(p.top.Result()))
	return p
}

// irGen generates the functions of a program; each may call those before
// it. Every choice is read from the input, and every function verifies by
// construction: values are made for a type asked for (fnGen.gen), either
// a visible variable of that type or an instruction that yields it, whose
// operands are asked for in turn, up to a depth and an instruction
// budget, after which only visible variables and constants are used.
//
// Types are Real, Int and Bool, arrays of up to four elements (rarely
// none or up to 64) and tuples of up to three fields, nested twice. Values come from
// every scalar operation of the op table by class (so a new operation is
// generated without a change here), constants (of aggregates of Reals
// too), if with two arms, for, loop and scan of up to four trips, while
// and whilescan (counted, or with a generated condition and a bound),
// index and update (indices mostly in range: constants, loop indices,
// loop indices plus constants), tuple and field, calls, accumulators
// (accum, refindex, reffield, accadd in any block, resolve), tapelen and
// tapeindex of the tapes of whilescans, add, sub and neg of aggregates of
// Reals, scale and dot. Blocks begin with a few statements whose values
// later instructions may use (or not: dead code is generated too).
//
// Not generated: custom JVPs and derivative references (Func.CustomJVP,
// Func.Deriv), tapes as parameters or results, recursion (invalid), arrays
// of more than 64 elements and trip counts above four (but for arrays made
// by for and while loops bounded only by the step budget).
type irGen struct {
	s     *irBytes
	funcs []*ir.Func
	pos   ir.Pos // the next source position: every instruction has its own
}

// typ generates a type without references or tapes.
func (g *irGen) typ(depth int) *ir.Type {
	s := g.s
	k := s.n(16)
	switch {
	case depth >= 2 || k < 10:
		return []*ir.Type{ir.Real, ir.Int, ir.Bool, ir.Real}[k%4]
	case k < 14:
		return ir.ArrayOf(g.length(), g.typ(depth+1))
	}
	elems := make([]*ir.Type, s.n(4))
	for i := range elems {
		elems[i] = g.typ(depth + 1)
	}
	return ir.TupleOf(elems...)
}

// length generates an array length: 1 to 4, rarely 0 (every index of
// such an array fails) or up to 64 (past the code generator's unrolling
// and copying limits, so that wasm.Fast loops over memory too).
func (g *irGen) length() int {
	k := g.s.n(4*(irMaxTrips-1) + 1)
	if k == 4*(irMaxTrips-1) {
		if g.s.n(2) == 0 {
			return 0
		}
		return irMaxTrips + g.s.n(65-irMaxTrips)
	}
	return 1 + k%(irMaxTrips-1)
}

// realType generates an all-Real type.
func (g *irGen) realType(depth int) *ir.Type {
	s := g.s
	k := s.n(8)
	switch {
	case depth >= 2 || k < 4:
		return ir.Real
	case k < 7:
		return ir.ArrayOf(g.length(), g.realType(depth+1))
	}
	elems := make([]*ir.Type, s.n(3))
	for i := range elems {
		elems[i] = g.realType(depth + 1)
	}
	return ir.TupleOf(elems...)
}

// function generates one function; the top one mostly returns a Real, so
// that its VJP is tested too.
func (g *irGen) function(name string, top bool) *ir.Func {
	s := g.s
	fg := &fnGen{g: g, s: s, b: ir.NewBuilder(name, g.pos), trips: map[ir.Var]int{}}
	g.pos++
	fg.scopes = [][]ir.Var{nil}
	for range s.n(irMaxParams + 1) {
		fg.declare(fg.b.Param(g.typ(0)))
	}
	rt := g.typ(0)
	if top && s.n(4) != 3 {
		rt = ir.Real
	}
	fg.budget = 4 + s.n(32)
	if top {
		fg.budget = 16 + s.n(64)
	}
	fg.stmts(0)
	return fg.b.Finish(fg.gen(rt, 0))
}

// fnGen generates the body of one function. scopes parallels the
// builder's open blocks: the variables each defines, all visible.
type fnGen struct {
	g      *irGen
	s      *irBytes
	b      *ir.Builder
	scopes [][]ir.Var
	budget int // instructions left before only leaves are generated

	trips map[ir.Var]int // loop indices: the trip count of their loop
}

func (fg *fnGen) declare(v ir.Var) {
	n := len(fg.scopes) - 1
	fg.scopes[n] = append(fg.scopes[n], v)
}

// emit appends an instruction with its own position.
func (fg *fnGen) emit(t *ir.Type, in ir.Instr) ir.Var {
	fg.b.Pos = fg.g.pos
	fg.g.pos++
	v := fg.b.Emit(t, in)
	fg.declare(v)
	fg.budget--
	return v
}

// begin opens a block with parameters of the given types.
func (fg *fnGen) begin(params ...*ir.Type) []ir.Var {
	_, ps := fg.b.Begin(params...)
	fg.scopes = append(fg.scopes, append([]ir.Var(nil), ps...))
	return ps
}

// end closes the innermost block with result r.
func (fg *fnGen) end(r ir.Var) *ir.Block {
	fg.scopes = fg.scopes[:len(fg.scopes)-1]
	return fg.b.End(r)
}

// block generates a block's statements and its result of type t.
func (fg *fnGen) block(t *ir.Type, depth int, params ...*ir.Type) *ir.Block {
	fg.begin(params...)
	fg.stmts(depth)
	return fg.end(fg.gen(t, depth))
}

// loopBody is block for the body of a loop of n trips, whose first
// parameter is the index (and the state of type state, if not nil).
func (fg *fnGen) loopBody(t *ir.Type, depth int, n int, state ...*ir.Type) *ir.Block {
	ps := fg.begin(append([]*ir.Type{ir.Int}, state...)...)
	fg.trips[ps[0]] = n
	fg.stmts(depth)
	return fg.end(fg.gen(t, depth))
}

// visible lists the visible variables that satisfy ok.
func (fg *fnGen) visible(ok func(t *ir.Type) bool) []ir.Var {
	var vs []ir.Var
	for _, sc := range fg.scopes {
		for _, v := range sc {
			if ok(fg.b.Type(v)) {
				vs = append(vs, v)
			}
		}
	}
	return vs
}

// pick chooses one of vs, half the time among the latest three, so that
// values often flow straight into the next instructions.
func (fg *fnGen) pick(vs []ir.Var) ir.Var {
	k := fg.s.n(2 * len(vs))
	if k >= len(vs) {
		k = len(vs) - 1 - (k-len(vs))%3
		k = max(k, 0)
	}
	return vs[k]
}

// producer is one way of making a value, with its weight.
type producer struct {
	w int
	f func() ir.Var
}

// choose runs one of ps, by weight; choice 0 is the first.
func (fg *fnGen) choose(ps []producer) ir.Var {
	total := 0
	for _, p := range ps {
		total += p.w
	}
	k := fg.s.n(total)
	for _, p := range ps {
		if k < p.w {
			return p.f()
		}
		k -= p.w
	}
	panic("unreachable")
}

// stmts generates a few instructions whose values later ones may use:
// values of random types, accumulators and additions into them.
func (fg *fnGen) stmts(depth int) {
	s := fg.s
	for range s.n(4) {
		if fg.budget <= 0 || depth >= irMaxDepth {
			return
		}
		refs := fg.visible(func(t *ir.Type) bool { return t.Kind == ir.KRef })
		switch k := s.n(10); {
		case k < 4 && len(refs) > 0:
			r := fg.subRef(fg.pick(refs), depth)
			x := fg.gen(fg.b.Type(r).Elem, depth+1)
			fg.emit(ir.TupleOf(), ir.Instr{Op: ir.OpAccAdd, Args: []ir.Var{r, x}})
		case k < 5:
			fg.accum(fg.g.realType(0), depth)
		default:
			fg.gen(fg.g.typ(0), depth+1)
		}
	}
}

// accum makes an accumulator of type t.
func (fg *fnGen) accum(t *ir.Type, depth int) ir.Var {
	in := ir.Instr{Op: ir.OpAccum}
	if fg.s.n(2) == 1 {
		in.Args = []ir.Var{fg.gen(t, depth+1)}
	}
	return fg.emit(ir.RefOf(t), in)
}

// subRef is r or a reference into what r points to.
func (fg *fnGen) subRef(r ir.Var, depth int) ir.Var {
	for fg.s.n(2) == 1 {
		t := fg.b.Type(r).Elem
		switch {
		case t.Kind == ir.KArray && t.Len > 0:
			r = fg.emit(ir.RefOf(t.Elem), ir.Instr{Op: ir.OpRefIndex, Args: []ir.Var{r, fg.index(t.Len, depth+1)}})
		case t.Kind == ir.KTuple && len(t.Elems) > 0:
			k := fg.s.n(len(t.Elems))
			r = fg.emit(ir.RefOf(t.Elems[k]), ir.Instr{Op: ir.OpRefField, Args: []ir.Var{r}, N: k})
		default:
			return r
		}
	}
	return r
}

// index generates an Int for indexing n elements: mostly in range.
func (fg *fnGen) index(n int, depth int) ir.Var {
	ints := fg.visible(func(t *ir.Type) bool { return t.Kind == ir.KInt })
	var loops []ir.Var // indices of loops of at most n trips
	for _, v := range ints {
		if k, ok := fg.trips[v]; ok && k <= n {
			loops = append(loops, v)
		}
	}
	ps := []producer{
		{10, func() ir.Var { return fg.constInt(int64(fg.s.n(max(n, 1)))) }},
		{1, func() ir.Var { return fg.constInt(int64(n)) }},
		{1, func() ir.Var { return fg.gen(ir.Int, depth+1) }},
	}
	if len(loops) > 0 {
		ps = append(ps, producer{8, func() ir.Var { return fg.pick(loops) }})
	}
	if len(ints) > 0 {
		ps = append(ps,
			producer{1, func() ir.Var { return fg.pick(ints) }},
			producer{3, func() ir.Var {
				// An affine index, as the code generator recognises: in
				// range when added to a loop index, unless it subtracts.
				v, c, op := fg.pick(ints), int64(fg.s.n(3)), ir.OpAdd
				if len(loops) > 0 {
					v = fg.pick(loops)
					c = int64(fg.s.n(n - fg.trips[v] + 1))
				}
				if fg.s.n(4) == 0 {
					op = ir.OpSub
				}
				return fg.emit(ir.Int, ir.Instr{Op: op, Args: []ir.Var{v, fg.constInt(c)}})
			}})
	}
	return fg.choose(ps)
}

// gen generates a variable of type t: a visible one or a new one.
func (fg *fnGen) gen(t *ir.Type, depth int) ir.Var {
	s := fg.s
	same := fg.visible(func(u *ir.Type) bool { return ir.Identical(u, t) })
	leaf := fg.budget <= 0 || depth >= irMaxDepth
	if len(same) > 0 && (leaf || depth > 0 && s.n(8) < min(depth+1, 4)) {
		return fg.pick(same)
	}
	if leaf {
		return fg.leaf(t)
	}
	d := depth + 1
	ps := []producer{{2, func() ir.Var { return fg.leaf(t) }}}
	add := func(w int, f func() ir.Var) { ps = append(ps, producer{w, f}) }

	// Any type.
	add(2, func() ir.Var { return fg.ifElse(t, d) })
	add(2, func() ir.Var { return fg.loop(t, d) })
	add(1, func() ir.Var { return fg.scan(t, d) })
	add(2, func() ir.Var { return fg.while(t, d) })
	add(2, func() ir.Var { return fg.indexOf(t, d) })
	add(2, func() ir.Var { return fg.fieldOf(t, d) })
	if callees := fg.callees(t); len(callees) > 0 {
		add(4, func() ir.Var {
			c := callees[s.n(len(callees))]
			args := make([]ir.Var, len(c.Params))
			for i, p := range c.Params {
				args[i] = fg.gen(c.Types[p], d)
			}
			return fg.emit(t, ir.Instr{Op: ir.OpCall, Callee: c, Args: args})
		})
	}
	if tapes := fg.visible(func(u *ir.Type) bool { return u.Kind == ir.KTape && ir.Identical(u.Elem, t) }); len(tapes) > 0 {
		add(2, func() ir.Var {
			tp := fg.pick(tapes)
			var i ir.Var
			if s.n(2) == 0 {
				n := fg.emit(ir.Int, ir.Instr{Op: ir.OpTapeLen, Args: []ir.Var{tp}})
				i = fg.emit(ir.Int, ir.Instr{Op: ir.OpSub, Args: []ir.Var{n, fg.constInt(int64(1 + s.n(2)))}})
			} else {
				i = fg.index(2, d)
			}
			return fg.emit(t, ir.Instr{Op: ir.OpTapeIndex, Args: []ir.Var{tp, i}})
		})
	}
	if t.AllReal() {
		add(1, func() ir.Var { return fg.resolve(t, d) })
	}
	if t.AllReal() && !t.IsScalar() {
		add(2, func() ir.Var {
			op := []ir.Op{ir.OpAdd, ir.OpSub}[s.n(2)]
			return fg.emit(t, ir.Instr{Op: op, Args: []ir.Var{fg.gen(t, d), fg.gen(t, d)}})
		})
		add(1, func() ir.Var { return fg.emit(t, ir.Instr{Op: ir.OpNeg, Args: []ir.Var{fg.gen(t, d)}}) })
	}
	if t.AllReal() {
		add(1, func() ir.Var {
			return fg.emit(t, ir.Instr{Op: ir.OpScale, Args: []ir.Var{fg.gen(ir.Real, d), fg.gen(t, d)}})
		})
	}

	switch t.Kind {
	case ir.KReal:
		add(6, func() ir.Var {
			op := irRealUnary[s.n(len(irRealUnary))]
			in := ir.Instr{Op: op, Args: []ir.Var{fg.gen(ir.Real, d)}}
			if op == ir.OpPolygamma {
				in.I = int64(s.n(4))
			}
			return fg.emit(ir.Real, in)
		})
		add(6, func() ir.Var {
			op := irRealBinary[s.n(len(irRealBinary))]
			return fg.emit(ir.Real, ir.Instr{Op: op, Args: []ir.Var{fg.gen(ir.Real, d), fg.gen(ir.Real, d)}})
		})
		add(2, func() ir.Var {
			ops := irOpsByClass[ir.ClassIntToReal]
			return fg.emit(ir.Real, ir.Instr{Op: ops[s.n(len(ops))], Args: []ir.Var{fg.gen(ir.Int, d)}})
		})
		add(1, func() ir.Var {
			at := fg.g.realType(0)
			return fg.emit(ir.Real, ir.Instr{Op: ir.OpDot, Args: []ir.Var{fg.gen(at, d), fg.gen(at, d)}})
		})
	case ir.KInt:
		add(3, func() ir.Var {
			ops := irOpsByClass[ir.ClassNum1]
			return fg.emit(ir.Int, ir.Instr{Op: ops[s.n(len(ops))], Args: []ir.Var{fg.gen(ir.Int, d)}})
		})
		add(6, func() ir.Var {
			op := irIntBinary[s.n(len(irIntBinary))]
			x := fg.gen(ir.Int, d)
			var y ir.Var
			switch {
			case (op == ir.OpShl || op == ir.OpShr) && s.n(4) != 0:
				y = fg.constInt(int64(s.n(64)))
			case (op == ir.OpDiv || op == ir.OpMod) && s.n(4) != 0:
				y = fg.constInt(int64(s.n(9) - 4))
			default:
				y = fg.gen(ir.Int, d)
			}
			return fg.emit(ir.Int, ir.Instr{Op: op, Args: []ir.Var{x, y}})
		})
		add(2, func() ir.Var {
			ops := irOpsByClass[ir.ClassRealToInt]
			return fg.emit(ir.Int, ir.Instr{Op: ops[s.n(len(ops))], Args: []ir.Var{fg.gen(ir.Real, d)}})
		})
		if tapes := fg.visible(func(u *ir.Type) bool { return u.Kind == ir.KTape }); len(tapes) > 0 {
			add(2, func() ir.Var {
				return fg.emit(ir.Int, ir.Instr{Op: ir.OpTapeLen, Args: []ir.Var{fg.pick(tapes)}})
			})
		}
	case ir.KBool:
		add(6, func() ir.Var {
			ops := irOpsByClass[ir.ClassCmp]
			op := ops[s.n(len(ops))]
			ts := []*ir.Type{ir.Real, ir.Int}
			if op == ir.OpEq || op == ir.OpNe {
				ts = append(ts, ir.Bool)
			}
			at := ts[s.n(len(ts))]
			return fg.emit(ir.Bool, ir.Instr{Op: op, Args: []ir.Var{fg.gen(at, d), fg.gen(at, d)}})
		})
		add(2, func() ir.Var {
			ops := irOpsByClass[ir.ClassBool1]
			return fg.emit(ir.Bool, ir.Instr{Op: ops[s.n(len(ops))], Args: []ir.Var{fg.gen(ir.Bool, d)}})
		})
		add(3, func() ir.Var {
			ops := irOpsByClass[ir.ClassBool2]
			return fg.emit(ir.Bool, ir.Instr{Op: ops[s.n(len(ops))], Args: []ir.Var{fg.gen(ir.Bool, d), fg.gen(ir.Bool, d)}})
		})
	case ir.KArray:
		add(4, func() ir.Var {
			elems := make([]ir.Var, t.Len)
			for i := range elems {
				elems[i] = fg.gen(t.Elem, d)
			}
			return fg.emit(t, ir.Instr{Op: ir.OpArray, Args: elems})
		})
		add(5, func() ir.Var {
			body := fg.loopBody(t.Elem, d, t.Len)
			return fg.emit(t, ir.Instr{Op: ir.OpFor, N: t.Len, Blocks: []*ir.Block{body}})
		})
		add(5, func() ir.Var {
			a := fg.gen(t, d)
			i := fg.index(t.Len, d)
			return fg.emit(t, ir.Instr{Op: ir.OpUpdate, Args: []ir.Var{a, i, fg.gen(t.Elem, d)}})
		})
	case ir.KTuple:
		add(4, func() ir.Var {
			elems := make([]ir.Var, len(t.Elems))
			for i, e := range t.Elems {
				elems[i] = fg.gen(e, d)
			}
			return fg.emit(t, ir.Instr{Op: ir.OpTuple, Args: elems})
		})
	}
	return fg.choose(ps)
}

func (fg *fnGen) constInt(i int64) ir.Var {
	return fg.emit(ir.Int, ir.Instr{Op: ir.OpConst, I: i})
}

// leaf makes a value of type t from constants and visible variables.
func (fg *fnGen) leaf(t *ir.Type) ir.Var {
	s := fg.s
	switch t.Kind {
	case ir.KReal:
		return fg.emit(t, ir.Instr{Op: ir.OpConst, F: s.real()})
	case ir.KInt:
		return fg.constInt(s.int())
	case ir.KBool:
		return fg.emit(t, ir.Instr{Op: ir.OpConst, I: int64(s.n(2))})
	}
	if t.AllReal() && s.n(3) == 1 {
		return fg.emit(t, ir.Instr{Op: ir.OpConst, F: s.real()}) // every slot F
	}
	if t.Kind == ir.KArray {
		elems := make([]ir.Var, t.Len)
		for i := range elems {
			elems[i] = fg.gen(t.Elem, irMaxDepth)
		}
		return fg.emit(t, ir.Instr{Op: ir.OpArray, Args: elems})
	}
	elems := make([]ir.Var, len(t.Elems))
	for i, e := range t.Elems {
		elems[i] = fg.gen(e, irMaxDepth)
	}
	return fg.emit(t, ir.Instr{Op: ir.OpTuple, Args: elems})
}

// ifElse makes an OpIf with two generated arms.
func (fg *fnGen) ifElse(t *ir.Type, d int) ir.Var {
	c := fg.gen(ir.Bool, d)
	then := fg.block(t, d)
	els := fg.block(t, d)
	return fg.emit(t, ir.Instr{Op: ir.OpIf, Args: []ir.Var{c}, Blocks: []*ir.Block{then, els}})
}

// loop makes an OpLoop with state t.
func (fg *fnGen) loop(t *ir.Type, d int) ir.Var {
	init := fg.gen(t, d)
	n := fg.s.n(irMaxTrips)
	body := fg.loopBody(t, d, n, t)
	return fg.emit(t, ir.Instr{Op: ir.OpLoop, Args: []ir.Var{init}, N: n, Blocks: []*ir.Block{body}})
}

// scan makes an OpScan and takes its final state, or its states when t is
// an array.
func (fg *fnGen) scan(t *ir.Type, d int) ir.Var {
	st, n, field := t, fg.s.n(irMaxTrips), 1
	if t.Kind == ir.KArray && fg.s.n(2) == 0 {
		st, n, field = t.Elem, t.Len, 0
	}
	init := fg.gen(st, d)
	body := fg.loopBody(st, d, n, st)
	r := fg.emit(ir.TupleOf(ir.ArrayOf(n, st), st), ir.Instr{Op: ir.OpScan, Args: []ir.Var{init}, N: n, Blocks: []*ir.Block{body}})
	return fg.emit(t, ir.Instr{Op: ir.OpField, Args: []ir.Var{r}, N: field})
}

// while makes an OpWhile or OpWhileScan: counted (its state a counter and
// a t, its condition the counter below a limit) or with a generated
// condition and a bound.
func (fg *fnGen) while(t *ir.Type, d int) ir.Var {
	s := fg.s
	scanned := s.n(6) == 0
	counted := s.n(4) != 0
	var st *ir.Type
	var init ir.Var
	var cond, body *ir.Block
	var bound int
	if counted {
		st = ir.TupleOf(ir.Int, t)
		init = fg.emit(st, ir.Instr{Op: ir.OpTuple, Args: []ir.Var{fg.constInt(int64(s.n(2))), fg.gen(t, d)}})
		limit := int64(s.n(irMaxTrips))
		ps := fg.begin(st)
		cnt := fg.emit(ir.Int, ir.Instr{Op: ir.OpField, Args: []ir.Var{ps[0]}, N: 0})
		c := fg.emit(ir.Bool, ir.Instr{Op: ir.OpLt, Args: []ir.Var{cnt, fg.constInt(limit)}})
		if s.n(4) == 0 {
			fg.emit(t, ir.Instr{Op: ir.OpField, Args: []ir.Var{ps[0]}, N: 1})
			c = fg.emit(ir.Bool, ir.Instr{Op: ir.OpAnd, Args: []ir.Var{c, fg.gen(ir.Bool, d)}})
		}
		cond = fg.end(c)
		ps = fg.begin(st)
		cnt = fg.emit(ir.Int, ir.Instr{Op: ir.OpField, Args: []ir.Var{ps[0]}, N: 0})
		fg.emit(t, ir.Instr{Op: ir.OpField, Args: []ir.Var{ps[0]}, N: 1})
		fg.stmts(d)
		x := fg.gen(t, d)
		next := fg.emit(ir.Int, ir.Instr{Op: ir.OpAdd, Args: []ir.Var{cnt, fg.constInt(1)}})
		body = fg.end(fg.emit(st, ir.Instr{Op: ir.OpTuple, Args: []ir.Var{next, x}}))
		bound = s.n(irMaxTrips + 2)
	} else {
		st = t
		init = fg.gen(t, d)
		cond = fg.block(ir.Bool, d, t)
		body = fg.block(t, d, t)
		bound = 1 + s.n(irMaxTrips)
		if s.n(8) == 0 {
			bound = 0 // only the step budget stops it
		}
	}
	op, rt := ir.OpWhile, st
	if scanned {
		op, rt = ir.OpWhileScan, ir.TupleOf(ir.TapeOf(st), st)
	}
	w := fg.emit(rt, ir.Instr{Op: op, Args: []ir.Var{init}, N: bound, Blocks: []*ir.Block{cond, body}})
	if scanned {
		fg.emit(ir.TapeOf(st), ir.Instr{Op: ir.OpField, Args: []ir.Var{w}, N: 0}) // for tapelen and tapeindex
		w = fg.emit(st, ir.Instr{Op: ir.OpField, Args: []ir.Var{w}, N: 1})
	}
	if counted {
		w = fg.emit(t, ir.Instr{Op: ir.OpField, Args: []ir.Var{w}, N: 1})
	}
	return w
}

// indexOf reads an element of type t from a visible or generated array.
func (fg *fnGen) indexOf(t *ir.Type, d int) ir.Var {
	s := fg.s
	arrs := fg.visible(func(u *ir.Type) bool { return u.Kind == ir.KArray && ir.Identical(u.Elem, t) })
	var a ir.Var
	if len(arrs) > 0 && s.n(2) == 0 {
		a = fg.pick(arrs)
	} else {
		n := 1 + s.n(irMaxTrips-1)
		if s.n(16) == 0 {
			n = 0
		}
		a = fg.gen(ir.ArrayOf(n, t), d)
	}
	return fg.emit(t, ir.Instr{Op: ir.OpIndex, Args: []ir.Var{a, fg.index(fg.b.Type(a).Len, d)}})
}

// fieldOf reads a field of type t from a visible or generated tuple.
func (fg *fnGen) fieldOf(t *ir.Type, d int) ir.Var {
	s := fg.s
	fieldsOf := func(u *ir.Type) []int {
		var ks []int
		if u.Kind == ir.KTuple {
			for k, e := range u.Elems {
				if ir.Identical(e, t) {
					ks = append(ks, k)
				}
			}
		}
		return ks
	}
	tups := fg.visible(func(u *ir.Type) bool { return len(fieldsOf(u)) > 0 })
	var tp ir.Var
	var k int
	if len(tups) > 0 && s.n(2) == 0 {
		tp = fg.pick(tups)
		ks := fieldsOf(fg.b.Type(tp))
		k = ks[s.n(len(ks))]
	} else {
		elems := make([]*ir.Type, 1+s.n(3))
		for i := range elems {
			elems[i] = fg.g.typ(1)
		}
		k = s.n(len(elems))
		elems[k] = t
		tp = fg.gen(ir.TupleOf(elems...), d)
	}
	return fg.emit(t, ir.Instr{Op: ir.OpField, Args: []ir.Var{tp}, N: k})
}

// callees lists the functions generated so far with result type t.
func (fg *fnGen) callees(t *ir.Type) []*ir.Func {
	var fs []*ir.Func
	for _, f := range fg.g.funcs {
		if ir.Identical(f.Result(), t) {
			fs = append(fs, f)
		}
	}
	return fs
}

// resolve reads a visible accumulator of type t, or a new one after a few
// statements that may add to it.
func (fg *fnGen) resolve(t *ir.Type, d int) ir.Var {
	refs := fg.visible(func(u *ir.Type) bool { return u.Kind == ir.KRef && ir.Identical(u.Elem, t) })
	var r ir.Var
	if len(refs) > 0 && fg.s.n(3) != 0 {
		r = fg.pick(refs)
	} else {
		r = fg.accum(t, d)
		fg.stmts(d)
	}
	return fg.emit(t, ir.Instr{Op: ir.OpResolve, Args: []ir.Var{r}})
}
