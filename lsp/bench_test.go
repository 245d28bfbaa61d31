package lsp

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// genFile is a file of about n lines: small functions that call each
// other, each with a loop, and examples of k of them.
func genFile(n, k int) string {
	var b strings.Builder
	b.WriteString("fn base(x: Real) -> Real { x * x + 1.0 }\n")
	for i := 0; lineCount(b.String()) < n; i++ {
		fmt.Fprintf(&b, "// f%d sums a few terms.\nfn f%d(x: Real, v: [3]Real) -> Real {\n    var s = base(x)\n    for i in 0..3 { s += v[i] * x }\n    let t = sqrt(s * s + 1.0)\n    t + %d.0\n}\n\n", i, i, i)
	}
	for i := 0; i < k; i++ {
		fmt.Fprintf(&b, "example f%d(%d.5, [1.0, 2.0, 3.0])\n", i, i)
	}
	return b.String()
}

func lineCount(s string) int { return strings.Count(s, "\n") }

// BenchmarkDiagnostics is the time from an edit of a 2,000-line file to
// the publication of its diagnostics (parse and check; debounce included).
func BenchmarkDiagnostics(b *testing.B) {
	text := genFile(2000, 0)
	c := newClient(b)
	c.initialize(map[string]any{"diagnostics": map[string]any{"debounceMs": 0}})
	uri := protocol.DocumentURI("file:///bench/big.rose")
	c.open(uri, text)
	c.waitDiags(uri, 1, func([]protocol.Diagnostic) bool { return true })
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v := i + 2
		edit := "nosuch"
		if i%2 == 1 {
			edit = "base  "
		}
		c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": v}, "contentChanges": []any{map[string]any{
			"range": protocol.Range{Start: protocol.Position{Line: 4, Character: 12}, End: protocol.Position{Line: 4, Character: 18}}, "text": edit}}})
		c.waitDiags(uri, v, func([]protocol.Diagnostic) bool { return true })
	}
}

// BenchmarkInlayHints is the time to the inlay hints of a new version of a
// file with 20 examples: every example evaluated, with its gradient.
func BenchmarkInlayHints(b *testing.B) {
	text := genFile(300, 20)
	c := newClient(b)
	c.initialize(nil)
	uri := protocol.DocumentURI("file:///bench/examples.rose")
	c.open(uri, text)
	rng := map[string]any{"textDocument": textDoc(uri), "range": protocol.Range{End: protocol.Position{Line: 1 << 20}}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": i + 2}, "contentChanges": []any{map[string]any{"text": text + strings.Repeat(" ", i%2)}}})
		var hints []InlayHint
		c.must(methodInlayHint, rng, &hints)
		if len(hints) < 20 {
			b.Fatalf("%d hints", len(hints))
		}
	}
}

// BenchmarkHover and BenchmarkCompletion are requests on a checked
// 2,000-line file.
func BenchmarkHover(b *testing.B) { benchRequest(b, "textDocument/hover", 1000, 12) }

func BenchmarkCompletion(b *testing.B) { benchRequest(b, "textDocument/completion", 1000, 14) }

func benchRequest(b *testing.B, method string, line, char int) {
	text := genFile(2000, 0)
	c := newClient(b)
	c.initialize(nil)
	uri := protocol.DocumentURI("file:///bench/big.rose")
	c.open(uri, text)
	c.waitDiags(uri, 1, func([]protocol.Diagnostic) bool { return true })
	p := at(uri, line, char)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.must(method, p, nil)
	}
}

// BenchmarkBilliardsHints is the inlay hints of the paper's billiards
// example after an edit.
func BenchmarkBilliardsHints(b *testing.B) {
	src, err := os.ReadFile("../examples/billiards.rose")
	if err != nil {
		b.Fatal(err)
	}
	c := newClient(b)
	c.initialize(nil)
	uri := protocol.DocumentURI("file:///bench/billiards.rose")
	c.open(uri, string(src))
	rng := map[string]any{"textDocument": textDoc(uri), "range": protocol.Range{End: protocol.Position{Line: 1 << 20}}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": i + 2}, "contentChanges": []any{map[string]any{"text": string(src) + strings.Repeat(" ", i%2)}}})
		c.must(methodInlayHint, rng, nil)
	}
}

func TestGenFileSize(t *testing.T) {
	if n := lineCount(genFile(2000, 0)); n < 2000 || n > 2300 {
		t.Errorf("genFile(2000) has %d lines", n)
	}
}
