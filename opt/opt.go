// Package opt minimizes a Rose function: gonum's optimizers
// (gonum.org/v1/gonum/optimize) driving a rose.Objective, whose value and
// gradient are compiled once and called without allocating. It adds what
// a command-line optimizer needs around them: the fixed-step gradient
// descent of the Rose paper's experiments, stopping rules, a record of
// every iteration, the best point kept when a run is interrupted or the
// objective stops being finite.
package opt

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/gonum/optimize"

	"github.com/rose-go/rose"
)

// The methods, by the names the command line takes.
const (
	LBFGS = "lbfgs" // limited-memory BFGS with a More-Thuente line search: the default
	BFGS  = "bfgs"  // BFGS with a dense inverse Hessian: for a few hundred inputs at most
	CG    = "cg"    // nonlinear conjugate gradient (Hestenes-Stiefel and Polak-Ribiere-Polyak)
	GD    = "gd"    // gradient descent with a fixed step (or a fixed step length with Clip)
)

// Methods lists the method names, the default first.
var Methods = []string{LBFGS, BFGS, CG, GD}

// The line searches of the quasi-Newton and conjugate gradient methods.
const (
	Bisection    = "bisection"    // bisection to the strong Wolfe conditions: the default
	MoreThuente  = "morethuente"  // More and Thuente's search, strong Wolfe conditions, fewer evaluations on smooth losses
	Backtracking = "backtracking" // halving until the loss decreases enough (Armijo): the cheapest to give up at a kink
)

// LineSearches lists the line search names, the default first.
var LineSearches = []string{Bisection, MoreThuente, Backtracking}

// Settings choose the method and when to stop. The zero value is L-BFGS
// with the default tolerances.
type Settings struct {
	Method string // one of Methods; "" is LBFGS
	// LineSearch is the line search of lbfgs, bfgs and cg: one of
	// LineSearches; "" is Bisection.
	LineSearch string

	// Step is gradient descent's learning rate: each iteration moves to
	// x - Step * grad, with no line search (the paper's experiments).
	Step float64
	// Clip, if positive, makes every gradient descent step Clip long:
	// x - Clip / (|grad| + 1e-6) * grad, as the mass-spring experiment
	// clips its gradient. It replaces Step.
	Clip float64

	// GradTol stops the run when the largest entry of the gradient is
	// below it in magnitude; 0 means DefaultGradTol, a negative value
	// never.
	GradTol float64
	// FTol stops a run whose loss has improved by less than FTol times its
	// magnitude over the last 20 iterations; 0 means the default (1e-15
	// for the line-search methods, never for gradient descent), a negative
	// value never.
	FTol float64
	// MaxIter, MaxEvals and MaxTime bound the iterations, the
	// evaluations of the objective and the time (0: no bound; MaxIter 0
	// means DefaultMaxIter).
	MaxIter  int
	MaxEvals int
	MaxTime  time.Duration

	// Record, if set, is called at the start and after every iteration;
	// an error it returns stops the run with that error.
	Record func(*Iter) error
}

// Defaults of Settings.
const (
	DefaultGradTol = 1e-10
	DefaultMaxIter = 1000
)

// Iter is the state after an iteration, passed to Settings.Record. X and
// Grad are the optimizer's own slices: read them, do not keep them.
type Iter struct {
	Iter     int     // 0 for the starting point
	Loss     float64 // the objective at X
	GradNorm float64 // the Euclidean norm of Grad
	Evals    int     // evaluations of the objective so far (each gives the gradient too)
	Elapsed  time.Duration
	X, Grad  []float64
}

// Result is the outcome of a run.
type Result struct {
	// X is the point reached: the last iterate of a run that stopped by
	// one of its rules, the best iterate (lowest loss) of a run stopped
	// by an error (Err).
	X        []float64
	Loss     float64
	GradNorm float64
	Iters    int // iterations done
	Restarts int // times a quasi-Newton method was restarted after its line search gave up
	Evals    int // evaluations of the objective
	Elapsed  time.Duration
	// Status says why the run stopped, in words ("gradient below
	// tolerance", "iteration limit", ...).
	Status string
	// Err is why a run stopped early: the context's error when it was
	// cancelled (Ctrl-C), a *NonFiniteError when the objective stopped
	// being finite, an evaluation's runtime error. X is still the best
	// point found.
	Err error
}

