package lsp

import (
	"context"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/rose-go/rose/parser"
)

// inlayHints shows, within the requested range: after each example, its
// value and gradient; after each parameter of a function with an example,
// its partial derivative at the active example; with live values on,
// after each let and var, its value there. Each kind can be switched off.
func (s *Server) inlayHints(ctx context.Context, sn *snapshot, p *InlayHintParams) (any, error) {
	out := []InlayHint{}
	prog := sn.program()
	if prog.Err() != nil {
		return out, nil
	}
	from, to := sn.lines.offset(p.Range.Start), sn.lines.offset(p.Range.End)
	in := func(pos int) bool { return from <= pos && pos <= to }
	evals, err := sn.waitEvals(ctx)
	if err != nil {
		return nil, err
	}
	if sn.cfg.ExampleValues {
		for _, r := range evals {
			at := sn.offset(r.end)
			if !in(at) {
				continue
			}
			out = append(out, InlayHint{Position: sn.lines.position(at), Label: r.label(), PaddingLeft: true,
				Tooltip: &protocol.MarkupContent{Kind: protocol.PlainText, Value: r.text + " = " + r.message()}})
		}
	}
	if sn.cfg.ParamGradients {
		for _, d := range prog.File.Decls {
			fd, ok := d.(*parser.FuncDecl)
			if !ok || !in(sn.offset(fd.Pos())) && !in(sn.offset(fd.End())) {
				continue
			}
			r := sn.activeExample(ctx, fd.Name.Name)
			if r == nil || r.err != nil {
				continue
			}
			for _, g := range r.grads {
				if g.param >= len(fd.Params) {
					continue
				}
				prm := fd.Params[g.param]
				at := sn.offset(prm.Type.End())
				out = append(out, InlayHint{Position: sn.lines.position(at), Label: "∂ " + g.short, PaddingLeft: true,
					Tooltip: &protocol.MarkupContent{Kind: protocol.PlainText,
						Value: "∂" + fd.Name.Name + "/∂" + g.name + " = " + g.full + "\nat " + r.text}})
			}
		}
	}
	if sn.cfg.LiveValues {
		out = append(out, sn.liveHints(ctx, from, to)...)
	}
	return out, nil
}

// label is an example's hint: "= value  ∇x = [..]", or why there is no
// value.
func (r *exampleResult) label() string {
	switch {
	case r.err != nil && r.gradOnly:
		return cut("= "+r.short+"  ∇ "+r.why(), 43)
	case r.stop != "":
		return r.stop
	case r.err != nil:
		return "⚠ " + cut(errorText(r.err), 40)
	}
	var b strings.Builder
	b.WriteString("= " + r.short)
	for _, g := range r.grads {
		b.WriteString("  ∇" + g.name + " = " + g.short)
	}
	return cut(b.String(), 43)
}

// cut shortens s to about n characters at a rune boundary.
func cut(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n-1]) + "…"
}
