package lsp

import (
	"context"
	"fmt"
	"go/token"
	"sort"
	"strings"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/rose-go/rose/check"
	"github.com/rose-go/rose/grammar/lex"
	"github.com/rose-go/rose/parser"
)

// identAt is the name at byte offset off (touching it at either end), or
// nil.
func (sn *snapshot) identAt(off int) *parser.Ident {
	ids := sn.idents()
	p := sn.pos(off)
	i := sort.Search(len(ids), func(i int) bool { return ids[i].End() >= p })
	if i < len(ids) && ids[i].Pos() <= p {
		return ids[i]
	}
	return nil
}

// idents lists every name in the file in source order (computed once per
// snapshot, under the program's lock).
func (sn *snapshot) idents() []*parser.Ident {
	sn.identOnce.Do(func() {
		prog := sn.program()
		for _, d := range prog.File.Decls {
			parser.Inspect(d, func(n parser.Node) bool {
				if id, ok := n.(*parser.Ident); ok && id.NamePos.IsValid() {
					sn.identList = append(sn.identList, id)
				}
				return true
			})
		}
		sort.SliceStable(sn.identList, func(i, j int) bool { return sn.identList[i].NamePos < sn.identList[j].NamePos })
	})
	return sn.identList
}

// objectOf is what a name refers to or declares.
func (sn *snapshot) objectOf(id *parser.Ident) check.Object {
	pkg := sn.program().Pkg
	if o, ok := pkg.Defs[id]; ok {
		return o
	}
	if o, ok := pkg.Uses[id]; ok {
		return o
	}
	return nil
}

// refsOf lists the names that refer to or declare o, in source order.
// Fields are compared by position: a tangent struct's fields are distinct
// objects at the positions of the fields they derive from.
func (sn *snapshot) refsOf(o check.Object) []*parser.Ident {
	var out []*parser.Ident
	_, field := o.(*check.Field)
	for _, id := range sn.idents() {
		r := sn.objectOf(id)
		if r == o {
			out = append(out, id)
		} else if f, ok := r.(*check.Field); ok && field && f.ObjPos() == o.ObjPos() {
			out = append(out, id)
		}
	}
	return out
}

func (sn *snapshot) identRange(id *parser.Ident) protocol.Range {
	off := sn.offset(id.NamePos)
	return sn.lines.rangeOf(off, off+len(id.Name))
}

// declPos is where o is declared, if in this file.
func declPos(o check.Object) token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.ObjPos()
}

func (s *Server) definition(ctx context.Context, sn *snapshot, p *protocol.DefinitionParams) (any, error) {
	id := sn.identAt(sn.lines.offset(p.Position))
	if id == nil {
		return nil, nil
	}
	pos := declPos(sn.objectOf(id))
	if !pos.IsValid() {
		return nil, nil
	}
	off := sn.offset(pos)
	return []protocol.Location{{URI: sn.uri, Range: sn.lines.rangeOf(off, off+len(id.Name))}}, nil
}

// refsAt is the object named at p and all the names of it.
func (sn *snapshot) refsAt(p protocol.Position) (check.Object, []*parser.Ident) {
	id := sn.identAt(sn.lines.offset(p))
	if id == nil {
		return nil, nil
	}
	o := sn.objectOf(id)
	if o == nil {
		return nil, nil
	}
	return o, sn.refsOf(o)
}

func (s *Server) references(ctx context.Context, sn *snapshot, p *protocol.ReferenceParams) (any, error) {
	o, refs := sn.refsAt(p.Position)
	if o == nil {
		return nil, nil
	}
	out := []protocol.Location{}
	for _, r := range refs {
		if !p.Context.IncludeDeclaration && r.NamePos == o.ObjPos() {
			continue
		}
		out = append(out, protocol.Location{URI: sn.uri, Range: sn.identRange(r)})
	}
	return out, nil
}

func (s *Server) highlight(ctx context.Context, sn *snapshot, p *protocol.DocumentHighlightParams) (any, error) {
	// Editors ask for highlights as the cursor moves: on an example line,
	// that example becomes its function's active one.
	if ex := sn.exampleAt(sn.lines.offset(p.Position)); ex >= 0 {
		s.setActive(sn, sn.program().Pkg.Examples[ex].Func.Name, ex)
	}
	o, refs := sn.refsAt(p.Position)
	if o == nil {
		return nil, nil
	}
	out := []protocol.DocumentHighlight{}
	for _, r := range refs {
		kind := protocol.DocumentHighlightKindRead
		if r.NamePos == o.ObjPos() {
			kind = protocol.DocumentHighlightKindWrite
		}
		out = append(out, protocol.DocumentHighlight{Range: sn.identRange(r), Kind: kind})
	}
	return out, nil
}

