package plot

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Point is one iteration of an optimizer, one line of the trace that
// `rose opt --trace` writes.
type Point struct {
	Iter     int
	Loss     float64
	GradNorm float64
	Evals    int     // function evaluations so far; -1 when the line has none
	Elapsed  float64 // seconds since the start
}

// Trace is the iterations of one optimizer run, as read from a trace file.
type Trace struct {
	Name   string // shown in the legend: the file's base name
	Points []Point
	Status string // the "status" of the closing "done" line, if any
}

// LineError is a trace line that cannot be read; Line counts from 1.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// maxLine bounds one trace line, so that a file without newlines cannot
// take all memory.
const maxLine = 1 << 20

// ReadTrace reads a trace: JSON objects, one per line, with the keys
// "iter", "loss", "grad_norm" and optionally "evals" and "elapsed"; other
// keys are ignored, as are blank lines. A line with "done": true closes the
// run: its "status" is kept, and it is a point only if it carries a new
// iteration. Reals may be the strings "NaN", "+Inf" and "-Inf", as rose
// writes them. A bad line is a *LineError; a trace without iterations is an
// error too, since there is nothing to draw.
func ReadTrace(r io.Reader) (*Trace, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	t := &Trace{}
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		p, done, status, err := parseLine(text)
		if err != nil {
			return nil, &LineError{line, err}
		}
		if done {
			t.Status = status
			last := -1
			if n := len(t.Points); n > 0 {
				last = t.Points[n-1].Iter
			}
			if p == nil || p.Iter <= last {
				continue
			}
		}
		if p == nil {
			return nil, &LineError{line, fmt.Errorf(`no "iter"`)}
		}
		t.Points = append(t.Points, *p)
	}
	if err := sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			return nil, &LineError{line + 1, fmt.Errorf("longer than %d bytes", maxLine)}
		}
		return nil, err
	}
	if len(t.Points) == 0 {
		return nil, fmt.Errorf("the trace has no iterations")
	}
	return t, nil
}

// parseLine reads one line of a trace: its point (nil for a "done" line
// without one), whether it closes the run, and its status.
func parseLine(text []byte) (p *Point, done bool, status string, err error) {
	var rec map[string]json.RawMessage
	if err := json.Unmarshal(text, &rec); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, false, "", fmt.Errorf("not JSON: %v", err)
		}
		return nil, false, "", fmt.Errorf("not a JSON object")
	}
	if raw, ok := rec["done"]; ok {
		if err := json.Unmarshal(raw, &done); err != nil {
			return nil, false, "", fmt.Errorf(`"done" should be true or false, not %s`, short(raw))
		}
	}
	if raw, ok := rec["status"]; ok && done {
		if err := json.Unmarshal(raw, &status); err != nil {
			return nil, false, "", fmt.Errorf(`"status" should be a string, not %s`, short(raw))
		}
	}
	var missing []string
	for _, k := range []string{"iter", "loss", "grad_norm"} {
		if _, ok := rec[k]; !ok {
			missing = append(missing, `"`+k+`"`)
		}
	}
	if len(missing) > 0 {
		if done {
			return nil, true, status, nil
		}
		return nil, false, "", fmt.Errorf("no %s", strings.Join(missing, " or "))
	}
	q := Point{Evals: -1}
	if q.Iter, err = jsonInt(rec, "iter"); err != nil {
		return nil, false, "", err
	}
	if q.Loss, err = jsonReal(rec, "loss"); err != nil {
		return nil, false, "", err
	}
	if q.GradNorm, err = jsonReal(rec, "grad_norm"); err != nil {
		return nil, false, "", err
	}
	if _, ok := rec["evals"]; ok {
		if q.Evals, err = jsonInt(rec, "evals"); err != nil {
			return nil, false, "", err
		}
	}
	if _, ok := rec["elapsed"]; ok {
		if q.Elapsed, err = jsonReal(rec, "elapsed"); err != nil {
			return nil, false, "", err
		}
	}
	return &q, done, status, nil
}

// short is a JSON value for a message, cut to 40 bytes.
func short(raw json.RawMessage) string {
	if len(raw) > 40 {
		return string(raw[:37]) + "..."
	}
	return string(raw)
}

// jsonInt reads the member k as a non-negative integer.
func jsonInt(rec map[string]json.RawMessage, k string) (int, error) {
	var n int
	if err := json.Unmarshal(rec[k], &n); err != nil || n < 0 {
		return 0, fmt.Errorf("%q should be a non-negative integer, not %s", k, short(rec[k]))
	}
	return n, nil
}

