package lsp

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
)

// Marker tests: each file in testdata/markers is opened in a server, and
// the annotations in its comments are checked, each on the line it is on:
//
//	//@hover("tok", "want")      hover at tok contains want ("" : no hover)
//	//@diag("tok", "want")       a diagnostic starts at tok, its message contains want;
//	                             every diagnostic of the file must be claimed by one
//	//@inlay("want")             an inlay hint on this line has a label containing want
//	//@noinlay()                 no inlay hint on this line
//	//@complete("tok", "a", "-b") completion just after tok offers a and not b
//	//@rename("tok", "new", n)    renaming tok to new edits n places (0: refused)
//	//@def("tok", line)          definition of tok is on line (1-based)
//
// tok is the first occurrence of that text on the line before the
// comment; "tok#2" is its second.

var markerRE = regexp.MustCompile(`@(\w+)\(`)

type marker struct {
	name string
	args []any
	line int // 0-based
	src  string
}

func parseMarkers(t *testing.T, text string) []marker {
	var out []marker
	for i, line := range strings.Split(text, "\n") {
		k := strings.Index(line, "//@")
		if k < 0 {
			continue
		}
		rest := line[k+2:]
		for _, m := range markerRE.FindAllStringSubmatchIndex(rest, -1) {
			name := rest[m[2]:m[3]]
			depth, inStr, end := 0, false, -1
			for j := m[1] - 1; j < len(rest); j++ {
				switch c := rest[j]; {
				case inStr && c == '\\':
					j++
				case c == '"':
					inStr = !inStr
				case !inStr && c == '(':
					depth++
				case !inStr && c == ')':
					depth--
					if depth == 0 {
						end = j
					}
				}
				if end >= 0 {
					break
				}
			}
			if end < 0 {
				t.Fatalf("line %d: unterminated marker %s", i+1, name)
			}
			var args []any
			if err := json.Unmarshal([]byte("["+rest[m[1]:end]+"]"), &args); err != nil {
				t.Fatalf("line %d: marker %s: %v", i+1, name, err)
			}
			out = append(out, marker{name: name, args: args, line: i, src: line[:k]})
		}
	}
	return out
}

// col is the UTF-16 column of the token tok ("x#2": second occurrence) in
// the marker's line, plus delta bytes.
func (m marker) col(t *testing.T, tok string, delta int) int {
	n := 1
	if i := strings.LastIndex(tok, "#"); i > 0 {
		fmt.Sscan(tok[i+1:], &n)
		tok = tok[:i]
	}
	off := -1
	for k, from := 0, 0; k < n; k++ {
		j := strings.Index(m.src[from:], tok)
		if j < 0 {
			t.Fatalf("line %d: %q not found for @%s", m.line+1, tok, m.name)
		}
		off = from + j
		from = off + 1
	}
	return utf16Count([]byte(m.src[:off+delta]))
}

