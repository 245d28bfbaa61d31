package ad

import (
	"sort"

	"github.com/rose-go/rose/ir"
)

// VJP returns the reverse-mode derivative of f: a function taking f's
// parameters followed by a cotangent of f's result and returning the tuple
// (result, cotangent of parameter 1, ..., cotangent of parameter n). With
// the cotangent 1.0 of a Real result, the cotangents are the gradient.
//
// Each block is differentiated as a forward sweep of its primal
// instructions followed by a backward sweep of their transposed tangent
// rules, in reverse order. The tangent rules are those of JVP, turned
// around: a linear map dz = a*dx becomes ct_x += a*ct_z. Values the
// backward sweep needs are taken from the forward sweep of the same block;
// nested blocks recompute their forward sweep inside the backward one, so
// that little is stored: a sequential loop records each step's state
// (OpScan) and its backward loop runs the steps in reverse from those
// states. A call stays a call: in a function's own forward sweep, to the
// callee's forward half, which returns the residuals its backward half
// reads (see split); in nested blocks, to the callee's VJP.
func (tr *Transformer) VJP(f *ir.Func) (g *ir.Func, err error) {
	return tr.vjpOf(f, true)
}

// vjpOf makes the VJP of f, or with primal false its variant that returns
// only the tuple of parameter cotangents: a backward sweep calls that one,
// since its caller does not need the callee's value again, and pruning
// then drops whatever part of the callee's forward sweep its own backward
// sweep does not use.
func (tr *Transformer) vjpOf(f *ir.Func, primal bool) (g *ir.Func, err error) {
	cache := tr.vjp
	if !primal {
		cache = tr.vjpCt
	}
	if g, ok := cache[f]; ok {
		return g, nil
	}
	return tr.vjpBuild(f, primal, nil, cache)
}

// vjpBuild makes a VJP of f. With inputs set, only the parameters it marks
// are differentiated; the others get zero cotangents. The result goes into
// cache.
func (tr *Transformer) vjpBuild(f *ir.Func, primal bool, inputs []bool, cache map[*ir.Func]*ir.Func) (g *ir.Func, err error) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(vjpError)
			if !ok {
				panic(r)
			}
			g, err = nil, e
		}
	}()
	if f.CustomJVP != nil && inputs == nil {
		if g, err = tr.transposeRule(f, primal); err == nil {
			cache[f] = g
		}
		return g, err
	}
	name := "vjp(" + f.Name + ")"
	if !primal {
		name = "vjp_ct(" + f.Name + ")"
	}
	g, _, _ = tr.sweeps(f, name, primal, inputs)
	ir.Prune(g)
	cache[f] = g
	return g, nil
}

// sweeps builds a VJP of f without pruning it, and returns the number of
// top-level instructions of its forward sweep and the forward sweep's value.
func (tr *Transformer) sweeps(f *ir.Func, name string, primal bool, inputs []bool) (g *ir.Func, k int, y ir.Var) {
	v := &vjp{tr: tr, f: f, b: ir.NewBuilder(name, f.Pos),
		prim: make([]ir.Var, len(f.Types)), states: map[*ir.Instr]ir.Var{}, free: map[*ir.Block][]ir.Var{},
		active: activity(f, inputs), operand: operands(f), resid: map[*ir.Instr]ir.Var{}}
	for _, p := range f.Params {
		v.prim[p] = v.b.Param(f.Types[p])
	}
	rt := f.Result()
	ctY := v.b.Param(Tangent(rt))
	y = v.forward(f.Body)
	k = len(v.b.F.Body.Instrs)
	ct := v.newCts()
	ct.set(f.Body.Result, ctY)
	v.backward(f.Body, ct)
	var outs []ir.Var
	var types []*ir.Type
	if primal {
		outs, types = append(outs, y), append(types, rt)
	}
	for _, p := range f.Params {
		outs = append(outs, v.ctValue(ct, p))
		types = append(types, Tangent(f.Types[p]))
	}
	return v.b.Finish(v.b.Tuple(ir.TupleOf(types...), outs...)), k, y
}