// jsonReal reads the member k as a float64: a number, or one of the
// strings "NaN", "+Inf", "-Inf" (JSON has no such numbers; rose writes them
// so).
func jsonReal(rec map[string]json.RawMessage, k string) (float64, error) {
	switch string(rec[k]) {
	case `"NaN"`:
		return math.NaN(), nil
	case `"+Inf"`, `"Inf"`:
		return math.Inf(1), nil
	case `"-Inf"`:
		return math.Inf(-1), nil
	}
	var x float64
	if err := json.Unmarshal(rec[k], &x); err != nil {
		return 0, fmt.Errorf("%q should be a number, not %s", k, short(rec[k]))
	}
	return x, nil
}

// TraceOptions say how traces are drawn.
type TraceOptions struct {
	// Evals puts the number of function evaluations on the x axis instead
	// of the iteration: line searches make an iteration of L-BFGS cost
	// several evaluations, so this is the fair axis to compare optimizers.
	Evals bool
}

// TraceSize is the size of a trace picture.
var TraceSize = struct{ W, H vg.Length }{6 * vg.Inch, 5.5 * vg.Inch}

// DrawTraces draws the loss (top) and the gradient norm (bottom) of one or
// more traces against a shared x axis, one colour per trace with a legend
// of their names. A panel has a log scale when all its finite values are
// positive and a linear one otherwise (a loss that goes negative), and its
// axis label says which. Non-finite values are left out of the lines.
func DrawTraces(out io.Writer, f Format, traces []*Trace, opt TraceOptions) error {
	if len(traces) == 0 {
		return errNoData
	}
	xlabel := "iteration"
	if opt.Evals {
		xlabel = "function evaluations"
	}
	xmin, xmax := math.Inf(1), math.Inf(-1)
	losses := make([]plotter.XYs, len(traces))
	norms := make([]plotter.XYs, len(traces))
	for k, t := range traces {
		for _, p := range t.Points {
			x := float64(p.Iter)
			if opt.Evals {
				if p.Evals < 0 {
					return fmt.Errorf("%s: iteration %d has no \"evals\" to put on the x axis", t.Name, p.Iter)
				}
				x = float64(p.Evals)
			}
			if finite(p.Loss) {
				losses[k] = append(losses[k], plotter.XY{X: x, Y: p.Loss})
			}
			if finite(p.GradNorm) {
				norms[k] = append(norms[k], plotter.XY{X: x, Y: p.GradNorm})
			}
			xmin, xmax = math.Min(xmin, x), math.Max(xmax, x)
		}
	}
	top, err := tracePanel(traces, losses, "loss", true)
	if err != nil {
		return err
	}
	bottom, err := tracePanel(traces, norms, "|gradient|", false)
	if err != nil {
		return err
	}
	bottom.X.Label.Text = xlabel
	// The two panels share the x axis: the same range, ticks under the
	// bottom one only.
	if xmin == xmax {
		xmin, xmax = widen(xmin)
	}
	for _, p := range []*gplot.Plot{top, bottom} {
		p.X.Min, p.X.Max = xmin, xmax
	}
	// The upper panel has no x axis of its own, only the grid lines of the
	// lower one's ticks.
	top.HideX()
	top.Add(xGrid{})
	if len(traces) == 1 {
		top.Title.Text = traces[0].Name
		if traces[0].Status != "" {
			top.Title.Text += " (" + traces[0].Status + ")"
		}
	} else {
		top.Legend.Top = true
	}
	return render(out, f, TraceSize.W, TraceSize.H, func(dc draw.Canvas) {
		stack(draw.Crop(dc, vg.Points(6), -vg.Points(12), vg.Points(6), -vg.Points(6)), top, bottom, vg.Points(10))
	})
}

// stack draws top above bottom on dc with data areas of the same height
// and the same left and right edges, gap apart: gonum's Align gives both
// tiles the same size, which leaves the room of the lower x axis empty
// between the panels.
func stack(dc draw.Canvas, top, bottom *gplot.Plot, gap vg.Length) {
	// The room around the data areas depends on the ticks and so on the
	// canvases: start from halves and move the split by the difference of
	// the data heights until they agree.
	split := (dc.Min.Y + dc.Max.Y) / 2
	var ct, cb draw.Canvas
	for range 4 {
		ct, cb = dc, dc
		ct.Min.Y = split + gap/2
		cb.Max.Y = split - gap/2
		dt, db := top.DataCanvas(ct), bottom.DataCanvas(cb)
		split += ((dt.Max.Y - dt.Min.Y) - (db.Max.Y - db.Min.Y)) / 2
	}
	// The same left and right edges: the wider y axis decides.
	dt, db := top.DataCanvas(ct), bottom.DataCanvas(cb)
	left, right := max(dt.Min.X, db.Min.X), min(dt.Max.X, db.Max.X)
	ct.Min.X += left - dt.Min.X
	cb.Min.X += left - db.Min.X
	ct.Max.X -= dt.Max.X - right
	cb.Max.X -= db.Max.X - right
	top.Draw(ct)
	bottom.Draw(cb)
}

