package check

import (
	"fmt"
	"go/token"
	"math"
	"strconv"
	"strings"

	"github.com/rose-go/rose/diag"
	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/parser"
)

// MaxSlots bounds the flat size of any value (in scalars) so that a huge
// array type is an error, not an out-of-memory crash.
const MaxSlots = 1 << 26

type instance struct {
	fn    *FuncObj
	sizes []int
	ir    *ir.Func
	busy  bool
}

// lowerError aborts lowering of one instance.
type lowerError struct {
	pos token.Pos
	msg string
}

// asError turns a lowering failure into a diagnostic error: lowering fails
// only on what the checker cannot see, such as the concrete sizes of an
// instance (a huge array, the minimum of an empty array).
func (p *Package) asError(le lowerError) error {
	return &diag.Error{Fset: p.Fset, Diags: diag.List{{Pos: le.pos, End: le.pos, Code: "instantiate", Msg: le.msg}}}
}

// Instantiate returns the IR of f with its size parameters set to sizes,
// lowering it and its callees on first use. It fails if the package has
// errors.
func (p *Package) Instantiate(f *FuncObj, sizes []int) (fn *ir.Func, err error) {
	if p.broken {
		return nil, fmt.Errorf("the program has errors")
	}
	if len(sizes) != len(f.Sizes) {
		return nil, fmt.Errorf("%s has %d size parameters, got %d sizes", f.Name, len(f.Sizes), len(sizes))
	}
	key := instanceName(f, sizes)
	if in, ok := p.instances[key]; ok {
		if in.busy {
			return nil, fmt.Errorf("recursive instantiation of %s", key)
		}
		return in.ir, nil
	}
	if p.active[f] >= MaxRecursion {
		return nil, fmt.Errorf("the recursion of %s is more than %d instances deep (at %s): that is too much code", f.Name, MaxRecursion, key)
	}
	in := &instance{fn: f, sizes: sizes, busy: true}
	p.instances[key] = in
	p.active[f]++
	defer func() {
		p.active[f]--
		in.busy = false
		if r := recover(); r != nil {
			le, ok := r.(lowerError)
			if !ok {
				panic(r)
			}
			delete(p.instances, key)
			fn, err = nil, p.asError(le)
		}
	}()
	l := p.newLowerer(key, f.Decl.Pos())
	for i, sp := range f.Sizes {
		l.sizes[sp] = sizes[i]
	}
	for i, prm := range f.Decl.Params {
		v := l.b.Param(l.irType(f.Params[i]))
		if o, ok := p.Defs[prm.Name].(*VarObj); ok {
			l.env[o] = v
		}
	}
	res := l.block(f.Decl.Body)
	in.ir = l.finish(res)
	p.order = append(p.order, in.ir)
	if f.Rule != nil {
		// The rule may call f, which is complete now.
		in.busy = false
		rule, err := p.Instantiate(f.Rule, sizes)
		if err != nil {
			return nil, err
		}
		in.ir.CustomJVP = rule
	}
	return in.ir, nil
}

func instanceName(f *FuncObj, sizes []int) string {
	if len(sizes) == 0 {
		return f.Name
	}
	parts := make([]string, len(sizes))
	for i, s := range sizes {
		parts[i] = strconv.Itoa(s)
	}
	return f.Name + "[" + strings.Join(parts, ",") + "]"
}

// Program lowers every non-generic function and every example's instance
// and returns them with callees before callers.
func (p *Package) Program() (*ir.Program, error) {
	for _, f := range p.Funcs {
		if len(f.Sizes) == 0 {
			if _, err := p.Instantiate(f, nil); err != nil {
				return nil, err
			}
		}
	}
	for _, ex := range p.Examples {
		if _, err := p.Instantiate(ex.Func, ex.Sizes); err != nil {
			return nil, err
		}
	}
	return &ir.Program{Funcs: append([]*ir.Func(nil), p.order...)}, nil
}

// ExampleArgs lowers the arguments of an example into a function without
// parameters that returns them as a tuple, so that tools can evaluate the
// arguments once and then call (or differentiate) the function.
func (p *Package) ExampleArgs(ex *Example) (*ir.Func, error) {
	line := p.Fset.Position(ex.Decl.Pos()).Line
	return p.lowerTuple("example (line "+strconv.Itoa(line)+")", ex.Decl.Pos(), func(l *lowerer, add func(ir.Var)) {
		for _, a := range ex.Call.Args {
			add(l.expr(a))
		}
	})
}

