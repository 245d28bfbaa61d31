package ir

import (
	"errors"
	"fmt"
	"strings"
)

// maxProblems is how many problems a Verify error lists before summarising.
const maxProblems = 8

// maxTypeDepth bounds the nesting of types Verify accepts, which also
// rejects cyclic types instead of recursing forever.
const maxTypeDepth = 1000

// Verify checks every invariant of f that the evaluators and transforms rely
// on: scoping and single definition of variables, well-formed types, and the
// typing contract of each operation documented on the Op constants. Callees
// are checked only at the call boundary (argument and result types); verify
// them separately or use VerifyProgram. The error lists the first few
// problems, each with the function name and the offending instruction.
func Verify(f *Func) error {
	if f == nil {
		return errors.New("ir: nil function")
	}
	v := verifier{f: f, typeOK: map[*Type]bool{}, blocks: map[*Block]bool{}}
	v.run()
	if len(v.errs) == 0 {
		return nil
	}
	msg := strings.Join(v.errs, "\n")
	if v.dropped > 0 {
		msg += fmt.Sprintf("\nfn %s: and %d more problems", f.Name, v.dropped)
	}
	return errors.New(msg)
}

// VerifyProgram verifies every function of p and that p is closed under
// calls, with unique names and every callee listed before its callers
// (which also rules out recursion).
func VerifyProgram(p *Program) error {
	if p == nil {
		return errors.New("ir: nil program")
	}
	var errs []error
	index := map[*Func]int{}
	names := map[string]bool{}
	for i, f := range p.Funcs {
		if f == nil {
			errs = append(errs, fmt.Errorf("ir: program function %d is nil", i))
			continue
		}
		if names[f.Name] {
			errs = append(errs, fmt.Errorf("fn %s: name defined twice in program", f.Name))
		}
		names[f.Name] = true
		err := Verify(f)
		if err != nil {
			errs = append(errs, err)
		}
		var callees func(b *Block, depth int)
		callees = func(b *Block, depth int) {
			if b == nil || depth > maxTypeDepth {
				return
			}
			for j := range b.Instrs {
				in := &b.Instrs[j]
				if in.Op == OpCall && in.Callee != nil {
					if _, ok := index[in.Callee]; !ok {
						errs = append(errs, fmt.Errorf("fn %s: %s: callee %s is not defined earlier in the program",
							f.Name, instrString(f, in), in.Callee.Name))
					}
				}
				for _, nb := range in.Blocks {
					callees(nb, depth+1)
				}
			}
		}
		if err == nil {
			callees(f.Body, 0)
		}
		index[f] = i
	}
	return errors.Join(errs...)
}

// Variable states during verification.
const (
	undefined  uint8 = iota // not defined yet
	visible                 // defined and in scope
	outOfScope              // defined in a block that has ended
)

type verifier struct {
	f       *Func
	state   []uint8
	typeOK  map[*Type]bool // memoised result of checkType
	blocks  map[*Block]bool
	errs    []string
	dropped int
}

// errorf records a problem; in may be nil for function-level problems.
func (v *verifier) errorf(in *Instr, format string, args ...any) {
	if len(v.errs) >= maxProblems {
		v.dropped++
		return
	}
	where := ""
	if in != nil {
		where = instrString(v.f, in) + ": "
	}
	v.errs = append(v.errs, fmt.Sprintf("fn %s: %s%s", v.f.Name, where, fmt.Sprintf(format, args...)))
}

func (v *verifier) run() {
	f := v.f
	v.state = make([]uint8, len(f.Types))
	for i, t := range f.Types {
		if !v.checkType(t, 0) {
			v.errorf(nil, "%%%d has invalid type %v", i, t)
		}
	}
	if f.Body == nil {
		v.errorf(nil, "nil body")
		return
	}
	if len(f.Body.Params) != 0 {
		v.errorf(nil, "function body has block parameters")
	}
	for _, p := range f.Params {
		v.define(nil, p, "parameter")
		if v.isRef(p) {
			v.errorf(nil, "parameter %%%d is a reference", p)
		}
	}
	v.blocks[f.Body] = true
	v.block(f.Body, nil)
	for i, s := range v.state {
		if s == undefined {
			v.errorf(nil, "%%%d is never defined", i)
		}
	}
}

