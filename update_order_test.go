package rose_test

import (
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/ir"
)

// TestFieldUpdateReadsFirst checks the lowering of an update through a
// struct field, `h.bins[i] = v`: the struct's other fields are read
// before the update, so that nothing reads the old struct after it and
// both engines update the array in place (an update is in place only when
// the array and everything sharing its slots is dead after it).
func TestFieldUpdateReadsFirst(t *testing.T) {
	src := `
struct Hist { bins: [8]Real, count: Int, scale: Real }
fn f(h0: Hist, v: Real) -> Hist {
    var h = h0
    h.bins[3] = v
    h
}
`
	p := rose.Load("o.rose", []byte(src))
	f, err := p.Func("f", nil)
	if err != nil {
		t.Fatal(err)
	}
	body := f.IR.Body
	// The variables that are the struct h (the parameter and its copies).
	structs := map[ir.Var]bool{f.IR.Params[0]: true}
	update := -1
	for i, in := range body.Instrs {
		switch in.Op {
		case ir.OpUpdate:
			update = i
		case ir.OpField:
			if structs[in.Args[0]] && update >= 0 {
				t.Errorf("instruction %d reads field %d of the old struct after the update (instruction %d):\n%s", i, in.N, update, f.IR)
			}
		}
	}
	if update < 0 {
		t.Fatalf("no update in\n%s", f.IR)
	}
}
