// Package diag is the one shape of error every phase reports: a span, a
// stable code and a message, with optional related positions. The CLI and
// the language server render the same values.
package diag

import (
	"fmt"
	"go/token"
	"sort"
	"strings"
)

// Diagnostic is one error found in a source file.
type Diagnostic struct {
	Pos, End token.Pos // the span; End may equal Pos
	Code     string    // stable identifier, e.g. "undefined"; see docs/language.md
	Msg      string
	Related  []Related // secondary positions such as "declared here"
}

// Related is a secondary position of a diagnostic.
type Related struct {
	Pos token.Pos
	Msg string
}

// List collects diagnostics in report order.
type List []Diagnostic

// Add appends a diagnostic.
func (l *List) Add(pos, end token.Pos, code, format string, args ...any) {
	*l = append(*l, Diagnostic{Pos: pos, End: end, Code: code, Msg: fmt.Sprintf(format, args...)})
}

// Sort orders the list by position, keeping report order for ties.
func (l List) Sort() {
	sort.SliceStable(l, func(i, j int) bool { return l[i].Pos < l[j].Pos })
}

// Format renders d as "file:line:col: error[code]: msg", with related
// positions on following lines.
func Format(fset *token.FileSet, d Diagnostic) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: error[%s]: %s", position(fset, d.Pos), d.Code, d.Msg)
	for _, r := range d.Related {
		fmt.Fprintf(&b, "\n\t%s: %s", position(fset, r.Pos), r.Msg)
	}
	return b.String()
}

func position(fset *token.FileSet, p token.Pos) string {
	if !p.IsValid() {
		return "-"
	}
	pos := fset.Position(p)
	return fmt.Sprintf("%s:%d:%d", pos.Filename, pos.Line, pos.Column)
}

// Error makes a List usable as an error; it shows the first diagnostic and
// how many follow.
type Error struct {
	Fset  *token.FileSet
	Diags List
}

func (e *Error) Error() string {
	if len(e.Diags) == 0 {
		return "no errors"
	}
	s := Format(e.Fset, e.Diags[0])
	if n := len(e.Diags) - 1; n > 0 {
		s += fmt.Sprintf(" (and %d more errors)", n)
	}
	return s
}