// renamable is the object a rename at id would change: one declared in
// this file (not a builtin or predeclared name).
func (sn *snapshot) renamable(id *parser.Ident) (check.Object, error) {
	o := sn.objectOf(id)
	if o == nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "no name to rename here")
	}
	if !o.ObjPos().IsValid() {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, fmt.Sprintf("%s is predeclared and cannot be renamed", o.ObjName()))
	}
	return o, nil
}

func (s *Server) prepareRename(ctx context.Context, sn *snapshot, p *protocol.PrepareRenameParams) (any, error) {
	id := sn.identAt(sn.lines.offset(p.Position))
	if id == nil {
		return nil, nil
	}
	if _, err := sn.renamable(id); err != nil {
		return nil, err
	}
	return &PrepareRenameResult{Range: sn.identRange(id), Placeholder: id.Name}, nil
}

func (s *Server) rename(ctx context.Context, sn *snapshot, p *protocol.RenameParams) (any, error) {
	id := sn.identAt(sn.lines.offset(p.Position))
	if id == nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "no name to rename here")
	}
	o, err := sn.renamable(id)
	if err != nil {
		return nil, err
	}
	if !validName(p.NewName) {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, fmt.Sprintf("%q is not a valid name", p.NewName))
	}
	if clash := sn.renameClash(o, p.NewName); clash != "" {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, clash)
	}
	var edits []protocol.TextEdit
	for _, r := range sn.refsOf(o) {
		edits = append(edits, protocol.TextEdit{Range: sn.identRange(r), NewText: p.NewName})
	}
	return &protocol.WorkspaceEdit{Changes: map[protocol.DocumentURI][]protocol.TextEdit{sn.uri: edits}}, nil
}

// renameClash explains why renaming o to name would change what some
// name refers to, or is "". It costs a scope lookup per reference and one
// pass over the file's names.
func (sn *snapshot) renameClash(o check.Object, name string) string {
	if name == o.ObjName() {
		return ""
	}
	line := func(p token.Pos) int { return int(sn.lines.position(sn.offset(p)).Line) + 1 }
	if check.BuiltinSignature(name) != "" {
		return fmt.Sprintf("%s is a builtin", name)
	}
	if f, ok := o.(*check.Field); ok {
		// Fields are looked up in their struct, not in scopes.
		for _, d := range sn.program().File.Decls {
			if sd, ok := d.(*parser.StructDecl); ok {
				for _, p := range sd.Fields {
					if p.Name.NamePos == f.Pos {
						for _, q := range sd.Fields {
							if q.Name.Name == name {
								return fmt.Sprintf("%s already has a field %s (line %d)", sd.Name.Name, name, line(q.Name.NamePos))
							}
						}
					}
				}
			}
		}
		return ""
	}
	for _, d := range sn.program().File.Decls {
		if n := declName(d); n != nil && n.Name == name {
			return fmt.Sprintf("%s is already declared at line %d", name, line(n.NamePos))
		}
	}
	pkg := sn.program().Pkg
	// At each reference, name must not already mean something else.
	for _, r := range sn.refsOf(o) {
		if sc := pkg.ScopeAt(r.NamePos); sc != nil {
			if other := sc.Lookup(name, r.NamePos); other != nil && other != o {
				return fmt.Sprintf("%s at line %d would refer to the %s declared at line %d", o.ObjName(), line(r.NamePos), name, line(other.ObjPos()))
			}
		}
	}
	// And no use of another name in o's scope may be captured.
	if home := pkg.ScopeAt(o.ObjPos()); home != nil && home.Parent() != nil && home != pkg.Scope() {
		for _, id := range sn.idents() {
			if id.Name == name && home.Contains(id.NamePos) && id.NamePos > o.ObjPos() {
				return fmt.Sprintf("the %s at line %d would then refer to the renamed %s", name, line(id.NamePos), o.ObjName())
			}
		}
	}
	return ""
}

// enclosingDecl is the top-level declaration containing p, or nil
// (declarations are in source order: a binary search).
func (sn *snapshot) enclosingDecl(p token.Pos) parser.Decl {
	decls := sn.program().File.Decls
	i := sort.Search(len(decls), func(i int) bool { return decls[i].End() >= p })
	if i < len(decls) && decls[i].Pos() <= p {
		return decls[i]
	}
	return nil
}

