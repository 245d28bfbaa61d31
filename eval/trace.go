package eval

import (
	"math"

	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// TraceEvent is what a traced instruction reports to Options.Trace: the
// instruction, where it is in the source and the value it produced.
//
// value.Value and Args are fresh copies the callback may keep. Finite and
// FiniteOperands read the running call's frame, so they may be called only
// during the callback.
type TraceEvent struct {
	Func  string      // the function containing the instruction
	Pos   ir.Pos      // the instruction's source position (>= 0)
	Op    string      // the IR operation's name, as in the op table (ir.OpInfo.Name)
	Instr *ir.Instr   // the instruction itself, for telling apart instructions at one position
	Type  *ir.Type    // the type of Value
	Value value.Value // the value the instruction produced

	// Args are the operands' values when every operand is a scalar (the
	// scalar operations, calls with scalar arguments), in the order of
	// Instr.Args; nil otherwise. They are read after the instruction ran,
	// which for a scalar operation changes nothing.
	Args []value.Value

	fr   []float64
	site *traceSite
}

// FiniteOperands reports whether every Real in the instruction's operands
// is finite (neither NaN nor infinite), scanning aggregates without
// building Values; references and tapes count as finite. Operands are read
// after the instruction ran: an array the instruction updated in place
// reads as updated. It may be called only during the Trace callback.
func (e TraceEvent) FiniteOperands() bool {
	if e.site == nil {
		return true
	}
	for i, t := range e.site.argTypes {
		if !finiteSlots(e.fr[e.site.args[i]:], t) {
			return false
		}
	}
	return true
}

// Finite reports whether every Real in the instruction's value is finite,
// as scanning value.Value would, but reading the frame's slots. It may be called
// only during the Trace callback.
func (e TraceEvent) Finite() bool {
	if e.site == nil {
		return true
	}
	return finiteSlots(e.fr[e.site.dst:], e.site.typ)
}

// finiteSlots reports whether every Real of the value of type t laid out
// at src is finite.
func finiteSlots(src []float64, t *ir.Type) bool {
	switch t.Kind {
	case ir.KReal:
		x := src[0]
		return !math.IsNaN(x) && !math.IsInf(x, 0)
	case ir.KArray:
		es := slotsOf(t.Elem)
		if t.Elem.Kind == ir.KReal {
			for _, x := range src[:t.Len] {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return false
				}
			}
			return true
		}
		for i := 0; i < t.Len; i++ {
			if !finiteSlots(src[int64(i)*es:], t.Elem) {
				return false
			}
		}
	case ir.KTuple:
		var o int64
		for _, e := range t.Elems {
			if !finiteSlots(src[o:], e) {
				return false
			}
			o += slotsOf(e)
		}
	}
	return true
}

// traceSite is one traced instruction: where its result and operands live
// in the frame.
type traceSite struct {
	instr    *ir.Instr
	op       string
	pos      ir.Pos
	dst      int32
	typ      *ir.Type
	args     []int32    // frame offsets of the operands that hold values
	argTypes []*ir.Type // their types, parallel to args
	scalar   bool       // every operand is a scalar: events carry Args
}

// CompileTraced is Compile for tracing: the code, and that of every
// function it calls, reports each instruction that has a source position
// (ir.Pos >= 0) and produces a value (of any type but references and
// tapes, or values holding them) to Options.Trace after it runs. Tracing
// costs a value.Value per event and is meant for tools (the editor's live
// values), not for speed; Code from Compile has no trace instructions and
// is unaffected. Options.Executed counts the trace instructions too.
func CompileTraced(f *ir.Func) (*Code, error) {
	return compile(f, map[*ir.Func]*Code{}, map[*ir.Func]bool{}, true)
}

// traceable reports whether a value of type t can be loaded as a value.Value:
// it holds no reference or tape.
func traceable(t *ir.Type) bool {
	switch t.Kind {
	case ir.KRef, ir.KTape:
		return false
	case ir.KArray:
		return traceable(t.Elem)
	case ir.KTuple:
		for _, e := range t.Elems {
			if !traceable(e) {
				return false
			}
		}
	}
	return true
}

// trace emits the trace instruction of in, just compiled, if it has a
// position and a value.
func (cp *compiler) trace(in *ir.Instr) {
	if in.Pos < 0 || in.Dst < 0 || int(in.Dst) >= len(cp.f.Types) || cp.off[in.Dst] < 0 {
		return
	}
	t := cp.f.Types[in.Dst]
	if !traceable(t) {
		return
	}
	s := traceSite{instr: in, op: in.Op.Info().Name, pos: in.Pos, dst: cp.off[in.Dst], typ: t, scalar: true}
	for _, a := range in.Args {
		if a < 0 || int(a) >= len(cp.f.Types) || cp.off[a] < 0 {
			s.scalar = false
			continue
		}
		at := cp.f.Types[a]
		if !at.IsScalar() {
			s.scalar = false
		}
		if traceable(at) {
			s.args = append(s.args, cp.off[a])
			s.argTypes = append(s.argTypes, at)
		}
	}
	cp.c.traces = append(cp.c.traces, s)
	cp.emit(inst{op: xTrace, n: int32(len(cp.c.traces) - 1)}, in.Pos)
}

// traceAt reports traced instruction k to the call's trace callback.
func (c *Code) traceAt(m *machine, fr []float64, k int32) {
	s := &c.traces[k]
	v, _ := value.Load(fr[s.dst:], s.typ)
	ev := TraceEvent{Func: c.name, Pos: s.pos, Op: s.op, Instr: s.instr, Type: s.typ, Value: v, fr: fr, site: s}
	if s.scalar {
		ev.Args = make([]value.Value, len(s.args))
		for i, o := range s.args {
			ev.Args[i], _ = value.Load(fr[o:], s.argTypes[i])
		}
	}
	m.trace(ev)
}
