package lsp

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// client is an editor for tests: it drives a server over in-memory pipes
// and keeps the notifications the server sends.
type client struct {
	t      testing.TB
	conn   jsonrpc2.Conn
	in     io.WriteCloser // what the server reads
	served chan error     // Serve's result

	mu     sync.Mutex
	diags  map[protocol.DocumentURI][]protocol.PublishDiagnosticsParams
	notes  []string // methods of other notifications
	change chan struct{}
}

// pipeRW joins a reader and a writer into the io.ReadWriteCloser that
// jsonrpc2 streams want.
type pipeRW struct {
	io.Reader
	io.WriteCloser
}

func newClient(t testing.TB) *client {
	t.Helper()
	sr, cw := io.Pipe() // client -> server
	cr, sw := io.Pipe() // server -> client
	c := &client{t: t, in: cw, served: make(chan error, 1), diags: map[protocol.DocumentURI][]protocol.PublishDiagnosticsParams{}, change: make(chan struct{}, 1)}
	go func() {
		c.served <- Serve(context.Background(), sr, sw, nil)
		sw.Close()
	}()
	c.conn = jsonrpc2.NewConn(jsonrpc2.NewStream(pipeRW{cr, cw}))
	c.conn.Go(context.Background(), func(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
		c.mu.Lock()
		if req.Method() == protocol.MethodTextDocumentPublishDiagnostics {
			var p protocol.PublishDiagnosticsParams
			if err := json.Unmarshal(req.Params(), &p); err != nil {
				t.Errorf("bad publishDiagnostics: %v", err)
			}
			c.diags[p.URI] = append(c.diags[p.URI], p)
		} else {
			c.notes = append(c.notes, req.Method())
		}
		c.mu.Unlock()
		select {
		case c.change <- struct{}{}:
		default:
		}
		if _, ok := req.(*jsonrpc2.Call); ok {
			return reply(ctx, nil, nil)
		}
		return nil
	})
	t.Cleanup(func() { c.conn.Close(); cw.Close() })
	return c
}

// call sends a request and decodes its result into out (unless nil).
func (c *client) call(method string, params, out any) error {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var raw json.RawMessage
	_, err := c.conn.Call(ctx, method, params, &raw)
	if err != nil {
		return err
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s: decoding %s: %v", method, raw, err)
		}
	}
	return nil
}

func (c *client) must(method string, params, out any) {
	c.t.Helper()
	if err := c.call(method, params, out); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

func (c *client) notify(method string, params any) {
	c.t.Helper()
	if err := c.conn.Notify(context.Background(), method, params); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

func (c *client) initialize(opts any) InitializeResult {
	c.t.Helper()
	var res InitializeResult
	c.must("initialize", map[string]any{"processId": nil, "rootUri": nil, "initializationOptions": opts,
		"capabilities": map[string]any{"textDocument": map[string]any{"hover": map[string]any{"contentFormat": []string{"markdown"}}}}}, &res)
	c.notify("initialized", map[string]any{})
	return res
}

func (c *client) open(uri protocol.DocumentURI, text string) {
	c.t.Helper()
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "rose", "version": 1, "text": text}})
}

// waitDiags waits for a publication for uri at version (or any version
// when version < 0) that satisfies ok, and returns it.
func (c *client) waitDiags(uri protocol.DocumentURI, version int, ok func([]protocol.Diagnostic) bool) []protocol.Diagnostic {
	c.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		c.mu.Lock()
		for _, p := range c.diags[uri] {
			if (version < 0 || int(p.Version) == version) && ok(p.Diagnostics) {
				c.mu.Unlock()
				return p.Diagnostics
			}
		}
		c.mu.Unlock()
		select {
		case <-c.change:
		case <-deadline:
			c.mu.Lock()
			got := c.diags[uri]
			c.mu.Unlock()
			c.t.Fatalf("no matching diagnostics for %s version %d; got %+v", uri, version, got)
		}
	}
}

func (c *client) shutdown() {
	c.t.Helper()
	c.must("shutdown", nil, nil)
	c.notify("exit", nil)
	select {
	case err := <-c.served:
		if err != nil {
			c.t.Fatalf("Serve after shutdown and exit: %v", err)
		}
	case <-time.After(10 * time.Second):
		c.t.Fatal("Serve did not return after exit")
	}
}

func textDoc(uri protocol.DocumentURI) map[string]any { return map[string]any{"uri": uri} }

func at(uri protocol.DocumentURI, line, char int) map[string]any {
	return map[string]any{"textDocument": textDoc(uri), "position": map[string]any{"line": line, "character": char}}
}

func hoverText(h *protocol.Hover) string {
	if h == nil {
		return ""
	}
	return h.Contents.Value
}

func labels(hs []InlayHint) string {
	var b strings.Builder
	for _, h := range hs {
		b.WriteString(h.Label + "\n")
	}
	return b.String()
}
