package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"go.lsp.dev/protocol"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/parser"
)

// document is an open text document. Its fields are guarded by Server.mu.
type document struct {
	uri    protocol.DocumentURI
	snap   *snapshot          // the latest version
	cancel context.CancelFunc // cancels the latest snapshot's work
	wake   chan struct{}      // tells the worker a new version is there
	closed chan struct{}
	active *activeSet
}

// snapshot is one version of a document and everything computed from it,
// each part computed at most once and only when asked for.
type snapshot struct {
	uri     protocol.DocumentURI
	path    string
	version int32
	text    []byte
	lines   *lines
	cfg     config
	ctx     context.Context // done when a newer version supersedes this one
	active  *activeSet      // the document's, shared by its versions

	loadOnce sync.Once
	prog     *rose.Program

	identOnce sync.Once
	identList []*parser.Ident

	evalOnce sync.Once
	evalDone chan struct{}
	evals    []*exampleResult
}

// program parses and checks the snapshot (once).
func (sn *snapshot) program() *rose.Program {
	sn.loadOnce.Do(func() {
		defer func() {
			if r := recover(); r != nil {
				sn.prog = nil
				panic(r)
			}
		}()
		sn.prog = rose.Load(sn.path, sn.text)
		sn.prog.Limits = sn.cfg.limits()
	})
	return sn.prog
}

func (s *Server) snapshot(uri protocol.DocumentURI) *snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.docs[uri]; d != nil {
		return d.snap
	}
	return nil
}

func (s *Server) open(uri protocol.DocumentURI, version int32, text []byte) {
	s.mu.Lock()
	d := s.docs[uri]
	if d == nil {
		d = &document{uri: uri, wake: make(chan struct{}, 1), closed: make(chan struct{}), active: &activeSet{m: map[string]int{}}}
		s.docs[uri] = d
		go s.worker(d)
	}
	s.setText(d, version, text)
	s.mu.Unlock()
}

// change applies incremental (or whole) changes in order.
func (s *Server) change(uri protocol.DocumentURI, version int32, changes []ContentChange) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.docs[uri]
	if d == nil {
		return fmt.Errorf("change to a document that is not open: %s", uri)
	}
	text, ls := d.snap.text, d.snap.lines
	for _, c := range changes {
		if c.Range == nil {
			text = []byte(c.Text)
		} else {
			from, to := ls.offset(c.Range.Start), ls.offset(c.Range.End)
			if to < from {
				from, to = to, from
			}
			next := make([]byte, 0, len(text)-(to-from)+len(c.Text))
			next = append(next, text[:from]...)
			next = append(next, c.Text...)
			text = append(next, text[to:]...)
		}
		ls = newLines(text)
	}
	s.setText(d, version, text)
	return nil
}

// setText makes a new snapshot current, cancels the work of the old one
// and wakes the diagnostics worker. s.mu is held.
func (s *Server) setText(d *document, version int32, text []byte) {
	if d.cancel != nil {
		d.cancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	d.snap = &snapshot{uri: d.uri, path: uriPath(d.uri), version: version, text: text, lines: newLines(text),
		cfg: s.cfg, ctx: ctx, active: d.active, evalDone: make(chan struct{})}
	d.cancel = cancel
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (s *Server) close(uri protocol.DocumentURI) {
	s.mu.Lock()
	d := s.docs[uri]
	delete(s.docs, uri)
	if d != nil {
		d.cancel()
		close(d.closed)
	}
	s.mu.Unlock()
	if d != nil {
		s.notify(protocol.MethodTextDocumentPublishDiagnostics, &protocol.PublishDiagnosticsParams{URI: uri, Diagnostics: []protocol.Diagnostic{}})
	}
}

func (s *Server) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for uri, d := range s.docs {
		d.cancel()
		close(d.closed)
		delete(s.docs, uri)
	}
}

// worker publishes a document's diagnostics: after each burst of changes
// (debounced), those of parsing and checking the latest version, then,
// once its examples are evaluated, those again with the evaluation's
// warnings. A newer version makes it drop what it was doing.
func (s *Server) worker(d *document) {
	for {
		select {
		case <-d.closed:
			return
		case <-d.wake:
		}
		s.mu.Lock()
		delay := s.cfg.Debounce
		s.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-d.closed:
				return
			}
		}
		s.mu.Lock()
		snap := d.snap
		s.mu.Unlock()
		s.publish(snap, false)
		if snap.program().Err() != nil {
			continue
		}
		select {
		case <-d.wake:
			// A newer version came meanwhile: go round again at once.
			d.wake <- struct{}{}
			continue
		default:
		}
		snap.evaluate()
		if snap.ctx.Err() == nil {
			s.publish(snap, true)
		}
	}
}

