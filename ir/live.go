package ir

import "slices"

// Liveness is where each variable of a function is defined and last
// used: the facts both engines' in-place updates rest on (an update may
// store into its array when nothing reads the array afterwards). One
// definition, read by the evaluator's compiler and the Wasm generator.
type Liveness struct {
	// DefBlk is the block defining each variable (its parameters' too).
	DefBlk []*Block
	// Last is the index in DefBlk of the last instruction using each
	// variable: a use in a nested block counts as a use by the
	// instruction owning the block, a block's result as a use after its
	// last instruction; -1 for none.
	Last   []int32
	lastIn map[blockVar]int32 // the same in each block nested in DefBlk that uses it
}

type blockVar struct {
	b *Block
	v Var
}

// Live computes f's liveness.
func Live(f *Func) *Liveness {
	n := len(f.Types)
	l := &Liveness{DefBlk: make([]*Block, n), Last: make([]int32, n), lastIn: map[blockVar]int32{}}
	for v := range l.Last {
		l.Last[v] = -1
	}
	for _, p := range f.Params {
		l.DefBlk[p] = f.Body
	}
	var open []Frame // the blocks being walked, outermost first
	use := func(v Var) {
		if v < 0 || int(v) >= n {
			return
		}
		for k := len(open) - 1; k >= 0; k-- {
			fr := open[k]
			if fr.B == l.DefBlk[v] {
				l.Last[v] = max(l.Last[v], fr.Idx)
				return
			}
			key := blockVar{fr.B, v}
			if x, ok := l.lastIn[key]; !ok || x < fr.Idx {
				l.lastIn[key] = fr.Idx
			}
		}
	}
	var walk func(b *Block)
	walk = func(b *Block) {
		for _, p := range b.Params {
			l.DefBlk[p] = b
		}
		open = append(open, Frame{B: b})
		top := len(open) - 1
		for i := range b.Instrs {
			in := &b.Instrs[i]
			open[top].Idx = int32(i)
			for _, a := range in.Args {
				use(a)
			}
			for _, nb := range in.Blocks {
				walk(nb)
			}
			l.DefBlk[in.Dst] = b
		}
		open[top].Idx = int32(len(b.Instrs))
		use(b.Result)
		open = open[:top]
	}
	walk(f.Body)
	return l
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
	if len(frames) == 0 {
		return false
	}
	cur := frames[len(frames)-1]
	if l.DefBlk[v] == cur.B {
		return l.Last[v] <= cur.Idx
	}
	if !slices.ContainsFunc(frames, func(fr Frame) bool { return fr.B == l.DefBlk[v] }) {
		return true
	}
	for k := len(frames) - 1; k >= 0; k-- {
		fr := frames[k]
		if fr.B == l.DefBlk[v] {
			return l.Last[v] <= fr.Idx
		}
		if !fr.Once {
			return false
		}
		if x, ok := l.lastIn[blockVar{fr.B, v}]; ok && x > fr.Idx {
			return false
		}
	}
	return false
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
