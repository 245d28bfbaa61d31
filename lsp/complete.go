package lsp

import (
	"context"
	"go/token"
	"sort"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/rose-go/rose/check"
	"github.com/rose-go/rose/grammar/lex"
	"github.com/rose-go/rose/parser"
)

// completion offers, after `x.`, the fields of x's struct type; elsewhere
// the names in scope at the position, the builtins and the keywords.
func (s *Server) completion(ctx context.Context, sn *snapshot, p *protocol.CompletionParams) (any, error) {
	off := sn.lines.offset(p.Position)
	start := off
	for start > 0 && isWordByte(sn.text[start-1]) && sn.text[start-1] < 0x80 {
		start--
	}
	prefix := string(sn.text[start:off])
	list := &protocol.CompletionList{Items: []protocol.CompletionItem{}}
	add := func(it protocol.CompletionItem) {
		if strings.HasPrefix(it.Label, prefix) {
			list.Items = append(list.Items, it)
		}
	}
	if start > 0 && sn.text[start-1] == '.' {
		for _, f := range sn.fieldsBefore(start - 1) {
			add(protocol.CompletionItem{Label: f.Name, Kind: protocol.CompletionItemKindField, Detail: f.Type.String()})
		}
		return list, nil
	}
	seen := map[string]bool{}
	for _, o := range sn.visible(sn.pos(off)) {
		if seen[o.ObjName()] {
			continue
		}
		seen[o.ObjName()] = true
		add(sn.item(o))
	}
	docs := check.BuiltinDocs()
	names := make([]string, 0, len(docs))
	for name := range docs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !seen[name] {
			kind := protocol.CompletionItemKindFunction
			if !strings.Contains(docs[name], "(") {
				kind = protocol.CompletionItemKindConstant
			}
			add(protocol.CompletionItem{Label: name, Kind: kind, Detail: docs[name]})
		}
	}
	for _, t := range []string{"Real", "Int", "Bool"} {
		add(protocol.CompletionItem{Label: t, Kind: protocol.CompletionItemKindClass, Detail: "builtin type"})
	}
	for _, k := range lex.Keywords {
		add(protocol.CompletionItem{Label: k, Kind: protocol.CompletionItemKindKeyword, Detail: keywordDocs[k]})
	}
	return list, nil
}

// item is the completion item of an object.
func (sn *snapshot) item(o check.Object) protocol.CompletionItem {
	it := protocol.CompletionItem{Label: o.ObjName()}
	switch o := o.(type) {
	case *check.FuncObj:
		it.Kind, it.Detail = protocol.CompletionItemKindFunction, sn.signature(o.Decl)
		if doc := docOf(o.Decl); doc != "" {
			it.Documentation = doc
		}
	case *check.VarObj:
		it.Kind, it.Detail = protocol.CompletionItemKindVariable, o.Type.String()
	case *check.ConstObj:
		it.Kind, it.Detail = protocol.CompletionItemKindConstant, o.Type.String()
	case *check.TypeObj:
		it.Kind, it.Detail = protocol.CompletionItemKindClass, o.Type.String()
		if _, ok := o.Decl.(*parser.StructDecl); ok {
			it.Kind = protocol.CompletionItemKindStruct
		}
	case *check.SizeParam:
		it.Kind, it.Detail = protocol.CompletionItemKindTypeParameter, "size"
	case *check.BuiltinObj:
		it.Kind, it.Detail = protocol.CompletionItemKindFunction, check.BuiltinSignature(o.Name)
		if !strings.Contains(it.Detail, "(") {
			it.Kind = protocol.CompletionItemKindConstant
		}
	}
	return it
}

// fieldsBefore lists the fields of the struct value whose expression ends
// at the dot at off: a name, or a chain of selections of names.
func (sn *snapshot) fieldsBefore(dot int) []check.Field {
	end := dot
	for end > 0 && (sn.text[end-1] == ' ' || sn.text[end-1] == '\t') {
		end--
	}
	if end == 0 {
		return nil
	}
	id := sn.identAt(end - 1)
	if id == nil || sn.offset(id.End()) != end {
		return nil
	}
	var t check.Type
	switch o := sn.objectOf(id).(type) {
	case *check.VarObj:
		t = o.Type
	case *check.ConstObj:
		t = o.Type
	case *check.Field:
		t = o.Type // a field of a field
	}
	if st, ok := t.(*check.Struct); ok {
		return st.Fields
	}
	return nil
}

