package check_test

import (
	"go/token"
	"testing"

	"github.com/rose-go/rose/check"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/parser"
)

// FuzzCheck checks that checking and lowering never panic, that errors
// are reported with positions, and that whatever lowers passes the IR
// verifier.
func FuzzCheck(f *testing.F) {
	f.Add([]byte("fn f<n>(v: [n]Real) -> Real { sum(v) }\nexample f([1.0, 2.0])\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		fset := token.NewFileSet()
		file, perrs := parser.ParseFile(fset, "fuzz.rose", src)
		pkg, cerrs := check.Check(fset, file)
		for _, e := range cerrs {
			if e.Code == "internal" {
				t.Fatalf("internal error: %s", e.Msg)
			}
			if !e.Pos.IsValid() {
				t.Fatalf("diagnostic without position: %s", e.Msg)
			}
		}
		if len(perrs)+len(cerrs) > 0 {
			return
		}
		prog, err := pkg.Program()
		if err != nil {
			return // e.g. a type too large to lower; reported, not a crash
		}
		if err := ir.VerifyProgram(prog); err != nil {
			t.Fatalf("verifier: %v\n%s", err, prog)
		}
	})
}
