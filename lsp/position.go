package lsp

import (
	"sort"
	"unicode/utf8"

	"go.lsp.dev/protocol"
)

// lines converts between byte offsets into a document and LSP positions,
// whose columns count UTF-16 code units. Every conversion in the server
// goes through it, so a line with emoji or CJK text maps the same way in
// diagnostics, hover, edits and hints.
type lines struct {
	src    []byte
	starts []int // byte offset of the start of each line
}

func newLines(src []byte) *lines {
	starts := make([]int, 1, 1+len(src)/32)
	for i, b := range src {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return &lines{src: src, starts: starts}
}

// position is the LSP position of byte offset off, clamped to the text.
func (l *lines) position(off int) protocol.Position {
	off = max(0, min(off, len(l.src)))
	line := sort.Search(len(l.starts), func(i int) bool { return l.starts[i] > off }) - 1
	col := 0
	for i := l.starts[line]; i < off; {
		r, n := utf8.DecodeRune(l.src[i:])
		if i+n > off {
			break // off is inside a character: stop at its start
		}
		col += utf16Len(r)
		i += n
	}
	return protocol.Position{Line: uint32(line), Character: uint32(col)}
}

// offset is the byte offset of an LSP position. A line past the end maps to
// the end of the text; a column past the end of its line (or inside a
// surrogate pair) maps to the end of the line (or the character's start).
func (l *lines) offset(p protocol.Position) int {
	if int(p.Line) >= len(l.starts) {
		return len(l.src)
	}
	i := l.starts[p.Line]
	end := len(l.src)
	if int(p.Line)+1 < len(l.starts) {
		end = l.starts[p.Line+1] - 1 // the newline
	}
	for col := 0; i < end; {
		r, n := utf8.DecodeRune(l.src[i:])
		w := utf16Len(r)
		if col+w > int(p.Character) {
			break
		}
		col += w
		i += n
	}
	if i > end {
		i = end
	}
	return i
}

// rangeOf is the LSP range of the byte span [from, to).
func (l *lines) rangeOf(from, to int) protocol.Range {
	return protocol.Range{Start: l.position(from), End: l.position(max(from, to))}
}

func utf16Len(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// utf16Count is the number of UTF-16 code units of s.
func utf16Count(s []byte) int {
	n := 0
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		n += utf16Len(r)
		s = s[size:]
	}
	return n
}