// split cuts the cotangent VJP of f into its two sweeps: fwd(f) returns
// (value, residuals), the values the backward sweep reads, and bwd(f)
// takes the residuals and the result's cotangent and returns the
// parameters' cotangents. A caller runs fwd(f) in its own forward sweep
// and bwd(f) in its backward sweep, so f's forward work is done once.
func (tr *Transformer) split(f *ir.Func) (fwd, bwd *ir.Func, err error) {
	if s, ok := tr.splits[f]; ok {
		return s[0], s[1], nil
	}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(vjpError)
			if !ok {
				panic(r)
			}
			fwd, bwd, err = nil, nil, e
		}
	}()
	g, k, y := tr.sweeps(f, "vjp_ct("+f.Name+")", false, nil)
	n := len(f.Params)
	ctY := g.Params[n]
	defined := map[ir.Var]bool{}
	for _, p := range g.Params[:n] {
		defined[p] = true
	}
	for i := range g.Body.Instrs[:k] {
		defined[g.Body.Instrs[i].Dst] = true
	}
	seen := map[ir.Var]bool{}
	var res []ir.Var
	var mark func(b *ir.Block)
	note := func(x ir.Var) {
		if defined[x] && !seen[x] {
			seen[x] = true
			res = append(res, x)
		}
	}
	mark = func(b *ir.Block) {
		for i := range b.Instrs {
			for _, a := range b.Instrs[i].Args {
				note(a)
			}
			for _, nb := range b.Instrs[i].Blocks {
				mark(nb)
			}
		}
		note(b.Result)
	}
	mark(&ir.Block{Instrs: g.Body.Instrs[k:], Result: g.Body.Result})
	sort.Slice(res, func(i, j int) bool { return res[i] < res[j] })
	resTypes := make([]*ir.Type, len(res))
	for i, x := range res {
		resTypes[i] = g.Types[x]
	}
	resT := ir.TupleOf(resTypes...)

	newVar := func(f *ir.Func, t *ir.Type) ir.Var {
		f.Types = append(f.Types, t)
		return ir.Var(len(f.Types) - 1)
	}
	fwd = &ir.Func{Name: "fwd(" + f.Name + ")", Pos: f.Pos, Params: g.Params[:n:n], Types: append([]*ir.Type(nil), g.Types...)}
	rv := newVar(fwd, resT)
	out := newVar(fwd, ir.TupleOf(f.Result(), resT))
	instrs := append(append([]ir.Instr(nil), g.Body.Instrs[:k]...),
		ir.Instr{Dst: rv, Op: ir.OpTuple, Args: res, Pos: f.Pos},
		ir.Instr{Dst: out, Op: ir.OpTuple, Args: []ir.Var{y, rv}, Pos: f.Pos})
	fwd.Body = &ir.Block{Instrs: instrs, Result: out}

	bwd = &ir.Func{Name: "bwd(" + f.Name + ")", Pos: f.Pos, Types: append([]*ir.Type(nil), g.Types...)}
	rp := newVar(bwd, resT)
	bwd.Params = []ir.Var{rp, ctY}
	var pre []ir.Instr
	for i, x := range res {
		pre = append(pre, ir.Instr{Dst: x, Op: ir.OpField, Args: []ir.Var{rp}, N: i, Pos: f.Pos})
	}
	bwd.Body = &ir.Block{Instrs: append(pre, g.Body.Instrs[k:]...), Result: g.Body.Result}
	ir.Prune(fwd)
	ir.Prune(bwd)
	tr.splits[f] = [2]*ir.Func{fwd, bwd}
	return fwd, bwd, nil
}

// vjpError reports a construct reverse mode does not handle.
type vjpError struct{ msg string }

func (e vjpError) Error() string { return e.msg }

type vjp struct {
	tr      *Transformer
	f       *ir.Func
	b       *ir.Builder
	prim    []ir.Var               // old var -> new primal var, in the current sweep
	states  map[*ir.Instr]ir.Var   // OpLoop -> the recorded states of its forward sweep
	free    map[*ir.Block][]ir.Var // active variables a block uses from outside
	active  []bool                 // active[x]: x depends on a parameter through Reals
	operand []bool                 // operand[x]: some instruction of f reads x

	// While the body of an elementwise comprehension is transposed, the
	// cotangents of x[i] for its arrays x, with i the body's index, are
	// collected here instead of into whole-array cotangents.
	elemCt  map[ir.Var]ir.Var
	elemIdx ir.Var

	// resid holds, for a call in the function's own forward sweep, the
	// residuals returned by the callee's fwd half.
	resid map[*ir.Instr]ir.Var
}

// operands marks the variables of f that some instruction reads.
func operands(f *ir.Func) []bool {
	used := make([]bool, len(f.Types))
	var walk func(b *ir.Block)
	walk = func(b *ir.Block) {
		for i := range b.Instrs {
			for _, a := range b.Instrs[i].Args {
				used[a] = true
			}
			for _, nb := range b.Instrs[i].Blocks {
				walk(nb)
			}
		}
	}
	walk(f.Body)
	return used
}