// visible lists the objects in scope at p, innermost first, from the
// checker's scope tree (a let is visible only after its statement).
func (sn *snapshot) visible(p token.Pos) []check.Object {
	pkg := sn.program().Pkg
	sc := pkg.ScopeAt(p)
	if sc == nil {
		return nil
	}
	names := sc.Names(p)
	// A let being typed (`let u = k * |`) is in scope by the checker's
	// spans, which end at its last token, but the cursor is in its value:
	// leave out what is declared earlier on the cursor's line, in the same
	// statement.
	out := names[:0:0]
	for _, o := range names {
		if v, ok := o.(*check.VarObj); ok && v.Pos < p && sameStatement(sn.text[sn.offset(v.Pos):sn.offset(p)]) {
			continue
		}
		out = append(out, o)
	}
	return out
}

// sameStatement reports whether text, between a declaration and the
// cursor, holds no statement separator.
func sameStatement(text []byte) bool {
	for _, b := range text {
		if b == '\n' || b == ';' || b == '{' || b == '}' {
			return false
		}
	}
	return true
}

// signatureHelp shows the signature of the call the cursor is in, with
// the argument under the cursor highlighted.
func (s *Server) signatureHelp(ctx context.Context, sn *snapshot, p *protocol.SignatureHelpParams) (any, error) {
	off := sn.lines.offset(p.Position)
	depth, arg := 0, 0
	open := -1
scan:
	for i := off - 1; i >= 0 && off-i < 4096; i-- {
		switch sn.text[i] {
		case ')', ']', '}':
			depth++
		case '(', '[', '{':
			if depth == 0 {
				if sn.text[i] == '(' {
					open = i
				}
				break scan
			}
			depth--
		case ',':
			if depth == 0 {
				arg++
			}
		case '\n':
			if depth == 0 && i > 0 && sn.text[i-1] == '}' {
				break scan
			}
		}
	}
	if open <= 0 {
		return nil, nil
	}
	id := sn.identAt(open - 1)
	if id == nil || sn.offset(id.End()) != open {
		return nil, nil
	}
	var label, doc string
	var params []string
	switch o := sn.objectOf(id).(type) {
	case *check.FuncObj:
		label, doc = sn.signature(o.Decl), docOf(o.Decl)
		for _, prm := range o.Decl.Params {
			params = append(params, sn.text1(prm.Name)+": "+sn.text1(prm.Type))
		}
	case *check.BuiltinObj:
		label = check.BuiltinSignature(o.Name)
		params = builtinParams(label)
	default:
		name := id.Name
		if sig, ok := check.BuiltinDocs()[name]; ok {
			label, params = sig, builtinParams(sig)
		} else {
			return nil, nil
		}
	}
	sig := protocol.SignatureInformation{Label: label}
	if doc != "" {
		sig.Documentation = doc
	}
	for _, prm := range params {
		sig.Parameters = append(sig.Parameters, protocol.ParameterInformation{Label: prm})
	}
	return &protocol.SignatureHelp{Signatures: []protocol.SignatureInformation{sig}, ActiveParameter: uint32(arg)}, nil
}

// builtinParams splits "f(x: Real, y: Real) -> Real" into its parameters.
func builtinParams(sig string) []string {
	i, j := strings.Index(sig, "("), strings.Index(sig, ")")
	if i < 0 || j < i {
		return nil
	}
	var out []string
	for _, p := range strings.Split(sig[i+1:j], ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// keywordDocs are the one-line forms shown with keyword completions
// (docs/language.md has the full story).
var keywordDocs = map[string]string{
	"fn":      "fn name<n>(x: T, ...) -> R { body }",
	"const":   "const name: T = value",
	"type":    "type Name = T",
	"struct":  "struct Name { field: T, ... }",
	"example": "example f(args): a call that tools evaluate, with its gradient",
	"let":     "let x = value  (or let (a, b) = tuple)",
	"var":     "var x = value: a variable loops and assignments may change",
	"if":      "if cond { ... } else { ... }",
	"else":    "if cond { ... } else { ... }",
	"for":     "for i in lo..hi { ... }  or  [for i in 0..n { elem }]",
	"in":      "for i in lo..hi",
	"while":   "while cond max bound { ... }",
	"true":    "Bool",
	"false":   "Bool",
	"test":    "test name { ...; assert cond }",
	"assert":  "assert cond, in a test",
}
