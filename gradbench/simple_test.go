package gradbench

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/rose-go/rose"
)

// Helpers shared by the tests of lse, llsq, ode and kmeans.

// simpleRun calls function fn of module mod on input (marshalled to JSON)
// with engine eng, runs it twice (a prepared call is run many times by the
// protocol) and decodes its output into out.
func simpleRun(t *testing.T, eng rose.Engine, mod, fn string, input, out any) {
	t.Helper()
	in, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	c, err := modules[mod].funcs[fn](program(t, mod, eng), in)
	if err != nil {
		t.Fatalf("%s.%s: %v", mod, fn, err)
	}
	for range 2 {
		if err := c.run(context.Background()); err != nil {
			t.Fatalf("%s.%s: %v", mod, fn, err)
		}
	}
	o, err := c.output()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s.%s: output %s: %v", mod, fn, b, err)
	}
}

// simpleEngines are the engines the tests run on: the compiled engine
// (the default) and the reference evaluator.
var simpleEngines = []rose.Engine{rose.EngineCompiled, rose.EngineEval}

// simpleRel is the relative difference of a and b: |a - b| / max(|a|, |b|),
// 0 when both are 0.
func simpleRel(a, b float64) float64 {
	d := math.Abs(a - b)
	if d == 0 {
		return 0
	}
	return d / math.Max(math.Abs(a), math.Abs(b))
}

// simpleCheck reports the elements of got that differ from want by more
// than tol relative.
func simpleCheck(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if e := simpleRel(got[i], want[i]); !(e <= tol) {
			t.Errorf("%s[%d] = %.17g, want %.17g (relative error %.2g)", what, i, got[i], want[i], e)
		}
	}
}

// simpleBadInputs checks that each input is refused by function fn of
// module mod with an error, both called directly and through the
// protocol, where the session goes on after it.
func simpleBadInputs(t *testing.T, mod, fn string, inputs []string) {
	t.Helper()
	p := program(t, mod, rose.EngineCompiled)
	var msgs strings.Builder
	msgs.WriteString(`{"id": 0, "kind": "define", "module": "` + mod + `"}` + "\n")
	for i, in := range inputs {
		if _, err := modules[mod].funcs[fn](p, json.RawMessage(in)); err == nil {
			t.Errorf("%s.%s accepted %s", mod, fn, in)
		}
		b, _ := json.Marshal(map[string]any{"id": i + 1, "kind": "evaluate", "module": mod, "function": fn, "input": json.RawMessage(in)})
		msgs.Write(b)
		msgs.WriteByte('\n')
	}
	var out bytes.Buffer
	if err := Serve(context.Background(), strings.NewReader(msgs.String()), &out, Options{}); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(&out)
	for i := 0; i <= len(inputs); i++ {
		var r struct {
			ID      int    `json:"id"`
			Success bool   `json:"success"`
			Error   string `json:"error"`
		}
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		switch {
		case i == 0 && !r.Success:
			t.Fatalf("define %s: %s", mod, r.Error)
		case i > 0 && (r.Success || r.Error == "" || strings.Contains(r.Error, "internal error")):
			t.Errorf("%s.%s on %s: success %v, error %q", mod, fn, inputs[i-1], r.Success, r.Error)
		}
	}
}
