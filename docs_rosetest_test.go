package rose_test

import (
	"context"
	"testing"

	"github.com/rose-go/rose"
)

// roseTestPasses runs what `rose test` runs on prog, at the default
// tolerance: its test blocks, and the gradient and rule checks of its
// examples with a Real result. It returns whether all passed, and the
// number of tests and checks run.
func roseTestPasses(t *testing.T, prog *rose.Program) (pass bool, n int) {
	t.Helper()
	ctx := context.Background()
	tests, err := prog.RunTests(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	pass = true
	for _, r := range tests {
		n++
		if r.Failed() {
			pass = false
		}
	}
	exs, err := prog.Examples(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range exs {
		if ex.Err != nil {
			pass = false
			continue
		}
		if ex.Func.IR.Result().String() != "Real" {
			continue
		}
		rc, err := ex.RuleCheck(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rc != nil {
			n++
			pass = pass && rc.Worst() <= rose.DefaultTolerance
		}
		gc, err := ex.GradCheck(ctx, nil, rose.DefaultMaxInputs)
		if err != nil {
			t.Fatal(err)
		}
		n++
		pass = pass && gc.Worst() <= rose.DefaultTolerance
	}
	return pass, n
}

// checkRoseTest checks a ```rose test=ok or test=FAIL block of the docs.
func checkRoseTest(t *testing.T, path string, line int, prog *rose.Program, want string) {
	t.Helper()
	pass, n := roseTestPasses(t, prog)
	switch {
	case want != "ok" && want != "FAIL":
		t.Errorf("%s:%d: test=%s, want test=ok or test=FAIL", path, line, want)
	case n == 0:
		t.Errorf("%s:%d: test=%s, but the block has no tests and no examples to check", path, line, want)
	case pass != (want == "ok"):
		t.Errorf("%s:%d: rose test passes = %v, want test=%s", path, line, pass, want)
	}
}
