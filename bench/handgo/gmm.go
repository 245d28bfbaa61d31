package handgo

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/rose-go/rose/ir/mathx"
)

// GMMInput is one ADBench GMM problem: k Gaussians in d dimensions, n
// points, and the Wishart prior's gamma and m. Means, ICF and X are flat,
// row by row: means[c*d+i], icf[c*(d(d+1)/2)+i], x[p*d+i]. A row of ICF
// holds the log of Q's diagonal (d entries) and then Q's strictly lower
// triangle column by column, as in ADBench and examples/gmm.rose.
type GMMInput struct {
	D, K, N int
	Alphas  []float64
	Means   []float64
	ICF     []float64
	X       []float64
	Gamma   float64
	M       int
}

// ReadGMM reads an ADBench GMM input file: "d k n", then k alphas, k
// means, k icf rows, n points, and "gamma m", one row per line.
func ReadGMM(path string) (*GMMInput, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f := strings.Fields(string(data))
	pos := 0
	next := func() (float64, error) {
		if pos >= len(f) {
			return 0, fmt.Errorf("%s: ends early", path)
		}
		pos++
		return strconv.ParseFloat(f[pos-1], 64)
	}
	read := func(n int) ([]float64, error) {
		out := make([]float64, n)
		for i := range out {
			x, err := next()
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	}
	head, err := read(3)
	if err != nil {
		return nil, err
	}
	in := &GMMInput{D: int(head[0]), K: int(head[1]), N: int(head[2])}
	d, k := in.D, in.K
	if in.Alphas, err = read(k); err != nil {
		return nil, err
	}
	if in.Means, err = read(k * d); err != nil {
		return nil, err
	}
	if in.ICF, err = read(k * d * (d + 1) / 2); err != nil {
		return nil, err
	}
	if in.X, err = read(in.N * d); err != nil {
		return nil, err
	}
	last, err := read(2)
	if err != nil {
		return nil, err
	}
	if pos != len(f) {
		return nil, fmt.Errorf("%s: %d numbers left over", path, len(f)-pos)
	}
	in.Gamma, in.M = last[0], int(last[1])
	return in, nil
}

// ArgsJSON is the argument list of examples/gmm.rose's gmm for in.
func (in *GMMInput) ArgsJSON() []byte {
	rows := func(xs []float64, w int) [][]float64 {
		var out [][]float64
		for i := 0; i < len(xs); i += w {
			out = append(out, xs[i:i+w])
		}
		return out
	}
	td := in.D * (in.D + 1) / 2
	out, err := json.Marshal([]any{in.Alphas, rows(in.Means, in.D), rows(in.ICF, td), rows(in.X, in.D), in.Gamma, in.M})
	if err != nil {
		panic(err)
	}
	return out
}

// GMM evaluates examples/gmm.rose's objective with its gradient by alphas,
// means and icf. Its buffers are reused from call to call.
type GMM struct {
	in       *GMMInput
	qdiag    []float64 // exp of each component's log-diagonal
	sumQs    []float64
	xc, q    []float64 // per component: x - mean, Q (x - mean)
	main, wt []float64
	dxc, gq  []float64
}

// NewGMM prepares the objective for in.
func NewGMM(in *GMMInput) *GMM {
	d, k := in.D, in.K
	return &GMM{in: in, qdiag: make([]float64, k*d), sumQs: make([]float64, k),
		xc: make([]float64, k*d), q: make([]float64, k*d), main: make([]float64, k), wt: make([]float64, k),
		dxc: make([]float64, d), gq: make([]float64, d)}
}

// tri is where entry (j, i), i < j, of the lower triangle is in a row of icf.
func tri(d, i, j int) int { return d + i*(d-1) - i*(i-1)/2 + (j - i - 1) }

// logsumexp is log(sum(exp(v))) shifted by the maximum, as gmm.rose
// computes it; it also returns the maximum and the sum of the shifted
// exponentials.
func logsumexp(v []float64) (lse, m, s float64) {
	m = v[0]
	for _, x := range v[1:] {
		m = math.Max(m, x)
	}
	for _, x := range v {
		s += mathx.Exp(x - m)
	}
	return m + mathx.Log(s), m, s
}

// mains fills g.xc, g.q and g.main for point p.
func (g *GMM) mains(p int) {
	in := g.in
	d, td := in.D, in.D*(in.D+1)/2
	x := in.X[p*d : p*d+d]
	for c := 0; c < in.K; c++ {
		icf := in.ICF[c*td : c*td+td]
		xc := g.xc[c*d : c*d+d]
		q := g.q[c*d : c*d+d]
		for i := range xc {
			xc[i] = x[i] - in.Means[c*d+i]
		}
		for j := 0; j < d; j++ {
			s := float64(g.qdiag[c*d+j] * xc[j])
			for i := 0; i < j; i++ {
				s += float64(icf[tri(d, i, j)] * xc[i])
			}
			q[j] = s
		}
		dot := 0.0
		for _, v := range q {
			dot += float64(v * v)
		}
		g.main[c] = in.Alphas[c] + g.sumQs[c] - float64(0.5*dot)
	}
}

// prepare computes the per-component constants.
func (g *GMM) prepare() {
	in := g.in
	d, td := in.D, in.D*(in.D+1)/2
	for c := 0; c < in.K; c++ {
		s := 0.0
		for i := 0; i < d; i++ {
			l := in.ICF[c*td+i]
			g.qdiag[c*d+i] = mathx.Exp(l)
			s += l
		}
		g.sumQs[c] = s
	}
}

// prior is the log of the Wishart prior, as gmm.rose's prior computes it.
func (g *GMM) prior() float64 {
	in := g.in
	d, k, td := in.D, in.K, in.D*(in.D+1)/2
	nn := d + in.M + 1
	out := 0.0
	for c := 0; c < k; c++ {
		fro := 0.0
		for i := 0; i < d; i++ {
			q := g.qdiag[c*d+i]
			fro += float64(q * q)
		}
		for i := d; i < td; i++ {
			l := in.ICF[c*td+i]
			fro += float64(l * l)
		}
		out += float64(0.5*in.Gamma*in.Gamma*fro) - float64(float64(in.M)*g.sumQs[c])
	}
	lg := 0.25 * float64(d*(d-1)) * mathx.Log(math.Pi)
	for j := 1; j <= d; j++ {
		v := mathx.Lgamma(0.5*float64(nn) + 0.5*float64(1-j))
		lg += v
	}
	c0 := float64(float64(nn*d)*(mathx.Log(in.Gamma)-0.5*mathx.Log(2))) - lg
	return out - float64(float64(k)*c0)
}

// Value is the objective.
func (g *GMM) Value() float64 {
	in := g.in
	g.prepare()
	slse := 0.0
	for p := 0; p < in.N; p++ {
		g.mains(p)
		lse, _, _ := logsumexp(g.main)
		slse += lse
	}
	constant := -float64(in.N*in.D) * 0.5 * mathx.Log(2*math.Pi)
	lseA, _, _ := logsumexp(in.Alphas)
	return constant + slse - float64(float64(in.N)*lseA) + g.prior()
}

// Grad returns the objective and writes its gradient into grad, laid out
// as ADBench's: alphas (k), means (k*d), icf (k*d(d+1)/2).
func (g *GMM) Grad(grad []float64) float64 {
	in := g.in
	d, k, td := in.D, in.K, in.D*(in.D+1)/2
	ga := grad[:k]
	gm := grad[k : k+k*d]
	gi := grad[k+k*d : k+k*d+k*td]
	clear(grad)
	g.prepare()
	slse := 0.0
	for p := 0; p < in.N; p++ {
		g.mains(p)
		lse, m, s := logsumexp(g.main)
		slse += lse
		inv := 1 / s
		for c := 0; c < k; c++ {
			// main[c]'s share of the log-sum-exp.
			w := mathx.Exp(g.main[c]-m) * inv
			ga[c] += w
			icf := in.ICF[c*td : c*td+td]
			gic := gi[c*td : c*td+td]
			xc := g.xc[c*d : c*d+d]
			q := g.q[c*d : c*d+d]
			clear(g.dxc)
			for j := 0; j < d; j++ {
				gic[j] += w // sum_qs
				gq := -w * q[j]
				e := g.qdiag[c*d+j]
				gic[j] += float64(gq*e) * xc[j]
				g.dxc[j] += gq * e
				for i := 0; i < j; i++ {
					t := tri(d, i, j)
					gic[t] += gq * xc[i]
					g.dxc[i] += gq * icf[t]
				}
			}
			for i := 0; i < d; i++ {
				gm[c*d+i] -= g.dxc[i]
			}
		}
	}
	constant := -float64(in.N*in.D) * 0.5 * mathx.Log(2*math.Pi)
	lseA, mA, sA := logsumexp(in.Alphas)
	for c := 0; c < k; c++ {
		ga[c] -= float64(in.N) * (mathx.Exp(in.Alphas[c]-mA) / sA)
	}
	g2 := in.Gamma * in.Gamma
	for c := 0; c < k; c++ {
		for i := 0; i < d; i++ {
			q := g.qdiag[c*d+i]
			gi[c*td+i] += g2*float64(q*q) - float64(in.M)
		}
		for i := d; i < td; i++ {
			gi[c*td+i] += g2 * in.ICF[c*td+i]
		}
	}
	return constant + slse - float64(float64(in.N)*lseA) + g.prior()
}
