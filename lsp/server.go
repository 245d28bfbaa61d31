// Package lsp is Rose's language server: diagnostics as you type, hover,
// navigation, completion, formatting, semantic tokens, code lenses and
// inlay hints that show each example's value and gradient, over JSON-RPC
// on go.lsp.dev/jsonrpc2 with go.lsp.dev/protocol's types (plus the LSP
// 3.16/3.17 ones in protocol317.go).
//
// Concurrency: the connection's read loop applies notifications (open,
// change, close, configuration) in order and takes a snapshot of the
// document for each request before handing the request to its own
// goroutine, so a request sees the text as of its arrival. Snapshots are
// immutable; what is computed from one (the checked program, the
// examples' values) is computed once, lazily, and shared. Evaluation runs
// off the request goroutines, bounded in time and memory, and is cancelled
// when a newer version of the document supersedes it.
package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/rose-go/rose"
)

// Server is one language server session.
type Server struct {
	conn   jsonrpc2.Conn
	stream *stream

	mu       sync.Mutex
	docs     map[protocol.DocumentURI]*document
	cfg      config
	pending  map[string]context.CancelFunc // in-flight requests by JSON id
	inFlight chan struct{}                 // a slot per request being served
	shutdown bool
	exited   chan struct{}
	exitOnce sync.Once
	logf     func(format string, args ...any) // to the log and the client
	clientCaps
}

// clientCaps are the client capabilities the server adapts to.
type clientCaps struct {
	inlayRefresh bool
	markdown     bool
}

// Options configure a server beyond what the client sends.
type Options struct {
	// Log receives the server's own log lines (malformed messages,
	// recovered panics); nil discards them. They are also sent to the
	// client as window/logMessage.
	Log io.Writer
}

// Serve runs a server on r and w (stdin and stdout for `rose lsp`) until
// the client sends exit or closes the input. It returns nil after a
// shutdown request and exit, and an error otherwise (the exit code of
// `rose lsp` follows LSP: 0 after shutdown, 1 if exit came without it).
func Serve(ctx context.Context, r io.Reader, w io.Writer, opts *Options) error {
	s := newServer(r, w, nil, opts)
	select {
	case <-s.conn.Done():
	case <-s.exited:
	case <-ctx.Done():
	}
	s.conn.Close()
	s.closeAll()
	s.mu.Lock()
	clean := s.shutdown
	s.mu.Unlock()
	select {
	case <-s.exited:
		if clean {
			return nil
		}
		return errors.New("exit without shutdown")
	default:
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if clean {
		return nil
	}
	return errors.New("connection closed without shutdown")
}

func newServer(r io.Reader, w io.Writer, c io.Closer, opts *Options) *Server {
	s := &Server{docs: map[protocol.DocumentURI]*document{}, pending: map[string]context.CancelFunc{},
		cfg: defaultConfig(), exited: make(chan struct{}), inFlight: make(chan struct{}, maxInFlight)}
	var logw io.Writer = io.Discard
	if opts != nil && opts.Log != nil {
		logw = opts.Log
	}
	var logMu sync.Mutex
	logf := func(format string, args ...any) {
		logMu.Lock()
		fmt.Fprintf(logw, "rose lsp: "+format+"\n", args...)
		logMu.Unlock()
	}
	if c == nil {
		if rc, ok := r.(io.Closer); ok {
			c = rc
		}
	}
	s.stream = newStream(r, w, c, logf)
	s.conn = jsonrpc2.NewConn(s.stream)
	s.logf = func(format string, args ...any) {
		logf(format, args...)
		s.notify(protocol.MethodWindowLogMessage, &protocol.LogMessageParams{Type: protocol.MessageTypeLog, Message: fmt.Sprintf(format, args...)})
	}
	s.conn.Go(context.Background(), s.handle)
	return s
}

func (s *Server) notify(method string, params any) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.conn.Notify(ctx, method, params)
}

