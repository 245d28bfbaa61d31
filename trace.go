package rose

import (
	"context"
	"fmt"
	"go/token"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/rose-go/rose/check"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/parser"
	"github.com/rose-go/rose/value"
)

// tracedCode is a Func's traced compilation (eval.CompileTraced), made on
// the first Trace.
type tracedCode struct {
	once sync.Once
	code *eval.Code
	err  error
}

// Trace is what one traced run of a function saw.
type Trace struct {
	// Result is the function's result (the zero Value if the run failed).
	Result value.Value

	// Values holds, for every source position of an instruction that ran
	// (in the function and the functions it calls), the value the last
	// instruction to run there produced: inside a loop, that of the last
	// step. Several instructions may share a position (see
	// check.ValuePos); LiveValues tells them apart.
	Values map[token.Pos]value.Value

	// NonFinite is the first operation that produced a NaN or an infinity
	// from finite operands, or nil if there was none.
	NonFinite *NonFinite

	last map[*ir.Instr]value.Value // the last value of each instruction that ran
}

// NonFinite locates the operation where a NaN or an infinity first
// appeared.
type NonFinite struct {
	Pos  token.Pos // the operation's position in the Program's FileSet
	Func string    // the function containing it
	Msg  string    // e.g. "sqrt of -0.5 gives NaN here"
}

// Trace runs f on args like Call, recording the value of every instruction
// that has a source position (see Trace). The traced code is compiled on
// first use and is much slower than Call's; it is safe for concurrent use.
// opts bound the run as for Call (their Trace, if any, is called too). On a
// runtime error Trace returns what was recorded up to the failure along
// with the error.
func (f *Func) Trace(ctx context.Context, args []value.Value, opts *eval.Options) (*Trace, error) {
	f.traced.once.Do(func() {
		// Compiling reads the IR, which resolving derivatives rewrites.
		f.prog.mu.Lock()
		defer f.prog.mu.Unlock()
		f.traced.code, f.traced.err = eval.CompileTraced(f.IR)
	})
	if f.traced.err != nil {
		return nil, f.traced.err
	}
	tr := &Trace{Values: map[token.Pos]value.Value{}, last: map[*ir.Instr]value.Value{}}
	var o eval.Options
	if opts != nil {
		o = *opts
	}
	base := f.prog.fileBase()
	user := o.Trace
	o.Trace = func(ev eval.TraceEvent) {
		if user != nil {
			user(ev)
		}
		pos := base(ev.Pos)
		tr.Values[pos] = ev.Value
		tr.last[ev.Instr] = ev.Value
		if tr.NonFinite == nil && !ev.Finite() && ev.FiniteOperands() {
			tr.NonFinite = &NonFinite{Pos: pos, Func: ev.Func, Msg: nonFiniteMsg(ev)}
		}
	}
	v, err := f.traced.code.Call(ctx, args, &o)
	tr.Result = v
	return tr, f.prog.wrapErr(err)
}

// fileBase returns the conversion of IR positions to positions in p.Fset
// (token.NoPos for positions outside the file).
func (p *Program) fileBase() func(ir.Pos) token.Pos {
	tf := p.Fset.File(p.File.FileEnd)
	return func(pos ir.Pos) token.Pos {
		if tf == nil || pos < 0 || int(pos) > tf.Size() {
			return token.NoPos
		}
		return tf.Pos(int(pos))
	}
}

// firstNonFinite is the first NaN or infinite Real in v, as text ("NaN",
// "+Inf" or "-Inf").
func firstNonFinite(v value.Value) string {
	switch v.Kind() {
	case ir.KReal:
		if x := v.Real(); math.IsNaN(x) || math.IsInf(x, 0) {
			return showNumber(x)
		}
	case ir.KArray, ir.KTuple:
		for i := 0; i < v.Len(); i++ {
			if s := firstNonFinite(v.Elem(i)); s != "" {
				return s
			}
		}
	}
	return ""
}

