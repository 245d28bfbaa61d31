package rose

import (
	"context"
	"go/token"
	"time"

	"github.com/rose-go/rose/check"
	"github.com/rose-go/rose/eval"
	"github.com/rose-go/rose/value"
)

// TestResult is the outcome of one `test` block.
type TestResult struct {
	Name     string
	Pos      token.Position // of the declaration
	Failures []*AssertFailure
	Err      error // the test could not run: a runtime error, with its position
	Time     time.Duration
}

// AssertFailure is an assert whose condition was false.
type AssertFailure struct {
	Pos  token.Position
	Text string // the condition as written
	// Left and Right are the compared values, printed, when the condition
	// is a comparison (==, !=, <, <=, >, >=); else empty.
	Left, Right         string
	LeftText, RightText string // the operands as written
}

// Failed reports whether the test failed or could not run.
func (r *TestResult) Failed() bool { return r.Err != nil || len(r.Failures) > 0 }

// RunTests runs every `test` block of the file in order, under opts.
func (p *Program) RunTests(ctx context.Context, opts *eval.Options) ([]*TestResult, error) {
	if err := p.Err(); err != nil {
		return nil, err
	}
	var out []*TestResult
	for _, t := range p.Pkg.Tests {
		start := time.Now()
		r := &TestResult{Name: t.Name, Pos: p.Fset.Position(t.Decl.Pos())}
		out = append(out, r)
		r.Time = time.Since(start) // updated below once the test has run
		code, err := p.testCode(t)
		if err != nil {
			r.Err = err
			continue
		}
		v, err := code.Call(ctx, nil, opts)
		if err != nil {
			r.Err = p.wrapErr(err)
			continue
		}
		k := 0
		for _, a := range t.Asserts {
			ok := v.Elem(k).Bool()
			k++
			f := &AssertFailure{Pos: p.Fset.Position(a.Stmt.Pos()), Text: p.text(a.Stmt.Cond)}
			if a.Compare != nil {
				l, rv := v.Elem(k), v.Elem(k+1)
				f.Left, f.Right = value.Format(l, nil), value.Format(rv, nil)
				f.LeftText, f.RightText = p.text(a.Compare.X), p.text(a.Compare.Y)
				k += 2
			}
			if !ok {
				r.Failures = append(r.Failures, f)
			}
		}
		r.Time = time.Since(start)
	}
	return out, nil
}

// testCode lowers, resolves and compiles a test, under p.mu.
func (p *Program) testCode(t *check.Test) (code, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fn, err := p.Pkg.TestFunc(t)
	if err != nil {
		return nil, err
	}
	if err := p.ad.Resolve(fn); err != nil {
		return nil, err
	}
	return p.compile(fn)
}

// text is the source of a node.
func (p *Program) text(n interface {
	Pos() token.Pos
	End() token.Pos
}) string {
	start, end := p.Fset.Position(n.Pos()).Offset, p.Fset.Position(n.End()).Offset
	if start < 0 || end > len(p.Src) || start > end {
		return ""
	}
	return string(p.Src[start:end])
}
