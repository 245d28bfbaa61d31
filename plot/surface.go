package plot

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Grid is a function of two inputs sampled on a regular grid, with its
// gradient: what a surface picture is drawn from.
type Grid struct {
	X, Y []float64 // the coordinates of the columns and the rows, increasing
	// Z, GX and GY hold the value and the partial derivatives by x and y,
	// row after row: the point (X[i], Y[j]) is at j*len(X)+i.
	Z, GX, GY []float64
}

// ErrNoFinite is returned when a function has no finite value on the
// whole grid: there is nothing to draw contours of.
var ErrNoFinite = errors.New("no finite value in the range")

// Sample evaluates f on an n by n grid over [x0, x1] by [y0, y1]. f returns
// the value at (x, y) and its partial derivatives; its first error stops
// the sampling. Values may be NaN or infinite in places, but not
// everywhere: that is ErrNoFinite.
func Sample(x0, x1, y0, y1 float64, n int, f func(x, y float64) (z, gx, gy float64, err error)) (*Grid, error) {
	if n < 2 {
		return nil, fmt.Errorf("the grid needs at least 2 points a side, not %d", n)
	}
	if !(x0 < x1) || !(y0 < y1) || !finite(x1-x0) || !finite(y1-y0) {
		return nil, fmt.Errorf("the range %g,%g,%g,%g is empty: it needs x0 < x1 and y0 < y1", x0, x1, y0, y1)
	}
	g := &Grid{X: steps(x0, x1, n), Y: steps(y0, y1, n)}
	g.Z = make([]float64, 0, n*n)
	g.GX = make([]float64, 0, n*n)
	g.GY = make([]float64, 0, n*n)
	any := false
	for _, y := range g.Y {
		for _, x := range g.X {
			z, gx, gy, err := f(x, y)
			if err != nil {
				return nil, err
			}
			any = any || finite(z)
			g.Z = append(g.Z, z)
			g.GX = append(g.GX, gx)
			g.GY = append(g.GY, gy)
		}
	}
	if !any {
		return nil, ErrNoFinite
	}
	return g, nil
}

// steps are n evenly spaced numbers from a to b.
func steps(a, b float64, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = a + (b-a)*float64(i)/float64(n-1)
	}
	s[n-1] = b
	return s
}

// Levels chooses contour levels for the values z (non-finite ones are
// ignored). When the values span many decades above their minimum, as
// Rosenbrock's do, evenly spaced levels would all crowd where the function
// is steep and leave its valley blank, so the levels are then spaced evenly
// in log(z - min); otherwise they are spaced evenly in z. log reports which.
func Levels(z []float64, count int) (levels []float64, log bool) {
	var fin []float64
	for _, v := range z {
		if finite(v) {
			fin = append(fin, v)
		}
	}
	if len(fin) == 0 || count < 1 {
		return nil, false
	}
	slices.Sort(fin)
	lo, hi := fin[0], fin[len(fin)-1]
	if lo == hi {
		return nil, false
	}
	// The spread of the values above the minimum, read off quantiles so
	// that a spike does not decide it: wide when the upper values are more
	// than 100 times the lower ones.
	q := func(p float64) float64 { return fin[int(p*float64(len(fin)-1))] - lo }
	small, large := q(0.05), q(0.95)
	if small > 0 && large/small > 100 {
		// From just above the minimum (the 3% quantile, or a millionth of
		// the spread) to just below the maximum.
		a := math.Max(q(0.03), (hi-lo)*1e-6)
		b := (hi - lo) * 0.95
		if a < b {
			la, lb := math.Log(a), math.Log(b)
			for i := range count {
				levels = append(levels, lo+math.Exp(la+(lb-la)*float64(i)/float64(max(count-1, 1))))
			}
			return levels, true
		}
	}
	for i := range count {
		levels = append(levels, lo+(hi-lo)*float64(i+1)/float64(count+1))
	}
	return levels, false
}

