package lsp

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.lsp.dev/protocol"
)

// FuzzRequests runs every document request on arbitrary text at an
// arbitrary position: none may panic (the server would recover, but the
// user would get no answer).
func FuzzRequests(f *testing.F) {
	files, _ := filepath.Glob("testdata/markers/*.rose")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b), uint32(len(b)/3))
	}
	f.Add("fn f(x: Real) -> Real { x.", uint32(27))
	f.Add("struct S { a: Real }\nfn f(s: S) -> Real { s.a + s. }\nexample f(S { a: 1.0 })", uint32(49))
	f.Fuzz(func(t *testing.T, text string, at uint32) {
		s := &Server{docs: map[protocol.DocumentURI]*document{}, logf: func(string, ...any) {}}
		cfg := defaultConfig()
		cfg.Timeout = 20 * time.Millisecond
		cfg.LiveValues = true
		sn := &snapshot{uri: "file:///fuzz.rose", path: "fuzz.rose", version: 1, text: []byte(text), lines: newLines([]byte(text)),
			cfg: cfg, ctx: context.Background(), active: &activeSet{m: map[string]int{}}, evalDone: make(chan struct{})}
		ctx := context.Background()
		pos := sn.lines.position(int(at) % (len(text) + 1))
		tdp := protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: sn.uri}, Position: pos}
		all := protocol.Range{End: protocol.Position{Line: 1 << 20}}
		s.hover(ctx, sn, &protocol.HoverParams{TextDocumentPositionParams: tdp})
		s.definition(ctx, sn, &protocol.DefinitionParams{TextDocumentPositionParams: tdp})
		s.references(ctx, sn, &protocol.ReferenceParams{TextDocumentPositionParams: tdp, Context: protocol.ReferenceContext{IncludeDeclaration: true}})
		s.highlight(ctx, sn, &protocol.DocumentHighlightParams{TextDocumentPositionParams: tdp})
		s.prepareRename(ctx, sn, &protocol.PrepareRenameParams{TextDocumentPositionParams: tdp})
		s.rename(ctx, sn, &protocol.RenameParams{TextDocumentPositionParams: tdp, NewName: "renamed"})
		s.completion(ctx, sn, &protocol.CompletionParams{TextDocumentPositionParams: tdp})
		s.signatureHelp(ctx, sn, &protocol.SignatureHelpParams{TextDocumentPositionParams: tdp})
		s.symbols(ctx, sn, &protocol.DocumentSymbolParams{})
		s.semanticTokens(ctx, sn, &protocol.SemanticTokensParams{})
		s.formatting(ctx, sn, &protocol.DocumentFormattingParams{})
		s.folding(ctx, sn, &protocol.FoldingRangeParams{})
		s.codeLens(ctx, sn, &protocol.CodeLensParams{})
		s.inlayHints(ctx, sn, &InlayHintParams{Range: all})
		sn.diagnostics(true)
	})
}

func TestLines(t *testing.T) {
	src := []byte("a🎯b\n日本x\n\nlast")
	ls := newLines(src)
	for _, c := range []struct {
		off        int
		line, char uint32
	}{
		{0, 0, 0}, {1, 0, 1}, {5, 0, 3}, {6, 0, 4}, {7, 1, 0}, {13, 1, 2}, {14, 1, 3}, {15, 2, 0}, {16, 3, 0}, {20, 3, 4},
		{2, 0, 1}, // inside the emoji: its start
		{99, 3, 4},
	} {
		p := ls.position(c.off)
		if p.Line != c.line || p.Character != c.char {
			t.Errorf("position(%d) = %d:%d, want %d:%d", c.off, p.Line, p.Character, c.line, c.char)
		}
	}
	for _, c := range []struct {
		line, char uint32
		off        int
	}{
		{0, 0, 0}, {0, 1, 1}, {0, 3, 5}, {0, 4, 6}, {0, 99, 6}, {1, 2, 13}, {1, 3, 14}, {3, 4, 20}, {9, 0, 20},
		{0, 2, 1}, // the middle of a surrogate pair: the character's start
	} {
		if off := ls.offset(protocol.Position{Line: c.line, Character: c.char}); off != c.off {
			t.Errorf("offset(%d:%d) = %d, want %d", c.line, c.char, off, c.off)
		}
	}
}
