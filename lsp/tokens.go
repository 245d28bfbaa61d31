package lsp

import (
	"context"
	"go/token"

	"go.lsp.dev/protocol"

	"github.com/rose-go/rose/check"
	"github.com/rose-go/rose/grammar/lex"
	"github.com/rose-go/rose/parser"
)

// The semantic token legend; indexes into these are on the wire.
var (
	tokenTypes     = []protocol.SemanticTokenTypes{"keyword", "comment", "number", "operator", "function", "parameter", "variable", "type", "struct", "typeParameter", "property"}
	tokenModifiers = []protocol.SemanticTokenModifiers{"declaration", "readonly", "defaultLibrary"}
)

const (
	tkKeyword = iota
	tkComment
	tkNumber
	tkOperator
	tkFunction
	tkParameter
	tkVariable
	tkType
	tkStruct
	tkTypeParameter
	tkProperty
)

const (
	modDeclaration = 1 << iota
	modReadonly
	modDefaultLibrary
)

// semanticTokens classifies every token of the document, names by what
// they refer to.
func (s *Server) semanticTokens(ctx context.Context, sn *snapshot, p *protocol.SemanticTokensParams) (any, error) {
	byPos := map[token.Pos]*parser.Ident{}
	for _, id := range sn.idents() {
		byPos[id.NamePos] = id
	}
	data := make([]uint32, 0, 64)
	var line, col uint32
	for _, t := range lex.Tokenize(sn.path, sn.text) {
		typ, mods := -1, 0
		switch {
		case t.Type == lex.TComment:
			typ = tkComment
		case t.Type == lex.TNumber:
			typ = tkNumber
		case t.Type == lex.TIdent && lex.IsKeyword(t.Value):
			typ = tkKeyword
		case t.Type == lex.TIdent:
			if id := byPos[sn.pos(t.Pos.Offset)]; id != nil {
				typ, mods = sn.classify(id)
			}
		case t.Type == lex.TPunct && isOperator(t.Value):
			typ = tkOperator
		}
		if typ < 0 {
			continue
		}
		start := sn.lines.position(t.Pos.Offset)
		length := uint32(utf16Count([]byte(t.Value)))
		if start.Line != line {
			col = 0
		}
		data = append(data, start.Line-line, start.Character-col, length, uint32(typ), uint32(mods))
		line, col = start.Line, start.Character
	}
	return &protocol.SemanticTokens{Data: data}, nil
}

func (sn *snapshot) classify(id *parser.Ident) (int, int) {
	pkg := sn.program().Pkg
	mods := 0
	if _, ok := pkg.Defs[id]; ok {
		mods |= modDeclaration
	}
	switch o := sn.objectOf(id).(type) {
	case *check.FuncObj:
		return tkFunction, mods
	case *check.BuiltinObj:
		return tkFunction, mods | modDefaultLibrary
	case *check.VarObj:
		if !o.Mutable {
			mods |= modReadonly
		}
		if _, i := sn.paramOf(o); i >= 0 {
			return tkParameter, mods
		}
		return tkVariable, mods
	case *check.ConstObj:
		if o.Decl == nil {
			mods |= modDefaultLibrary
		}
		return tkVariable, mods | modReadonly
	case *check.TypeObj:
		if _, ok := o.Decl.(*parser.StructDecl); ok {
			return tkStruct, mods
		}
		if o.Decl == nil {
			mods |= modDefaultLibrary
		}
		return tkType, mods
	case *check.SizeParam:
		return tkTypeParameter, mods
	case *check.Field:
		return tkProperty, mods
	}
	return -1, 0
}

func isOperator(s string) bool {
	switch s {
	case "+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "!", "=", "+=", "-=", "*=", "/=", "->", "..":
		return true
	}
	return false
}
