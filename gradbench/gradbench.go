// Package gradbench makes Rose a GradBench tool: it speaks GradBench's
// JSON-lines protocol (start, define, evaluate, analysis, end) and answers
// each eval's functions with a Rose program of its own, embedded from
// evals/. The mathematics lives in those programs; the Go side of a module
// only converts the eval's input JSON to arguments and the results to the
// output JSON the eval expects (see each module's file).
package gradbench

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/rose-go/rose"
)

//go:embed evals/*.rose
var sources embed.FS

// Options configure a session.
type Options struct {
	Engine  rose.Engine // the engine every module runs on
	Version string      // reported in the start response
	Log     io.Writer   // where internal errors are logged; nil discards
}

// A module is one eval's Rose program and the functions the eval calls.
type module struct {
	name  string
	funcs map[string]function
}

// A function turns an evaluate message's input into a prepared call: the
// conversion of the input happens here, outside the timed runs.
type function func(p *rose.Program, input json.RawMessage) (*call, error)

// A call is an evaluation ready to be run and timed.
type call struct {
	run    func(ctx context.Context) error // one run of the function
	output func() (any, error)             // the output of the last run, as JSON
	close  func()                          // releases what the call holds, if set
}

var (
	regMu   sync.Mutex
	modules = map[string]*module{}
)

// register adds a module; each module's file calls it from init.
func register(name string, funcs map[string]function) {
	regMu.Lock()
	defer regMu.Unlock()
	modules[name] = &module{name: name, funcs: funcs}
}

// registerNested adds a nested-AD module: its four functions rr, ff,
// fr and rf (the modes of the outer and inner derivatives) are the Rose
// functions of those names, called on the arguments arg reads off the
// input.
func registerNested(name string, arg func(in json.RawMessage) (any, error)) {
	funcs := map[string]function{}
	for _, mode := range []string{"rr", "ff", "fr", "rf"} {
		funcs[mode] = func(p *rose.Program, in json.RawMessage) (*call, error) {
			a, err := arg(in)
			if err != nil {
				return nil, err
			}
			return rosecall(p, mode, a)
		}
	}
	register(name, funcs)
}

// lookup is the module registered as name, or nil.
func lookup(name string) *module {
	regMu.Lock()
	defer regMu.Unlock()
	return modules[name]
}

