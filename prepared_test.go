package rose_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
)

// TestPrepared: a prepared call runs many times with the results and
// errors of Call, on both engines, even where the function updates its
// argument in place.
func TestPrepared(t *testing.T) {
	src := `
fn bump(a: [4]Real, k: Int) -> [4]Real {
    var b = a
    b[k] = b[k] + 1.0
    b
}
fn total(a: [4]Real) -> Real {
    var s = 0.0
    for i in 0..4 { s += a[i] * a[i] }
    s
}
fn loss(a: [4]Real) -> Real { total(bump(a, 1)) }
fn g(a: [4]Real) -> [4]Real { grad(loss)(a) }
`
	ctx := context.Background()
	a := value.Array(value.Real(1), value.Real(2), value.Real(3), value.Real(4))
	for _, eng := range []rose.Engine{rose.EngineEval, rose.EngineCompiled} {
		p := rose.Load("p.rose", []byte(src))
		p.Engine = eng
		if err := p.Err(); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			args []value.Value
		}{
			{"bump", []value.Value{a, value.Int(1)}},
			{"g", []value.Value{a}},
			{"bump", []value.Value{a, value.Int(7)}}, // index out of range
		}
		for _, c := range cases {
			f, err := p.Func(c.name, nil)
			if err != nil {
				t.Fatal(err)
			}
			want, wantErr := f.Call(ctx, c.args, nil)
			pr, err := f.Prepare(ctx, c.args)
			if err != nil {
				t.Fatal(err)
			}
			for run := range 3 {
				err := pr.Run(ctx, nil)
				if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
					t.Fatalf("%s %s run %d: error %v, want %v", eng, c.name, run, err, wantErr)
				}
				if err == nil && !value.Equal(pr.Result(), want) {
					t.Errorf("%s %s run %d: %v, want %v", eng, c.name, run, pr.Result(), want)
				}
				if err == nil {
					slots := make([]float64, f.IR.Result().Slots())
					if err := value.Store(slots, want, f.IR.Result()); err != nil {
						t.Fatal(err)
					}
					if got := pr.Slots(nil); !slices.Equal(got, slots) {
						t.Errorf("%s %s run %d: slots %v, want %v", eng, c.name, run, got, slots)
					}
				}
			}
			pr.Close()
		}
	}
	// Arguments of the wrong shape fail in Prepare.
	p := rose.Load("p.rose", []byte(src))
	f, err := p.Func("total", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Prepare(ctx, []value.Value{value.Real(1)}); err == nil || !strings.Contains(err.Error(), "argument") {
		t.Errorf("wrong shape: %v", err)
	}
}
