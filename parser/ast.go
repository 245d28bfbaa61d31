// Package parser turns Rose source into an AST with exact positions.
//
// Positions are go/token offsets resolved through a token.FileSet, so that
// every later phase reports file:line:col the same way.
//
// Parsing recovers from syntax errors at two levels. Each top-level item
// is parsed on its own, so an error in one declaration never affects the
// others. Inside the blocks of an item (function and test bodies, and the
// blocks of if, for and while), a statement that fails to parse becomes a
// BadStmt and parsing resumes at the next statement; a let whose value
// fails keeps its names, with a BadExpr as its value. Only when the header
// of a declaration is broken does the whole declaration become a BadDecl,
// which keeps the declared name when it was read. One syntax error is
// reported per bad statement or declaration.
package parser

import "go/token"

// Node is any AST node.
type Node interface {
	Pos() token.Pos // first byte
	End() token.Pos // just past the last byte
}

// Expr is an expression node.
type Expr interface {
	Node
	exprNode()
}

// Stmt is a statement inside a block.
type Stmt interface {
	Node
	stmtNode()
}

// Decl is a top-level declaration.
type Decl interface {
	Node
	declNode()
}

// TypeExpr is a written type.
type TypeExpr interface {
	Node
	typeNode()
}

// File is one parsed source file.
type File struct {
	Name     string
	Decls    []Decl
	Comments []*Comment // every comment in source order
	FileEnd  token.Pos  // position just past the last byte
}

// Comment is a `// ...` line comment.
type Comment struct {
	Slash token.Pos
	Text  string // including the leading //
}

// Pos and End of Comment.
func (c *Comment) Pos() token.Pos { return c.Slash }

// End of the comment.
func (c *Comment) End() token.Pos { return c.Slash + token.Pos(len(c.Text)) }

// ---- Expressions

type (
	// BadExpr stands for an expression that failed to parse.
	BadExpr struct{ From, To token.Pos }

	// Ident is a name: `x`.
	Ident struct {
		NamePos token.Pos
		Name    string
	}

	// NumberLit is `3` (an integer literal) or `0.5`, `1e-3` (real).
	NumberLit struct {
		ValuePos token.Pos
		Value    string
		IsInt    bool // no '.' and no exponent
	}

	// BoolLit is `true` or `false`.
	BoolLit struct {
		ValuePos token.Pos
		Value    bool
	}

	// UnaryExpr is `-x` or `!x`.
	UnaryExpr struct {
		OpPos token.Pos
		Op    string
		X     Expr
	}

	// BinaryExpr is `x op y`.
	BinaryExpr struct {
		X     Expr
		OpPos token.Pos
		Op    string
		Y     Expr

		start token.Pos // X.Pos(), kept so that Pos is O(1) on long chains
	}

	// ParenExpr is `(x)`.
	ParenExpr struct {
		Lparen, Rparen token.Pos
		X              Expr
	}

	// TupleExpr is `(a, b)`, `(a,)` or `()`.
	TupleExpr struct {
		Lparen, Rparen token.Pos
		Elems          []Expr
	}

	// ArrayLit is `[a, b, c]`.
	ArrayLit struct {
		Lbrack, Rbrack token.Pos
		Elems          []Expr
	}

	// ForExpr is the array comprehension `[for i in lo..hi { body }]`.
	ForExpr struct {
		Lbrack, Rbrack token.Pos
		Loop           *ForStmt
	}

	// StructLit is `Name { field: value, ... }`.
	StructLit struct {
		Type   *Ident
		Lbrace token.Pos
		Fields []*FieldInit
		Rbrace token.Pos
	}

	// IndexExpr is `x[i]`.
	IndexExpr struct {
		X      Expr
		Lbrack token.Pos
		Index  Expr
		Rbrack token.Pos
	}

	// SelectorExpr is `x.field` or `x.0` (tuple field).
	SelectorExpr struct {
		X   Expr
		Sel *Ident // Name is a field name or a decimal tuple index; empty where recovery found it missing (`p.` at the end of a line)
	}

	// CallExpr is `f(args)`.
	CallExpr struct {
		Fun    Expr
		Lparen token.Pos
		Args   []Expr
		Rparen token.Pos
	}

	// IfExpr is `if cond { ... } else { ... }`; Else is nil, a *Block or
	// an *IfExpr.
	IfExpr struct {
		If   token.Pos
		Cond Expr
		Then *Block
		Else Expr
	}

	// Block is `{ stmts; result }`. Result is nil when the block has no
	// value (a loop body, a statement-if arm).
	Block struct {
		Lbrace token.Pos
		Stmts  []Stmt
		Result Expr
		Rbrace token.Pos
	}
)