// Modules lists the modules the tool implements, sorted.
func Modules() []string {
	regMu.Lock()
	defer regMu.Unlock()
	var names []string
	for n := range modules {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Source is the Rose program of module name, or nil if there is none.
func Source(name string) []byte {
	b, err := sources.ReadFile("evals/" + name + ".rose")
	if err != nil {
		return nil
	}
	return b
}

// message is what the eval sends; fields beyond the kind's are ignored.
type message struct {
	ID       json.RawMessage `json:"id"`
	Kind     string          `json:"kind"`
	Module   string          `json:"module"`
	Function string          `json:"function"`
	Input    json.RawMessage `json:"input"`
}

// timing is one entry of a response's timings.
type timing struct {
	Name        string `json:"name"`
	Nanoseconds int64  `json:"nanoseconds"`
}

// session is the state of one conversation with an eval.
type session struct {
	opt     Options
	loaded  map[string]*rose.Program // defined modules
	encoder *json.Encoder
}

// Serve answers the messages read from r on w, one JSON object per line
// each way, until an "end" message or the end of r. A malformed message
// or a failing function gets an error response and the session goes on;
// the error returned is one of reading or writing.
func Serve(ctx context.Context, r io.Reader, w io.Writer, opt Options) error {
	s := &session{opt: opt, loaded: map[string]*rose.Program{}, encoder: json.NewEncoder(w)}
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			resp, end := s.handle(ctx, line)
			if end {
				return nil
			}
			if werr := s.encoder.Encode(resp); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// handle answers one message. end reports an "end" message, which has no
// answer.
func (s *session) handle(ctx context.Context, line []byte) (resp map[string]any, end bool) {
	var m message
	if err := json.Unmarshal(line, &m); err != nil {
		// Echo the id if there is one to read.
		var idOnly struct {
			ID json.RawMessage `json:"id"`
		}
		var id any
		if json.Unmarshal(line, &idOnly) == nil && len(idOnly.ID) > 0 {
			id = idOnly.ID
		}
		return map[string]any{"id": id, "success": false, "error": "malformed message: " + err.Error()}, false
	}
	id := any(nil)
	if len(m.ID) > 0 {
		id = m.ID
	}
	defer func() {
		if r := recover(); r != nil {
			if s.opt.Log != nil {
				fmt.Fprintf(s.opt.Log, "rose gradbench: internal error on message %s: %v\n", m.ID, r)
			}
			resp = map[string]any{"id": id, "success": false, "error": fmt.Sprintf("internal error: %v", r)}
		}
	}()
	switch m.Kind {
	case "end":
		return nil, true
	case "start":
		return map[string]any{"id": id, "tool": "rose", "config": map[string]any{"version": s.opt.Version, "engine": s.opt.Engine.String()}}, false
	case "define":
		start := time.Now()
		err := s.define(m.Module)
		resp := map[string]any{"id": id, "success": err == nil, "timings": []timing{{"define", time.Since(start).Nanoseconds()}}}
		if err != nil {
			resp["error"] = err.Error()
		}
		return resp, false
	case "evaluate":
		out, timings, err := s.evaluate(ctx, m)
		if err != nil {
			return map[string]any{"id": id, "success": false, "error": err.Error(), "timings": timings}, false
		}
		return map[string]any{"id": id, "success": true, "output": out, "timings": timings}, false
	default:
		// analysis, and kinds this tool does not know: acknowledged.
		return map[string]any{"id": id}, false
	}
}

// define loads and checks module name's program.
func (s *session) define(name string) error {
	mod := lookup(name)
	src := Source(name)
	if mod == nil || src == nil {
		return fmt.Errorf("rose has no module %q (it has: %v)", name, Modules())
	}
	if s.loaded[name] != nil {
		return nil
	}
	p := rose.Load(name+".rose", src)
	p.Engine = s.opt.Engine
	if err := p.Err(); err != nil {
		return err
	}
	s.loaded[name] = p
	return nil
}

// runs is the part of an evaluate input that says how often to run.
type runs struct {
	MinRuns    *int     `json:"min_runs"`
	MinSeconds *float64 `json:"min_seconds"`
}

// evaluate prepares the call, runs it at least min_runs times and until
// min_seconds have passed, and returns the output of the last run.
func (s *session) evaluate(ctx context.Context, m message) (any, []timing, error) {
	p := s.loaded[m.Module]
	if p == nil {
		return nil, nil, fmt.Errorf("module %q is not defined", m.Module)
	}
	mod := lookup(m.Module)
	fn := mod.funcs[m.Function]
	if fn == nil {
		var names []string
		for n := range mod.funcs {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, nil, fmt.Errorf("module %s has no function %q (it has: %v)", m.Module, m.Function, names)
	}
	minRuns, minSeconds := 1, 0.0
	var r runs
	if json.Unmarshal(m.Input, &r) == nil {
		if r.MinRuns != nil {
			minRuns = *r.MinRuns
		}
		if r.MinSeconds != nil {
			minSeconds = *r.MinSeconds
		}
	}
	start := time.Now()
	c, err := fn(p, m.Input)
	timings := []timing{{"prepare", time.Since(start).Nanoseconds()}}
	if err != nil {
		return nil, timings, err
	}
	if c.close != nil {
		defer c.close()
	}
	// The garbage of the conversion (and of earlier evaluates) is
	// collected before the runs, not during them, as Go's benchmarks do.
	runtime.GC()
	var total time.Duration
	for i := 0; i < minRuns || total.Seconds() < minSeconds; i++ {
		t0 := time.Now()
		if err := c.run(ctx); err != nil {
			return nil, timings, err
		}
		d := time.Since(t0)
		total += d
		timings = append(timings, timing{"evaluate", d.Nanoseconds()})
		if ctx.Err() != nil {
			return nil, timings, ctx.Err()
		}
	}
	out, err := c.output()
	if err != nil {
		return nil, timings, err
	}
	return out, timings, nil
}

// errInput is the error of an input of the wrong shape.
var errInput = errors.New("input")
