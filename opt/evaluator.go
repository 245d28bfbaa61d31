package opt

import (
	"context"
	"math"
	"slices"
	"time"

	"gonum.org/v1/gonum/optimize"

	"github.com/rose-go/rose"
)

// evaluator is gonum's view of an Objective: its Problem (Func, Grad,
// Status) and its Recorder. gonum asks for the value and then the
// gradient at the same point; one reverse sweep gives both, so value
// runs it and keeps the gradient for grad. The first failure is kept
// and ends the run through status.
type evaluator struct {
	ctx   context.Context
	o     *rose.Objective
	s     Settings
	start time.Time

	x, g  []float64 // the last point evaluated and its gradient
	f     float64
	valid bool // x, f, g hold an evaluation that succeeded

	evals int   // sweeps run
	err   error // the first failure

	best  []float64 // the iterate with the lowest loss
	bestG []float64 // its gradient
	bestF float64
	last  Iter // the last iterate recorded

	// base is the iteration a restarted method started from: gonum
	// counts each run's iterations from its start, which is base, already
	// recorded.
	base      int
	restarted bool
}

// restart notes that the method starts again from the best point.
func (e *evaluator) restart() {
	e.base, e.restarted = e.last.Iter, true
}

func newEvaluator(ctx context.Context, o *rose.Objective, x0 []float64, s Settings) *evaluator {
	n := o.Dim()
	return &evaluator{
		ctx: ctx, o: o, s: s, start: time.Now(),
		x: make([]float64, n), g: make([]float64, n),
		best: append([]float64(nil), x0...), bestG: make([]float64, n), bestF: math.NaN(),
	}
}

// sweep evaluates the value and gradient at x, unless a failure already
// ended the run.
func (e *evaluator) sweep(x []float64) {
	if e.err != nil {
		return
	}
	copy(e.x, x)
	e.valid = false
	e.evals++
	f, err := e.o.ValueGrad(e.ctx, e.x, e.g)
	if err != nil {
		if cerr := e.ctx.Err(); cerr != nil {
			err = cerr
		}
		e.fail(err)
		return
	}
	e.f = f
	if math.IsNaN(f) || math.IsInf(f, 0) {
		e.fail(e.nonFinite(f, ""))
		return
	}
	for i, d := range e.g {
		if math.IsNaN(d) || math.IsInf(d, 0) {
			e.fail(e.nonFinite(f, e.o.Inputs()[i]))
			return
		}
	}
	e.valid = true
}

// nonFinite describes a trial point where the objective is not finite,
// tracing the value to the operation that made the NaN or infinity.
func (e *evaluator) nonFinite(f float64, input string) error {
	nf := &NonFiniteError{Iter: e.last.Iter + 1, Loss: f, Input: input, X: append([]float64(nil), e.x...)}
	if input == "" {
		if args, err := e.o.Args(e.x); err == nil {
			if tr, _ := e.o.Func().Trace(e.ctx, args, nil); tr != nil {
				nf.Where = tr.NonFinite
			}
		}
	}
	return nf
}

func (e *evaluator) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

// value is Problem.Func.
func (e *evaluator) value(x []float64) float64 {
	e.sweep(x)
	if !e.valid {
		return math.NaN()
	}
	return e.f
}

// grad is Problem.Grad: the gradient the last sweep left, if it was at x.
func (e *evaluator) grad(grad, x []float64) {
	if !e.valid || !slices.Equal(x, e.x) {
		e.sweep(x)
	}
	if !e.valid {
		for i := range grad {
			grad[i] = math.NaN()
		}
		return
	}
	copy(grad, e.g)
}

// status is Problem.Status: a failure or a cancelled context ends the
// run after the evaluation that met it.
func (e *evaluator) status() (optimize.Status, error) {
	if e.err == nil {
		if err := e.ctx.Err(); err != nil {
			e.fail(err)
		}
	}
	if e.err != nil {
		return optimize.Failure, e.err
	}
	return optimize.NotTerminated, nil
}

// Init is Recorder.Init.
func (e *evaluator) Init() error { return nil }

// Record is Recorder.Record: at the start and at every iteration it
// keeps the best iterate and calls Settings.Record.
func (e *evaluator) Record(loc *optimize.Location, op optimize.Operation, st *optimize.Stats) error {
	if op != optimize.MajorIteration {
		return nil // InitIteration comes before the start is evaluated
	}
	if e.restarted && st.MajorIterations == 1 {
		return nil // the restart's start, the best point, is recorded
	}
	return e.record(loc, e.base+st.MajorIterations-1)
}

// record notes iterate iter (0: the start; gonum counts the start as its
// first major iteration).
func (e *evaluator) record(loc *optimize.Location, iter int) error {
	it := Iter{
		Iter: iter, Loss: loc.F, GradNorm: norm(loc.Gradient),
		Evals: e.evals, Elapsed: time.Since(e.start), X: loc.X, Grad: loc.Gradient,
	}
	e.last = it
	if !(it.Loss >= e.bestF) { // also when bestF is NaN: the first
		copy(e.best, loc.X)
		copy(e.bestG, loc.Gradient)
		e.bestF = it.Loss
	}
	if e.s.Record != nil {
		if err := e.s.Record(&it); err != nil {
			e.fail(err)
			return err
		}
	}
	return nil
}

// finish fills res from gonum's result r (nil if it gave none).
func (e *evaluator) finish(res *Result, r *optimize.Result) {
	if r != nil && e.err == nil && e.base+r.MajorIterations-1 > e.last.Iter {
		// gonum does not record the iterate that meets a stopping rule.
		e.record(&r.Location, e.base+r.MajorIterations-1)
	}
	res.Iters, res.Evals, res.Elapsed = e.last.Iter, e.evals, time.Since(e.start)
	if e.err != nil || r == nil {
		// Stopped by a failure: the best iterate, which was evaluated.
		res.Err = e.err
		res.X, res.Loss, res.GradNorm = append([]float64(nil), e.best...), e.bestF, norm(e.bestG)
		if math.IsNaN(e.bestF) {
			res.GradNorm = math.NaN() // no iterate was recorded
		}
		res.Status = "stopped"
		if res.Err == context.Canceled || res.Err == context.DeadlineExceeded {
			res.Status = "interrupted"
		} else if _, ok := res.Err.(*NonFiniteError); ok {
			res.Status = "not finite"
		} else if res.Err != nil {
			res.Status = "failed"
		}
		return
	}
	res.X, res.Loss, res.GradNorm = append([]float64(nil), r.X...), r.F, norm(r.Gradient)
	res.Status = statusText(r.Status)
}
