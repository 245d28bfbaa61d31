package ir

import "testing"

// TestDead checks the in-place rule's deadness on a loop body holding an
// if: the state array a is dead in an arm after its last use there (the
// other arm may still read it) and live there when read after the if; a
// variable of an arm is out of scope once its arm is done; a loop's
// argument is dead at the loop that reads it last.
func TestDead(t *testing.T) {
	for _, readAfter := range []bool{false, true} {
		b := NewBuilder("f", NoPos)
		arr := ArrayOf(4, Real)
		x := b.Param(arr)
		body, ps := b.Begin(Int, arr)
		a := ps[1]
		c := b.Compare(OpLt, ps[0], b.Int(2))
		thn, _ := b.Begin()
		u := b.Emit(arr, Instr{Op: OpUpdate, Args: []Var{a, ps[0], b.Real(1)}})
		b.End(u)
		els, _ := b.Begin()
		b.End(a)
		r := b.Emit(arr, Instr{Op: OpIf, Args: []Var{c}, Blocks: []*Block{thn, els}})
		res := r
		if readAfter {
			res = b.Emit(arr, Instr{Op: OpUpdate, Args: []Var{r, b.Int(0), b.Index(a, b.Int(3))}})
		}
		b.End(res)
		out := b.Emit(arr, Instr{Op: OpLoop, N: 4, Args: []Var{x}, Blocks: []*Block{body}})
		f := b.Finish(out)
		l := Live(f)

		// At the update in the then arm: frames fbody (at the loop),
		// body (at the if), then arm (at the update).
		fr := []Frame{{B: f.Body, Idx: int32(len(f.Body.Instrs) - 1)}}
		fr = append(fr, Enter(fr, body))
		for i := range body.Instrs {
			if body.Instrs[i].Op == OpIf {
				fr[1].Idx = int32(i)
			}
		}
		fr = append(fr, Enter(fr, thn))
		fr[2].Idx = int32(len(thn.Instrs) - 1) // the update
		if !fr[2].Once || fr[1].Once {
			t.Fatalf("once: arm %v, loop body %v", fr[2].Once, fr[1].Once)
		}
		if got := l.Dead(a, fr); got == readAfter {
			t.Errorf("readAfter=%v: a dead at the arm's update: %v", readAfter, got)
		}
		// In the else arm, the then arm's update is out of scope.
		fr[2] = Enter(fr[:2], els)
		if !l.Dead(u, fr) {
			t.Errorf("the then arm's update is live in the else arm")
		}
		// x, read only by the loop, is dead at it.
		if !l.Dead(x, fr[:1]) {
			t.Errorf("x is live after its last use")
		}
	}
}