// SurfaceOptions label a surface picture.
type SurfaceOptions struct {
	Title          string // above the plot, e.g. the function's name
	XLabel, YLabel string // the inputs on the axes, as Objective.Inputs names them
	// Point is marked and labelled with its coordinates: the arguments
	// the other inputs are fixed at.
	Point [2]float64
	// Levels is the number of contour lines; 0 means 14.
	Levels int
	// Arrows is the number of gradient arrows a side; 0 means 15.
	Arrows int
}

// SurfaceSize is the size of a surface picture.
var SurfaceSize = struct{ W, H vg.Length }{6 * vg.Inch, 5.5 * vg.Inch}

// DrawSurface draws the contours of g with its gradient as arrows and the
// point marked. The arrows point uphill, along the gradient; their
// direction is exact on the page, and their length grows with the log of
// the gradient's magnitude, so that both the steep walls and the flat
// valley of a function like Rosenbrock's stay readable. Non-finite values
// are drawn as the largest finite one.
func DrawSurface(out io.Writer, f Format, g *Grid, opt SurfaceOptions) error {
	nx, ny := len(g.X), len(g.Y)
	if nx < 2 || ny < 2 || len(g.Z) != nx*ny || len(g.GX) != nx*ny || len(g.GY) != nx*ny {
		return fmt.Errorf("the grid is malformed: %d by %d with %d values", nx, ny, len(g.Z))
	}
	count := opt.Levels
	if count == 0 {
		count = 14
	}
	levels, logLevels := Levels(g.Z, count)
	zmax := math.Inf(-1)
	for _, z := range g.Z {
		if finite(z) {
			zmax = math.Max(zmax, z)
		}
	}
	if math.IsInf(zmax, -1) {
		return ErrNoFinite
	}
	p := newPlot()
	leg := gplot.NewLegend()
	leg.TextStyle.Font.Size = vg.Points(9)
	leg.Padding = vg.Points(3)
	p.X.Label.Text, p.Y.Label.Text = opt.XLabel, opt.YLabel
	p.X.Min, p.X.Max = g.X[0], g.X[nx-1]
	p.Y.Min, p.Y.Max = g.Y[0], g.Y[ny-1]
	p.X.Padding, p.Y.Padding = 0, 0

	if len(levels) > 0 {
		c := plotter.NewContour(zgrid{g, zmax}, levels, nil)
		c.LineStyles = make([]draw.LineStyle, len(levels))
		cols := palette.Rainbow(len(levels), palette.Blue, palette.Red, 0.85, 0.8, 1).Colors()
		for i := range levels {
			c.LineStyles[i] = draw.LineStyle{Color: cols[i], Width: vg.Points(1)}
		}
		c.Min, c.Max = levels[0], levels[len(levels)-1]
		p.Add(c)
		kind := "evenly spaced levels"
		if logLevels {
			kind = "levels evenly spaced in log(f - min)"
		}
		leg.Add(fmt.Sprintf("%d contours, %s", len(levels), kind), legendLine{cols[len(cols)/2]})
	}
	arrows := opt.Arrows
	if arrows == 0 {
		arrows = 15
	}
	p.Add(&gradField{g: g, n: arrows})
	leg.Add("gradient (direction; length ~ log |grad|)", legendLine{arrowColour})

	pt, err := plotter.NewScatter(plotter.XYs{{X: opt.Point[0], Y: opt.Point[1]}})
	if err != nil {
		return err
	}
	pt.GlyphStyle = draw.GlyphStyle{Color: color.NRGBA{0xd6, 0x27, 0x28, 0xff}, Radius: vg.Points(4), Shape: draw.CircleGlyph{}}
	p.Add(pt)
	lbl := "(" + strconv.FormatFloat(opt.Point[0], 'g', 4, 64) + ", " + strconv.FormatFloat(opt.Point[1], 'g', 4, 64) + ")"
	labels, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: opt.Point[0], Y: opt.Point[1]}}, Labels: []string{lbl}})
	if err != nil {
		return err
	}
	labels.Offset = vg.Point{X: vg.Points(6), Y: vg.Points(4)}
	for i := range labels.TextStyle {
		labels.TextStyle[i].Font.Size = vg.Points(9)
	}
	p.Add(labels)
	leg.Add("the --args point", pt)
	p.X.Min, p.X.Max = g.X[0], g.X[nx-1]
	p.Y.Min, p.Y.Max = g.Y[0], g.Y[ny-1]
	return render(out, f, SurfaceSize.W, SurfaceSize.H, func(dc draw.Canvas) {
		drawHeaded(dc, p, opt.Title, &leg)
	})
}