// checkType reports whether t is a well-formed type.
func (v *verifier) checkType(t *Type, depth int) bool {
	if t == nil || depth > maxTypeDepth {
		return false
	}
	if ok, seen := v.typeOK[t]; seen {
		return ok
	}
	v.typeOK[t] = false // until proven, so that a cycle is invalid
	ok := true
	switch t.Kind {
	case KReal, KInt, KBool:
	case KArray:
		ok = t.Len >= 0 && v.checkType(t.Elem, depth+1) && t.Elem.Kind != KRef && t.Elem.Kind != KTape
	case KTuple:
		ok = t.Fields == nil || len(t.Fields) == len(t.Elems)
		for _, e := range t.Elems {
			ok = ok && v.checkType(e, depth+1) && e.Kind != KRef
		}
	case KRef:
		ok = v.checkType(t.Elem, depth+1) && t.Elem.AllReal()
	case KTape:
		ok = v.checkType(t.Elem, depth+1) && t.Elem.Kind != KRef
	default:
		ok = false
	}
	v.typeOK[t] = ok
	return ok
}

// typ is the type of x if x is a variable with a valid type, else nil.
func (v *verifier) typ(x Var) *Type {
	if x < 0 || int(x) >= len(v.f.Types) {
		return nil
	}
	t := v.f.Types[x]
	if !v.typeOK[t] {
		return nil
	}
	return t
}

func (v *verifier) inRange(x Var) bool { return x >= 0 && int(x) < len(v.f.Types) }

// isRef reports whether x is a variable of reference type.
func (v *verifier) isRef(x Var) bool {
	t := v.typ(x)
	return t != nil && t.Kind == KRef
}

// define marks x defined (and visible), reporting double definitions.
func (v *verifier) define(in *Instr, x Var, what string) {
	if !v.inRange(x) {
		v.errorf(in, "%s %%%d is not a variable of the function", what, x)
		return
	}
	if v.state[x] != undefined {
		v.errorf(in, "%%%d is defined more than once", x)
		return
	}
	v.state[x] = visible
}

// use checks that x is visible here and returns its type (nil if invalid).
func (v *verifier) use(in *Instr, x Var) *Type {
	if !v.inRange(x) {
		v.errorf(in, "operand %%%d is not a variable of the function", x)
		return nil
	}
	switch v.state[x] {
	case undefined:
		v.errorf(in, "%%%d is used before its definition", x)
	case outOfScope:
		v.errorf(in, "%%%d is used outside the block that defines it", x)
	}
	return v.typ(x)
}

// block verifies b, whose parameters the caller has not yet defined, and
// ends the scope of everything b defines.
func (v *verifier) block(b *Block, owner *Instr) {
	for _, p := range b.Params {
		v.define(owner, p, "block parameter")
		if v.isRef(p) {
			v.errorf(owner, "block parameter %%%d is a reference", p)
		}
	}
	for i := range b.Instrs {
		in := &b.Instrs[i]
		v.instr(in)
		if in.Dst == NoVar {
			v.errorf(in, "no destination")
		} else {
			v.define(in, in.Dst, "destination")
		}
	}
	switch {
	case !v.inRange(b.Result):
		v.errorf(owner, "block result %%%d is not a variable of the function", b.Result)
	case v.state[b.Result] == undefined:
		v.errorf(owner, "block result %%%d is not defined before the end of the block", b.Result)
	case v.state[b.Result] == outOfScope:
		v.errorf(owner, "block result %%%d is defined in another block", b.Result)
	case v.isRef(b.Result):
		v.errorf(owner, "block result %%%d is a reference", b.Result)
	}
	v.endScope(b)
}

func (v *verifier) endScope(b *Block) {
	hide := func(x Var) {
		if v.inRange(x) && v.state[x] == visible {
			v.state[x] = outOfScope
		}
	}
	for _, p := range b.Params {
		hide(p)
	}
	for i := range b.Instrs {
		hide(b.Instrs[i].Dst)
	}
}

// sub verifies a nested block of in, which must be fresh.
func (v *verifier) sub(in *Instr, b *Block) *Type {
	if b == nil {
		v.errorf(in, "nil block")
		return nil
	}
	if v.blocks[b] {
		v.errorf(in, "block appears more than once")
		return nil
	}
	v.blocks[b] = true
	v.block(b, in)
	return v.typ(b.Result)
}

