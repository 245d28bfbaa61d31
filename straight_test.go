package rose_test

import (
	"context"
	"fmt"
	"math/rand"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// genStraight returns a straight-line program in the shape of a diagram
// energy: lines lets over 64 parameters, each a few calls of small
// helpers, a select (an if expression choosing between values) or
// arithmetic, reading earlier lets at random (seeded) distances. With
// perFunc = 0 they form one function, energy; otherwise they are cut into
// distinct functions of perFunc lines (each differentiated on its own),
// which energy calls in a chain. Each line lowers to about 7 IR
// instructions.
func genStraight(lines, perFunc int) []byte {
	r := rand.New(rand.NewSource(1))
	var b strings.Builder
	b.WriteString(`fn sq(x: Real) -> Real { x * x }
fn dist(a: Real, b: Real, c: Real, d: Real) -> Real { sqrt(sq(a - c) + sq(b - d) + 0.000001) }
fn relu(x: Real) -> Real { if x > 0.0 { x } else { 0.0 } }
`)
	if perFunc <= 0 {
		perFunc = lines
	}
	var parts []string
	for start := 0; start < lines; start += perFunc {
		n := min(perFunc, lines-start)
		name := "energy"
		if perFunc < lines {
			name = fmt.Sprintf("part%d", len(parts))
			parts = append(parts, name)
		}
		fmt.Fprintf(&b, "\nfn %s(p: [64]Real, a: Real) -> Real {\n", name)
		ref := func(i int) string {
			switch {
			case i < 4 || r.Intn(4) == 0:
				return fmt.Sprintf("p[%d]", r.Intn(64))
			case r.Intn(8) == 0:
				return "a"
			}
			return fmt.Sprintf("v%d", i-1-r.Intn(min(i, 50)))
		}
		for i := 0; i < n; i++ {
			switch i % 3 {
			case 0:
				fmt.Fprintf(&b, "    let v%d = dist(%s, %s, %s, %s) * 0.5\n", i, ref(i), ref(i), ref(i), ref(i))
			case 1:
				fmt.Fprintf(&b, "    let v%d = relu(%s - 1.5) + sq(%s) * 0.25\n", i, ref(i), ref(i))
			default:
				x, c := ref(i), ref(i)
				fmt.Fprintf(&b, "    let v%d = if %s > %s { %s * %s } else { %s - 0.5 }\n", i, x, c, x, ref(i), c)
			}
		}
		b.WriteString("    a")
		for i := max(0, n-8); i < n; i++ {
			fmt.Fprintf(&b, " + v%d", i)
		}
		b.WriteString("\n}\n")
	}
	if len(parts) > 0 {
		b.WriteString("\nfn energy(p: [64]Real, a: Real) -> Real {\n    let e0 = a\n")
		for k, name := range parts {
			fmt.Fprintf(&b, "    let e%d = %s(p, e%d * 0.001)\n", k+1, name, k)
		}
		fmt.Fprintf(&b, "    e%d\n}\n", len(parts))
	}
	return []byte(b.String())
}

// instrs counts the IR instructions of f and its callees, nested blocks
// included, each function once.
func instrs(f *ir.Func) int {
	n := 0
	for _, fn := range ir.Reachable(f) {
		n += ir.Count(fn.Body)
	}
	return n
}

// straightPipeline is the whole path of `rose grad` on src: parse, check,
// lower, build and compile the gradient, and evaluate it once. It returns
// the function's instruction count.
func straightPipeline(tb testing.TB, src []byte) int {
	p := rose.Load("energy.rose", src)
	if err := p.Err(); err != nil {
		tb.Fatal(err)
	}
	f, err := p.Func("energy", nil)
	if err != nil {
		tb.Fatal(err)
	}
	xs := make([]value.Value, 64)
	for i := range xs {
		xs[i] = value.Real(float64(i%7) * 0.3)
	}
	g, err := f.Grad(context.Background(), []value.Value{value.Array(xs...), value.Real(0.5)}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if g.Grad[0] == nil {
		tb.Fatal("no gradient")
	}
	return instrs(f.IR)
}

// peakHeap runs f while sampling the heap in use, and returns the largest
// sample (an approximation of the peak, to within the sampling interval).
func peakHeap(f func()) uint64 {
	runtime.GC()
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		var ms runtime.MemStats
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(done)
	<-stopped
	return peak.Load()
}

// cpuTime is the user and system CPU time of the process so far (on a
// busy machine it varies less than the wall-clock time; it includes the
// garbage collector's work on other threads).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStraightLine times parse + check + lower + gradient build + one
// evaluation of generated straight-line programs of 10k to 1M IR
// instructions, as one function ("one") or as a chain of functions of 50
// lines ("funcs"), and reports the CPU time and the peak heap per
// instruction (both should stay flat as the size grows).
func BenchmarkStraightLine(b *testing.B) {
	for _, c := range []struct{ lines, perFunc int }{{1450, 0}, {14500, 0}, {145000, 0}, {1450, 50}, {14500, 50}, {145000, 50}} {
		src := genStraight(c.lines, c.perFunc)
		n := straightPipeline(b, src)
		name := fmt.Sprintf("one/instrs=%d", n)
		if c.perFunc > 0 {
			name = fmt.Sprintf("funcs=%d/instrs=%d", (c.lines+c.perFunc-1)/c.perFunc, n)
		}
		b.Run(name, func(b *testing.B) {
			var peak uint64
			cpu0 := cpuTime()
			for b.Loop() {
				peak = max(peak, peakHeap(func() { straightPipeline(b, src) }))
			}
			cpu := cpuTime() - cpu0
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/instr")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/float64(n), "cpu-ns/instr")
			b.ReportMetric(float64(peak)/float64(n), "peakB/instr")
		})
	}
}
