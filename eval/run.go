package eval

import (
	"context"
	"fmt"
	"math"

	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/ir/mathx"
	"github.com/rose-go/rose/value"
)

// Options tunes a call. The zero value (or nil) means no limits.
type Options struct {
	// MaxSteps bounds the work of a call: every loop iteration (OpFor,
	// OpLoop, OpScan, OpWhile) and every Rose call is a step, and the call fails
	// with a value.RuntimeError wrapping value.ErrStepBudget once more than MaxSteps
	// are taken. 0 means unlimited. Since bodies are finite and calls are not
	// recursive, this bounds the running time of any call.
	MaxSteps int64

	// Executed, when not nil, has the number of evaluator instructions
	// the call executed added to it. The count is exact and repeatable,
	// so tests can compare the cost of a derivative with its function's
	// without timing anything.
	Executed *int64

	// MaxMemory bounds, in bytes, what a call allocates: its frame stack
	// (8 bytes per slot, sized statically by Compile) and its result's
	// Values (see Code.MemoryBytes). A call that would need more fails
	// before allocating, with a value.RuntimeError wrapping value.ErrMemoryBudget at
	// the instruction that allocates the largest value. 0 means unlimited.
	MaxMemory int64

	// Trace, when not nil, is called after every traced instruction with
	// the value it produced (see TraceEvent). Only code made by
	// CompileTraced has traced instructions; code made by Compile never
	// calls Trace, and runs exactly as without it. Trace is called on the
	// calling goroutine, in execution order.
	Trace func(TraceEvent)
}

// StackBytes is the size in bytes of the frame stack one call of c
// allocates.
func (c *Code) StackBytes() int64 { return int64(c.stackSize) * 8 }

// MemoryBytes is what one call of c allocates, in bytes: its frame stack
// and the value.Value tree of its result.
func (c *Code) MemoryBytes() int64 { return c.StackBytes() + value.Bytes(c.result) }

// checkInterval is how many steps pass between checks of the context, so
// that cancellation costs nothing per step beyond a counter.
const checkInterval = 4096

// Call compiles f and calls it once; use Compile and Code.Call to run a
// function many times.
func Call(ctx context.Context, f *ir.Func, args []value.Value, opts *Options) (value.Value, error) {
	c, err := Compile(f)
	if err != nil {
		return value.Value{}, err
	}
	return c.Call(ctx, args, opts)
}

// machine is the state of one call in progress: the frame stack and the
// step accounting.
type machine struct {
	stack             []float64
	tapes             [][]float64 // the tapes of the call in progress (see OpWhileScan); buffers are reused
	ntape             int         // tapes in use
	tapeUsed, tapeMax int64       // slots recorded on tapes, and the most the memory budget leaves (0: no limit)
	count             int64       // instructions executed
	steps             int64       // steps taken
	next              int64       // steps at which to check the budget and the context again
	max               int64       // Options.MaxSteps
	ctx               context.Context
	done              <-chan struct{}
	trace             func(TraceEvent) // Options.Trace, for xTrace
}

// Call runs c on args, which must match its parameter types, and returns
// its result. The context is checked every few thousand steps, so a
// cancelled call returns promptly with a value.RuntimeError wrapping ctx.Err().
func (c *Code) Call(ctx context.Context, args []value.Value, opts *Options) (value.Value, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return value.Value{}, &value.RuntimeError{Msg: "cancelled: " + err.Error(), Pos: c.pos, Func: c.name, Cause: err}
	}
	if len(args) != len(c.params) {
		return value.Value{}, fmt.Errorf("%s: want %d arguments, got %d", c.name, len(c.params), len(args))
	}
	if opts != nil && opts.MaxMemory > 0 && c.MemoryBytes() > opts.MaxMemory {
		return value.Value{}, &value.RuntimeError{Msg: fmt.Sprintf("memory budget exceeded: %s needs %s of memory, more than the budget of %s",
			c.name, value.ShowBytes(c.MemoryBytes()), value.ShowBytes(opts.MaxMemory)), Pos: c.bigPos, Func: c.name, Cause: value.ErrMemoryBudget}
	}
	m, _ := c.pool.Get().(*machine)
	if m == nil {
		m = &machine{stack: make([]float64, c.stackSize)}
	}
	v, err := c.run(ctx, m, args, opts)
	m.ctx, m.done, m.trace = nil, nil, nil
	for i, t := range m.tapes {
		if cap(t) > 1<<20 {
			m.tapes[i] = nil // a pooled machine keeps only small tapes
		}
	}
	c.pool.Put(m)
	return v, err
}