// skipBlocks walks the blocks of a malformed instruction for their
// definitions only, so that one bad instruction does not cascade into
// "never defined" reports.
func (v *verifier) skipBlocks(in *Instr) {
	for _, b := range in.Blocks {
		v.sub(in, b)
	}
}

func firstType(ts []*Type) *Type {
	if len(ts) == 0 {
		return nil
	}
	return ts[0]
}

// takesRef reports whether op's first operand is a reference.
func (op Op) takesRef() bool {
	return op == OpRefIndex || op == OpRefField || op == OpAccAdd || op == OpResolve
}

// makesRef reports whether op's result is a reference.
func (op Op) makesRef() bool { return op == OpAccum || op == OpRefIndex || op == OpRefField }

func isNum(t *Type) bool { return t.Kind == KReal || t.Kind == KInt }

func (v *verifier) instr(in *Instr) {
	op := in.Op
	if op == OpInvalid || op >= numOps || op.Info().Class == ClassNone {
		v.errorf(in, "invalid operation %d", op)
		v.skipBlocks(in)
		return
	}
	if n := op.Arity(); n >= 0 && len(in.Args) != n {
		v.errorf(in, "%s takes %d operands, got %d", op, n, len(in.Args))
		v.skipBlocks(in)
		return
	}
	args := make([]*Type, len(in.Args))
	argsOK := true
	for i, a := range in.Args {
		args[i] = v.use(in, a)
		argsOK = argsOK && args[i] != nil
		// References are operands of the accumulator operations only, and
		// only as their first operand.
		if args[i] != nil && args[i].Kind == KRef && (i > 0 || !op.takesRef()) {
			v.errorf(in, "operand %d is a reference, which %s does not take", i, op)
			argsOK = false
		}
	}
	if dst := v.typ(in.Dst); dst != nil && (dst.Kind == KRef) != op.makesRef() {
		if op.makesRef() {
			v.errorf(in, "result type %v is not a reference", dst)
		} else {
			v.errorf(in, "%s cannot make a reference", op)
		}
		v.skipBlocks(in)
		return
	}
	if op == OpCall {
		if in.Callee == nil {
			v.errorf(in, "call without callee")
		}
	} else if in.Callee != nil {
		v.errorf(in, "%s has a callee", op)
	}
	wantBlocks := 0
	switch op {
	case OpIf:
		wantBlocks = 2
	case OpFor, OpLoop, OpScan:
		wantBlocks = 1
	case OpWhile, OpWhileScan:
		wantBlocks = 2
	}
	if len(in.Blocks) != wantBlocks {
		v.errorf(in, "%s needs %d blocks, got %d", op, wantBlocks, len(in.Blocks))
		v.skipBlocks(in)
		return
	}
	dst := v.typ(in.Dst)
	// Blocks are verified even when operand types are bad, for scoping.
	switch op {
	case OpIf:
		v.checkIf(in, args, dst)
		return
	case OpFor:
		v.checkFor(in, dst)
		return
	case OpLoop:
		v.checkLoop(in, args, dst)
		return
	case OpWhile:
		v.checkWhile(in, args, dst)
		return
	case OpWhileScan:
		v.checkWhile(in, args, nil) // the result is checked as a whole
		if want := TupleOf(TapeOf(args[0]), args[0]); args[0] != nil && dst != nil && !Identical(dst, want) {
			v.errorf(in, "whilescan result type %v, want %v", dst, want)
		}
		return
	case OpScan:
		v.checkLoop(in, args, nil) // the result is checked as a whole
		if want := TupleOf(ArrayOf(in.N, args[0]), args[0]); args[0] != nil && dst != nil && !Identical(dst, want) {
			v.errorf(in, "scan result type %v, want %v", dst, want)
		}
		return
	}
	if dst == nil || !argsOK {
		return // already reported as an invalid type or a bad operand
	}
	want := func(ok bool, format string, a ...any) {
		if !ok {
			v.errorf(in, format, a...)
		}
	}
	if op.takesRef() && (args[0].Kind != KRef) {
		v.errorf(in, "%s needs a reference operand, got %v", op, args[0])
		return
	}
	switch {
	case op == OpTapeLen:
		want(args[0].Kind == KTape, "tapelen needs a tape, got %v", args[0])
		want(dst.Kind == KInt, "result must be Int, got %v", dst)
	case op == OpTapeIndex:
		v.checkIndex(in, args, dst, KTape, "tapeindex needs a tape")
	case op == OpAccum:
		if len(args) > 1 {
			v.errorf(in, "accum takes 0 or 1 operands, got %d", len(args))
			return
		}
		want(dst.Elem.AllReal(), "accumulator of type %v, which is not all Real", dst.Elem)
		want(len(args) == 0 || Identical(args[0], dst.Elem), "initial value has type %v, want %v", firstType(args), dst.Elem)
	case op == OpRefIndex:
		if args[0].Elem.Kind != KArray {
			v.errorf(in, "refindex needs a reference to an array, got %v", args[0])
			return
		}
		want(args[1].Kind == KInt, "index must be Int, got %v", args[1])
		want(Identical(dst.Elem, args[0].Elem.Elem), "result type %v differs from element type %v", dst, args[0].Elem.Elem)
	case op == OpRefField:
		if args[0].Elem.Kind != KTuple || in.N < 0 || in.N >= len(args[0].Elem.Elems) {
			v.errorf(in, "reffield %d needs a reference to a tuple with that field, got %v", in.N, args[0])
			return
		}
		want(Identical(dst.Elem, args[0].Elem.Elems[in.N]), "result type %v differs from field type %v", dst, args[0].Elem.Elems[in.N])
	case op == OpAccAdd:
		want(Identical(args[1], args[0].Elem), "added value has type %v, want %v", args[1], args[0].Elem)
		want(dst.Kind == KTuple && len(dst.Elems) == 0, "result must be the empty tuple, got %v", dst)
	case op == OpResolve:
		want(Identical(dst, args[0].Elem), "result type %v differs from accumulated type %v", dst, args[0].Elem)
	case op == OpConst:
		want(dst.IsScalar() || dst.AllReal(), "constant of type %v, which is neither scalar nor all Real", dst)
		want(dst.Kind != KBool || in.I == 0 || in.I == 1, "Bool constant %d is not 0 or 1", in.I)
	case (op == OpAdd || op == OpSub) && !args[0].IsScalar():
		want(Identical(args[0], args[1]), "operands have different types %v and %v", args[0], args[1])
		want(args[0].AllReal(), "aggregate %s needs all-Real operands, got %v", op, args[0])
		want(Identical(dst, args[0]), "result type %v differs from operand type %v", dst, args[0])
	case op == OpNeg && !args[0].IsScalar():
		want(args[0].AllReal(), "aggregate neg needs an all-Real operand, got %v", args[0])
		want(Identical(dst, args[0]), "result type %v differs from operand type %v", dst, args[0])
	case op == OpScale:
		want(args[0].Kind == KReal, "scale factor must be Real, got %v", args[0])
		want(args[1].AllReal(), "scale needs an all-Real aggregate, got %v", args[1])
		want(Identical(dst, args[1]), "result type %v differs from operand type %v", dst, args[1])
	case op == OpDot:
		want(Identical(args[0], args[1]), "operands have different types %v and %v", args[0], args[1])
		want(args[0].AllReal(), "dot needs all-Real operands, got %v", args[0])
		want(dst.Kind == KReal, "result must be Real, got %v", dst)
	case op == OpUpdate:
		want(args[0].Kind == KArray, "update needs an array, got %v", args[0])
		want(args[1].Kind == KInt, "index must be Int, got %v", args[1])
		want(args[0].Kind != KArray || Identical(args[0].Elem, args[2]), "element type %v does not match %v", args[2], args[0])
		want(Identical(dst, args[0]), "result type %v differs from array type %v", dst, args[0])
	case op.Info().Class != ClassOther:
		v.checkScalar(in, args, dst)
	case op == OpTuple:
		if dst.Kind != KTuple || len(dst.Elems) != len(args) {
			v.errorf(in, "result type %v is not a tuple of %d fields", dst, len(args))
			return
		}
		for i, a := range args {
			want(Identical(a, dst.Elems[i]), "field %d has type %v, want %v", i, a, dst.Elems[i])
		}
	case op == OpField:
		if args[0].Kind != KTuple {
			v.errorf(in, "operand must be a tuple, got %v", args[0])
			return
		}
		if in.N < 0 || in.N >= len(args[0].Elems) {
			v.errorf(in, "field %d out of range for %v", in.N, args[0])
			return
		}
		want(Identical(dst, args[0].Elems[in.N]), "result type %v differs from field type %v", dst, args[0].Elems[in.N])
	case op == OpArray:
		if dst.Kind != KArray || dst.Len != len(args) {
			v.errorf(in, "result type %v is not an array of %d elements", dst, len(args))
			return
		}
		for i, a := range args {
			want(Identical(a, dst.Elem), "element %d has type %v, want %v", i, a, dst.Elem)
		}
	case op == OpIndex:
		v.checkIndex(in, args, dst, KArray, "indexed operand must be an array")
	case op == OpCall:
		if in.Callee != nil {
			v.checkCall(in, args, dst)
		}
	default:
		v.errorf(in, "no verifier rule for %s", op)
	}
}