// widen is a range around the single value x: ±0.5, or ±10% where 0.5
// would be lost to rounding.
func widen(x float64) (float64, float64) {
	d := math.Max(0.5, math.Abs(x)*0.1)
	return x - d, x + d
}

// logTicks are gonum's log ticks with round labels ("1e-10", not
// "9.999999999999999e-11", as repeated multiplication makes them) and at
// most about seven labelled decades, so that the labels do not overlap on a
// loss that falls by 15 orders of magnitude.
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []gplot.Tick {
	all := gplot.LogTicks{Prec: -1}.Ticks(min, max)
	var decades []gplot.Tick
	for _, t := range all {
		if !t.IsMinor() {
			decades = append(decades, t)
		}
	}
	// Over more than four decades the ticks between decades are a comb:
	// leave them out.
	ts := all
	if len(decades) > 4 {
		ts = decades
	}
	stride := (len(decades) + 6) / 7
	k := 0
	for i, t := range ts {
		if t.IsMinor() {
			continue
		}
		if k%stride == 0 {
			ts[i].Label = strconv.FormatFloat(t.Value, 'g', 3, 64)
		} else {
			ts[i].Label = ""
		}
		k++
	}
	return ts
}

// xGrid draws the vertical grid lines of the x axis's default ticks, for
// a panel whose x axis is hidden.
type xGrid struct{}

func (xGrid) Plot(c draw.Canvas, plt *gplot.Plot) {
	trX, _ := plt.Transforms(&c)
	sty := plotter.NewGrid().Vertical
	for _, t := range (gplot.DefaultTicks{}).Ticks(plt.X.Min, plt.X.Max) {
		if t.IsMinor() || t.Value < plt.X.Min || t.Value > plt.X.Max {
			continue
		}
		x := trX(t.Value)
		c.StrokeLine2(sty, x, c.Min.Y, x, c.Max.Y)
	}
}

// tracePanel is one panel: a line per trace of the values series.
func tracePanel(traces []*Trace, series []plotter.XYs, what string, legend bool) (*gplot.Plot, error) {
	p := newPlot()
	positive, any := true, false
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for _, pts := range series {
		for _, q := range pts {
			any = true
			if q.Y <= 0 {
				positive = false
			}
			ymin, ymax = math.Min(ymin, q.Y), math.Max(ymax, q.Y)
		}
	}
	switch {
	case !any:
		p.Y.Label.Text = what + ": none finite"
		p.Y.Min, p.Y.Max = 0, 1
	case positive:
		p.Y.Label.Text = what + ", log scale"
		p.Y.Scale = gplot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
		if ymin == ymax {
			// A factor of 2 either way, within the positive float64s.
			lo, hi := ymin/2, ymax*2
			if lo <= 0 {
				lo = ymin
			}
			if math.IsInf(hi, 1) {
				hi = ymax
			}
			ymin, ymax = lo, hi
		}
		p.Y.Min, p.Y.Max = ymin, ymax
	default:
		p.Y.Label.Text = what + ", linear (some ≤ 0)"
		// gonum's tick search does not end on a range wider than the
		// largest float64 (from -1e308 to 1e308): such values are drawn
		// clipped at ±1e307.
		ymin, ymax = math.Max(ymin, -1e307), math.Min(ymax, 1e307)
		if ymin >= ymax {
			ymin, ymax = math.Min(ymin, ymax), math.Max(ymin, ymax)
		}
		if ymin == ymax {
			ymin, ymax = widen(ymin)
		}
		p.Y.Min, p.Y.Max = ymin, ymax
	}
	p.Add(plotter.NewGrid())
	for k, pts := range series {
		if len(pts) == 0 {
			continue
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		l.Color = colour(k)
		l.Width = vg.Points(1.2)
		p.Add(l)
		if len(traces) > 1 && legend {
			p.Legend.Add(traces[k].Name, l)
		}
	}
	// Add widens the axes to the data; put back the range chosen above, a
	// positive one on log axes.
	p.Y.Min, p.Y.Max = ymin, ymax
	if !any {
		p.Y.Min, p.Y.Max = 0, 1
	}
	return p, nil
}
