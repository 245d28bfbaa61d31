package ad

import "github.com/rose-go/rose/ir"

// The backward sweep of an `if` is an `if` that returns the cotangents its
// arms send to the variables defined before it; the transposed code of
// those definitions follows it. When the arm the forward sweep took sends
// nothing (billiards' collide: two balls that do not touch get a constant
// zero impulse), that code runs anyway, on zero cotangents, and costs as
// much as the branch that mattered.
//
// sinkZeroArms moves the rest of the block after such an `if` into both of
// its arms, where, in an arm that returns zero for some of the
// cotangents, the uses of those zeros fold away: a product, scale or dot
// with a zero cotangent is zero, a sum with one is the other operand, an
// add of zero into an accumulator does nothing. Pruning then drops the
// recomputed primal values that only fed them. The rule is the one every
// derivative rule follows (a zero cotangent contributes exactly zero,
// docs/language.md "Derivative rules and their edge cases"); the folding
// only makes it exact where a rule's product would have given 0 * Inf.
//
// Only the ifs the transposer emitted (ctIfs) are candidates: their arms'
// results are cotangents, to which the folding rules apply. Moving code
// duplicates it; the growth of f is bounded by its size before the pass.
func sinkZeroArms(f *ir.Func, ctIfs map[ir.Var]bool) {
	if len(ctIfs) == 0 {
		return
	}
	s := &sinker{f: f, ctIfs: ctIfs, def: map[ir.Var]*ir.Instr{}}
	s.budget = ir.Count(f.Body)
	s.defs(f.Body)
	s.block(f.Body)
}

// maxSink is the longest tail (in instructions) sunk into an if's arms.
// What sinking saves is the work on the if's own zero cotangents, which a
// long tail dilutes, while the copy costs the whole tail: in a
// straight-line program of thousands of ifs, sinking at the first one
// copied the rest of the backward sweep, doubling the gradient's code for
// nothing.
const maxSink = 1024

// maxSinkDepth is the most sinks nested in each other's arms. Each level
// copies its tail once more, so a chain of ifs would otherwise grow the
// code exponentially until the budget ran out.
const maxSinkDepth = 4

type sinker struct {
	f      *ir.Func
	ctIfs  map[ir.Var]bool
	def    map[ir.Var]*ir.Instr // constants, by their variable
	budget int                  // instructions the pass may still add
	depth  int                  // sinks enclosing the block being visited
}

func (s *sinker) defs(b *ir.Block) {
	for i := range b.Instrs {
		in := &b.Instrs[i]
		if in.Op == ir.OpConst {
			s.def[in.Dst] = in
		}
		for _, nb := range in.Blocks {
			s.defs(nb)
		}
	}
}

// isZero reports whether x is a constant zero cotangent.
func (s *sinker) isZero(x ir.Var) bool {
	in := s.def[x]
	return in != nil && in.F == 0 && s.f.Types[x].AllReal()
}

// zeroSeeds returns, for an arm's result r (a tuple of cotangents or one
// cotangent), which fields are constant zeros, and whether any is.
func (s *sinker) zeroSeeds(b *ir.Block) ([]bool, bool) {
	r := b.Result
	t := s.f.Types[r]
	if t.Kind != ir.KTuple {
		z := s.isZero(r)
		return []bool{z}, z
	}
	var tup *ir.Instr
	for i := range b.Instrs {
		if b.Instrs[i].Dst == r && b.Instrs[i].Op == ir.OpTuple {
			tup = &b.Instrs[i]
		}
	}
	seeds := make([]bool, len(t.Elems))
	whole := s.isZero(r)
	anyZero := false
	for k := range seeds {
		seeds[k] = whole || tup != nil && s.isZero(tup.Args[k])
		anyZero = anyZero || seeds[k]
	}
	return seeds, anyZero
}

// block applies the pass to b and, first, to the blocks nested in it.
func (s *sinker) block(b *ir.Block) {
	// tail[i] is the size of b's instructions from i on, nested blocks
	// included: what sinking at an if before i copies. It is counted once
	// per block; counting at every if was quadratic in straight-line code.
	var tail []int
	for i := 0; i < len(b.Instrs); i++ {
		in := &b.Instrs[i]
		if in.Op == ir.OpIf && s.ctIfs[in.Dst] && i+1 < len(b.Instrs) && tail == nil {
			tail = make([]int, len(b.Instrs)+1)
			for j := len(b.Instrs) - 1; j >= 0; j-- {
				tail[j] = tail[j+1] + 1
				for _, nb := range b.Instrs[j].Blocks {
					tail[j] += ir.Count(nb)
				}
			}
		}
		if in.Op == ir.OpIf && s.ctIfs[in.Dst] && i+1 < len(b.Instrs) && s.depth < maxSinkDepth && s.sink(b, i, tail[i+1]) {
			// b now ends with the if, whose arms hold the rest.
			s.depth++
			for _, nb := range b.Instrs[i].Blocks {
				s.block(nb)
			}
			s.depth--
			s.collapse(&b.Instrs[i])
			return
		}
		for _, nb := range in.Blocks {
			s.block(nb)
		}
	}
}

