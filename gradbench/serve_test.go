package gradbench

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rose-go/rose"
)

// converse runs Serve over the lines and returns the responses, decoded.
func converse(t testing.TB, lines ...string) []map[string]any {
	t.Helper()
	var out bytes.Buffer
	if err := Serve(context.Background(), strings.NewReader(strings.Join(lines, "\n")+"\n"), &out, Options{Version: "test"}); err != nil {
		t.Fatal(err)
	}
	var resps []map[string]any
	dec := json.NewDecoder(&out)
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("response is not JSON: %v", err)
		}
		resps = append(resps, m)
	}
	return resps
}

func TestProtocol(t *testing.T) {
	r := converse(t,
		`{"id": 0, "kind": "start", "eval": "hello"}`,
		`{"id": 1, "kind": "define", "module": "hello"}`,
		`{"id": 2, "kind": "evaluate", "module": "hello", "function": "square", "input": 3.0}`,
		`{"id": 3, "kind": "evaluate", "module": "hello", "function": "double", "input": 9.0}`,
		`{"id": 4, "kind": "analysis", "of": 3, "valid": true}`,
		`{"id": 5, "kind": "end"}`,
		`{"id": 6, "kind": "start"}`, // after end: not read
	)
	if len(r) != 5 {
		t.Fatalf("%d responses, want 5: %v", len(r), r)
	}
	for i, m := range r {
		if m["id"] != float64(i) {
			t.Errorf("response %d has id %v", i, m["id"])
		}
	}
	if r[0]["tool"] != "rose" {
		t.Errorf("start: %v", r[0])
	}
	if r[1]["success"] != true {
		t.Errorf("define: %v", r[1])
	}
	if r[2]["output"] != 9.0 || r[3]["output"] != 18.0 {
		t.Errorf("outputs %v, %v; want 9, 18", r[2]["output"], r[3]["output"])
	}
	ts := r[2]["timings"].([]any)
	if len(ts) != 2 || ts[0].(map[string]any)["name"] != "prepare" || ts[1].(map[string]any)["name"] != "evaluate" {
		t.Errorf("timings %v", ts)
	}
}

// TestMinRuns: an evaluate runs at least min_runs times and until
// min_seconds have passed, with one timing per run.
func TestMinRuns(t *testing.T) {
	register("test_runs", map[string]function{
		"f": func(p *rose.Program, in json.RawMessage) (*call, error) {
			var x struct {
				X float64 `json:"x"`
			}
			if err := decode(in, &x); err != nil {
				return nil, err
			}
			return rosecall(p, "square", x.X)
		},
	})
	defer func() { regMu.Lock(); delete(modules, "test_runs"); regMu.Unlock() }()
	s := &session{loaded: map[string]*rose.Program{"test_runs": rose.Load("hello.rose", Source("hello"))}}
	for _, c := range []struct {
		input string
		least int
	}{
		{`{"x": 3, "min_runs": 4, "min_seconds": 0}`, 4},
		{`{"x": 3, "min_runs": 1, "min_seconds": 0.02}`, 2},
		{`{"x": 3}`, 1},
	} {
		out, timings, err := s.evaluate(context.Background(), message{Module: "test_runs", Function: "f", Input: json.RawMessage(c.input)})
		if err != nil {
			t.Fatal(err)
		}
		if string(out.(json.RawMessage)) != "9.0" && string(out.(json.RawMessage)) != "9" {
			t.Errorf("%s: output %s", c.input, out)
		}
		var total int64
		for _, tm := range timings[1:] {
			total += tm.Nanoseconds
		}
		if timings[0].Name != "prepare" || len(timings)-1 < c.least {
			t.Errorf("%s: timings %v, want prepare and at least %d runs", c.input, timings, c.least)
		}
	}
}

// TestBadMessages: every malformed message gets an error response and the
// session goes on.
func TestBadMessages(t *testing.T) {
	bad := []string{
		`not json`,
		`[1, 2]`,
		`{"id": 1}`,
		`{"id": 2, "kind": "define"}`,
		`{"id": 3, "kind": "define", "module": "nosuch"}`,
		`{"id": 4, "kind": "evaluate", "module": "hello", "function": "square", "input": 1}`, // not defined yet
		`{"id": 5, "kind": "define", "module": "hello"}`,
		`{"id": 6, "kind": "evaluate", "module": "hello", "function": "cube", "input": 1}`,
		`{"id": 7, "kind": "evaluate", "module": "hello", "function": "square", "input": "x"}`,
		`{"id": 8, "kind": "evaluate", "module": "hello", "function": "square", "input": {"a": 1}}`,
		`{"id": 9, "kind": "evaluate", "module": "hello", "function": "square"}`,
		`{"id": "ten", "kind": 10}`,
		`{"id": 11, "kind": "evaluate", "module": "hello", "function": "square", "input": 2}`,
	}
	r := converse(t, bad...)
	if len(r) != len(bad) {
		t.Fatalf("%d responses to %d messages", len(r), len(bad))
	}
	for i, m := range r {
		want := i == 6 || i == 12 // defined, evaluated
		if i == 2 {               // no kind: acknowledged
			if _, has := m["success"]; has && m["success"] == false {
				t.Errorf("message %d (%s): %v", i, bad[i], m)
			}
			continue
		}
		if got := m["success"] == true; got != want {
			t.Errorf("message %d (%s): success %v, want %v: %v", i, bad[i], m["success"], want, m)
		}
		if !want && m["error"] == nil {
			t.Errorf("message %d (%s): no error: %v", i, bad[i], m)
		}
	}
	if r[11]["id"] != "ten" {
		t.Errorf("a malformed message's id is not echoed: %v", r[11])
	}
	if r[12]["output"] != 4.0 {
		t.Errorf("the session did not go on: %v", r[12])
	}
}

// FuzzServe: no message sequence crashes the tool; every line read gets
// at most one response line, each a JSON object.
func FuzzServe(f *testing.F) {
	f.Add(`{"id": 0, "kind": "start"}` + "\n" + `{"id": 1, "kind": "define", "module": "hello"}` + "\n" + `{"id": 2, "kind": "evaluate", "module": "hello", "function": "double", "input": 2}`)
	f.Add(`{"id": 1, "kind": "define", "module": "hello"}` + "\n" + `{"id": 2, "kind": "evaluate", "module": "hello", "function": "square", "input": [1, 2]}`)
	f.Add("{\"id\": 3, \"kind\": \"evaluate\", \"input\": {\"min_runs\": -5}}\n\n\x00")
	f.Fuzz(func(t *testing.T, in string) {
		var out bytes.Buffer
		if err := Serve(context.Background(), strings.NewReader(in), &out, Options{}); err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(&out)
		for dec.More() {
			var m map[string]any
			if err := dec.Decode(&m); err != nil {
				t.Fatalf("response is not a JSON object: %v", err)
			}
		}
	})
}