// FieldInit is `name: value` in a struct literal.
type FieldInit struct {
	Name  *Ident
	Value Expr
}

// ---- Statements

type (
	// LetStmt is `let x: T = v`, `let (a, b) = v` or `var x = v`.
	LetStmt struct {
		Let   token.Pos
		Var   bool     // declared with var: may be assigned later
		Names []*Ident // one name, or the names of a tuple pattern
		Tuple bool     // names were written as a tuple pattern
		Type  TypeExpr // may be nil
		Value Expr
	}

	// AssignStmt is `x = v` or `x op= v`, or an update of a part of a
	// variable: `a[i] = v`, `p.x += v`, `s.pos[k][j] -= v`.
	AssignStmt struct {
		Target *Ident // the variable assigned (the root of Place)
		// Place is the whole target when it is an element or field of
		// Target: an IndexExpr or SelectorExpr chain whose innermost X is
		// Target. It is nil when the whole variable is assigned.
		Place Expr
		OpPos token.Pos
		Op    string // "=", "+=", "-=", "*=", "/="
		Value Expr
	}

	// ForStmt is the sequential loop `for i in lo..hi { body }`; its body
	// assigns variables declared with var outside it.
	ForStmt struct {
		For    token.Pos
		Index  *Ident
		Lo, Hi Expr
		Body   *Block
	}

	// WhileStmt is `while cond { body }`, optionally with a step bound:
	// `while cond max bound { body }`. Like a for loop, its body assigns
	// variables declared with var outside it.
	WhileStmt struct {
		While token.Pos
		Cond  Expr
		Max   Expr // nil without a bound
		Body  *Block
	}

	// ExprStmt is an expression used as a statement: an if without value.
	ExprStmt struct {
		X Expr
	}

	// AssertStmt is `assert cond`, allowed at the top level of a test.
	AssertStmt struct {
		Assert token.Pos
		Cond   Expr
	}

	// BadStmt stands for a statement that failed to parse, from its first
	// token to the end of its last (the next statement begins after it).
	BadStmt struct{ From, To token.Pos }
)

// ---- Declarations

type (
	// BadDecl stands for a declaration whose header has a syntax error (a
	// declaration whose body has one keeps its kind and gets BadStmts).
	// Keyword is the declaration's first word (fn, const, ...) and Name the
	// name it declares, when that was read (nil otherwise), so that the
	// checker can keep the name defined and silence its uses.
	BadDecl struct {
		From, To token.Pos
		Keyword  string
		Name     *Ident
	}

	// FuncDecl is `fn name<sizes>(params) -> Result jvp rule { body }`.
	FuncDecl struct {
		// Doc is the text of the `//` comment lines just above the
		// declaration, each without the slashes and one space after them,
		// joined by newlines; a blank line or code ends the group. The
		// other declarations' and struct fields' Doc fields are the same.
		Doc    string
		Fn     token.Pos
		Name   *Ident
		Sizes  []*Ident
		Params []*Param
		Result TypeExpr
		Rule   *Ident // the function giving the JVP, or nil
		Body   *Block
	}

	// ConstDecl is `const name: T = value`.
	ConstDecl struct {
		Doc   string
		Const token.Pos
		Name  *Ident
		Type  TypeExpr // may be nil
		Value Expr
	}

	// TypeDecl is the alias `type Name = T`.
	TypeDecl struct {
		Doc     string
		TypePos token.Pos
		Name    *Ident
		Type    TypeExpr
	}

	// StructDecl is `struct Name { field: T, ... }`.
	StructDecl struct {
		Doc    string
		Struct token.Pos
		Name   *Ident
		Fields []*Param
		Rbrace token.Pos
	}

	// ExampleDecl is `example call`: a sample call that tools evaluate.
	ExampleDecl struct {
		Example token.Pos
		Call    Expr
	}

	// TestDecl is `test name { ... }`: statements with asserts that
	// `rose test` runs.
	TestDecl struct {
		Doc  string
		Test token.Pos
		Name *Ident
		Body *Block
	}
)