// handle is the connection's handler, called in order from its read
// loop. It never returns an error: that would close the connection.
func (s *Server) handle(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.logf("panic in %s: %v\n%s", req.Method(), r, debug.Stack())
			if _, ok := req.(*jsonrpc2.Call); ok {
				_ = reply(ctx, nil, jsonrpc2.NewError(jsonrpc2.InternalError, fmt.Sprintf("internal error: %v", r)))
			}
		}
		err = nil
	}()
	call, isCall := req.(*jsonrpc2.Call)
	method := req.Method()
	params := req.Params()
	if !isCall {
		s.notification(method, params)
		return nil
	}
	s.mu.Lock()
	down := s.shutdown
	s.mu.Unlock()
	if down && method != "shutdown" {
		return reply(ctx, nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "the server is shut down"))
	}
	switch method {
	case "initialize":
		return s.initialize(ctx, reply, params)
	case "shutdown":
		s.mu.Lock()
		s.shutdown = true
		s.mu.Unlock()
		return reply(ctx, nil, nil)
	}
	h, ok := requests[method]
	if !ok {
		return reply(ctx, nil, jsonrpc2.NewError(jsonrpc2.MethodNotFound, "method not supported: "+method))
	}
	// Decode and take the snapshot here, in arrival order; compute on a
	// goroutine of the request's own.
	run, err := h(s, params)
	if err != nil {
		return reply(ctx, nil, err)
	}
	id := call.ID()
	key := idKey(&id) // ID marshals as a number or string only by pointer
	// Bound the requests in flight: past maxInFlight (a client sending
	// and never reading, whose replies have filled the write queue), the
	// read loop waits here and the client's writes wait in turn, instead
	// of goroutines piling up.
	s.inFlight <- struct{}{}
	rctx, cancel := context.WithCancel(context.Background())
	s.mu.Lock()
	s.pending[key] = cancel
	s.mu.Unlock()
	go func() {
		defer func() { <-s.inFlight }()
		defer cancel()
		var res any
		var rerr error
		func() {
			defer func() {
				if r := recover(); r != nil {
					s.logf("panic in %s: %v\n%s", method, r, debug.Stack())
					rerr = jsonrpc2.NewError(jsonrpc2.InternalError, fmt.Sprintf("internal error: %v", r))
				}
			}()
			res, rerr = run(rctx)
		}()
		s.mu.Lock()
		delete(s.pending, key)
		s.mu.Unlock()
		if rctx.Err() != nil && rerr != nil {
			rerr = jsonrpc2.NewError(requestCancelled, "request cancelled")
		}
		if rerr != nil {
			var je *jsonrpc2.Error
			if !errors.As(rerr, &je) {
				rerr = jsonrpc2.NewError(jsonrpc2.InternalError, rerr.Error())
			}
			res = nil
		}
		if err := reply(rctx, res, rerr); err != nil {
			s.logf("reply to %s: %v", method, err)
		}
	}()
	return nil
}

// maxInFlight bounds the requests served at once.
const maxInFlight = 256

// requestCancelled is LSP's error code for a cancelled request.
const requestCancelled jsonrpc2.Code = -32800

func idKey(id any) string {
	b, _ := json.Marshal(id)
	return string(b)
}

// A request handler decodes its parameters and takes what it needs from
// the server's state (a snapshot) synchronously, and returns the work to
// run on its own goroutine.
type requestFunc func(s *Server, params json.RawMessage) (func(ctx context.Context) (any, error), error)

// requests routes every request method but initialize and shutdown.
var requests map[string]requestFunc

func init() {
	requests = map[string]requestFunc{
		"textDocument/hover":             onDoc((*Server).hover),
		"textDocument/definition":        onDoc((*Server).definition),
		"textDocument/references":        onDoc((*Server).references),
		"textDocument/documentHighlight": onDoc((*Server).highlight),
		"textDocument/prepareRename":     onDoc((*Server).prepareRename),
		"textDocument/rename":            onDoc((*Server).rename),
		"textDocument/documentSymbol":    onDoc((*Server).symbols),
		"textDocument/completion":        onDoc((*Server).completion),
		"textDocument/signatureHelp":     onDoc((*Server).signatureHelp),
		methodSemanticFull:               onDoc((*Server).semanticTokens),
		"textDocument/formatting":        onDoc((*Server).formatting),
		"textDocument/foldingRange":      onDoc((*Server).folding),
		"textDocument/codeLens":          onDoc((*Server).codeLens),
		methodInlayHint:                  onDoc((*Server).inlayHints),
		"workspace/executeCommand":       plain((*Server).executeCommand),
		methodInlayHintResolve:           plain(func(s *Server, ctx context.Context, h *InlayHint) (any, error) { return h, nil }),
		"codeLens/resolve":               plain(func(s *Server, ctx context.Context, l *protocol.CodeLens) (any, error) { return l, nil }),
	}
}

// docParams is what every document request's parameters share.
type docParams struct {
	TextDocument struct {
		URI protocol.DocumentURI `json:"uri"`
	} `json:"textDocument"`
}

// onDoc adapts a handler of a request about one document: params are
// decoded into P and the document's current snapshot is taken now. A
// request about a document that is not open gets an empty result.
func onDoc[P any](f func(s *Server, ctx context.Context, snap *snapshot, p *P) (any, error)) requestFunc {
	return func(s *Server, raw json.RawMessage) (func(context.Context) (any, error), error) {
		p := new(P)
		var d docParams
		if err := decode(raw, p); err != nil {
			return nil, err
		}
		if err := decode(raw, &d); err != nil {
			return nil, err
		}
		snap := s.snapshot(d.TextDocument.URI)
		if snap == nil {
			s.logf("request for a document that is not open: %s", d.TextDocument.URI)
			return func(context.Context) (any, error) { return nil, nil }, nil
		}
		return func(ctx context.Context) (any, error) { return f(s, ctx, snap, p) }, nil
	}
}

// plain adapts a handler that needs no snapshot taken in order.
func plain[P any](f func(s *Server, ctx context.Context, p *P) (any, error)) requestFunc {
	return func(s *Server, raw json.RawMessage) (func(context.Context) (any, error), error) {
		p := new(P)
		if err := decode(raw, p); err != nil {
			return nil, err
		}
		return func(ctx context.Context) (any, error) { return f(s, ctx, p) }, nil
	}
}