// lowerTuple lowers, into a function without parameters named name,
// whatever body emits, returning the values body adds as a tuple. Errors
// of lowering come back as errors.
func (p *Package) lowerTuple(name string, pos token.Pos, body func(l *lowerer, add func(ir.Var))) (fn *ir.Func, err error) {
	if p.broken {
		return nil, fmt.Errorf("the program has errors")
	}
	defer func() {
		if r := recover(); r != nil {
			le, ok := r.(lowerError)
			if !ok {
				panic(r)
			}
			fn, err = nil, p.asError(le)
		}
	}()
	l := p.newLowerer(name, pos)
	var vars []ir.Var
	var types []*ir.Type
	body(l, func(v ir.Var) {
		vars = append(vars, v)
		types = append(types, l.b.Type(v))
	})
	return l.finish(l.b.Tuple(ir.TupleOf(types...), vars...)), nil
}

// FuncByName returns the function declared as name, or nil.
func (p *Package) FuncByName(name string) *FuncObj {
	for _, f := range p.Funcs {
		if f.Name == name {
			return f
		}
	}
	return nil
}

type lowerer struct {
	pkg   *Package
	b     *ir.Builder
	base  int
	sizes map[*SizeParam]int
	env   map[*VarObj]ir.Var
	ivals map[*VarObj][2]int64 // the range of each loop index in scope

	// Aggregate constants are lowered once per function, at its entry,
	// however many times and in however deep a loop they are used.
	consts  map[constUse]ir.Var
	hoisted []ir.Instr

	assignedMemo map[parser.Node][]*VarObj // assignedIn's results
}

// constUse is a constant used at a type.
type constUse struct {
	c *ConstObj
	t string
}

// finish closes the function with the given result, its hoisted
// constants first.
func (l *lowerer) finish(res ir.Var) *ir.Func {
	f := l.b.Finish(res)
	if len(l.hoisted) > 0 {
		f.Body.Instrs = append(l.hoisted, f.Body.Instrs...)
	}
	ir.HoistConstants(f)
	return f
}

func (p *Package) newLowerer(name string, pos token.Pos) *lowerer {
	base := p.Fset.File(pos).Base()
	return &lowerer{
		pkg: p, b: ir.NewBuilder(name, ir.Pos(int(pos)-base)), base: base,
		sizes: map[*SizeParam]int{}, env: map[*VarObj]ir.Var{}, consts: map[constUse]ir.Var{},
		ivals: map[*VarObj][2]int64{},
	}
}

func (l *lowerer) fail(format string, args ...any) {
	var pos token.Pos
	if l.b != nil {
		pos = token.Pos(l.base + int(l.b.Pos))
	}
	panic(lowerError{pos, fmt.Sprintf(format, args...)})
}

func (l *lowerer) at(pos token.Pos) { l.b.Pos = ir.Pos(int(pos) - l.base) }

func (l *lowerer) size(s Size) int {
	if s.isConst() {
		return s.N
	}
	n, err := s.eval(func(sp *SizeParam) int {
		n, ok := l.sizes[sp]
		if !ok {
			l.fail("size %s has no value", sp.Name)
		}
		return n
	})
	if err != nil {
		l.fail("size %s: %v", s, err)
	}
	if n < 0 || n > MaxLen {
		l.fail("size %s is %d, out of range [0, %d]", s, n, MaxLen)
	}
	return int(n)
}

// value is the value of s, which need not be a valid array length.
func (l *lowerer) value(s Size) int {
	n, err := s.eval(func(sp *SizeParam) int { return l.sizes[sp] })
	if err != nil {
		l.fail("size %s: %v", s, err)
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		l.fail("size %s is %d, out of range", s, n)
	}
	return int(n)
}

// trips is the trip count of a range, failing with the range's numbers if
// it ends before it starts.
func (l *lowerer) trips(r rangeInfo) int {
	n, err := r.n.eval(func(sp *SizeParam) int { return l.sizes[sp] })
	if err == nil && n < 0 {
		l.fail("range ends before its start: its trip count %s is %d", r.n, n)
	}
	return l.size(r.n)
}

func (l *lowerer) irType(t Type) *ir.Type {
	var it *ir.Type
	switch t := t.(type) {
	case *Basic:
		switch t.Kind {
		case RealKind:
			return ir.Real
		case IntKind:
			return ir.Int
		case BoolKind:
			return ir.Bool
		}
		l.fail("cannot lower type %s", t)
	case *Array:
		n := l.size(t.Len)
		elem := l.irType(t.Elem)
		if n > 0 && elem.Slots() > MaxSlots/n {
			l.fail("type %s is too large (more than %d scalars)", t, MaxSlots)
		}
		it = ir.ArrayOf(n, elem)
	case *Tuple:
		elems := make([]*ir.Type, len(t.Elems))
		for i, e := range t.Elems {
			elems[i] = l.irType(e)
		}
		it = ir.TupleOf(elems...)
	case *Struct:
		elems := make([]*ir.Type, len(t.Fields))
		names := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			elems[i] = l.irType(f.Type)
			names[i] = f.Name
		}
		it = ir.TupleOf(elems...)
		it.Name, it.Fields = t.Name, names
	default:
		l.fail("cannot lower type %v", t)
	}
	if it.Slots() > MaxSlots {
		l.fail("type %s is too large (more than %d scalars)", t, MaxSlots)
	}
	return it
}

