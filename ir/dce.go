package ir

// Prune removes the instructions of f whose results nothing uses. All IR
// operations but OpAccAdd are pure, so this changes no result; it may drop
// a failing operation whose value is unused (an index out of range, say).
// An OpAccAdd (and an instruction whose blocks hold one) is kept while the
// accumulator it adds into is read by a kept OpResolve. The derivative
// transforms rely on Prune to drop recomputed values that the backward
// sweep does not need.
//
// Prune also hoists and merges scalar constants (see HoistConstants).
func Prune(f *Func) {
	hoistConstants(f) // renumbered below
	// Which accumulators are read is found first, then the instructions
	// are pruned as if each add into a read accumulator were used.
	p := &pruner{root: RefRoots(f), resolved: map[Var]bool{}, read: make([]bool, len(f.Types)), effect: map[*Block]bool{}}
	p.resolves(f.Body)
	for len(p.resolved) > 0 {
		used := make([]bool, len(f.Types))
		p.block(f.Body, used, false)
		// An accumulator counts as read once a kept OpResolve reads it;
		// that can keep more adds, whose values can keep more resolves.
		changed := false
		for v, r := range p.root {
			if r != NoVar && used[v] && p.resolved[Var(v)] && !p.read[r] {
				p.read[r], changed = true, true
			}
		}
		clear(p.effect)
		if !changed {
			break
		}
	}
	p.block(f.Body, make([]bool, len(f.Types)), true)
	renumber(f)
}

// pruner holds what Prune knows about the accumulators of one function.
type pruner struct {
	root     []Var           // reference var -> the OpAccum it points into, NoVar for others
	resolved map[Var]bool    // reference vars that an OpResolve reads
	read     []bool          // accumulators (by their OpAccum var) that a kept resolve reads
	effect   map[*Block]bool // memo: the block holds an add into a read accumulator
}

// RefRoots maps each reference variable of f to the OpAccum variable it
// points into, and every other variable to NoVar.
func RefRoots(f *Func) []Var {
	root := make([]Var, len(f.Types))
	for i := range root {
		root[i] = NoVar
	}
	var walk func(b *Block)
	walk = func(b *Block) {
		for i := range b.Instrs {
			in := &b.Instrs[i]
			switch in.Op {
			case OpAccum:
				root[in.Dst] = in.Dst
			case OpRefIndex, OpRefField:
				root[in.Dst] = root[in.Args[0]]
			}
			for _, nb := range in.Blocks {
				walk(nb)
			}
		}
	}
	walk(f.Body)
	return root
}

// resolves notes the references that an OpResolve reads.
func (p *pruner) resolves(b *Block) {
	for i := range b.Instrs {
		in := &b.Instrs[i]
		if in.Op == OpResolve {
			p.resolved[in.Args[0]] = true
		}
		for _, nb := range in.Blocks {
			p.resolves(nb)
		}
	}
}

// live reports whether in must be kept for its effect.
func (p *pruner) live(in *Instr) bool {
	if in.Op == OpAccAdd {
		r := p.root[in.Args[0]]
		return r != NoVar && p.read[r]
	}
	for _, nb := range in.Blocks {
		if p.hasEffect(nb) {
			return true
		}
	}
	return false
}

func (p *pruner) hasEffect(b *Block) bool {
	if e, ok := p.effect[b]; ok {
		return e
	}
	e := false
	for i := range b.Instrs {
		if p.live(&b.Instrs[i]) {
			e = true
			break
		}
	}
	p.effect[b] = e
	return e
}

// renumber drops the types of variables that are no longer defined and
// numbers the rest densely, in order of definition.
func renumber(f *Func) {
	m := make([]Var, len(f.Types))
	for i := range m {
		m[i] = NoVar
	}
	types := make([]*Type, 0, len(f.Types)) // at most as many; trimmed below
	def := func(v Var) {
		if m[v] == NoVar {
			m[v] = Var(len(types))
			types = append(types, f.Types[v])
		}
	}
	for _, p := range f.Params {
		def(p)
	}
	var defs func(b *Block)
	defs = func(b *Block) {
		for _, p := range b.Params {
			def(p)
		}
		for i := range b.Instrs {
			for _, nb := range b.Instrs[i].Blocks {
				defs(nb)
			}
			def(b.Instrs[i].Dst)
		}
	}
	defs(f.Body)
	for i, p := range f.Params {
		f.Params[i] = m[p]
	}
	var rewrite func(b *Block)
	rewrite = func(b *Block) {
		for i, p := range b.Params {
			b.Params[i] = m[p]
		}
		for i := range b.Instrs {
			in := &b.Instrs[i]
			in.Dst = m[in.Dst]
			for k, a := range in.Args {
				in.Args[k] = m[a]
			}
			for _, nb := range in.Blocks {
				rewrite(nb)
			}
		}
		if b.Result >= 0 {
			b.Result = m[b.Result]
		}
	}
	rewrite(f.Body)
	f.Types = trim(types)
}

// block marks what b uses; with sweep set it also drops what is not used.
func (p *pruner) block(b *Block, used []bool, sweep bool) {
	if b.Result >= 0 {
		used[b.Result] = true
	}
	// Backward, marking what the kept instructions use: an instruction is
	// kept when its result is used by a later one (or is the result), which
	// is known on reaching it, since a variable is used only after its
	// definition and only in its block or blocks nested in it, or when it
	// adds into a read accumulator.
	for i := len(b.Instrs) - 1; i >= 0; i-- {
		in := &b.Instrs[i]
		if !used[in.Dst] && !p.live(in) {
			continue
		}
		for _, nb := range in.Blocks {
			p.block(nb, used, sweep)
		}
		for _, a := range in.Args {
			used[a] = true
		}
	}
	if !sweep {
		return
	}
	// Forward, moving the kept instructions down in place. What decided
	// each one is unchanged since: only later instructions mark a result
	// used, and which accumulators are read is fixed during the sweep.
	n := 0
	for i := range b.Instrs {
		if in := &b.Instrs[i]; used[in.Dst] || p.live(in) {
			if n != i {
				b.Instrs[n] = b.Instrs[i]
			}
			n++
		}
	}
	clear(b.Instrs[n:])
	b.Instrs = trim(b.Instrs[:n]) // pruning may leave much room to spare
}
