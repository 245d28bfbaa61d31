// Package grammar declares Rose's concrete syntax with participle: the
// lexer and one struct per production. It is the executable specification
// of the syntax: the production parser (package parser) must accept exactly
// what it accepts and build the same AST, which the parser's tests check
// by converting these structs. The statement-separator rule and the cut of
// a file into items are in package lex, which both share.
//
// A file is parsed one top-level item at a time (see lex.Split), so that a
// syntax error in one function does not hide the others.
package grammar

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
	"github.com/rose-go/rose/grammar/lex"
)

// Lexer is Rose's token definition. Rules are tried in order; the last one
// accepts any character so that lexing never fails and a stray character
// becomes a syntax error with a position. It applies to a file after a
// leading byte order mark, if any, is removed (SkipBOM): a file may begin
// with U+FEFF, and anywhere else U+FEFF is Illegal.
var Lexer = lexer.MustSimple([]lexer.SimpleRule{
	{Name: "Comment", Pattern: `//[^\n]*`},
	{Name: "Newline", Pattern: `\n`},
	{Name: "Whitespace", Pattern: `[ \t\r]+`},
	{Name: "Number", Pattern: `[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?`},
	{Name: "Ident", Pattern: `[A-Za-z_][A-Za-z0-9_]*`},
	{Name: "Punct", Pattern: `->|\.\.|==|!=|<=|>=|&&|\|\||\+=|-=|\*=|/=|[-+*/%<>=!()\[\]{},:;.]`},
	{Name: "Illegal", Pattern: `.`},
})

// Keywords are the reserved words; they cannot name anything.
var Keywords = lex.Keywords

// Item is one top-level declaration.
type Item struct {
	Pos     lexer.Position
	Fn      *Fn        `parser:"  @@"`
	Const   *Const     `parser:"| @@"`
	Type    *TypeAlias `parser:"| @@"`
	Struct  *Struct    `parser:"| @@"`
	Example *Example   `parser:"| @@"`
	Test    *Test      `parser:"| @@"`
	EndPos  lexer.Position
}

// Test is `test name { ... }`: statements and asserts that `rose test`
// runs.
type Test struct {
	Pos  lexer.Position
	Name *Name  `parser:"\"test\" @@"`
	Body *Block `parser:"@@"`
}

// Assert is the statement `assert cond`.
type Assert struct {
	Pos  lexer.Position
	Cond *Expr `parser:"\"assert\" @@"`
}

// Fn is `fn name<sizes>(params) -> Type { ... }`.
type Fn struct {
	Pos    lexer.Position
	Name   *Name   `parser:"\"fn\" @@"`
	Sizes  []*Name `parser:"( \"<\" ( @@ ( \",\" @@ )* )? \">\" )?"`
	Lparen lexer.Position
	Params []*Param `parser:"\"(\" ( @@ ( \",\" @@ )* \",\"? )? \")\""`
	Result *Type    `parser:"\"->\" @@"`
	Rule   *Name    `parser:"( \"jvp\" @@ )?"`
	Body   *Block   `parser:"@@"`
}

// Name is an identifier with its position.
type Name struct {
	Pos  lexer.Position
	Name string `parser:"@Ident"`
}

// Param is `name: Type`.
type Param struct {
	Pos  lexer.Position
	Name *Name `parser:"@@ \":\""`
	Type *Type `parser:"@@"`
}

// Const is `const name (: Type)? = expr`.
type Const struct {
	Pos   lexer.Position
	Name  *Name `parser:"\"const\" @@"`
	Type  *Type `parser:"( \":\" @@ )?"`
	Value *Expr `parser:"\"=\" @@"`
}

// TypeAlias is `type name = Type`.
type TypeAlias struct {
	Pos  lexer.Position
	Name *Name `parser:"\"type\" @@ \"=\""`
	Type *Type `parser:"@@"`
}

// Struct is `struct Name { field: Type, ... }`.
type Struct struct {
	Pos    lexer.Position
	Name   *Name    `parser:"\"struct\" @@ \"{\" \";\"*"`
	Fields []*Param `parser:"( @@ ( ( \",\" | \";\" ) \";\"* @@ )* ( \",\" | \";\" )* )?"`
	Close  *RBrace  `parser:"@@"`
}

// Example is `example call`.
type Example struct {
	Pos  lexer.Position
	Call *Expr `parser:"\"example\" @@"`
}

