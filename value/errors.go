package value

import (
	"errors"
	"fmt"
	"strings"

	"github.com/rose-go/rose/ir"
)

// ErrMemoryBudget is wrapped by the RuntimeError of a call that would
// exceed Options.MaxMemory, for errors.Is.
var ErrMemoryBudget = errors.New("memory budget exceeded")

// ErrStepBudget is wrapped by the RuntimeError of a call that exceeded
// Options.MaxSteps, for errors.Is.
var ErrStepBudget = errors.New("step budget exceeded")

// RuntimeError is a failure while running Rose code: an index out of range,
// an integer division by zero, an exceeded step budget or a cancellation.
// A cancellation wraps the context's error and a budget overrun wraps
// ErrStepBudget, for errors.Is.
type RuntimeError struct {
	Msg   string  // what went wrong, without position
	Pos   ir.Pos  // position of the failing instruction
	Func  string  // function containing it
	Stack []Frame // the calls that led there, innermost first

	Cause error // what Unwrap returns: the context's error, ErrStepBudget, ErrMemoryBudget, or nil
}

// Frame is one Rose call in progress: the calling function and the call's
// position.
type Frame struct {
	Func string
	Pos  ir.Pos
}

// Error reads like "index 5 out of range [0, 3) (in f at offset 20, called
// from main at offset 7)"; positions are byte offsets because the IR has no
// file tables.
func (e *RuntimeError) Error() string {
	var sb strings.Builder
	sb.WriteString(e.Msg)
	sb.WriteString(" (in ")
	writeFrame(&sb, e.Func, e.Pos)
	for _, fr := range e.Stack {
		sb.WriteString(", called from ")
		writeFrame(&sb, fr.Func, fr.Pos)
	}
	sb.WriteString(")")
	return sb.String()
}

func writeFrame(sb *strings.Builder, fn string, pos ir.Pos) {
	sb.WriteString(fn)
	if pos != ir.NoPos {
		fmt.Fprintf(sb, " at offset %d", pos)
	}
}

// Unwrap returns the context error or ErrStepBudget behind the error, if
// any.
func (e *RuntimeError) Unwrap() error { return e.Cause }

// The messages of the runtime errors, worded once for every engine.

// IndexMsg is the error of an index outside [0, n).
func IndexMsg(i, n int64) string { return fmt.Sprintf("index %d out of range [0, %d)", i, n) }

// DivByZeroMsg and ModByZeroMsg are the errors of an Int division or
// remainder by zero.
const (
	DivByZeroMsg = "integer division by zero"
	ModByZeroMsg = "integer modulo by zero"
)

// ToIntMsg is the error of int(x) for a NaN, an infinity or a Real outside
// the range of Int.
func ToIntMsg(x float64) string { return fmt.Sprintf("int(%v) is out of the range of Int", x) }

// ShiftMsg is the error of a shift by a count outside 0..63.
func ShiftMsg(k int64) string { return fmt.Sprintf("shift count %d is outside 0..63", k) }

// WhileBoundMsg is the error of a while loop that would take more steps
// than its bound.
func WhileBoundMsg(n int64) string {
	return fmt.Sprintf("while loop exceeded its bound of %d steps", n)
}

// StepBudgetMsg is the error of a call that exceeded Options.MaxSteps.
func StepBudgetMsg(n int64) string { return fmt.Sprintf("step budget of %d exceeded", n) }

// CancelledMsg is the error of a call whose context was cancelled.
func CancelledMsg(err error) string { return fmt.Sprintf("cancelled: %v", err) }

// TapeBudgetMsg is the error of a while loop whose recorded states (for
// reverse mode) would need more than bytes of memory.
func TapeBudgetMsg(bytes int64) string {
	return "memory budget exceeded: the states a while loop records for reverse mode need more than " + ShowBytes(bytes)
}