// collapse turns an if both of whose arms only return a zero constant
// into that constant.
func (s *sinker) collapse(in *ir.Instr) {
	for _, b := range in.Blocks {
		if len(b.Instrs) != 1 || b.Instrs[0].Dst != b.Result || !s.isZero(b.Result) {
			return
		}
	}
	*in = ir.Instr{Dst: in.Dst, Op: ir.OpConst, F: 0, Pos: in.Pos}
	s.def[in.Dst] = in
}

// sink moves the n instructions of b after the if at i into its arms,
// when one arm returns a zero cotangent and the budget allows the copy.
func (s *sinker) sink(b *ir.Block, i, n int) bool {
	in := &b.Instrs[i]
	if s.f.Types[b.Result].Kind == ir.KRef {
		return false
	}
	var seeds [2][]bool
	anyZero := false
	for k, arm := range in.Blocks {
		var z bool
		seeds[k], z = s.zeroSeeds(arm)
		anyZero = anyZero || z
	}
	tail := b.Instrs[i+1:]
	if !anyZero || n > s.budget || n > maxSink {
		return false
	}
	s.budget -= n
	r := in.Dst
	result := b.Result
	for k, arm := range in.Blocks {
		var instrs []ir.Instr
		res := result
		if k == 0 {
			// The first arm takes the original instructions.
			instrs = append([]ir.Instr(nil), tail...)
		} else {
			m := s.renamer()
			for j := range tail {
				m.fresh(tail[j].Dst)
				instrs = append(instrs, copyInstr(&tail[j], m.get, m.block))
			}
			res = m.get(result)
		}
		f := &folder{s: s, r: r, armRes: arm.Result, seeds: seeds[k], zero: map[ir.Var]bool{}, alias: map[ir.Var]ir.Var{}, tuples: map[ir.Var][]ir.Var{}}
		out := f.instrs(arm.Instrs, nil)
		out = f.instrs(instrs, out)
		arm.Instrs = out
		arm.Result = f.use(res, &arm.Instrs)
	}
	in.Dst = s.newVar(s.f.Types[result])
	b.Instrs = b.Instrs[:i+1]
	b.Result = in.Dst
	return true
}

func (s *sinker) newVar(t *ir.Type) ir.Var {
	s.f.Types = append(s.f.Types, t)
	return ir.Var(len(s.f.Types) - 1)
}

// renamer gives the variables defined in copied code fresh names; the
// others keep theirs.
type renamer struct {
	s *sinker
	m map[ir.Var]ir.Var
}

func (s *sinker) renamer() *renamer { return &renamer{s: s, m: map[ir.Var]ir.Var{}} }

func (r *renamer) get(x ir.Var) ir.Var {
	if y, ok := r.m[x]; ok {
		return y
	}
	return x
}

// fresh names x anew; copies are made definitions first, so a definition
// is renamed before its uses are copied.
func (r *renamer) fresh(x ir.Var) ir.Var {
	if x == ir.NoVar {
		return x
	}
	y := r.s.newVar(r.s.f.Types[x])
	r.m[x] = y
	if r.s.ctIfs[x] {
		r.s.ctIfs[y] = true
	}
	if c := r.s.def[x]; c != nil {
		r.s.def[y] = c
	}
	return y
}

func (r *renamer) block(b *ir.Block) *ir.Block {
	nb := &ir.Block{}
	for _, p := range b.Params {
		nb.Params = append(nb.Params, r.fresh(p))
	}
	for i := range b.Instrs {
		r.fresh(b.Instrs[i].Dst)
		nb.Instrs = append(nb.Instrs, copyInstr(&b.Instrs[i], r.get, r.block))
	}
	nb.Result = r.get(b.Result)
	return nb
}

// folder rewrites the code placed in one arm: uses of the if's result r
// become the arm's result, zero cotangents fold away.
type folder struct {
	s      *sinker
	r      ir.Var // the if's old result
	armRes ir.Var // the arm's result
	seeds  []bool // fields of r that are zero in this arm
	zero   map[ir.Var]bool
	alias  map[ir.Var]ir.Var   // x stands for another variable
	tuples map[ir.Var][]ir.Var // tuples built here, by field
}