// publish sends snap's diagnostics if snap is still the latest version.
func (s *Server) publish(snap *snapshot, withEval bool) {
	var diags []protocol.Diagnostic
	func() {
		defer func() {
			if r := recover(); r != nil {
				s.logf("panic computing diagnostics: %v", r)
			}
		}()
		diags = snap.diagnostics(withEval)
	}()
	if diags == nil {
		diags = []protocol.Diagnostic{}
	}
	s.mu.Lock()
	d := s.docs[snap.uri]
	latest := d != nil && d.snap == snap
	s.mu.Unlock()
	if latest {
		v := uint32(max(snap.version, 0))
		s.notify(protocol.MethodTextDocumentPublishDiagnostics, &protocol.PublishDiagnosticsParams{URI: snap.uri, Version: v, Diagnostics: diags})
	}
}

// activeSet is, per function name, the index of the example the cursor
// was last on (hover, inlay, completion... requests tell where it is).
// Indices are checked against the function's name when used, since edits
// move examples.
type activeSet struct {
	mu sync.Mutex
	m  map[string]int
}

func (a *activeSet) get(fn string) (int, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	i, ok := a.m[fn]
	return i, ok
}

// set records example ex of fn and reports whether that changed anything.
func (a *activeSet) set(fn string, ex int) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if i, ok := a.m[fn]; ok && i == ex {
		return false
	}
	a.m[fn] = ex
	return true
}

// setActive records that the cursor was last on example ex of function
// fn, and asks the client to redraw inlay hints when that moves them.
func (s *Server) setActive(sn *snapshot, fn string, ex int) {
	s.mu.Lock()
	refresh := s.inlayRefresh
	s.mu.Unlock()
	if sn.active.set(fn, ex) && refresh {
		go s.refreshInlays()
	}
}

func (s *Server) refreshInlays() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = s.conn.Call(ctx, methodInlayHintRefresh, nil, nil)
}

// config is the server's settings, from initializationOptions and
// workspace/didChangeConfiguration.
type config struct {
	Timeout        time.Duration // per evaluation
	MaxMemory      int64         // bytes, per evaluation
	ExampleValues  bool          // inlay hint after each example
	ParamGradients bool          // inlay hint after each parameter
	LiveValues     bool          // inlay hint after each let and var
	Debounce       time.Duration
}

func defaultConfig() config {
	return config{Timeout: 250 * time.Millisecond, MaxMemory: 256 << 20, ExampleValues: true, ParamGradients: true, Debounce: 10 * time.Millisecond}
}

func (c config) limits() *eval.Options {
	return &eval.Options{MaxMemory: c.MaxMemory}
}

// configure reads settings: an object, optionally under a "rose" key,
// whose keys are nested ({"eval": {"timeoutMs": 500}}) or dotted
// ({"eval.timeoutMs": 500}); unknown keys are ignored.
func (s *Server) configure(raw json.RawMessage) {
	if len(raw) == 0 || string(raw) == "null" {
		return
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		s.logf("settings: %v", err)
		return
	}
	if r, ok := m["rose"].(map[string]any); ok {
		m = r
	}
	flat := map[string]any{}
	flatten("", m, flat)
	s.mu.Lock()
	c := s.cfg
	num := func(key string, set func(float64)) {
		if v, ok := flat[key].(float64); ok && v >= 0 {
			set(v)
		}
	}
	flag := func(key string, set *bool) {
		if v, ok := flat[key].(bool); ok {
			*set = v
		}
	}
	num("eval.timeoutMs", func(v float64) { c.Timeout = time.Duration(v * float64(time.Millisecond)) })
	num("eval.maxMemoryMB", func(v float64) { c.MaxMemory = int64(v * (1 << 20)) })
	num("diagnostics.debounceMs", func(v float64) { c.Debounce = time.Duration(v * float64(time.Millisecond)) })
	flag("inlay.exampleValues", &c.ExampleValues)
	flag("inlay.parameterGradients", &c.ParamGradients)
	flag("inlay.liveValues", &c.LiveValues)
	changed := c != s.cfg
	s.cfg = c
	refresh := s.inlayRefresh
	if changed {
		for _, d := range s.docs {
			s.setText(d, d.snap.version, d.snap.text) // re-evaluate under the new budget
		}
	}
	s.mu.Unlock()
	if changed && refresh {
		go s.refreshInlays()
	}
}

func flatten(prefix string, m map[string]any, out map[string]any) {
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			flatten(prefix+k+".", sub, out)
			continue
		}
		out[prefix+k] = v
	}
}
