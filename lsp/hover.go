package lsp

import (
	"context"
	"fmt"
	"go/token"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/rose-go/rose/check"
	"github.com/rose-go/rose/parser"
)

func (s *Server) hover(ctx context.Context, sn *snapshot, p *protocol.HoverParams) (any, error) {
	off := sn.lines.offset(p.Position)
	prog := sn.program()
	var b strings.Builder
	var rng protocol.Range
	ex := sn.exampleAt(off)
	if ex >= 0 {
		s.setActive(sn, prog.Pkg.Examples[ex].Func.Name, ex)
	}
	id := sn.identAt(off)
	if id != nil {
		o := sn.objectOf(id)
		if o == nil {
			return nil, nil
		}
		rng = sn.identRange(id)
		sn.describe(ctx, &b, o, id)
	}
	if ex >= 0 && id == nil {
		if r := sn.result(ctx, ex); r != nil {
			if b.Len() > 0 {
				b.WriteString("\n\n---\n\n")
			}
			fmt.Fprintf(&b, "`%s`\n\n```\n%s\n```", r.text, r.message())
			if id == nil {
				rng = sn.lines.rangeOf(sn.offset(r.pos), sn.offset(r.end))
			}
		}
	}
	if b.Len() == 0 {
		return nil, nil
	}
	return &protocol.Hover{Contents: protocol.MarkupContent{Kind: protocol.Markdown, Value: b.String()}, Range: &rng}, nil
}

// describe writes the hover text of an object: its declaration, its doc
// comment and, at the active example of its function, its value and
// derivative.
func (sn *snapshot) describe(ctx context.Context, b *strings.Builder, o check.Object, at *parser.Ident) {
	code := func(s string) { fmt.Fprintf(b, "```rose\n%s\n```", s) }
	switch o := o.(type) {
	case *check.FuncObj:
		code(sn.signature(o.Decl))
		writeDoc(b, docOf(o.Decl))
		if r := sn.activeExample(ctx, o.Name); r != nil {
			fmt.Fprintf(b, "\n\nAt `%s`:\n\n```\n%s\n```", r.text, r.message())
		}
	case *check.VarObj:
		kind := "let"
		if o.Mutable {
			kind = "var"
		}
		fn, param := sn.paramOf(o)
		if param >= 0 {
			kind = "parameter"
		}
		code(fmt.Sprintf("%s %s: %s", kind, o.Name, o.Type))
		if fn == nil {
			return
		}
		r := sn.activeExample(ctx, fn.Name.Name)
		if r == nil || r.err != nil || r.ex == nil {
			return
		}
		if param >= 0 && param < len(r.ex.Args) {
			fmt.Fprintf(b, "\n\nAt `%s`: %s = `%s`", r.text, o.Name, short(r.ex.Args[param], r.ex.Func.Params()[param]))
			for _, g := range r.grads {
				if g.param == param {
					fmt.Fprintf(b, "\n\n∂%s/∂%s = `%s`", fn.Name.Name, o.Name, g.full)
				}
			}
		} else if v, ok := sn.liveValue(ctx, r, o, at); ok {
			fmt.Fprintf(b, "\n\nAt `%s`: %s = `%s`", r.text, o.Name, v)
		}
	case *check.ConstObj:
		code(fmt.Sprintf("const %s: %s", o.Name, o.Type))
		if o.Decl != nil {
			writeDoc(b, docOf(o.Decl))
		}
	case *check.TypeObj:
		switch d := o.Decl.(type) {
		case *parser.TypeDecl:
			code(fmt.Sprintf("type %s = %s", o.Name, o.Type))
		case *parser.StructDecl:
			code(sn.text1(d))
		default:
			code(o.Name)
		}
		writeDoc(b, docOf(o.Decl))
	case *check.SizeParam:
		code(fmt.Sprintf("size %s of %s", o.Name, o.Func.Name))
	case *check.BuiltinObj:
		code(check.BuiltinSignature(o.Name))
	case *check.Field:
		code(fmt.Sprintf("field %s: %s", o.Name, o.Type))
		writeDoc(b, sn.fieldDoc(o))
	default:
		code(o.ObjName())
	}
}

func writeDoc(b *strings.Builder, doc string) {
	if doc != "" {
		b.WriteString("\n\n" + doc)
	}
}

// exampleAt is the index of the example whose declaration contains off,
// or -1.
func (sn *snapshot) exampleAt(off int) int {
	prog := sn.program()
	if prog.Err() != nil {
		return -1
	}
	p := sn.pos(off)
	for i, ex := range prog.Pkg.Examples {
		if ex.Decl.Pos() <= p && p <= ex.Decl.End() {
			return i
		}
	}
	return -1
}

// result is the evaluated example i, waiting for the evaluation.
func (sn *snapshot) result(ctx context.Context, i int) *exampleResult {
	evals, err := sn.waitEvals(ctx)
	if err != nil || i < 0 || i >= len(evals) {
		return nil
	}
	return evals[i]
}

// activeExample is the evaluated example of function fn that the editor
// shows values at: the one the cursor was last on, or its first.
func (sn *snapshot) activeExample(ctx context.Context, fn string) *exampleResult {
	prog := sn.program()
	if prog.Err() != nil {
		return nil
	}
	if i, ok := sn.active.get(fn); ok && i < len(prog.Pkg.Examples) && prog.Pkg.Examples[i].Func.Name == fn {
		return sn.result(ctx, i)
	}
	for i, ex := range prog.Pkg.Examples {
		if ex.Func.Name == fn {
			return sn.result(ctx, i)
		}
	}
	return nil
}

// paramOf is the function declaring v and, when v is one of its
// parameters, its index (else -1).
func (sn *snapshot) paramOf(v *check.VarObj) (*parser.FuncDecl, int) {
	fn := sn.funcAt(v.Pos)
	if fn != nil {
		for i, prm := range fn.Params {
			if prm.Name.NamePos == v.Pos {
				return fn, i
			}
		}
	}
	return fn, -1
}

// funcAt is the function declaration containing p, or nil.
func (sn *snapshot) funcAt(p token.Pos) *parser.FuncDecl {
	d, _ := sn.enclosingDecl(p).(*parser.FuncDecl)
	return d
}

// fieldDoc is the doc comment of a struct field.
func (sn *snapshot) fieldDoc(f *check.Field) string {
	for _, d := range sn.program().File.Decls {
		if sd, ok := d.(*parser.StructDecl); ok {
			for _, p := range sd.Fields {
				if p.Name.NamePos == f.Pos {
					return p.Doc
				}
			}
		}
	}
	return ""
}
