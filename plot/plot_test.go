package plot

import (
	"bytes"
	"errors"
	"flag"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/plot/plottest"
	"github.com/rose-go/rose/value"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name.golden, or rewrites it with
// -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (run go test -update and review the diff):\n%s", name, path, got)
	}
}

// summary checks that an SVG is well-formed and returns its structure.
func summary(t *testing.T, svg []byte) string {
	t.Helper()
	s, err := plottest.Summary(svg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func readTrace(t *testing.T, name string) *Trace {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "trace", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr, err := ReadTrace(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	tr.Name = name
	return tr
}

func TestReadTrace(t *testing.T) {
	tr := readTrace(t, "lbfgs.jsonl")
	// The done line repeats iteration 6: it is not a seventh point, but its
	// status is kept.
	if len(tr.Points) != 7 || tr.Status != "GradientThreshold" {
		t.Fatalf("got %d points, status %q; want 7 and GradientThreshold", len(tr.Points), tr.Status)
	}
	last := tr.Points[6]
	if last.Iter != 6 || last.Loss != 3.5e-14 || last.GradNorm != 2.2e-6 || last.Evals != 12 || last.Elapsed != 0.0007 {
		t.Errorf("last point = %+v", last)
	}
	neg := readTrace(t, "negative.jsonl")
	p := neg.Points[len(neg.Points)-1]
	if !math.IsNaN(p.Loss) || !math.IsInf(p.GradNorm, 1) {
		t.Errorf("the strings NaN and +Inf read as %v, %v", p.Loss, p.GradNorm)
	}
	// A done line with a new iteration is a point; evals are optional.
	tr, err := ReadTrace(strings.NewReader("{\"iter\": 0, \"loss\": 1, \"grad_norm\": 2}\n\n{\"iter\": 1, \"loss\": 0.5, \"grad_norm\": 1, \"done\": true, \"status\": \"ok\", \"extra\": [1]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Points) != 2 || tr.Points[0].Evals != -1 || tr.Status != "ok" {
		t.Errorf("got %+v", tr)
	}
}

func TestReadTraceErrors(t *testing.T) {
	good := `{"iter": 0, "loss": 1, "grad_norm": 2}` + "\n"
	for _, c := range []struct {
		name, in string
		line     int // 0: not a line error
		msg      string
	}{
		{"empty", "", 0, "no iterations"},
		{"blank lines", "\n\n  \n", 0, "no iterations"},
		{"only done", `{"done": true, "status": "x"}`, 0, "no iterations"},
		{"not JSON", good + "{iter: 1}\n", 2, "not JSON"},
		{"truncated", good + good + `{"iter": 2, "loss"`, 3, "not JSON"},
		{"not an object", "[1, 2]\n", 1, "not a JSON object"},
		{"missing loss", `{"iter": 0, "grad_norm": 2}`, 1, `no "loss"`},
		{"missing all", `{"x": 1}`, 1, `no "iter" or "loss" or "grad_norm"`},
		{"string loss", `{"iter": 0, "loss": "big", "grad_norm": 2}`, 1, `"loss" should be a number`},
		{"fractional iter", `{"iter": 0.5, "loss": 1, "grad_norm": 2}`, 1, `"iter" should be a non-negative integer`},
		{"negative evals", `{"iter": 0, "loss": 1, "grad_norm": 2, "evals": -3}`, 1, `"evals" should be a non-negative integer`},
		{"bad done", `{"iter": 0, "loss": 1, "grad_norm": 2, "done": "yes"}`, 1, `"done" should be true or false`},
		{"too long", strings.Repeat(" ", maxLine+10), 1, "longer than"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadTrace(strings.NewReader(c.in))
			if err == nil {
				t.Fatal("no error")
			}
			var le *LineError
			if c.line > 0 && (!errors.As(err, &le) || le.Line != c.line) {
				t.Errorf("error %q is not at line %d", err, c.line)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q does not say %q", err, c.msg)
			}
		})
	}
}

func TestTraceSVG(t *testing.T) {
	lbfgs, gd, neg := readTrace(t, "lbfgs.jsonl"), readTrace(t, "gd.jsonl"), readTrace(t, "negative.jsonl")
	for _, c := range []struct {
		name   string
		traces []*Trace
		opt    TraceOptions
	}{
		{"trace-one", []*Trace{lbfgs}, TraceOptions{}},
		{"trace-compare-evals", []*Trace{lbfgs, gd}, TraceOptions{Evals: true}},
		{"trace-negative", []*Trace{neg}, TraceOptions{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := DrawTraces(&buf, SVG, c.traces, c.opt); err != nil {
				t.Fatal(err)
			}
			s := summary(t, buf.Bytes())
			golden(t, c.name, s)
		})
	}
}

func TestTraceScales(t *testing.T) {
	// The axis titles say which scale each panel has: log where every
	// value is positive, linear where the loss goes negative.
	var buf bytes.Buffer
	if err := DrawTraces(&buf, SVG, []*Trace{readTrace(t, "negative.jsonl")}, TraceOptions{}); err != nil {
		t.Fatal(err)
	}
	s := summary(t, buf.Bytes())
	for _, want := range []string{"loss, linear (some ≤ 0)", "|gradient|, log scale", "iteration"} {
		if !strings.Contains(s, "  "+want+"\n") {
			t.Errorf("no axis title %q in\n%s", want, s)
		}
	}
	buf.Reset()
	if err := DrawTraces(&buf, SVG, []*Trace{readTrace(t, "lbfgs.jsonl")}, TraceOptions{Evals: true}); err != nil {
		t.Fatal(err)
	}
	s = summary(t, buf.Bytes())
	for _, want := range []string{"loss, log scale", "function evaluations", "lbfgs.jsonl (GradientThreshold)"} {
		if !strings.Contains(s, "  "+want+"\n") {
			t.Errorf("no text %q in\n%s", want, s)
		}
	}
}

func TestTraceErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := DrawTraces(&buf, SVG, nil, TraceOptions{}); err == nil {
		t.Error("no traces: no error")
	}
	noEvals := &Trace{Name: "a", Points: []Point{{Iter: 0, Loss: 1, GradNorm: 1, Evals: -1}}}
	if err := DrawTraces(&buf, SVG, []*Trace{noEvals}, TraceOptions{Evals: true}); err == nil || !strings.Contains(err.Error(), `no "evals"`) {
		t.Errorf("--x evals on a trace without evals: %v", err)
	}
	// One point, all values non-finite: still a picture, not a panic.
	odd := &Trace{Name: "b", Points: []Point{{Iter: 3, Loss: math.NaN(), GradNorm: math.Inf(1), Evals: 1}}}
	if err := DrawTraces(&buf, SVG, []*Trace{odd}, TraceOptions{}); err != nil {
		t.Errorf("a trace of one non-finite point: %v", err)
	}
}

func rosenbrock(x, y float64) (float64, float64, float64, error) {
	a, b := 1-x, y-x*x
	return a*a + 100*b*b, -2*a - 400*b*x, 200 * b, nil
}

func TestLevels(t *testing.T) {
	g, err := Sample(-2, 2, -1, 3, 60, rosenbrock)
	if err != nil {
		t.Fatal(err)
	}
	levels, log := Levels(g.Z, 10)
	if !log || len(levels) != 10 {
		t.Fatalf("Rosenbrock: log = %v with %d levels; want log-spaced levels", log, len(levels))
	}
	// Evenly spaced in log(f - min): constant ratios.
	zmin := math.Inf(1)
	for _, z := range g.Z {
		zmin = math.Min(zmin, z)
	}
	r := (levels[1] - zmin) / (levels[0] - zmin)
	for i := 2; i < len(levels); i++ {
		if q := (levels[i] - zmin) / (levels[i-1] - zmin); math.Abs(q-r) > 1e-9*r {
			t.Errorf("level ratio %d is %v, not %v", i, q, r)
		}
	}
	bowl, err := Sample(-1, 1, -1, 1, 40, func(x, y float64) (float64, float64, float64, error) {
		return x*x + y*y, 2 * x, 2 * y, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	levels, log = Levels(bowl.Z, 5)
	if log || len(levels) != 5 || math.Abs((levels[1]-levels[0])-(levels[4]-levels[3])) > 1e-12 {
		t.Errorf("a bowl: log = %v, levels %v; want evenly spaced", log, levels)
	}
	if l, _ := Levels([]float64{2, 2, math.NaN()}, 5); l != nil {
		t.Errorf("a constant has levels %v", l)
	}
}

func TestSurfaceSVG(t *testing.T) {
	g, err := Sample(-2, 2, -1, 3, 40, rosenbrock)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	opt := SurfaceOptions{Title: "rosen by x[0] and x[1]", XLabel: "x[0]", YLabel: "x[1]", Point: [2]float64{-1.2, 1}}
	if err := DrawSurface(&buf, SVG, g, opt); err != nil {
		t.Fatal(err)
	}
	golden(t, "surface-rosenbrock", summary(t, buf.Bytes()))
}

func TestSurfaceNonFinite(t *testing.T) {
	// log(x) is NaN for x < 0 and -Inf at 0: half the grid has no value.
	g, err := Sample(-1, 1, -1, 1, 21, func(x, y float64) (float64, float64, float64, error) {
		return math.Log(x) + y, 1 / x, 1, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := DrawSurface(&buf, SVG, g, SurfaceOptions{XLabel: "a", YLabel: "b"}); err != nil {
		t.Fatal(err)
	}
	summary(t, buf.Bytes())
	_, err = Sample(-1, 1, -1, 1, 5, func(x, y float64) (float64, float64, float64, error) {
		return math.NaN(), 0, 0, nil
	})
	if !errors.Is(err, ErrNoFinite) {
		t.Errorf("no finite value: %v", err)
	}
	for _, r := range [][4]float64{{1, 1, 0, 1}, {0, 1, 2, 1}, {0, math.Inf(1), 0, 1}, {math.NaN(), 1, 0, 1}} {
		if _, err := Sample(r[0], r[1], r[2], r[3], 5, rosenbrock); err == nil {
			t.Errorf("range %v: no error", r)
		}
	}
	if _, err := Sample(0, 1, 0, 1, 1, rosenbrock); err == nil {
		t.Error("a grid of 1: no error")
	}
	stop := errors.New("stop")
	if _, err := Sample(0, 1, 0, 1, 5, func(x, y float64) (float64, float64, float64, error) { return 0, 0, 0, stop }); !errors.Is(err, stop) {
		t.Errorf("f's error: %v", err)
	}
	if err := DrawSurface(&buf, SVG, &Grid{X: []float64{0, 1}, Y: []float64{0, 1}, Z: []float64{1}}, SurfaceOptions{}); err == nil {
		t.Error("a malformed grid: no error")
	}
}

// shapesOf runs the function name of src and finds its shapes.
func shapesOf(t *testing.T, src, name, args string) []Shape {
	t.Helper()
	p := rose.Load("test.rose", []byte(src))
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	f, err := p.Func(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := decodeArgs(f, args)
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.Call(t.Context(), vs, nil)
	if err != nil {
		t.Fatal(err)
	}
	return Shapes(v, f.IR.Result())
}

// describe is a line per shape, for comparing.
func describe(shapes []Shape) string {
	var b strings.Builder
	for _, s := range shapes {
		b.WriteString(s.Kind.String())
		if s.Label != "" {
			b.WriteString(" " + s.Label)
		}
		switch s.Kind {
		case Circle:
			b.WriteString(" " + fmtFloats(s.Center[0], s.Center[1], s.Radius))
		case Box:
			b.WriteString(" " + fmtFloats(s.Center[0], s.Center[1], s.Size[0], s.Size[1]))
		case Path:
			b.WriteString(" " + fmtFloats(float64(len(s.Points))))
		case Dot:
			b.WriteString(" " + fmtFloats(s.Center[0], s.Center[1]))
		}
		if s.Index >= 0 {
			b.WriteString(" #" + fmtFloats(float64(s.Index)))
		}
		b.WriteString("\n")
	}
	return b.String()
}

const shapesSrc = `
struct Circle { center: [2]Real, radius: Real }
struct Box { center: [2]Real, size: [2]Real }
// Same fields as Circle: not a circle, walked into (its center is a point).
struct Disc { center: [2]Real, radius: Real }
// Named Circle's cousin with other fields: walked into.
struct Scene { sun: Circle, frame: Box, orbit: [4][2]Real, disc: Disc, here: [2]Real, moons: [2]Circle, pair: (Circle, [2]Real), n: Int }

fn disc(x: Real) -> Disc { Disc { center: [x, x], radius: x } }
// A Circle rebuilt from the fields of a Disc of the same shape.
fn fromDisc(x: Real) -> Circle { let d = disc(x); Circle { center: d.center, radius: d.radius } }
fn pick(x: Real) -> Circle { if x > 0.0 { fromDisc(x) } else { Circle { center: [0.0, 0.0], radius: 1.0 } } }
fn scene(x: Real) -> Scene {
    Scene {
        sun: pick(x),
        frame: Box { center: [0.0, 0.0], size: [4.0, 2.0] },
        orbit: [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]],
        disc: disc(0.5),
        here: [0.25, -0.5],
        moons: [for i in 0..2 { Circle { center: [real(i), 1.0], radius: 0.1 } }],
        pair: (fromDisc(0.2), [3.0, 3.0]),
        n: 3,
    }
}
fn paths() -> [2][3][2]Real { [[[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]], [[0.0, 1.0], [1.0, 2.0], [2.0, 1.0]]] }
fn point() -> [2]Real { [1.0, 2.0] }
fn short() -> [1][2]Real { [[1.0, 2.0]] }
fn nothing(x: Real) -> (Real, [3]Real) { (x, [x, x, x]) }
`

func TestShapes(t *testing.T) {
	got := describe(shapesOf(t, shapesSrc, "scene", "[1.5]"))
	// Struct names survive lowering, even for a Circle rebuilt from a Disc
	// of the same shape, through an if, and inside a tuple. A Disc is
	// walked into: its center is a point field.
	want := `circle sun 1.5 1.5 1.5
box frame 0 0 4 2
path orbit 4
point center 0.5 0.5
point here 0.25 -0.5
circle 0 1 0.1 #0
circle 1 1 0.1 #1
circle 0.2 0.2 0.2
`
	if got != want {
		t.Errorf("scene's shapes:\n%s\nwant\n%s", got, want)
	}
	for _, c := range []struct{ name, want string }{
		{"paths", "path 3 #0\npath 3 #1\n"},
		{"point", "point 1 2\n"},
		{"short", ""},
		{"nothing", ""},
		{"fromDisc", "circle 2 2 2\n"},
	} {
		args := "[]"
		if c.name == "nothing" || c.name == "fromDisc" {
			args = "[2]"
		}
		if got := describe(shapesOf(t, shapesSrc, c.name, args)); got != c.want {
			t.Errorf("%s: got\n%s\nwant\n%s", c.name, got, c.want)
		}
	}
}

func TestDrawSVG(t *testing.T) {
	shapes := shapesOf(t, shapesSrc, "scene", "[1.5]")
	var buf bytes.Buffer
	if err := DrawShapes(&buf, SVG, shapes, DrawOptions{Title: "scene"}); err != nil {
		t.Fatal(err)
	}
	s := summary(t, buf.Bytes())
	// Circles are round: every arc has equal radii.
	if !strings.Contains(s, "(all round)") {
		t.Errorf("circles are not round:\n%s", s)
	}
	golden(t, "draw-scene", s)
}

func TestDrawErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := DrawShapes(&buf, SVG, nil, DrawOptions{}); err == nil {
		t.Error("no shapes: no error")
	}
	nan := []Shape{{Kind: Circle, Center: [2]float64{math.NaN(), 0}, Radius: 1}}
	if err := DrawShapes(&buf, SVG, nan, DrawOptions{}); err == nil {
		t.Error("only non-finite shapes: no error")
	}
	// A single point has no extent: it gets a unit one.
	one := []Shape{{Kind: Dot, Center: [2]float64{3, 4}, Label: "p"}, {Kind: Path, Points: [][2]float64{{0, 0}, {math.Inf(1), 1}, {1, 1}, {2, 2}}}}
	if err := DrawShapes(&buf, SVG, one[:1], DrawOptions{}); err != nil {
		t.Error(err)
	}
	if err := DrawShapes(&buf, PNG, one, DrawOptions{}); err != nil {
		t.Error(err)
	}
}

func TestPNG(t *testing.T) {
	check := func(name string, data []byte, w, h int) {
		t.Helper()
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
			t.Errorf("%s is %dx%d, want %dx%d", name, b.Dx(), b.Dy(), w, h)
		}
	}
	var buf bytes.Buffer
	if err := DrawTraces(&buf, PNG, []*Trace{readTrace(t, "gd.jsonl")}, TraceOptions{}); err != nil {
		t.Fatal(err)
	}
	w, h := PixelSize(TraceSize.W, TraceSize.H)
	check("trace", buf.Bytes(), w, h)

	g, err := Sample(-2, 2, -1, 3, 30, rosenbrock)
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := DrawSurface(&buf, PNG, g, SurfaceOptions{}); err != nil {
		t.Fatal(err)
	}
	w, h = PixelSize(SurfaceSize.W, SurfaceSize.H)
	check("surface", buf.Bytes(), w, h)

	shapes := shapesOf(t, shapesSrc, "scene", "[1.5]")
	buf.Reset()
	if err := DrawShapes(&buf, PNG, shapes, DrawOptions{}); err != nil {
		t.Fatal(err)
	}
	dw, dh, err := DrawSize(shapes, DrawOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w, h = PixelSize(dw, dh)
	check("draw", buf.Bytes(), w, h)
}

func TestFormatOf(t *testing.T) {
	for in, want := range map[string]Format{"a.svg": SVG, "b/c.PNG": PNG, "x.Svg": SVG} {
		if f, err := FormatOf(in); err != nil || f != want {
			t.Errorf("FormatOf(%q) = %v, %v", in, f, err)
		}
	}
	for _, in := range []string{"a.pdf", "noext", "svg", "a.svg.txt"} {
		if _, err := FormatOf(in); err == nil {
			t.Errorf("FormatOf(%q): no error", in)
		}
	}
}

func decodeArgs(f *rose.Func, args string) ([]value.Value, error) {
	return value.DecodeArgs(f.Params(), []byte(args))
}

func fmtFloats(xs ...float64) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return strings.Join(s, " ")
}

// TestDocsExample runs the example of docs/plotting.md and checks that it
// draws what the text says: a labelled circle and box, an unlabelled path,
// and three circles coloured by index.
func TestDocsExample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "plotting.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```rose\n")
	src, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("docs/plotting.md has no rose block")
	}
	got := describe(shapesOf(t, src, "scene", "[0.3]"))
	want := "circle sun 1 1.5 0.3\nbox room 1 0.75 3 2.5\npath walk 3\ncircle 0 0 0.1 #0\ncircle 1 0.5 0.1 #1\ncircle 2 0 0.1 #2\n"
	if got != want {
		t.Errorf("the docs example draws\n%s\nwant\n%s", got, want)
	}
	// A type alias of Circle is a Circle.
	alias := "struct Circle { center: [2]Real, radius: Real }\ntype Round = Circle\nfn r() -> Round { Circle { center: [1.0, 2.0], radius: 3.0 } }\n"
	if got := describe(shapesOf(t, alias, "r", "[]")); got != "circle 1 2 3\n" {
		t.Errorf("an alias of Circle: %q", got)
	}
}
