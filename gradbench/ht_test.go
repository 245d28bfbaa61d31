package gradbench

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/rose-go/rose"
)

// htParents is the real hand's bone tree: the wrist, five fingers of four
// bones, the forearm.
var htParents = []int64{-1, 0, 1, 2, 3, 0, 5, 6, 7, 0, 9, 10, 11, 0, 13, 14, 15, 0, 17, 18, 19, 0}

// htTestInput is a small random hand: the real bone tree, v vertices, t
// triangles, n points; with us when complicated.
func htTestInput(seed htlRng, v, t, n int, complicated, mirrored bool) *htInput {
	r := &seed
	var x htInput
	x.Theta = make([]float64, 26)
	for i := range x.Theta {
		x.Theta[i] = r.between(-1.5, 1.5)
	}
	m := &x.Data.Model
	b := len(htParents)
	m.Parents = htParents
	rigid := func(scale float64) [4][4]float64 {
		rot := htRefEuler([3]float64{r.between(-3, 3), r.between(-3, 3), r.between(-3, 3)})
		var a [4][4]float64
		for i := 0; i < 3; i++ {
			for j := 0; j < 3; j++ {
				a[i][j] = rot[i][j] * r.between(0.8, 1.2)
			}
			a[i][3] = r.between(-scale, scale)
		}
		a[3][3] = 1
		return a
	}
	m.BaseRelatives = make([][4][4]float64, b)
	m.InverseBaseAbsolutes = make([][4][4]float64, b)
	for i := 0; i < b; i++ {
		m.BaseRelatives[i] = rigid(0.3)
		m.InverseBaseAbsolutes[i] = rigid(0.5)
	}
	m.BasePositions = make([][4]float64, v)
	m.Weights = make([][]float64, v)
	for i := 0; i < v; i++ {
		m.BasePositions[i] = [4]float64{r.between(-1, 1), r.between(-1, 1), r.between(-1, 1), 1}
		m.Weights[i] = make([]float64, b)
		for k := 0; k < 1+i%4; k++ { // one to four bones, as in the real model
			m.Weights[i][r.intn(b)] += r.between(0.1, 1)
		}
	}
	m.Triangles = make([][3]int64, t)
	for i := range m.Triangles {
		m.Triangles[i] = [3]int64{int64(r.intn(v)), int64(r.intn(v)), int64(r.intn(v))}
	}
	m.IsMirrored = mirrored
	d := &x.Data
	d.Correspondences = make([]int64, n)
	d.Points = make([][3]float64, n)
	for i := 0; i < n; i++ {
		if complicated {
			d.Correspondences[i] = int64(r.intn(t))
		} else {
			d.Correspondences[i] = int64(r.intn(v))
		}
		d.Points[i] = [3]float64{r.between(-2, 2), r.between(-2, 2), r.between(-2, 2)}
	}
	if complicated {
		x.Us = make([][2]float64, n)
		for i := range x.Us {
			x.Us[i] = [2]float64{r.between(0, 0.6), r.between(0, 0.4)}
		}
	} else {
		x.Us = [][2]float64{} // the eval sends [] for the simple variant
	}
	return &x
}

// The reference objective: a direct transcription of ADBench's hand
// model (dense skinning over every bone, matrices as nested arrays).

func htRefMul(a, b [4][4]float64) [4][4]float64 {
	var c [4][4]float64
	for i := 0; i < 4; i++ {
		for j := 0; j < 4; j++ {
			for k := 0; k < 4; k++ {
				c[i][j] += a[i][k] * b[k][j]
			}
		}
	}
	return c
}

// htRefEuler is Rz Ry Rx for the angles (x, z, y).
func htRefEuler(a [3]float64) [3][3]float64 {
	tx, ty, tz := a[0], a[2], a[1]
	rx := [3][3]float64{{1, 0, 0}, {0, math.Cos(tx), -math.Sin(tx)}, {0, math.Sin(tx), math.Cos(tx)}}
	ry := [3][3]float64{{math.Cos(ty), 0, math.Sin(ty)}, {0, 1, 0}, {-math.Sin(ty), 0, math.Cos(ty)}}
	rz := [3][3]float64{{math.Cos(tz), -math.Sin(tz), 0}, {math.Sin(tz), math.Cos(tz), 0}, {0, 0, 1}}
	mul := func(a, b [3][3]float64) (c [3][3]float64) {
		for i := 0; i < 3; i++ {
			for j := 0; j < 3; j++ {
				for k := 0; k < 3; k++ {
					c[i][j] += a[i][k] * b[k][j]
				}
			}
		}
		return c
	}
	return mul(mul(rz, ry), rx)
}