func TestMarkers(t *testing.T) {
	files, _ := filepath.Glob("testdata/markers/*.rose")
	if len(files) == 0 {
		t.Fatal("no marker files")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			text := string(src)
			markers := parseMarkers(t, text)
			c := newClient(t)
			c.initialize(map[string]any{"inlay": map[string]any{"liveValues": true}})
			uri := protocol.DocumentURI("file:///markers/" + filepath.Base(file))
			c.open(uri, text)
			checkDiags(t, c, uri, markers)
			var hints []InlayHint
			c.must(methodInlayHint, map[string]any{"textDocument": textDoc(uri), "range": map[string]any{
				"start": map[string]any{"line": 0, "character": 0}, "end": map[string]any{"line": 1 << 20, "character": 0}}}, &hints)
			for _, m := range markers {
				pos := func(tok string, delta int) map[string]any {
					return at(uri, m.line, m.col(t, tok, delta))
				}
				switch m.name {
				case "diag":
				case "hover":
					var h *protocol.Hover
					c.must("textDocument/hover", pos(m.args[0].(string), 0), &h)
					want := m.args[1].(string)
					if got := hoverText(h); want == "" && got != "" || !strings.Contains(got, want) {
						t.Errorf("line %d: hover at %q = %q, want %q", m.line+1, m.args[0], got, want)
					}
				case "inlay", "noinlay":
					var on []string
					for _, h := range hints {
						if int(h.Position.Line) == m.line {
							on = append(on, h.Label)
						}
					}
					if m.name == "noinlay" {
						if len(on) > 0 {
							t.Errorf("line %d: inlay hints %q, want none", m.line+1, on)
						}
						continue
					}
					if !strings.Contains(strings.Join(on, "\n"), m.args[0].(string)) {
						t.Errorf("line %d: inlay hints %q, want one containing %q", m.line+1, on, m.args[0])
					}
				case "complete":
					tok := m.args[0].(string)
					var list protocol.CompletionList
					c.must("textDocument/completion", pos(tok, len(strings.Split(tok, "#")[0])), &list)
					for _, w := range m.args[1:] {
						w := w.(string)
						if neg, ok := strings.CutPrefix(w, "-"); ok {
							if hasItem(list, neg) {
								t.Errorf("line %d: completion after %q offers %q", m.line+1, tok, neg)
							}
						} else if !hasItem(list, w) {
							t.Errorf("line %d: completion after %q lacks %q: %v", m.line+1, tok, w, itemLabels(list))
						}
					}
				case "rename":
					var edit *protocol.WorkspaceEdit
					err := c.call("textDocument/rename", map[string]any{"textDocument": textDoc(uri), "position": pos(m.args[0].(string), 0)["position"], "newName": m.args[1]}, &edit)
					n := int(m.args[2].(float64))
					got := 0
					if err == nil && edit != nil {
						got = len(edit.Changes[uri])
					}
					if got != n {
						t.Errorf("line %d: rename %q to %q: %d edits (err %v), want %d", m.line+1, m.args[0], m.args[1], got, err, n)
					}
				case "def":
					var locs []protocol.Location
					c.must("textDocument/definition", pos(m.args[0].(string), 0), &locs)
					want := int(m.args[1].(float64))
					if len(locs) != 1 || int(locs[0].Range.Start.Line)+1 != want {
						t.Errorf("line %d: definition of %q: %+v, want line %d", m.line+1, m.args[0], locs, want)
					}
				default:
					t.Errorf("line %d: unknown marker @%s", m.line+1, m.name)
				}
			}
			c.shutdown()
		})
	}
}

// checkDiags waits for the file's diagnostics to be exactly those its diag
// markers claim (the last publication wins), and reports the difference.
func checkDiags(t *testing.T, c *client, uri protocol.DocumentURI, markers []marker) {
	type want struct {
		line, col int
		msg       string
	}
	var wants []want
	for _, m := range markers {
		if m.name == "diag" {
			wants = append(wants, want{m.line, m.col(t, m.args[0].(string), 0), m.args[1].(string)})
		}
	}
	match := func(ds []protocol.Diagnostic) bool {
		if len(ds) != len(wants) {
			return false
		}
		for _, w := range wants {
			found := false
			for _, d := range ds {
				if int(d.Range.Start.Line) == w.line && int(d.Range.Start.Character) == w.col && strings.Contains(d.Message, w.msg) {
					found = true
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	defer func() {
		if t.Failed() {
			c.mu.Lock()
			ps := c.diags[uri]
			c.mu.Unlock()
			for _, p := range ps {
				for _, d := range p.Diagnostics {
					t.Logf("published v%d: %d:%d %s", p.Version, d.Range.Start.Line+1, d.Range.Start.Character, d.Message)
				}
			}
		}
	}()
	// The server publishes parse and check results, then, for a file
	// without errors, those again with the evaluation's warnings: wait
	// for the last.
	deadline := time.After(20 * time.Second)
	for {
		c.mu.Lock()
		var pubs []protocol.PublishDiagnosticsParams
		for _, p := range c.diags[uri] {
			if p.Version == 1 {
				pubs = append(pubs, p)
			}
		}
		c.mu.Unlock()
		if n := len(pubs); n == 2 || n == 1 && hasError(pubs[0].Diagnostics) {
			if !match(pubs[n-1].Diagnostics) {
				t.Errorf("diagnostics do not match the markers")
			}
			return
		}
		select {
		case <-c.change:
		case <-deadline:
			t.Fatalf("no final diagnostics")
		}
	}
}

func hasError(ds []protocol.Diagnostic) bool {
	for _, d := range ds {
		if d.Severity == protocol.DiagnosticSeverityError {
			return true
		}
	}
	return false
}