// Type is `[size]Type`, `(Type, ...)` or a name.
type Type struct {
	Pos    lexer.Position
	Array  *ArrayType `parser:"  @@"`
	Tuple  *TupleType `parser:"| @@"`
	Name   *Name      `parser:"| @@"`
	EndPos lexer.Position
}

// ArrayType is `[size]Elem` where size is an Int expression (a literal,
// a name, or arithmetic on them; the checker decides what is allowed).
type ArrayType struct {
	Pos  lexer.Position
	Len  *Expr `parser:"\"[\" @@ \"]\""`
	Elem *Type `parser:"@@"`
}

// TupleType is `(T, U, ...)`; `()` is the empty tuple, `(T,)` a one-element
// tuple and `(T)` just T.
type TupleType struct {
	Pos   lexer.Position
	Elems []*Type `parser:"\"(\" ( @@ ( \",\" @@ )*"`
	Trail bool    `parser:"      @\",\"? )?"`
	Close *RParen `parser:"@@"`
}

// Block is `{ item; item; ... }`; the last item may be an expression, the
// block's value.
type Block struct {
	Pos    lexer.Position
	Items  []*Stmt `parser:"\"{\" \";\"* ( @@ ( \";\" \";\"* @@? )* )?"`
	Close  *RBrace `parser:"@@"`
	EndPos lexer.Position
}

// Stmt is one item of a block.
type Stmt struct {
	Pos    lexer.Position
	Let    *Let    `parser:"  @@"`
	For    *For    `parser:"| @@"`
	While  *While  `parser:"| @@"`
	Assert *Assert `parser:"| @@"`
	Expr   *Expr   `parser:"| @@"`
	Assign *Assign `parser:"  @@?"`
	EndPos lexer.Position
}

// Let is `let pattern (: Type)? = expr` or `var name (: Type)? = expr`.
type Let struct {
	Pos     lexer.Position
	Keyword string  `parser:"@( \"let\" | \"var\" )"`
	Name    *Name   `parser:"( @@"`
	Names   []*Name `parser:"| \"(\" @@ ( \",\" @@ )* \",\"? \")\" )"`
	Type    *Type   `parser:"( \":\" @@ )?"`
	Value   *Expr   `parser:"\"=\" @@"`
}

// For is `for i in lo..hi { ... }`, a sequential loop statement.
type For struct {
	Pos   lexer.Position
	Index *Name  `parser:"\"for\" @@ \"in\""`
	Lo    *Expr  `parser:"@@ \"..\""`
	Hi    *Expr  `parser:"@@"`
	Body  *Block `parser:"@@"`
}

// While is `while cond { ... }` or `while cond max bound { ... }`, a loop
// whose trip count is known only when it runs.
type While struct {
	Pos  lexer.Position
	Cond *Expr  `parser:"\"while\" @@"`
	Max  *Expr  `parser:"( \"max\" @@ )?"`
	Body *Block `parser:"@@"`
}

// Assign continues an expression statement `target op= value`.
type Assign struct {
	Pos   lexer.Position
	Op    string `parser:"@( \"=\" | \"+=\" | \"-=\" | \"*=\" | \"/=\" )"`
	Value *Expr  `parser:"@@"`
}

// Expr is a flat chain of operands and binary operators; package parser
// applies precedence.
type Expr struct {
	Pos    lexer.Position
	Left   *Operand `parser:"@@"`
	Rest   []*BinOp `parser:"@@*"`
	EndPos lexer.Position
}

// BinOp is one `op operand` link of an Expr.
type BinOp struct {
	Pos   lexer.Position
	Op    string   `parser:"@( \"||\" | \"&&\" | \"==\" | \"!=\" | \"<=\" | \">=\" | \"<\" | \">\" | \"+\" | \"-\" | \"*\" | \"/\" | \"%\" )"`
	Right *Operand `parser:"@@"`
}

// Operand is a primary expression with prefix operators and suffixes.
type Operand struct {
	Pos      lexer.Position
	Prefix   []*Prefix `parser:"@@*"`
	Primary  *Primary  `parser:"@@"`
	Suffixes []*Suffix `parser:"@@*"`
	EndPos   lexer.Position
}

// Prefix is a unary operator.
type Prefix struct {
	Pos lexer.Position
	Op  string `parser:"@( \"-\" | \"!\" )"`
}