// Param is `name: Type`, a function parameter or struct field.
type Param struct {
	Doc  string // of a struct field: the comment lines just above it
	Name *Ident
	Type TypeExpr
}

// ---- Types

type (
	// NamedType is `Real`, `Vec2`, ...
	NamedType struct{ Name *Ident }

	// ArrayType is `[n]T`; Len is a *NumberLit or an *Ident.
	ArrayType struct {
		Lbrack token.Pos
		Len    Expr
		Elem   TypeExpr
	}

	// TupleType is `(T, U)`.
	TupleType struct {
		Lparen, Rparen token.Pos
		Elems          []TypeExpr
	}
)

// ---- Positions

// startPos is X.Pos(), read from the field the parsers fill in, so that Pos
// is O(1) on a long chain like a + b + ... + z.
func (x *BinaryExpr) startPos() token.Pos {
	if x.start.IsValid() {
		return x.start
	}
	return x.X.Pos()
}

func (x *BadExpr) Pos() token.Pos      { return x.From }
func (x *Ident) Pos() token.Pos        { return x.NamePos }
func (x *NumberLit) Pos() token.Pos    { return x.ValuePos }
func (x *BoolLit) Pos() token.Pos      { return x.ValuePos }
func (x *UnaryExpr) Pos() token.Pos    { return x.OpPos }
func (x *BinaryExpr) Pos() token.Pos   { return x.startPos() }
func (x *ParenExpr) Pos() token.Pos    { return x.Lparen }
func (x *TupleExpr) Pos() token.Pos    { return x.Lparen }
func (x *ArrayLit) Pos() token.Pos     { return x.Lbrack }
func (x *ForExpr) Pos() token.Pos      { return x.Lbrack }
func (x *StructLit) Pos() token.Pos    { return x.Type.Pos() }
func (x *IndexExpr) Pos() token.Pos    { return x.X.Pos() }
func (x *SelectorExpr) Pos() token.Pos { return x.X.Pos() }
func (x *CallExpr) Pos() token.Pos     { return x.Fun.Pos() }
func (x *IfExpr) Pos() token.Pos       { return x.If }
func (x *Block) Pos() token.Pos        { return x.Lbrace }

func (x *BadExpr) End() token.Pos      { return x.To }
func (x *Ident) End() token.Pos        { return x.NamePos + token.Pos(len(x.Name)) }
func (x *NumberLit) End() token.Pos    { return x.ValuePos + token.Pos(len(x.Value)) }
func (x *BoolLit) End() token.Pos      { return x.ValuePos + token.Pos(len(boolText(x.Value))) }
func (x *UnaryExpr) End() token.Pos    { return x.X.End() }
func (x *BinaryExpr) End() token.Pos   { return x.Y.End() }
func (x *ParenExpr) End() token.Pos    { return x.Rparen + 1 }
func (x *TupleExpr) End() token.Pos    { return x.Rparen + 1 }
func (x *ArrayLit) End() token.Pos     { return x.Rbrack + 1 }
func (x *ForExpr) End() token.Pos      { return x.Rbrack + 1 }
func (x *StructLit) End() token.Pos    { return x.Rbrace + 1 }
func (x *IndexExpr) End() token.Pos    { return x.Rbrack + 1 }
func (x *SelectorExpr) End() token.Pos { return x.Sel.End() }
func (x *CallExpr) End() token.Pos     { return x.Rparen + 1 }
func (x *IfExpr) End() token.Pos {
	if x.Else != nil {
		return x.Else.End()
	}
	return x.Then.End()
}
func (x *Block) End() token.Pos { return x.Rbrace + 1 }