// NonFiniteError is an objective whose value or gradient was NaN or
// infinite at an iteration's trial point.
type NonFiniteError struct {
	Iter  int     // the iteration that tried the point
	Loss  float64 // the value there
	Input string  // the first input whose derivative was not finite, if the value was
	// Where locates the operation that first produced a NaN or an
	// infinity in the value, if the value was not finite and a trace
	// found it.
	Where *rose.NonFinite
	X     []float64 // the trial point
}

func (e *NonFiniteError) Error() string {
	if e.Input != "" {
		return fmt.Sprintf("the gradient is not finite at iteration %d (d/d%s; the loss there is %v)", e.Iter, e.Input, e.Loss)
	}
	return fmt.Sprintf("the loss is %v at iteration %d", e.Loss, e.Iter)
}

// Minimize minimizes o from x0 (nil: o.Start). It stops at the first of
// the rules of s, or when ctx is done (Ctrl-C), and never panics: a
// failure ends the run with Err set and the best point found.
func Minimize(ctx context.Context, o *rose.Objective, x0 []float64, s Settings) (res *Result) {
	if x0 == nil {
		x0 = o.Start(nil)
	}
	ev := newEvaluator(ctx, o, x0, s)
	res = &Result{}
	defer func() {
		if r := recover(); r != nil {
			ev.fail(fmt.Errorf("internal error in the optimizer: %v", r))
			ev.finish(res, nil)
		}
	}()
	method, err := s.method()
	if err != nil {
		res.X, res.Loss, res.Err, res.Status = append([]float64(nil), x0...), math.NaN(), err, "not started"
		return res
	}
	prob := optimize.Problem{Func: ev.value, Grad: ev.grad, Status: ev.status}
	x, maxIter := append([]float64(nil), x0...), s.MaxIter
	if maxIter == 0 {
		maxIter = DefaultMaxIter
	}
	var init *optimize.Location
	for {
		gs := &optimize.Settings{
			InitValues:        init,
			GradientThreshold: s.gradTol(),
			MajorIterations:   maxIter - ev.last.Iter + 1, // gonum counts the start
			Recorder:          ev,
			Converger:         s.converger(),
		}
		if s.MaxEvals > 0 {
			gs.FuncEvaluations = s.MaxEvals - ev.evals
		}
		if s.MaxTime > 0 {
			gs.Runtime = s.MaxTime - time.Since(ev.start)
		}
		startF := ev.bestF
		r, err := optimize.Minimize(prob, x, gs, method)
		if ev.err != nil || err == nil || r == nil {
			ev.finish(res, r)
			return res
		}
		// The method gave up: a line search that found no decrease (at a
		// kink of the loss, say, where its model of the curvature is
		// wrong). Restart it from the best point, with its memory
		// forgotten, as long as the last attempt made progress and the
		// budgets allow; else its reason is the status.
		progress := ev.bestF < startF || math.IsNaN(startF) && ev.last.Iter > 0
		if !progress || ev.last.Iter >= maxIter ||
			s.MaxEvals > 0 && ev.evals >= s.MaxEvals || s.MaxTime > 0 && time.Since(ev.start) >= s.MaxTime {
			ev.finish(res, r)
			res.Status = methodStop(err)
			return res
		}
		res.Restarts++
		ev.restart()
		copy(x, ev.best)
		init = &optimize.Location{F: ev.bestF, Gradient: append([]float64(nil), ev.bestG...)}
		method, _ = s.method()
	}
}

// method builds the gonum method s names.
// Check reports settings that cannot start a run: an unknown method or
// line search, gradient descent without one positive, finite step or
// step length, or a step or step length given to another method. The
// messages name the rose opt flags too.
func (s Settings) Check() error {
	switch s.Method {
	case "", LBFGS, BFGS, CG:
		if s.Step != 0 || s.Clip != 0 {
			return errors.New("a step (--step) and a step length (--clip) are for gradient descent (--method gd)")
		}
		if s.LineSearch != "" && !slices.Contains(LineSearches, s.LineSearch) {
			return fmt.Errorf("unknown line search %q (want %s)", s.LineSearch, strings.Join(LineSearches, ", "))
		}
	case GD:
		switch {
		case math.IsNaN(s.Step) || math.IsNaN(s.Clip):
			return fmt.Errorf("gradient descent's step (--step) and step length (--clip) must be numbers, got %v and %v", s.Step, s.Clip)
		case s.Step > 0 && s.Clip > 0:
			return errors.New("gradient descent takes a step (--step) or a step length (--clip), not both")
		case !(s.Step > 0 && !math.IsInf(s.Step, 0) || s.Clip > 0 && !math.IsInf(s.Clip, 0)):
			return fmt.Errorf("gradient descent needs a positive, finite step (--step, the learning rate) or step length (--clip), got step %v and step length %v", s.Step, s.Clip)
		}
	default:
		return fmt.Errorf("unknown method %q (want %s)", s.Method, strings.Join(Methods, ", "))
	}
	return nil
}

