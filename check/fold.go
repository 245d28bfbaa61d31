package check

import (
	"math"
	"strconv"

	"github.com/rose-go/rose/parser"
)

// constant is the folded value of a scalar constant expression.
type constant struct {
	kind BasicKind // RealKind, IntKind or BoolKind
	f    float64
	i    int64 // Int value, or Bool as 0/1
}

// fold evaluates a checked scalar expression made of literals, constants
// and operators, or returns nil. Sizes and static indexes need it; the IR
// gets folded constants as OpConst.
func (c *checker) fold(e parser.Expr) *constant {
	t := c.pkg.Types[e]
	b, ok := t.(*Basic)
	if !ok || b.Kind == Invalid || b.Kind == UnitKind {
		return nil
	}
	switch e := e.(type) {
	case *parser.NumberLit:
		if b.Kind == IntKind {
			i, err := strconv.ParseInt(e.Value, 10, 64)
			if err != nil {
				return nil
			}
			return &constant{kind: IntKind, i: i}
		}
		f, err := strconv.ParseFloat(e.Value, 64)
		if err != nil {
			return nil
		}
		return &constant{kind: RealKind, f: f}
	case *parser.BoolLit:
		k := &constant{kind: BoolKind}
		if e.Value {
			k.i = 1
		}
		return k
	case *parser.ParenExpr:
		return c.fold(e.X)
	case *parser.Ident:
		if o, ok := c.pkg.Uses[e].(*ConstObj); ok && o.Value != nil && o.Value.kind == b.Kind {
			return o.Value
		}
		if o, ok := c.pkg.Uses[e].(*ConstObj); ok && o.Value != nil && o.Value.kind == IntKind && b.Kind == RealKind {
			return &constant{kind: RealKind, f: float64(o.Value.i)}
		}
	case *parser.UnaryExpr:
		x := c.fold(e.X)
		if x == nil {
			return nil
		}
		switch {
		case e.Op == "!" && x.kind == BoolKind:
			return &constant{kind: BoolKind, i: 1 - x.i}
		case e.Op == "-" && x.kind == IntKind:
			return &constant{kind: IntKind, i: -x.i}
		case e.Op == "-" && x.kind == RealKind:
			return &constant{kind: RealKind, f: -x.f}
		}
	case *parser.BinaryExpr:
		x, y := c.fold(e.X), c.fold(e.Y)
		if x == nil || y == nil || x.kind != y.kind {
			return nil
		}
		return foldBinary(e.Op, x, y)
	}
	return nil
}

func foldBinary(op string, x, y *constant) *constant {
	boolean := func(v bool) *constant {
		k := &constant{kind: BoolKind}
		if v {
			k.i = 1
		}
		return k
	}
	switch x.kind {
	case IntKind:
		a, b := x.i, y.i
		switch op {
		case "+":
			return &constant{kind: IntKind, i: a + b}
		case "-":
			return &constant{kind: IntKind, i: a - b}
		case "*":
			return &constant{kind: IntKind, i: a * b}
		case "/", "%":
			if b == 0 || (a == math.MinInt64 && b == -1) {
				return nil
			}
			if op == "/" {
				return &constant{kind: IntKind, i: a / b}
			}
			return &constant{kind: IntKind, i: a % b}
		}
		if c, ok := compare(op, a, b); ok {
			return boolean(c)
		}
	case RealKind:
		a, b := x.f, y.f
		switch op {
		case "+":
			return &constant{kind: RealKind, f: a + b}
		case "-":
			return &constant{kind: RealKind, f: a - b}
		case "*":
			return &constant{kind: RealKind, f: a * b}
		case "/":
			return &constant{kind: RealKind, f: a / b}
		}
		if c, ok := compare(op, a, b); ok {
			return boolean(c)
		}
	case BoolKind:
		switch op {
		case "&&":
			return boolean(x.i == 1 && y.i == 1)
		case "||":
			return boolean(x.i == 1 || y.i == 1)
		case "==":
			return boolean(x.i == y.i)
		case "!=":
			return boolean(x.i != y.i)
		}
	}
	return nil
}

// compare folds a comparison operator.
func compare[T int64 | float64](op string, a, b T) (bool, bool) {
	switch op {
	case "==":
		return a == b, true
	case "!=":
		return a != b, true
	case "<":
		return a < b, true
	case "<=":
		return a <= b, true
	case ">":
		return a > b, true
	case ">=":
		return a >= b, true
	}
	return false, false
}
