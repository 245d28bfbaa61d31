package ir

import "math"

// HoistConstants moves every scalar constant of f to the start of its body
// and merges equal ones (same type, same bits), so that a loop does not
// make its constants again at every step. Aggregate constants (zero-filled
// cotangents) stay where they are: making one costs its size, which an
// untaken branch should not pay.
func HoistConstants(f *Func) {
	if hoistConstants(f) {
		renumber(f) // the merged constants' variables are gone
	}
}

// hoistConstants is HoistConstants but for the renumbering, which it
// reports is needed: Prune renumbers once, at its end.
func hoistConstants(f *Func) bool {
	type key struct {
		kind Kind
		bits uint64
	}
	canon := map[key]Var{}
	var hoisted []Instr
	repl := map[Var]Var{}
	bitsOf := func(in *Instr, t *Type) uint64 {
		if t.Kind == KReal {
			return math.Float64bits(in.F)
		}
		return uint64(in.I)
	}
	var walk func(b *Block)
	walk = func(b *Block) {
		n := 0
		for i := range b.Instrs {
			in := &b.Instrs[i]
			for _, nb := range in.Blocks {
				walk(nb)
			}
			if t := f.Types[in.Dst]; in.Op == OpConst && t.IsScalar() {
				k := key{t.Kind, bitsOf(in, t)}
				if c, ok := canon[k]; ok {
					repl[in.Dst] = c
					continue
				}
				canon[k] = in.Dst
				if b != f.Body {
					// Constants of the body stay where they are, before
					// every later use; nested ones move to the front.
					hoisted = append(hoisted, *in)
					continue
				}
			}
			if n != i {
				b.Instrs[n] = *in
			}
			n++
		}
		clear(b.Instrs[n:])
		b.Instrs = b.Instrs[:n]
	}
	walk(f.Body)
	if len(hoisted) == 0 && len(repl) == 0 {
		return false
	}
	if len(repl) > 0 {
		var rewrite func(b *Block)
		rewrite = func(b *Block) {
			for i := range b.Instrs {
				in := &b.Instrs[i]
				for k, a := range in.Args {
					if c, ok := repl[a]; ok {
						in.Args[k] = c
					}
				}
				for _, nb := range in.Blocks {
					rewrite(nb)
				}
			}
			if c, ok := repl[b.Result]; ok {
				b.Result = c
			}
		}
		rewrite(f.Body)
	}
	if len(hoisted) > 0 {
		f.Body.Instrs = append(hoisted, f.Body.Instrs...)
	}
	return len(repl) > 0
}
