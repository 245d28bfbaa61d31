package ir

// Walk calls visit on every instruction of b, nested blocks included,
// each before the blocks it holds.
func Walk(b *Block, visit func(*Instr)) {
	for i := range b.Instrs {
		visit(&b.Instrs[i])
		for _, nb := range b.Instrs[i].Blocks {
			Walk(nb, visit)
		}
	}
}

// Count is the number of instructions of b, nested blocks included.
func Count(b *Block) int {
	n := len(b.Instrs)
	for i := range b.Instrs {
		for _, nb := range b.Instrs[i].Blocks {
			n += Count(nb)
		}
	}
	return n
}