// checkScalar checks a scalar operation against its class in the op table.
func (v *verifier) checkScalar(in *Instr, args []*Type, dst *Type) {
	op := in.Op
	want := func(ok bool, format string, a ...any) {
		if !ok {
			v.errorf(in, format, a...)
		}
	}
	same := func() bool {
		ok := Identical(args[0], args[1])
		want(ok, "operands have different types %v and %v", args[0], args[1])
		return ok
	}
	switch op.Info().Class {
	case ClassNum1:
		want(isNum(args[0]), "operand must be Real or Int, got %v", args[0])
		want(Identical(dst, args[0]), "result type %v differs from operand type %v", dst, args[0])
	case ClassReal1:
		want(args[0].Kind == KReal, "operand must be Real, got %v", args[0])
		want(dst.Kind == KReal, "result must be Real, got %v", dst)
		want(op != OpPolygamma || in.I >= 0, "polygamma of negative order %d", in.I)
	case ClassNum2:
		same()
		want(isNum(args[0]), "operands must be Real or Int, got %v", args[0])
		want(Identical(dst, args[0]), "result type %v differs from operand type %v", dst, args[0])
	case ClassInt2:
		same()
		want(args[0].Kind == KInt, "operands must be Int, got %v", args[0])
		want(dst.Kind == KInt, "result must be Int, got %v", dst)
	case ClassReal2:
		want(args[0].Kind == KReal && args[1].Kind == KReal, "operands must be Real, got %v and %v", args[0], args[1])
		want(dst.Kind == KReal, "result must be Real, got %v", dst)
	case ClassCmp:
		same()
		if op == OpEq || op == OpNe {
			want(args[0].IsScalar(), "operands must be Real, Int or Bool, got %v", args[0])
		} else {
			want(isNum(args[0]), "operands must be Real or Int, got %v", args[0])
		}
		want(dst.Kind == KBool, "result must be Bool, got %v", dst)
	case ClassBool1, ClassBool2:
		for _, a := range args {
			want(a.Kind == KBool, "operand must be Bool, got %v", a)
		}
		want(dst.Kind == KBool, "result must be Bool, got %v", dst)
	case ClassIntToReal:
		want(args[0].Kind == KInt, "operand must be Int, got %v", args[0])
		want(dst.Kind == KReal, "result must be Real, got %v", dst)
	case ClassRealToInt:
		want(args[0].Kind == KReal, "operand must be Real, got %v", args[0])
		want(dst.Kind == KInt, "result must be Int, got %v", dst)
	default:
		v.errorf(in, "no verifier rule for %s", op)
	}
}

