package lsp

import (
	"errors"
	"flag"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

var soakN = flag.Int("soak.n", 10000, "operations of TestSoak (-short: a tenth)")

// TestSoak is a seeded run of random edits and requests against one
// server: every request must be answered (with a result, or an
// invalid-params error), the server must not crash, and its heap must stay
// flat. It logs request latencies (p50, p99).
func TestSoak(t *testing.T) {
	n := *soakN
	if testing.Short() {
		n /= 10
	}
	files, _ := filepath.Glob("../examples/*.rose")
	var bases []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		bases = append(bases, string(b))
	}
	if len(bases) == 0 {
		t.Fatal("no examples")
	}
	rng := rand.New(rand.NewSource(1))
	c := newClient(t)
	c.initialize(map[string]any{"inlay": map[string]any{"liveValues": true}})
	uri := protocol.DocumentURI("file:///soak/soak.rose")
	text := bases[0]
	c.open(uri, text)
	version := 1
	frags := []string{"let x = ", ")", "(", "fn ", "1.0", "\n", "}", "{", " + ", "x", "[", "]", ".", "//", "🎯", "example f(1.0)\n", "var", "for i in 0..3 "}
	methods := []string{"textDocument/hover", "textDocument/completion", "textDocument/definition", "textDocument/references",
		methodInlayHint, methodSemanticFull, "textDocument/documentSymbol", "textDocument/formatting", "textDocument/signatureHelp",
		"textDocument/foldingRange", "textDocument/codeLens", "textDocument/prepareRename", "textDocument/documentHighlight"}
	var lat []time.Duration
	var heap [2]uint64
	for i := 0; i < n; i++ {
		if i == n/4 || i == n-1 {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			heap[min(i/(n-1), 1)] = ms.HeapAlloc // [0] at a quarter, [1] at the end
		}
		ls := newLines([]byte(text))
		randPos := func() protocol.Position { return ls.position(rng.Intn(len(text) + 1)) }
		switch r := rng.Intn(10); {
		case r < 4: // an edit
			version++
			var change map[string]any
			switch rng.Intn(20) {
			case 0:
				text = bases[rng.Intn(len(bases))]
				change = map[string]any{"text": text}
			default:
				from := rng.Intn(len(text) + 1)
				to := min(len(text), from+rng.Intn(4))
				ins := frags[rng.Intn(len(frags))]
				if rng.Intn(2) == 0 {
					ins = ""
				}
				change = map[string]any{"range": protocol.Range{Start: ls.position(from), End: ls.position(to)}, "text": ins}
				p, q := ls.offset(ls.position(from)), ls.offset(ls.position(to))
				text = text[:p] + ins + text[q:]
			}
			c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": version}, "contentChanges": []any{change}})
		default:
			m := methods[rng.Intn(len(methods))]
			params := map[string]any{"textDocument": textDoc(uri), "position": randPos(), "context": map[string]any{"includeDeclaration": true},
				"range": protocol.Range{Start: protocol.Position{}, End: protocol.Position{Line: 1 << 20}}, "options": map[string]any{"tabSize": 4}}
			start := time.Now()
			err := c.call(m, params, nil)
			lat = append(lat, time.Since(start))
			var je *jsonrpc2.Error
			if err != nil && !(errors.As(err, &je) && (je.Code == jsonrpc2.InvalidParams || je.Code == jsonrpc2.InternalError && m == "textDocument/formatting")) {
				t.Fatalf("op %d: %s: %v\ntext:\n%s", i, m, err, text)
			}
		}
	}
	// The file it ended with is served, and diagnosed at its version.
	c.waitDiags(uri, version, func([]protocol.Diagnostic) bool { return true })
	c.shutdown()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	t.Logf("%d operations, %d requests: latency p50 %v, p99 %v, max %v; heap %d KB at a quarter, %d KB at the end",
		n, len(lat), lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1], heap[0]>>10, heap[1]>>10)
	if heap[1] > 4*heap[0]+(8<<20) {
		t.Errorf("heap grew from %d KB to %d KB", heap[0]>>10, heap[1]>>10)
	}
}
