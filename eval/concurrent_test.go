package eval

import (
	"context"
	"sync"
	"testing"

	"github.com/rose-go/rose/value"
)

// TestConcurrentTapes runs one Code from several goroutines at once, with
// different arguments and tapes of different lengths: each call must have
// its own frame stack and tapes (Code keeps them in a pool, never in
// itself). Run with -race.
func TestConcurrentTapes(t *testing.T) {
	c := mustCompile(t, whileScan(1e6, 2))
	ctx := context.Background()
	want := map[float64]string{}
	for k := 0; k < 16; k++ {
		x := 1 + float64(k)*37.5
		v, err := c.Call(ctx, []value.Value{value.Real(x)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		want[x] = value.Format(v, nil)
	}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				x := 1 + float64((w+i)%16)*37.5
				v, err := c.Call(ctx, []value.Value{value.Real(x)}, &Options{MaxSteps: 1 << 20})
				if err != nil {
					t.Error(err)
					return
				}
				if got := value.Format(v, nil); got != want[x] {
					t.Errorf("ws(%g) = %s, want %s", x, got, want[x])
					return
				}
			}
		}()
	}
	wg.Wait()
}