// checkIndex checks an element read from a sequence of kind k (an array
// or a tape), with msg the complaint about another operand.
func (v *verifier) checkIndex(in *Instr, args []*Type, dst *Type, k Kind, msg string) {
	if args[0].Kind != k {
		v.errorf(in, "%s, got %v", msg, args[0])
		return
	}
	if args[1].Kind != KInt {
		v.errorf(in, "index must be Int, got %v", args[1])
	}
	if !Identical(dst, args[0].Elem) {
		v.errorf(in, "result type %v differs from element type %v", dst, args[0].Elem)
	}
}

func (v *verifier) checkIf(in *Instr, args []*Type, dst *Type) {
	if args[0] != nil && args[0].Kind != KBool {
		v.errorf(in, "condition must be Bool, got %v", args[0])
	}
	for i, b := range in.Blocks {
		if b != nil && len(b.Params) != 0 {
			v.errorf(in, "if arm %d has parameters", i)
		}
		rt := v.sub(in, b)
		if rt != nil && dst != nil && !Identical(rt, dst) {
			v.errorf(in, "if arm %d yields %v, want %v", i, rt, dst)
		}
	}
}

func (v *verifier) checkFor(in *Instr, dst *Type) {
	b := in.Blocks[0]
	if in.N < 0 {
		v.errorf(in, "negative trip count %d", in.N)
	}
	if b != nil {
		if len(b.Params) != 1 {
			v.errorf(in, "for body needs 1 parameter, got %d", len(b.Params))
		} else if t := v.typ(b.Params[0]); t != nil && t.Kind != KInt {
			v.errorf(in, "for index must be Int, got %v", t)
		}
	}
	rt := v.sub(in, b)
	if dst == nil {
		return
	}
	if dst.Kind != KArray || dst.Len != in.N {
		v.errorf(in, "result type %v is not an array of %d elements", dst, in.N)
		return
	}
	if rt != nil && !Identical(rt, dst.Elem) {
		v.errorf(in, "for body yields %v, want %v", rt, dst.Elem)
	}
}

