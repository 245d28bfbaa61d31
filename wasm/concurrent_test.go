package wasm_test

import (
	"context"
	"sync"
	"testing"

	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/value"
	"github.com/rose-go/rose/wasm"
)

// TestConcurrent calls one compiled function from many goroutines, with
// different arguments and some failing calls, and checks every result.
func TestConcurrent(t *testing.T) {
	p := errProg(t)
	f := fn(t, p, "twice")
	c, err := wasm.Compile(f)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for k := range 200 {
				i := int64((g + k) % 4) // 3 is out of range
				xs := value.Array(value.Real(float64(g)), value.Real(float64(k)), value.Real(1))
				args := []value.Value{xs, value.Int(i)}
				want, werr := eval.Call(context.Background(), f, args, nil)
				got, gerr := c.Call(context.Background(), args, nil)
				if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) || !value.Equal(want, got) {
					t.Errorf("twice(%v, %d): wasm %v %v, eval %v %v", xs, i, got, gerr, want, werr)
					return
				}
			}
		})
	}
	wg.Wait()
}