// drawHeaded draws p under a title and a legend, so that neither covers
// the data.
func drawHeaded(dc draw.Canvas, p *gplot.Plot, title string, leg *gplot.Legend) {
	pad := vg.Points(6)
	dc = draw.Crop(dc, pad, -pad, pad, -pad)
	top := dc.Max.Y
	if title != "" {
		sty := p.Title.TextStyle
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
		dc.FillText(sty, vg.Point{X: dc.Center().X, Y: top}, title)
		top -= sty.Rectangle(title).Size().Y + pad
	}
	if leg != nil {
		leg.Top, leg.Left = true, true
		band := dc
		band.Max.Y = top
		h := leg.Rectangle(band).Size().Y
		leg.Draw(band)
		top -= h + pad
	}
	dc.Max.Y = top
	p.Draw(dc)
}

// zgrid is the values of a Grid as gonum's GridXYZ, non-finite values
// raised to the largest finite one so that the contouring sees numbers.
type zgrid struct {
	g    *Grid
	zmax float64
}

func (z zgrid) Dims() (int, int) { return len(z.g.X), len(z.g.Y) }
func (z zgrid) X(c int) float64  { return z.g.X[c] }
func (z zgrid) Y(r int) float64  { return z.g.Y[r] }
func (z zgrid) Z(c, r int) float64 {
	v := z.g.Z[r*len(z.g.X)+c]
	if !finite(v) {
		return z.zmax
	}
	return v
}

var arrowColour = color.NRGBA{0x30, 0x30, 0x30, 0xff}

// gradField draws the gradient as gonum's plotter.Field on n by n cells
// of the range. It is made when drawn, since the direction of an arrow
// on the page depends on the scales of the axes: a step of (gx, gy) in
// the data is (gx*kx, gy*ky) on the page.
type gradField struct {
	g *Grid
	n int
}

func (f *gradField) Plot(c draw.Canvas, plt *gplot.Plot) {
	g := f.g
	nx, ny := len(g.X), len(g.Y)
	x0, x1, y0, y1 := g.X[0], g.X[nx-1], g.Y[0], g.Y[ny-1]
	// Arrows at the centres of n by n cells, inside the range (plotter.Field
	// leaves out an arrow whose cell sticks out), with the gradient
	// interpolated there from the grid.
	v := &vectors{n: f.n, v: make([]plotter.XY, f.n*f.n)}
	for i := range f.n {
		t := (float64(i) + 0.5) / float64(f.n)
		v.xs = append(v.xs, x0+t*(x1-x0))
		v.ys = append(v.ys, y0+t*(y1-y0))
	}
	trX, trY := plt.Transforms(&c)
	kx := float64(trX(x1)-trX(x0)) / (x1 - x0)
	ky := float64(trY(y1)-trY(y0)) / (y1 - y0)
	// The gradient as a step on the page, then its length from 0.3 to 1
	// by the log of its size.
	mags := make([]float64, len(v.v))
	lmin, lmax := math.Inf(1), math.Inf(-1)
	for r, y := range v.ys {
		for c, x := range v.xs {
			gx, gy := g.interp(g.GX, x, y), g.interp(g.GY, x, y)
			px, py := gx*kx, gy*ky
			m := math.Hypot(px, py)
			if !finite(m) || m == 0 {
				continue
			}
			k := r*f.n + c
			v.v[k], mags[k] = plotter.XY{X: px / m, Y: py / m}, m
			lmin, lmax = math.Min(lmin, math.Log(m)), math.Max(lmax, math.Log(m))
		}
	}
	for k, m := range mags {
		if m > 0 && lmax > lmin {
			s := 0.3 + 0.7*(math.Log(m)-lmin)/(lmax-lmin)
			v.v[k].X *= s
			v.v[k].Y *= s
		}
	}
	field := plotter.NewField(v)
	field.LineStyle = draw.LineStyle{Color: arrowColour, Width: vg.Points(0.7)}
	// The field scales the glyph to the cell: one unit is s*cellW points
	// along the arrow and s*cellH across, s = |u|/2. The arrow is a filled
	// outline, whose widths are given in points through that scale (line
	// widths would be scaled by one backend and not by another).
	cellW := float64(trX(x1)-trX(x0)) / float64(f.n)
	cellH := float64(trY(y1)-trY(y0)) / float64(f.n)
	field.DrawGlyph = func(c vg.Canvas, sty draw.LineStyle, u plotter.XY) {
		s := math.Hypot(u.X, u.Y) / 2
		if s == 0 || cellW <= 0 || cellH <= 0 {
			return
		}
		arrowGlyph(c, sty.Color, s*cellW, s*cellH)
	}
	field.Plot(c, plt)
}

