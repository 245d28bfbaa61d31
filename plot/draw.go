package plot

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/rose-go/rose/ir"
	"github.com/rose-go/rose/value"
)

// Kind is the kind of a drawable shape.
type Kind int

// The shapes a value can be drawn as; docs/plotting.md says which types
// are which.
const (
	Circle Kind = iota // a struct Circle { center: [2]Real, radius: Real }
	Box                // a struct Box { center: [2]Real, size: [2]Real }
	Path               // a [n][2]Real with n >= 2
	Dot                // a [2]Real struct field, or a whole [2]Real result
)

func (k Kind) String() string {
	switch k {
	case Circle:
		return "circle"
	case Box:
		return "box"
	case Path:
		return "path"
	case Dot:
		return "point"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Shape is one drawable part of a value.
type Shape struct {
	Kind   Kind
	Label  string       // the struct field it is, or ""
	Center [2]float64   // Circle, Box, Dot
	Radius float64      // Circle
	Size   [2]float64   // Box: width and height
	Points [][2]float64 // Path
	// Index is the position of the shape in the innermost array it is an
	// element of, or -1: shapes at the same index share a colour, so that
	// ball 3's path and ball 3's circle match.
	Index int
}

// Shapes finds the drawable parts of v, a value of type t, by the
// convention of docs/plotting.md: structs named Circle and Box with the
// right fields, arrays of at least two [2]Real as paths, [2]Real struct
// fields as points; everything else is walked into (arrays, tuples, struct
// fields) and left out when nothing in it is drawable. Struct names come
// from t (the checker's struct types lowered to IR keep their Name and
// Fields); a value that does not have the shape of t yields no shapes.
func Shapes(v value.Value, t *ir.Type) []Shape {
	var out []Shape
	walk(&out, v, t, "", -1, true)
	return out
}

// walk appends the shapes of v. label is the struct field v is (or ""),
// index its position in the innermost enclosing array (or -1), and top
// whether v is the whole value.
func walk(out *[]Shape, v value.Value, t *ir.Type, label string, index int, top bool) {
	if t == nil || v.Kind() != t.Kind {
		return
	}
	switch t.Kind {
	case ir.KTuple:
		if v.Len() != len(t.Elems) {
			return
		}
		if s, ok := structShape(v, t); ok {
			s.Label, s.Index = label, index
			*out = append(*out, s)
			return
		}
		named := len(t.Fields) == len(t.Elems)
		for i, et := range t.Elems {
			// Fields are labelled by their names, except inside arrays,
			// where every element would repeat the same label.
			lbl := ""
			if named && index < 0 {
				lbl = t.Fields[i]
			}
			// A [2]Real is a point only as a struct field.
			if named && isVec2(et) {
				if p, ok := vec2(v.Elem(i)); ok {
					*out = append(*out, Shape{Kind: Dot, Label: lbl, Center: p, Index: index})
				}
				continue
			}
			walk(out, v.Elem(i), et, lbl, index, false)
		}
	case ir.KArray:
		if v.Len() != t.Len {
			return
		}
		if isVec2(t) {
			if top {
				if p, ok := vec2(v); ok {
					*out = append(*out, Shape{Kind: Dot, Center: p, Index: -1})
				}
			}
			return
		}
		if isVec2(t.Elem) {
			if t.Len < 2 {
				return
			}
			pts := make([][2]float64, 0, t.Len)
			for i := range t.Len {
				p, ok := vec2(v.Elem(i))
				if !ok {
					return
				}
				pts = append(pts, p)
			}
			*out = append(*out, Shape{Kind: Path, Label: label, Points: pts, Index: index})
			return
		}
		for i := range t.Len {
			walk(out, v.Elem(i), t.Elem, "", i, false)
		}
	}
}

// structShape recognises a Circle or a Box: the struct's name and its
// fields, by name, with the right types, in either order.
func structShape(v value.Value, t *ir.Type) (Shape, bool) {
	if len(t.Fields) != 2 || len(t.Elems) != 2 {
		return Shape{}, false
	}
	field := func(name string) int { return slices.Index(t.Fields, name) }
	c := field("center")
	if c < 0 || !isVec2(t.Elems[c]) {
		return Shape{}, false
	}
	center, ok := vec2(v.Elem(c))
	if !ok {
		return Shape{}, false
	}
	switch t.Name {
	case "Circle":
		r := field("radius")
		if r < 0 || t.Elems[r].Kind != ir.KReal {
			return Shape{}, false
		}
		return Shape{Kind: Circle, Center: center, Radius: v.Elem(r).Real()}, true
	case "Box":
		s := field("size")
		if s < 0 || !isVec2(t.Elems[s]) {
			return Shape{}, false
		}
		size, ok := vec2(v.Elem(s))
		if !ok {
			return Shape{}, false
		}
		return Shape{Kind: Box, Center: center, Size: size}, true
	}
	return Shape{}, false
}

// isVec2 reports whether t is [2]Real.
func isVec2(t *ir.Type) bool {
	return t != nil && t.Kind == ir.KArray && t.Len == 2 && t.Elem != nil && t.Elem.Kind == ir.KReal
}

// vec2 reads a [2]Real value.
func vec2(v value.Value) ([2]float64, bool) {
	if v.Kind() != ir.KArray || v.Len() != 2 || v.Elem(0).Kind() != ir.KReal || v.Elem(1).Kind() != ir.KReal {
		return [2]float64{}, false
	}
	return [2]float64{v.Elem(0).Real(), v.Elem(1).Real()}, true
}

// DrawOptions say how shapes are drawn.
type DrawOptions struct {
	Title string
	// Width is the picture's width; 0 means 6 inches. Its height follows
	// from the shapes' extent, between half and 1.4 times the width.
	Width vg.Length
}

// DrawSize is the size of the picture DrawShapes makes of shapes for the
// options: what a test of a PNG's size expects.
func DrawSize(shapes []Shape, opt DrawOptions) (w, h vg.Length, err error) {
	x0, x1, y0, y1, err := extent(shapes)
	if err != nil {
		return 0, 0, err
	}
	w = opt.Width
	if w == 0 {
		w = 6 * vg.Inch
	}
	aspect := (y1 - y0) / (x1 - x0)
	aspect = math.Max(0.5, math.Min(1.4, aspect))
	return w, vg.Length(math.Round(float64(w)*aspect)) + headHeight(opt.Title), nil
}

// headHeight is the room a title takes above the plot.
func headHeight(title string) vg.Length {
	if title == "" {
		return 0
	}
	return vg.Points(20)
}

// extent is the bounding box of the shapes with a margin of 5% of its
// larger side, or an error when there is nothing finite to draw.
func extent(shapes []Shape) (x0, x1, y0, y1 float64, err error) {
	x0, y0 = math.Inf(1), math.Inf(1)
	x1, y1 = math.Inf(-1), math.Inf(-1)
	add := func(x, y, rx, ry float64) {
		if !finite(x) || !finite(y) || !finite(rx) || !finite(ry) {
			return
		}
		x0, x1 = math.Min(x0, x-rx), math.Max(x1, x+rx)
		y0, y1 = math.Min(y0, y-ry), math.Max(y1, y+ry)
	}
	for _, s := range shapes {
		switch s.Kind {
		case Circle:
			add(s.Center[0], s.Center[1], math.Abs(s.Radius), math.Abs(s.Radius))
		case Box:
			add(s.Center[0], s.Center[1], math.Abs(s.Size[0])/2, math.Abs(s.Size[1])/2)
		case Path:
			for _, p := range s.Points {
				add(p[0], p[1], 0, 0)
			}
		case Dot:
			add(s.Center[0], s.Center[1], 0, 0)
		}
	}
	if x0 > x1 {
		return 0, 0, 0, 0, fmt.Errorf("%w: no shape has finite coordinates", errNoData)
	}
	if !(x1-x0 < 1e300) || !(y1-y0 < 1e300) {
		return 0, 0, 0, 0, fmt.Errorf("the shapes span more than the range of float64 (x from %g to %g, y from %g to %g)", x0, x1, y0, y1)
	}
	side := math.Max(x1-x0, y1-y0)
	if side == 0 {
		side = 1
	}
	m := 0.05 * side
	return x0 - m, x1 + m, y0 - m, y1 + m, nil
}

// DrawShapes draws shapes with equal scales on both axes (a circle is
// round), thin axes and a margin: boxes first, then circles, paths,
// points and the labels on top. Shapes at the same array index share a
// colour; shapes not in an array take a colour by kind. Shapes with
// non-finite coordinates are left out.
func DrawShapes(out io.Writer, f Format, shapes []Shape, opt DrawOptions) error {
	if len(shapes) == 0 {
		return fmt.Errorf("%w: no circles, boxes, paths or points in the value", errNoData)
	}
	x0, x1, y0, y1, err := extent(shapes)
	if err != nil {
		return err
	}
	w, h, err := DrawSize(shapes, opt)
	if err != nil {
		return err
	}
	p := newPlot()
	p.X.Padding, p.Y.Padding = 0, 0
	p.Add(&shapePlotter{shapes: shapes})
	return render(out, f, w, h, func(dc draw.Canvas) {
		pad := vg.Points(6)
		dc = draw.Crop(dc, pad, -pad, pad, -pad)
		if opt.Title != "" {
			sty := p.Title.TextStyle
			sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
			dc.FillText(sty, vg.Point{X: dc.Center().X, Y: dc.Max.Y}, opt.Title)
			dc.Max.Y -= headHeight(opt.Title)
		}
		equalAspect(p, dc, x0, x1, y0, y1)
		p.Draw(dc)
	})
}

// equalAspect sets p's ranges to cover [x0, x1] by [y0, y1] with one
// scale for both axes on the canvas dc, widening the shorter side. The
// data area depends on the tick labels, which depend on the ranges: two
// rounds settle it.
func equalAspect(p *gplot.Plot, dc draw.Canvas, x0, x1, y0, y1 float64) {
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = x0, x1, y0, y1
	for range 3 {
		da := p.DataCanvas(dc)
		w, h := float64(da.Max.X-da.Min.X), float64(da.Max.Y-da.Min.Y)
		if w <= 0 || h <= 0 {
			return
		}
		// Units per point on each axis; the larger one is the scale.
		sx, sy := (x1-x0)/w, (y1-y0)/h
		s := math.Max(sx, sy)
		cx, cy := (x0+x1)/2, (y0+y1)/2
		p.X.Min, p.X.Max = cx-s*w/2, cx+s*w/2
		p.Y.Min, p.Y.Max = cy-s*h/2, cy+s*h/2
	}
}

// shapePlotter draws shapes in the data coordinates of a plot.
type shapePlotter struct{ shapes []Shape }

// kindColour is the colour of a shape that is not in an array.
func kindColour(k Kind) color.NRGBA {
	switch k {
	case Circle:
		return colour(0)
	case Box:
		return colour(2)
	case Path:
		return colour(4)
	}
	return colour(1)
}

func (sp *shapePlotter) Plot(c draw.Canvas, plt *gplot.Plot) {
	trX, trY := plt.Transforms(&c)
	pt := func(x, y float64) vg.Point { return vg.Point{X: trX(x), Y: trY(y)} }
	// One scale on both axes (equalAspect): lengths by the x one.
	scale := float64(trX(1) - trX(0))
	col := func(s Shape) color.NRGBA {
		if s.Index >= 0 {
			return colour(s.Index)
		}
		return kindColour(s.Kind)
	}
	ok := func(xs ...float64) bool {
		for _, x := range xs {
			if !finite(x) {
				return false
			}
		}
		return true
	}
	line := vg.Points(1.2)
	for _, s := range sp.shapes {
		if s.Kind != Box || !ok(s.Center[0], s.Center[1], s.Size[0], s.Size[1]) {
			continue
		}
		hw, hh := math.Abs(s.Size[0])/2, math.Abs(s.Size[1])/2
		var r vg.Path
		r.Move(pt(s.Center[0]-hw, s.Center[1]-hh))
		r.Line(pt(s.Center[0]+hw, s.Center[1]-hh))
		r.Line(pt(s.Center[0]+hw, s.Center[1]+hh))
		r.Line(pt(s.Center[0]-hw, s.Center[1]+hh))
		r.Close()
		paint(c, r, col(s), line)
	}
	for _, s := range sp.shapes {
		if s.Kind != Circle || !ok(s.Center[0], s.Center[1], s.Radius) {
			continue
		}
		var r vg.Path
		ctr := pt(s.Center[0], s.Center[1])
		rad := vg.Length(math.Abs(s.Radius) * scale)
		r.Move(vg.Point{X: ctr.X + rad, Y: ctr.Y})
		r.Arc(ctr, rad, 0, 2*math.Pi)
		r.Close()
		paint(c, r, col(s), line)
	}
	for _, s := range sp.shapes {
		if s.Kind != Path {
			continue
		}
		// A non-finite point breaks the path in two.
		var run []vg.Point
		sty := draw.LineStyle{Color: col(s), Width: line}
		flush := func() {
			if len(run) > 1 {
				c.StrokeLines(sty, run)
			}
			run = run[:0]
		}
		for _, q := range s.Points {
			if !ok(q[0], q[1]) {
				flush()
				continue
			}
			run = append(run, pt(q[0], q[1]))
		}
		flush()
	}
	for _, s := range sp.shapes {
		if s.Kind != Dot || !ok(s.Center[0], s.Center[1]) {
			continue
		}
		c.DrawGlyph(draw.GlyphStyle{Color: col(s), Radius: vg.Points(3), Shape: draw.CircleGlyph{}}, pt(s.Center[0], s.Center[1]))
	}
	sty := plt.X.Tick.Label
	sty.Font.Size = vg.Points(9)
	sty.Color = color.Black
	for _, s := range sp.shapes {
		if s.Label == "" {
			continue
		}
		var at vg.Point
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
		switch s.Kind {
		case Path:
			if len(s.Points) == 0 || !ok(s.Points[0][0], s.Points[0][1]) {
				continue
			}
			// At its start, beside the line.
			at = pt(s.Points[0][0], s.Points[0][1])
			at.Y += vg.Points(8)
		case Dot:
			if !ok(s.Center[0], s.Center[1]) {
				continue
			}
			at = pt(s.Center[0], s.Center[1])
			at.Y += vg.Points(9)
		case Circle:
			if !ok(s.Center[0], s.Center[1], s.Radius) {
				continue
			}
			at = pt(s.Center[0], s.Center[1])
			// Inside the rim at the top, where a large circle's label
			// stays clear of what it contains (an Euler diagram's
			// elements sit at its centre); a small one's at the centre.
			if rad := vg.Length(math.Abs(s.Radius) * scale); rad > vg.Points(30) {
				at.Y += rad - vg.Points(12)
			}
		default:
			if !ok(s.Center[0], s.Center[1]) {
				continue
			}
			at = pt(s.Center[0], s.Center[1])
		}
		c.FillText(sty, at, s.Label)
	}
}

// paint fills the outline r with k, translucent, and strokes it.
func paint(c draw.Canvas, r vg.Path, k color.NRGBA, width vg.Length) {
	c.SetColor(translucent(k))
	c.Fill(r)
	c.SetLineStyle(draw.LineStyle{Color: k, Width: width})
	c.Stroke(r)
}

// translucent is the fill of a shape: its colour, mostly transparent, so
// that overlaps show.
func translucent(k color.NRGBA) color.NRGBA {
	k.A = 0x40
	return k
}
