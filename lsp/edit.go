package lsp

import (
	"bytes"
	"context"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/rose-go/rose/format"
	"github.com/rose-go/rose/parser"
)

// formatting is `rose fmt` on the document, as one edit of the whole
// text; a file with syntax errors is left as it is.
func (s *Server) formatting(ctx context.Context, sn *snapshot, p *protocol.DocumentFormattingParams) (any, error) {
	out, err := format.Source(sn.path, sn.text)
	if err != nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InternalError, "cannot format a file with syntax errors")
	}
	if bytes.Equal(out, sn.text) {
		return []protocol.TextEdit{}, nil
	}
	return []protocol.TextEdit{{Range: sn.lines.rangeOf(0, len(sn.text)), NewText: string(out)}}, nil
}

// folding folds declarations, blocks and runs of comment lines that span
// lines.
func (s *Server) folding(ctx context.Context, sn *snapshot, p *protocol.FoldingRangeParams) (any, error) {
	prog := sn.program()
	out := []protocol.FoldingRange{}
	add := func(from, to int, kind protocol.FoldingRangeKind) {
		a, b := sn.lines.position(from), sn.lines.position(to)
		if b.Line > a.Line {
			out = append(out, protocol.FoldingRange{StartLine: a.Line, EndLine: b.Line, Kind: kind})
		}
	}
	for _, d := range prog.File.Decls {
		parser.Inspect(d, func(n parser.Node) bool {
			switch n := n.(type) {
			case *parser.Block:
				add(sn.offset(n.Lbrace), sn.offset(n.Rbrace), protocol.RegionFoldingRange)
			case *parser.StructDecl:
				add(sn.offset(n.Pos()), sn.offset(n.End()), protocol.RegionFoldingRange)
			case *parser.ArrayLit:
				add(sn.offset(n.Lbrack), sn.offset(n.Rbrack), protocol.RegionFoldingRange)
			}
			return true
		})
	}
	cs := prog.File.Comments
	for i := 0; i < len(cs); {
		j := i
		for j+1 < len(cs) && sn.lines.position(sn.offset(cs[j+1].Slash)).Line == sn.lines.position(sn.offset(cs[j].Slash)).Line+1 {
			j++
		}
		if j > i {
			add(sn.offset(cs[i].Slash), sn.offset(cs[j].Slash), protocol.CommentFoldingRange)
		}
		i = j + 1
	}
	return out, nil
}
