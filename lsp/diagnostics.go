package lsp

import (
	"go/token"

	"go.lsp.dev/protocol"

	"github.com/rose-go/rose/diag"
)

// diagnostics are the snapshot's syntax and type errors and, with
// withEval, the warnings of evaluating its examples: runtime errors at
// their source position and at the example, non-finite results.
func (sn *snapshot) diagnostics(withEval bool) []protocol.Diagnostic {
	prog := sn.program()
	out := []protocol.Diagnostic{}
	for _, d := range prog.Diags {
		out = append(out, sn.diag(d, protocol.DiagnosticSeverityError))
	}
	if !withEval || len(prog.Diags) > 0 {
		return out
	}
	for _, r := range sn.evals {
		switch {
		case r.stop != "":
			out = append(out, sn.diag(diag.Diagnostic{Pos: r.pos, End: r.end, Code: "eval-stopped", Msg: r.stop}, protocol.DiagnosticSeverityInformation))
		case r.err != nil && r.errPos.IsValid():
			d := diag.Diagnostic{Pos: r.errPos, End: r.errPos, Code: "runtime", Msg: errorText(r.err) + " (in example " + r.text + ")",
				Related: []diag.Related{{Pos: r.pos, Msg: "evaluating this example"}}}
			out = append(out, sn.diag(d, protocol.DiagnosticSeverityWarning))
			out = append(out, sn.diag(diag.Diagnostic{Pos: r.pos, End: r.end, Code: "runtime", Msg: errorText(r.err),
				Related: []diag.Related{{Pos: r.errPos, Msg: "fails here"}}}, protocol.DiagnosticSeverityWarning))
		case r.err != nil:
			out = append(out, sn.diag(diag.Diagnostic{Pos: r.pos, End: r.end, Code: "runtime", Msg: errorText(r.err)}, protocol.DiagnosticSeverityWarning))
		case r.hasVal && nonFinite(r.value):
			out = append(out, sn.nonFiniteDiags(r)...)
		}
	}
	return out
}

// diag converts a diagnostic; a zero-width span is widened to the token
// there so that editors can underline it.
func (sn *snapshot) diag(d diag.Diagnostic, sev protocol.DiagnosticSeverity) protocol.Diagnostic {
	from, to := sn.offset(d.Pos), sn.offset(d.End)
	if to <= from {
		to = tokenEnd(sn.text, from)
	}
	pd := protocol.Diagnostic{Range: sn.lines.rangeOf(from, to), Severity: sev, Code: d.Code, Source: "rose", Message: d.Msg}
	for _, r := range d.Related {
		if !r.Pos.IsValid() {
			continue
		}
		off := sn.offset(r.Pos)
		pd.RelatedInformation = append(pd.RelatedInformation, protocol.DiagnosticRelatedInformation{
			Location: protocol.Location{URI: sn.uri, Range: sn.lines.rangeOf(off, tokenEnd(sn.text, off))}, Message: r.Msg})
	}
	return pd
}

// offset is the byte offset of a position of the snapshot's file set.
func (sn *snapshot) offset(p token.Pos) int {
	prog := sn.program()
	if !p.IsValid() {
		return 0
	}
	tf := prog.Fset.File(p)
	if tf == nil {
		return 0
	}
	return tf.Offset(p)
}

// pos is the file-set position of a byte offset.
func (sn *snapshot) pos(off int) token.Pos {
	prog := sn.program()
	tf := prog.Fset.File(prog.File.FileEnd)
	off = max(0, min(off, tf.Size()))
	return tf.Pos(off)
}

// tokenEnd is the end of the word or character at off (at least one
// character, unless at the end of a line or file).
func tokenEnd(src []byte, off int) int {
	i := off
	for i < len(src) && isWordByte(src[i]) {
		i++
	}
	if i == off && i < len(src) && src[i] != '\n' {
		i++
		for i < len(src) && src[i]&0xC0 == 0x80 {
			i++
		}
	}
	return i
}

func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80
}