func (s *LetStmt) Pos() token.Pos    { return s.Let }
func (s *AssignStmt) Pos() token.Pos { return s.Target.Pos() }
func (s *ForStmt) Pos() token.Pos    { return s.For }
func (s *WhileStmt) Pos() token.Pos  { return s.While }
func (s *ExprStmt) Pos() token.Pos   { return s.X.Pos() }
func (s *LetStmt) End() token.Pos    { return s.Value.End() }
func (s *AssignStmt) End() token.Pos { return s.Value.End() }
func (s *ForStmt) End() token.Pos    { return s.Body.End() }
func (s *WhileStmt) End() token.Pos  { return s.Body.End() }
func (s *ExprStmt) End() token.Pos   { return s.X.End() }

// Pos of an assert statement.
func (s *AssertStmt) Pos() token.Pos { return s.Assert }

// End of an assert statement.
func (s *AssertStmt) End() token.Pos { return s.Cond.End() }

// Pos of a bad statement.
func (s *BadStmt) Pos() token.Pos { return s.From }

// End of a bad statement.
func (s *BadStmt) End() token.Pos { return s.To }

func (d *BadDecl) Pos() token.Pos     { return d.From }
func (d *FuncDecl) Pos() token.Pos    { return d.Fn }
func (d *ConstDecl) Pos() token.Pos   { return d.Const }
func (d *TypeDecl) Pos() token.Pos    { return d.TypePos }
func (d *StructDecl) Pos() token.Pos  { return d.Struct }
func (d *ExampleDecl) Pos() token.Pos { return d.Example }
func (d *BadDecl) End() token.Pos     { return d.To }
func (d *FuncDecl) End() token.Pos    { return d.Body.End() }
func (d *ConstDecl) End() token.Pos   { return d.Value.End() }
func (d *TypeDecl) End() token.Pos    { return d.Type.End() }
func (d *StructDecl) End() token.Pos  { return d.Rbrace + 1 }
func (d *ExampleDecl) End() token.Pos { return d.Call.End() }

// Pos of a test declaration.
func (d *TestDecl) Pos() token.Pos { return d.Test }

// End of a test declaration.
func (d *TestDecl) End() token.Pos { return d.Body.End() }

func (t *NamedType) Pos() token.Pos { return t.Name.Pos() }
func (t *ArrayType) Pos() token.Pos { return t.Lbrack }
func (t *TupleType) Pos() token.Pos { return t.Lparen }
func (t *NamedType) End() token.Pos { return t.Name.End() }
func (t *ArrayType) End() token.Pos { return t.Elem.End() }
func (t *TupleType) End() token.Pos { return t.Rparen + 1 }

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func (*BadExpr) exprNode()      {}
func (*Ident) exprNode()        {}
func (*NumberLit) exprNode()    {}
func (*BoolLit) exprNode()      {}
func (*UnaryExpr) exprNode()    {}
func (*BinaryExpr) exprNode()   {}
func (*ParenExpr) exprNode()    {}
func (*TupleExpr) exprNode()    {}
func (*ArrayLit) exprNode()     {}
func (*ForExpr) exprNode()      {}
func (*StructLit) exprNode()    {}
func (*IndexExpr) exprNode()    {}
func (*SelectorExpr) exprNode() {}
func (*CallExpr) exprNode()     {}
func (*IfExpr) exprNode()       {}
func (*Block) exprNode()        {}

func (*LetStmt) stmtNode()    {}
func (*AssignStmt) stmtNode() {}
func (*ForStmt) stmtNode()    {}
func (*WhileStmt) stmtNode()  {}
func (*ExprStmt) stmtNode()   {}
func (*AssertStmt) stmtNode() {}
func (*BadStmt) stmtNode()    {}

func (*BadDecl) declNode()     {}
func (*FuncDecl) declNode()    {}
func (*ConstDecl) declNode()   {}
func (*TypeDecl) declNode()    {}
func (*StructDecl) declNode()  {}
func (*ExampleDecl) declNode() {}
func (*TestDecl) declNode()    {}

func (*NamedType) typeNode() {}
func (*ArrayType) typeNode() {}
func (*TupleType) typeNode() {}
