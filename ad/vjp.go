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
	if tr.fuseSplits(g) {
		ir.Prune(g)
	}
	if !primal && inputs == nil {
		tr.ctOf[g] = f
	}
	cache[f] = g
	return g, nil
}

// sweeps builds a VJP of f without pruning it, and returns the number of
// top-level instructions of its forward sweep and the forward sweep's value.
func (tr *Transformer) sweeps(f *ir.Func, name string, primal bool, inputs []bool) (g *ir.Func, k int, y ir.Var) {
	f = tr.inlined(f)
	root := ir.RefRoots(f)
	v := &vjp{tr: tr, f: f, b: ir.NewBuilder(name, f.Pos),
		prim: make([]ir.Var, len(f.Types)), states: map[*ir.Instr]ir.Var{}, free: map[*ir.Block][]ir.Var{},
		active: activity(f, inputs, root), operand: operands(f), resid: map[*ir.Instr]ir.Var{},
		maps: map[*ir.Instr]mapRecord{}, stored: map[*ir.Instr]ir.Var{},
		root: root, def: definitions(f), refCt: map[ir.Var]ir.Var{}, ctIfs: map[ir.Var]bool{}}
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
	g = v.b.Finish(v.b.Tuple(ir.TupleOf(types...), outs...))
	sinkZeroArms(g, v.ctIfs)
	return g, k, y
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
	res = liveResiduals(g, k, res)
	resTypes := make([]*ir.Type, len(res))
	for i, x := range res {
		resTypes[i] = g.Types[x]
		if resTypes[i].Kind == ir.KRef {
			return nil, nil, vjpError{"ad: internal error: the backward sweep of " + f.Name + " reads an accumulator of its forward sweep"}
		}
	}
	// One residual is passed as itself, not in a 1-tuple, so that a chain
	// of calls that each keep only their callee's residuals does not nest
	// tuples as deep as the chain.
	resT := ir.TupleOf(resTypes...)
	if len(res) == 1 {
		resT = resTypes[0]
	}

	newVar := func(f *ir.Func, t *ir.Type) ir.Var {
		f.Types = append(f.Types, t)
		return ir.Var(len(f.Types) - 1)
	}
	fwd = &ir.Func{Name: "fwd(" + f.Name + ")", Pos: f.Pos, Params: g.Params[:n:n], Types: append([]*ir.Type(nil), g.Types...)}
	instrs := append([]ir.Instr(nil), g.Body.Instrs[:k]...)
	var rv ir.Var
	if len(res) == 1 {
		rv = res[0]
	} else {
		rv = newVar(fwd, resT)
		instrs = append(instrs, ir.Instr{Dst: rv, Op: ir.OpTuple, Args: res, Pos: f.Pos})
	}
	out := newVar(fwd, ir.TupleOf(f.Result(), resT))
	instrs = append(instrs, ir.Instr{Dst: out, Op: ir.OpTuple, Args: []ir.Var{y, rv}, Pos: f.Pos})
	fwd.Body = &ir.Block{Instrs: instrs, Result: out}

	bwd = &ir.Func{Name: "bwd(" + f.Name + ")", Pos: f.Pos, Types: append([]*ir.Type(nil), g.Types...)}
	var pre []ir.Instr
	if len(res) == 1 {
		bwd.Params = []ir.Var{res[0], ctY}
	} else {
		rp := newVar(bwd, resT)
		bwd.Params = []ir.Var{rp, ctY}
		for i, x := range res {
			pre = append(pre, ir.Instr{Dst: x, Op: ir.OpField, Args: []ir.Var{rp}, N: i, Pos: f.Pos})
		}
	}
	bwd.Body = &ir.Block{Instrs: append(pre, g.Body.Instrs[k:]...), Result: g.Body.Result}
	ir.Prune(fwd)
	ir.Prune(bwd)
	tr.splits[f] = [2]*ir.Func{fwd, bwd}
	return fwd, bwd, nil
}

// liveResiduals keeps of the forward sweep's values cands those that the
// backward sweep of g (its instructions from k on) still reads once
// pruned: the backward sweep recomputes forward values that its own
// derivatives may not need (the states a loop of element updates records,
// say), and a residual that only fed those would be stored by fwd and
// never read.
func liveResiduals(g *ir.Func, k int, cands []ir.Var) []ir.Var {
	if len(cands) == 0 {
		return cands
	}
	tmp := &ir.Func{Name: g.Name, Pos: g.Pos, Types: append([]*ir.Type(nil), g.Types...)}
	tmp.Params = append(append([]ir.Var(nil), g.Params...), cands...)
	tmp.Body = cloneBlock(&ir.Block{Instrs: g.Body.Instrs[k:], Result: g.Body.Result})
	ir.Prune(tmp)
	used := map[ir.Var]bool{}
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
		used[b.Result] = true
	}
	walk(tmp.Body)
	var out []ir.Var
	for i, x := range cands {
		if used[tmp.Params[len(g.Params)+i]] {
			out = append(out, x)
		}
	}
	return out
}

