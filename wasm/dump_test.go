package wasm_test

import (
	"os"
	"path/filepath"
	"testing"

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
