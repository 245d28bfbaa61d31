package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// invoke runs the CLI in-process.
func invoke(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb}
	done := make(chan int, 1)
	go func() { done <- run(context.Background(), e, args) }()
	select {
	case code = <-done:
	case <-time.After(60 * time.Second):
		t.Fatalf("rose %v did not finish", args)
	}
	return code, out.String(), errb.String()
}

func write(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCLI covers the command line's contract: results on stdout, messages
// on stderr with positions, and exit codes 0 (ok), 1 (the program or its
// data is wrong), 2 (usage).
func TestCLI(t *testing.T) {
	prog := "testdata/prog.rose"
	empty := write(t, "empty.rose", nil)
	notUTF8 := write(t, "bin.rose", []byte("fn f(x: Real) -> Real { x }\nfn g() -> Real { \xff\xfe }\n"))
	deep := write(t, "deep.rose", []byte("fn f(x: Real) -> Real { "+strings.Repeat("(", 10000)+"x"+strings.Repeat(")", 10000)+" }\nfn g() -> Real { 1.0 }\n"))
	var big bytes.Buffer
	for big.Len() < 10<<20 {
		big.WriteString("// padding comment line to make the file large\n")
	}
	big.WriteString("fn f(x: Real) -> Real { x + }\n")
	huge := write(t, "huge.rose", big.Bytes())

	tests := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stdout string // regexp, "" = must be empty
		stderr string // regexp, "" = must be empty
	}{
		{"examples", []string{"run", prog}, "", 0, `^f\(1\.5\) = 3\.0\nk\(\[1\.0, 2\.0\]\) = 3\.0\n$`, ""},
		{"call", []string{"run", prog, "-f", "f", "--args", "[0.1]"}, "", 0, `^0\.2\n$`, ""},
		{"flags first", []string{"run", "-f", "f", "--args", "[1]", prog}, "", 0, `^2\n$`, ""},
		{"stdin args", []string{"run", prog, "-f", "s", "--args", "-"}, `[{"a": 1.5, "b": 2}]`, 0, `^3\n$`, ""},
		{"generic sizes from args", []string{"run", prog, "-f", "k", "--args", "[[1, 2, 3, 4]]"}, "", 0, `^10\n$`, ""},
		{"nan result", []string{"run", prog, "-f", "nan", "--args", "[-1]"}, "", 0, `^"NaN"\n$`, ""},
		{"runtime index", []string{"run", prog, "-f", "outer", "--args", "[[1, 2, 3]]"}, "", 1, "", `prog\.rose:2:37: runtime error: index 7 out of range.*\n\tin g\n\tcalled from outer at .*prog\.rose:4:`},
		{"runtime div zero", []string{"run", prog, "-f", "h", "--args", "[0]"}, "", 1, "", `prog\.rose:3:.*division by zero`},
		{"json wrong shape", []string{"run", prog, "-f", "g", "--args", "[[1, 2], 0]"}, "", 1, "", `argument 1.*3`},
		{"json wrong type", []string{"run", prog, "-f", "f", "--args", `["x"]`}, "", 1, "", `expected a number`},
		{"json NaN", []string{"run", prog, "-f", "f", "--args", "[NaN]"}, "", 1, "", `rose run`},
		{"json huge number", []string{"run", prog, "-f", "f", "--args", "[1e400]"}, "", 1, "", `range|large`},
		{"json float for Int", []string{"run", prog, "-f", "h", "--args", "[1.5]"}, "", 1, "", `integer|Int`},
		{"json struct missing field", []string{"run", prog, "-f", "s", "--args", `[{"a": 1}]`}, "", 1, "", `b`},
		{"json not an array", []string{"run", prog, "-f", "f", "--args", `{}`}, "", 1, "", `rose run`},
		{"json wrong count", []string{"run", prog, "-f", "f", "--args", `[1, 2]`}, "", 1, "", `argument`},
		{"unknown function", []string{"run", prog, "-f", "nope", "--args", "[]"}, "", 1, "", `no function nope`},
		{"missing args", []string{"run", prog, "-f", "f"}, "", 2, "", `pass them with --args`},
		{"missing file", []string{"run", "does/not/exist.rose"}, "", 1, "", `cannot read does/not/exist\.rose`},
		{"unknown flag", []string{"run", prog, "--bogus"}, "", 2, "", `flag provided but not defined: -bogus\nusage: rose run`},
		{"no file", []string{"run"}, "", 2, "", `expects exactly one FILE`},
		{"unknown command", []string{"rnu"}, "", 2, "", `unknown command "rnu"`},
		{"no command", nil, "", 2, "", `Usage:`},
		{"help", []string{"help", "run"}, "", 0, `usage: rose run FILE`, ""},
		{"dash help", []string{"run", "-h"}, "", 0, `usage: rose run FILE`, ""},
		{"version", []string{"version"}, "", 0, `^rose version \d+\.\d+\.\d+`, ""},
		{"empty file", []string{"run", empty}, "", 1, "", `nothing to run`},
		{"non-UTF-8", []string{"check", notUTF8}, "", 1, `bin\.rose:2:18: error\[bad-encoding\]`, ""},
		{"deep nesting", []string{"check", deep}, "", 1, `deep\.rose:1:\d+: error\[too-deep\]`, ""},
		{"10 MB file", []string{"check", huge}, "", 1, `huge\.rose:\d+:\d+: error\[syntax\]`, ""},
		{"check errors", []string{"check", "testdata/bad.rose"}, "", 1, `bad\.rose:3:9: error\[undefined\]: undefined: g`, ""},
		{"check json", []string{"check", "--json", "testdata/bad.rose"}, "", 1, `"code": "undefined"`, ""},
		{"check ok", []string{"check", prog}, "", 0, "", ""},
		{"run with errors", []string{"run", "testdata/bad.rose"}, "", 1, "", `error\[undefined\]`},
		{"static index", []string{"run", "testdata/static.rose"}, "", 0, `= 2\.0`, ""},
		{"ir", []string{"ir", prog}, "", 0, `fn f\(`, ""},
		{"ir grad", []string{"ir", "--grad", "f", prog}, "", 0, `fn vjp\(f\)\(%0: Real, %1: Real\)(.|\n)*fn grad\(f\)\(%0: Real\) -> Real`, ""},
		{"ir two derivatives", []string{"ir", "--grad", "f", "--jvp", "f", prog}, "", 2, "", `exclude each other`},
		{"ir grad non-real", []string{"ir", "--grad", "h", prog}, "", 1, "", `needs a Real result`},
		// The analytic gradient of Rosenbrock at (-1.2, 1) is (-215.6, -88);
		// both modes get it to the last bit or two.
		{"grad rosenbrock", []string{"grad", "../../examples/rosenbrock.rose", "-f", "rosenbrock", "--args", "[[-1.2, 1.0]]"}, "", 0, `^\{"value": 24\.199999999999996, "grad": \[\[-215\.(6|5999999999999\d+),-87\.9999999999999\d+\]\]\}\n$`, ""},
		{"grad forward", []string{"grad", "--mode", "forward", "../../examples/rosenbrock.rose", "-f", "rosenbrock", "--args", "[[-1.2, 1.0]]"}, "", 0, `^\{"value": 24\.199999999999996, "grad": \[\[-215\.(6|5999999999999\d+),-87\.9999999999999\d+\]\]\}\n$`, ""},
		{"grad bad mode", []string{"grad", "--mode", "sideways", prog}, "", 2, "", `--mode must be reverse or forward`},
		{"grad non-real example", []string{"grad", "testdata/static.rose"}, "", 0, `f\(\[1\.0, 2\.0\]\) = 2\.0\n  d/dv = \[0\.0, 1\.0\]`, ""},
		{"grad struct and int", []string{"grad", prog, "-f", "s", "--args", `[{"a": 1.5, "b": 2}]`}, "", 0, `^\{"value": 3, "grad": \[\{"a":2,"b":\[\]\}\]\}\n$`, ""},
		{"grad int param", []string{"grad", prog, "-f", "g", "--args", `[[1, 2, 3], 1]`}, "", 0, `"grad": \[\[0,1,0\], null\]`, ""},
		{"grad examples", []string{"grad", prog}, "", 0, `f\(1\.5\) = 3\.0\n  d/dx = 2\.0\n`, ""},
		{"args from file", []string{"run", "testdata/deriv.rose", "-f", "q", "--args", "@testdata/q.json"}, "", 0, `^18\n$`, ""},
		{"args file missing", []string{"run", "testdata/deriv.rose", "-f", "q", "--args", "@testdata/nope.json"}, "", 1, "", `--args: cannot read testdata/nope\.json`},
		{"run grad expr", []string{"run", "testdata/deriv.rose", "-f", "grad(q)", "--args", "@testdata/q.json"}, "", 0, `^\[12,9,\[\]\]\n$`, ""},
		{"run grad wrt expr", []string{"run", "testdata/deriv.rose", "-f", "grad(q, y)", "--args", "[3, 2, 1]"}, "", 0, `^9\n$`, ""},
		{"run jvp expr", []string{"run", "testdata/deriv.rose", "-f", "jvp(cube)", "--args", "[2, 1]"}, "", 0, `^\[8,12\]\n$`, ""},
		{"run vjp expr", []string{"run", "testdata/deriv.rose", "-f", "vjp(cube)", "--args", "[2, 0.5]"}, "", 0, `^\[8,6\]\n$`, ""},
		{"run grad grad", []string{"run", "testdata/deriv.rose", "-f", "grad(grad(cube))", "--args", "[2]"}, "", 0, `^12\n$`, ""},
		{"run bad expr", []string{"run", "testdata/deriv.rose", "-f", "grad(cube", "--args", "[2]"}, "", 1, "", `bad function expression`},
		{"grad wrt", []string{"grad", "testdata/deriv.rose", "-f", "q", "--args", "[3, 2, 1]", "--wrt", "y"}, "", 0, `^\{"value": 18, "grad": \[null, 9, null\]\}\n$`, ""},
		{"grad wrt forward", []string{"grad", "testdata/deriv.rose", "-f", "q", "--args", "[3, 2, 1]", "--wrt", "y,x", "--mode", "forward"}, "", 0, `^\{"value": 18, "grad": \[12, 9, null\]\}\n$`, ""},
		{"grad wrt unknown", []string{"grad", "testdata/deriv.rose", "-f", "q", "--args", "[3, 2, 1]", "--wrt", "z"}, "", 2, "", `no parameter "z" \(its parameters: x, y, n\)`},
		{"grad wrt int", []string{"grad", "testdata/deriv.rose", "-f", "q", "--args", "[3, 2, 1]", "--wrt", "n"}, "", 2, "", `no derivative`},
		{"grad wrt without f", []string{"grad", "testdata/deriv.rose", "--wrt", "x"}, "", 2, "", `--wrt needs -f`},
		{"grad hessian", []string{"grad", "testdata/deriv.rose", "-f", "q", "--args", "[3, 2, 1]", "--hessian"}, "", 0, `^\{"value": 18, "grad": \[12, 9, null\], "inputs": \["x","y"\], "hessian": \[\[4,6\], \[6,0\]\]\}\n$`, ""},
		{"grad hessian wrt", []string{"grad", "testdata/deriv.rose", "-f", "q", "--args", "[3, 2, 1]", "--hessian", "--wrt", "y"}, "", 0, `"inputs": \["y"\], "hessian": \[\[0\]\]\}`, ""},
		{"grad hessian examples", []string{"grad", "--hessian", "testdata/deriv.rose"}, "", 0, `m\(\[3\.0, 2\.0\]\) = 18\.0\n  d/dw = \[12\.0, 9\.0\]\n  hessian by w\[0\], w\[1\]:\n    \[4\.0, 6\.0\]\n    \[6\.0, 0\.0\]\n`, ""},
		{"grad of grad expr", []string{"grad", "testdata/deriv.rose", "-f", "grad(cube)", "--args", "[2]"}, "", 0, `^\{"value": 12, "grad": \[12\]\}\n$`, ""},
		{"bench one", []string{"bench", "--json", "--samples", "1", "testdata/deriv.rose", "-f", "q", "--args", "@testdata/q.json", "--wrt", "x"}, "", 0, `"example": "q",\n    "value_ns": \d+,\n    "grad_ns": \d+`, ""},
		{"bench wrt unknown", []string{"bench", "testdata/deriv.rose", "-f", "q", "--args", "[3, 2, 1]", "--wrt", "z"}, "", 2, "", `its parameters: x, y, n`},
		{"bench args without f", []string{"bench", "testdata/deriv.rose", "--args", "[1]"}, "", 2, "", `--args needs -f`},
		{"memory budget", []string{"run", "testdata/limits.rose"}, "", 1, `^big\(2\.0\) = error\n$`, `limits\.rose:2:11: runtime error: memory budget exceeded: big needs 1\.43 GiB of memory, more than the budget of 1 GiB\n\tin big\n\t\(raise --max-memory`},
		{"memory budget flag", []string{"run", "testdata/limits.rose", "-f", "spin", "--args", "[1]", "--max-memory", "16B"}, "", 1, "", `limits\.rose:\d+:\d+: runtime error: memory budget exceeded: spin needs \d+ B of memory, more than the budget of 16 B`},
		{"memory budget bad", []string{"run", "testdata/limits.rose", "--max-memory", "lots"}, "", 2, "", `want a size such as 512MiB`},
		{"step budget", []string{"run", "testdata/limits.rose", "-f", "spin", "--args", "[1]", "--max-steps", "1000"}, "", 1, "", `limits\.rose:10:3: runtime error: step budget of 1000 exceeded\n\tin spin\n\t\(raise --max-steps`},
		{"step budget grad", []string{"grad", "testdata/limits.rose", "-f", "spin", "--args", "[1]", "--max-steps", "1000"}, "", 1, "", `limits\.rose:10:\d+: runtime error: step budget of 1000 exceeded`},
		{"timeout", []string{"run", "testdata/limits.rose", "-f", "long", "--args", "[1]", "--timeout", "50ms"}, "", 1, "", `limits\.rose:17:3: runtime error: cancelled: context deadline exceeded\n\tin long\n\t\(stopped by --timeout 50ms\)`},
		{"help documents flags", []string{"help", "grad"}, "", 0, `(?s)-wrt.*-hessian.*-timeout.*-max-steps.*-max-memory`, ""},
		{"test rule wrong", []string{"test", "testdata/rule_bad.rose"}, "", 1, `(?s)^--- FAIL: rule sq_jvp at sq\(2\.0\) \(\d+\.\d+s\)\n    value error 0, d/dx error 0\.333 \(worst at x\)\n--- FAIL: gradient check sq\(2\.0\).*\n    d/dx: reverse vs forward 0, vs central differences 0\.333 \(worst at x\)\nFAIL\ttestdata/rule_bad\.rose\t`, `^testdata/rule_bad\.rose:2:1: warning: the JVP rule sq_jvp of sq disagrees with sq's body at sq\(2\.0\).*\n\ttestdata/rule_bad\.rose:1:28: rule attached here\n$`},
		{"test rule wrong loose tol", []string{"test", "--tol", "0.5", "testdata/rule_bad.rose"}, "", 0, `(?s)--- PASS: rule sq_jvp.*\nok  \ttestdata/rule_bad\.rose\t`, ""},
		{"test ok", []string{"test", "testdata/rule_ok.rose"}, "", 0, `(?s)^--- PASS: test squares .*--- PASS: rule sq_jvp at sq\(2\.0\).*--- PASS: gradient check loss\(P \{ w: \[0\.5, 1\.5\], n: 2 \}, 3\.0\) \(\d+\.\d+s\)\n    d/dp: reverse vs forward \S+, vs central differences \S+ \(worst at p\.w\[\d\]\)\n    d/dy: .*\nok  \ttestdata/rule_ok\.rose\t[0-9.]+s\n$`, ""},
		{"test asserts", []string{"test", "testdata/tests_fail.rose"}, "", 1, `(?s)^--- FAIL: test arithmetic .*\n    testdata/tests_fail\.rose:7:3: assert failed: s < 10\.0\n        s = 14\.0\n    testdata/tests_fail\.rose:8:3: assert failed: !\(s > 0\.0\)\n    testdata/tests_fail\.rose:9:3: assert failed: sq\(1\.0\) \+ 1\.0 != 2\.0\n        sq\(1\.0\) \+ 1\.0 = 2\.0\n--- PASS: test passes .*\n--- FAIL: test crashes .*\n    testdata/tests_fail\.rose:2:38: runtime error: index 5 out of range.*\nFAIL\ttestdata/tests_fail\.rose\t`, ""},
		{"test rule reached", []string{"test", "testdata/rule_reached.rose"}, "", 1, `(?s)--- FAIL: gradient check f\(1\.0\).*--- SKIP: rule sq_jvp of sq .*\n    no example of sq.*\nFAIL\t`, `^testdata/rule_reached\.rose:2:1: warning: the gradient check at f\(1\.0\) fails, and its derivatives use the JVP rule sq_jvp of sq: check the rule\n$`},
		{"test inputs sampled", []string{"test", "--inputs", "1", "testdata/deriv.rose"}, "", 0, `d/dw: reverse vs forward \S+, vs central differences \S+ \(worst at w\[0\]\), 1 of 2 inputs checked\n`, ""},
		{"test inputs all", []string{"test", "--inputs", "0", "testdata/deriv.rose"}, "", 0, `d/dw: reverse vs forward \S+, vs central differences \S+ \(worst at w\[\d\]\)\nok`, ""},
		{"test run selects", []string{"test", "-run", "passes", "testdata/tests_fail.rose"}, "", 0, `^--- PASS: test passes \(\d+\.\d+s\)\nok  \ttestdata/tests_fail\.rose\t`, ""},
		{"test run bad regexp", []string{"test", "-run", "(", "testdata/rule_ok.rose"}, "", 2, "", `-run: error parsing regexp`},
		{"test two files", []string{"test", "testdata/rule_ok.rose", "testdata/rule_bad.rose"}, "", 1, `(?s)ok  \ttestdata/rule_ok\.rose.*FAIL\ttestdata/rule_bad\.rose`, `warning`},
		{"test load error", []string{"test", "testdata/bad.rose"}, "", 1, `^FAIL\ttestdata/bad\.rose \[load failed\]\n$`, `error\[undefined\]`},
		{"test no file", []string{"test"}, "", 2, "", `expects at least one FILE`},
		{"test bad tol", []string{"test", "--tol", "-1", "testdata/rule_ok.rose"}, "", 2, "", `--tol must be`},
		{"test step budget", []string{"test", "--max-steps", "2", "testdata/tests_fail.rose"}, "", 1, `step budget of 2 exceeded`, ""},
		{"help test", []string{"help", "test"}, "", 0, `(?s)usage: rose test.*-max-memory.*-tol`, ""},
		{"grad non-real result", []string{"grad", prog, "-f", "h", "--args", "[1]"}, "", 1, "", `needs a Real result`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := invoke(t, tt.stdin, tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			match(t, "stdout", stdout, tt.stdout)
			match(t, "stderr", stderr, tt.stderr)
			if strings.Contains(stderr, "internal error") || strings.Contains(stdout, "internal error") {
				t.Errorf("internal error: %s", stderr)
			}
		})
	}
}

func match(t *testing.T, what, got, rx string) {
	t.Helper()
	if rx == "" {
		if got != "" {
			t.Errorf("%s should be empty, got:\n%s", what, got)
		}
		return
	}
	if !regexp.MustCompile(rx).MatchString(got) {
		t.Errorf("%s does not match %q:\n%s", what, rx, got)
	}
}
