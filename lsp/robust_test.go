package lsp

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
)

// raw is a client that writes bytes: it speaks the wire format directly,
// to send what a correct client never would.
type raw struct {
	t   *testing.T
	in  *io.PipeWriter
	out *bufio.Reader
}

func newRaw(t *testing.T) *raw {
	sr, cw := io.Pipe()
	cr, sw := io.Pipe()
	go func() { Serve(context.Background(), sr, sw, nil); sw.Close() }()
	t.Cleanup(func() { cw.Close() })
	return &raw{t: t, in: cw, out: bufio.NewReader(cr)}
}

func (r *raw) send(body string) {
	r.t.Helper()
	if _, err := fmt.Fprintf(r.in, "Content-Length: %d\r\n\r\n%s", len(body), body); err != nil {
		r.t.Fatalf("write: %v", err)
	}
}

func (r *raw) request(id int, method string, params any) {
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	r.send(string(b))
}

func (r *raw) notify(method string, params any) {
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": method, "params": params})
	r.send(string(b))
}

// message is a decoded server message.
type message struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Params json.RawMessage `json:"params"`
}

func (r *raw) read() message {
	r.t.Helper()
	n := -1
	for {
		line, err := r.out.ReadString('\n')
		if err != nil {
			r.t.Fatalf("read: %v", err)
		}
		line = strings.TrimSpace(line)
		if line == "" {
			break
		}
		if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
			n, _ = strconv.Atoi(v)
		}
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r.out, body); err != nil {
		r.t.Fatalf("read body: %v", err)
	}
	var m message
	if err := json.Unmarshal(body, &m); err != nil {
		r.t.Fatalf("server sent invalid JSON %q: %v", body, err)
	}
	return m
}

// reply reads messages until the response to id, skipping notifications.
func (r *raw) reply(id string) message {
	r.t.Helper()
	for {
		m := r.read()
		if m.Method == "" && string(m.ID) == id {
			return m
		}
	}
}

func (r *raw) init() {
	r.request(1, "initialize", map[string]any{"capabilities": map[string]any{}})
	if m := r.reply("1"); m.Error != nil {
		r.t.Fatalf("initialize: %+v", m.Error)
	}
}

// TestBadInput sends what breaks weaker servers: malformed JSON, a body
// that is no message, unknown methods, requests about documents that are
// not open, positions past the end, bad parameters. Each gets an error or
// an empty result, and the server keeps serving.
func TestBadInput(t *testing.T) {
	r := newRaw(t)
	r.init()
	r.send(`{"jsonrpc":"2.0","id":999,"method":"textDocument/hover","params":{"nonsense":`)
	if m := r.reply("null"); m.Error == nil || m.Error.Code != -32700 {
		t.Errorf("malformed JSON: %+v", m)
	}
	r.send(`{}`)
	if m := r.reply("null"); m.Error == nil || m.Error.Code != -32600 {
		t.Errorf("empty object: %+v", m)
	}
	r.send(`[1, 2, 3]`)
	if m := r.reply("null"); m.Error == nil {
		t.Errorf("array: %+v", m)
	}
	r.request(2, "textDocument/noSuchThing", map[string]any{})
	if m := r.reply("2"); m.Error == nil || m.Error.Code != -32601 {
		t.Errorf("unknown method: %+v", m)
	}
	r.request(3, "textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": "file:///nope.rose"}, "position": map[string]any{"line": 0, "character": 0}})
	if m := r.reply("3"); m.Error != nil || string(m.Result) != "null" {
		t.Errorf("hover on a document not open: %+v", m)
	}
	r.request(4, "textDocument/hover", "not an object")
	if m := r.reply("4"); m.Error == nil || m.Error.Code != -32602 {
		t.Errorf("bad params: %+v", m)
	}
	r.request(5, "textDocument/hover", nil)
	if m := r.reply("5"); m.Error == nil || m.Error.Code != -32602 {
		t.Errorf("missing params: %+v", m)
	}
	uri := "file:///tmp/%E2%9C%93.rose"
	r.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "rose", "version": 1, "text": sample}})
	for i, pos := range [][2]int{{0, 1000}, {1000, 0}, {4, 1 << 30}, {-1, -1}} {
		id := 10 + i
		for _, method := range []string{"textDocument/hover", "textDocument/completion", "textDocument/definition", "textDocument/signatureHelp", "textDocument/prepareRename"} {
			r.request(id, method, map[string]any{"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": pos[0], "character": pos[1]}})
			m := r.reply(strconv.Itoa(id))
			if m.Error != nil && m.Error.Code != -32602 {
				t.Errorf("%s at %v: %+v", method, pos, m.Error)
			}
		}
	}
	// A change to a document that is not open, and one past its end.
	r.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": "file:///nope.rose", "version": 2}, "contentChanges": []any{map[string]any{"text": "x"}}})
	r.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 2}, "contentChanges": []any{
		map[string]any{"range": map[string]any{"start": map[string]any{"line": 500, "character": 3}, "end": map[string]any{"line": 2, "character": 0}}, "text": "fn"}}})
	r.request(20, "workspace/executeCommand", map[string]any{"command": "rose.run", "arguments": []any{uri, 99}})
	if m := r.reply("20"); m.Error == nil {
		t.Errorf("executeCommand on a missing example: %+v", m)
	}
	r.request(21, "shutdown", nil)
	if m := r.reply("21"); m.Error != nil {
		t.Errorf("shutdown: %+v", m.Error)
	}
	r.request(22, "textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": 0, "character": 0}})
	if m := r.reply("22"); m.Error == nil {
		t.Errorf("request after shutdown: %+v", m)
	}
}

