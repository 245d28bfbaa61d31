// Package ir is Rose's core representation: typed functions in A-normal
// form with nested blocks for conditionals, array comprehensions and
// sequential loops.
//
// Every operand is a variable; every variable is defined exactly once, by a
// function parameter, a block parameter or an instruction. A block may use
// the variables of the blocks that enclose it (lexical scoping), never those
// of a sibling. All sizes are concrete: the checker instantiates size-generic
// source functions once per distinct set of sizes, so array lengths and trip
// counts here are plain integers.
//
// The package imports nothing of the project's own. The checker produces IR,
// the derivative transforms rewrite it, and the evaluators run it; none of
// them needs the source AST.
package ir

// Kind classifies a Type.
type Kind uint8

// The kinds of types. Real is an IEEE-754 float64, Int a two's-complement
// int64 and Bool a truth value; Array and Tuple are aggregates.
const (
	KReal Kind = iota
	KInt
	KBool
	KArray
	KTuple
	// KRef is a reference to an accumulator: a mutable buffer of Elem,
	// which must be all Real (see OpAccum). References live only inside one
	// function: they are never parameters, block parameters, results or
	// parts of aggregates.
	KRef
	// KTape is a sequence of values of type Elem whose length is known only
	// when the program runs: the states a while loop records for reverse
	// mode (OpWhileScan). It occupies one slot, a handle to storage that
	// lasts as long as the outermost call; it may be a tuple field (a
	// residual), never an array element or a reference's contents.
	KTape
)

// Type is the type of an IR variable. Types are compared structurally with
// Identical; the scalar types are the shared values Real, Int and Bool.
type Type struct {
	Kind  Kind
	Len   int     // KArray: number of elements (>= 0)
	Elem  *Type   // KArray: element type; KRef: the accumulated type; KTape: the recorded type
	Elems []*Type // KTuple: field types

	// Name and Fields label a tuple that came from a named struct, so that
	// printers and JSON encoders can use the source names. They do not take
	// part in identity.
	Name   string
	Fields []string

	slots int // Slots()+1 when set by a constructor, else 0
}

// The scalar types.
var (
	Real = &Type{Kind: KReal, slots: 2}
	Int  = &Type{Kind: KInt, slots: 2}
	Bool = &Type{Kind: KBool, slots: 2}
)

// ArrayOf returns the type [n]elem.
func ArrayOf(n int, elem *Type) *Type {
	t := &Type{Kind: KArray, Len: n, Elem: elem}
	if elem != nil {
		t.slots = t.Slots() + 1
	}
	return t
}

// RefOf returns the type of a reference to an accumulator of type elem.
// A reference occupies one slot, which holds the position of the buffer.
func RefOf(elem *Type) *Type {
	return &Type{Kind: KRef, Elem: elem, slots: 2}
}

// TapeOf returns the type of a run-time sized sequence of elem values.
func TapeOf(elem *Type) *Type {
	return &Type{Kind: KTape, Elem: elem, slots: 2}
}

// TupleOf returns the tuple type (elems...).
func TupleOf(elems ...*Type) *Type {
	t := &Type{Kind: KTuple, Elems: elems}
	for _, e := range elems {
		if e == nil {
			return t
		}
	}
	t.slots = t.Slots() + 1
	return t
}

// IsScalar reports whether t is Real, Int or Bool.
func (t *Type) IsScalar() bool { return t.Kind <= KBool }

// Slots is the number of scalar slots a value of type t occupies in the flat
// layout: one per Real, Int or Bool, arrays element after element, tuples
// field after field. Evaluators and compiled backends lay values out this way.
// Types made by ArrayOf and TupleOf carry the count, so Slots is safe to call
// from several goroutines; it is recomputed for types built as literals.
func (t *Type) Slots() int {
	if t.slots > 0 {
		return t.slots - 1
	}
	switch t.Kind {
	case KArray:
		return t.Len * t.Elem.Slots()
	case KTuple:
		n := 0
		for _, e := range t.Elems {
			n += e.Slots()
		}
		return n
	}
	return 1
}

// FieldOffset is the slot offset of field i within a tuple of type t.
func (t *Type) FieldOffset(i int) int {
	off := 0
	for _, e := range t.Elems[:i] {
		off += e.Slots()
	}
	return off
}

// Identical reports whether a and b are the same type, ignoring struct names.
func Identical(a, b *Type) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil || a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case KArray:
		return a.Len == b.Len && Identical(a.Elem, b.Elem)
	case KRef, KTape:
		return Identical(a.Elem, b.Elem)
	case KTuple:
		if len(a.Elems) != len(b.Elems) {
			return false
		}
		for i := range a.Elems {
			if !Identical(a.Elems[i], b.Elems[i]) {
				return false
			}
		}
	}
	return true
}