func decode(raw json.RawMessage, v any) error {
	if len(raw) == 0 || string(raw) == "null" {
		return jsonrpc2.NewError(jsonrpc2.InvalidParams, "missing params")
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return jsonrpc2.NewError(jsonrpc2.InvalidParams, "invalid params: "+err.Error())
	}
	return nil
}

// notification applies a notification; errors are logged (a
// notification has no reply).
func (s *Server) notification(method string, raw json.RawMessage) {
	var err error
	switch method {
	case "initialized", methodSetTrace, "textDocument/didSave", "workspace/didChangeWatchedFiles":
	case "exit":
		s.exitOnce.Do(func() { close(s.exited) })
	case methodCancelRequest:
		var p CancelParams
		if err = decode(raw, &p); err == nil {
			s.mu.Lock()
			cancel := s.pending[idKey(p.ID)]
			s.mu.Unlock()
			if cancel != nil {
				cancel()
			}
		}
	case "textDocument/didOpen":
		var p protocol.DidOpenTextDocumentParams
		if err = decode(raw, &p); err == nil {
			s.open(p.TextDocument.URI, p.TextDocument.Version, []byte(p.TextDocument.Text))
		}
	case "textDocument/didChange":
		var p DidChangeParams
		if err = decode(raw, &p); err == nil {
			err = s.change(p.TextDocument.URI, p.TextDocument.Version, p.ContentChanges)
		}
	case "textDocument/didClose":
		var p protocol.DidCloseTextDocumentParams
		if err = decode(raw, &p); err == nil {
			s.close(p.TextDocument.URI)
		}
	case "workspace/didChangeConfiguration":
		var p struct {
			Settings json.RawMessage `json:"settings"`
		}
		if err = decode(raw, &p); err == nil {
			s.configure(p.Settings)
		}
	default:
		if !strings.HasPrefix(method, "$/") {
			s.logf("ignored notification %s", method)
		}
	}
	if err != nil {
		s.logf("%s: %v", method, err)
	}
}

func (s *Server) initialize(ctx context.Context, reply jsonrpc2.Replier, raw json.RawMessage) error {
	var p struct {
		InitializationOptions json.RawMessage `json:"initializationOptions"`
		Capabilities          struct {
			Workspace struct {
				InlayHint struct {
					RefreshSupport bool `json:"refreshSupport"`
				} `json:"inlayHint"`
			} `json:"workspace"`
			TextDocument struct {
				Hover struct {
					ContentFormat []string `json:"contentFormat"`
				} `json:"hover"`
			} `json:"textDocument"`
		} `json:"capabilities"`
	}
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &p); err != nil {
			return reply(ctx, nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "invalid params: "+err.Error()))
		}
	}
	s.mu.Lock()
	s.inlayRefresh = p.Capabilities.Workspace.InlayHint.RefreshSupport
	s.markdown = len(p.Capabilities.TextDocument.Hover.ContentFormat) == 0
	for _, f := range p.Capabilities.TextDocument.Hover.ContentFormat {
		if f == "markdown" {
			s.markdown = true
		}
	}
	s.mu.Unlock()
	s.configure(p.InitializationOptions)
	return reply(ctx, &InitializeResult{Capabilities: capabilities(), ServerInfo: &protocol.ServerInfo{Name: "rose", Version: rose.Version}}, nil)
}

// commands are the workspace/executeCommand commands, which the code
// lenses on example lines invoke.
var commands = []string{"rose.run", "rose.grad", "rose.checkGradient"}

func capabilities() ServerCapabilities {
	var c ServerCapabilities
	c.PositionEncoding = "utf-16"
	c.TextDocumentSync = &protocol.TextDocumentSyncOptions{OpenClose: true, Change: protocol.TextDocumentSyncKindIncremental}
	c.HoverProvider = true
	c.DefinitionProvider = true
	c.ReferencesProvider = true
	c.DocumentHighlightProvider = true
	c.RenameProvider = &protocol.RenameOptions{PrepareProvider: true}
	c.DocumentSymbolProvider = true
	c.CompletionProvider = &protocol.CompletionOptions{TriggerCharacters: []string{"."}}
	c.SignatureHelpProvider = &protocol.SignatureHelpOptions{TriggerCharacters: []string{"(", ","}}
	c.SemanticTokensProvider = map[string]any{
		"legend": protocol.SemanticTokensLegend{TokenTypes: tokenTypes, TokenModifiers: tokenModifiers},
		"full":   true,
	}
	c.DocumentFormattingProvider = true
	c.FoldingRangeProvider = true
	c.CodeLensProvider = &protocol.CodeLensOptions{}
	c.ExecuteCommandProvider = &protocol.ExecuteCommandOptions{Commands: commands}
	c.InlayHintProvider = &InlayHintOptions{}
	return c
}

// uriPath is the file name a document is loaded under (for positions in
// messages): the path of a file: URI, or the URI itself.
func uriPath(uri protocol.DocumentURI) string {
	u, err := url.Parse(string(uri))
	if err != nil || u.Scheme != "file" || u.Path == "" {
		return string(uri)
	}
	return filepath.FromSlash(u.Path)
}
