package plot

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzReadTrace feeds the trace reader arbitrary text: it must return a
// trace or an error, never panic, and whatever it accepts must draw.
// Seeds are in testdata/fuzz/FuzzReadTrace; run it with
// go test -fuzz FuzzReadTrace ./plot.
func FuzzReadTrace(f *testing.F) {
	f.Add([]byte(`{"iter": 0, "loss": 1.5, "grad_norm": 2, "evals": 1, "elapsed": 0.1}` + "\n"))
	f.Add([]byte(`{"iter": 0, "loss": -1e308, "grad_norm": 1e-320}` + "\n" + `{"iter": 1, "loss": 1e308, "grad_norm": "NaN"}`))
	f.Add([]byte(`{"done": true, "status": "ok", "iter": 3, "loss": 0, "grad_norm": 0}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := ReadTrace(bytes.NewReader(data))
		if err != nil {
			var le *LineError
			if errors.As(err, &le) && le.Line < 1 {
				t.Fatalf("line error at line %d", le.Line)
			}
			return
		}
		if len(tr.Points) == 0 {
			t.Fatal("a trace without points and without an error")
		}
		tr.Name = "fuzz"
		var buf bytes.Buffer
		for _, evals := range []bool{false, true} {
			err := DrawTraces(&buf, SVG, []*Trace{tr}, TraceOptions{Evals: evals})
			if err != nil && !evals {
				t.Fatalf("an accepted trace does not draw: %v", err)
			}
		}
	})
}
