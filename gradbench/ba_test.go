package gradbench

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand"
	"testing"

	"github.com/rose-go/rose"
	"github.com/rose-go/rose/value"
)

// baReproj is the reprojection error of ba.hpp computed directly in Go.
func baReproj(cam, x []float64, w float64, feat []float64) [2]float64 {
	rot := cam[0:3]
	xo := [3]float64{x[0] - cam[3], x[1] - cam[4], x[2] - cam[5]}
	cross := func(a []float64, b [3]float64) [3]float64 {
		return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
	}
	var xc [3]float64
	sq := rot[0]*rot[0] + rot[1]*rot[1] + rot[2]*rot[2]
	if sq != 0 {
		theta := math.Sqrt(sq)
		c, s := math.Cos(theta), math.Sin(theta)
		wv := []float64{rot[0] / theta, rot[1] / theta, rot[2] / theta}
		wx := cross(wv, xo)
		tmp := (wv[0]*xo[0] + wv[1]*xo[1] + wv[2]*xo[2]) * (1 - c)
		for i := range xc {
			xc[i] = xo[i]*c + wx[i]*s + wv[i]*tmp
		}
	} else {
		rx := cross(rot, xo)
		for i := range xc {
			xc[i] = xo[i] + rx[i]
		}
	}
	p0, p1 := xc[0]/xc[2], xc[1]/xc[2]
	rsq := p0*p0 + p1*p1
	l := 1 + cam[9]*rsq + cam[10]*rsq*rsq
	return [2]float64{w * (p0*l*cam[6] + cam[7] - feat[0]), w * (p1*l*cam[6] + cam[8] - feat[1])}
}

// baCamera is a camera near those of the ADBench files.
func baCamera(rng *rand.Rand) []float64 {
	u := func(lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }
	return []float64{u(-1, 1), u(-1, 1), u(-1, 1), u(-5, 5), u(-5, 5), u(-5, 5), u(300, 500), u(-10, 10), u(-10, 10), u(-0.1, 0.1), u(-0.01, 0.01)}
}

// baPoint is a point in front of the cameras.
func baPoint(rng *rand.Rand) []float64 {
	return []float64{10 * rng.NormFloat64(), 10 * rng.NormFloat64(), 30 + 10*rng.Float64()}
}

