// Package ad differentiates IR functions, IR to IR, one function at a time,
// with calls staying calls, so the derivative of a program of N functions
// has O(N) functions. Forward mode (JVP) defines every derivative rule;
// reverse mode (VJP) emits the same rules transposed, after a forward sweep
// (see VJP); Grad wraps VJP; Resolve materializes the derivative operators
// of the language; a custom rule (ir.Func.CustomJVP) replaces a function's
// derivation and is transposed for reverse mode.
//
// Tangent types mirror primal types with every Real kept and every Int and
// Bool replaced by the empty tuple, so that Int and Bool carry no tangent
// (see Tangent). Inside a transform a tangent may be a symbolic zero, which
// emits no instructions until a value is needed.
package ad

import (
	"github.com/rose-go/rose/ir"
)

// Tangent is the type of a tangent of a value of type t: Real for Real, the
// empty tuple for Int and Bool, and the same structure for aggregates.
func Tangent(t *ir.Type) *ir.Type {
	switch t.Kind {
	case ir.KReal:
		return ir.Real
	case ir.KInt, ir.KBool:
		return ir.TupleOf()
	case ir.KArray:
		return ir.ArrayOf(t.Len, Tangent(t.Elem))
	case ir.KRef:
		return ir.RefOf(Tangent(t.Elem))
	}
	elems := make([]*ir.Type, len(t.Elems))
	for i, e := range t.Elems {
		elems[i] = Tangent(e)
	}
	tt := ir.TupleOf(elems...)
	tt.Name, tt.Fields = t.Name, t.Fields
	return tt
}

// Transformer holds the derivatives made so far, so that each function is
// transformed once however many callers it has.
//
// A Transformer is not safe for concurrent use: its caches have no lock,
// and Resolve rewrites the functions it resolves. Callers that share one
// between goroutines serialize its use, and the compilation of the IR it
// rewrites, under one lock (as rose.Program does).
type Transformer struct {
	jvp, vjp, vjpCt, vjpLin map[*ir.Func]*ir.Func
	grad                    map[*ir.Func]map[string]*ir.Func // by chosen parameters
	resolved                map[*ir.Func]bool
	splits                  map[*ir.Func][2]*ir.Func // fwd and bwd halves
	pays                    map[*ir.Func]bool        // see splitPays
	ctOf                    map[*ir.Func]*ir.Func    // cotangent VJP -> the function it differentiates
	inl                     map[*ir.Func]*ir.Func    // see inlined
}

// NewTransformer returns an empty cache.
func NewTransformer() *Transformer {
	return &Transformer{jvp: map[*ir.Func]*ir.Func{}, vjp: map[*ir.Func]*ir.Func{},
		vjpCt: map[*ir.Func]*ir.Func{}, vjpLin: map[*ir.Func]*ir.Func{}, grad: map[*ir.Func]map[string]*ir.Func{},
		splits: map[*ir.Func][2]*ir.Func{}, pays: map[*ir.Func]bool{}, ctOf: map[*ir.Func]*ir.Func{}, inl: map[*ir.Func]*ir.Func{}}
}

// JVP returns the forward-mode derivative of f: a function taking f's
// parameters followed by one tangent per parameter and returning the tuple
// (result, tangent of the result).
func (tr *Transformer) JVP(f *ir.Func) (g *ir.Func, err error) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(jvpError)
			if !ok {
				panic(r)
			}
			g, err = nil, e
		}
	}()
	return tr.jvpOf(f), nil
}

// jvpError reports a construct forward mode does not handle.
type jvpError struct{ msg string }

func (e jvpError) Error() string { return e.msg }

// jvpOf makes the JVP of f, panicking with a jvpError on what forward mode
// does not handle (see JVP).
func (tr *Transformer) jvpOf(f *ir.Func) *ir.Func {
	if g, ok := tr.jvp[f]; ok {
		return g
	}
	if f.CustomJVP != nil {
		g := tr.ruleJVP(f) // the author's rule replaces the derivation
		tr.jvp[f] = g
		return g
	}
	j := &jvp{tr: tr, f: f, b: ir.NewBuilder("jvp("+f.Name+")", f.Pos),
		prim: make([]ir.Var, len(f.Types)), tan: make([]ir.Var, len(f.Types))}
	for i := range j.tan {
		j.prim[i], j.tan[i] = ir.NoVar, ir.NoVar
	}
	for _, p := range f.Params {
		j.prim[p] = j.b.Param(f.Types[p])
	}
	for _, p := range f.Params {
		j.tan[p] = j.b.Param(Tangent(f.Types[p]))
	}
	y, dy := j.block(f.Body)
	rt := f.Result()
	out := j.b.Tuple(ir.TupleOf(rt, Tangent(rt)), y, j.materialize(dy, rt))
	g := j.b.Finish(out)
	ir.Prune(g)
	tr.jvp[f] = g
	return g
}

