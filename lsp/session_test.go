package lsp

import (
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
)

const sample = `// Squared distance of a point from the origin.
fn dist2(p: [2]Real) -> Real {
    let x = p[0]
    let y = p[1]
    x * x + y * y
}

fn loss(a: Real, b: Real) -> Real {
    dist2([a, b]) + a
}

example loss(1.0, 2.0)
`

// TestSession drives a server through a whole session: initialize, open,
// every request, an edit into errors and back, shutdown and exit.
func TestSession(t *testing.T) {
	c := newClient(t)
	res := c.initialize(nil)
	caps := res.Capabilities
	if caps.InlayHintProvider == nil || caps.HoverProvider != true || caps.SemanticTokensProvider == nil || caps.RenameProvider == nil {
		t.Fatalf("capabilities: %+v", caps)
	}
	uri := protocol.DocumentURI("file:///tmp/sample.rose")
	c.open(uri, sample)
	c.waitDiags(uri, 1, func(d []protocol.Diagnostic) bool { return len(d) == 0 })

	var hints []InlayHint
	c.must(methodInlayHint, map[string]any{"textDocument": textDoc(uri), "range": map[string]any{
		"start": map[string]any{"line": 0, "character": 0}, "end": map[string]any{"line": 100, "character": 0}}}, &hints)
	// loss(1, 2) = 1 + 4 + 1 = 6; d/da = 2a + 1 = 3, d/db = 2b = 4.
	if got := labels(hints); !strings.Contains(got, "= 6.0  ∇a = 3.0  ∇b = 4.0") || !strings.Contains(got, "∂ 3.0") || !strings.Contains(got, "∂ 4.0") {
		t.Errorf("inlay hints:\n%s", got)
	}

	var h protocol.Hover
	c.must("textDocument/hover", at(uri, 8, 5), &h) // dist2 in loss's body
	if !strings.Contains(h.Contents.Value, "fn dist2(p: [2]Real) -> Real") {
		t.Errorf("hover on dist2: %q", h.Contents.Value)
	}
	c.must("textDocument/hover", at(uri, 7, 8), &h) // parameter a
	if v := h.Contents.Value; !strings.Contains(v, "parameter a: Real") || !strings.Contains(v, "a = `1.0`") || !strings.Contains(v, "∂loss/∂a = `3.0`") {
		t.Errorf("hover on a: %q", v)
	}

	var locs []protocol.Location
	c.must("textDocument/definition", at(uri, 8, 5), &locs)
	if len(locs) != 1 || locs[0].Range.Start.Line != 1 || locs[0].Range.Start.Character != 3 {
		t.Errorf("definition of dist2: %+v", locs)
	}
	c.must("textDocument/references", map[string]any{"textDocument": textDoc(uri), "position": map[string]any{"line": 2, "character": 8},
		"context": map[string]any{"includeDeclaration": true}}, &locs)
	if len(locs) != 3 { // let x, x * x
		t.Errorf("references of x: %+v", locs)
	}

	var prep PrepareRenameResult
	c.must("textDocument/prepareRename", at(uri, 2, 8), &prep)
	if prep.Placeholder != "x" {
		t.Errorf("prepareRename: %+v", prep)
	}
	var edit protocol.WorkspaceEdit
	c.must("textDocument/rename", map[string]any{"textDocument": textDoc(uri), "position": map[string]any{"line": 2, "character": 8}, "newName": "px"}, &edit)
	if n := len(edit.Changes[uri]); n != 3 {
		t.Errorf("rename x -> px: %d edits", n)
	}
	if err := c.call("textDocument/rename", map[string]any{"textDocument": textDoc(uri), "position": map[string]any{"line": 2, "character": 8}, "newName": "y"}, nil); err == nil {
		t.Errorf("rename x -> y (already used) succeeded")
	}

	var syms []protocol.DocumentSymbol
	c.must("textDocument/documentSymbol", map[string]any{"textDocument": textDoc(uri)}, &syms)
	var names []string
	for _, s := range syms {
		names = append(names, s.Name)
	}
	if strings.Join(names, ",") != "dist2,loss,example loss(1.0, 2.0)" {
		t.Errorf("symbols: %v", names)
	}

	var list protocol.CompletionList
	c.must("textDocument/completion", at(uri, 4, 4), &list)
	if !hasItem(list, "x") || !hasItem(list, "y") || !hasItem(list, "p") || !hasItem(list, "dist2") || !hasItem(list, "sqrt") || hasItem(list, "a") {
		t.Errorf("completion in dist2: %v", itemLabels(list))
	}

	var sig protocol.SignatureHelp
	c.must("textDocument/signatureHelp", at(uri, 8, 10), &sig)
	if len(sig.Signatures) != 1 || !strings.HasPrefix(sig.Signatures[0].Label, "fn dist2") {
		t.Errorf("signature help: %+v", sig)
	}

	var toks protocol.SemanticTokens
	c.must(methodSemanticFull, map[string]any{"textDocument": textDoc(uri)}, &toks)
	if len(toks.Data) == 0 || len(toks.Data)%5 != 0 {
		t.Errorf("semantic tokens: %d numbers", len(toks.Data))
	}

	var folds []protocol.FoldingRange
	c.must("textDocument/foldingRange", map[string]any{"textDocument": textDoc(uri)}, &folds)
	if len(folds) < 2 {
		t.Errorf("folding ranges: %+v", folds)
	}

	var lenses []protocol.CodeLens
	c.must("textDocument/codeLens", map[string]any{"textDocument": textDoc(uri)}, &lenses)
	if len(lenses) != 3 {
		t.Fatalf("code lenses: %+v", lenses)
	}
	for _, l := range lenses {
		var out string
		c.must("workspace/executeCommand", map[string]any{"command": l.Command.Command, "arguments": l.Command.Arguments}, &out)
		if !strings.Contains(out, "loss(1.0, 2.0)") {
			t.Errorf("%s: %q", l.Command.Command, out)
		}
	}

	// Edit into an error and back, incrementally.
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 2},
		"contentChanges": []any{map[string]any{"range": map[string]any{"start": map[string]any{"line": 8, "character": 4}, "end": map[string]any{"line": 8, "character": 9}}, "text": "nosuch"}}})
	d := c.waitDiags(uri, 2, func(d []protocol.Diagnostic) bool { return len(d) > 0 })
	if len(d) != 1 || !strings.Contains(d[0].Message, "undefined: nosuch") || d[0].Range.Start.Line != 8 || d[0].Range.Start.Character != 4 {
		t.Errorf("diagnostics after the edit: %+v", d)
	}
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 3},
		"contentChanges": []any{map[string]any{"range": map[string]any{"start": map[string]any{"line": 8, "character": 4}, "end": map[string]any{"line": 8, "character": 10}}, "text": "dist2"}}})
	c.waitDiags(uri, 3, func(d []protocol.Diagnostic) bool { return len(d) == 0 })

	var edits []protocol.TextEdit
	c.must("textDocument/formatting", map[string]any{"textDocument": textDoc(uri), "options": map[string]any{"tabSize": 4, "insertSpaces": true}}, &edits)
	c.notify("textDocument/didClose", map[string]any{"textDocument": textDoc(uri)})
	c.shutdown()
}