func (s Settings) method() (optimize.Method, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	var ls optimize.Linesearcher
	switch s.LineSearch {
	case "", Bisection:
		ls = &optimize.Bisection{}
	case Backtracking:
		ls = &optimize.Backtracking{}
	case MoreThuente:
		ls = &optimize.MoreThuente{}
	}
	switch s.Method {
	case BFGS:
		return &optimize.BFGS{Linesearcher: ls, GradStopThreshold: math.NaN()}, nil
	case CG:
		return &optimize.CG{Linesearcher: ls, GradStopThreshold: math.NaN()}, nil
	case GD:
		var step optimize.StepSizer = &optimize.ConstantStepSize{Size: s.Step}
		if s.Clip > 0 {
			step = clipStep(s.Clip)
		}
		return &optimize.GradientDescent{StepSizer: step, Linesearcher: fixedStep{}, GradStopThreshold: math.NaN()}, nil
	}
	return &optimize.LBFGS{Linesearcher: ls, GradStopThreshold: math.NaN()}, nil
}

func (s Settings) gradTol() float64 {
	switch {
	case s.GradTol == 0:
		return DefaultGradTol
	case s.GradTol < 0:
		return 0
	}
	return s.GradTol
}

func (s Settings) converger() optimize.Converger {
	tol := s.FTol
	if tol == 0 && s.Method != GD {
		tol = 1e-15
	}
	if tol <= 0 {
		return optimize.NeverTerminate{}
	}
	return &optimize.FunctionConverge{Relative: tol, Iterations: 20}
}

// fixedStep is a line search that takes the first step it is given:
// gradient descent with the step of its StepSizer, unconditionally, as
// the paper's experiments update x -= lr * grad. The new point's value
// and gradient are evaluated together, the next iteration's gradient.
type fixedStep struct{}

func (fixedStep) Init(_, _, _ float64) optimize.Operation {
	return optimize.FuncEvaluation | optimize.GradEvaluation
}

func (fixedStep) Iterate(_, _ float64) (optimize.Operation, float64, error) {
	return optimize.MajorIteration, 0, nil
}

// clipStep is a step size that makes every step the same length:
// Clip / (|dir| + 1e-6) along the direction.
type clipStep float64

func (c clipStep) Init(_ *optimize.Location, dir []float64) float64 {
	return c.StepSize(nil, dir)
}

func (c clipStep) StepSize(_ *optimize.Location, dir []float64) float64 {
	return float64(c) / (norm(dir) + 1e-6)
}

// norm is the Euclidean norm, summed in order.
func norm(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x * x
	}
	return math.Sqrt(s)
}

// methodStop words a method's own reason to stop.
func methodStop(err error) string {
	switch {
	case errors.Is(err, optimize.ErrNoProgress):
		return "no progress: the next step does not change the point"
	case errors.Is(err, optimize.ErrLinesearcherFailure):
		return "line search failed: the loss does not decrease along the search direction"
	case errors.Is(err, optimize.ErrNonDescentDirection):
		return "the search direction is not a descent direction"
	}
	return err.Error()
}

// statusText words gonum's reasons to stop.
func statusText(st optimize.Status) string {
	switch st {
	case optimize.GradientThreshold:
		return "gradient below tolerance"
	case optimize.FunctionConvergence:
		return "loss stopped improving"
	case optimize.IterationLimit:
		return "iteration limit"
	case optimize.FunctionEvaluationLimit, optimize.GradientEvaluationLimit:
		return "evaluation limit"
	case optimize.RuntimeLimit:
		return "time limit"
	case optimize.MethodConverge:
		return "converged"
	case optimize.Failure:
		return "failed"
	}
	return st.String()
}