type jvp struct {
	tr   *Transformer
	f    *ir.Func
	b    *ir.Builder
	prim []ir.Var // old var -> new primal var
	tan  []ir.Var // old var -> new tangent var, or NoVar for a zero tangent
}

// block transforms the instructions of blk into the current builder block
// and returns the new primal and tangent of its result.
func (j *jvp) block(blk *ir.Block) (ir.Var, ir.Var) {
	for i := range blk.Instrs {
		j.instr(&blk.Instrs[i])
	}
	return j.prim[blk.Result], j.tan[blk.Result]
}

// zero emits the zero tangent of a value of primal type t.
func (j *jvp) zero(t *ir.Type) ir.Var {
	if t.Kind == ir.KReal {
		return j.b.Real(0)
	}
	return j.b.Emit(Tangent(t), ir.Instr{Op: ir.OpConst})
}

// materialize turns a symbolic zero into a value.
func (j *jvp) materialize(dv ir.Var, primal *ir.Type) ir.Var {
	if dv == ir.NoVar {
		return j.zero(primal)
	}
	return dv
}

// dt is the tangent of old var v as a value.
func (j *jvp) dt(v ir.Var) ir.Var { return j.materialize(j.tan[v], j.f.Types[v]) }

func (j *jvp) instr(in *ir.Instr) {
	b := j.b
	b.Pos = in.Pos
	t := j.f.Types[in.Dst]
	args := make([]ir.Var, len(in.Args))
	for i, a := range in.Args {
		args[i] = j.prim[a]
	}
	set := func(p, d ir.Var) { j.prim[in.Dst], j.tan[in.Dst] = p, d }
	copyInstr := func() ir.Var {
		c := *in
		c.Args = args
		return b.Emit(t, c)
	}
	if isAccumOp(in.Op) {
		j.accum(in, args)
		return
	}
	switch in.Op {
	case ir.OpWhileScan, ir.OpTapeLen, ir.OpTapeIndex:
		panic(jvpError{"ad: forward mode over the reverse mode of a while loop is not supported"})
	}
	if t.Kind != ir.KReal && in.Op != ir.OpIf && in.Op != ir.OpTuple && in.Op != ir.OpField &&
		in.Op != ir.OpArray && in.Op != ir.OpIndex && in.Op != ir.OpFor && in.Op != ir.OpLoop && in.Op != ir.OpScan && in.Op != ir.OpWhile && in.Op != ir.OpCall &&
		in.Op != ir.OpUpdate && !(t.AllReal() && (in.Op == ir.OpAdd || in.Op == ir.OpSub || in.Op == ir.OpNeg || in.Op == ir.OpScale)) {
		set(copyInstr(), ir.NoVar) // Int and Bool results carry no tangent
		return
	}
	switch in.Op {
	case ir.OpConst:
		set(copyInstr(), ir.NoVar)
	case ir.OpIf:
		set(j.ifInstr(in, args[0]))
	case ir.OpFor:
		set(j.forInstr(in))
	case ir.OpLoop:
		set(j.loopInstr(in, args[0]))
	case ir.OpScan:
		set(j.scanInstr(in, args[0]))
	case ir.OpWhile:
		set(j.whileInstr(in, args[0]))
	case ir.OpCall:
		set(j.call(in, args))
	case ir.OpTuple, ir.OpArray:
		z := copyInstr()
		allZero := true
		for _, a := range in.Args {
			if j.tan[a] != ir.NoVar {
				allZero = false
			}
		}
		if allZero {
			set(z, ir.NoVar)
			return
		}
		ds := make([]ir.Var, len(in.Args))
		for i, a := range in.Args {
			ds[i] = j.dt(a)
		}
		set(z, b.Emit(Tangent(t), ir.Instr{Op: in.Op, Args: ds}))
	case ir.OpField:
		z := copyInstr()
		if d := j.tan[in.Args[0]]; d != ir.NoVar {
			set(z, b.Emit(Tangent(t), ir.Instr{Op: ir.OpField, Args: []ir.Var{d}, N: in.N}))
		} else {
			set(z, ir.NoVar)
		}
	case ir.OpUpdate:
		z := copyInstr()
		if j.tan[in.Args[0]] == ir.NoVar && j.tan[in.Args[2]] == ir.NoVar {
			set(z, ir.NoVar)
			return
		}
		set(z, b.Emit(Tangent(t), ir.Instr{Op: ir.OpUpdate, Args: []ir.Var{j.dt(in.Args[0]), args[1], j.dt(in.Args[2])}}))
	case ir.OpIndex:
		z := copyInstr()
		if d := j.tan[in.Args[0]]; d != ir.NoVar {
			set(z, b.Emit(Tangent(t), ir.Instr{Op: ir.OpIndex, Args: []ir.Var{d, args[1]}}))
		} else {
			set(z, ir.NoVar)
		}
	default:
		z := copyInstr()
		set(z, j.scalar(in, args, z))
	}
}