// activity marks the variables of f whose value depends, through Reals, on
// f's parameters. Only they can carry a cotangent; constants and index
// arithmetic cost nothing in the backward sweep.
func activity(f *ir.Func, inputs []bool) []bool {
	active := make([]bool, len(f.Types))
	for i, p := range f.Params {
		active[p] = differentiable(f.Types[p]) && (inputs == nil || inputs[i])
	}
	for changed := true; changed; {
		changed = false
		var walk func(b *ir.Block)
		walk = func(b *ir.Block) {
			for i := range b.Instrs {
				in := &b.Instrs[i]
				if (in.Op == ir.OpLoop || in.Op == ir.OpScan) && len(in.Blocks) == 1 {
					// The state is active if it starts active or the body
					// makes it so.
					s := in.Blocks[0].Params[1]
					if !active[s] && (active[in.Args[0]] || active[in.Blocks[0].Result]) && differentiable(f.Types[s]) {
						active[s], changed = true, true
					}
				}
				for _, nb := range in.Blocks {
					walk(nb)
				}
				if active[in.Dst] || !differentiable(f.Types[in.Dst]) {
					continue
				}
				on := false
				for _, a := range in.Args {
					on = on || active[a]
				}
				for _, nb := range in.Blocks {
					on = on || active[nb.Result]
				}
				if on {
					active[in.Dst], changed = true, true
				}
			}
		}
		walk(f.Body)
	}
	return active
}

func (v *vjp) typ(old ir.Var) *ir.Type { return v.f.Types[old] }

func differentiable(t *ir.Type) bool { return Tangent(t).Slots() > 0 }

// forward emits the primal instructions of blk and returns its result.
func (v *vjp) forward(blk *ir.Block) ir.Var {
	for i := range blk.Instrs {
		in := &blk.Instrs[i]
		v.b.Pos = in.Pos
		args := make([]ir.Var, len(in.Args))
		for k, a := range in.Args {
			args[k] = v.prim[a]
		}
		t := v.typ(in.Dst)
		switch in.Op {
		case ir.OpIf:
			blocks := make([]*ir.Block, 2)
			for k, arm := range in.Blocks {
				v.b.Begin()
				blocks[k] = v.b.End(v.forward(arm))
			}
			v.prim[in.Dst] = v.b.Emit(t, ir.Instr{Op: ir.OpIf, Args: args, Blocks: blocks})
		case ir.OpFor:
			body := in.Blocks[0]
			_, ps := v.b.Begin(ir.Int)
			v.prim[body.Params[0]] = ps[0]
			nb := v.b.End(v.forward(body))
			v.prim[in.Dst] = v.b.Emit(t, ir.Instr{Op: ir.OpFor, N: in.N, Blocks: []*ir.Block{nb}})
		case ir.OpLoop:
			body := in.Blocks[0]
			_, ps := v.b.Begin(ir.Int, t)
			v.prim[body.Params[0]], v.prim[body.Params[1]] = ps[0], ps[1]
			nb := v.b.End(v.forward(body))
			if !differentiable(t) {
				v.prim[in.Dst] = v.b.Emit(t, ir.Instr{Op: ir.OpLoop, Args: args, N: in.N, Blocks: []*ir.Block{nb}})
				continue
			}
			st := ir.TupleOf(ir.ArrayOf(in.N, t), t)
			scan := v.b.Emit(st, ir.Instr{Op: ir.OpScan, Args: args, N: in.N, Blocks: []*ir.Block{nb}})
			v.states[in] = v.b.Field(scan, 0)
			v.prim[in.Dst] = v.b.Field(scan, 1)
		case ir.OpScan:
			// The recorded states are the ones the backward loop needs.
			body := in.Blocks[0]
			st := t.Elems[1]
			_, ps := v.b.Begin(ir.Int, st)
			v.prim[body.Params[0]], v.prim[body.Params[1]] = ps[0], ps[1]
			nb := v.b.End(v.forward(body))
			scan := v.b.Emit(t, ir.Instr{Op: ir.OpScan, Args: args, N: in.N, Blocks: []*ir.Block{nb}})
			v.prim[in.Dst] = scan
			if differentiable(st) {
				v.states[in] = v.b.Field(scan, 0)
			}
		case ir.OpCall:
			if blk == v.f.Body && v.active[in.Dst] && in.Callee.CustomJVP == nil {
				fw, _, err := v.tr.split(in.Callee)
				if err != nil {
					panic(err)
				}
				r := v.b.Call(fw, args...)
				v.prim[in.Dst] = v.b.Field(r, 0)
				v.resid[in] = v.b.Field(r, 1)
				continue
			}
			c := *in
			c.Args = args
			v.prim[in.Dst] = v.b.Emit(t, c)
		default:
			c := *in
			c.Args = args
			v.prim[in.Dst] = v.b.Emit(t, c)
		}
	}
	return v.prim[blk.Result]
}

// ctValue is the cotangent of old var x as a value (zero if none reached it).
func (v *vjp) ctValue(ct *cts, x ir.Var) ir.Var {
	if c, ok := ct.get(x); ok {
		return c
	}
	return v.zero(v.typ(x))
}

func (v *vjp) zero(t *ir.Type) ir.Var {
	j := &jvp{b: v.b}
	return j.zero(t)
}

