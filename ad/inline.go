package ad

import "github.com/rose-go/rose/ir"

// Reverse mode differentiates a call in a loop body by calling the
// callee's cotangent VJP, which returns a dense cotangent of each
// parameter. For a callee that reads a large array parameter element by
// element (advance(balls, i) reads balls[i] and, one at a time, every
// balls[j]), that dense cotangent is zeroed, filled, copied out and added
// into the caller's accumulator once per call: O(array) work per step
// where the reads cost O(1) each. Differentiating the callee's body in
// place instead lets its element reads add straight into the caller's
// accumulator of the array's cotangent.
//
// inlined returns f with such calls in the bodies of OpFor (maps, whose
// steps are independent; a sequential loop's calls stay calls, where the
// split into fwd and bwd halves pays) replaced by the callee's body, the
// callee's body being itself inlined first, or f itself when none
// qualify. The result computes the same values by the same
// operations in the same order; only the derivative transforms see it.

// inlineMinSlots is the least number of Real slots in a parameter's
// cotangent for which a call in a loop body is inlined.
const inlineMinSlots = 16

// inlineMaxInstrs bounds the size, in instructions counted through nested
// blocks, of a callee that is inlined.
const inlineMaxInstrs = 200

func (tr *Transformer) inlined(f *ir.Func) *ir.Func {
	if g, ok := tr.inl[f]; ok {
		return g
	}
	g := tr.inlineCalls(f)
	tr.inl[f] = g
	return g
}

// inlineWorth reports whether a call of g in a loop body is inlined: g
// has a large array parameter that it only reads elements of, so that its
// cotangent VJP would return a dense cotangent with few entries touched.
//
// A small leaf function (see inlineLeafInstrs) is inlined in the body of
// any loop, sequential (inMap false) or not.
func (tr *Transformer) inlineWorth(g *ir.Func, inMap bool) bool {
	if g.CustomJVP != nil || g.Deriv != nil || g.Body == nil {
		return false
	}
	g = tr.inlined(g)
	n := ir.Count(g.Body)
	if n > inlineMaxInstrs {
		return false
	}
	if n <= inlineLeafInstrs && isLeaf(g.Body) {
		return true
	}
	if !inMap {
		return false
	}
	for _, p := range g.Params {
		t := g.Types[p]
		if t.Kind == ir.KArray && Tangent(t).Slots() >= inlineMinSlots && onlyIndexed(g.Body, p) {
			return true
		}
	}
	return false
}

// onlyIndexed reports whether b and its nested blocks use x only as the
// array an OpIndex reads an element of.
func onlyIndexed(b *ir.Block, x ir.Var) bool {
	if b.Result == x {
		return false
	}
	for i := range b.Instrs {
		in := &b.Instrs[i]
		for j, a := range in.Args {
			if a == x && (in.Op != ir.OpIndex || j != 0) {
				return false
			}
		}
		for _, nb := range in.Blocks {
			if !onlyIndexed(nb, x) {
				return false
			}
		}
	}
	return true
}

// inlineLeafInstrs bounds the size of a leaf function (one that calls
// none) that is inlined wherever a loop body calls it: differentiated in
// place, the adds of its parameters' cotangents into the caller's
// accumulators join its backward sweep, where an arm that sends nothing
// drops them (see sinkZeroArms).
const inlineLeafInstrs = 64

// isLeaf reports whether b calls no function.
func isLeaf(b *ir.Block) bool {
	for i := range b.Instrs {
		if b.Instrs[i].Op == ir.OpCall {
			return false
		}
		for _, nb := range b.Instrs[i].Blocks {
			if !isLeaf(nb) {
				return false
			}
		}
	}
	return true
}

// loopKind says whether the blocks of in are in the body of a map (OpFor)
// and in the body of any loop, given where in is.
func loopKind(in *ir.Instr, inMap, inLoop bool) (bool, bool) {
	switch in.Op {
	case ir.OpFor:
		return true, true
	case ir.OpLoop, ir.OpScan, ir.OpWhile, ir.OpWhileScan:
		return false, true
	case ir.OpIf:
		return inMap, inLoop
	}
	return false, false
}