// Var names a variable of a Func: an index into Func.Types.
type Var int32

// NoVar marks an absent variable.
const NoVar Var = -1

// Pos is a byte offset into the source file a function came from, or NoPos.
// The IR stays free of file tables; whoever loaded the source maps offsets to
// lines and columns.
type Pos int32

// NoPos marks an instruction without a source position.
const NoPos Pos = -1

// Func is one IR function with concrete types.
type Func struct {
	Name   string  // unique within a program, e.g. "norm[3]" for an instance
	Pos    Pos     // position of the source definition
	Params []Var   // parameters, in order
	Types  []*Type // Types[v] is the type of variable v
	Body   *Block  // Body.Result is the function's result

	// CustomJVP, when set, is f's derivative as its author wrote it: a
	// function of f's parameters followed by one tangent per parameter,
	// returning (result, tangent of the result), linear in the tangents.
	// The derivative transforms use it instead of differentiating f.
	CustomJVP *Func

	// Deriv, when set, makes f a reference to a derivative of another
	// function, with no body: the checker emits such references for the
	// language's derivative operators and package ad replaces them (see
	// ad.Resolve) before anything verifies or runs the program.
	Deriv *Derivative
}

// Derivative names a derivative of a function.
type Derivative struct {
	Kind string // "jvp", "vjp" or "grad"
	Of   *Func
	Wrt  []int // grad only: the parameters to differentiate by, nil for all
}

// Result is the type of f's result.
func (f *Func) Result() *Type { return f.Types[f.Body.Result] }

// Block is a sequence of instructions that computes a value.
type Block struct {
	// Params are bound by the instruction that owns the block: the index
	// for OpFor, the index and the carried state for OpLoop and OpScan,
	// the state for both blocks of OpWhile, nothing for OpIf's arms and
	// the function body.
	Params []Var
	Instrs []Instr
	Result Var // the block's value; defined in the block or visible to it
}

// Instr is one instruction: Dst = Op(Args...), with operation-specific
// fields. See the Op constants for each operation's contract.
type Instr struct {
	Dst    Var
	Op     Op
	Args   []Var
	F      float64  // OpConst of Real type
	I      int64    // OpConst of Int or Bool type (0 false, 1 true)
	N      int      // OpField: field index; OpFor, OpLoop, OpScan: trip count; OpWhile: step bound
	Callee *Func    // OpCall
	Blocks []*Block // OpIf: then, else; OpFor, OpLoop, OpScan: body; OpWhile: condition, body
	Pos    Pos      // source position, for runtime errors
}

// Op is an IR operation.
type Op uint8

