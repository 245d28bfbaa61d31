package ir

import "testing"

// TestHoistConstants checks that scalar constants leave loops and
// branches for the function's entry, equal ones merged (by bits, so 0 and
// -0 stay apart), aggregate constants stay put, and the result verifies.
func TestHoistConstants(t *testing.T) {
	b := NewBuilder("f", NoPos)
	x := b.Param(Real)
	arr := ArrayOf(3, Real)
	blk, ps := b.Begin(Int, Real)
	one := b.Real(1)
	zero := b.Emit(arr, Instr{Op: OpConst})
	pz := b.Real(0)
	negz2 := b.Emit(Real, Instr{Op: OpConst, F: negZero()})
	s := b.Binary(OpAdd, ps[1], b.Binary(OpMul, one, b.Real(1)))
	s = b.Binary(OpAdd, s, b.Binary(OpAdd, b.Index(zero, b.Int(0)), b.Binary(OpAdd, pz, negz2)))
	b.End(s)
	loop := b.Emit(Real, Instr{Op: OpLoop, N: 4, Args: []Var{x}, Blocks: []*Block{blk}})
	f := b.Finish(b.Binary(OpAdd, loop, b.Real(1)))
	HoistConstants(f)
	if err := Verify(f); err != nil {
		t.Fatalf("%v\n%v", err, f)
	}
	consts := 0
	for _, in := range f.Body.Instrs {
		if in.Op == OpConst {
			consts++
		}
	}
	// 1, 0 (the index), +0 and -0 at the top; the zero array stays in the loop.
	if consts != 4 {
		t.Errorf("%d constants at the entry, want 4:\n%v", consts, f)
	}
	inLoop := 0
	for _, in := range f.Body.Instrs[len(f.Body.Instrs)-2].Blocks[0].Instrs {
		if in.Op == OpConst {
			inLoop++
			if f.Types[in.Dst].IsScalar() {
				t.Errorf("a scalar constant is still in the loop:\n%v", f)
			}
		}
	}
	if inLoop != 1 {
		t.Errorf("%d constants in the loop, want the zero array:\n%v", inLoop, f)
	}
}

func negZero() float64 {
	z := 0.0
	return -z
}