// carriesTangent reports whether a call of f can have a nonzero tangent:
// f returns something with a Real in it, or takes an accumulator (whose
// tangent twin its JVP would add into). A function of Int results, such
// as an index search, is called as itself in forward mode, without the
// tangents of its Real arguments that could not reach its result.
func carriesTangent(f *ir.Func) bool {
	if Tangent(f.Result()).Slots() > 0 || hasRef(f.Result()) {
		return true
	}
	for _, p := range f.Params {
		if hasRef(f.Types[p]) {
			return true
		}
	}
	return false
}

// hasRef reports whether t is or holds an accumulator reference.
func hasRef(t *ir.Type) bool {
	switch t.Kind {
	case ir.KRef:
		return true
	case ir.KArray:
		return hasRef(t.Elem)
	case ir.KTuple:
		for _, e := range t.Elems {
			if hasRef(e) {
				return true
			}
		}
	}
	return false
}

// isAccumOp reports whether op creates, refers into, adds into or reads an
// accumulator.
func isAccumOp(op ir.Op) bool {
	switch op {
	case ir.OpAccum, ir.OpRefIndex, ir.OpRefField, ir.OpAccAdd, ir.OpResolve:
		return true
	}
	return false
}

// accum differentiates an accumulator operation: every accumulator gets a
// twin that accumulates the tangents of what is added into it (always,
// since adds in nested blocks may come after it is made), and resolving
// reads both.
func (j *jvp) accum(in *ir.Instr, args []ir.Var) {
	b := j.b
	t := j.f.Types[in.Dst]
	c := *in
	c.Args = args
	z := b.Emit(t, c)
	j.prim[in.Dst], j.tan[in.Dst] = z, ir.NoVar
	d := ir.Instr{Op: in.Op, N: in.N}
	switch in.Op {
	case ir.OpAccum:
		if len(in.Args) == 1 && j.tan[in.Args[0]] != ir.NoVar {
			d.Args = []ir.Var{j.tan[in.Args[0]]}
		}
	case ir.OpRefIndex:
		d.Args = []ir.Var{j.tan[in.Args[0]], args[1]}
	case ir.OpRefField, ir.OpResolve:
		d.Args = []ir.Var{j.tan[in.Args[0]]}
	case ir.OpAccAdd:
		if dv := j.tan[in.Args[1]]; dv != ir.NoVar {
			b.Emit(t, ir.Instr{Op: ir.OpAccAdd, Args: []ir.Var{j.tan[in.Args[0]], dv}})
		}
		return
	}
	j.tan[in.Dst] = b.Emit(Tangent(t), d)
}

