package rose_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
)

// recSrc recurses at smaller sizes: det by expansion by minors, a
// mutual recursion, a recursion through its own gradient, and a size
// dispatch whose untaken arm could not be instantiated.
const recSrc = `
fn det<n>(a: [n][n]Real) -> Real {
    if n == 1 {
        a[0][0]
    } else {
        var d = 0.0
        var sign = 1.0
        for j in 0..n {
            let m: [n - 1][n - 1]Real = [for r in 1..n { [for k in 0..n - 1 { if k < j { a[r][k] } else { a[r][k + 1] } }] }]
            d += sign * a[0][j] * det(m)
            sign = -sign
        }
        d
    }
}

fn tail<n>(a: [n]Real) -> [n - 1]Real { [for i in 1..n { a[i] }] }

// sum of exp(a[i]) * (i + 1), through two functions.
fn ping<n>(a: [n]Real, k: Int) -> Real { if n == 0 { 0.0 } else { exp(a[0]) * real(k) + pong(tail(a), k + 1) } }
fn pong<n>(a: [n]Real, k: Int) -> Real { ping(a, k) }

// sq(a) is sum(a[i]^2); dsq sums its gradient, 2 sum(a[i]), over the
// tails of a: sum over i of 2 (i + 1) a[i].
fn sq<n>(a: [n]Real) -> Real { sum([for i in 0..n { a[i] * a[i] }]) }
fn dsq<n>(a: [n]Real) -> Real { if n == 0 { 0.0 } else { sum(grad(sq)(a)) + dsq(tail(a)) } }

fn tail3<n>(x: [n]Real) -> [n - 3]Real { [for i in 3..n { x[i] }] }
fn rest<n>(x: [n]Real) -> Real { if n >= 3 { sum(tail3(x)) } else { -1.0 } }
fn two(x: Real) -> Real { rest([x, x]) }
`

