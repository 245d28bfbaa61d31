package mathx

import (
	"os"
	"os/exec"
	"regexp"
	"testing"
)

// TestNoFusedMultiplyAdd compiles the package for architectures where Go
// fuses x*y + z into one instruction and checks that no fused
// instruction is left: each would round once where Wasm rounds twice.
func TestNoFusedMultiplyAdd(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles the package")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	fused := regexp.MustCompile(`\b(F(N?)M(ADD|SUB)[SD]?|WFM[AS]DB|VFN?M(ADD|SUB)\w*)\b`)
	for _, env := range [][]string{{"GOARCH=arm64"}, {"GOARCH=ppc64le"}, {"GOARCH=s390x"}, {"GOARCH=riscv64"}, {"GOARCH=loong64"}, {"GOARCH=amd64", "GOAMD64=v3"}} {
		cmd := exec.Command(gobin, "build", "-o", os.DevNull, "-gcflags=-S", ".")
		cmd.Env = append(append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux"), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", env, err, out)
		}
		if m := fused.FindAll(out, 5); m != nil {
			t.Errorf("%v: fused multiply-add in the assembly: %q", env, m)
		}
	}
}
