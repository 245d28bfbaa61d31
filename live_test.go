package rose_test

import (
	"context"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/ir"
)

// usesIn reports whether b's instructions from index i on (nested blocks
// included) or b's result use v.
func usesIn(b *ir.Block, i int, v ir.Var) bool {
	for ; i < len(b.Instrs); i++ {
		in := &b.Instrs[i]
		for _, a := range in.Args {
			if a == v {
				return true
			}
		}
		for _, nb := range in.Blocks {
			if usesIn(nb, 0, v) {
				return true
			}
		}
	}
	return b.Result == v
}

// naiveDead is ir.Liveness.Dead's rule by scanning: v's block is not
// among frames (out of scope), or no frame between v's block and the
// innermost is a loop body and none of them, v's block included, uses v
// after its instruction at hand.
func naiveDead(l *ir.Liveness, v ir.Var, frames []ir.Frame) bool {
	d := -1
	for k, fr := range frames {
		if fr.B == l.DefBlk[v] {
			d = k
		}
	}
	if d < 0 {
		return true
	}
	for k := len(frames) - 1; k >= d; k-- {
		fr := frames[k]
		if k > d && !fr.Once {
			return false
		}
		if usesIn(fr.B, int(fr.Idx)+1, v) {
			return false
		}
	}
	return true
}

// TestLivenessAgainstScan walks the IR of every example's function and
// gradient as the engines do and compares ir.Liveness.Dead with
// naiveDead, at every instruction, for its operands and a sample of
// other variables.
func TestLivenessAgainstScan(t *testing.T) {
	files, _ := filepath.Glob("examples/*.rose")
	r := rand.New(rand.NewSource(1))
	checked := 0
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		exs, err := rose.Load(path, src).Examples(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		seen := map[*ir.Func]bool{}
		for _, ex := range exs {
			if ex.Err != nil {
				continue
			}
			fns := []*ir.Func{ex.Func.IR}
			if g, err := ex.Func.GradIR(); err == nil {
				fns = append(fns, g)
			}
			for _, top := range fns {
				for _, f := range ir.Reachable(top) {
					if seen[f] || f.Body == nil {
						continue
					}
					seen[f] = true
					l := ir.Live(f)
					var frames []ir.Frame
					var walk func(b *ir.Block)
					walk = func(b *ir.Block) {
						frames = append(frames, ir.Enter(frames, b))
						for i := range b.Instrs {
							frames[len(frames)-1].Idx = int32(i)
							in := &b.Instrs[i]
							vs := append([]ir.Var(nil), in.Args...)
							for range 3 {
								vs = append(vs, ir.Var(r.Intn(len(f.Types))))
							}
							for _, v := range vs {
								if v < 0 || l.DefBlk[v] == nil {
									continue
								}
								checked++
								if got, want := l.Dead(v, frames), naiveDead(l, v, frames); got != want {
									t.Fatalf("%s: %s: Dead(%%%d) at instruction %d of a block at depth %d is %v, the scan says %v", path, f.Name, v, i, len(frames)-1, got, want)
								}
							}
							for _, nb := range in.Blocks {
								walk(nb)
							}
						}
						frames = frames[:len(frames)-1]
					}
					walk(f.Body)
				}
			}
		}
	}
	if checked < 10000 {
		t.Errorf("only %d checks", checked)
	}
	t.Logf("%d checks", checked)
}