func hasItem(l protocol.CompletionList, label string) bool {
	for _, it := range l.Items {
		if it.Label == label {
			return true
		}
	}
	return false
}

func itemLabels(l protocol.CompletionList) []string {
	var out []string
	for _, it := range l.Items {
		out = append(out, it.Label)
	}
	return out
}

// TestEvaluationBudget: an example that would run for a long time is
// stopped after the budget, and the server keeps answering meanwhile.
func TestEvaluationBudget(t *testing.T) {
	c := newClient(t)
	c.initialize(map[string]any{"eval": map[string]any{"timeoutMs": 200}})
	uri := protocol.DocumentURI("file:///tmp/long.rose")
	c.open(uri, "fn spin(x: Real) -> Real {\n    var s = x\n    for i in 0..1000000000 { s = s * 0.5 + 1.0 }\n    s\n}\nexample spin(1.0)\n")
	start := time.Now()
	var h protocol.Hover
	c.must("textDocument/hover", at(uri, 0, 4), &h)
	var hints []InlayHint
	c.must(methodInlayHint, map[string]any{"textDocument": textDoc(uri), "range": map[string]any{
		"start": map[string]any{"line": 0, "character": 0}, "end": map[string]any{"line": 10, "character": 0}}}, &hints)
	if got := labels(hints); !strings.Contains(got, "evaluation stopped after 200 ms") {
		t.Errorf("hints: %q", got)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("took %v", el)
	}
	c.shutdown()
}