// Suffix is `[index]`, `.field` or `(args)`.
type Suffix struct {
	Pos        lexer.Position
	Index      *Expr     `parser:"  \"[\" @@"`
	IndexClose *RBrack   `parser:"    @@"`
	Field      *string   `parser:"| \".\" @( Ident | Number )"`
	Call       *CallArgs `parser:"| @@"`
	EndPos     lexer.Position
}

// CallArgs is `(args)`.
type CallArgs struct {
	Pos   lexer.Position
	Args  []*Expr `parser:"\"(\" ( @@ ( \",\" @@ )* \",\"? )?"`
	Close *RParen `parser:"@@"`
}

// Primary is an atom of an expression.
type Primary struct {
	Pos    lexer.Position
	Number *string    `parser:"  @Number"`
	Bool   *string    `parser:"| @( \"true\" | \"false\" )"`
	If     *If        `parser:"| @@"`
	Struct *StructLit `parser:"| @@"`
	Name   *Name      `parser:"| @@"`
	Paren  *Paren     `parser:"| @@"`
	Array  *ArrayLit  `parser:"| @@"`
	Block  *Block     `parser:"| @@"`
	EndPos lexer.Position
}

// If is `if cond { ... } else ...`.
type If struct {
	Pos    lexer.Position
	Cond   *Expr  `parser:"\"if\" @@"`
	Then   *Block `parser:"@@"`
	ElseIf *If    `parser:"( \"else\" ( @@"`
	Else   *Block `parser:"         | @@ ) )?"`
}

// ArrayLit is `[a, b, c]` or the comprehension `[for i in lo..hi { ... }]`.
type ArrayLit struct {
	Pos   lexer.Position
	For   *For    `parser:"\"[\" ( @@"`
	Elems []*Expr `parser:"    | ( @@ ( \",\" @@ )* \",\"? ) )?"`
	Close *RBrack `parser:"@@"`
}

// Paren is `(e)`, or a tuple `(a, b)` / `()` / `(a,)`.
type Paren struct {
	Pos   lexer.Position
	Elems []*Expr `parser:"\"(\" ( @@ ( \",\" @@ )*"`
	Trail bool    `parser:"      @\",\" ? )?"`
	Close *RParen `parser:"@@"`
}

// StructLit is `Name { field: value, ... }` with at least one field. The
// lookahead keeps `if x { y }` and `for i in 0..n {}` a conditional and a
// loop: a struct literal's brace is followed by `field:`.
type StructLit struct {
	Pos    lexer.Position
	Name   *Name        `parser:"(?= Ident \"{\" Ident \":\" ) @@ \"{\""`
	Fields []*FieldInit `parser:"@@ ( \",\" @@ )* \",\"?"`
	Close  *RBrace      `parser:"@@"`
}

// RParen, RBrack and RBrace are closing brackets, captured for their
// exact positions.
type (
	RParen struct {
		Pos   lexer.Position
		Token string `parser:"@\")\""`
	}
	RBrack struct {
		Pos   lexer.Position
		Token string `parser:"@\"]\""`
	}
	RBrace struct {
		Pos   lexer.Position
		Token string `parser:"@\"}\""`
	}
)

// FieldInit is `field: value`.
type FieldInit struct {
	Pos   lexer.Position
	Name  *Name `parser:"@@ \":\""`
	Value *Expr `parser:"@@"`
}

// Parser parses one top-level item from a token stream that has been through
// Separate.
var Parser = participle.MustBuild[Item](
	participle.Lexer(Lexer),
	participle.Elide("Comment", "Whitespace", "Newline"),
	participle.UseLookahead(2),
)

// sliceLexer feeds prepared tokens to participle.
type sliceLexer struct {
	toks []lexer.Token
	i    int
	eof  lexer.Position
}

func (l *sliceLexer) Next() (lexer.Token, error) {
	if l.i >= len(l.toks) {
		return lexer.EOFToken(l.eof), nil
	}
	t := l.toks[l.i]
	l.i++
	return t, nil
}

// ParseItem parses the tokens of one item. end is the position reported for
// an unexpected end of input.
func ParseItem(toks []lexer.Token, end lexer.Position) (*Item, error) {
	peek, err := lexer.Upgrade(&sliceLexer{toks: toks, eof: end})
	if err != nil {
		return nil, err
	}
	return Parser.ParseFromLexer(peek)
}
