package wasm_test

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
	"github.com/rose-go/rose/wasm"
	"github.com/tetratelabs/wazero"
)

// TestBuild exports two functions that share a callee from one module and
// calls each through its manifest, as a host without the engine would.
func TestBuild(t *testing.T) {
	const src = `
fn sq(x: Real) -> Real { x * x }
fn f(x: Real) -> Real { sq(x) + 1.0 }
fn g(xs: [2]Real, i: Int) -> Real { sq(xs[i]) * xs[1] }
`
	p := rose.Load("b.rose", []byte(src))
	var entries []wasm.Entry
	var fns []*rose.Func
	for _, name := range []string{"f", "g"} {
		fn, err := p.Func(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		fns = append(fns, fn)
		entries = append(entries, wasm.Entry{Name: name, Func: fn.IR})
	}
	b, err := wasm.Build(entries)
	if err != nil {
		t.Fatal(err)
	}
	man := b.Manifest
	if len(man.Entries) != 2 || len(man.Funcs) != 3 || man.Funcs[0] != "sq" || len(man.Imports) != 0 {
		t.Fatalf("manifest: %+v", man)
	}
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	_, err = rt.NewHostModuleBuilder("rose").NewFunctionBuilder().
		WithFunc(func() int32 { return 0 }).Export("done").Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m, err := rt.Instantiate(ctx, b.Wasm)
	if err != nil {
		t.Fatal(err)
	}
	call := func(k int, args ...value.Value) (value.Value, uint32, error) {
		e := man.Entries[k]
		mem, _ := m.Memory().Read(0, m.Memory().Size())
		for i, a := range args {
			if err := value.StoreBytes(mem[e.Params[i].Off:], a, e.Params[i].Type); err != nil {
				t.Fatal(err)
			}
		}
		binary.LittleEndian.PutUint32(mem[man.FailRecord:], 0)
		_, err := m.ExportedFunction(e.Name).Call(ctx, 0, 0, 0)
		mem, _ = m.Memory().Read(0, m.Memory().Size())
		v, _ := value.LoadBytes(mem[e.Result.Off:], e.Result.Type)
		return v, binary.LittleEndian.Uint32(mem[man.FailRecord+4:]), err
	}
	xs := value.Array(value.Real(2), value.Real(0.5))
	for k, args := range [][]value.Value{{value.Real(3)}, {xs, value.Int(0)}} {
		got, _, err := call(k, args...)
		if err != nil {
			t.Fatal(err)
		}
		want, err := fns[k].Call(ctx, args, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.Real() != want.Real() {
			t.Errorf("%s: got %v, want %v", man.Entries[k].Name, got.Real(), want.Real())
		}
	}
	// An index out of range fails at its site in g.
	if _, site, err := call(1, xs, value.Int(5)); err == nil {
		t.Error("g(xs, 5) did not trap")
	} else if s := man.Sites[site]; man.Funcs[s.Func] != "g" {
		t.Errorf("failure site %+v, want one in g", s)
	}
	for _, bad := range [][]wasm.Entry{nil, {{Name: "memory", Func: fns[0].IR}}, {entries[0], {Name: "f", Func: fns[1].IR}}} {
		if _, err := wasm.Build(bad); err == nil {
			t.Errorf("Build(%v) succeeded", bad)
		}
	}
}
