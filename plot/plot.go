// Package plot draws what Rose programs compute: optimizer traces (loss and
// gradient norm per iteration), the contours and gradient field of a
// function of two inputs, and the shapes a function returns (circles, boxes,
// paths and points, recognised by their types).
//
// Every drawing function takes data and writes one image to an io.Writer
// in a Format, so that the command line (rose plot) and tests share the
// code and a test needs no files. The pictures are made with gonum's plot
// package.
package plot

import (
	"cmp"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Format is an image file format.
type Format int

// The formats: SVG for documents that scale, PNG for a fixed picture.
const (
	SVG Format = iota
	PNG
)

func (f Format) String() string {
	switch f {
	case SVG:
		return "svg"
	case PNG:
		return "png"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// FormatOf picks the format from a file name's extension (.svg or .png,
// in any case), so that -o out.png is all a user says.
func FormatOf(path string) (Format, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".svg":
		return SVG, nil
	case ".png":
		return PNG, nil
	}
	return 0, fmt.Errorf("%s: the output must end in .svg or .png", path)
}

// DPI is the resolution of PNG images: a 6-inch-wide picture is 900 pixels.
const DPI = 150

// PixelSize is the size in pixels of a PNG image of w by h, rounded as
// gonum's image canvas rounds it.
func PixelSize(w, h vg.Length) (int, int) {
	px := func(l vg.Length) int { return int(l/vg.Inch*DPI + 0.5) }
	return px(w), px(h)
}

// canvas is a drawing surface that can write itself as an image.
type canvas interface {
	vg.CanvasSizer
	io.WriterTo
}

// newCanvas makes a white canvas of w by h for the format f.
func newCanvas(f Format, w, h vg.Length) (canvas, error) {
	switch f {
	case SVG:
		return vgsvg.New(w, h), nil
	case PNG:
		c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(DPI), vgimg.UseBackgroundColor(color.White))
		return pngCanvas{c}, nil
	}
	return nil, fmt.Errorf("unknown image format %v", f)
}

// pngCanvas writes its image as a paletted PNG of its 256 most frequent
// colours, each other colour (antialiased edges) taking the nearest: a
// third of the size of a full-colour PNG, with no visible difference on
// pictures of lines and flat fills.
type pngCanvas struct{ *vgimg.Canvas }

func (c pngCanvas) WriteTo(w io.Writer) (int64, error) {
	img := c.Image()
	b := img.Bounds()
	count := map[color.RGBA]int{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			count[rgba(img.At(x, y))]++
		}
	}
	pal := make([]color.RGBA, 0, len(count))
	for k := range count {
		pal = append(pal, k)
	}
	// Most frequent first; ties by value, so that the output is the same
	// on every run.
	slices.SortFunc(pal, func(a, b color.RGBA) int {
		if d := count[b] - count[a]; d != 0 {
			return d
		}
		return cmp.Compare(uint32(a.R)<<24|uint32(a.G)<<16|uint32(a.B)<<8|uint32(a.A), uint32(b.R)<<24|uint32(b.G)<<16|uint32(b.B)<<8|uint32(b.A))
	})
	pal = pal[:min(len(pal), 256)]
	p := make(color.Palette, len(pal))
	for i, k := range pal {
		p[i] = k
	}
	out := image.NewPaletted(b, p)
	index := make(map[color.RGBA]uint8, len(count))
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			k := rgba(img.At(x, y))
			i, ok := index[k]
			if !ok {
				i = uint8(p.Index(k))
				index[k] = i
			}
			out.SetColorIndex(x, y, i)
		}
	}
	cw := &countWriter{w: w}
	err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(cw, out)
	return cw.n, err
}

func rgba(c color.Color) color.RGBA {
	r, g, b, a := c.RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
}

// countWriter counts the bytes written, for io.WriterTo.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// render draws with paint on a new canvas of w by h and writes it to out.
// gonum's plot panics on some degenerate input (an empty range on a log
// axis); that is turned into an error so that no user input crashes rose.
func render(out io.Writer, f Format, w, h vg.Length, paint func(dc draw.Canvas)) (err error) {
	c, err := newCanvas(f, w, h)
	if err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("drawing failed: %v", r)
		}
	}()
	paint(draw.New(c))
	_, err = c.WriteTo(out)
	return err
}

// errNoData is returned when there is nothing to draw.
var errNoData = errors.New("nothing to draw")

// colours is a cycle of distinguishable colours (a qualitative palette
// chosen for contrast on white), for several traces or the balls of a
// simulation.
var colours = []color.NRGBA{
	{0x1f, 0x77, 0xb4, 0xff}, // blue
	{0xd6, 0x27, 0x28, 0xff}, // red
	{0x2c, 0xa0, 0x2c, 0xff}, // green
	{0xff, 0x7f, 0x0e, 0xff}, // orange
	{0x94, 0x67, 0xbd, 0xff}, // purple
	{0x8c, 0x56, 0x4b, 0xff}, // brown
	{0xe3, 0x77, 0xc2, 0xff}, // pink
	{0x17, 0xbe, 0xcf, 0xff}, // cyan
	{0xbc, 0xbd, 0x22, 0xff}, // olive
	{0x7f, 0x7f, 0x7f, 0xff}, // grey
	{0x00, 0x00, 0x80, 0xff}, // navy
	{0x00, 0x80, 0x80, 0xff}, // teal
}

// colour is the i-th colour of the cycle.
func colour(i int) color.NRGBA {
	if i < 0 {
		i = -i
	}
	return colours[i%len(colours)]
}

// newPlot is a plot with the house style: thin axes, small ticks.
func newPlot() *gplot.Plot {
	p := gplot.New()
	for _, a := range []*gplot.Axis{&p.X, &p.Y} {
		a.LineStyle.Width = vg.Points(0.5)
		a.Tick.LineStyle.Width = vg.Points(0.5)
		a.Tick.Label.Font.Size = vg.Points(9)
		a.Label.TextStyle.Font.Size = vg.Points(10)
	}
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	return p
}

// finite reports whether x is neither NaN nor infinite.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
