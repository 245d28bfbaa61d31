package check

import (
	"strings"

	"github.com/rose-go/rose/parser"
)

// Recursion is allowed in one form: a size-generic function may call
// itself, or a function of its cycle in the call graph, at smaller sizes,
// from an arm of a size dispatch. Every instance is still an ordinary
// function, so the instantiated program is a DAG as the IR requires, and
// instantiating it ends: see checkRecursion.

// MaxRecursion bounds how many instances of one function a recursive
// instantiation nests: each is a function of the program, so a deeper
// chain is more code than any program should be.
const MaxRecursion = 256

// A sizeCond is the condition of a size dispatch: an if whose condition is
// made of comparisons of sizes (constants, size parameters, len(a)) with
// !, && and ||. It is decided when the function is instantiated, and only
// the arm taken is lowered (see lowerer.ifExpr).
type sizeCond struct {
	op   string    // a comparison, "&&", "||", "!", or "" for a constant
	x, y Size      // the operands of a comparison
	a, b *sizeCond // the operands of && and || (a alone for !)
	val  bool      // the constant
}

// sizeCond returns the checked Bool expression e as a condition on sizes,
// or nil if it depends on anything else.
func (c *checker) sizeCond(e parser.Expr) *sizeCond {
	if k := c.fold(e); k != nil {
		if k.kind != BoolKind {
			return nil
		}
		return &sizeCond{val: k.i == 1}
	}
	switch e := e.(type) {
	case *parser.ParenExpr:
		return c.sizeCond(e.X)
	case *parser.UnaryExpr:
		if a := c.sizeCond(e.X); a != nil && e.Op == "!" {
			return &sizeCond{op: "!", a: a}
		}
	case *parser.BinaryExpr:
		switch e.Op {
		case "&&", "||":
			if a, b := c.sizeCond(e.X), c.sizeCond(e.Y); a != nil && b != nil {
				return &sizeCond{op: e.Op, a: a, b: b}
			}
		case "==", "!=", "<", "<=", ">", ">=":
			if !isKind(c.pkg.Types[e.X], IntKind) || !isKind(c.pkg.Types[e.Y], IntKind) {
				return nil
			}
			// A quiet checker: an operand that is not a size is no error here.
			q := &checker{pkg: c.pkg}
			x, okx := q.sizeOf(e.X)
			y, oky := q.sizeOf(e.Y)
			if okx && oky && len(q.errs) == 0 {
				return &sizeCond{op: e.Op, x: x, y: y}
			}
		}
	}
	return nil
}

// decide evaluates k with the sizes of an instance.
func (k *sizeCond) decide(value func(Size) int) bool {
	switch k.op {
	case "":
		return k.val
	case "!":
		return !k.a.decide(value)
	case "&&":
		return k.a.decide(value) && k.b.decide(value)
	case "||":
		return k.a.decide(value) || k.b.decide(value)
	}
	v, _ := compare(k.op, int64(value(k.x)), int64(value(k.y)))
	return v
}

// callSite is a checked call of a user function (or of its derivative)
// in a function's body.
type callSite struct {
	expr    *parser.CallExpr
	info    *call
	guarded bool // inside an arm of a size dispatch
}

// checkRecursion checks the cycles of the call graph. A call between two
// functions of one cycle (a strongly connected component) is allowed when
// it makes the sum of the sizes smaller by a constant: a size-generic
// function's instances have sizes of at least 0, so every chain of such
// calls ends. Calls at the same sum are allowed too, as long as no cycle is
// made of them alone, and every call that shrinks the sizes must be in an
// arm of a size dispatch, which is where the recursion can stop. Cycles at
// constant sizes (every cycle of functions without size parameters) are
// reported once each, naming their functions.
func (c *checker) checkRecursion() {
	comp := c.components()
	// same holds the calls within a component that keep the sum of the
	// sizes: the recursion they make alone never ends.
	same := map[*FuncObj][]*FuncObj{}
	for _, f := range c.pkg.Funcs {
		judged := map[*FuncObj]bool{}
		for _, site := range f.sites {
			g := site.info.fn
			if comp[g] != comp[f] {
				continue
			}
			site.info.recursive = true
			judged[g] = true
			w, ok := shrink(f, site.info.sizes)
			switch {
			case !ok || w > 0:
				c.errorf(site.expr, "recursion", "%s calls %s: a recursive call must make the sum of the sizes smaller by a constant",
					withSizes(f.Name, params(f)), withSizes(g.Name, site.info.sizes))
			case w == 0:
				addEdge(same, f, g)
			case !site.guarded:
				c.errorf(site.expr, "recursion", "the recursive call of %s is not in an arm of a size dispatch, so the recursion never stops: call it from an if on sizes such as `if %s { ... } else { ... }`",
					g.Name, baseHint(f))
			}
		}
		// Calls that did not check have no site: count them as keeping the
		// sizes, so that the cycle is still reported.
		for _, g := range f.calls {
			if comp[g] == comp[f] && !judged[g] {
				addEdge(same, f, g)
			}
		}
	}
	c.reportCycles(same)
}