func (l *lowerer) typeOf(e parser.Expr) Type {
	t, ok := l.pkg.Types[e]
	if !ok {
		l.fail("no type recorded for expression at %d", e.Pos())
	}
	return t
}

// block lowers b's statements and returns its result (NoVar for a block
// without value).
func (l *lowerer) block(b *parser.Block) ir.Var {
	for _, s := range b.Stmts {
		l.stmt(s)
	}
	if b.Result == nil {
		return ir.NoVar
	}
	return l.expr(b.Result)
}

func (l *lowerer) stmt(s parser.Stmt) {
	switch s := s.(type) {
	case *parser.LetStmt:
		v := l.expr(s.Value)
		if !s.Tuple {
			if o, ok := l.pkg.Defs[s.Names[0]].(*VarObj); ok {
				l.env[o] = v
			}
			return
		}
		for i, n := range s.Names {
			l.at(n.Pos())
			f := l.b.Field(v, i)
			if o, ok := l.pkg.Defs[n].(*VarObj); ok {
				l.env[o] = f
			}
		}
	case *parser.AssignStmt:
		o := l.pkg.Uses[s.Target].(*VarObj)
		if s.Place != nil {
			l.update(s, o)
			return
		}
		v := l.expr(s.Value)
		if s.Op != "=" {
			l.at(s.OpPos)
			v = l.arith(s.Op[:1], l.env[o], o.Type, v, l.typeOf(s.Value), o.Type)
		}
		l.env[o] = v
	case *parser.ForStmt:
		l.loop(s)
	case *parser.WhileStmt:
		l.while(s)
	case *parser.ExprStmt:
		l.expr(s.X)
	}
}

// update lowers an assignment to an element or field of variable o:
// the path from o to the place is read once, top down (each index
// evaluated once), then the variable is rebuilt bottom up, with OpUpdate
// for an element and OpTuple of the other fields for a field.
func (l *lowerer) update(s *parser.AssignStmt, o *VarObj) {
	var path []parser.Expr // from the outermost step (next to o) to the place
	for e := s.Place; e != parser.Expr(s.Target); {
		path = append([]parser.Expr{e}, path...)
		switch t := e.(type) {
		case *parser.IndexExpr:
			e = t.X
		case *parser.SelectorExpr:
			e = t.X
		}
	}
	vals := make([]ir.Var, len(path)+1) // vals[k]: value at depth k
	keys := make([]ir.Var, len(path))   // the index of an IndexExpr step
	sibs := make([][]ir.Var, len(path)) // the other fields of a SelectorExpr step
	vals[0] = l.env[o]
	for k, e := range path {
		switch t := e.(type) {
		case *parser.IndexExpr:
			keys[k] = l.expr(t.Index)
			l.at(t.Lbrack)
			vals[k+1] = l.b.Index(vals[k], keys[k])
		case *parser.SelectorExpr:
			l.at(t.Sel.Pos())
			j := l.fieldIndex(t)
			vals[k+1] = l.b.Field(vals[k], j)
			// The other fields are read now, before the update below:
			// then nothing reads the old struct after it, and an array
			// in it is updated in place (s.a[i] = v in a loop is O(1)).
			tt := l.b.Type(vals[k])
			sibs[k] = make([]ir.Var, len(tt.Elems))
			for i := range sibs[k] {
				if i != j {
					sibs[k][i] = l.b.Field(vals[k], i)
				}
			}
		}
	}
	v := l.expr(s.Value)
	if s.Op != "=" {
		l.at(s.OpPos)
		pt := l.typeOf(s.Place)
		v = l.arith(s.Op[:1], vals[len(path)], pt, v, l.typeOf(s.Value), pt)
	}
	for k := len(path) - 1; k >= 0; k-- {
		switch t := path[k].(type) {
		case *parser.IndexExpr:
			l.at(t.Lbrack)
			v = l.b.Emit(l.b.Type(vals[k]), ir.Instr{Op: ir.OpUpdate, Args: []ir.Var{vals[k], keys[k], v}})
		case *parser.SelectorExpr:
			l.at(t.Sel.Pos())
			fs := sibs[k]
			fs[l.fieldIndex(t)] = v
			v = l.b.Tuple(l.b.Type(vals[k]), fs...)
		}
	}
	l.env[o] = v
}

