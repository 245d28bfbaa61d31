package ir

// Prune removes the instructions of f whose results nothing uses. All IR
// operations are pure, so this changes no result; it may drop a failing
// operation whose value is unused (an index out of range, say). The
// derivative transforms rely on it to drop recomputed values that the
// backward sweep does not need.
func Prune(f *Func) {
	used := make([]bool, len(f.Types))
	pruneBlock(f.Body, used)
	renumber(f)
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

func pruneBlock(b *Block, used []bool) {
	if b.Result >= 0 {
		used[b.Result] = true
	}
	// Backward, marking what the kept instructions use: an instruction is
	// kept when its result is used by a later one (or is the result), which
	// is known on reaching it, since a variable is used only after its
	// definition and only in its block or blocks nested in it.
	for i := len(b.Instrs) - 1; i >= 0; i-- {
		in := &b.Instrs[i]
		if !used[in.Dst] {
			continue
		}
		for _, nb := range in.Blocks {
			pruneBlock(nb, used)
		}
		for _, a := range in.Args {
			used[a] = true
		}
	}
	// Forward, moving the kept instructions down in place.
	n := 0
	for i := range b.Instrs {
		if used[b.Instrs[i].Dst] {
			if n != i {
				b.Instrs[n] = b.Instrs[i]
			}
			n++
		}
	}
	clear(b.Instrs[n:])
	b.Instrs = trim(b.Instrs[:n]) // pruning may leave much room to spare
}
