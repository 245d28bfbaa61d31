package rose_test

import (
	"context"
	"fmt"
	"go/token"
	"os"
	"runtime/pprof"
	"runtime"
	"testing"
	"syscall"
	"time"
	"unsafe"

	"github.com/rose-go/rose/ad"
	"github.com/rose-go/rose/check"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/parser"
)

func TestPhasesTmp(t *testing.T) {
	lines := 14500
	if s := os.Getenv("LINES"); s != "" {
		fmt.Sscan(s, &lines)
	}
	src := genStraight(lines)
	fmt.Println("sizeof Instr", unsafe.Sizeof(ir.Instr{}))
	var ms runtime.MemStats
	last := time.Now()
	var lastAlloc uint64
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	lastCPU := cpu()
	phase := func(name string) {
		runtime.ReadMemStats(&ms)
		el := time.Since(last)
		c := cpu() - lastCPU
		fmt.Printf("cpu %8.1f ms ", float64(c.Microseconds())/1000)
		runtime.GC()
		var ms2 runtime.MemStats
		runtime.ReadMemStats(&ms2)
		fmt.Printf("%-10s %8.1f ms  alloc %7.1f MB  live %7.1f MB\n", name, float64(el.Microseconds())/1000, float64(ms.TotalAlloc-lastAlloc)/1e6, float64(ms2.HeapAlloc)/1e6)
		lastAlloc = ms2.TotalAlloc
		last = time.Now()
		lastCPU = cpu()
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	lastAlloc = ms.TotalAlloc
	last = time.Now()
	lastCPU = cpu()
	fset := token.NewFileSet()
	f, _ := parser.ParseFile(fset, "e.rose", src)
	phase("parse")
	pkg, _ := check.Check(fset, f)
	phase("check")
	fmt.Println("size", len(src), "types", len(pkg.Types), "uses", len(pkg.Uses), "defs", len(pkg.Defs))
	var fo *check.FuncObj
	for _, o := range pkg.Funcs {
		if o.Name == "energy" {
			fo = o
		}
	}
	fn, err := pkg.Instantiate(fo, nil)
	if err != nil {
		t.Fatal(err)
	}
	phase("lower")
	n := instrs(fn)
	tr := ad.NewTransformer()
	g, err := tr.VJP(fn)
	if err != nil {
		t.Fatal(err)
	}
	phase("vjp")
	code, err := eval.Compile(g)
	if err != nil {
		t.Fatal(err)
	}
	phase("compile")
	xs := make([]eval.Value, 64)
	for i := range xs {
		xs[i] = eval.Real(float64(i%7) * 0.3)
	}
	_, err = code.Call(context.Background(), []eval.Value{eval.Array(xs...), eval.Real(1)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	phase("eval")
	fmt.Println("instrs", n, "vjp instrs", instrs(g))
	if hp := os.Getenv("HEAPPROF"); hp != "" {
		w, _ := os.Create(hp)
		runtime.GC()
		pprof.WriteHeapProfile(w)
		w.Close()
	}
	runtime.KeepAlive(f)
	runtime.KeepAlive(pkg)
	runtime.KeepAlive(code)
}