// The operations. Unless noted, operands and result are scalars of the
// types given; "num" means Real or Int (both operands the same).
const (
	OpInvalid Op = iota

	// OpConst: Dst = F (Real) or I (Int; Bool as 0/1). No Args. A
	// constant of an aggregate type made only of Reals (AllReal) has F in
	// every slot: that is how zero cotangents are made.
	OpConst

	// Unary on num: Dst has the operand's type.
	OpNeg
	OpAbs
	// Unary on Real.
	OpSqrt
	OpExp
	OpLog
	OpSin
	OpCos
	OpTan
	OpAsin
	OpAcos
	OpAtan
	OpSinh
	OpCosh
	OpTanh
	OpFloor
	OpCeil
	OpRound // half away from zero, as math.Round
	OpSign  // -1, 0 or 1 (NaN stays NaN)

	// Binary on num. OpAdd and OpSub also work slot by slot on two
	// aggregates of the same AllReal type (vector arithmetic, sums of
	// cotangents), and OpNeg on one.
	OpAdd
	OpSub
	OpMul
	OpDiv // Int: truncates toward zero; division by zero is a runtime error
	OpMod // Int only: remainder with the sign of the dividend; zero divisor is a runtime error
	OpMin // x < y ? x : y, so min(NaN, 1) = 1 and min(1, NaN) = NaN
	OpMax // x > y ? x : y
	// Binary on Real.
	OpPow
	OpAtan2 // Args: y, x

	// Comparisons: two num operands (or two Bool for Eq/Ne), Dst Bool.
	OpEq
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe

	// Bool logic: both operands are already evaluated (the checker lowers
	// && and || to OpIf to keep short-circuit evaluation).
	OpNot
	OpAnd
	OpOr

	// OpToReal converts Int to Real.
	OpToReal

	// OpIf: Args[0] Bool; runs Blocks[0] if true, else Blocks[1]; Dst is
	// the result of the block that ran. Only that block is evaluated.
	OpIf

	// OpTuple: Dst (a tuple) = (Args...).
	OpTuple
	// OpField: Dst = Args[0].N, Args[0] a tuple.
	OpField
	// OpArray: Dst (an array of len(Args)) = [Args...].
	OpArray
	// OpIndex: Dst = Args[0][Args[1]], Args[1] an Int; out of range is a
	// runtime error.
	OpIndex
	// OpFor: Dst = [Blocks[0](i) for i in 0..N]; Blocks[0].Params = [i Int].
	OpFor
	// OpLoop: sequential loop with carried state. s := Args[0]; for i in
	// 0..N { s = Blocks[0](i, s) }; Dst = s. Blocks[0].Params = [i Int,
	// s]; the block's result has the state's type.
	OpLoop

	// OpCall: Dst = Callee(Args...).
	OpCall

	// OpScan: a sequential loop that also records its states, for reverse
	// mode. s := Args[0]; for i in 0..N { states[i] = s; s = Blocks[0](i,
	// s) }; Dst = (states, s), of type ([N]S, S). Blocks[0].Params = [i
	// Int, s S]; the block's result has type S.
	OpScan

	// OpUpdate: Dst = Args[0] with element Args[1] (an Int) replaced by
	// Args[2]; out of range is a runtime error. Reverse mode accumulates
	// into arrays with it.
	OpUpdate

	// OpScale: Dst = Args[0] * Args[1] slot by slot: a Real times an
	// aggregate of AllReal type, which Dst has.
	OpScale
	// OpDot: Dst (Real) = the sum, from 0.0 in slot order, of the products
	// of the slots of two aggregates of the same AllReal type.
	OpDot

	// Accumulators: mutable buffers that reverse mode adds cotangents into
	// at O(1) per element and reads once, instead of rebuilding an array per
	// contribution. They are the IR's only effects: instructions run in
	// order, and an OpAccAdd is kept by Prune while its reference is live.
	//
	// OpAccum: Dst (a KRef of an AllReal type T) = a new buffer holding
	// Args[0] (of type T), or zero with no Args.
	OpAccum
	// OpRefIndex: Dst = a reference to element Args[1] (an Int) of the
	// array that reference Args[0] points to; out of range is a runtime
	// error.
	OpRefIndex
	// OpRefField: Dst = a reference to field N of the tuple that
	// reference Args[0] points to.
	OpRefField
	// OpAccAdd: adds Args[1] slot by slot into what reference Args[0]
	// points to. Dst is the empty tuple.
	OpAccAdd
	// OpResolve: Dst = the current contents of the buffer reference
	// Args[0] points to, as a value.
	OpResolve
	// OpWhile: a loop whose trip count is known only when it runs. s :=
	// Args[0]; steps := 0; for Blocks[0](s) { if N > 0 && steps == N {
	// runtime error "while loop exceeded its bound of N steps" }; s =
	// Blocks[1](s); steps++ }; Dst = s. Blocks[0].Params = [s], result
	// Bool; Blocks[1].Params = [s], result of the state's type. N is the
	// step bound, 0 for none (then only the evaluator's step budget bounds
	// it, one step per iteration).
	OpWhile
	// OpWhileScan is OpWhile that also records its states, for reverse
	// mode: the state before each step taken is appended to a tape. Dst =
	// (tape, final state), of type (Tape(S), S).
	OpWhileScan
	// OpTapeLen: Dst (Int) = the number of values recorded on tape Args[0].
	OpTapeLen
	// OpTapeIndex: Dst = element Args[1] (an Int) of tape Args[0]; out of
	// range is a runtime error.
	OpTapeIndex

	opCore // the first of the operations declared in ops.go
)

// AllReal reports whether every scalar of t is a Real: the types of
// tangents and cotangents, which can be added and zeroed slot by slot.
func (t *Type) AllReal() bool {
	switch t.Kind {
	case KReal:
		return true
	case KArray:
		return t.Elem.AllReal()
	case KTuple:
		for _, e := range t.Elems {
			if !e.AllReal() {
				return false
			}
		}
		return true
	}
	return false
}

// Program is a set of functions closed under calls, in an order where every
// callee comes before its callers.
type Program struct {
	Funcs []*Func
}

// Lookup returns the function named name, or nil.
func (p *Program) Lookup(name string) *Func {
	for _, f := range p.Funcs {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// Reachable lists f and every function it calls, directly or not, each
// once, callees before their callers (the order of a Program).
func Reachable(f *Func) []*Func {
	var out []*Func
	seen := map[*Func]bool{}
	var visit func(f *Func)
	var block func(b *Block)
	block = func(b *Block) {
		for i := range b.Instrs {
			if c := b.Instrs[i].Callee; c != nil {
				visit(c)
			}
			for _, nb := range b.Instrs[i].Blocks {
				block(nb)
			}
		}
	}
	visit = func(f *Func) {
		if seen[f] {
			return
		}
		seen[f] = true
		if f.Body != nil {
			block(f.Body)
		}
		out = append(out, f)
	}
	visit(f)
	return out
}