// inlineCalls returns a copy of f with the calls in loop bodies that
// inlineWorth selects replaced by their callees' bodies, or f if none is.
func (tr *Transformer) inlineCalls(f *ir.Func) *ir.Func {
	any := false
	var scan func(b *ir.Block, inMap, inLoop bool)
	scan = func(b *ir.Block, inMap, inLoop bool) {
		for i := range b.Instrs {
			in := &b.Instrs[i]
			if in.Op == ir.OpCall && inLoop && tr.inlineWorth(in.Callee, inMap) {
				any = true
			}
			m, l := loopKind(in, inMap, inLoop)
			for _, nb := range in.Blocks {
				scan(nb, m, l)
			}
		}
	}
	scan(f.Body, false, false)
	if !any {
		return f
	}
	g := &ir.Func{Name: f.Name, Pos: f.Pos, Params: f.Params, Types: append([]*ir.Type(nil), f.Types...),
		CustomJVP: f.CustomJVP}
	subst := map[ir.Var]ir.Var{} // a call's result -> the inlined body's result
	var block func(b *ir.Block, inMap, inLoop bool) *ir.Block
	block = func(b *ir.Block, inMap, inLoop bool) *ir.Block {
		nb := &ir.Block{Params: b.Params, Result: b.Result}
		for i := range b.Instrs {
			in := b.Instrs[i]
			if in.Op == ir.OpCall && inLoop && tr.inlineWorth(in.Callee, inMap) {
				r := inlineInto(g, tr.inlined(in.Callee), in.Args, &nb.Instrs)
				subst[in.Dst] = r
				continue
			}
			m, l := loopKind(&in, inMap, inLoop)
			if len(in.Blocks) > 0 {
				bs := make([]*ir.Block, len(in.Blocks))
				for j, x := range in.Blocks {
					bs[j] = block(x, m, l)
				}
				in.Blocks = bs
			}
			in.Args = append([]ir.Var(nil), in.Args...)
			nb.Instrs = append(nb.Instrs, in)
		}
		return nb
	}
	g.Body = block(f.Body, false, false)
	// Uses of a call's result now name the inlined result. Results of
	// inlined bodies may themselves be results of other inlined calls only
	// through the arguments, which were renamed before, so one pass with
	// chasing suffices.
	look := func(x ir.Var) ir.Var {
		for {
			y, ok := subst[x]
			if !ok {
				return x
			}
			x = y
		}
	}
	var rename func(b *ir.Block)
	rename = func(b *ir.Block) {
		for i := range b.Instrs {
			in := &b.Instrs[i]
			for j, a := range in.Args {
				in.Args[j] = look(a)
			}
			for _, nb := range in.Blocks {
				rename(nb)
			}
		}
		b.Result = look(b.Result)
	}
	rename(g.Body)
	return g
}

// inlineInto appends to out the instructions of c's body with c's
// variables renumbered into g and c's parameters bound to args, and
// returns the variable of g that holds the body's result.
func inlineInto(g, c *ir.Func, args []ir.Var, out *[]ir.Instr) ir.Var {
	base := ir.Var(len(g.Types))
	g.Types = append(g.Types, c.Types...)
	isParam := map[ir.Var]ir.Var{}
	for i, p := range c.Params {
		isParam[p] = args[i]
	}
	m := func(x ir.Var) ir.Var {
		if a, ok := isParam[x]; ok {
			return a
		}
		return base + x
	}
	var block func(b *ir.Block) *ir.Block
	block = func(b *ir.Block) *ir.Block {
		nb := &ir.Block{Result: m(b.Result)}
		for _, p := range b.Params {
			nb.Params = append(nb.Params, m(p))
		}
		nb.Instrs = make([]ir.Instr, len(b.Instrs))
		for i := range b.Instrs {
			nb.Instrs[i] = copyInstr(&b.Instrs[i], m, block)
		}
		return nb
	}
	for i := range c.Body.Instrs {
		*out = append(*out, copyInstr(&c.Body.Instrs[i], m, block))
	}
	return m(c.Body.Result)
}

func copyInstr(in *ir.Instr, m func(ir.Var) ir.Var, block func(*ir.Block) *ir.Block) ir.Instr {
	x := *in
	x.Dst = m(in.Dst)
	x.Args = make([]ir.Var, len(in.Args))
	for j, a := range in.Args {
		x.Args[j] = m(a)
	}
	if len(in.Blocks) > 0 {
		x.Blocks = make([]*ir.Block, len(in.Blocks))
		for j, b := range in.Blocks {
			x.Blocks[j] = block(b)
		}
	}
	return x
}
