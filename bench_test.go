package rose_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/ir"
)

// executed counts the IR instructions one call runs, or -1 if the function
// (or a callee) branches, where the count depends on the data.
func executed(b *ir.Block) int {
	n := 0
	for i := range b.Instrs {
		in := &b.Instrs[i]
		n++
		var k int
		switch in.Op {
		case ir.OpIf:
			return -1
		case ir.OpFor, ir.OpLoop:
			k = executed(in.Blocks[0])
			n += in.N * k
		case ir.OpCall:
			k = executed(in.Callee.Body)
			n += k
		}
		if k < 0 {
			return -1
		}
	}
	return n
}

// BenchmarkExamples times every example of examples/ in the reference
// evaluator; for examples without branches it reports the time per
// executed IR instruction.
func BenchmarkExamples(b *testing.B) {
	files, _ := filepath.Glob("examples/*.rose")
	ctx := context.Background()
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		p := rose.Load(path, src)
		exs, err := p.Examples(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for _, ex := range exs {
			if ex.Err != nil {
				b.Fatal(ex.Err)
			}
			name := strings.TrimSuffix(filepath.Base(path), ".rose") + "/" + ex.Text
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := ex.Func.Call(ctx, ex.Args, nil); err != nil {
						b.Fatal(err)
					}
				}
				if n := executed(ex.Func.IR.Body); n > 0 {
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/instr")
				}
			})
		}
	}
}
