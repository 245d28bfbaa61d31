package ir

// Cost estimates the instructions one call of f executes: loops count
// their bodies once per step, an if its dearer arm, a call its callee, a
// while loop's blocks once (its step count is unknown). memo holds the
// costs of the functions seen, each computed once.
func Cost(f *Func, memo map[*Func]float64) float64 {
	if c, ok := memo[f]; ok {
		return c
	}
	var block func(b *Block) float64
	block = func(b *Block) float64 {
		n := 0.0
		for i := range b.Instrs {
			in := &b.Instrs[i]
			n++
			switch in.Op {
			case OpIf:
				n += max(block(in.Blocks[0]), block(in.Blocks[1]))
			case OpFor, OpLoop, OpScan:
				n += float64(in.N) * block(in.Blocks[0])
			case OpCall:
				n += Cost(in.Callee, memo)
			default:
				for _, nb := range in.Blocks {
					n += block(nb)
				}
			}
		}
		return n
	}
	c := block(f.Body)
	memo[f] = c
	return c
}