// scalar is the tangent of a Real-valued arithmetic instruction whose new
// primal result is z, or NoVar when it is zero: the sum of the operands'
// tangents through the partials of the operation's rule (see rules.go).
func (j *jvp) scalar(in *ir.Instr, args []ir.Var, z ir.Var) ir.Var {
	b := j.b
	ds := make([]ir.Var, len(in.Args))
	allZero := true
	for i, a := range in.Args {
		ds[i] = j.tan[a]
		allZero = allZero && ds[i] == ir.NoVar
	}
	if allZero {
		return ir.NoVar
	}
	if in.Op == ir.OpScale || in.Op == ir.OpDot {
		// Both are bilinear: d(a op b) = da op b + a op db.
		op, t := in.Op, j.b.Type(z)
		var terms []ir.Var
		if ds[0] != ir.NoVar {
			terms = append(terms, b.Emit(t, ir.Instr{Op: op, Args: []ir.Var{ds[0], args[1]}}))
		}
		if ds[1] != ir.NoVar {
			terms = append(terms, b.Emit(t, ir.Instr{Op: op, Args: []ir.Var{args[0], ds[1]}}))
		}
		if len(terms) == 1 {
			return terms[0]
		}
		return b.Emit(t, ir.Instr{Op: ir.OpAdd, Args: terms})
	}
	ps := partials(b, in, args, z)
	if len(ps) == 2 && ps[0].cond != ir.NoVar && ps[0].cond == ps[1].cond && ps[0].inv != ps[1].inv &&
		ds[0] != ir.NoVar && ds[1] != ir.NoVar {
		// A choice between the operands (min, max): the chosen tangent.
		if ps[0].inv {
			return j.choose(ps[0].cond, ds[1], ds[0])
		}
		return j.choose(ps[0].cond, ds[0], ds[1])
	}
	dz := ir.NoVar
	for i, p := range ps {
		if ds[i] == ir.NoVar {
			continue
		}
		switch {
		case dz == ir.NoVar:
			dz = apply(b, p, ds[i])
		case p.v == ir.NoVar && p.cond == ir.NoVar && p.c < 0:
			dz = b.Binary(ir.OpSub, dz, ds[i])
		default:
			dz = b.Binary(ir.OpAdd, dz, apply(b, p, ds[i]))
		}
	}
	return dz
}

// choose emits `if c { a } else { b }` for already computed values.
func (j *jvp) choose(c, a, b ir.Var) ir.Var {
	j.b.Begin()
	then := j.b.End(a)
	j.b.Begin()
	els := j.b.End(b)
	return j.b.Emit(j.b.Type(a), ir.Instr{Op: ir.OpIf, Args: []ir.Var{c}, Blocks: []*ir.Block{then, els}})
}

// pair packs a primal and its tangent.
func (j *jvp) pair(p, d ir.Var, t *ir.Type) ir.Var {
	return j.b.Tuple(ir.TupleOf(t, Tangent(t)), p, j.materialize(d, t))
}

func (j *jvp) unpair(v ir.Var) (ir.Var, ir.Var) {
	return j.b.Field(v, 0), j.b.Field(v, 1)
}

// ifInstr runs only the taken branch and differentiates only it.
func (j *jvp) ifInstr(in *ir.Instr, cond ir.Var) (ir.Var, ir.Var) {
	t := j.f.Types[in.Dst]
	if t.Slots() > 0 && Tangent(t).Slots() == 0 {
		blocks := make([]*ir.Block, 2)
		for i, blk := range in.Blocks {
			j.b.Begin()
			p, _ := j.block(blk)
			blocks[i] = j.b.End(p)
		}
		return j.b.Emit(t, ir.Instr{Op: ir.OpIf, Args: []ir.Var{cond}, Blocks: blocks}), ir.NoVar
	}
	pt := ir.TupleOf(t, Tangent(t))
	blocks := make([]*ir.Block, 2)
	for i, blk := range in.Blocks {
		j.b.Begin()
		p, d := j.block(blk)
		blocks[i] = j.b.End(j.pair(p, d, t))
	}
	r := j.b.Emit(pt, ir.Instr{Op: ir.OpIf, Args: []ir.Var{cond}, Blocks: blocks})
	return j.unpair(r)
}

// forInstr maps (element, tangent) pairs, then splits the array of pairs.
func (j *jvp) forInstr(in *ir.Instr) (ir.Var, ir.Var) {
	t := j.f.Types[in.Dst]
	elem := t.Elem
	pt := ir.TupleOf(elem, Tangent(elem))
	blk := in.Blocks[0]
	_, ps := j.b.Begin(ir.Int)
	j.prim[blk.Params[0]], j.tan[blk.Params[0]] = ps[0], ir.NoVar
	p, d := j.block(blk)
	body := j.b.End(j.pair(p, d, elem))
	pairs := j.b.Emit(ir.ArrayOf(in.N, pt), ir.Instr{Op: ir.OpFor, N: in.N, Blocks: []*ir.Block{body}})
	split := func(k int, et *ir.Type) ir.Var {
		_, ps := j.b.Begin(ir.Int)
		e := j.b.Field(j.b.Index(pairs, ps[0]), k)
		body := j.b.End(e)
		return j.b.Emit(ir.ArrayOf(in.N, et), ir.Instr{Op: ir.OpFor, N: in.N, Blocks: []*ir.Block{body}})
	}
	return split(0, elem), split(1, Tangent(elem))
}

