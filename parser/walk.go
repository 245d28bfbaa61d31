package parser

// Inspect calls f on n and, while f returns true, on n's children in
// source order.
func Inspect(n Node, f func(Node) bool) {
	if n == nil || !f(n) {
		return
	}
	switch n := n.(type) {
	case *UnaryExpr:
		Inspect(n.X, f)
	case *BinaryExpr:
		Inspect(n.X, f)
		Inspect(n.Y, f)
	case *ParenExpr:
		Inspect(n.X, f)
	case *TupleExpr:
		inspectExprs(n.Elems, f)
	case *ArrayLit:
		inspectExprs(n.Elems, f)
	case *ForExpr:
		Inspect(n.Loop, f)
	case *StructLit:
		Inspect(n.Type, f)
		for _, fi := range n.Fields {
			Inspect(fi.Name, f)
			Inspect(fi.Value, f)
		}
	case *IndexExpr:
		Inspect(n.X, f)
		Inspect(n.Index, f)
	case *SelectorExpr:
		Inspect(n.X, f)
		Inspect(n.Sel, f)
	case *CallExpr:
		Inspect(n.Fun, f)
		inspectExprs(n.Args, f)
	case *IfExpr:
		Inspect(n.Cond, f)
		Inspect(n.Then, f)
		if n.Else != nil {
			Inspect(n.Else, f)
		}
	case *Block:
		for _, s := range n.Stmts {
			Inspect(s, f)
		}
		if n.Result != nil {
			Inspect(n.Result, f)
		}
	case *LetStmt:
		for _, id := range n.Names {
			Inspect(id, f)
		}
		if n.Type != nil {
			Inspect(n.Type, f)
		}
		Inspect(n.Value, f)
	case *AssignStmt:
		if n.Place != nil {
			Inspect(n.Place, f)
		} else {
			Inspect(n.Target, f)
		}
		Inspect(n.Value, f)
	case *ForStmt:
		Inspect(n.Index, f)
		Inspect(n.Lo, f)
		Inspect(n.Hi, f)
		Inspect(n.Body, f)
	case *WhileStmt:
		Inspect(n.Cond, f)
		if n.Max != nil {
			Inspect(n.Max, f)
		}
		Inspect(n.Body, f)
	case *ExprStmt:
		Inspect(n.X, f)
	case *AssertStmt:
		Inspect(n.Cond, f)
	case *BadStmt, *BadExpr:
		// no children: the source they cover did not parse
	case *BadDecl:
		if n.Name != nil {
			Inspect(n.Name, f)
		}
	case *FuncDecl:
		Inspect(n.Name, f)
		for _, s := range n.Sizes {
			Inspect(s, f)
		}
		for _, p := range n.Params {
			Inspect(p.Name, f)
			Inspect(p.Type, f)
		}
		Inspect(n.Result, f)
		if n.Rule != nil {
			Inspect(n.Rule, f)
		}
		Inspect(n.Body, f)
	case *ConstDecl:
		Inspect(n.Name, f)
		if n.Type != nil {
			Inspect(n.Type, f)
		}
		Inspect(n.Value, f)
	case *TypeDecl:
		Inspect(n.Name, f)
		Inspect(n.Type, f)
	case *StructDecl:
		Inspect(n.Name, f)
		for _, p := range n.Fields {
			Inspect(p.Name, f)
			Inspect(p.Type, f)
		}
	case *ExampleDecl:
		Inspect(n.Call, f)
	case *TestDecl:
		Inspect(n.Name, f)
		Inspect(n.Body, f)
	case *NamedType:
		Inspect(n.Name, f)
	case *ArrayType:
		Inspect(n.Len, f)
		Inspect(n.Elem, f)
	case *TupleType:
		for _, e := range n.Elems {
			Inspect(e, f)
		}
	}
}

func inspectExprs(xs []Expr, f func(Node) bool) {
	for _, x := range xs {
		Inspect(x, f)
	}
}
