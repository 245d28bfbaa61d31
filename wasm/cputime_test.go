//go:build linux

package wasm_test

import (
	"context"
	"os"
	"runtime"
	"slices"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/rose-go/rose/wasm"
)

// threadCPU is the CPU time of the calling thread.
func threadCPU() time.Duration {
	var ts syscall.Timespec
	const clockThreadCPUTimeID = 3
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	return time.Duration(ts.Nano())
}

// TestCPUTime reports the median thread CPU time of one call of each
// benchmark workload on the compiled engine (call: through Call, with
// the conversion of arguments and results; prepared: the arguments stored once, wasm.Prepared). It is for a loaded machine, where wall-clock benchmarks vary,
// and is skipped unless ROSE_WASM_CPUTIME is set.
func TestCPUTime(t *testing.T) {
	if os.Getenv("ROSE_WASM_CPUTIME") == "" {
		t.Skip("set ROSE_WASM_CPUTIME=1 to time the workloads")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ctx := context.Background()
	median := func(run func()) time.Duration {
		// Enough calls per rep for about 2 ms, 15 reps.
		n := 1
		for {
			t0 := threadCPU()
			for range n {
				run()
			}
			if threadCPU()-t0 > 2*time.Millisecond {
				break
			}
			n *= 2
		}
		var reps []time.Duration
		for range 15 {
			t0 := threadCPU()
			for range n {
				run()
			}
			reps = append(reps, (threadCPU()-t0)/time.Duration(n))
		}
		slices.Sort(reps)
		return reps[len(reps)/2]
	}
	for _, w := range workloads(t) {
		c, err := wasm.Compile(w.f)
		if err != nil {
			t.Fatal(err)
		}
		pr, err := c.Prepare(ctx, w.args)
		if err != nil {
			t.Fatal(err)
		}
		call := median(func() { c.Call(ctx, w.args, nil) })
		r := median(func() {
			if err := pr.Run(ctx, nil); err != nil {
				t.Fatal(err)
			}
		})
		t.Logf("%s: call %v, prepared %v", w.name, call, r)
		pr.Close()
		c.Close()
	}
}