// declName is the name a declaration declares, or nil.
func declName(d parser.Decl) *parser.Ident {
	n, _ := declInfo(d)
	return n
}

// docOf is a declaration's doc comment (the comment lines just above it).
func docOf(d parser.Decl) string {
	_, doc := declInfo(d)
	return doc
}

func declInfo(d parser.Decl) (*parser.Ident, string) {
	switch d := d.(type) {
	case *parser.FuncDecl:
		return d.Name, d.Doc
	case *parser.ConstDecl:
		return d.Name, d.Doc
	case *parser.TypeDecl:
		return d.Name, d.Doc
	case *parser.StructDecl:
		return d.Name, d.Doc
	case *parser.TestDecl:
		return d.Name, d.Doc
	}
	return nil, ""
}

func validName(s string) bool {
	if s == "" || lex.IsKeyword(s) {
		return false
	}
	for i, r := range s {
		ok := r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9'
		if !ok {
			return false
		}
	}
	return !strings.HasPrefix(s, "__")
}

func (s *Server) symbols(ctx context.Context, sn *snapshot, p *protocol.DocumentSymbolParams) (any, error) {
	prog := sn.program()
	out := []protocol.DocumentSymbol{}
	rng := func(n parser.Node) protocol.Range { return sn.lines.rangeOf(sn.offset(n.Pos()), sn.offset(n.End())) }
	for i, d := range prog.File.Decls {
		var sym protocol.DocumentSymbol
		switch d := d.(type) {
		case *parser.FuncDecl:
			sym = protocol.DocumentSymbol{Name: d.Name.Name, Kind: protocol.SymbolKindFunction, Detail: sn.signature(d)}
			for _, prm := range d.Params {
				sym.Children = append(sym.Children, protocol.DocumentSymbol{Name: prm.Name.Name, Kind: protocol.SymbolKindVariable,
					Detail: sn.text1(prm.Type), Range: rng(prm.Name), SelectionRange: sn.identRange(prm.Name)})
			}
		case *parser.ConstDecl:
			sym = protocol.DocumentSymbol{Name: d.Name.Name, Kind: protocol.SymbolKindConstant}
		case *parser.TypeDecl:
			sym = protocol.DocumentSymbol{Name: d.Name.Name, Kind: protocol.SymbolKindTypeParameter, Detail: "= " + sn.text1(d.Type)}
		case *parser.StructDecl:
			sym = protocol.DocumentSymbol{Name: d.Name.Name, Kind: protocol.SymbolKindStruct}
			for _, f := range d.Fields {
				sym.Children = append(sym.Children, protocol.DocumentSymbol{Name: f.Name.Name, Kind: protocol.SymbolKindField,
					Detail: sn.text1(f.Type), Range: rng(f.Name), SelectionRange: sn.identRange(f.Name)})
			}
		case *parser.ExampleDecl:
			sym = protocol.DocumentSymbol{Name: "example " + sn.text1(d.Call), Kind: protocol.SymbolKindEvent}
			sym.SelectionRange = rng(d)
		case *parser.TestDecl:
			sym = protocol.DocumentSymbol{Name: "test " + d.Name.Name, Kind: protocol.SymbolKindMethod}
		default:
			continue
		}
		_ = i
		sym.Range = rng(d)
		if n := declName(d); n != nil {
			sym.SelectionRange = sn.identRange(n)
		}
		if len(sym.Name) > 80 {
			sym.Name = sym.Name[:77] + "..."
		}
		out = append(out, sym)
	}
	return out, nil
}

// text1 is the source text of n on one line.
func (sn *snapshot) text1(n parser.Node) string {
	if n == nil {
		return ""
	}
	from, to := sn.offset(n.Pos()), sn.offset(n.End())
	if from < 0 || to > len(sn.text) || from > to {
		return ""
	}
	return strings.Join(strings.Fields(string(sn.text[from:to])), " ")
}

// signature is a function's header as written, without its body.
func (sn *snapshot) signature(d *parser.FuncDecl) string {
	end := d.End()
	if d.Body != nil {
		end = d.Body.Pos()
	}
	from, to := sn.offset(d.Pos()), sn.offset(end)
	return strings.TrimSpace(strings.Join(strings.Fields(string(sn.text[from:to])), " "))
}