// fuseSplits rewrites, in each block of g, a call of f followed by a call
// of f's cotangent VJP on the same arguments, both needed (a backward sweep
// that recomputes a call's value and then differentiates it), into
// fwd(f) followed by bwd(f), where that costs less (see splitPays): the
// VJP would do f's forward work again.
func (tr *Transformer) fuseSplits(g *ir.Func) bool {
	changed := false
	newVar := func(t *ir.Type) ir.Var {
		g.Types = append(g.Types, t)
		return ir.Var(len(g.Types) - 1)
	}
	type callKey struct {
		callee *ir.Func
		args   string
	}
	key := func(f *ir.Func, args []ir.Var) callKey {
		buf := make([]byte, 0, 4*len(args))
		for _, a := range args {
			buf = append(buf, byte(a), byte(a>>8), byte(a>>16), byte(a>>24))
		}
		return callKey{f, string(buf)}
	}
	var walk func(b *ir.Block)
	walk = func(b *ir.Block) {
		// First the pairs: the VJP call at j and the latest call of its
		// function on the same arguments before it, at fuse[j].
		last := map[callKey]int{}
		fuse := map[int]int{}
		first := map[int]bool{}
		for i := range b.Instrs {
			in := &b.Instrs[i]
			for _, nb := range in.Blocks {
				walk(nb)
			}
			if in.Op != ir.OpCall {
				continue
			}
			if f, ok := tr.ctOf[in.Callee]; ok && len(in.Args) == len(f.Params)+1 {
				if k, ok := last[key(f, in.Args[:len(f.Params)])]; ok && !first[k] && tr.splitPays(f) {
					fuse[i], first[k] = k, true
					continue
				}
			}
			last[key(in.Callee, in.Args)] = i
		}
		if len(fuse) == 0 {
			return
		}
		changed = true
		res := map[int]ir.Var{}
		out := make([]ir.Instr, 0, len(b.Instrs)+2*len(first))
		for i := range b.Instrs {
			in := b.Instrs[i]
			switch {
			case first[i]:
				// The call of f becomes fwd(f); its value is the first field.
				fw, _, _ := tr.split(in.Callee)
				pair := newVar(fw.Result())
				r := newVar(fw.Result().Elems[1])
				res[i] = r
				out = append(out,
					ir.Instr{Dst: pair, Op: ir.OpCall, Callee: fw, Args: in.Args, Pos: in.Pos},
					ir.Instr{Dst: in.Dst, Op: ir.OpField, Args: []ir.Var{pair}, N: 0, Pos: in.Pos},
					ir.Instr{Dst: r, Op: ir.OpField, Args: []ir.Var{pair}, N: 1, Pos: in.Pos})
			case isFused(fuse, i):
				f := tr.ctOf[in.Callee]
				_, bw, _ := tr.split(f)
				n := len(f.Params)
				in.Callee, in.Args = bw, []ir.Var{res[fuse[i]], in.Args[n]}
				out = append(out, in)
			default:
				out = append(out, in)
			}
		}
		b.Instrs = out
	}
	walk(g.Body)
	return changed
}

func isFused(fuse map[int]int, i int) bool {
	_, ok := fuse[i]
	return ok
}

