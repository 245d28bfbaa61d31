package wasm

import (
	"fmt"

	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
)

// Entry is a function to export from a bundle under Name.
type Entry struct {
	Name string
	Func *ir.Func
}

// Bundle is a standalone module that exports several functions, and the
// manifest a host needs to call them: where arguments and results live
// in memory, how they are laid out, and how to read a runtime error back.
//
// Calling protocol, for each entry: write the arguments in the flat layout
// (8 bytes per slot, little-endian: Reals as float64 bits, Ints as int64,
// Bools as 0 or 1, aggregates element after element) at their offsets in
// the exported memory, store 0 as an i32 at address FailRecord, call the
// export with (maxSteps i64, check i32, tapeMax i64) — (0, 0, 0) for no
// budgets — and read the result at its offset. A trap with a non-zero i32
// code at FailRecord is a runtime error; the record holds code i32 @0, site
// i32 @4, a i64 @8 and b i64 @16, and the call-site slot of function k
// (an i32 at CallSlots+4k) holds the site of its call in progress.
//
// The module imports "rose"."done" (() -> i32: 1 when the host wants the
// call to stop; only called when check is 1) and may import math builtins
// from "rose" (see Imports); a host provides whatever the module imports.
type Bundle struct {
	Wasm     []byte
	Manifest Manifest
}

// Manifest describes a Bundle's exports.
type Manifest struct {
	Entries    []EntryLayout
	Funcs      []string   // names of the module's IR functions, by index
	Sites      []SiteInfo // failure and call sites, by number
	FailRecord uint32
	CallSlots  uint32
	Failures   map[int]string // failure codes by kind: index, div, mod, toint, shift, while, tape, steps, cancel, memory
	Imports    []string       // functions imported from the host module "rose", in order
}

// EntryLayout is one exported function.
type EntryLayout struct {
	Name   string
	Func   int // index into Manifest.Funcs of the function it runs
	Params []Slot
	Result Slot
}

// Slot is where a value of a type lives in memory.
type Slot struct {
	Off  uint32
	Type *ir.Type
}

// SiteInfo is a failure or call site: the function it is in, its source
// position, and for a call site the index of the callee (-1 otherwise).
type SiteInfo struct {
	Func   int
	Pos    ir.Pos
	Callee int
}

// failureKinds names the failure codes for hosts.
var failureKinds = map[int]string{
	failIndex: "index", failDiv: "div", failMod: "mod", failToInt: "toint", failShift: "shift",
	failWhile: "while", failTape: "tape", failSteps: "steps", failCancel: "cancel", failMemory: "memory",
}

// Build verifies the entries' functions and their callees and compiles
// them into one module exporting each entry under its name (and the
// memory as "memory"). Names must be distinct and not "memory". It
// generates for size (Small).
func Build(entries []Entry) (*Bundle, error) { return BuildWith(entries, Small) }

// BuildWith is Build with the code generator's options.
func BuildWith(entries []Entry, opt Options) (*Bundle, error) {
	if len(entries) == 0 {
		return nil, fmt.Errorf("wasm: nothing to build")
	}
	seen := map[string]bool{"memory": true}
	for _, e := range entries {
		if e.Name == "" || seen[e.Name] {
			return nil, fmt.Errorf("wasm: export name %q is empty, repeated or reserved", e.Name)
		}
		seen[e.Name] = true
		if _, err := eval.Compile(e.Func); err != nil { // verifies e.Func and every callee
			return nil, err
		}
	}
	mod, err := generateEntries(entries, opt)
	if err != nil {
		return nil, err
	}
	man := Manifest{FailRecord: failRecord, CallSlots: callSlots, Failures: failureKinds}
	for _, fn := range mod.funcs {
		man.Funcs = append(man.Funcs, fn.Name)
	}
	for _, s := range mod.sites {
		man.Sites = append(man.Sites, SiteInfo{Func: s.fn, Pos: s.pos, Callee: s.callee})
	}
	for i, info := range mod.entries {
		f := entries[i].Func
		el := EntryLayout{Name: info.name, Func: info.fn, Result: Slot{Off: info.resOff, Type: f.Result()}}
		for k, p := range f.Params {
			el.Params = append(el.Params, Slot{Off: info.argOff[k], Type: f.Types[p]})
		}
		man.Entries = append(man.Entries, el)
	}
	for _, im := range mod.imports {
		if im != "done" {
			man.Imports = append(man.Imports, im)
		}
	}
	return &Bundle{Wasm: mod.bin, Manifest: man}, nil
}