// acc adds c to the cotangent of old var x.
func (v *vjp) acc(ct *cts, x ir.Var, c ir.Var) {
	t := v.typ(x)
	if !v.active[x] {
		return
	}
	if old, ok := ct.get(x); ok {
		ct.set(x, v.add(old, c, t))
	} else {
		ct.set(x, c)
	}
}

// add emits the sum of two cotangents of a value of primal type t: one
// slot-by-slot addition, whatever the shape.
func (v *vjp) add(a, c ir.Var, t *ir.Type) ir.Var {
	if !differentiable(t) {
		return a
	}
	return v.b.Emit(Tangent(t), ir.Instr{Op: ir.OpAdd, Args: []ir.Var{a, c}})
}

// backward emits, in reverse order, the transposed tangent rules of blk's
// instructions. ct maps old vars to their cotangents so far; the forward
// sweep of blk must have been emitted in the same block.
func (v *vjp) backward(blk *ir.Block, ct *cts) {
	for i := len(blk.Instrs) - 1; i >= 0; i-- {
		in := &blk.Instrs[i]
		if fs, ok := ct.fields[in.Dst]; ok && in.Op == ir.OpTuple {
			// A tuple known field by field gives each field to its source.
			v.b.Pos = in.Pos
			for k, a := range in.Args {
				if fs[k] != ir.NoVar {
					v.acc(ct, a, fs[k])
				}
			}
			continue
		}
		cz, ok := ct.get(in.Dst)
		if !ok {
			continue // nothing depends on this value
		}
		v.b.Pos = in.Pos
		v.instr(in, cz, ct)
	}
}

func (v *vjp) instr(in *ir.Instr, cz ir.Var, ct *cts) {
	b := v.b
	switch in.Op {
	case ir.OpTuple:
		for k, a := range in.Args {
			if differentiable(v.typ(a)) {
				v.acc(ct, a, b.Field(cz, k))
			}
		}
	case ir.OpField:
		x := in.Args[0]
		if !v.active[x] {
			return
		}
		if _, whole := ct.whole[x]; !whole {
			// Keep the tuple's cotangent field by field until it is needed.
			fs, ok := ct.fields[x]
			if !ok {
				fs = make([]ir.Var, len(v.typ(x).Elems))
				for k := range fs {
					fs[k] = ir.NoVar
				}
				ct.fields[x] = fs
			}
			fs[in.N] = v.addOpt(fs[in.N], cz, v.typ(in.Dst))
			return
		}
		tt := v.typ(x)
		fields := make([]ir.Var, len(tt.Elems))
		for k, e := range tt.Elems {
			if k == in.N {
				fields[k] = cz
			} else {
				fields[k] = v.zero(e)
			}
		}
		v.acc(ct, x, b.Tuple(Tangent(tt), fields...))
	case ir.OpArray:
		for k, a := range in.Args {
			if differentiable(v.typ(a)) {
				v.acc(ct, a, b.Index(cz, b.Int(int64(k))))
			}
		}
	case ir.OpIndex:
		if x := in.Args[0]; v.elemCt != nil && in.Args[1] == v.elemIdx {
			if _, ok := v.elemCt[x]; ok {
				v.elemCt[x] = v.addOpt(v.elemCt[x], cz, v.typ(in.Dst))
				return
			}
		}
		v.accAt(ct, in.Args[0], v.prim[in.Args[1]], cz)
	case ir.OpUpdate:
		i := v.prim[in.Args[1]]
		t := v.typ(in.Args[0])
		v.acc(ct, in.Args[2], b.Index(cz, i))
		if differentiable(t) {
			v.acc(ct, in.Args[0], b.Emit(Tangent(t), ir.Instr{Op: ir.OpUpdate, Args: []ir.Var{cz, i, v.zero(t.Elem)}}))
		}
	case ir.OpAdd, ir.OpSub, ir.OpNeg:
		t := v.typ(in.Dst)
		if t.IsScalar() {
			v.scalar(in, cz, ct)
			return
		}
		neg := func() ir.Var { return b.Emit(Tangent(t), ir.Instr{Op: ir.OpNeg, Args: []ir.Var{cz}}) }
		switch in.Op {
		case ir.OpAdd:
			v.acc(ct, in.Args[0], cz)
			v.acc(ct, in.Args[1], cz)
		case ir.OpSub:
			v.acc(ct, in.Args[0], cz)
			v.acc(ct, in.Args[1], neg())
		case ir.OpNeg:
			v.acc(ct, in.Args[0], neg())
		}
	case ir.OpScale:
		// z = s * w: ct_s += <ct_z, w>, ct_w += s * ct_z.
		s, w := in.Args[0], in.Args[1]
		t := Tangent(v.typ(w))
		if v.active[s] {
			v.acc(ct, s, b.Emit(ir.Real, ir.Instr{Op: ir.OpDot, Args: []ir.Var{cz, v.prim[w]}}))
		}
		if v.active[w] {
			v.acc(ct, w, b.Emit(t, ir.Instr{Op: ir.OpScale, Args: []ir.Var{v.prim[s], cz}}))
		}
	case ir.OpDot:
		// z = <a, c>: ct_a += ct_z * c, ct_c += ct_z * a.
		a, c := in.Args[0], in.Args[1]
		t := Tangent(v.typ(a))
		if v.active[a] {
			v.acc(ct, a, b.Emit(t, ir.Instr{Op: ir.OpScale, Args: []ir.Var{cz, v.prim[c]}}))
		}
		if v.active[c] {
			v.acc(ct, c, b.Emit(t, ir.Instr{Op: ir.OpScale, Args: []ir.Var{cz, v.prim[a]}}))
		}
	case ir.OpCall:
		if res, ok := v.resid[in]; ok {
			_, bw, err := v.tr.split(in.Callee)
			if err != nil {
				panic(err)
			}
			r := b.Call(bw, res, cz)
			for k, a := range in.Args {
				if v.active[a] {
					v.acc(ct, a, b.Field(r, k))
				}
			}
			return
		}
		// A call that makes the function's result, which no instruction
		// reads, takes its value from the callee's VJP, so that the
		// forward call is dropped; otherwise the forward sweep has the
		// value already (and nested blocks never need theirs again).
		primal := in.Dst == v.f.Body.Result && !v.operand[in.Dst]
		g, err := v.tr.vjpOf(in.Callee, primal)
		if err != nil {
			panic(err)
		}
		args := make([]ir.Var, 0, len(in.Args)+1)
		for _, a := range in.Args {
			args = append(args, v.prim[a])
		}
		r := b.Call(g, append(args, cz)...)
		off := 0
		if primal {
			v.prim[in.Dst] = b.Field(r, 0)
			off = 1
		}
		for k, a := range in.Args {
			if v.active[a] {
				v.acc(ct, a, b.Field(r, k+off))
			}
		}
	case ir.OpIf:
		v.ifInstr(in, cz, ct)
	case ir.OpFor:
		v.forInstr(in, cz, ct)
	case ir.OpLoop:
		v.loopInstr(in, cz, ir.NoVar, ct)
	case ir.OpScan:
		// z = (states, final): the final state's cotangent starts the
		// backward loop and each recorded state's joins it at its step.
		v.loopInstr(in, b.Field(cz, 1), b.Field(cz, 0), ct)
	default:
		if v.typ(in.Dst).Kind == ir.KReal {
			v.scalar(in, cz, ct)
		}
	}
}