// splitPays reports whether running fwd(f) and then bwd(f) costs less
// than running f and then its cotangent VJP, by the static cost of each
// (see ir.Cost).
func (tr *Transformer) splitPays(f *ir.Func) bool {
	if p, ok := tr.pays[f]; ok {
		return p
	}
	p := false
	fw, bw, err := tr.split(f)
	g, err2 := tr.vjpOf(f, false)
	if err == nil && err2 == nil {
		memo := map[*ir.Func]float64{}
		p = ir.Cost(fw, memo)+ir.Cost(bw, memo) < ir.Cost(f, memo)+ir.Cost(g, memo)
	}
	tr.pays[f] = p
	return p
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

	// resid holds, for a call in the function's own forward sweep, the
	// residuals returned by the callee's fwd half.
	resid map[*ir.Instr]ir.Var
	// maps holds the comprehensions of the function's own forward sweep
	// that record, for each element, what the fwd halves of their
	// body's calls return (see recordedCalls); recording is the body
	// being swept so (nil otherwise), its calls' fwd results by call;
	// stored is, in a backward step of such a comprehension, each
	// call's recorded fwd result for the element at hand.
	maps      map[*ir.Instr]mapRecord
	recording map[*ir.Instr]ir.Var
	stored    map[*ir.Instr]ir.Var

	root  []ir.Var          // reference var -> its OpAccum var (see ir.RefRoots)
	def   []*ir.Instr       // var -> its defining instruction, nil for parameters
	refCt map[ir.Var]ir.Var // OpAccum var -> cotangent of the accumulator's final contents
	ctIfs map[ir.Var]bool   // the backward sweeps' ifs, by result (see sinkZeroArms)
	local map[ir.Var]bool   // while recomputing a block: the references it makes itself
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
func activity(f *ir.Func, inputs []bool, root []ir.Var) []bool {
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
				if in.Op == ir.OpWhile && len(in.Blocks) == 2 {
					s := in.Blocks[1].Params[0]
					if !active[s] && (active[in.Args[0]] || active[in.Blocks[1].Result]) && differentiable(f.Types[s]) {
						active[s], changed = true, true
						active[in.Blocks[0].Params[0]] = true
					}
				}
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
				// An accumulator is active once an active value is added
				// into it (through any reference into it); its references
				// and what resolving it reads are active with it.
				switch in.Op {
				case ir.OpAccAdd:
					if r := root[in.Args[0]]; active[in.Args[1]] && !active[r] {
						active[r], changed = true, true
					}
					continue
				case ir.OpRefIndex, ir.OpRefField:
					if !active[in.Dst] && active[root[in.Dst]] {
						active[in.Dst], changed = true, true
					}
					continue
				case ir.OpResolve:
					if !active[in.Dst] && active[root[in.Args[0]]] {
						active[in.Dst], changed = true, true
					}
					continue
				case ir.OpAccum:
					if !active[in.Dst] && len(in.Args) == 1 && active[in.Args[0]] {
						active[in.Dst], changed = true, true
					}
					continue
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

// differentiable reports whether values of type t carry cotangents. A
// reference does not: the cotangent of an accumulator is handled by the
// operations on it (see vjp.refOp).
func differentiable(t *ir.Type) bool { return t.Kind != ir.KRef && Tangent(t).Slots() > 0 }

// definitions maps each variable of f defined by an instruction to it.
func definitions(f *ir.Func) []*ir.Instr {
	def := make([]*ir.Instr, len(f.Types))
	var walk func(b *ir.Block)
	walk = func(b *ir.Block) {
		for i := range b.Instrs {
			in := &b.Instrs[i]
			def[in.Dst] = in
			for _, nb := range in.Blocks {
				walk(nb)
			}
		}
	}
	walk(f.Body)
	return def
}

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
			if blk == v.f.Body {
				if calls := v.recordedCalls(in); len(calls) > 0 {
					v.recordingMap(in, calls)
					continue
				}
			}
			_, ps := v.b.Begin(ir.Int)
			v.prim[body.Params[0]] = ps[0]
			nb := v.b.End(v.forward(body))
			v.prim[in.Dst] = v.b.Emit(t, ir.Instr{Op: ir.OpFor, N: in.N, Blocks: []*ir.Block{nb}})
		case ir.OpLoop:
			body := in.Blocks[0]
			_, ps := v.b.Begin(ir.Int, t)
			v.prim[body.Params[0]], v.prim[body.Params[1]] = ps[0], ps[1]
			nb := v.b.End(v.forward(body))
			if !differentiable(t) && !addsAny(body) {
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
			if differentiable(st) || addsAny(body) {
				v.states[in] = v.b.Field(scan, 0)
			}
		case ir.OpAccum, ir.OpRefIndex, ir.OpRefField, ir.OpAccAdd, ir.OpResolve:
			v.forwardRef(in, args)
		case ir.OpWhile:
			// A while loop that carries Reals records its states on a
			// tape, whose length is known only when it runs; the backward
			// sweep runs the steps in reverse from the recorded states.
			blocks := make([]*ir.Block, 2)
			for k, nb := range in.Blocks {
				_, ps := v.b.Begin(t)
				v.prim[nb.Params[0]] = ps[0]
				blocks[k] = v.b.End(v.forward(nb))
			}
			if !(differentiable(t) && v.active[in.Dst]) && !addsAny(in.Blocks[1]) {
				v.prim[in.Dst] = v.b.Emit(t, ir.Instr{Op: ir.OpWhile, Args: args, N: in.N, Blocks: blocks})
				continue
			}
			scan := v.b.Emit(ir.TupleOf(ir.TapeOf(t), t), ir.Instr{Op: ir.OpWhileScan, Args: args, N: in.N, Blocks: blocks})
			v.states[in] = v.b.Field(scan, 0)
			v.prim[in.Dst] = v.b.Field(scan, 1)
		case ir.OpWhileScan, ir.OpTapeLen, ir.OpTapeIndex:
			panic(vjpError{"ad: reverse mode over the reverse mode of a while loop is not supported"})
		case ir.OpCall:
			if r, ok := v.stored[in]; ok {
				// Recorded by the forward sweep: not called again.
				v.prim[in.Dst] = v.b.Field(r, 0)
				v.resid[in] = v.b.Field(r, 1)
				continue
			}
			// A call of the function's own sweep, or of a recording
			// comprehension's body, runs the callee's fwd half; the
			// backward sweep calls its bwd half on what that returns.
			_, rec := v.recording[in]
			if rec || blk == v.f.Body && v.splits(in) {
				fw, _, err := v.tr.split(in.Callee)
				if err != nil {
					panic(err)
				}
				r := v.b.Call(fw, args...)
				v.prim[in.Dst] = v.b.Field(r, 0)
				if rec {
					v.recording[in] = r
				} else {
					v.resid[in] = v.b.Field(r, 1)
				}
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

// mapRecord is a comprehension whose forward sweep records, for each
// element, the fwd results of its body's calls: m is the array of tuples
// (element, fwd result of calls[0], ...).
type mapRecord struct {
	m     ir.Var
	calls []*ir.Instr
}

// recordedCalls lists the calls of a comprehension's body (its own
// instructions, not nested blocks') whose fwd halves the forward sweep
// runs and records, so that the backward sweep calls their bwd halves
// on the records instead of calling each again (a body that calls a
// network layer per element: neural_layer's loss, value and gradient
// 4.25 times the value when the calls were made again). The calls that
// qualify are those the function's own sweep splits (see splits).
func (v *vjp) recordedCalls(in *ir.Instr) []*ir.Instr {
	if !v.active[in.Dst] {
		return nil
	}
	body := in.Blocks[0]
	var calls []*ir.Instr
	for i := range body.Instrs {
		if c := &body.Instrs[i]; c.Op == ir.OpCall && v.splits(c) {
			calls = append(calls, c)
		}
	}
	return calls
}

// splits reports whether a call is differentiated through its callee's
// fwd and bwd halves when its sweep allows: it is active and its callee
// has no custom rule.
func (v *vjp) splits(call *ir.Instr) bool {
	return v.active[call.Dst] && call.Callee.CustomJVP == nil
}

// recordingMap emits the comprehension in as a map whose elements are
// tuples of its element and the fwd results of calls, then the map of
// the first fields, the comprehension's value.
func (v *vjp) recordingMap(in *ir.Instr, calls []*ir.Instr) {
	b := v.b
	body := in.Blocks[0]
	t := v.typ(in.Dst)
	_, ps := b.Begin(ir.Int)
	v.prim[body.Params[0]] = ps[0]
	saved := v.recording
	v.recording = make(map[*ir.Instr]ir.Var, len(calls))
	for _, c := range calls {
		v.recording[c] = ir.NoVar
	}
	fields := []ir.Var{v.forward(body)}
	for _, c := range calls {
		fields = append(fields, v.recording[c])
	}
	v.recording = saved
	types := make([]*ir.Type, len(fields))
	for k, x := range fields {
		types[k] = b.Type(x)
	}
	et := ir.TupleOf(types...)
	nb := b.End(b.Tuple(et, fields...))
	m := b.Emit(ir.ArrayOf(in.N, et), ir.Instr{Op: ir.OpFor, N: in.N, Blocks: []*ir.Block{nb}})
	_, ps = b.Begin(ir.Int)
	vb := b.End(b.Field(b.Index(m, ps[0]), 0))
	v.prim[in.Dst] = b.Emit(t, ir.Instr{Op: ir.OpFor, N: in.N, Blocks: []*ir.Block{vb}})
	v.maps[in] = mapRecord{m, calls}
}

// forwardRef emits an accumulator operation of the primal. A block that
// is recomputed in a backward sweep adds nothing into accumulators made
// outside it: their contents were read already, when the forward sweep
// ran the block the first time.
func (v *vjp) forwardRef(in *ir.Instr, args []ir.Var) {
	if v.local != nil {
		switch in.Op {
		case ir.OpAccum:
			v.local[in.Dst] = true
		case ir.OpRefIndex, ir.OpRefField:
			if !v.local[in.Args[0]] {
				v.prim[in.Dst] = ir.NoVar
				return
			}
			v.local[in.Dst] = true
		case ir.OpAccAdd:
			if !v.local[in.Args[0]] {
				// Its value, the empty tuple, may still be an operand.
				v.prim[in.Dst] = v.b.Tuple(ir.TupleOf())
				return
			}
		case ir.OpResolve:
			if !v.local[in.Args[0]] {
				panic(vjpError{"ad: reverse mode cannot recompute a read of an accumulator made outside its block"})
			}
		}
	}
	c := *in
	c.Args = args
	v.prim[in.Dst] = v.b.Emit(v.typ(in.Dst), c)
}

// recomputeForward emits blk's forward sweep again inside a backward sweep
// (see forwardRef).
func (v *vjp) recomputeForward(blk *ir.Block) {
	saved := v.local
	v.local = map[ir.Var]bool{}
	v.forward(blk)
	v.local = saved
}

// refOp transposes an accumulator operation of the primal. The cotangent
// of an accumulator's contents is the same at every add into it (adding
// does not change how the final contents are used), so it is known once
// the reads of the accumulator (later in the primal, earlier here) are
// transposed: each add sends it, at the add's position, to the added value.
func (v *vjp) refOp(in *ir.Instr, ct *cts) {
	switch in.Op {
	case ir.OpResolve:
		cz, ok := ct.get(in.Dst)
		if !ok {
			return
		}
		r := v.root[in.Args[0]]
		if r != in.Args[0] {
			panic(vjpError{"ad: reverse mode of reading part of an accumulator is not supported"})
		}
		old, had := v.refCt[r]
		if !had {
			old = ir.NoVar
		}
		v.refCt[r] = v.addOpt(old, cz, v.typ(in.Dst))
	case ir.OpAccAdd:
		if x := in.Args[1]; v.active[x] {
			if c := v.refCtAt(in.Args[0]); c != ir.NoVar {
				v.acc(ct, x, c)
			}
		}
	case ir.OpAccum:
		if c, ok := v.refCt[in.Dst]; ok {
			if len(in.Args) == 1 {
				v.acc(ct, in.Args[0], c)
			}
			// Everything that adds into it has been transposed.
			delete(v.refCt, in.Dst)
		}
	}
}

// indexedIn reports whether b (or a block nested in it) reads an element
// of x.
func indexedIn(b *ir.Block, x ir.Var) bool {
	for i := range b.Instrs {
		in := &b.Instrs[i]
		if in.Op == ir.OpIndex && in.Args[0] == x {
			return true
		}
		for _, nb := range in.Blocks {
			if indexedIn(nb, x) {
				return true
			}
		}
	}
	return false
}

// addsAny reports whether b adds into an accumulator.
func addsAny(b *ir.Block) bool {
	for i := range b.Instrs {
		if b.Instrs[i].Op == ir.OpAccAdd {
			return true
		}
		for _, nb := range b.Instrs[i].Blocks {
			if addsAny(nb) {
				return true
			}
		}
	}
	return false
}

// addsInto reports whether the blocks of in add into an accumulator whose
// contents matter (whose cotangent is known).
func (v *vjp) addsInto(in *ir.Instr) bool {
	if len(in.Blocks) == 0 || len(v.refCt) == 0 {
		return false
	}
	var walk func(b *ir.Block) bool
	walk = func(b *ir.Block) bool {
		for i := range b.Instrs {
			x := &b.Instrs[i]
			if x.Op == ir.OpAccAdd {
				if _, ok := v.refCt[v.root[x.Args[0]]]; ok {
					return true
				}
			}
			for _, nb := range x.Blocks {
				if walk(nb) {
					return true
				}
			}
		}
		return false
	}
	for _, b := range in.Blocks {
		if walk(b) {
			return true
		}
	}
	return false
}

// refCtAt is the cotangent of the part of an accumulator that reference r
// points to, or NoVar when the accumulator's contents do not matter.
func (v *vjp) refCtAt(r ir.Var) ir.Var {
	d := v.def[r]
	switch d.Op {
	case ir.OpAccum:
		if c, ok := v.refCt[r]; ok {
			return c
		}
	case ir.OpRefIndex:
		if c := v.refCtAt(d.Args[0]); c != ir.NoVar {
			return v.b.Index(c, v.prim[d.Args[1]])
		}
	case ir.OpRefField:
		if c := v.refCtAt(d.Args[0]); c != ir.NoVar {
			return v.b.Field(c, d.N)
		}
	}
	return ir.NoVar
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
	if r, ok := ct.ref(x); ok {
		v.accAdd(r, c)
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
		if isAccumOp(in.Op) {
			v.b.Pos = in.Pos
			v.refOp(in, ct)
			continue
		}
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
			if !v.addsInto(in) {
				continue // nothing depends on this value
			}
			// The value is unused but the blocks add into accumulators,
			// whose cotangents the adds send on.
			cz = v.zero(v.typ(in.Dst))
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
		if r, ok := ct.ref(x); ok {
			f := b.Emit(ir.RefOf(Tangent(v.typ(in.Dst))), ir.Instr{Op: ir.OpRefField, Args: []ir.Var{r}, N: in.N})
			v.accAdd(f, cz)
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
	case ir.OpWhile:
		v.whileInstr(in, cz, ct)
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

// accAt adds c to element i of the cotangent of the array old var a, in
// O(1): the cotangent lives in an accumulator from then on.
func (v *vjp) accAt(ct *cts, a, i, c ir.Var) {
	if !v.active[a] {
		return
	}
	r := v.accumulate(ct, a)
	e := v.b.Emit(ir.RefOf(Tangent(v.typ(a).Elem)), ir.Instr{Op: ir.OpRefIndex, Args: []ir.Var{r, i}})
	v.accAdd(e, c)
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
		if !defined[u] && v.active[u] && differentiable(v.typ(u)) {
			fv = append(fv, u)
		}
	}
	sort.Slice(fv, func(i, j int) bool { return fv[i] < fv[j] })
	v.free[blk] = fv
	return fv
}

// nested differentiates a nested block inside the current builder block:
// it recomputes the block's forward sweep, seeds its result with ctRes,
// runs its backward sweep and returns the cotangents reaching the carried
// free variables fv, starting from init (their cotangents so far, or NoVar
// for zero). Contributions to accumulated variables go into parent's
// accumulators.
func (v *vjp) nested(blk *ir.Block, ctRes ir.Var, fv []ir.Var, init []ir.Var, parent *cts) []ir.Var {
	return v.nestedThen(blk, ctRes, fv, init, parent, nil)
}

// nestedThen is nested, with after (if not nil) run between the forward
// recomputation and the backward sweep.
func (v *vjp) nestedThen(blk *ir.Block, ctRes ir.Var, fv []ir.Var, init []ir.Var, parent *cts, after func()) []ir.Var {
	v.recomputeForward(blk)
	if after != nil {
		after()
	}
	ct := parent.child()
	for k, x := range fv {
		if init[k] != ir.NoVar {
			ct.set(x, init[k])
		}
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

// carried splits the free variables of a nested block: those whose
// cotangents the block adds into accumulators (made here, in the current
// block, if they have none yet) and the rest, returned, whose cotangents
// are carried through the construct as values.
func (v *vjp) carried(ct *cts, fv []ir.Var, blocks ...*ir.Block) []ir.Var {
	var out []ir.Var
	for _, x := range fv {
		if v.accumulated(ct, x, blocks) {
			v.accumulate(ct, x)
		} else {
			out = append(out, x)
		}
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
	fv = v.carried(ct, fv, in.Blocks...)
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
		cts := v.nested(arm, cz, fv, init, ct)
		var r ir.Var
		r, rt = v.packCts(fv, cts)
		blocks[k] = v.b.End(r)
	}
	res := v.b.Emit(rt, ir.Instr{Op: ir.OpIf, Args: []ir.Var{v.prim[in.Args[0]]}, Blocks: blocks})
	v.ctIfs[res] = true
	for k, x := range fv {
		ct.set(x, v.b.Field(res, k))
	}
}

// definedAtTop reports whether x is defined by an instruction of b itself
// (not a parameter, a free variable or a nested block's).
func definedAtTop(b *ir.Block, x ir.Var) bool {
	for i := range b.Instrs {
		if b.Instrs[i].Dst == x {
			return true
		}
	}
	return false
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

// forInstr accumulates, element by element, the cotangents that a
// comprehension's body sends to the variables it uses from outside.
func (v *vjp) forInstr(in *ir.Instr, cz ir.Var, ct *cts) {
	body := in.Blocks[0]
	fv := v.freeVars(body)
	if len(fv) == 0 || in.N == 0 {
		return
	}
	b := v.b
	fv = v.carried(ct, fv, body)
	startVals := make([]ir.Var, len(fv))
	for k, x := range fv {
		startVals[k] = v.ctValue(ct, x)
	}
	start, st := v.packCts(fv, startVals)
	_, ps := b.Begin(ir.Int, st)
	i := ps[0]
	v.prim[body.Params[0]] = i
	if rec, ok := v.maps[in]; ok {
		el := b.Index(rec.m, i)
		for k, c := range rec.calls {
			v.stored[c] = b.Field(el, k+1)
		}
		defer func() {
			for _, c := range rec.calls {
				delete(v.stored, c)
			}
		}()
	}
	init := make([]ir.Var, len(fv))
	for k := range fv {
		init[k] = b.Field(ps[1], k)
	}
	// The backward step recomputes the body, but its result is element i
	// of the map's value: the rules that read it (tanh's, exp's, a
	// product's) take it from there, and the work that only computed it
	// is pruned.
	var reuse func()
	if definedAtTop(body, body.Result) {
		mapped := v.prim[in.Dst]
		reuse = func() { v.prim[body.Result] = b.Index(mapped, i) }
	}
	cts := v.nestedThen(body, b.Index(cz, i), fv, init, ct, reuse)
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
	fv := v.carried(ct, v.freeVars(body), body)
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
	cts := v.nested(body, b.Field(ps[1], 0), withState, initS, ct)
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

// whileInstr runs a while loop's steps backwards, each from its recorded
// state, as loopInstr does, in a while loop of its own that counts the
// steps down.
func (v *vjp) whileInstr(in *ir.Instr, cz ir.Var, ct *cts) {
	tape, ok := v.states[in]
	if !ok {
		return // a loop without Reals in its state
	}
	body := in.Blocks[1]
	b := v.b
	t := v.typ(in.Args[0])
	fv := v.carried(ct, v.freeVars(body), body)
	n := b.Emit(ir.Int, ir.Instr{Op: ir.OpTapeLen, Args: []ir.Var{tape}})
	startVals := []ir.Var{n, cz}
	types := []*ir.Type{ir.Int, Tangent(t)}
	for _, x := range fv {
		startVals = append(startVals, v.ctValue(ct, x))
		types = append(types, Tangent(v.typ(x)))
	}
	st := ir.TupleOf(types...)
	start := b.Tuple(st, startVals...)
	_, cps := b.Begin(st)
	cond := b.End(b.Compare(ir.OpGt, b.Field(cps[0], 0), b.Int(0)))
	_, ps := b.Begin(st)
	// The step with k steps left undoes step k-1 of the forward loop.
	i := b.Binary(ir.OpSub, b.Field(ps[0], 0), b.Int(1))
	v.prim[body.Params[0]] = b.Emit(t, ir.Instr{Op: ir.OpTapeIndex, Args: []ir.Var{tape, i}})
	init := make([]ir.Var, len(fv))
	for k := range fv {
		init[k] = b.Field(ps[0], k+2)
	}
	withState := append(append([]ir.Var(nil), fv...), body.Params[0])
	initS := append(append([]ir.Var(nil), init...), ir.NoVar)
	cts := v.nested(body, b.Field(ps[0], 1), withState, initS, ct)
	next := b.Tuple(st, append([]ir.Var{i, cts[len(fv)]}, cts[:len(fv)]...)...)
	loop := b.End(next)
	res := b.Emit(st, ir.Instr{Op: ir.OpWhile, Args: []ir.Var{start}, Blocks: []*ir.Block{cond, loop}})
	v.acc(ct, in.Args[0], b.Field(res, 1))
	for k, x := range fv {
		ct.set(x, b.Field(res, k+2))
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
// apart costs no zero-filled tuples. An aggregate's cotangent may instead
// live in an accumulator (refs), which element reads add into at O(1)
// each and which nested blocks add into directly; it is resolved into a
// value once, when the value is needed. A nested block's cts has the
// enclosing one as parent, whose accumulators it adds into.
type cts struct {
	v      *vjp
	parent *cts
	whole  map[ir.Var]ir.Var
	fields map[ir.Var][]ir.Var // NoVar for a zero field
	refs   map[ir.Var]ir.Var   // old var -> reference to its cotangent's accumulator
	views  map[ir.Var]bool     // vars whose refs point into their tuple's or array's accumulator
}

func (v *vjp) newCts() *cts {
	return &cts{v: v, whole: map[ir.Var]ir.Var{}, fields: map[ir.Var][]ir.Var{}, refs: map[ir.Var]ir.Var{}, views: map[ir.Var]bool{}}
}

// child is a cts for a nested block of the block c belongs to.
func (c *cts) child() *cts {
	n := c.v.newCts()
	n.parent = c
	return n
}

// ref returns the accumulator of x's cotangent, in c or an enclosing cts.
func (c *cts) ref(x ir.Var) (ir.Var, bool) {
	for ; c != nil; c = c.parent {
		if r, ok := c.refs[x]; ok {
			return r, true
		}
	}
	return ir.NoVar, false
}

// get returns the cotangent of x, assembling it from its fields or
// resolving its accumulator if needed.
func (c *cts) get(x ir.Var) (ir.Var, bool) {
	if w, ok := c.whole[x]; ok {
		return w, true
	}
	if r, ok := c.refs[x]; ok {
		if c.views[x] {
			// x's contributions went into its tuple's or array's
			// accumulator already.
			return ir.NoVar, false
		}
		w := c.v.b.Emit(Tangent(c.v.typ(x)), ir.Instr{Op: ir.OpResolve, Args: []ir.Var{r}})
		c.set(x, w)
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
	delete(c.refs, x)
	delete(c.views, x)
}

// accumulate makes x's cotangent live in an accumulator from now on and
// returns the reference to it: x's own if it has one; a reference into its
// tuple's or array's accumulator if x is a field or element of a value
// whose cotangent is accumulated (so that p.a[i] adds straight into p's);
// else a new accumulator, in the current block, starting from x's
// cotangent so far.
func (v *vjp) accumulate(ct *cts, x ir.Var) ir.Var {
	if r, ok := ct.ref(x); ok {
		return r
	}
	b := v.b
	r := ir.NoVar
	if d := v.def[x]; d != nil && (d.Op == ir.OpField || (d.Op == ir.OpIndex && v.prim[d.Args[1]] != ir.NoVar)) {
		if pr, ok := ct.ref(d.Args[0]); ok {
			if d.Op == ir.OpField {
				r = b.Emit(ir.RefOf(Tangent(v.typ(x))), ir.Instr{Op: ir.OpRefField, Args: []ir.Var{pr}, N: d.N})
			} else {
				r = b.Emit(ir.RefOf(Tangent(v.typ(x))), ir.Instr{Op: ir.OpRefIndex, Args: []ir.Var{pr, v.prim[d.Args[1]]}})
			}
		}
	}
	old, had := ct.get(x) // its cotangent so far, as a value
	if r == ir.NoVar {
		in := ir.Instr{Op: ir.OpAccum}
		if had {
			in.Args = []ir.Var{old}
		}
		r = b.Emit(ir.RefOf(Tangent(v.typ(x))), in)
	} else {
		ct.views[x] = true
		if had {
			v.accAdd(r, old)
		}
	}
	delete(ct.whole, x)
	delete(ct.fields, x)
	ct.refs[x] = r
	return r
}

// accAdd adds the value c into what reference r points to.
func (v *vjp) accAdd(r, c ir.Var) {
	v.b.Emit(ir.TupleOf(), ir.Instr{Op: ir.OpAccAdd, Args: []ir.Var{r, c}})
}

// accumulated reports whether x's cotangent should live in an accumulator
// when a nested block contributes to it: when it does already, when x is
// part of a value whose cotangent does, or when it is an aggregate too
// large to carry through a loop's state or an if's result.
func (v *vjp) accumulated(ct *cts, x ir.Var, blocks []*ir.Block) bool {
	if _, ok := ct.ref(x); ok {
		return true
	}
	if Tangent(v.typ(x)).Slots() > carryLimit {
		return true
	}
	for _, b := range blocks {
		if indexedIn(b, x) {
			return true // its elements' cotangents are added in O(1) each
		}
	}
	if d := v.def[x]; d != nil && (d.Op == ir.OpField || d.Op == ir.OpIndex) {
		return v.accumulated(ct, d.Args[0], blocks)
	}
	return false
}

// carryLimit is the largest cotangent, in slots, that a backward loop
// carries in its state (and an if passes through its result) rather than
// accumulating it.
const carryLimit = 4