func (c *Code) run(ctx context.Context, m *machine, args []value.Value, opts *Options) (value.Value, error) {
	for i, t := range c.params {
		if err := value.Store(m.stack[c.paramOff[i]:], args[i], t); err != nil {
			return value.Value{}, fmt.Errorf("%s: argument %d: %v", c.name, i+1, err)
		}
	}
	m.steps, m.count, m.max, m.ctx, m.done = 0, 0, 0, ctx, ctx.Done()
	m.ntape, m.tapeUsed, m.tapeMax = 0, 0, 0
	m.trace = nil
	if opts != nil {
		m.trace = opts.Trace
	}
	if opts != nil && opts.MaxMemory > 0 {
		m.tapeMax = max((opts.MaxMemory-c.MemoryBytes())/8, 1)
	}
	if opts != nil && opts.MaxSteps > 0 {
		m.max = opts.MaxSteps
	}
	m.next = checkInterval
	if m.max > 0 && m.max < checkInterval {
		m.next = m.max + 1
	}
	err := c.exec(m, m.stack)
	if opts != nil && opts.Executed != nil {
		*opts.Executed += m.count
	}
	if err != nil {
		return value.Value{}, err
	}
	v, _ := value.Load(m.stack[c.resOff:], c.result)
	return v, nil
}

// fail makes the value.RuntimeError for the instruction at pc.
func (c *Code) fail(pc int, cause error, format string, args ...any) *value.RuntimeError {
	return &value.RuntimeError{Msg: fmt.Sprintf(format, args...), Pos: c.poss[pc], Func: c.name, Cause: cause}
}

// tick is the slow path of step counting, taken every checkInterval steps:
// it enforces the budget and polls the context.
func (c *Code) tick(m *machine, pc int) *value.RuntimeError {
	if m.max > 0 && m.steps > m.max {
		return c.fail(pc, value.ErrStepBudget, "%s", value.StepBudgetMsg(m.max))
	}
	if m.done != nil {
		select {
		case <-m.done:
			err := m.ctx.Err()
			return c.fail(pc, err, "%s", value.CancelledMsg(err))
		default:
		}
	}
	m.next = m.steps + checkInterval
	if m.max > 0 && m.next > m.max+1 {
		m.next = m.max + 1
	}
	return nil
}

// Ints and Bools live in float64 slots as their bits.

func ival(x float64) int64  { return int64(math.Float64bits(x)) }
func islot(i int64) float64 { return math.Float64frombits(uint64(i)) }
func bslot(b bool) float64 {
	var i uint64
	if b {
		i = 1
	}
	return math.Float64frombits(i)
}