func TestRecursion(t *testing.T) {
	a := [][]float64{{2, -1, 0.5, 3}, {1, 4, -2, 0.25}, {0.5, 1.5, 3, -1}, {-2, 0.75, 1, 2}}
	ctx := context.Background()
	for _, eng := range []rose.Engine{rose.EngineEval, rose.EngineCompiled} {
		p := rose.Load("rec.rose", []byte(recSrc))
		if err := p.Err(); err != nil {
			t.Fatal(err)
		}
		p.Engine = eng
		call := func(name string, args ...value.Value) *rose.Func {
			t.Helper()
			f, err := p.Func(name, []byte(jsonOf(args)))
			if err != nil {
				t.Fatalf("%v: %s: %v", eng, name, err)
			}
			return f
		}
		// det against Gaussian elimination; its gradient, reverse against
		// forward mode and against the cofactors, det(a) (a^-1)^T.
		am := matrixValue(a)
		f := call("det", am)
		v, err := f.Call(ctx, []value.Value{am}, nil)
		if err != nil {
			t.Fatal(err)
		}
		want, inv := detInverse(a)
		if !relClose(v.Real(), want, 1e-12) {
			t.Errorf("%v: det = %v, elimination gives %v", eng, v.Real(), want)
		}
		rev, err := f.GradMode(ctx, []value.Value{am}, nil, rose.Reverse)
		if err != nil {
			t.Fatal(err)
		}
		fwd, err := f.GradMode(ctx, []value.Value{am}, nil, rose.Forward)
		if err != nil {
			t.Fatal(err)
		}
		for i := range a {
			for j := range a {
				r, fw := rev.Grad[0].Elem(i).Elem(j).Real(), fwd.Grad[0].Elem(i).Elem(j).Real()
				cof := want * inv[j][i]
				if !relClose(r, fw, 1e-12) || !relClose(r, cof, 1e-10) {
					t.Errorf("%v: d det/d a[%d][%d]: reverse %v, forward %v, cofactor %v", eng, i, j, r, fw, cof)
				}
			}
		}
		// Forward over reverse: jvp(grad(det)) along a direction u is the
		// derivative of the cofactors along u. Along a line they are
		// polynomials of degree n - 1 = 3, so central differences with
		// Richardson extrapolation give it exactly up to rounding.
		u := [][]float64{{1, 0, -1, 0.5}, {0, 2, 0, 0}, {0.25, 0, 1, -1}, {0, -0.5, 0, 1}}
		hv, err := p.FuncExpr("jvp(grad(det))", []byte(jsonOf([]value.Value{am, matrixValue(u)})))
		if err != nil {
			t.Fatalf("%v: jvp(grad(det)): %v", eng, err)
		}
		hvv, err := hv.Call(ctx, []value.Value{am, matrixValue(u)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		cofactors := func(s float64) [][]float64 {
			b := make([][]float64, len(a))
			for i := range a {
				b[i] = make([]float64, len(a))
				for j := range a {
					b[i][j] = a[i][j] + s*u[i][j]
				}
			}
			d, inv := detInverse(b)
			for i := range b {
				for j := range b {
					b[i][j] = d * inv[j][i]
				}
			}
			return b
		}
		central := func(i, j int, h float64) float64 {
			return (cofactors(h)[i][j] - cofactors(-h)[i][j]) / (2 * h)
		}
		for i := range a {
			for j := range a {
				got := hvv.Elem(1).Elem(i).Elem(j).Real()
				const h = 1e-2
				fd := (4*central(i, j, h/2) - central(i, j, h)) / 3
				if !relClose(got, fd, 1e-9) {
					t.Errorf("%v: jvp(grad(det))[%d][%d] = %v, differences of the cofactors %v", eng, i, j, got, fd)
				}
			}
		}
		// The mutual recursion and the recursion through a gradient.
		xs := []float64{0.3, -1.2, 0.8, 2.5, 0.1}
		x := realArray(xs)
		var wantPing, wantDsq float64
		for i, xi := range xs {
			wantPing += math.Exp(xi) * float64(i+1)
			wantDsq += 2 * float64(i+1) * xi
		}
		v, err = call("ping", x, value.Int(1)).Call(ctx, []value.Value{x, value.Int(1)}, nil)
		if err != nil || !relClose(v.Real(), wantPing, 1e-12) {
			t.Errorf("%v: ping = %v (%v), want %v", eng, v, err, wantPing)
		}
		g, err := call("ping", x, value.Int(1)).Grad(ctx, []value.Value{x, value.Int(1)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, xi := range xs {
			if got, w := g.Grad[0].Elem(i).Real(), math.Exp(xi)*float64(i+1); !relClose(got, w, 1e-12) {
				t.Errorf("%v: d ping/d a[%d] = %v, want %v", eng, i, got, w)
			}
		}
		ds := call("dsq", x)
		v, err = ds.Call(ctx, []value.Value{x}, nil)
		if err != nil || !relClose(v.Real(), wantDsq, 1e-12) {
			t.Errorf("%v: dsq = %v (%v), want %v", eng, v, err, wantDsq)
		}
		g, err = ds.Grad(ctx, []value.Value{x}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range xs {
			if got, w := g.Grad[0].Elem(i).Real(), 2*float64(i+1); !relClose(got, w, 1e-12) {
				t.Errorf("%v: d dsq/d a[%d] = %v, want %v", eng, i, got, w)
			}
		}
		// rest at n = 2 takes the else arm; its then arm would need tail3[2].
		v, err = call("two").Call(ctx, []value.Value{value.Real(1)}, nil)
		if err != nil || v.Real() != -1 {
			t.Errorf("%v: two(1) = %v (%v), want -1", eng, v, err)
		}
	}
}

// TestRecursionLimits checks the errors of an instantiation that goes past
// its base case, or nests too deep.
func TestRecursionLimits(t *testing.T) {
	src := `fn tail<n>(a: [n]Real) -> [n - 1]Real { [for i in 1..n { a[i] }] }
fn f<n>(a: [n]Real) -> Real { if n == 5 { 0.0 } else { a[0] + f(tail(a)) } }
fn g<n>(a: [n]Real) -> Real { if n == 0 { 0.0 } else { a[0] + g(tail(a)) } }
`
	p := rose.Load("lim.rose", []byte(src))
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	_, err := p.Func("f", []byte("[[1, 2, 3]]"))
	if err == nil || !strings.Contains(err.Error(), "lim.rose:2:63: error[instantiate]: f calls itself at size n - 1 = -1: the recursion went past its base case") {
		t.Errorf("f at n = 3: %v", err)
	}
	big := "[[" + strings.Repeat("1, ", 300) + "1]]"
	_, err = p.Func("g", []byte(big))
	if err == nil || !strings.Contains(err.Error(), "error[instantiate]: the recursion of g is more than 256 instances deep") {
		t.Errorf("g at n = 301: %v", err)
	}
	if _, err := p.Func("g", []byte("[[1, 2, 3]]")); err != nil {
		t.Errorf("g at n = 3 after a failure: %v", err)
	}
}

func matrixValue(a [][]float64) value.Value {
	rows := make([]value.Value, len(a))
	for i, r := range a {
		rows[i] = realArray(r)
	}
	return value.Array(rows...)
}

func realArray(xs []float64) value.Value {
	es := make([]value.Value, len(xs))
	for i, x := range xs {
		es[i] = value.Real(x)
	}
	return value.Array(es...)
}

func jsonOf(args []value.Value) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = a.String()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// detInverse is the determinant and the inverse of a, by Gauss-Jordan
// elimination with partial pivoting.
func detInverse(a [][]float64) (float64, [][]float64) {
	n := len(a)
	m := make([][]float64, n)
	inv := make([][]float64, n)
	for i := range a {
		m[i] = append([]float64(nil), a[i]...)
		inv[i] = make([]float64, n)
		inv[i][i] = 1
	}
	det := 1.0
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		if p != c {
			m[p], m[c] = m[c], m[p]
			inv[p], inv[c] = inv[c], inv[p]
			det = -det
		}
		det *= m[c][c]
		for r := 0; r < n; r++ {
			if r == c {
				continue
			}
			k := m[r][c] / m[c][c]
			for j := 0; j < n; j++ {
				m[r][j] -= k * m[c][j]
				inv[r][j] -= k * inv[c][j]
			}
		}
	}
	for r := 0; r < n; r++ {
		k := m[r][r]
		for j := 0; j < n; j++ {
			inv[r][j] /= k
		}
	}
	return det, inv
}
