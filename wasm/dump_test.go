package wasm_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/wasm"
)

// TestDumpWorkloads writes the modules of the benchmark workloads to the
// directory named by ROSE_WASM_DUMP (for reading with wasm2wat), and is
// skipped without it.
func TestDumpWorkloads(t *testing.T) {
	dir := os.Getenv("ROSE_WASM_DUMP")
	if dir == "" {
		t.Skip("set ROSE_WASM_DUMP to a directory to write the workloads' modules")
	}
	for _, w := range workloads(t) {
		bin, err := wasm.Generate(w.f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, w.name+".wasm"), bin, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDumpWorkloadsIR writes the IR of the workloads' functions next to
// their modules (ROSE_WASM_DUMP=dir).
func TestDumpWorkloadsIR(t *testing.T) {
	dir := os.Getenv("ROSE_WASM_DUMP")
	if dir == "" {
		t.Skip("set ROSE_WASM_DUMP to a directory to write the workloads' IR")
	}
	for _, w := range workloads(t) {
		var s string
		for _, f := range ir.Reachable(w.f) {
			s += f.String() + "\n"
		}
		if err := os.WriteFile(filepath.Join(dir, w.name+".ir"), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