func (f *folder) name(x ir.Var) ir.Var {
	for {
		y, ok := f.alias[x]
		if !ok {
			return x
		}
		x = y
	}
}

// use returns x for an instruction that needs its value, materializing a
// zero as a constant appended to out.
func (f *folder) use(x ir.Var, out *[]ir.Instr) ir.Var {
	x = f.name(x)
	if !f.zero[x] {
		return x
	}
	z := f.s.newVar(f.s.f.Types[x])
	*out = append(*out, ir.Instr{Dst: z, Op: ir.OpConst, F: 0, Pos: ir.NoPos})
	f.s.def[z] = &(*out)[len(*out)-1]
	return z
}

func (f *folder) instrs(in []ir.Instr, out []ir.Instr) []ir.Instr {
	for i := range in {
		out = f.instr(in[i], out)
	}
	return out
}

// ctZero reports whether x, a cotangent an arm of a transposer's if
// returns, is zero: folded to zero, a zero constant, or a tuple of those.
func (f *folder) ctZero(x ir.Var) bool {
	if f.zero[x] || f.s.isZero(x) {
		return true
	}
	fs, ok := f.tuples[x]
	if !ok || len(fs) == 0 {
		return false
	}
	for _, a := range fs {
		if !f.ctZero(a) {
			return false
		}
	}
	return true
}

// instr appends x, folded, to out.
func (f *folder) instr(x ir.Instr, out []ir.Instr) []ir.Instr {
	z := func(v ir.Var) bool { return f.zero[f.name(v)] }
	alias := func(v ir.Var) []ir.Instr { f.alias[x.Dst] = f.name(v); return out }
	zero := func() []ir.Instr { f.zero[x.Dst] = true; return out }
	switch x.Op {
	case ir.OpField:
		a := f.name(x.Args[0])
		if a == f.r {
			if f.seeds[x.N] {
				return zero()
			}
			if fs, ok := f.tuples[f.name(f.armRes)]; ok {
				return alias(fs[x.N])
			}
			x.Args = []ir.Var{f.armRes}
			break
		}
		if f.zero[a] {
			return zero()
		}
		if fs, ok := f.tuples[a]; ok {
			return alias(fs[x.N])
		}
	case ir.OpTuple:
		all := true
		fs := make([]ir.Var, len(x.Args))
		for k, a := range x.Args {
			fs[k] = f.name(a)
			all = all && f.zero[fs[k]]
		}
		f.tuples[x.Dst] = fs
		if all && len(x.Args) > 0 && f.s.f.Types[x.Dst].AllReal() {
			return zero()
		}
	case ir.OpNeg:
		if z(x.Args[0]) {
			return zero()
		}
	case ir.OpAdd:
		a, c := x.Args[0], x.Args[1]
		switch {
		case z(a) && z(c):
			return zero()
		case z(a):
			return alias(c)
		case z(c):
			return alias(a)
		}
	case ir.OpSub:
		a, c := x.Args[0], x.Args[1]
		switch {
		case z(a) && z(c):
			return zero()
		case z(c):
			return alias(a)
		case z(a):
			x.Op, x.Args = ir.OpNeg, []ir.Var{c}
		}
	case ir.OpMul, ir.OpMulZ, ir.OpScale, ir.OpDot:
		if z(x.Args[0]) || z(x.Args[1]) {
			return zero()
		}
	case ir.OpDiv:
		if z(x.Args[0]) {
			return zero()
		}
	case ir.OpAccAdd:
		if z(x.Args[1]) {
			return out
		}
	}
	// Any other instruction, or one that did not fold: its operands by
	// their current names, zeros materialized; nested blocks folded.
	args := make([]ir.Var, len(x.Args))
	for k, a := range x.Args {
		if a == f.r {
			args[k] = f.use(f.armRes, &out)
			continue
		}
		args[k] = f.use(a, &out)
	}
	x.Args = args
	// An if is zero when each of its arms, folded, returns zeros.
	zeroIf := x.Op == ir.OpIf && f.s.f.Types[x.Dst].AllReal()
	if len(x.Blocks) > 0 {
		bs := make([]*ir.Block, len(x.Blocks))
		for k, b := range x.Blocks {
			nb := &ir.Block{Params: b.Params}
			nb.Instrs = f.instrs(b.Instrs, nil)
			res := f.name(b.Result)
			zeroIf = zeroIf && (f.zero[res] || f.s.ctIfs[x.Dst] && f.ctZero(res))
			nb.Result = f.use(res, &nb.Instrs)
			bs[k] = nb
		}
		x.Blocks = bs
	}
	if zeroIf {
		f.zero[x.Dst] = true
	}
	return append(out, x)
}
