package wasm

import (
	"context"
	"math"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// TestEncode builds a module by hand (a function over f64 and i64, a loop
// storing into memory, a global, an imported function) and runs it with
// wazero, which validates every section.
func TestEncode(t *testing.T) {
	m := &Module{MinPages: 1}
	host := m.TypeIndex(FuncType{Params: []ValType{I64}, Results: []ValType{I64}})
	m.Imports = append(m.Imports, Import{Module: "env", Name: "twice", Type: host})
	m.Globals = append(m.Globals, Global{Type: F64, Mutable: true, Init: math.Float64bits(0.5)})

	// hyp(x, y) = sqrt(x*x + y*y) + g0
	var c Code
	c.Idx(OpLocalGet, 0)
	c.Idx(OpLocalGet, 0)
	c.Op(OpF64Mul)
	c.Idx(OpLocalGet, 1)
	c.Idx(OpLocalGet, 1)
	c.Op(OpF64Mul, OpF64Add, OpF64Sqrt)
	c.Idx(OpGlobalGet, 0)
	c.Op(OpF64Add)
	m.Funcs = append(m.Funcs, Func{Type: m.TypeIndex(FuncType{Params: []ValType{F64, F64}, Results: []ValType{F64}}), Body: &c, Name: "hyp"})

	// fill(n) stores twice(i) at 8*i for i < n and returns the sum.
	var d Code
	d.Block(BlockVoid)
	d.Loop(BlockVoid)
	d.Idx(OpLocalGet, 1)
	d.Idx(OpLocalGet, 0)
	d.Op(OpI64GeS)
	d.Idx(OpBrIf, 1)
	d.Idx(OpLocalGet, 1)
	d.Op(OpI32WrapI64)
	d.I32Const(8)
	d.Op(OpI32Mul)
	d.Idx(OpLocalGet, 1)
	d.Idx(OpCall, 0)
	d.Idx(OpLocalTee, 3)
	d.Mem(OpI64Store, 3, 0)
	d.Idx(OpLocalGet, 2)
	d.Idx(OpLocalGet, 3)
	d.Op(OpI64Add)
	d.Idx(OpLocalSet, 2)
	d.Idx(OpLocalGet, 1)
	d.I64Const(1)
	d.Op(OpI64Add)
	d.Idx(OpLocalSet, 1)
	d.Idx(OpBr, 0)
	d.End()
	d.End()
	d.Idx(OpLocalGet, 2)
	m.Funcs = append(m.Funcs, Func{Type: host, Locals: []ValType{I64, I64, I64}, Body: &d, Name: "fill"})
	m.Exports = append(m.Exports, Export{Name: "hyp", Kind: ExportFunc, Index: 1}, Export{Name: "fill", Kind: ExportFunc, Index: 2},
		Export{Name: "memory", Kind: ExportMemory, Index: 0})

	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	_, err := r.NewHostModuleBuilder("env").NewFunctionBuilder().
		WithFunc(func(x int64) int64 { return 2 * x }).Export("twice").Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mod, err := r.Instantiate(ctx, m.Encode())
	if err != nil {
		t.Fatalf("instantiate: %v", err)
	}
	res, err := mod.ExportedFunction("hyp").Call(ctx, api.EncodeF64(3), api.EncodeF64(4))
	if err != nil || api.DecodeF64(res[0]) != 5.5 {
		t.Errorf("hyp(3, 4) = %v, %v", api.DecodeF64(res[0]), err)
	}
	res, err = mod.ExportedFunction("fill").Call(ctx, 5)
	if err != nil || int64(res[0]) != 20 {
		t.Errorf("fill(5) = %v, %v", res, err)
	}
	if v, ok := mod.Memory().ReadUint64Le(8 * 4); !ok || v != 8 {
		t.Errorf("memory[4] = %d", v)
	}
}

func TestLEB128(t *testing.T) {
	for _, c := range []struct {
		v    int64
		want []byte
	}{{0, []byte{0}}, {-1, []byte{0x7f}}, {63, []byte{0x3f}}, {64, []byte{0xc0, 0}}, {-64, []byte{0x40}}, {-65, []byte{0xbf, 0x7f}}, {624485, []byte{0xe5, 0x8e, 0x26}}} {
		if got := appendS64(nil, c.v); string(got) != string(c.want) {
			t.Errorf("sleb(%d) = %x, want %x", c.v, got, c.want)
		}
	}
	if got := appendU32(nil, 624485); string(got) != string([]byte{0xe5, 0x8e, 0x26}) {
		t.Errorf("uleb(624485) = %x", got)
	}
}
