// Package eval is the reference evaluator of Rose IR: it defines what a
// program computes, for tests, for the editor and as the oracle the
// compiled backends and derivative transforms are checked against.
//
// Compile turns an ir.Func (and its callees) into a Code, which lays every
// variable out flat at a fixed offset of a per-call frame and runs
// type-specialised instructions in a switch loop, without allocation per
// operation. Code.Call converts values (value.Value) at the boundary.
// CompileTraced makes a slower Code that also reports the value of every
// instruction with a source position to Options.Trace (the editor's live
// values); Compile's code has no trace instructions.
//
// What a program computes, beyond the ir.Op documentation, is written in
// package value's documentation, which every engine follows.
package eval
