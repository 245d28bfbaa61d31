package lsp

import (
	"context"
	"go/token"
	"sync"

	"go.lsp.dev/protocol"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/check"
	"github.com/rose-go/rose/diag"
	"github.com/rose-go/rose/parser"
	"github.com/rose-go/rose/value"
)

// live is the traced run of an example (rose.Program.LiveValues): the
// value of each binding of its function and the first operation that made
// a NaN or an infinity. It is computed at most once per example and
// snapshot, and only when asked for: a traced run is much slower than a
// plain one.
type live struct {
	once   sync.Once
	values map[token.Pos]value.Value
	nonFin *rose.NonFinite
	err    error
}

// trace runs r traced (once), within the snapshot's evaluation budget.
func (sn *snapshot) trace(r *exampleResult) *live {
	r.live.once.Do(func() {
		if r.ex == nil || r.ex.Func == nil {
			return
		}
		ctx, cancel := context.WithTimeout(sn.ctx, sn.cfg.Timeout)
		defer cancel()
		r.live.values, r.live.nonFin, r.live.err = sn.program().LiveValues(ctx, r.ex, sn.cfg.limits())
	})
	return &r.live
}

// liveValue is the value of variable o at the name at, at example r: the
// value bound or assigned there, or for a use, that of the binding or
// assignment before it in the source (after a loop: its last step).
func (sn *snapshot) liveValue(ctx context.Context, r *exampleResult, o check.Object, at *parser.Ident) (string, bool) {
	if !sn.cfg.LiveValues || at == nil {
		return "", false
	}
	values := sn.trace(r).values
	v, ok := values[at.NamePos]
	if !ok {
		for _, ref := range sn.refsOf(o) {
			if ref.NamePos >= at.NamePos {
				break
			}
			if w, found := values[ref.NamePos]; found {
				v, ok = w, true
			}
		}
	}
	if !ok {
		return "", false
	}
	return short(v, nil), true
}

// nonFiniteDiags warn about an example whose value is NaN or infinite: at
// the operation that first produced a non-finite value, and at the
// example.
func (sn *snapshot) nonFiniteDiags(r *exampleResult) []protocol.Diagnostic {
	msg := r.text + " = " + r.short
	l := sn.trace(r)
	var out []protocol.Diagnostic
	ex := diag.Diagnostic{Pos: r.pos, End: r.end, Code: "non-finite", Msg: msg}
	if nf := l.nonFin; nf != nil && nf.Pos.IsValid() {
		out = append(out, sn.diag(diag.Diagnostic{Pos: nf.Pos, End: nf.Pos, Code: "non-finite", Msg: nf.Msg + " (in example " + r.text + ")",
			Related: []diag.Related{{Pos: r.pos, Msg: "evaluating this example"}}}, protocol.DiagnosticSeverityWarning))
		ex.Related = []diag.Related{{Pos: nf.Pos, Msg: nf.Msg}}
	}
	return append(out, sn.diag(ex, protocol.DiagnosticSeverityWarning))
}

// liveHints are the live values of the lets, vars and assignments in
// [from, to], each after its statement, at the active example of its
// function.
func (sn *snapshot) liveHints(ctx context.Context, from, to int) []InlayHint {
	var out []InlayHint
	for _, d := range sn.program().File.Decls {
		fd, ok := d.(*parser.FuncDecl)
		if !ok || fd.Body == nil || sn.offset(fd.End()) < from || sn.offset(fd.Pos()) > to {
			continue
		}
		r := sn.activeExample(ctx, fd.Name.Name)
		if r == nil || r.ex == nil || r.ex.Func == nil {
			continue
		}
		values := sn.trace(r).values
		if len(values) == 0 {
			continue
		}
		parser.Inspect(fd.Body, func(n parser.Node) bool {
			var names []*parser.Ident
			switch s := n.(type) {
			case *parser.LetStmt:
				names = s.Names
			case *parser.AssignStmt:
				names = []*parser.Ident{s.Target}
			default:
				return true
			}
			at := sn.offset(n.End())
			if at < from || at > to {
				return true
			}
			for _, id := range names {
				if v, ok := values[id.NamePos]; ok {
					out = append(out, InlayHint{Position: sn.lines.position(at), Label: cut(id.Name+" = "+short(v, nil), 43), PaddingLeft: true,
						Tooltip: &protocol.MarkupContent{Kind: protocol.PlainText, Value: id.Name + " = " + value.Format(v, nil) + "\nat " + r.text}})
				}
			}
			return true
		})
	}
	return out
}
