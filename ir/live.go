package ir

import "slices"

// Liveness is where each variable of a function is defined and used:
// the facts both engines' in-place updates rest on (an update may store
// into its array when nothing reads the array afterwards). One
// definition, read by the evaluator's compiler and the Wasm generator.
//
// Instructions are numbered in the order of a walk that visits an
// instruction, then its nested blocks, then the next instruction, so that
// what an instruction's nested blocks hold is numbered between it and the
// next one; a block's result is used at a number of its own after its
// last instruction. Each variable keeps the ascending numbers of its
// uses. Whether a block uses v after instruction i is then one binary
// search, whatever the nesting (recording every enclosing block at every
// use was quadratic in the depth of an else-if chain).
type Liveness struct {
	// DefBlk is the block defining each variable (its parameters' too).
	DefBlk []*Block
	depth  []int32 // the nesting depth of each variable's DefBlk (the body's is 0)
	// The numbers of v's uses are at[off[v]:off[v+1]], ascending.
	off []int32
	at  []int32
	// ends[b][i] is the last number inside b's instruction i (its own if
	// it has no nested blocks); ends[b][len(b.Instrs)] is b's result's.
	ends map[*Block][]int32
}

// Live computes f's liveness.
func Live(f *Func) *Liveness {
	n := len(f.Types)
	l := &Liveness{DefBlk: make([]*Block, n), depth: make([]int32, n), ends: map[*Block][]int32{}}
	for _, p := range f.Params {
		l.DefBlk[p] = f.Body
	}
	type use struct{ v, at int32 }
	var uses []use
	next := int32(0)
	var walk func(b *Block, depth int32)
	walk = func(b *Block, depth int32) {
		for _, p := range b.Params {
			l.DefBlk[p], l.depth[p] = b, depth
		}
		ends := make([]int32, len(b.Instrs)+1)
		for i := range b.Instrs {
			in := &b.Instrs[i]
			at := next
			next++
			for _, a := range in.Args {
				if a >= 0 && int(a) < n {
					uses = append(uses, use{int32(a), at})
				}
			}
			for _, nb := range in.Blocks {
				walk(nb, depth+1)
			}
			ends[i] = next - 1
			if in.Dst >= 0 && int(in.Dst) < n {
				l.DefBlk[in.Dst], l.depth[in.Dst] = b, depth
			}
		}
		if r := b.Result; r >= 0 && int(r) < n {
			uses = append(uses, use{int32(r), next})
		}
		ends[len(b.Instrs)] = next
		next++
		l.ends[b] = ends
	}
	walk(f.Body, 0)
	// Group the uses by variable, keeping each group's walk order.
	l.off = make([]int32, n+1)
	for _, u := range uses {
		l.off[u.v+1]++
	}
	for v := range n {
		l.off[v+1] += l.off[v]
	}
	l.at = make([]int32, len(uses))
	fill := append([]int32(nil), l.off[:n]...)
	for _, u := range uses {
		l.at[fill[u.v]] = u.at
		fill[u.v]++
	}
	return l
}

// usedAfter reports whether fr's block uses v after the instruction at
// hand: inside a later instruction, or as its result.
func (l *Liveness) usedAfter(v Var, fr Frame) bool {
	ends := l.ends[fr.B]
	if ends == nil || int(fr.Idx) >= len(ends)-1 {
		return false
	}
	lo, hi := ends[fr.Idx], ends[len(ends)-1]
	at := l.at[l.off[v]:l.off[v+1]]
	k, _ := slices.BinarySearch(at, lo+1)
	return k < len(at) && at[k] <= hi
}

// Frame is a block being compiled and the index of its instruction at
// hand (or of the instruction owning the nested block at hand).
type Frame struct {
	B   *Block
	Idx int32
	// Once reports a block that runs at most once each time its
	// parent's instruction does: an if's arm, not a loop's body.
	Once bool
}

// Enter is the frame of b entered from frames (its parent last).
func Enter(frames []Frame, b *Block) Frame {
	once := false
	if k := len(frames); k > 0 {
		fr := frames[k-1]
		once = int(fr.Idx) < len(fr.B.Instrs) && fr.B.Instrs[fr.Idx].Op == OpIf
	}
	return Frame{B: b, Once: once}
}

// Dead reports whether nothing after the instruction at hand (frames'
// last, the blocks being compiled outermost first) uses v:
//   - v is defined in the current block, or in a block enclosing it
//     through if arms only (no loop body between, whose next step would
//     read v again), and neither the current block nor any of those uses
//     v after the instruction at hand or the one owning the arm (the
//     other arm of an if may use v: it does not run);
//   - or v is defined in a block that is done (an arm compiled before
//     this one): it is out of scope.
func (l *Liveness) Dead(v Var, frames []Frame) bool {
	if len(frames) == 0 || v < 0 || int(v) >= len(l.DefBlk) {
		return false
	}
	d := int(l.depth[v])
	if d >= len(frames) || frames[d].B != l.DefBlk[v] {
		return true
	}
	for k := len(frames) - 1; k > d; k-- {
		fr := frames[k]
		if !fr.Once || l.usedAfter(v, fr) {
			return false
		}
	}
	return !l.usedAfter(v, frames[d])
}

// StateParts finds where the values a loop's next state is made of lie
// in the state, so that both engines build them there and a step copies
// nothing: b is a loop body (or an arm of an if that makes part of the
// next state) whose result is a tuple made by its last instruction, at
// slot off of a state n slots long. Walking back from it, a tuple's
// fields lie at their offsets in it, the tuple a field is read from lies
// around the field (inside the state: a struct updated field by field),
// and what an if's arms yield from b itself lies where the if does. The
// result maps each such variable defined in b, b's result included, to
// its slot offset in the state; nil if b's result is not such a tuple.
func StateParts(f *Func, b *Block, off, n int) map[Var]int {
	k := len(b.Instrs)
	if k == 0 || b.Instrs[k-1].Dst != b.Result || b.Instrs[k-1].Op != OpTuple {
		return nil
	}
	def := make(map[Var]bool, k)
	for i := range b.Instrs {
		def[b.Instrs[i].Dst] = true
	}
	at := map[Var]int{b.Result: off}
	mark := func(v Var, o int) {
		if _, seen := at[v]; !seen && def[v] {
			at[v] = o
		}
	}
	fields := func(in *Instr, o int) {
		for _, a := range in.Args {
			mark(a, o)
			o += f.Types[a].Slots()
		}
	}
	for i := k - 1; i >= 0; i-- {
		in := &b.Instrs[i]
		o, ok := at[in.Dst]
		if !ok {
			continue
		}
		switch in.Op {
		case OpTuple:
			fields(in, o)
		case OpField:
			t := f.Types[in.Args[0]]
			if lo := o - t.FieldOffset(in.N); lo >= 0 && lo+t.Slots() <= n {
				mark(in.Args[0], lo)
			}
		case OpIf:
			for _, arm := range in.Blocks {
				mark(arm.Result, o)
				if j := len(arm.Instrs); j > 0 && arm.Instrs[j-1].Dst == arm.Result && arm.Instrs[j-1].Op == OpTuple {
					fields(&arm.Instrs[j-1], o)
				}
			}
		}
	}
	return at
}