// accAt adds c to element i of the cotangent of the array old var a.
func (v *vjp) accAt(ct *cts, a, i, c ir.Var) {
	t := v.typ(a)
	if !v.active[a] {
		return
	}
	b := v.b
	old, had := ct.get(a)
	if !had {
		old = v.zero(t)
	} else {
		c = v.add(b.Index(old, i), c, t.Elem)
	}
	ct.set(a, b.Emit(Tangent(t), ir.Instr{Op: ir.OpUpdate, Args: []ir.Var{old, i, c}}))
}

// scalar transposes the tangent rule of a Real arithmetic instruction: each
// operand's cotangent gains the result's through its partial (see
// rules.go).
func (v *vjp) scalar(in *ir.Instr, cz ir.Var, ct *cts) {
	if len(in.Args) == 0 || flat[in.Op] {
		return // a constant, or a piecewise constant operation
	}
	args := make([]ir.Var, len(in.Args))
	anyActive := false
	for k, a := range in.Args {
		args[k] = v.prim[a]
		anyActive = anyActive || v.active[a]
	}
	if !anyActive {
		return
	}
	for k, p := range partials(v.b, in, args, v.prim[in.Dst]) {
		if v.active[in.Args[k]] {
			v.acc(ct, in.Args[k], apply(v.b, p, cz))
		}
	}
}

// freeVars lists the differentiable variables that blk (with its nested
// blocks) uses but that are defined outside it, in increasing order.
func (v *vjp) freeVars(blk *ir.Block) []ir.Var {
	if fv, ok := v.free[blk]; ok {
		return fv
	}
	defined := map[ir.Var]bool{}
	used := map[ir.Var]bool{}
	var walk func(b *ir.Block)
	walk = func(b *ir.Block) {
		for _, p := range b.Params {
			defined[p] = true
		}
		for i := range b.Instrs {
			in := &b.Instrs[i]
			defined[in.Dst] = true
			for _, a := range in.Args {
				used[a] = true
			}
			for _, nb := range in.Blocks {
				walk(nb)
			}
		}
		used[b.Result] = true
	}
	walk(blk)
	var fv []ir.Var
	for u := range used {
		if !defined[u] && v.active[u] {
			fv = append(fv, u)
		}
	}
	sort.Slice(fv, func(i, j int) bool { return fv[i] < fv[j] })
	v.free[blk] = fv
	return fv
}