// showNumber formats x as the messages do: shortest exact decimal, and
// NaN, +Inf, -Inf.
func showNumber(x float64) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "+Inf"
	case math.IsInf(x, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

func showScalar(v value.Value) string {
	switch v.Kind() {
	case ir.KReal:
		return showNumber(v.Real())
	case ir.KInt:
		return strconv.FormatInt(v.Int(), 10)
	case ir.KBool:
		return strconv.FormatBool(v.Bool())
	}
	return v.String()
}

// opWords names the arithmetic operations as users know them, with their
// operator when they have one.
var opWords = map[string][2]string{
	"add": {"addition", "+"}, "sub": {"subtraction", "-"}, "mul": {"multiplication", "*"},
	"mulz": {"multiplication", "*"}, "div": {"division", "/"}, "neg": {"negation", "-"},
	"scale": {"scaling", ""}, "dot": {"dot product", ""},
}

// nonFiniteMsg describes the operation of ev, whose value is not finite:
// "sqrt of -0.5 gives NaN here", "division 1 / 0 gives +Inf here".
func nonFiniteMsg(ev eval.TraceEvent) string {
	gives := " gives " + firstNonFinite(ev.Value) + " here"
	args := make([]string, len(ev.Args))
	for i, a := range ev.Args {
		args[i] = showScalar(a)
	}
	op := ev.Op
	switch {
	case op == "const":
		return "this constant is " + firstNonFinite(ev.Value)
	case op == "call":
		name := "a function"
		if ev.Instr != nil && ev.Instr.Callee != nil {
			name = ev.Instr.Callee.Name
		}
		if ev.Args != nil {
			return name + "(" + strings.Join(args, ", ") + ")" + gives
		}
		return "the call of " + name + gives
	case opWords[op][0] != "":
		w := opWords[op]
		switch {
		case len(args) == 2 && w[1] != "":
			return w[0] + " " + args[0] + " " + w[1] + " " + args[1] + gives
		case len(args) == 1 && w[1] != "":
			return w[0] + " of " + args[0] + gives
		}
		return w[0] + gives
	case len(args) == 1:
		return op + " of " + args[0] + gives
	case len(args) == 2:
		return op + " of " + args[0] + " and " + args[1] + gives
	}
	return fmt.Sprintf("this %s%s", op, gives)
}

// LiveValues runs the example's function traced at the example's
// arguments and returns the value of each let or var binding and each
// assignment in the function's body (comprehension bodies and loops
// included), keyed by the position of the bound name (the Ident in the
// let, the assignment's target variable): inside a loop, the value after
// the last step. A binding whose value is a plain name takes the name's
// value when known; a literal takes its own value; bindings whose value
// no instruction reports (folded or pruned away, or not reached) are
// omitted. NonFinite is the first operation that produced a NaN or an
// infinity, anywhere in the run (see Trace). On a runtime error the values
// recorded up to the failure come back with the error.
func (p *Program) LiveValues(ctx context.Context, ex *Example, opts *eval.Options) (map[token.Pos]value.Value, *NonFinite, error) {
	if ex == nil || ex.Err != nil || ex.Func == nil || ex.obj == nil {
		if ex != nil && ex.Err != nil {
			return nil, nil, ex.Err
		}
		return nil, nil, fmt.Errorf("the example has no function to run")
	}
	tr, err := ex.Func.Trace(ctx, ex.Args, opts)
	if tr == nil {
		return nil, nil, err
	}
	lv := &liveValues{p: p, tr: tr, out: map[token.Pos]value.Value{}, vars: map[*check.VarObj]value.Value{},
		sites: map[ir.Pos][]*ir.Instr{}, fn: ex.Func.IR}
	lv.index(ex.Func.IR.Body)
	decl := ex.obj.Decl
	for i, prm := range decl.Params {
		if o, ok := p.Pkg.Defs[prm.Name].(*check.VarObj); ok && i < len(ex.Args) {
			lv.vars[o] = ex.Args[i]
		}
	}
	parser.Inspect(decl.Body, lv.visit)
	return lv.out, tr.NonFinite, err
}

// liveValues matches the bindings of a function's body with the traced
// values of its instructions.
type liveValues struct {
	p     *Program
	tr    *Trace
	fn    *ir.Func
	out   map[token.Pos]value.Value
	vars  map[*check.VarObj]value.Value // the last value bound to each variable, in source order
	sites map[ir.Pos][]*ir.Instr        // the function's instructions at each position, in the order lowering emits them
}

// index lists b's instructions by position, nested blocks before the
// instruction that owns them, as lowering emits them.
func (lv *liveValues) index(b *ir.Block) {
	for i := range b.Instrs {
		in := &b.Instrs[i]
		for _, nb := range in.Blocks {
			lv.index(nb)
		}
		if in.Pos >= 0 {
			lv.sites[in.Pos] = append(lv.sites[in.Pos], in)
		}
	}
}

// visit handles the bindings in source order, each after what its value
// contains (a let's value may be a block with lets of its own).
func (lv *liveValues) visit(n parser.Node) bool {
	switch s := n.(type) {
	case *parser.LetStmt:
		parser.Inspect(s.Value, lv.visit)
		if s.Tuple {
			// Each name is a field of the value, read at the name.
			for _, id := range s.Names {
				if o, ok := lv.p.Pkg.Defs[id].(*check.VarObj); ok {
					lv.bind(id, o, lv.at(id.Pos(), o.Type, "field"))
				}
			}
			return false
		}
		if o, ok := lv.p.Pkg.Defs[s.Names[0]].(*check.VarObj); ok {
			lv.bind(s.Names[0], o, lv.valueOf(s.Value, o.Type))
		}
		return false
	case *parser.AssignStmt:
		if s.Place != nil {
			parser.Inspect(s.Place, lv.visit)
		}
		parser.Inspect(s.Value, lv.visit)
		o, ok := lv.p.Pkg.Uses[s.Target].(*check.VarObj)
		if !ok {
			return false
		}
		var v *value.Value
		switch {
		case s.Place != nil:
			// The variable is rebuilt last at the step next to it.
			v = lv.at(outerStep(s.Place, s.Target), o.Type, "")
		case s.Op != "=":
			v = lv.at(s.OpPos, o.Type, "")
		default:
			v = lv.valueOf(s.Value, o.Type)
		}
		lv.bind(s.Target, o, v)
		return false
	}
	return true
}

func (lv *liveValues) bind(id *parser.Ident, o *check.VarObj, v *value.Value) {
	if v == nil {
		delete(lv.vars, o)
		return
	}
	lv.out[id.Pos()] = *v
	lv.vars[o] = *v
}

// valueOf is the traced value of e, of type t, or nil.
func (lv *liveValues) valueOf(e parser.Expr, t check.Type) *value.Value {
	for {
		pe, ok := e.(*parser.ParenExpr)
		if !ok {
			break
		}
		e = pe.X
	}
	if pos := check.ValuePos(e); pos != token.NoPos {
		if v := lv.at(pos, t, ""); v != nil {
			return v
		}
	}
	if c, ok := e.(*parser.CallExpr); ok {
		// A user function named like a builtin reduction (see ValuePos).
		if v := lv.at(c.Pos(), t, "call"); v != nil {
			return v
		}
	}
	switch e := e.(type) {
	case *parser.Ident:
		if o, ok := lv.p.Pkg.Uses[e].(*check.VarObj); ok {
			if v, ok := lv.vars[o]; ok {
				return &v
			}
		}
	case *parser.NumberLit:
		var v value.Value
		if b, ok := t.(*check.Basic); ok && b.Kind == check.IntKind {
			i, err := strconv.ParseInt(e.Value, 10, 64)
			if err != nil {
				return nil
			}
			v = value.Int(i)
		} else {
			x, err := strconv.ParseFloat(e.Value, 64)
			if err != nil {
				return nil
			}
			v = value.Real(x)
		}
		return &v
	case *parser.BoolLit:
		v := value.Bool(e.Value)
		return &v
	}
	return nil
}

// at is the last value of the last instruction lowering emits at pos
// whose type is t (and whose op is op, if op is not empty), or nil.
func (lv *liveValues) at(pos token.Pos, t check.Type, op string) *value.Value {
	f := lv.p.Fset.File(lv.p.File.FileEnd)
	if f == nil || !pos.IsValid() || int(pos) < f.Base() || int(pos) > f.Base()+f.Size() {
		return nil
	}
	sites := lv.sites[ir.Pos(int(pos)-f.Base())]
	for k := len(sites) - 1; k >= 0; k-- {
		in := sites[k]
		if op != "" && in.Op.Info().Name != op {
			continue
		}
		if in.Dst < 0 || int(in.Dst) >= len(lv.fn.Types) || !sameShape(lv.fn.Types[in.Dst], t) {
			continue
		}
		if v, ok := lv.tr.last[in]; ok {
			return &v
		}
	}
	return nil
}

// outerStep is the position of the step of place next to the variable
// target: the `[` of an index, the field name of a selector.
func outerStep(place parser.Expr, target *parser.Ident) token.Pos {
	for {
		switch e := place.(type) {
		case *parser.IndexExpr:
			if e.X == parser.Expr(target) {
				return e.Lbrack
			}
			place = e.X
		case *parser.SelectorExpr:
			if e.X == parser.Expr(target) {
				return e.Sel.Pos()
			}
			place = e.X
		default:
			return token.NoPos
		}
	}
}

// sameShape reports whether the IR type t is a lowering of the checker's
// type ct: same kinds, fields and constant lengths.
func sameShape(t *ir.Type, ct check.Type) bool {
	switch ct := ct.(type) {
	case *check.Basic:
		switch ct.Kind {
		case check.RealKind:
			return t.Kind == ir.KReal
		case check.IntKind:
			return t.Kind == ir.KInt
		case check.BoolKind:
			return t.Kind == ir.KBool
		}
	case *check.Array:
		if t.Kind != ir.KArray {
			return false
		}
		if ct.Len.Param == nil && ct.Len.E == nil && ct.Len.N != t.Len {
			return false
		}
		return sameShape(t.Elem, ct.Elem)
	case *check.Tuple:
		if t.Kind != ir.KTuple || len(t.Elems) != len(ct.Elems) {
			return false
		}
		for i, e := range ct.Elems {
			if !sameShape(t.Elems[i], e) {
				return false
			}
		}
		return true
	case *check.Struct:
		if t.Kind != ir.KTuple || len(t.Elems) != len(ct.Fields) {
			return false
		}
		for i, f := range ct.Fields {
			if !sameShape(t.Elems[i], f.Type) {
				return false
			}
		}
		return true
	}
	return false
}