func addEdge(m map[*FuncObj][]*FuncObj, f, g *FuncObj) {
	for _, h := range m[f] {
		if h == g {
			return
		}
	}
	m[f] = append(m[f], g)
}

// shrink is how much a call from f with the size arguments sizes (in f's
// terms) changes the sum of the sizes, if that is a constant.
func shrink(f *FuncObj, sizes []Size) (int, bool) {
	sum := Size{}
	for _, s := range sizes {
		sum, _ = mkSize('+', sum, s)
	}
	for _, sp := range f.Sizes {
		sum, _ = mkSize('-', sum, Size{Param: sp})
	}
	return sum.N, sum.isConst()
}

// withSizes is name<sizes...>, or name without sizes.
func withSizes(name string, sizes []Size) string {
	if len(sizes) == 0 {
		return name
	}
	parts := make([]string, len(sizes))
	for i, s := range sizes {
		parts[i] = s.String()
	}
	return name + "<" + strings.Join(parts, ", ") + ">"
}

func params(f *FuncObj) []Size {
	ps := make([]Size, len(f.Sizes))
	for i, sp := range f.Sizes {
		ps[i] = Size{Param: sp}
	}
	return ps
}

// baseHint is a condition to suggest for a base case of f.
func baseHint(f *FuncObj) string {
	if len(f.Sizes) == 0 {
		return "n == 1"
	}
	return f.Sizes[0].Name + " == 1"
}

// components numbers the strongly connected components of the call graph
// (Tarjan's algorithm).
func (c *checker) components() map[*FuncObj]int {
	comp := map[*FuncObj]int{}
	index := map[*FuncObj]int{}
	low := map[*FuncObj]int{}
	onStack := map[*FuncObj]bool{}
	var stack []*FuncObj
	next := 0
	var visit func(f *FuncObj)
	visit = func(f *FuncObj) {
		index[f], low[f] = next, next
		next++
		stack = append(stack, f)
		onStack[f] = true
		for _, g := range f.calls {
			if _, seen := index[g]; !seen {
				visit(g)
				low[f] = min(low[f], low[g])
			} else if onStack[g] {
				low[f] = min(low[f], index[g])
			}
		}
		if low[f] == index[f] {
			for {
				g := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[g] = false
				comp[g] = index[f]
				if g == f {
					break
				}
			}
		}
	}
	for _, f := range c.pkg.Funcs {
		if _, seen := index[f]; !seen {
			visit(f)
		}
	}
	return comp
}

// reportCycles reports every cycle of the graph of calls that keep the
// sizes once, naming it.
func (c *checker) reportCycles(edges map[*FuncObj][]*FuncObj) {
	const (
		white = iota
		grey
		black
	)
	color := map[*FuncObj]int{}
	var stack []*FuncObj
	var visit func(f *FuncObj)
	visit = func(f *FuncObj) {
		color[f] = grey
		stack = append(stack, f)
		for _, g := range edges[f] {
			switch color[g] {
			case white:
				visit(g)
			case grey:
				i := len(stack) - 1
				for stack[i] != g {
					i--
				}
				var names []string
				generic := false
				for _, h := range stack[i:] {
					names = append(names, h.Name)
					generic = generic || len(h.Sizes) > 0
				}
				names = append(names, g.Name)
				msg := "recursion is not allowed: %s"
				if generic {
					msg += " (at the same sizes: a size-generic function may call itself only at smaller sizes)"
				}
				c.errorf(g.Decl.Name, "recursion", msg, strings.Join(names, " -> "))
			}
		}
		stack = stack[:len(stack)-1]
		color[f] = black
	}
	for _, f := range c.pkg.Funcs {
		if color[f] == white {
			visit(f)
		}
	}
}