// TestPanicRecovered: a panic inside a request is answered with an
// internal error, logged to the client, and the server keeps serving.
func TestPanicRecovered(t *testing.T) {
	requests["test/panic"] = plain(func(s *Server, ctx context.Context, p *struct{}) (any, error) { panic("boom") })
	defer delete(requests, "test/panic")
	r := newRaw(t)
	r.init()
	r.request(2, "test/panic", map[string]any{})
	logged := false
	for {
		m := r.read()
		if m.Method == protocol.MethodWindowLogMessage && strings.Contains(string(m.Params), "boom") {
			logged = true
		}
		if m.Method == "" && string(m.ID) == "2" {
			if m.Error == nil || m.Error.Code != -32603 || !strings.Contains(m.Error.Message, "boom") {
				t.Errorf("reply to a panicking request: %+v", m)
			}
			break
		}
	}
	if !logged {
		t.Errorf("the panic was not logged to the client")
	}
	r.request(3, "textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": "file:///x.rose"}, "position": map[string]any{"line": 0, "character": 0}})
	r.reply("3")
}

// TestClientNeverReads: a client that sends and never reads must not make
// the server stop reading; once the client reads again, it is answered.
func TestClientNeverReads(t *testing.T) {
	r := newRaw(t)
	r.init()
	uri := "file:///tmp/storm.rose"
	r.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "rose", "version": 1, "text": sample}})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 3000; i++ {
			r.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": i + 2}, "contentChanges": []any{map[string]any{"text": sample + strings.Repeat(" ", i%7)}}})
			r.request(100+i, "textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": 1, "character": 4}})
		}
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("the server stopped reading while its client was not reading")
	}
	r.request(99999, "textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": 1, "character": 4}})
	if m := r.reply("99999"); m.Error != nil {
		t.Errorf("after the storm: %+v", m.Error)
	}
}

// TestEditStorm: after many quick edits the diagnostics published last are
// those of the last version.
func TestEditStorm(t *testing.T) {
	c := newClient(t)
	c.initialize(nil)
	uri := protocol.DocumentURI("file:///tmp/storm.rose")
	c.open(uri, sample)
	for v := 2; v <= 500; v++ {
		text := sample
		if v%2 == 1 {
			text += "fn broken( {\n"
		}
		c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": v}, "contentChanges": []any{map[string]any{"text": text}}})
	}
	c.waitDiags(uri, 500, func(d []protocol.Diagnostic) bool { return len(d) == 0 })
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 501}, "contentChanges": []any{map[string]any{"text": sample + "fn broken( {\n"}}})
	c.waitDiags(uri, 501, func(d []protocol.Diagnostic) bool { return len(d) > 0 })
	c.shutdown()
}