// arrowGlyph fills an arrow along the unit vector (1, 0) of plotter.Field's
// glyph space, whose unit is ux points along and uy across: a shaft 0.8pt
// wide through the cell's centre and a head, 1.6 units long in all.
func arrowGlyph(c vg.Canvas, col color.Color, ux, uy float64) {
	const length = 1.6
	head := math.Min(4.5/ux, length/2) // 4.5pt long, at most half the arrow
	hw := 2.0 / uy                     // the head is 4pt wide
	sw := 0.4 / uy                     // the shaft 0.8pt
	x0, x1 := -length/2, length/2
	var a vg.Path
	a.Move(vg.Point{X: vg.Length(x0), Y: vg.Length(-sw)})
	a.Line(vg.Point{X: vg.Length(x1 - head), Y: vg.Length(-sw)})
	a.Line(vg.Point{X: vg.Length(x1 - head), Y: vg.Length(-hw)})
	a.Line(vg.Point{X: vg.Length(x1), Y: 0})
	a.Line(vg.Point{X: vg.Length(x1 - head), Y: vg.Length(hw)})
	a.Line(vg.Point{X: vg.Length(x1 - head), Y: vg.Length(sw)})
	a.Line(vg.Point{X: vg.Length(x0), Y: vg.Length(sw)})
	a.Close()
	c.SetColor(col)
	c.Fill(a)
}

// vectors is the arrows of a gradField as gonum's FieldXY: n by n, at
// the coordinates xs and ys.
type vectors struct {
	n      int
	xs, ys []float64
	v      []plotter.XY
}

func (v *vectors) Dims() (int, int)           { return v.n, v.n }
func (v *vectors) Vector(c, r int) plotter.XY { return v.v[r*v.n+c] }
func (v *vectors) X(c int) float64            { return v.xs[c] }
func (v *vectors) Y(r int) float64            { return v.ys[r] }

// interp interpolates the grid values a (Z, GX or GY) at (x, y) inside
// the range, bilinearly between the four grid points around it; NaN if one
// of them is not finite.
func (g *Grid) interp(a []float64, x, y float64) float64 {
	nx, ny := len(g.X), len(g.Y)
	cell := func(xs []float64, n int, x float64) (int, float64) {
		t := (x - xs[0]) / (xs[n-1] - xs[0]) * float64(n-1)
		i := min(max(int(math.Floor(t)), 0), n-2)
		return i, t - float64(i)
	}
	i, tx := cell(g.X, nx, x)
	j, ty := cell(g.Y, ny, y)
	v00, v10 := a[j*nx+i], a[j*nx+i+1]
	v01, v11 := a[(j+1)*nx+i], a[(j+1)*nx+i+1]
	v := (1-ty)*((1-tx)*v00+tx*v10) + ty*((1-tx)*v01+tx*v11)
	if !finite(v00) || !finite(v10) || !finite(v01) || !finite(v11) {
		return math.NaN()
	}
	return v
}

// legendLine is a legend thumbnail: a short line in a colour.
type legendLine struct{ c color.Color }

func (l legendLine) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(draw.LineStyle{Color: l.c, Width: vg.Points(1.5)}, c.Min.X, y, c.Max.X, y)
}