// exec runs c's code in the frame fr (which extends to the end of the
// stack, callee frames following this one).
func (c *Code) exec(m *machine, fr []float64) *value.RuntimeError {
	code := c.code
	n := int64(0)
	defer func() { m.count += n }()
	for pc := 0; pc < len(code); {
		in := &code[pc]
		pc++
		n++
		switch in.op {
		case xConst:
			fr[in.d] = math.Float64frombits(uint64(uint32(in.b)) | uint64(uint32(in.c))<<32)
		case xMov1:
			fr[in.d] = fr[in.a]
		case xMovN:
			copy(fr[in.d:in.d+in.n], fr[in.a:in.a+in.n])
		case xJmp:
			pc = int(in.n)
		case xJmpF:
			if math.Float64bits(fr[in.a]) == 0 {
				pc = int(in.n)
			}

		case xNegR:
			fr[in.d] = -fr[in.a]
		case xAbsR:
			fr[in.d] = math.Abs(fr[in.a])
		case xSqrt:
			fr[in.d] = math.Sqrt(fr[in.a])
		case xExp:
			fr[in.d] = mathx.Exp(fr[in.a])
		case xLog:
			fr[in.d] = mathx.Log(fr[in.a])
		case xSin:
			fr[in.d] = mathx.Sin(fr[in.a])
		case xCos:
			fr[in.d] = mathx.Cos(fr[in.a])
		case xTan:
			fr[in.d] = mathx.Tan(fr[in.a])
		case xAsin:
			fr[in.d] = mathx.Asin(fr[in.a])
		case xAcos:
			fr[in.d] = mathx.Acos(fr[in.a])
		case xAtan:
			fr[in.d] = mathx.Atan(fr[in.a])
		case xSinh:
			fr[in.d] = mathx.Sinh(fr[in.a])
		case xCosh:
			fr[in.d] = mathx.Cosh(fr[in.a])
		case xTanh:
			fr[in.d] = mathx.Tanh(fr[in.a])
		case xFloor:
			fr[in.d] = math.Floor(fr[in.a])
		case xCeil:
			fr[in.d] = math.Ceil(fr[in.a])
		case xRound:
			fr[in.d] = mathx.Round(fr[in.a])
		case xSign:
			fr[in.d] = mathx.Sign(fr[in.a])
		case xNegI:
			fr[in.d] = islot(-ival(fr[in.a]))
		case xAbsI:
			x := ival(fr[in.a])
			if x < 0 {
				x = -x
			}
			fr[in.d] = islot(x)

		case xAddR:
			fr[in.d] = fr[in.a] + fr[in.b]
		case xSubR:
			fr[in.d] = fr[in.a] - fr[in.b]
		case xMulR:
			fr[in.d] = fr[in.a] * fr[in.b]
		case xDivR:
			fr[in.d] = fr[in.a] / fr[in.b]
		case xMinR:
			fr[in.d] = ir.MinReal(fr[in.a], fr[in.b])
		case xMaxR:
			fr[in.d] = ir.MaxReal(fr[in.a], fr[in.b])
		case xPow:
			fr[in.d] = mathx.Pow(fr[in.a], fr[in.b])
		case xAtan2:
			fr[in.d] = mathx.Atan2(fr[in.a], fr[in.b])
		case xAddI:
			fr[in.d] = islot(ival(fr[in.a]) + ival(fr[in.b]))
		case xSubI:
			fr[in.d] = islot(ival(fr[in.a]) - ival(fr[in.b]))
		case xMulI:
			fr[in.d] = islot(ival(fr[in.a]) * ival(fr[in.b]))
		case xDivI:
			y := ival(fr[in.b])
			if y == 0 {
				return c.fail(pc-1, nil, "%s", value.DivByZeroMsg)
			}
			fr[in.d] = islot(ival(fr[in.a]) / y)
		case xModI:
			y := ival(fr[in.b])
			if y == 0 {
				return c.fail(pc-1, nil, "%s", value.ModByZeroMsg)
			}
			fr[in.d] = islot(ival(fr[in.a]) % y)
		case xMinI:
			fr[in.d] = islot(min(ival(fr[in.a]), ival(fr[in.b])))
		case xMaxI:
			fr[in.d] = islot(max(ival(fr[in.a]), ival(fr[in.b])))

		case xEqR:
			fr[in.d] = bslot(fr[in.a] == fr[in.b])
		case xNeR:
			fr[in.d] = bslot(fr[in.a] != fr[in.b])
		case xLtR:
			fr[in.d] = bslot(fr[in.a] < fr[in.b])
		case xLeR:
			fr[in.d] = bslot(fr[in.a] <= fr[in.b])
		case xGtR:
			fr[in.d] = bslot(fr[in.a] > fr[in.b])
		case xGeR:
			fr[in.d] = bslot(fr[in.a] >= fr[in.b])
		case xEqI:
			fr[in.d] = bslot(ival(fr[in.a]) == ival(fr[in.b]))
		case xNeI:
			fr[in.d] = bslot(ival(fr[in.a]) != ival(fr[in.b]))
		case xLtI:
			fr[in.d] = bslot(ival(fr[in.a]) < ival(fr[in.b]))
		case xLeI:
			fr[in.d] = bslot(ival(fr[in.a]) <= ival(fr[in.b]))
		case xGtI:
			fr[in.d] = bslot(ival(fr[in.a]) > ival(fr[in.b]))
		case xGeI:
			fr[in.d] = bslot(ival(fr[in.a]) >= ival(fr[in.b]))

		case xNot:
			fr[in.d] = islot(ival(fr[in.a]) ^ 1)
		case xAnd:
			fr[in.d] = islot(ival(fr[in.a]) & ival(fr[in.b]))
		case xOr:
			fr[in.d] = islot(ival(fr[in.a]) | ival(fr[in.b]))
		case xToReal:
			fr[in.d] = float64(ival(fr[in.a]))
		case xReal1:
			fr[in.d] = ir.Op(in.n).Info().Real1(fr[in.a])
		case xReal2:
			fr[in.d] = ir.Op(in.n).Info().Real2(fr[in.a], fr[in.b])
		case xPolygamma:
			fr[in.d] = mathx.Polygamma(int64(in.n), fr[in.a])
		case xMulZ:
			fr[in.d] = ir.MulZ(fr[in.a], fr[in.b])
		case xToInt:
			x := fr[in.a]
			// Every float64 in [-2^63, 2^63) truncates to an int64.
			if !(x >= -(1<<63) && x < 1<<63) {
				return c.fail(pc-1, nil, "%s", value.ToIntMsg(x))
			}
			fr[in.d] = islot(int64(x))
		case xBandI:
			fr[in.d] = islot(ival(fr[in.a]) & ival(fr[in.b]))
		case xBorI:
			fr[in.d] = islot(ival(fr[in.a]) | ival(fr[in.b]))
		case xBxorI:
			fr[in.d] = islot(ival(fr[in.a]) ^ ival(fr[in.b]))
		case xShlI, xShrI:
			k := ival(fr[in.b])
			if k < 0 || k > 63 {
				return c.fail(pc-1, nil, "%s", value.ShiftMsg(k))
			}
			if in.op == xShlI {
				fr[in.d] = islot(ival(fr[in.a]) << k)
			} else {
				fr[in.d] = islot(ival(fr[in.a]) >> k)
			}

		case xIndex1:
			i := ival(fr[in.b])
			if uint64(i) >= uint64(in.n) {
				return c.fail(pc-1, nil, "%s", value.IndexMsg(int64(i), int64(in.n)))
			}
			fr[in.d] = fr[int64(in.a)+i]
		case xIndexN:
			i := ival(fr[in.b])
			if uint64(i) >= uint64(in.n) {
				return c.fail(pc-1, nil, "%s", value.IndexMsg(int64(i), int64(in.n)))
			}
			src := int64(in.a) + i*int64(in.e)
			copy(fr[in.d:in.d+in.e], fr[src:src+int64(in.e)])

		case xIterInit:
			fr[in.a] = 0 // Int 0 has the bits of +0.0
			if m.steps++; m.steps >= m.next {
				if err := c.tick(m, pc-1); err != nil {
					return err
				}
			}
		case xForNext1:
			i := ival(fr[in.b])
			fr[int64(in.d)+i] = fr[in.a]
			i++
			fr[in.b] = islot(i)
			if i < int64(in.n) {
				if m.steps++; m.steps >= m.next {
					if err := c.tick(m, pc-1); err != nil {
						return err
					}
				}
				pc = int(in.c)
			}
		case xForNextN:
			i := ival(fr[in.b])
			dst := int64(in.d) + i*int64(in.e)
			copy(fr[dst:dst+int64(in.e)], fr[in.a:in.a+in.e])
			i++
			fr[in.b] = islot(i)
			if i < int64(in.n) {
				if m.steps++; m.steps >= m.next {
					if err := c.tick(m, pc-1); err != nil {
						return err
					}
				}
				pc = int(in.c)
			}
		case xFillN:
			x := math.Float64frombits(uint64(uint32(in.b)) | uint64(uint32(in.c))<<32)
			dst := fr[in.d : in.d+in.n]
			for k := range dst {
				dst[k] = x
			}
		case xAddN:
			dst, a, b := fr[in.d:in.d+in.n], fr[in.a:in.a+in.n], fr[in.b:in.b+in.n]
			for k := range dst {
				dst[k] = a[k] + b[k]
			}
		case xSubN:
			dst, a, b := fr[in.d:in.d+in.n], fr[in.a:in.a+in.n], fr[in.b:in.b+in.n]
			for k := range dst {
				dst[k] = a[k] - b[k]
			}
		case xNegN:
			dst, a := fr[in.d:in.d+in.n], fr[in.a:in.a+in.n]
			for k := range dst {
				dst[k] = -a[k]
			}
		case xScaleN:
			s := fr[in.a]
			dst, b := fr[in.d:in.d+in.n], fr[in.b:in.b+in.n]
			for k := range dst {
				dst[k] = s * b[k]
			}
		case xDotN:
			a, b := fr[in.a:in.a+in.n], fr[in.b:in.b+in.n]
			sum := 0.0
			for k := range a {
				sum += float64(a[k] * b[k]) // no fused multiply-add: results match the loop it replaces
			}
			fr[in.d] = sum
		case xStoreAt:
			i := ival(fr[in.b])
			if uint64(i) >= uint64(in.n) {
				return c.fail(pc-1, nil, "%s", value.IndexMsg(int64(i), int64(in.n)))
			}
			dst := int64(in.d) + i*int64(in.e)
			copy(fr[dst:dst+int64(in.e)], fr[in.a:in.a+in.e])
		case xRefIndex:
			i := ival(fr[in.b])
			if uint64(i) >= uint64(in.n) {
				return c.fail(pc-1, nil, "%s", value.IndexMsg(int64(i), int64(in.n)))
			}
			fr[in.d] = islot(ival(fr[in.a]) + i*int64(in.e))
		case xRefOff:
			fr[in.d] = islot(ival(fr[in.a]) + int64(in.c))
		case xAccAdd1:
			fr[ival(fr[in.a])] += fr[in.b]
		case xAccAddN:
			p := ival(fr[in.a])
			dst, b := fr[p:p+int64(in.n)], fr[in.b:in.b+in.n]
			for k := range dst {
				dst[k] += b[k]
			}
		case xResolveN:
			p := ival(fr[in.a])
			copy(fr[in.d:in.d+in.n], fr[p:p+int64(in.n)])
		case xScanStore:
			dst := int64(in.d) + ival(fr[in.b])*int64(in.e)
			copy(fr[dst:dst+int64(in.e)], fr[in.a:in.a+in.e])
		case xLoopNext1:
			fr[in.d] = fr[in.a]
			i := ival(fr[in.b]) + 1
			fr[in.b] = islot(i)
			if i < int64(in.n) {
				if m.steps++; m.steps >= m.next {
					if err := c.tick(m, pc-1); err != nil {
						return err
					}
				}
				pc = int(in.c)
			}
		case xLoopNextN:
			copy(fr[in.d:in.d+in.e], fr[in.a:in.a+in.e])
			i := ival(fr[in.b]) + 1
			fr[in.b] = islot(i)
			if i < int64(in.n) {
				if m.steps++; m.steps >= m.next {
					if err := c.tick(m, pc-1); err != nil {
						return err
					}
				}
				pc = int(in.c)
			}

		case xTapeNew:
			if m.ntape == len(m.tapes) {
				m.tapes = append(m.tapes, nil)
			}
			m.tapes[m.ntape] = m.tapes[m.ntape][:0]
			fr[in.d] = islot(int64(m.ntape))
			m.ntape++
		case xTapePush:
			if m.tapeUsed += int64(max(in.n, 1)); m.tapeMax > 0 && m.tapeUsed > m.tapeMax {
				return c.fail(pc-1, value.ErrMemoryBudget, "%s", value.TapeBudgetMsg(8*m.tapeMax))
			}
			h := ival(fr[in.a])
			if in.n == 0 {
				m.tapes[h] = append(m.tapes[h], 0)
			} else {
				m.tapes[h] = append(m.tapes[h], fr[in.b:in.b+in.n]...)
			}
		case xTapeLen:
			fr[in.d] = islot(int64(len(m.tapes[ival(fr[in.a])]) / int(in.n)))
		case xTapeIndex:
			t := m.tapes[ival(fr[in.a])]
			i := ival(fr[in.b])
			if n := int64(len(t)) / int64(max(in.n, 1)); uint64(i) >= uint64(n) {
				return c.fail(pc-1, nil, "%s", value.IndexMsg(int64(i), int64(n)))
			}
			copy(fr[in.d:in.d+in.n], t[i*int64(in.n):])
		case xWhileStep:
			k := ival(fr[in.a])
			if in.n > 0 && k == int64(in.n) {
				return c.fail(pc-1, nil, "%s", value.WhileBoundMsg(int64(in.n)))
			}
			fr[in.a] = islot(k + 1)
			if m.steps++; m.steps >= m.next {
				if err := c.tick(m, pc-1); err != nil {
					return err
				}
			}

		case xCall:
			if m.steps++; m.steps >= m.next {
				if err := c.tick(m, pc-1); err != nil {
					return err
				}
			}
			if err := c.calls[in.n].exec(m, fr[in.a:]); err != nil {
				err.Stack = append(err.Stack, value.Frame{Func: c.name, Pos: c.poss[pc-1]})
				return err
			}

		case xTrace:
			if m.trace != nil {
				c.traceAt(m, fr, in.n)
			}
		}
	}
	return nil
}