// fieldIndex is the index of the field that selector e names.
func (l *lowerer) fieldIndex(e *parser.SelectorExpr) int {
	if t, ok := l.typeOf(e.X).(*Struct); ok {
		return t.field(e.Sel.Name)
	}
	i, _ := strconv.Atoi(e.Sel.Name)
	return i
}

// assigned lists the variables assigned inside n that were declared
// outside it (they are in env now), in order of first assignment.
func (l *lowerer) assigned(n parser.Node) []*VarObj {
	var out []*VarObj
	for _, o := range l.assignedIn(n) {
		if _, outer := l.env[o]; outer {
			out = append(out, o)
		}
	}
	return out
}

// assignedIn lists the variables assigned inside n and not declared in it,
// in order of first assignment. The lists of nested conditionals and loops
// are computed once and reused, so lowering an else-if chain or a nest of
// loops walks each node once, not once per enclosing level.
func (l *lowerer) assignedIn(n parser.Node) []*VarObj {
	if out, ok := l.assignedMemo[n]; ok {
		return out
	}
	out := []*VarObj{}
	seen := map[*VarObj]bool{} // assigned, or declared in n
	add := func(o *VarObj) {
		if o != nil && !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	var visit func(parser.Node) bool
	visit = func(m parser.Node) bool {
		switch m := m.(type) {
		case *parser.AssignStmt:
			o, _ := l.pkg.Uses[m.Target].(*VarObj)
			add(o)
		case *parser.LetStmt:
			for _, id := range m.Names {
				if o, ok := l.pkg.Defs[id].(*VarObj); ok {
					seen[o] = true // declared in n: never listed
				}
			}
		case *parser.IfExpr:
			if m != n {
				for _, o := range l.assignedIn(m) {
					add(o)
				}
				return false
			}
		case *parser.ForStmt:
			parser.Inspect(m.Lo, visit)
			parser.Inspect(m.Hi, visit)
			for _, o := range l.assignedIn(m.Body) {
				add(o)
			}
			return false
		}
		return true
	}
	parser.Inspect(n, visit)
	if l.assignedMemo == nil {
		l.assignedMemo = map[parser.Node][]*VarObj{}
	}
	l.assignedMemo[n] = out
	return out
}

func (l *lowerer) stateOf(vars []*VarObj) (ir.Var, *ir.Type) {
	vs := make([]ir.Var, len(vars))
	ts := make([]*ir.Type, len(vars))
	for i, o := range vars {
		vs[i] = l.env[o]
		ts[i] = l.b.Type(vs[i])
	}
	t := ir.TupleOf(ts...)
	return l.b.Tuple(t, vs...), t
}

func (l *lowerer) unpack(state ir.Var, vars []*VarObj, off int) {
	for i, o := range vars {
		l.env[o] = l.b.Field(state, off+i)
	}
}

// loop lowers a sequential for loop to OpLoop whose carried state is the
// tuple of the variables the body assigns.
func (l *lowerer) loop(s *parser.ForStmt) {
	vars := l.assigned(s.Body)
	if len(vars) == 0 {
		return // the body can change nothing
	}
	r := l.pkg.ranges[s]
	if r.dyn {
		l.dynLoop(s, vars)
		return
	}
	l.at(s.For)
	init, st := l.stateOf(vars)
	n := l.trips(r)
	_, params := l.b.Begin(ir.Int, st)
	l.bindIndex(s.Index, params[0], r)
	l.unpack(params[1], vars, 0)
	l.block(s.Body)
	next, _ := l.stateOf(vars)
	body := l.b.End(next)
	l.at(s.For)
	out := l.b.Emit(st, ir.Instr{Op: ir.OpLoop, Args: []ir.Var{init}, N: n, Blocks: []*ir.Block{body}})
	l.unpack(out, vars, 0)
}

// while lowers a while loop to OpWhile whose state is the tuple of the
// variables the body assigns; the condition reads them from the state.
func (l *lowerer) while(s *parser.WhileStmt) {
	vars := l.assigned(s.Body)
	l.at(s.While)
	bound := 0
	if n, ok := l.pkg.bounds[s]; ok {
		if bound = l.size(n); bound < 1 {
			l.fail("the step bound %s of a while loop is %d; it must be at least 1", n, bound)
		}
	}
	init, st := l.stateOf(vars)
	_, params := l.b.Begin(st)
	l.unpack(params[0], vars, 0)
	cond := l.b.End(l.expr(s.Cond))
	_, params = l.b.Begin(st)
	l.unpack(params[0], vars, 0)
	l.block(s.Body)
	next, _ := l.stateOf(vars)
	body := l.b.End(next)
	l.at(s.While)
	out := l.b.Emit(st, ir.Instr{Op: ir.OpWhile, Args: []ir.Var{init}, N: bound, Blocks: []*ir.Block{cond, body}})
	l.unpack(out, vars, 0)
}

func (l *lowerer) bindIndex(id *parser.Ident, i ir.Var, r rangeInfo) {
	lo := l.value(r.lo)
	if lo != 0 {
		i = l.b.Binary(ir.OpAdd, i, l.b.Int(int64(lo)))
	}
	if o, ok := l.pkg.Defs[id].(*VarObj); ok {
		l.env[o] = i
		l.ivals[o] = [2]int64{int64(lo), int64(lo) + int64(l.size(r.n)) - 1}
	}
}

// dynLoop lowers a for loop whose bounds depend on enclosing loop indices.
// The IR's loops have static trip counts, so it becomes a loop over the
// static bound max(hi) - min(lo), computed from the ranges of the indices,
// whose body runs only while lo + k < hi:
//
//	for k in 0..bound { if lo + k < hi { i = lo + k; body } }
//
// Each iteration beyond the real trip count costs a comparison, and
// reverse mode records the state of every one of the bound's iterations.
func (l *lowerer) dynLoop(s *parser.ForStmt, vars []*VarObj) {
	loMin, _ := l.interval(s.Lo)
	_, hiMax := l.interval(s.Hi)
	l.at(s.For)
	bound := hiMax - loMin
	if bound < 0 {
		bound = 0
	}
	if bound > MaxLen {
		l.fail("the static bound %d of this loop's trip count is more than %d", bound, MaxLen)
	}
	lo := l.expr(s.Lo)
	hi := l.expr(s.Hi)
	l.at(s.For)
	init, st := l.stateOf(vars)
	_, params := l.b.Begin(ir.Int, st)
	i := l.b.Binary(ir.OpAdd, lo, params[0])
	run := l.b.Compare(ir.OpLt, i, hi)
	l.b.Begin()
	l.unpack(params[1], vars, 0)
	if o, ok := l.pkg.Defs[s.Index].(*VarObj); ok {
		l.env[o] = i
		l.ivals[o] = [2]int64{loMin, hiMax - 1}
	}
	l.block(s.Body)
	next, _ := l.stateOf(vars)
	then := l.b.End(next)
	l.b.Begin()
	els := l.b.End(params[1])
	l.at(s.For)
	step := l.b.Emit(st, ir.Instr{Op: ir.OpIf, Args: []ir.Var{run}, Blocks: []*ir.Block{then, els}})
	body := l.b.End(step)
	out := l.b.Emit(st, ir.Instr{Op: ir.OpLoop, Args: []ir.Var{init}, N: int(bound), Blocks: []*ir.Block{body}})
	l.unpack(out, vars, 0)
}

// interval is the range [lo, hi] of the values of the Int expression e,
// which the checker found bounded, given the ranges of the loop indices in
// scope. Products and quotients take the extremes of their corners.
func (l *lowerer) interval(e parser.Expr) (int64, int64) {
	if k := (&checker{pkg: l.pkg}).fold(e); k != nil && k.kind == IntKind {
		return k.i, k.i
	}
	switch e := e.(type) {
	case *parser.Ident:
		switch o := l.pkg.Uses[e].(type) {
		case *SizeParam:
			n := int64(l.size(Size{Param: o}))
			return n, n
		case *VarObj:
			if r, ok := l.ivals[o]; ok {
				return r[0], r[1]
			}
		}
	case *parser.ParenExpr:
		return l.interval(e.X)
	case *parser.UnaryExpr:
		a, b := l.interval(e.X)
		return -b, -a
	case *parser.BinaryExpr:
		a, b := l.interval(e.X)
		c, d := l.interval(e.Y)
		switch e.Op {
		case "+":
			return a + c, b + d
		case "-":
			return a - d, b - c
		case "*", "/":
			var xs [4]int64
			for k, p := range [][2]int64{{a, c}, {a, d}, {b, c}, {b, d}} {
				if e.Op == "*" {
					xs[k] = p[0] * p[1]
				} else {
					xs[k] = p[0] / p[1] // the checker allows only positive constant divisors
				}
			}
			return min(xs[0], xs[1], xs[2], xs[3]), max(xs[0], xs[1], xs[2], xs[3])
		case "%":
			m := d - 1 // |x % d| < d for the constant d > 0
			lo, hi := -m, m
			if a >= 0 {
				lo = 0
			}
			if b <= 0 {
				hi = 0
			}
			return lo, hi
		}
	case *parser.CallExpr:
		if a, ok := l.typeOf(e.Args[0]).(*Array); ok {
			n := int64(l.size(a.Len))
			return n, n
		}
	}
	l.fail("no static bound for this range")
	return 0, 0
}

func (l *lowerer) expr(e parser.Expr) ir.Var {
	l.at(e.Pos())
	switch e := e.(type) {
	case *parser.Ident:
		return l.ident(e)
	case *parser.NumberLit:
		if isKind(l.typeOf(e), IntKind) {
			i, _ := strconv.ParseInt(e.Value, 10, 64)
			return l.b.Int(i)
		}
		f, _ := strconv.ParseFloat(e.Value, 64)
		return l.b.Real(f)
	case *parser.BoolLit:
		return l.b.Bool(e.Value)
	case *parser.ParenExpr:
		return l.expr(e.X)
	case *parser.UnaryExpr:
		x := l.expr(e.X)
		l.at(e.OpPos)
		if e.Op == "!" {
			return l.b.Unary(ir.OpNot, x)
		}
		return l.neg(x, l.typeOf(e))
	case *parser.BinaryExpr:
		return l.binary(e)
	case *parser.TupleExpr:
		vs := make([]ir.Var, len(e.Elems))
		for i, x := range e.Elems {
			vs[i] = l.expr(x)
		}
		l.at(e.Pos())
		return l.b.Tuple(l.irType(l.typeOf(e)), vs...)
	case *parser.ArrayLit:
		vs := make([]ir.Var, len(e.Elems))
		for i, x := range e.Elems {
			vs[i] = l.expr(x)
		}
		l.at(e.Pos())
		return l.b.Emit(l.irType(l.typeOf(e)), ir.Instr{Op: ir.OpArray, Args: vs})
	case *parser.ForExpr:
		return l.comprehension(e)
	case *parser.StructLit:
		st := l.typeOf(e).(*Struct)
		vs := make([]ir.Var, len(st.Fields))
		for _, f := range e.Fields {
			vs[st.field(f.Name.Name)] = l.expr(f.Value)
		}
		l.at(e.Pos())
		return l.b.Tuple(l.irType(st), vs...)
	case *parser.IndexExpr:
		x := l.expr(e.X)
		i := l.expr(e.Index)
		l.at(e.Lbrack)
		return l.b.Index(x, i)
	case *parser.SelectorExpr:
		x := l.expr(e.X)
		l.at(e.Sel.Pos())
		switch t := l.typeOf(e.X).(type) {
		case *Struct:
			return l.b.Field(x, t.field(e.Sel.Name))
		default:
			i, _ := strconv.Atoi(e.Sel.Name)
			return l.b.Field(x, i)
		}
	case *parser.CallExpr:
		return l.call(e)
	case *parser.IfExpr:
		return l.ifExpr(e)
	case *parser.Block:
		return l.block(e)
	}
	l.fail("cannot lower %T", e)
	return ir.NoVar
}

// ValuePos is the position expr gives the instruction that computes e's
// value, the last one lowering e emits, or token.NoPos when e computes
// nothing: a plain name (a variable is its binding's value; a constant's
// instruction, if any, may be shared or folded away) or a block without
// result. Other instructions may share the position (the operands of a
// call are at their own positions, but the parts of an elementwise array
// operation, the OpIf of a conditional and the loop state a body ends with
// are at the operator, the `if` or the last position the body set): tools
// matching trace events to e should also compare types. Keep it in step
// with expr.
func ValuePos(e parser.Expr) token.Pos {
	switch e := e.(type) {
	case *parser.Ident:
		return token.NoPos
	case *parser.ParenExpr:
		return ValuePos(e.X)
	case *parser.UnaryExpr:
		return e.OpPos
	case *parser.BinaryExpr:
		return e.OpPos // arith, compare or the OpIf of && and ||
	case *parser.IndexExpr:
		return e.Lbrack
	case *parser.SelectorExpr:
		return e.Sel.Pos()
	case *parser.Block:
		if e.Result == nil {
			return token.NoPos
		}
		return ValuePos(e.Result)
	case *parser.IfExpr:
		return e.If
	case *parser.CallExpr:
		// sum, prod, min and max of a comprehension fold its body in the
		// reduction loop, which takes the last position the body's
		// lowering set (see reduce and fold). Syntax alone cannot tell a
		// user function shadowing the builtin, which is at e.Pos().
		if id, ok := e.Fun.(*parser.Ident); ok && len(e.Args) == 1 && (id.Name == "sum" || id.Name == "prod" || id.Name == "min" || id.Name == "max") {
			arg := e.Args[0]
			for {
				p, ok := arg.(*parser.ParenExpr)
				if !ok {
					break
				}
				arg = p.X
			}
			if fe, ok := arg.(*parser.ForExpr); ok && fe.Loop != nil && fe.Loop.Body != nil && fe.Loop.Body.Result != nil {
				r := fe.Loop.Body.Result
				for {
					p, ok := r.(*parser.ParenExpr)
					if !ok {
						break
					}
					r = p.X
				}
				if p := ValuePos(r); p != token.NoPos {
					return p
				}
				return r.Pos() // a name: the last position set is its own
			}
		}
	case nil:
		return token.NoPos
	}
	// Literals, tuples, arrays, structs, comprehensions and calls (the
	// builtins included) are at the expression's start.
	return e.Pos()
}

func (l *lowerer) ident(e *parser.Ident) ir.Var {
	switch o := l.pkg.Uses[e].(type) {
	case *VarObj:
		v, ok := l.env[o]
		if !ok {
			l.fail("variable %s has no value", o.Name)
		}
		return v
	case *ConstObj:
		t := l.typeOf(e)
		if k := o.Value; k != nil {
			switch {
			case isKind(t, RealKind) && k.kind == IntKind:
				return l.b.Real(float64(k.i))
			case k.kind == RealKind:
				return l.b.Real(k.f)
			case k.kind == IntKind:
				return l.b.Int(k.i)
			case k.kind == BoolKind:
				return l.b.Bool(k.i == 1)
			}
		}
		key := constUse{o, fmt.Sprint(t)}
		if v, ok := l.consts[key]; ok {
			return v
		}
		blk, _ := l.b.Begin()
		v := l.expr(o.Decl.Value)
		l.b.End(v)
		l.hoisted = append(l.hoisted, blk.Instrs...)
		l.consts[key] = v
		return v
	case *SizeParam:
		return l.b.Int(int64(l.size(Size{Param: o})))
	}
	l.fail("cannot lower name %s", e.Name)
	return ir.NoVar
}

func (l *lowerer) neg(x ir.Var, t Type) ir.Var {
	return l.b.Unary(ir.OpNeg, x) // elementwise on arrays of Real
}

// mapArray emits an OpFor of n elements computed by elem.
func (l *lowerer) mapArray(n int, t *ir.Type, elem func(i ir.Var) ir.Var) ir.Var {
	_, params := l.b.Begin(ir.Int)
	body := l.b.End(elem(params[0]))
	return l.b.Emit(t, ir.Instr{Op: ir.OpFor, N: n, Blocks: []*ir.Block{body}})
}

var arithOps = map[string]ir.Op{"+": ir.OpAdd, "-": ir.OpSub, "*": ir.OpMul, "/": ir.OpDiv, "%": ir.OpMod}
var compareOps = map[string]ir.Op{"==": ir.OpEq, "!=": ir.OpNe, "<": ir.OpLt, "<=": ir.OpLe, ">": ir.OpGt, ">=": ir.OpGe}

func (l *lowerer) binary(e *parser.BinaryExpr) ir.Var {
	switch e.Op {
	case "&&", "||":
		x := l.expr(e.X)
		l.at(e.OpPos)
		l.b.Begin()
		var thenV, elseV ir.Var
		if e.Op == "&&" {
			thenV = l.expr(e.Y)
		} else {
			thenV = l.b.Bool(true)
		}
		then := l.b.End(thenV)
		l.b.Begin()
		if e.Op == "&&" {
			elseV = l.b.Bool(false)
		} else {
			elseV = l.expr(e.Y)
		}
		els := l.b.End(elseV)
		l.at(e.OpPos)
		return l.b.Emit(ir.Bool, ir.Instr{Op: ir.OpIf, Args: []ir.Var{x}, Blocks: []*ir.Block{then, els}})
	}
	// A chain a + b + ... + z is lowered in a loop down its left operands,
	// as the checker types it (see chain), not by recursion.
	spine := leftSpine(e)
	x := l.expr(spine[len(spine)-1].X)
	for k := len(spine) - 1; k >= 0; k-- {
		n := spine[k]
		y := l.expr(n.Y)
		l.at(n.OpPos)
		if op, ok := compareOps[n.Op]; ok {
			x = l.b.Compare(op, x, y)
		} else if rt := l.typeOf(n); isArrayType(rt) {
			x = l.arith(n.Op, x, l.typeOf(n.X), y, l.typeOf(n.Y), rt)
		} else {
			// Scalars: the operands' types are not needed (one lookup,
			// not three, per operation of a long program).
			x = l.b.Binary(arithOps[n.Op], x, y)
		}
	}
	return x
}

func isArrayType(t Type) bool { _, ok := t.(*Array); return ok }

// arith emits x op y, elementwise over arrays of Real with scalars
// broadcast.
func (l *lowerer) arith(op string, x ir.Var, tx Type, y ir.Var, ty Type, rt Type) ir.Var {
	a, ok := rt.(*Array)
	if !ok {
		return l.b.Binary(arithOps[op], x, y)
	}
	// Vector arithmetic has single IR operations, which evaluate and
	// differentiate much faster than element loops.
	_, xa := tx.(*Array)
	_, ya := ty.(*Array)
	switch {
	case xa && ya && (op == "+" || op == "-"):
		return l.b.Binary(arithOps[op], x, y)
	case op == "*" && !xa:
		return l.b.Emit(l.irType(rt), ir.Instr{Op: ir.OpScale, Args: []ir.Var{x, y}})
	case op == "*" && !ya:
		// s*v[i] and v[i]*s are the same number.
		return l.b.Emit(l.irType(rt), ir.Instr{Op: ir.OpScale, Args: []ir.Var{y, x}})
	}
	return l.mapArray(l.size(a.Len), l.irType(rt), func(i ir.Var) ir.Var {
		xi, xt := x, tx
		if xa, ok := tx.(*Array); ok {
			xi, xt = l.b.Index(x, i), xa.Elem
		}
		yi, yt := y, ty
		if ya, ok := ty.(*Array); ok {
			yi, yt = l.b.Index(y, i), ya.Elem
		}
		return l.arith(op, xi, xt, yi, yt, a.Elem)
	})
}

func (l *lowerer) comprehension(e *parser.ForExpr) ir.Var {
	r := l.pkg.ranges[e.Loop]
	n := l.trips(r)
	t := l.irType(l.typeOf(e))
	l.at(e.Pos())
	return l.mapArray(n, t, func(i ir.Var) ir.Var {
		l.bindIndex(e.Loop.Index, i, r)
		v := l.block(e.Loop.Body)
		l.at(e.Pos()) // the loop itself is at the comprehension
		return v
	})
}

// ifExpr lowers a conditional to OpIf. Variables assigned in either arm
// leave the OpIf in a tuple together with the value.
//
// A size dispatch, an if decided by sizes alone, lowers only the arm taken:
// the other may need sizes this instance does not have, such as the
// recursive call past a base case.
func (l *lowerer) ifExpr(e *parser.IfExpr) ir.Var {
	if k, ok := l.pkg.dispatch[e]; ok {
		switch {
		case k.decide(l.value):
			return l.block(e.Then)
		case e.Else != nil:
			return l.expr(e.Else)
		}
		return ir.NoVar
	}
	cond := l.expr(e.Cond)
	vars := l.assigned(e)
	t := l.typeOf(e)
	hasValue := !isKind(t, UnitKind)
	if !hasValue && len(vars) == 0 {
		return ir.NoVar // a statement that changes nothing
	}
	saved := make(map[*VarObj]ir.Var, len(vars))
	for _, o := range vars {
		saved[o] = l.env[o]
	}
	arm := func(lower func() ir.Var) (*ir.Block, *ir.Type) {
		l.b.Begin()
		v := lower()
		if len(vars) == 0 {
			return l.b.End(v), l.b.Type(v)
		}
		vs := []ir.Var{}
		if hasValue {
			vs = append(vs, v)
		}
		for _, o := range vars {
			vs = append(vs, l.env[o])
			l.env[o] = saved[o]
		}
		ts := make([]*ir.Type, len(vs))
		for i, x := range vs {
			ts[i] = l.b.Type(x)
		}
		tt := ir.TupleOf(ts...)
		return l.b.End(l.b.Tuple(tt, vs...)), tt
	}
	then, rt := arm(func() ir.Var { return l.block(e.Then) })
	els, _ := arm(func() ir.Var {
		if e.Else == nil {
			return ir.NoVar
		}
		return l.expr(e.Else)
	})
	l.at(e.If)
	out := l.b.Emit(rt, ir.Instr{Op: ir.OpIf, Args: []ir.Var{cond}, Blocks: []*ir.Block{then, els}})
	if len(vars) == 0 {
		return out
	}
	off := 0
	var val ir.Var = ir.NoVar
	if hasValue {
		val = l.b.Field(out, 0)
		off = 1
	}
	l.unpack(out, vars, off)
	return val
}