func (v *verifier) checkLoop(in *Instr, args []*Type, dst *Type) {
	b := in.Blocks[0]
	state := args[0]
	if in.N < 0 {
		v.errorf(in, "negative trip count %d", in.N)
	}
	if b != nil {
		if len(b.Params) != 2 {
			v.errorf(in, "loop body needs 2 parameters, got %d", len(b.Params))
		} else {
			if t := v.typ(b.Params[0]); t != nil && t.Kind != KInt {
				v.errorf(in, "loop index must be Int, got %v", t)
			}
			if t := v.typ(b.Params[1]); t != nil && state != nil && !Identical(t, state) {
				v.errorf(in, "loop state parameter has type %v, want %v", t, state)
			}
		}
	}
	rt := v.sub(in, b)
	if state == nil {
		return
	}
	if rt != nil && !Identical(rt, state) {
		v.errorf(in, "loop body yields %v, want state type %v", rt, state)
	}
	if dst != nil && !Identical(dst, state) {
		v.errorf(in, "result type %v differs from state type %v", dst, state)
	}
}

func (v *verifier) checkWhile(in *Instr, args []*Type, dst *Type) {
	state := args[0]
	if in.N < 0 {
		v.errorf(in, "negative step bound %d", in.N)
	}
	var rts [2]*Type
	for k, b := range in.Blocks {
		if b != nil {
			if len(b.Params) != 1 {
				v.errorf(in, "while block %d needs 1 parameter, got %d", k, len(b.Params))
			} else if t := v.typ(b.Params[0]); t != nil && state != nil && !Identical(t, state) {
				v.errorf(in, "while state parameter has type %v, want %v", t, state)
			}
		}
		rts[k] = v.sub(in, b)
	}
	if rts[0] != nil && rts[0].Kind != KBool {
		v.errorf(in, "while condition yields %v, want Bool", rts[0])
	}
	if state == nil {
		return
	}
	if rts[1] != nil && !Identical(rts[1], state) {
		v.errorf(in, "while body yields %v, want state type %v", rts[1], state)
	}
	if dst != nil && !Identical(dst, state) {
		v.errorf(in, "result type %v differs from state type %v", dst, state)
	}
}

func (v *verifier) checkCall(in *Instr, args []*Type, dst *Type) {
	c := in.Callee
	if c == v.f {
		v.errorf(in, "recursive call")
		return
	}
	if c.Body == nil {
		v.errorf(in, "callee %s has no body", c.Name)
		return
	}
	ctype := func(x Var) *Type {
		if x < 0 || int(x) >= len(c.Types) {
			return nil
		}
		return c.Types[x]
	}
	if len(args) != len(c.Params) {
		v.errorf(in, "callee %s takes %d arguments, got %d", c.Name, len(c.Params), len(args))
	} else {
		for i, a := range args {
			if pt := ctype(c.Params[i]); !Identical(a, pt) {
				v.errorf(in, "argument %d has type %v, callee %s wants %v", i, a, c.Name, pt)
			}
		}
	}
	if rt := ctype(c.Body.Result); !Identical(dst, rt) {
		v.errorf(in, "result type %v differs from callee %s's result type %v", dst, c.Name, rt)
	}
}
