package ad

import (
	"fmt"
	"slices"

	"github.com/rose-go/rose/ir"
)

// LinearityError says where a custom JVP rule is not linear in its
// tangents.
type LinearityError struct {
	Func string
	Pos  ir.Pos
	Msg  string
}

func (e *LinearityError) Error() string { return fmt.Sprintf("%s: %s", e.Func, e.Msg) }

// CheckLinear reports whether rule, a custom JVP whose first n parameters
// are primal values and whose other parameters are their tangents, is
// linear in the tangents: its result tangent must be built from them by
// sums, negations, products and quotients by primal values, and aggregate
// operations, and its result value must not depend on them. Reverse mode
// transposes the rule, which is only meaningful when it is linear.
func CheckLinear(rule *ir.Func, n int) error {
	lin := make([]bool, len(rule.Types))
	for _, p := range rule.Params[n:] {
		lin[p] = true
	}
	c := newLinChecker(rule, lin, map[*ir.Func]bool{})
	if err := c.block(rule.Body); err != nil {
		return err
	}
	res := rule.Body.Result
	for i := range rule.Body.Instrs {
		in := &rule.Body.Instrs[i]
		if in.Dst == res && in.Op == ir.OpTuple && len(in.Args) == 2 && lin[in.Args[0]] {
			return &LinearityError{rule.Name, in.Pos, "makes the result value depend on the tangents; only the result tangent may"}
		}
	}
	return nil
}

type linChecker struct {
	f   *ir.Func
	lin []bool
	// zero marks the values known to be 0 (a Real constant 0 and
	// aggregates of them), which are tangents as well as values: adding
	// a tangent to zero is linear, and a loop that sums tangents into an
	// accumulator starting at zero (sum(da) lowers so) is too.
	zero []bool
	// fields holds, for a tuple, which of its fields are tangents (lin
	// is then whether any is), so that a loop may carry a tangent sum
	// and a value sum side by side; zeros likewise which are zero.
	fields map[ir.Var][]bool
	zeros  map[ir.Var][]bool
	// probe turns failures off: a first pass that only finds which
	// loop state fields become tangents.
	probe bool
	done  map[*ir.Func]bool
}

func (c *linChecker) fail(in *ir.Instr, format string, args ...any) error {
	if c.probe {
		return nil
	}
	return &LinearityError{c.f.Name, in.Pos, fmt.Sprintf(format, args...)}
}

// newLinChecker checks f with the parameters lin as tangents.
func newLinChecker(f *ir.Func, lin []bool, done map[*ir.Func]bool) *linChecker {
	return &linChecker{f: f, lin: lin, zero: make([]bool, len(f.Types)), fields: map[ir.Var][]bool{}, zeros: map[ir.Var][]bool{}, done: done}
}

// fieldsOf is which fields of the tuple v are tangents: recorded, or
// all of them as lin[v] says.
func (c *linChecker) fieldsOf(v ir.Var) []bool {
	if fs, ok := c.fields[v]; ok {
		return fs
	}
	fs := make([]bool, len(c.f.Types[v].Elems))
	for k := range fs {
		fs[k] = c.lin[v]
	}
	return fs
}

// setFields records which fields of the tuple v are tangents.
func (c *linChecker) setFields(v ir.Var, fs []bool) {
	c.fields[v] = fs
	c.lin[v] = slices.Contains(fs, true)
}

func (c *linChecker) block(b *ir.Block) error {
	for i := range b.Instrs {
		if err := c.instr(&b.Instrs[i]); err != nil {
			return err
		}
	}
	return nil
}