// nested differentiates a nested block inside the current builder block:
// it recomputes the block's forward sweep, seeds its result with ctRes,
// runs its backward sweep and returns the cotangents reaching the free
// variables fv, starting from init (their cotangents so far, or NoVar for
// zero).
func (v *vjp) nested(blk *ir.Block, ctRes ir.Var, fv []ir.Var, init []ir.Var, extra map[ir.Var]ir.Var) []ir.Var {
	v.forward(blk)
	ct := v.newCts()
	for k, x := range fv {
		if init[k] != ir.NoVar {
			ct.set(x, init[k])
		}
	}
	for x, c := range extra {
		ct.set(x, c)
	}
	if ctRes != ir.NoVar {
		v.acc(ct, blk.Result, ctRes)
	}
	v.backward(blk, ct)
	out := make([]ir.Var, len(fv))
	for k, x := range fv {
		out[k] = v.ctValue(ct, x)
	}
	return out
}

// packCts packs the cotangents of the variables fv into one tuple.
func (v *vjp) packCts(fv, cts []ir.Var) (ir.Var, *ir.Type) {
	types := make([]*ir.Type, len(fv))
	for k, x := range fv {
		types[k] = Tangent(v.typ(x))
	}
	t := ir.TupleOf(types...)
	return v.b.Tuple(t, cts...), t
}

// ifInstr runs the backward sweep of the branch the forward sweep took.
func (v *vjp) ifInstr(in *ir.Instr, cz ir.Var, ct *cts) {
	fv := union(v.freeVars(in.Blocks[0]), v.freeVars(in.Blocks[1]))
	if len(fv) == 0 {
		return
	}
	// Each arm starts from the cotangents so far and returns them updated,
	// so that an arm that does not touch a variable passes it through.
	init := make([]ir.Var, len(fv))
	for k, x := range fv {
		init[k] = ir.NoVar
		if c, ok := ct.get(x); ok {
			init[k] = c
		}
	}
	var rt *ir.Type
	blocks := make([]*ir.Block, 2)
	for k, arm := range in.Blocks {
		v.b.Begin()
		cts := v.nested(arm, cz, fv, init, nil)
		var r ir.Var
		r, rt = v.packCts(fv, cts)
		blocks[k] = v.b.End(r)
	}
	res := v.b.Emit(rt, ir.Instr{Op: ir.OpIf, Args: []ir.Var{v.prim[in.Args[0]]}, Blocks: blocks})
	for k, x := range fv {
		ct.set(x, v.b.Field(res, k))
	}
}