// TestLargeDocument: a 5 MB document is diagnosed and served.
func TestLargeDocument(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 5<<20; i++ {
		fmt.Fprintf(&b, "fn f%d(x: Real) -> Real {\n    let y = x * %d.0 + 1.0\n    sqrt(y * y + 1.0)\n}\n", i, i)
	}
	b.WriteString("fn g(x: Real) -> Real { nosuch }\n")
	c := newClient(t)
	c.initialize(nil)
	uri := protocol.DocumentURI("file:///tmp/large.rose")
	c.open(uri, b.String())
	d := c.waitDiags(uri, 1, func(d []protocol.Diagnostic) bool { return len(d) > 0 })
	if len(d) != 1 || !strings.Contains(d[0].Message, "undefined: nosuch") {
		t.Errorf("diagnostics: %+v", d)
	}
	var h protocol.Hover
	c.must("textDocument/hover", at(uri, 4, 3), &h)
	if !strings.Contains(h.Contents.Value, "fn f1(x: Real) -> Real") {
		t.Errorf("hover: %q", h.Contents.Value)
	}
	// Whole-file requests stay linear in the file's size.
	for _, m := range []string{methodSemanticFull, "textDocument/documentSymbol", "textDocument/foldingRange", "textDocument/codeLens"} {
		start := time.Now()
		c.must(m, map[string]any{"textDocument": textDoc(uri)}, nil)
		t.Logf("%s on 5 MB: %v", m, time.Since(start))
	}
	var edit protocol.WorkspaceEdit
	c.must("textDocument/rename", map[string]any{"textDocument": textDoc(uri), "position": map[string]any{"line": 1, "character": 8}, "newName": "yy"}, &edit)
	if n := len(edit.Changes[uri]); n != 3 {
		t.Errorf("rename y in f0: %d edits", n)
	}
	c.shutdown()
}

const spin = "fn spin(x: Real) -> Real {\n    var s = x\n    for i in 0..1000000000 { s = s * 0.5 + 1.0 }\n    s\n}\nexample spin(1.0)\n"

// TestCancel: $/cancelRequest stops a request waiting for a long
// evaluation, which answers with RequestCancelled at once.
func TestCancel(t *testing.T) {
	r := newRaw(t)
	r.request(1, "initialize", map[string]any{"capabilities": map[string]any{}, "initializationOptions": map[string]any{"eval": map[string]any{"timeoutMs": 60000}}})
	r.reply("1")
	uri := "file:///tmp/spin.rose"
	r.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "rose", "version": 1, "text": spin}})
	start := time.Now()
	r.request(2, methodInlayHint, map[string]any{"textDocument": map[string]any{"uri": uri}, "range": protocol.Range{End: protocol.Position{Line: 100}}})
	time.Sleep(50 * time.Millisecond)
	r.notify(methodCancelRequest, map[string]any{"id": 2})
	m := r.reply("2")
	if m.Error == nil || m.Error.Code != -32800 {
		t.Errorf("cancelled request: %+v", m)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("cancelling took %v", el)
	}
}

// TestChangeCancelsEvaluation: an edit cancels the evaluation of the
// version it supersedes; a request waiting on it is answered promptly.
func TestChangeCancelsEvaluation(t *testing.T) {
	c := newClient(t)
	c.initialize(map[string]any{"eval": map[string]any{"timeoutMs": 60000}})
	uri := protocol.DocumentURI("file:///tmp/spin.rose")
	c.open(uri, spin)
	start := time.Now()
	done := make(chan []InlayHint, 1)
	go func() {
		var hints []InlayHint
		c.call(methodInlayHint, map[string]any{"textDocument": textDoc(uri), "range": protocol.Range{End: protocol.Position{Line: 100}}}, &hints)
		done <- hints
	}()
	time.Sleep(100 * time.Millisecond)
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 2}, "contentChanges": []any{map[string]any{"text": sample}}})
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the request on the old version was not answered")
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("took %v", el)
	}
	var hints []InlayHint
	c.must(methodInlayHint, map[string]any{"textDocument": textDoc(uri), "range": protocol.Range{End: protocol.Position{Line: 100}}}, &hints)
	if !strings.Contains(labels(hints), "= 6.0") {
		t.Errorf("hints of the new version: %q", labels(hints))
	}
	c.shutdown()
}