// loopInstr carries the state and its tangent through the loop.
func (j *jvp) loopInstr(in *ir.Instr, init ir.Var) (ir.Var, ir.Var) {
	t := j.f.Types[in.Dst]
	pt := ir.TupleOf(t, Tangent(t))
	start := j.pair(init, j.tan[in.Args[0]], t)
	blk := in.Blocks[0]
	_, ps := j.b.Begin(ir.Int, pt)
	j.prim[blk.Params[0]], j.tan[blk.Params[0]] = ps[0], ir.NoVar
	s, ds := j.unpair(ps[1])
	j.prim[blk.Params[1]], j.tan[blk.Params[1]] = s, ds
	p, d := j.block(blk)
	body := j.b.End(j.pair(p, d, t))
	r := j.b.Emit(pt, ir.Instr{Op: ir.OpLoop, Args: []ir.Var{start}, N: in.N, Blocks: []*ir.Block{body}})
	return j.unpair(r)
}

// whileInstr carries the state and its tangent through the loop, as
// loopInstr does; the condition reads only the primal state.
func (j *jvp) whileInstr(in *ir.Instr, init ir.Var) (ir.Var, ir.Var) {
	t := j.f.Types[in.Dst]
	pt := ir.TupleOf(t, Tangent(t))
	start := j.pair(init, j.tan[in.Args[0]], t)
	blocks := make([]*ir.Block, 2)
	for k, blk := range in.Blocks {
		_, ps := j.b.Begin(pt)
		s, ds := j.unpair(ps[0])
		j.prim[blk.Params[0]], j.tan[blk.Params[0]] = s, ds
		p, d := j.block(blk)
		if k == 0 {
			blocks[k] = j.b.End(p)
		} else {
			blocks[k] = j.b.End(j.pair(p, d, t))
		}
	}
	j.b.Pos = in.Pos
	r := j.b.Emit(pt, ir.Instr{Op: ir.OpWhile, Args: []ir.Var{start}, N: in.N, Blocks: blocks})
	return j.unpair(r)
}

// scanInstr is loopInstr for a loop that records its states: the paired
// states are recorded, then split into primal and tangent arrays.
func (j *jvp) scanInstr(in *ir.Instr, init ir.Var) (ir.Var, ir.Var) {
	dst := j.f.Types[in.Dst]
	t := dst.Elems[1]
	pt := ir.TupleOf(t, Tangent(t))
	start := j.pair(init, j.tan[in.Args[0]], t)
	blk := in.Blocks[0]
	_, ps := j.b.Begin(ir.Int, pt)
	j.prim[blk.Params[0]], j.tan[blk.Params[0]] = ps[0], ir.NoVar
	s, ds := j.unpair(ps[1])
	j.prim[blk.Params[1]], j.tan[blk.Params[1]] = s, ds
	p, d := j.block(blk)
	body := j.b.End(j.pair(p, d, t))
	r := j.b.Emit(ir.TupleOf(ir.ArrayOf(in.N, pt), pt), ir.Instr{Op: ir.OpScan, Args: []ir.Var{start}, N: in.N, Blocks: []*ir.Block{body}})
	pairs := j.b.Field(r, 0)
	final, dfinal := j.unpair(j.b.Field(r, 1))
	split := func(k int, et *ir.Type) ir.Var {
		_, ps := j.b.Begin(ir.Int)
		e := j.b.Field(j.b.Index(pairs, ps[0]), k)
		body := j.b.End(e)
		return j.b.Emit(ir.ArrayOf(in.N, et), ir.Instr{Op: ir.OpFor, N: in.N, Blocks: []*ir.Block{body}})
	}
	states, dstates := split(0, t), split(1, Tangent(t))
	return j.b.Tuple(dst, states, final), j.b.Tuple(Tangent(dst), dstates, dfinal)
}

// call calls the callee's JVP, which is made (once) on demand.
func (j *jvp) call(in *ir.Instr, args []ir.Var) (ir.Var, ir.Var) {
	t := j.f.Types[in.Dst]
	allZero := true
	for _, a := range in.Args {
		if j.tan[a] != ir.NoVar {
			allZero = false
		}
	}
	if allZero || !carriesTangent(in.Callee) {
		c := *in
		c.Args = args
		return j.b.Emit(t, c), ir.NoVar
	}
	g := j.tr.jvpOf(in.Callee)
	all := append([]ir.Var(nil), args...)
	for _, a := range in.Args {
		all = append(all, j.dt(a))
	}
	r := j.b.Call(g, all...)
	return j.unpair(r)
}