func htRefAngleAxis(aa [3]float64) [3][3]float64 {
	n := math.Sqrt(aa[0]*aa[0] + aa[1]*aa[1] + aa[2]*aa[2])
	if n < 0.0001 {
		return [3][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
	}
	x, y, z := aa[0]/n, aa[1]/n, aa[2]/n
	s, c := math.Sin(n), math.Cos(n)
	return [3][3]float64{
		{x*x + (1-x*x)*c, x*y*(1-c) - z*s, x*z*(1-c) + y*s},
		{x*y*(1-c) + z*s, y*y + (1-y*y)*c, y*z*(1-c) - x*s},
		{x*z*(1-c) - y*s, z*y*(1-c) + x*s, z*z + (1-z*z)*c},
	}
}

func htRefObjective(x *htInput) []float64 {
	m := &x.Data.Model
	b := len(m.Parents)
	pose := make([][3]float64, b+3)
	copy(pose[0][:], x.Theta[0:3])
	pose[1] = [3]float64{1, 1, 1}
	copy(pose[2][:], x.Theta[3:6])
	it, ip := 6, 5
	for f := 0; f < 5; f++ {
		for i := 2; i <= 4; i++ {
			pose[ip][0] = x.Theta[it]
			it++
			if i == 2 {
				pose[ip][1] = x.Theta[it]
				it++
			}
			ip++
		}
		ip++
	}
	abs := make([][4][4]float64, b)
	transforms := make([][4][4]float64, b)
	for i := 0; i < b; i++ {
		rot := htRefEuler(pose[i+3])
		var tr [4][4]float64
		for r := 0; r < 3; r++ {
			copy(tr[r][:3], rot[r][:])
		}
		tr[3][3] = 1
		rel := htRefMul(m.BaseRelatives[i], tr)
		if m.Parents[i] < 0 {
			abs[i] = rel
		} else {
			abs[i] = htRefMul(abs[m.Parents[i]], rel)
		}
		transforms[i] = htRefMul(abs[i], m.InverseBaseAbsolutes[i])
	}
	rg := htRefAngleAxis(pose[0])
	pos := make([][3]float64, len(m.BasePositions))
	for v, bp := range m.BasePositions {
		var p [3]float64
		for k := 0; k < b; k++ {
			for r := 0; r < 3; r++ {
				var s float64
				for c := 0; c < 4; c++ {
					s += transforms[k][r][c] * bp[c]
				}
				p[r] += s * m.Weights[v][k]
			}
		}
		if m.IsMirrored {
			p[0] = -p[0]
		}
		for r := 0; r < 3; r++ {
			pos[v][r] = rg[r][0]*pose[1][0]*p[0] + rg[r][1]*pose[1][1]*p[1] + rg[r][2]*pose[1][2]*p[2] + pose[2][r]
		}
	}
	d := &x.Data
	err := make([]float64, 3*len(d.Points))
	for i, c := range d.Correspondences {
		for j := 0; j < 3; j++ {
			if len(x.Us) == 0 {
				err[3*i+j] = d.Points[i][j] - pos[c][j]
				continue
			}
			tri, u := m.Triangles[c], x.Us[i]
			err[3*i+j] = d.Points[i][j] - (u[0]*pos[tri[0]][j] + u[1]*pos[tri[1]][j] + (1-u[0]-u[1])*pos[tri[2]][j])
		}
	}
	return err
}

// TestHTObjective compares the objective with the reference on both
// variants, mirrored or not, with more and with fewer reads of vertices
// than vertices.
func TestHTObjective(t *testing.T) {
	for _, size := range [][3]int{{12, 10, 6}, {40, 10, 4}} {
		for _, complicated := range []bool{false, true} {
			for _, mirrored := range []bool{false, true} {
				x := htTestInput(htlRng(7), size[0], size[1], size[2], complicated, mirrored)
				var got []float64
				htlMustEvaluate(t, "ht", "objective", x, &got)
				want := htRefObjective(x)
				if len(got) != len(want) {
					t.Fatalf("complicated %v: %d residuals, want %d", complicated, len(got), len(want))
				}
				for i := range want {
					if e := htlRelErr(got[i], want[i]); e > 1e-12 {
						t.Errorf("%v complicated %v mirrored %v: residual %d = %v, want %v", size, complicated, mirrored, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestHTJacobian checks the Jacobians of both variants against reverse
// mode (a vjp of the objective per row) and against extrapolated central
// differences of the objective.
func TestHTJacobian(t *testing.T) {
	for _, complicated := range []bool{false, true} {
		x := htTestInput(htlRng(11), 12, 10, 6, complicated, complicated)
		var jac [][]float64
		htlMustEvaluate(t, "ht", "jacobian", x, &jac)
		nu := 0
		if complicated {
			nu = 2
		}
		rows := 3 * len(x.Data.Points)
		if len(jac) != rows {
			t.Fatalf("complicated %v: %d rows, want %d", complicated, len(jac), rows)
		}
		for _, row := range jac {
			if len(row) != nu+26 {
				t.Fatalf("complicated %v: a row of %d columns, want %d", complicated, len(row), nu+26)
			}
		}

		// Reverse mode: row r is the cotangent of theta (and of us) for the
		// cotangent e_r of the residuals.
		suffix, args := htArgs(x)
		vjp := htlFunc(t, "ht", "vjp(objective"+suffix+")", args...)
		for r := 0; r < rows; r++ {
			ct := make([]float64, rows)
			ct[r] = 1
			var parts []json.RawMessage
			htlCall(t, vjp, &parts, append(args, ct)...)
			var dtheta []float64
			if err := json.Unmarshal(parts[1], &dtheta); err != nil {
				t.Fatal(err)
			}
			want := dtheta
			if complicated {
				var dus [][2]float64
				if err := json.Unmarshal(parts[2], &dus); err != nil {
					t.Fatal(err)
				}
				want = append([]float64{dus[r/3][0], dus[r/3][1]}, dtheta...)
				// The compressed columns: only the row's own point has us
				// derivatives.
				for i, du := range dus {
					if i != r/3 && (du[0] != 0 || du[1] != 0) {
						t.Errorf("row %d depends on the us of point %d", r, i)
					}
				}
			}
			for k := range want {
				if e := htlRelErr(jac[r][k], want[k]); e > 1e-10 {
					t.Errorf("complicated %v: J[%d][%d] = %v, reverse mode %v", complicated, r, k, jac[r][k], want[k])
				}
			}
		}

		// Central differences of the objective, by each theta and each
		// point's us (all points' at once: a residual depends only on its
		// own point's), extrapolated. Each evaluation gives every row.
		objective := htlFunc(t, "ht", "objective"+suffix, args...)
		column := func(perturb func(y *htInput, d float64)) []float64 {
			at := func(d float64) []float64 {
				y := *x
				y.Theta = append([]float64(nil), x.Theta...)
				y.Us = append([][2]float64(nil), x.Us...)
				perturb(&y, d)
				_, yargs := htArgs(&y)
				var res []float64
				htlCall(t, objective, &res, yargs...)
				return res
			}
			h := 1e-3
			p1, m1, p2, m2 := at(h), at(-h), at(h/2), at(-h/2)
			out := make([]float64, rows)
			for r := range out {
				d1 := (p1[r] - m1[r]) / (2 * h)
				d2 := (p2[r] - m2[r]) / h
				out[r] = (4*d2 - d1) / 3
			}
			return out
		}
		for k := 0; k < 26; k++ {
			fd := column(func(y *htInput, d float64) { y.Theta[k] += d })
			for r := 0; r < rows; r++ {
				if e := htlRelErr(jac[r][nu+k], fd[r]); e > 1e-8 {
					t.Errorf("complicated %v: J[%d][theta %d] = %v, central differences %v", complicated, r, k, jac[r][nu+k], fd[r])
				}
			}
		}
		if complicated {
			for k := 0; k < 2; k++ {
				fd := column(func(y *htInput, d float64) {
					for i := range y.Us {
						y.Us[i][k] += d
					}
				})
				for r := 0; r < rows; r++ {
					if e := htlRelErr(jac[r][k], fd[r]); e > 1e-8 {
						t.Errorf("J[%d][u%d] = %v, central differences %v", r, k, jac[r][k], fd[r])
					}
				}
			}
		}
	}
}

// TestHTBadInput: inputs of the wrong shape are errors, not panics.
func TestHTBadInput(t *testing.T) {
	good := func() *htInput { return htTestInput(htlRng(3), 12, 10, 6, true, false) }
	cases := map[string]func() any{
		"short theta": func() any { x := good(); x.Theta = x.Theta[:25]; return x },
		"ragged weights": func() any {
			x := good()
			x.Data.Model.Weights[3] = x.Data.Model.Weights[3][:5]
			return x
		},
		"parents": func() any { x := good(); x.Data.Model.Parents = x.Data.Model.Parents[:4]; return x },
		"us":      func() any { x := good(); x.Us = x.Us[:2]; return x },
		"points":  func() any { x := good(); x.Data.Points = x.Data.Points[:2]; return x },
		"correspondence out of range": func() any {
			x := good()
			x.Data.Correspondences[2] = 999
			return x
		},
		"vertex out of range": func() any {
			x := good()
			x.Data.Correspondences[0] = 0
			x.Data.Model.Triangles[0][1] = -1
			return x
		},
		"not an object": func() any { return []int{1, 2} },
		"a string":      func() any { return map[string]any{"theta": "x"} },
		"empty":         func() any { return map[string]any{} },
	}
	for name, input := range cases {
		for _, fn := range []string{"objective", "jacobian"} {
			if out, err := evaluate(t, rose.EngineAuto, "ht", fn, input()); err == nil {
				t.Errorf("%s %s: no error, output %.100s", name, fn, out)
			} else if strings.Contains(err.Error(), "internal error") {
				t.Errorf("%s %s: %v", name, fn, err)
			}
		}
	}
}
