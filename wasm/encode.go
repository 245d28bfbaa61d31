// Package wasm writes WebAssembly modules: a small binary encoder (this
// file), the code generator from the IR, and the engine that runs the
// modules in-process with wazero.
package wasm

import (
	"encoding/binary"
	"math"
)

// ValType is a WebAssembly value type.
type ValType byte

// The value types Rose's modules use: Bools are i32, Ints i64, Reals f64.
const (
	I32 ValType = 0x7f
	I64 ValType = 0x7e
	F64 ValType = 0x7c
)

// BlockType of a structured instruction: no result, or one value.
const (
	BlockVoid byte = 0x40
)

// FuncType is a function signature.
type FuncType struct {
	Params, Results []ValType
}

// Import is an imported function.
type Import struct {
	Module, Name string
	Type         uint32 // index into Module.Types
}

// Func is a function defined in the module. Its index in the function
// index space is len(Imports) + its position in Funcs.
type Func struct {
	Type   uint32
	Locals []ValType // beyond the parameters
	Body   *Code
	Name   string // for the name section (stack traces), optional
}

// Global is a global variable with a constant initial value.
type Global struct {
	Type    ValType
	Mutable bool
	Init    uint64 // the bits of the initial value (an f64's IEEE bits)
}

// Export kinds.
const (
	ExportFunc   byte = 0x00
	ExportMemory byte = 0x02
	ExportGlobal byte = 0x03
)

// Export makes a function, memory or global visible to the host.
type Export struct {
	Name  string
	Kind  byte
	Index uint32
}

// Data is a segment copied into memory at instantiation.
type Data struct {
	Offset uint32
	Bytes  []byte
}

// Module is a whole module, encoded by Encode.
type Module struct {
	Types   []FuncType
	Imports []Import
	Funcs   []Func
	// Memory is the one linear memory, in 64 KiB pages; MaxPages 0 means
	// no maximum.
	MinPages, MaxPages uint32
	Globals            []Global
	Exports            []Export
	Data               []Data
	NoNames            bool // leave out the name section
}

// TypeIndex returns the index of the signature, adding it if new.
func (m *Module) TypeIndex(t FuncType) uint32 {
	for i, u := range m.Types {
		if sameTypes(u.Params, t.Params) && sameTypes(u.Results, t.Results) {
			return uint32(i)
		}
	}
	m.Types = append(m.Types, t)
	return uint32(len(m.Types) - 1)
}

func sameTypes(a, b []ValType) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Encode returns the module's binary form.
func (m *Module) Encode() []byte {
	out := []byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}
	section := func(id byte, body []byte) {
		out = append(out, id)
		out = appendU32(out, uint32(len(body)))
		out = append(out, body...)
	}
	if len(m.Types) > 0 {
		b := appendU32(nil, uint32(len(m.Types)))
		for _, t := range m.Types {
			b = append(b, 0x60)
			b = appendU32(b, uint32(len(t.Params)))
			for _, p := range t.Params {
				b = append(b, byte(p))
			}
			b = appendU32(b, uint32(len(t.Results)))
			for _, r := range t.Results {
				b = append(b, byte(r))
			}
		}
		section(1, b)
	}
	if len(m.Imports) > 0 {
		b := appendU32(nil, uint32(len(m.Imports)))
		for _, im := range m.Imports {
			b = appendName(b, im.Module)
			b = appendName(b, im.Name)
			b = append(b, 0x00)
			b = appendU32(b, im.Type)
		}
		section(2, b)
	}
	if len(m.Funcs) > 0 {
		b := appendU32(nil, uint32(len(m.Funcs)))
		for _, f := range m.Funcs {
			b = appendU32(b, f.Type)
		}
		section(3, b)
	}
	if m.MinPages > 0 || m.MaxPages > 0 {
		b := appendU32(nil, 1)
		if m.MaxPages > 0 {
			b = append(b, 0x01)
			b = appendU32(b, m.MinPages)
			b = appendU32(b, m.MaxPages)
		} else {
			b = append(b, 0x00)
			b = appendU32(b, m.MinPages)
		}
		section(5, b)
	}
	if len(m.Globals) > 0 {
		b := appendU32(nil, uint32(len(m.Globals)))
		for _, g := range m.Globals {
			b = append(b, byte(g.Type))
			if g.Mutable {
				b = append(b, 0x01)
			} else {
				b = append(b, 0x00)
			}
			switch g.Type {
			case I32:
				b = append(b, OpI32Const)
				b = appendS64(b, int64(int32(g.Init)))
			case I64:
				b = append(b, OpI64Const)
				b = appendS64(b, int64(g.Init))
			case F64:
				b = append(b, OpF64Const)
				b = binary.LittleEndian.AppendUint64(b, g.Init)
			}
			b = append(b, OpEnd)
		}
		section(6, b)
	}
	if len(m.Exports) > 0 {
		b := appendU32(nil, uint32(len(m.Exports)))
		for _, e := range m.Exports {
			b = appendName(b, e.Name)
			b = append(b, e.Kind)
			b = appendU32(b, e.Index)
		}
		section(7, b)
	}
	if len(m.Funcs) > 0 {
		b := appendU32(nil, uint32(len(m.Funcs)))
		for _, f := range m.Funcs {
			body := appendLocals(nil, f.Locals)
			body = append(body, f.Body.b...)
			body = append(body, OpEnd)
			b = appendU32(b, uint32(len(body)))
			b = append(b, body...)
		}
		section(10, b)
	}
	if len(m.Data) > 0 {
		b := appendU32(nil, uint32(len(m.Data)))
		for _, d := range m.Data {
			b = append(b, 0x00, OpI32Const)
			b = appendS64(b, int64(int32(d.Offset)))
			b = append(b, OpEnd)
			b = appendU32(b, uint32(len(d.Bytes)))
			b = append(b, d.Bytes...)
		}
		section(11, b)
	}
	if names := m.nameSection(); names != nil && !m.NoNames {
		section(0, names)
	}
	return out
}