// TestBAFunctions checks the Rose objective and jacobian on data with
// distinct cameras, points, weights and features (which the eval's input
// never has): the errors against the direct computation, the blocks
// against Richardson-extrapolated central differences of it, on both
// engines, including a camera with no rotation.
func TestBAFunctions(t *testing.T) {
	rng := rand.New(rand.NewSource(31337))
	const n, m, p = 3, 4, 9
	var cams, pts, feats [][]float64
	var w []float64
	for i := 0; i < n; i++ {
		cams = append(cams, baCamera(rng))
	}
	cams[1][0], cams[1][1], cams[1][2] = 0, 0, 0
	for i := 0; i < m; i++ {
		pts = append(pts, baPoint(rng))
	}
	for i := 0; i < p; i++ {
		w = append(w, 0.2+rng.Float64())
		feats = append(feats, []float64{100 * rng.NormFloat64(), 100 * rng.NormFloat64()})
	}
	argsJSON, err := json.Marshal([]any{cams, pts, w, feats})
	if err != nil {
		t.Fatal(err)
	}
	for _, eng := range []rose.Engine{rose.EngineEval, rose.EngineCompiled} {
		call := func(name string) value.Value {
			f, err := program(t, "ba", eng).FuncExpr(name, argsJSON)
			if err != nil {
				t.Fatal(err)
			}
			args, err := value.DecodeArgs(f.Params(), argsJSON)
			if err != nil {
				t.Fatal(err)
			}
			v, err := f.Call(context.Background(), args, nil)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		obj, jac := call("objective"), call("jacobian")
		for i := 0; i < p; i++ {
			cam, x := cams[i%n], pts[i%m]
			want := baReproj(cam, x, w[i], feats[i])
			for r := 0; r < 2; r++ {
				if got := obj.Elem(0).Elem(r).Elem(i).Real(); !gmmClose(got, want[r]) {
					t.Errorf("%v: observation %d: reprojection error %d is %.17g, want %.17g", eng, i, r, got, want[r])
				}
			}
			if got, want := obj.Elem(1).Elem(i).Real(), 1-w[i]*w[i]; !gmmClose(got, want) {
				t.Errorf("%v: observation %d: weight error %.17g, want %.17g", eng, i, got, want)
			}
			if got, want := jac.Elem(1).Elem(i).Real(), -2*w[i]; !gmmClose(got, want) {
				t.Errorf("%v: observation %d: weight error's derivative %.17g, want %.17g", eng, i, got, want)
			}
			// The 15 columns: the camera, the point, the weight.
			params := make([]*float64, 0, 15)
			c2, x2, w2 := append([]float64(nil), cam...), append([]float64(nil), x...), w[i]
			for k := range c2 {
				params = append(params, &c2[k])
			}
			for k := range x2 {
				params = append(params, &x2[k])
			}
			params = append(params, &w2)
			for col, ptr := range params {
				x0 := *ptr
				h := 1e-4 * math.Max(1, math.Abs(x0))
				for r := 0; r < 2; r++ {
					want := gmmRichardson(func(d float64) float64 {
						*ptr = x0 + d
						defer func() { *ptr = x0 }()
						return baReproj(c2, x2, w2, feats[i])[r]
					}, h)
					got := jac.Elem(0).Elem(i).Elem(r).Elem(col).Real()
					if math.Abs(got-want) > 1e-8*math.Max(1, math.Abs(want)) {
						t.Errorf("%v: observation %d: d err %d / d column %d is %.17g, differences give %.17g", eng, i, r, col, got, want)
					}
				}
			}
		}
	}
}

// TestBAModule checks the module's outputs against manual's layout, built
// here from the reprojection error and its differences.
func TestBAModule(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	in := baInput{N: 3, M: 5, P: 23, Cam: baCamera(rng), X: baPoint(rng), W: 0.7, Feat: []float64{120, -40}}
	for _, eng := range []rose.Engine{rose.EngineEval, rose.EngineCompiled} {
		out, err := evaluate(t, eng, "ba", "objective", in)
		if err != nil {
			t.Fatal(err)
		}
		var obj struct {
			Reproj struct {
				Elements []float64 `json:"elements"`
				Repeated int       `json:"repeated"`
			} `json:"reproj_error"`
			WErr struct {
				Element  float64 `json:"element"`
				Repeated int     `json:"repeated"`
			} `json:"w_err"`
		}
		if err := json.Unmarshal(out, &obj); err != nil {
			t.Fatal(err)
		}
		want := baReproj(in.Cam, in.X, in.W, in.Feat)
		if len(obj.Reproj.Elements) != 2 || !gmmClose(obj.Reproj.Elements[0], want[0]) || !gmmClose(obj.Reproj.Elements[1], want[1]) ||
			obj.Reproj.Repeated != in.P || !gmmClose(obj.WErr.Element, 1-in.W*in.W) || obj.WErr.Repeated != in.P {
			t.Errorf("%v: objective %s, want the errors %v and %v, each %d times", eng, out, want, 1-in.W*in.W, in.P)
		}

		out, err = evaluate(t, eng, "ba", "jacobian", in)
		if err != nil {
			t.Fatal(err)
		}
		var jac struct {
			Rows []int     `json:"rows"`
			Cols []int     `json:"cols"`
			Vals []float64 `json:"vals"`
		}
		if err := json.Unmarshal(out, &jac); err != nil {
			t.Fatal(err)
		}
		if len(jac.Rows) != 31 || len(jac.Cols) != 31 || len(jac.Vals) != 31 {
			t.Fatalf("%v: jacobian %s: want 31 rows, cols and vals", eng, out)
		}
		// Rows 0..29 of the 3p + 1 row pointers are 15 apart; the last is
		// the number of entries, 30 per observation and one per weight.
		for i := 0; i < 30; i++ {
			if jac.Rows[i] != 15*i {
				t.Errorf("%v: rows[%d] = %d, want %d", eng, i, jac.Rows[i], 15*i)
			}
		}
		if want := 31 * in.P; jac.Rows[30] != want || jac.Cols[30] != 11*in.N+3*in.M+in.P-1 {
			t.Errorf("%v: last row pointer %d and column %d, want %d and %d", eng, jac.Rows[30], jac.Cols[30], want, 11*in.N+3*in.M+in.P-1)
		}
		if !gmmClose(jac.Vals[30], -2*in.W) {
			t.Errorf("%v: last value %v, want %v", eng, jac.Vals[30], -2*in.W)
		}
		// The first 30 entries are observation 0's two rows: camera 0,
		// point 0 and weight 0.
		params := append(append(append([]float64(nil), in.Cam...), in.X...), in.W)
		for e := 0; e < 30; e++ {
			r, col := e/15, e%15
			wantCol := col
			if col >= 11 && col < 14 {
				wantCol = 11*in.N + (col - 11)
			} else if col == 14 {
				wantCol = 11*in.N + 3*in.M
			}
			if jac.Cols[e] != wantCol {
				t.Errorf("%v: cols[%d] = %d, want %d", eng, e, jac.Cols[e], wantCol)
			}
			x0 := params[col]
			want := gmmRichardson(func(d float64) float64 {
				ps := append([]float64(nil), params...)
				ps[col] = x0 + d
				return baReproj(ps[:11], ps[11:14], ps[14], in.Feat)[r]
			}, 1e-4*math.Max(1, math.Abs(x0)))
			if math.Abs(jac.Vals[e]-want) > 1e-8*math.Max(1, math.Abs(want)) {
				t.Errorf("%v: vals[%d] = %.17g, differences give %.17g", eng, e, jac.Vals[e], want)
			}
		}
	}
}

// TestBARejects checks that inputs of the wrong shape are errors.
func TestBARejects(t *testing.T) {
	good := func() baInput {
		return baInput{N: 2, M: 3, P: 4, Cam: make([]float64, 11), X: []float64{1, 2, 3}, W: 1, Feat: []float64{1, 2}}
	}
	bad := map[string]func(b *baInput){
		"cam too short":  func(b *baInput) { b.Cam = b.Cam[1:] },
		"x too long":     func(b *baInput) { b.X = append(b.X, 4) },
		"feat too short": func(b *baInput) { b.Feat = b.Feat[:1] },
		"no cameras":     func(b *baInput) { b.N = 0 },
		"no points":      func(b *baInput) { b.M = -1 },
		"no observation": func(b *baInput) { b.P = 0 },
	}
	for name, spoil := range bad {
		for _, fn := range []string{"objective", "jacobian"} {
			b := good()
			spoil(&b)
			_, err := evaluate(t, rose.EngineEval, "ba", fn, b)
			if err == nil {
				t.Errorf("%s: %s accepted it", name, fn)
			} else if !errors.Is(err, errInput) {
				t.Errorf("%s: %s: error %v is not an input error", name, fn, err)
			}
		}
	}
	for _, in := range []string{`{"n": 1, "m": 1, "p": 1, "cam": 3}`, `"ba"`, `null`} {
		if _, err := modules["ba"].funcs["jacobian"](program(t, "ba", rose.EngineEval), json.RawMessage(in)); err == nil {
			t.Errorf("input %s accepted", in)
		}
	}
}

// BenchmarkBA times the module's runs on ba1's sizes (the conversions of
// the arguments and results included, as the protocol times them).
func BenchmarkBA(b *testing.B) {
	in := baInput{N: 49, M: 7776, P: 31843,
		Cam:  []float64{-0.758453, -1.109613, -0.845551, 34.556073, 39.676747, 53.881673, 419.194514, 5.864426, -8.518870, 0.087812, 0.002739},
		X:    []float64{7.203245, 0.001144, 3.023326},
		W:    0.417022,
		Feat: []float64{271.760969, 834.209256}}
	raw, _ := json.Marshal(in)
	for _, fn := range []string{"objective", "jacobian"} {
		c, err := modules["ba"].funcs[fn](program(b, "ba", rose.EngineCompiled), raw)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fn, func(b *testing.B) {
			for b.Loop() {
				if err := c.run(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