func (c *linChecker) instr(in *ir.Instr) error {
	lin := c.lin
	var which []bool
	any := false
	for _, a := range in.Args {
		which = append(which, lin[a])
		any = any || lin[a]
	}
	c.markZero(in)
	switch in.Op {
	case ir.OpIf:
		if lin[in.Args[0]] {
			return c.fail(in, "a condition depends on the tangents")
		}
		for _, b := range in.Blocks {
			if err := c.block(b); err != nil {
				return err
			}
		}
		lin[in.Dst] = lin[in.Blocks[0].Result] || lin[in.Blocks[1].Result]
		return nil
	case ir.OpFor:
		if err := c.block(in.Blocks[0]); err != nil {
			return err
		}
		lin[in.Dst] = lin[in.Blocks[0].Result]
		return nil
	case ir.OpWhile:
		cond, body := in.Blocks[0], in.Blocks[1]
		lin[cond.Params[0]], lin[body.Params[0]] = any, any
		if err := c.block(cond); err != nil {
			return err
		}
		if lin[cond.Result] {
			return c.fail(in, "a condition depends on the tangents")
		}
		if err := c.block(body); err != nil {
			return err
		}
		if lin[body.Result] != lin[body.Params[0]] && lin[body.Params[0]] {
			return c.fail(in, "a loop mixes its tangent state with values that do not depend on the tangents")
		}
		lin[in.Dst] = any || lin[body.Result]
		return nil
	case ir.OpLoop, ir.OpScan:
		return c.loop(in)
	}
	switch in.Op {
	case ir.OpTuple:
		c.setFields(in.Dst, which)
		return nil
	case ir.OpField:
		if c.f.Types[in.Args[0]].Kind == ir.KTuple {
			lin[in.Dst] = c.fieldsOf(in.Args[0])[in.N]
			return nil
		}
	}
	if !any {
		return nil
	}
	lin[in.Dst] = true
	info := in.Op.Info()
	switch {
	case in.Op == ir.OpTuple, in.Op == ir.OpArray, in.Op == ir.OpField:
		return nil
	case info.Linear:
		// Linear in its operands together (neg, add, sub): all of them
		// must be tangents (zero is one).
		for k, w := range which {
			if !w && !c.zero[in.Args[k]] {
				verb := map[ir.Op]string{ir.OpAdd: "adds", ir.OpSub: "subtracts"}[in.Op]
				return c.fail(in, "%s a tangent and a value that does not depend on the tangents (affine, not linear)", verb)
			}
		}
	case info.Bilinear:
		if which[0] && which[1] {
			return c.fail(in, "multiplies two tangents")
		}
	}
	switch in.Op {
	case ir.OpNeg, ir.OpAdd, ir.OpSub, ir.OpMul, ir.OpMulZ, ir.OpScale, ir.OpDot:
		return nil
	case ir.OpDiv:
		if which[1] {
			return c.fail(in, "divides by a tangent")
		}
	case ir.OpIndex:
		if which[1] {
			return c.fail(in, "indexes with a tangent")
		}
	case ir.OpUpdate:
		if which[1] || which[0] != which[2] {
			return c.fail(in, "updates an array, mixing tangents with values that do not depend on them")
		}
	case ir.OpCall:
		return c.call(in, which)
	default:
		return c.fail(in, "applies %s to a tangent", in.Op)
	}
	return nil
}

// loop checks OpLoop and OpScan. Which fields of the state are tangents
// is found first, by probing the body without failing: those that start
// as tangents, and those that start at zero and that the body makes
// tangents (sum(da) lowers to one, and a loop may carry a tangent sum
// beside a value sum). The body is then checked with those.
func (c *linChecker) loop(in *ir.Instr) error {
	body := in.Blocks[0]
	sp, init := body.Params[1], in.Args[0]
	tuple := c.f.Types[init].Kind == ir.KTuple
	start := []bool{c.lin[init]}
	zero := []bool{c.zero[init]}
	if tuple {
		start = slices.Clone(c.fieldsOf(init))
		zero = c.zeros[init]
		if zero == nil {
			zero = make([]bool, len(start))
		}
	}
	set := func(fs []bool) {
		if tuple {
			c.setFields(sp, slices.Clone(fs))
		} else {
			c.lin[sp] = fs[0]
		}
	}
	result := func() []bool {
		if tuple {
			return c.fieldsOf(body.Result)
		}
		return []bool{c.lin[body.Result]}
	}
	st := slices.Clone(start)
	// Probe: a field that starts at zero becomes a tangent when the body
	// makes one of it from the tangents. (Only then does the body run
	// more than once here: nested loops multiply the passes.)
	open := false
	for k := range st {
		open = open || zero[k] && !st[k]
	}
	for range len(st) + 1 {
		if !open {
			break
		}
		probe := c.probe
		c.probe = true
		c.reset(body)
		set(st)
		c.block(body)
		c.probe = probe
		res := result()
		changed := false
		for k := range st {
			if !st[k] && zero[k] && res[k] {
				st[k], changed = true, true
			}
		}
		if !changed {
			break
		}
	}
	c.reset(body)
	set(st)
	if err := c.block(body); err != nil {
		return err
	}
	res := result()
	for k := range st {
		if st[k] && !res[k] {
			return c.fail(in, "a loop mixes its tangent state with values that do not depend on the tangents")
		}
	}
	if tuple {
		c.setFields(in.Dst, res)
	} else {
		c.lin[in.Dst] = res[0]
	}
	return nil
}