// nameSection names the defined functions, so that traps show them.
func (m *Module) nameSection() []byte {
	n := 0
	for _, f := range m.Funcs {
		if f.Name != "" {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	sub := appendU32(nil, uint32(n))
	for i, f := range m.Funcs {
		if f.Name != "" {
			sub = appendU32(sub, uint32(len(m.Imports)+i))
			sub = appendName(sub, f.Name)
		}
	}
	b := appendName(nil, "name")
	b = append(b, 0x01) // function names
	b = appendU32(b, uint32(len(sub)))
	return append(b, sub...)
}

// appendLocals writes local declarations, runs of one type grouped.
func appendLocals(b []byte, locals []ValType) []byte {
	var runs [][2]uint32
	for _, t := range locals {
		if len(runs) > 0 && runs[len(runs)-1][1] == uint32(t) {
			runs[len(runs)-1][0]++
		} else {
			runs = append(runs, [2]uint32{1, uint32(t)})
		}
	}
	b = appendU32(b, uint32(len(runs)))
	for _, r := range runs {
		b = appendU32(b, r[0])
		b = append(b, byte(r[1]))
	}
	return b
}

func appendName(b []byte, s string) []byte {
	b = appendU32(b, uint32(len(s)))
	return append(b, s...)
}

// appendU32 writes unsigned LEB128.
func appendU32(b []byte, v uint32) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// appendS64 writes signed LEB128.
func appendS64(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// Code is a function body being written: a sequence of instructions
// (the final end is added by Encode).
type Code struct {
	b      []byte
	blocks int // the Blocks, Loops and Ifs opened
}

// Len is the body's size so far, in bytes.
func (c *Code) Len() int { return len(c.b) }

// Op writes an instruction without immediates.
func (c *Code) Op(op ...byte) { c.b = append(c.b, op...) }

// I32Const writes i32.const v.
func (c *Code) I32Const(v int32) {
	c.b = append(c.b, OpI32Const)
	c.b = appendS64(c.b, int64(v))
}

// I64Const writes i64.const v.
func (c *Code) I64Const(v int64) {
	c.b = append(c.b, OpI64Const)
	c.b = appendS64(c.b, v)
}

// F64Const writes f64.const v, bit for bit (NaN payloads included).
func (c *Code) F64Const(v float64) {
	c.b = append(c.b, OpF64Const)
	c.b = binary.LittleEndian.AppendUint64(c.b, math.Float64bits(v))
}

// Idx writes an instruction with one index immediate: local.get, call,
// br, global.set, ...
func (c *Code) Idx(op byte, i uint32) {
	c.b = append(c.b, op)
	c.b = appendU32(c.b, i)
}

// Mem writes a load or store with its alignment (log2 bytes) and offset.
func (c *Code) Mem(op byte, align, offset uint32) {
	c.b = append(c.b, op)
	c.b = appendU32(c.b, align)
	c.b = appendU32(c.b, offset)
}

// Block, Loop and If open structured instructions with block type bt
// (BlockVoid or a ValType); End closes them.
func (c *Code) Block(bt byte) { c.b = append(c.b, OpBlock, bt); c.blocks++ }

// Loop opens a loop (a branch to it goes back to its start).
func (c *Code) Loop(bt byte) { c.b = append(c.b, OpLoop, bt); c.blocks++ }

// If opens an if on the i32 on the stack.
func (c *Code) If(bt byte) { c.b = append(c.b, OpIf, bt); c.blocks++ }

// Else starts the else arm of an If.
func (c *Code) Else() { c.b = append(c.b, OpElse) }

// End closes a Block, Loop or If.
func (c *Code) End() { c.b = append(c.b, OpEnd) }

// Opcodes (the WebAssembly 1.0 core set plus sign extension and the
// saturating truncations).
const (
	OpUnreachable       byte = 0x00
	OpNop               byte = 0x01
	OpBlock             byte = 0x02
	OpLoop              byte = 0x03
	OpIf                byte = 0x04
	OpElse              byte = 0x05
	OpEnd               byte = 0x0b
	OpBr                byte = 0x0c
	OpBrIf              byte = 0x0d
	OpReturn            byte = 0x0f
	OpCall              byte = 0x10
	OpDrop              byte = 0x1a
	OpSelect            byte = 0x1b
	OpLocalGet          byte = 0x20
	OpLocalSet          byte = 0x21
	OpLocalTee          byte = 0x22
	OpGlobalGet         byte = 0x23
	OpGlobalSet         byte = 0x24
	OpI32Load           byte = 0x28
	OpI64Load           byte = 0x29
	OpF64Load           byte = 0x2b
	OpI32Store          byte = 0x36
	OpI64Store          byte = 0x37
	OpF64Store          byte = 0x39
	OpMemorySize        byte = 0x3f
	OpMemoryGrow        byte = 0x40
	OpI32Const          byte = 0x41
	OpI64Const          byte = 0x42
	OpF64Const          byte = 0x44
	OpI32Eqz            byte = 0x45
	OpI32Eq             byte = 0x46
	OpI32Ne             byte = 0x47
	OpI32LtS            byte = 0x48
	OpI32LtU            byte = 0x49
	OpI32GtS            byte = 0x4a
	OpI32GtU            byte = 0x4b
	OpI32LeS            byte = 0x4c
	OpI32GeS            byte = 0x4e
	OpI32GeU            byte = 0x4f
	OpI64Eqz            byte = 0x50
	OpI64Eq             byte = 0x51
	OpI64Ne             byte = 0x52
	OpI64LtS            byte = 0x53
	OpI64LtU            byte = 0x54
	OpI64GtS            byte = 0x55
	OpI64GtU            byte = 0x56
	OpI64LeS            byte = 0x57
	OpI64LeU            byte = 0x58
	OpI64GeS            byte = 0x59
	OpI64GeU            byte = 0x5a
	OpF64Eq             byte = 0x61
	OpF64Ne             byte = 0x62
	OpF64Lt             byte = 0x63
	OpF64Gt             byte = 0x64
	OpF64Le             byte = 0x65
	OpF64Ge             byte = 0x66
	OpI32Add            byte = 0x6a
	OpI32Sub            byte = 0x6b
	OpI32Mul            byte = 0x6c
	OpI32And            byte = 0x71
	OpI32Or             byte = 0x72
	OpI32Xor            byte = 0x73
	OpI32Shl            byte = 0x74
	OpI32ShrU           byte = 0x76
	OpI64Clz            byte = 0x79
	OpI64Add            byte = 0x7c
	OpI64Sub            byte = 0x7d
	OpI64Mul            byte = 0x7e
	OpI64DivS           byte = 0x7f
	OpI64DivU           byte = 0x80
	OpI64RemS           byte = 0x81
	OpI64RemU           byte = 0x82
	OpI64And            byte = 0x83
	OpI64Or             byte = 0x84
	OpI64Xor            byte = 0x85
	OpI64Shl            byte = 0x86
	OpI64ShrS           byte = 0x87
	OpI64ShrU           byte = 0x88
	OpF64Abs            byte = 0x99
	OpF64Neg            byte = 0x9a
	OpF64Ceil           byte = 0x9b
	OpF64Floor          byte = 0x9c
	OpF64Trunc          byte = 0x9d
	OpF64Nearest        byte = 0x9e
	OpF64Sqrt           byte = 0x9f
	OpF64Add            byte = 0xa0
	OpF64Sub            byte = 0xa1
	OpF64Mul            byte = 0xa2
	OpF64Div            byte = 0xa3
	OpF64Min            byte = 0xa4
	OpF64Max            byte = 0xa5
	OpF64Copysign       byte = 0xa6
	OpI32WrapI64        byte = 0xa7
	OpI64ExtendI32S     byte = 0xac
	OpI64ExtendI32U     byte = 0xad
	OpI64TruncF64S      byte = 0xb0
	OpF64ConvertI32S    byte = 0xb7
	OpF64ConvertI64S    byte = 0xb9
	OpI64ReinterpretF64 byte = 0xbd
	OpF64ReinterpretI64 byte = 0xbf
	// OpMisc prefixes the saturating truncations: OpMisc, 0x06 is
	// i64.trunc_sat_f64_s (NaN gives 0, out of range saturates).
	OpMisc byte = 0xfc
)

// Sub-opcodes after OpMisc (bulk memory).
const (
	MiscMemoryCopy byte = 0x0a // memory.copy: dst, src, n (overlap allowed)
	MiscMemoryFill byte = 0x0b // memory.fill: dst, byte, n
)

// Additional comparisons.
const (
	OpI32LeU  byte = 0x4d
	OpI32DivU byte = 0x6e
)