func union(a, c []ir.Var) []ir.Var {
	seen := map[ir.Var]bool{}
	var out []ir.Var
	for _, x := range append(append([]ir.Var(nil), a...), c...) {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// addOpt adds c to a, where a may be NoVar for zero.
func (v *vjp) addOpt(a, c ir.Var, t *ir.Type) ir.Var {
	if a == ir.NoVar {
		return c
	}
	return v.add(a, c, t)
}

// small reports whether the cotangents of xs are small enough (in slots)
// to keep one per element of a comprehension.
func (v *vjp) small(xs []ir.Var) bool {
	n := 0
	for _, x := range xs {
		n += Tangent(v.typ(x)).Slots()
	}
	return n <= 16
}

// elementwise reports whether the only uses of x in body are x[i] at its
// top level, with i the body's index.
func elementwise(body *ir.Block, x ir.Var) bool {
	if body.Result == x {
		return false
	}
	idx := body.Params[0]
	for k := range body.Instrs {
		in := &body.Instrs[k]
		for j, a := range in.Args {
			if a == x && !(in.Op == ir.OpIndex && j == 0 && in.Args[1] == idx) {
				return false
			}
		}
		for _, nb := range in.Blocks {
			if uses(nb, x) {
				return false
			}
		}
	}
	return true
}

func uses(b *ir.Block, x ir.Var) bool {
	if b.Result == x {
		return true
	}
	for k := range b.Instrs {
		in := &b.Instrs[k]
		for _, a := range in.Args {
			if a == x {
				return true
			}
		}
		for _, nb := range in.Blocks {
			if uses(nb, x) {
				return true
			}
		}
	}
	return false
}

// forElementwise transposes a comprehension as another comprehension: the
// arrays in elems, which the body reads only at its own index (as
// elementwise arithmetic does), get the cotangents of their elements
// directly, and the other variables the body uses from outside (sums) get
// one contribution per element, added up afterwards. No whole-array
// cotangent is updated element by element.
func (v *vjp) forElementwise(in *ir.Instr, cz ir.Var, ct *cts, elems, others []ir.Var) {
	body := in.Blocks[0]
	b := v.b
	savedCt, savedIdx := v.elemCt, v.elemIdx
	var types []*ir.Type
	for _, x := range elems {
		types = append(types, Tangent(v.typ(x).Elem))
	}
	for _, x := range others {
		types = append(types, Tangent(v.typ(x)))
	}
	_, ps := b.Begin(ir.Int)
	v.prim[body.Params[0]] = ps[0]
	v.elemCt, v.elemIdx = map[ir.Var]ir.Var{}, body.Params[0]
	for _, x := range elems {
		v.elemCt[x] = ir.NoVar
	}
	v.forward(body)
	local := v.newCts()
	v.acc(local, body.Result, b.Index(cz, ps[0]))
	v.backward(body, local)
	var outs []ir.Var
	for _, x := range elems {
		o := v.elemCt[x]
		if o == ir.NoVar {
			o = v.zero(v.typ(x).Elem)
		}
		outs = append(outs, o)
	}
	for _, x := range others {
		outs = append(outs, v.ctValue(local, x))
	}
	v.elemCt, v.elemIdx = savedCt, savedIdx
	et := ir.TupleOf(types...)
	loopBody := b.End(b.Tuple(et, outs...))
	res := b.Emit(ir.ArrayOf(in.N, et), ir.Instr{Op: ir.OpFor, N: in.N, Blocks: []*ir.Block{loopBody}})
	for k, x := range elems {
		_, ps := b.Begin(ir.Int)
		e := b.Field(b.Index(res, ps[0]), k)
		col := b.End(e)
		v.acc(ct, x, b.Emit(Tangent(v.typ(x)), ir.Instr{Op: ir.OpFor, N: in.N, Blocks: []*ir.Block{col}}))
	}
	for j, x := range others {
		k := len(elems) + j
		t := v.typ(x)
		_, ps := b.Begin(ir.Int, Tangent(t))
		sum := v.add(ps[1], b.Field(b.Index(res, ps[0]), k), t)
		loop := b.End(sum)
		v.acc(ct, x, b.Emit(Tangent(t), ir.Instr{Op: ir.OpLoop, Args: []ir.Var{v.zero(t)}, N: in.N, Blocks: []*ir.Block{loop}}))
	}
}

// forInstr accumulates, element by element, the cotangents that a
// comprehension's body sends to the variables it uses from outside.
func (v *vjp) forInstr(in *ir.Instr, cz ir.Var, ct *cts) {
	body := in.Blocks[0]
	fv := v.freeVars(body)
	if len(fv) == 0 || in.N == 0 {
		return
	}
	var elems, others []ir.Var
	for _, x := range fv {
		t := v.typ(x)
		if t.Kind == ir.KArray && t.Len == in.N && elementwise(body, x) {
			elems = append(elems, x)
		} else {
			others = append(others, x)
		}
	}
	// Elementwise arrays make the comprehension's transpose a
	// comprehension too, with the other variables' cotangents summed per
	// element, unless those are large.
	if len(elems) > 0 && v.small(others) {
		v.forElementwise(in, cz, ct, elems, others)
		return
	}
	b := v.b
	startVals := make([]ir.Var, len(fv))
	for k, x := range fv {
		startVals[k] = v.ctValue(ct, x)
	}
	start, st := v.packCts(fv, startVals)
	_, ps := b.Begin(ir.Int, st)
	i := ps[0]
	v.prim[body.Params[0]] = i
	init := make([]ir.Var, len(fv))
	for k := range fv {
		init[k] = b.Field(ps[1], k)
	}
	cts := v.nested(body, b.Index(cz, i), fv, init, nil)
	next, _ := v.packCts(fv, cts)
	loopBody := b.End(next)
	res := b.Emit(st, ir.Instr{Op: ir.OpLoop, Args: []ir.Var{start}, N: in.N, Blocks: []*ir.Block{loopBody}})
	for k, x := range fv {
		ct.set(x, b.Field(res, k))
	}
}

// loopInstr runs a sequential loop's steps backwards, each from its
// recorded state, carrying the state's cotangent and those of the
// variables the body uses from outside.
func (v *vjp) loopInstr(in *ir.Instr, cz, ctStates ir.Var, ct *cts) {
	states, ok := v.states[in]
	if !ok {
		return // a loop without Reals in its state
	}
	body := in.Blocks[0]
	b := v.b
	t := v.typ(in.Args[0])
	fv := v.freeVars(body)
	startVals := []ir.Var{cz}
	types := []*ir.Type{Tangent(t)}
	for _, x := range fv {
		startVals = append(startVals, v.ctValue(ct, x))
		types = append(types, Tangent(v.typ(x)))
	}
	st := ir.TupleOf(types...)
	start := b.Tuple(st, startVals...)
	_, ps := b.Begin(ir.Int, st)
	// Step k of the backward loop undoes step N-1-k of the forward one.
	i := b.Binary(ir.OpSub, b.Int(int64(in.N-1)), ps[0])
	s := b.Index(states, i)
	v.prim[body.Params[0]], v.prim[body.Params[1]] = i, s
	init := make([]ir.Var, len(fv))
	for k := range fv {
		init[k] = b.Field(ps[1], k+1)
	}
	// The state parameter is a block parameter, not a free variable: its
	// cotangent is collected separately, starting from zero.
	withState := append(append([]ir.Var(nil), fv...), body.Params[1])
	initS := append(append([]ir.Var(nil), init...), ir.NoVar)
	cts := v.nested(body, b.Field(ps[1], 0), withState, initS, nil)
	ctS := cts[len(fv)]
	if ctStates != ir.NoVar {
		ctS = v.add(ctS, b.Index(ctStates, i), t)
	}
	next := b.Tuple(st, append([]ir.Var{ctS}, cts[:len(fv)]...)...)
	loopBody := b.End(next)
	res := b.Emit(st, ir.Instr{Op: ir.OpLoop, Args: []ir.Var{start}, N: in.N, Blocks: []*ir.Block{loopBody}})
	v.acc(ct, in.Args[0], b.Field(res, 0))
	for k, x := range fv {
		ct.set(x, b.Field(res, k+1))
	}
}

// transposeRule makes the VJP of a function with a custom JVP rule by
// transposing the rule: the rule is linear in its tangents, so the
// cotangents of those tangents under the rule's own VJP, at zero tangents
// and with the result cotangent in the tangent slot, are the transpose of
// the rule applied to the result cotangent.
func (tr *Transformer) transposeRule(f *ir.Func, primal bool) (*ir.Func, error) {
	rule := f.CustomJVP
	rv, ok := tr.vjpLin[rule]
	if !ok {
		// Only the tangents are differentiated: the rule's value part
		// (which may call f) is constant to the transpose.
		n := len(f.Params)
		inputs := make([]bool, 2*n)
		for k := n; k < 2*n; k++ {
			inputs[k] = true
		}
		var err error
		if rv, err = tr.vjpBuild(rule, false, inputs, tr.vjpLin); err != nil {
			return nil, err
		}
	}
	name := "vjp(" + f.Name + ")"
	if !primal {
		name = "vjp_ct(" + f.Name + ")"
	}
	b := ir.NewBuilder(name, f.Pos)
	j := &jvp{b: b}
	n := len(f.Params)
	args := make([]ir.Var, 0, 2*n+1)
	for _, p := range f.Params {
		args = append(args, b.Param(f.Types[p]))
	}
	rt := f.Result()
	ctY := b.Param(Tangent(rt))
	for _, p := range f.Params {
		args = append(args, j.zero(f.Types[p]))
	}
	seed := b.Tuple(ir.TupleOf(Tangent(rt), Tangent(Tangent(rt))), j.zero(rt), ctY)
	r := b.Call(rv, append(args, seed)...)
	var outs []ir.Var
	var types []*ir.Type
	if primal {
		y := b.Call(f, args[:n]...)
		outs, types = append(outs, y), append(types, rt)
	}
	for k, p := range f.Params {
		outs = append(outs, b.Field(r, n+k))
		types = append(types, Tangent(f.Types[p]))
	}
	g := b.Finish(b.Tuple(ir.TupleOf(types...), outs...))
	ir.Prune(g)
	return g, nil
}

// cts holds the cotangents of a backward sweep. A tuple's cotangent may be
// known field by field (from the fields the sweep has seen read) and is
// assembled only when something needs it whole, so that taking a tuple
// apart costs no zero-filled tuples.
type cts struct {
	v      *vjp
	whole  map[ir.Var]ir.Var
	fields map[ir.Var][]ir.Var // NoVar for a zero field
}

func (v *vjp) newCts() *cts {
	return &cts{v: v, whole: map[ir.Var]ir.Var{}, fields: map[ir.Var][]ir.Var{}}
}

// get returns the cotangent of x, assembling it from its fields if needed.
func (c *cts) get(x ir.Var) (ir.Var, bool) {
	if w, ok := c.whole[x]; ok {
		return w, true
	}
	fs, ok := c.fields[x]
	if !ok {
		return ir.NoVar, false
	}
	t := c.v.typ(x)
	vals := make([]ir.Var, len(fs))
	for k, f := range fs {
		if vals[k] = f; f == ir.NoVar {
			vals[k] = c.v.zero(t.Elems[k])
		}
	}
	w := c.v.b.Tuple(Tangent(t), vals...)
	c.set(x, w)
	return w, true
}

func (c *cts) set(x, w ir.Var) {
	c.whole[x] = w
	delete(c.fields, x)
}
