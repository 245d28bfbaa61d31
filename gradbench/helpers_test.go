package gradbench

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/rose-go/rose"
)

// Helpers shared by the modules' tests.

var (
	programsMu sync.Mutex
	programs   = map[string]*rose.Program{} // by module and engine
)

// program is module mod's Rose program loaded for engine eng, once per
// test binary.
func program(t testing.TB, mod string, eng rose.Engine) *rose.Program {
	t.Helper()
	programsMu.Lock()
	defer programsMu.Unlock()
	key := mod + "/" + eng.String()
	if p := programs[key]; p != nil {
		return p
	}
	p := rose.Load(mod+".rose", Source(mod))
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	p.Engine = eng
	programs[key] = p
	return p
}

// evaluate runs module mod's function fn on input (marshalled to JSON)
// once with engine eng, as an evaluate message does, and returns its
// output as JSON. Errors of preparing or running are returned.
func evaluate(t testing.TB, eng rose.Engine, mod, fn string, input any) (json.RawMessage, error) {
	t.Helper()
	in, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	c, err := modules[mod].funcs[fn](program(t, mod, eng), in)
	if err != nil {
		return nil, err
	}
	return outputJSON(t, c)
}

// outputJSON runs a prepared call once and returns its output as JSON.
func outputJSON(t testing.TB, c *call) (json.RawMessage, error) {
	t.Helper()
	if c.close != nil {
		defer c.close()
	}
	if err := c.run(context.Background()); err != nil {
		return nil, err
	}
	out, err := c.output()
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return b, nil
}