// reset forgets what a check of b found, for checking it again.
func (c *linChecker) reset(b *ir.Block) {
	for _, p := range b.Params {
		c.lin[p], c.zero[p] = false, false
		delete(c.fields, p)
		delete(c.zeros, p)
	}
	for i := range b.Instrs {
		in := &b.Instrs[i]
		c.lin[in.Dst], c.zero[in.Dst] = false, false
		delete(c.fields, in.Dst)
		delete(c.zeros, in.Dst)
		for _, nb := range in.Blocks {
			c.reset(nb)
		}
	}
}

// markZero notes whether in makes a known zero.
func (c *linChecker) markZero(in *ir.Instr) {
	switch in.Op {
	case ir.OpConst:
		c.zero[in.Dst] = c.f.Types[in.Dst].Kind == ir.KReal && in.F == 0
	case ir.OpTuple, ir.OpArray:
		all := true
		zs := make([]bool, len(in.Args))
		for k, a := range in.Args {
			all = all && c.zero[a]
			zs[k] = c.zero[a]
		}
		c.zero[in.Dst] = all
		if in.Op == ir.OpTuple {
			c.zeros[in.Dst] = zs
		}
	case ir.OpField:
		if zs, ok := c.zeros[in.Args[0]]; ok {
			c.zero[in.Dst] = zs[in.N]
		}
	case ir.OpFor:
		// Filled with zeros: the body's result is a zero made in it.
		b := in.Blocks[0]
		for i := range b.Instrs {
			c.markZero(&b.Instrs[i])
		}
		c.zero[in.Dst] = c.zero[b.Result]
	}
}

// call checks a callee for linearity in the arguments that are tangents.
func (c *linChecker) call(in *ir.Instr, which []bool) error {
	g := in.Callee
	sub := newLinChecker(g, make([]bool, len(g.Types)), c.done)
	for i, p := range g.Params {
		sub.lin[p] = which[i]
	}
	if err := sub.block(g.Body); err != nil {
		le := err.(*LinearityError)
		return c.fail(in, "calls %s, which is not linear in its tangent arguments: %s", g.Name, le.Msg)
	}
	return nil
}

// ruleJVP makes the JVP of f, a function with a custom rule R: (f(x),
// R(x, dx).1), the value by a call to f and the tangent by R without its
// value part. The rule defines f's derivative at every order: the
// derivative of the value is again R's tangent (through the call to f),
// never the derivative of the expression R computes the value with, and
// reverse mode, which transposes R and takes the value from f too, agrees
// with forward mode in every composition.
func (tr *Transformer) ruleJVP(f *ir.Func) *ir.Func {
	rule := f.CustomJVP
	tan := tangentPart(rule)
	b := ir.NewBuilder("jvp("+f.Name+")", f.Pos)
	args := make([]ir.Var, len(rule.Params))
	for i, p := range rule.Params {
		args[i] = b.Param(rule.Types[p])
	}
	n := len(f.Params)
	y := b.Call(f, args[:n]...)
	dy := b.Call(tan, args...)
	return b.Finish(b.Tuple(rule.Result(), y, dy))
}

// tangentPart returns a copy of rule that returns only the tangent of its
// (value, tangent) result, with the work for the value alone pruned.
func tangentPart(rule *ir.Func) *ir.Func {
	g := &ir.Func{Name: rule.Name + ".1", Pos: rule.Pos, Params: append([]ir.Var(nil), rule.Params...),
		Types: append([]*ir.Type(nil), rule.Types...)}
	g.Body = cloneBlock(rule.Body)
	t := rule.Result().Elems[1]
	g.Types = append(g.Types, t)
	d := ir.Var(len(g.Types) - 1)
	g.Body.Instrs = append(g.Body.Instrs, ir.Instr{Dst: d, Op: ir.OpField, Args: []ir.Var{g.Body.Result}, N: 1, Pos: rule.Pos})
	g.Body.Result = d
	ir.Prune(g)
	return g
}

func cloneBlock(b *ir.Block) *ir.Block {
	c := &ir.Block{Params: append([]ir.Var(nil), b.Params...), Result: b.Result, Instrs: make([]ir.Instr, len(b.Instrs))}
	for i, in := range b.Instrs {
		in.Args = append([]ir.Var(nil), in.Args...)
		if in.Blocks != nil {
			bs := make([]*ir.Block, len(in.Blocks))
			for k, nb := range in.Blocks {
				bs[k] = cloneBlock(nb)
			}
			in.Blocks = bs
		}
		c.Instrs[i] = in
	}
	return c
}
