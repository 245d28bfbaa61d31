package parser

import (
	"fmt"
	"go/token"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/rose-go/rose/diag"
	"github.com/rose-go/rose/grammar/lex"
)

// MaxFileSize is the largest source file accepted (64 MiB).
const MaxFileSize = 64 << 20

// ParseFile parses src as the file filename, registering it in fset. It
// always returns a File; declarations that failed to parse are BadDecls and
// their errors are in the returned list.
func ParseFile(fset *token.FileSet, filename string, src []byte) (f *File, errs diag.List) {
	tf := fset.AddFile(filename, -1, len(src))
	tf.SetLinesForContent(src)
	p := &parser{file: tf, src: src}
	f = &File{Name: filename, FileEnd: p.pos(len(src))}
	defer func() {
		if r := recover(); r != nil {
			p.errs.Add(f.FileEnd, f.FileEnd, "internal", "internal error in parser: %v", r)
			errs = p.errs
		}
	}()
	if len(src) > MaxFileSize {
		p.errs.Add(p.pos(0), p.pos(0), "file-too-large", "file is %d bytes; the limit is %d", len(src), MaxFileSize)
		return f, p.errs
	}
	if !utf8.Valid(src) {
		off := firstInvalidUTF8(src)
		p.errs.Add(p.pos(off), p.pos(off+1), "bad-encoding", "source is not valid UTF-8 (byte 0x%02x)", src[off])
		return f, p.errs
	}
	toks := lex.Tokenize(filename, src)
	var docs map[int]string // line -> text of a comment alone on its line
	codeLine := 0           // line of the last token that is not a comment
	for _, t := range toks {
		switch t.Type {
		case lex.TComment:
			f.Comments = append(f.Comments, &Comment{Slash: p.pos(t.Pos.Offset), Text: t.Value})
			if t.Pos.Line != codeLine {
				if docs == nil {
					docs = map[int]string{}
				}
				docs[t.Pos.Line] = t.Value
			}
		case lex.TNewline:
		default:
			codeLine = t.Pos.Line
		}
	}
	defer func() { attachDocs(f, p.file, docs) }()
	items := lex.Split(toks)
	for k, it := range items {
		p.nextLine = 0
		if k+1 < len(items) {
			p.nextLine = items[k+1].Toks[0].Pos.Line
		}
		if d := p.item(it); d != nil {
			f.Decls = append(f.Decls, d)
		}
	}
	return f, p.errs
}

// attachDocs fills in the Doc of each declaration and struct field from
// docs, the comments alone on their lines, by line.
func attachDocs(f *File, tf *token.File, docs map[int]string) {
	if len(docs) == 0 {
		return
	}
	doc := func(pos token.Pos) string {
		var lines []string
		for l := tf.Line(pos) - 1; l > 0; l-- {
			c, ok := docs[l]
			if !ok {
				break
			}
			lines = append(lines, docText(c))
		}
		slices.Reverse(lines)
		return strings.Join(lines, "\n")
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *FuncDecl:
			d.Doc = doc(d.Pos())
		case *ConstDecl:
			d.Doc = doc(d.Pos())
		case *TypeDecl:
			d.Doc = doc(d.Pos())
		case *TestDecl:
			d.Doc = doc(d.Pos())
		case *StructDecl:
			d.Doc = doc(d.Pos())
			line := tf.Line(d.Pos())
			for _, fd := range d.Fields {
				// Only a field that begins its line has a doc comment.
				if l := tf.Line(fd.Name.Pos()); l != line {
					fd.Doc, line = doc(fd.Name.Pos()), l
				}
			}
		}
	}
}

// docText is a comment's text without the slashes and one space.
func docText(c string) string {
	c = strings.TrimPrefix(c, "//")
	return strings.TrimPrefix(c, " ")
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return 0
}

type parser struct {
	file *token.File
	src  []byte
	errs diag.List

	fast     *fast // reused from item to item
	nextLine int   // line of the item after the one being parsed, or 0
	memoHits int   // failures the fast parser did not recompute (for tests)
	rejected bool  // the grammar rejected the last item parsed (for tests)
}

func (p *parser) pos(off int) token.Pos { return token.Pos(p.file.Base() + off) }

func (p *parser) lpos(lp lexer.Position) token.Pos { return p.pos(lp.Offset) }

func (p *parser) errorf(pos token.Pos, code, format string, args ...any) {
	p.errs.Add(pos, pos, code, format, args...)
}

// item parses one top-level item, recovering inside its blocks; when its
// header is broken it reports and returns a BadDecl. A failure inside the
// parser is confined to the item.
func (p *parser) item(it lex.ItemTokens) Decl {
	return p.itemWith(it, (*parser).parseItem)
}

// itemWith is item with the given parser for the item's tokens.
func (p *parser) itemWith(it lex.ItemTokens, parse func(*parser, []lexer.Token, lexer.Position) (Decl, bool)) (d Decl) {
	first := it.Toks[0]
	bad := &BadDecl{From: p.lpos(first.Pos), To: p.pos(it.End)}
	defer func() {
		if r := recover(); r != nil {
			p.errorf(bad.From, "internal", "internal error in parser: %v", r)
			d = bad
		}
	}()
	if first.Type != lex.TIdent || !isItemKeyword(first.Value) {
		p.errorf(bad.From, "syntax", "expected a declaration (fn, const, type, struct, example or test), found %s", p.describe(first))
		return bad
	}
	bad.Keyword = first.Value
	if len(it.Toks) > 1 && first.Value != "example" {
		if t := it.Toks[1]; t.Type == lex.TIdent && !lex.IsKeyword(t.Value) {
			bad.Name = &Ident{NamePos: p.lpos(t.Pos), Name: t.Value}
		}
	}
	if _, over := lex.Depth(it.Toks); over >= 0 {
		p.errorf(p.lpos(it.Toks[over].Pos), "too-deep", "brackets nested more than %d deep", lex.MaxDepth)
		return bad
	}
	end := lexer.Position{Offset: it.End}
	if it.End < len(p.src) {
		// The item ends where the next begins; report a missing closer there.
		end.Offset = it.End
	}
	d, ok := parse(p, it.Toks, end)
	if !ok {
		return bad
	}
	return d
}

func isItemKeyword(s string) bool {
	switch s {
	case "fn", "const", "type", "struct", "example", "test":
		return true
	}
	return false
}

// describe names a token for an error message. The end of an item that is
// not the last one is not the end of the file: the next declaration begins
// there (an item keyword at the start of a line ends the item before it).
func (p *parser) describe(t lexer.Token) string {
	src := p.src
	switch {
	case t.EOF() && p.nextLine > 0:
		return fmt.Sprintf("end of declaration (the next one begins on line %d)", p.nextLine)
	case t.EOF():
		return "end of file"
	case t.Type == lex.TPunct && t.Value == ";" && t.Pos.Offset < len(src) && src[t.Pos.Offset] == '\n':
		return "newline"
	case t.Type == lex.TNumber:
		return "number " + t.Value
	case t.Type == lex.TIdent && lex.IsKeyword(t.Value):
		return "keyword " + t.Value
	case t.Type == lex.TIdent:
		return "name " + t.Value
	case t.Type == lex.TIllegal:
		return fmt.Sprintf("character %q", t.Value)
	}
	return fmt.Sprintf("%q", t.Value)
}
