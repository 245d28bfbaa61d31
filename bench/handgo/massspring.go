package handgo

import (
	"encoding/json"
	"math"

	"github.com/rose-go/rose/ir/mathx"
)

// The mass-spring workload of examples/mass_spring.rose: robot "D", 26
// masses and 61 springs, driven for 1364 steps by a 116-32-61 tanh network.
const (
	Objects = 26
	Springs = 61
	Hidden  = 32
	Input   = nSin + 4*Objects + 2
	MSSteps = 1364
	nSin    = 10
	msDt    = 0.004
	ground  = 0.1
)

// The constants as the .rose program computes them, in float64.
var (
	omegaDt    = 10.0 * msDt
	fallY      = msDt * -4.8
	damp       = mathx.Exp(-msDt * 15.0)
	invObjects = 1.0 / float64(Objects)
	msGoal     = [2]float64{0.9, 0.2}
	twoPi      = 2.0 * math.Pi
)

// Robot is robot "D": where the masses start, which masses each spring
// joins, its rest length, stiffness and actuation.
type Robot struct {
	Start     [Objects][2]float64
	A, B      [Springs]int
	Rest      [Springs]float64
	Stiffness [Springs]float64
	Actuation [Springs]float64
}

// RobotD builds robot "D" as examples/mass_spring.rose's tables describe
// it: grid point (i, j) is a mass at (0.05 i + 0.1, 0.05 j + 0.1), numbered
// in order of first use; each square, in order, joins its two vertical
// edges (actuated 0.15 if the square is marked) and then its other corner
// pairs, skipping pairs already joined.
func RobotD() *Robot {
	squares := []struct {
		i, j     int
		actuated bool
	}{{2, 0, true}, {0, 0, true}, {0, 1, true}, {0, 2, false}, {1, 2, false}, {2, 1, true},
		{2, 2, false}, {2, 3, false}, {2, 4, false}, {3, 1, false}, {4, 0, true}, {4, 1, true}}
	r := &Robot{}
	ids := map[[2]int]int{}
	point := func(i, j int) int {
		if id, ok := ids[[2]int{i, j}]; ok {
			return id
		}
		id := len(ids)
		ids[[2]int{i, j}] = id
		r.Start[id] = [2]float64{0.05*float64(i) + 0.1, 0.05*float64(j) + 0.1}
		return id
	}
	joined := map[[2]int]bool{}
	n := 0
	join := func(a, b int, act float64) {
		if joined[[2]int{a, b}] || joined[[2]int{b, a}] {
			return
		}
		joined[[2]int{a, b}] = true
		dx, dy := r.Start[a][0]-r.Start[b][0], r.Start[a][1]-r.Start[b][1]
		r.A[n], r.B[n] = a, b
		r.Rest[n] = math.Sqrt(float64(dx*dx) + float64(dy*dy))
		r.Stiffness[n] = 3e4
		r.Actuation[n] = act
		n++
	}
	for _, sq := range squares {
		c := [4]int{point(sq.i, sq.j), point(sq.i, sq.j+1), point(sq.i+1, sq.j), point(sq.i+1, sq.j+1)}
		act := 0.0
		if sq.actuated {
			act = 0.15
		}
		join(c[0], c[1], act)
		join(c[2], c[3], act)
		for _, p := range [][2]int{{0, 2}, {0, 3}, {1, 2}, {1, 3}} {
			join(c[p[0]], c[p[1]], 0)
		}
	}
	if n != Springs || len(ids) != Objects {
		panic("robot D: wrong size")
	}
	return r
}

// Weights are the controller's: W1[h*Input+k], W2[s*Hidden+h], B1, B2.
type Weights struct {
	W1 []float64
	W2 []float64
	B1 []float64
	B2 []float64
}

// NewWeights returns zero weights.
func NewWeights() *Weights {
	return &Weights{make([]float64, Hidden*Input), make([]float64, Springs*Hidden), make([]float64, Hidden), make([]float64, Springs)}
}

// InitialWeights are the reference run's: xorshift32 from seed 42,
// w = (2 s/2^32 - 1) a, W1 row by row and then W2, biases zero.
func InitialWeights() *Weights {
	w := NewWeights()
	s := uint32(42)
	next := func() float64 {
		s ^= s << 13
		s ^= s >> 17
		s ^= s << 5
		return 2.0*(float64(s)/4294967296.0) - 1.0
	}
	a1 := math.Sqrt(3.0) * math.Sqrt(2.0/float64(Hidden+Input)) * 2.0
	a2 := math.Sqrt(3.0) * math.Sqrt(2.0/float64(Hidden+Springs)) * 3.0
	for i := range w.W1 {
		w.W1[i] = next() * a1
	}
	for i := range w.W2 {
		w.W2[i] = next() * a2
	}
	return w
}

// msState is the robot at one step.
type msState struct {
	X, V [Objects][2]float64
}

// MassSpring runs the robot. It keeps the states, hidden units and
// actuations of every step for the reverse pass; its buffers are reused
// from call to call.
type MassSpring struct {
	R      *Robot
	states []msState
	hidden [][Hidden]float64
	act    [][Springs]float64
}

// NewMassSpring prepares a run of robot r.
func NewMassSpring(r *Robot) *MassSpring { return &MassSpring{R: r} }

// center is the mean of the positions, summed from zero in object order.
func center(x *[Objects][2]float64) [2]float64 {
	var acc [2]float64
	for o := range x {
		acc[0] += x[o][0]
		acc[1] += x[o][1]
	}
	return [2]float64{invObjects * acc[0], invObjects * acc[1]}
}

// sines are the controller's ten clock inputs at step t.
func sines(t float64, out *[nSin]float64) {
	for k := range out {
		out[k] = mathx.Sin(float64(t*omegaDt) + twoPi*float64(k)/float64(nSin))
	}
}

// controller computes the hidden units and the actuations at step t.
func controller(t float64, s *msState, w *Weights, hidden *[Hidden]float64, act *[Springs]float64) {
	var sn [nSin]float64
	sines(t, &sn)
	c := center(&s.X)
	for h := 0; h < Hidden; h++ {
		wh := w.W1[h*Input : h*Input+Input]
		z := 0.0
		for k := 0; k < nSin; k++ {
			z += float64(wh[k] * sn[k])
		}
		for o := 0; o < Objects; o++ {
			b := nSin + 4*o
			z += float64(float64(wh[b]*(s.X[o][0]-c[0])) * 0.05)
			z += float64(float64(wh[b+1]*(s.X[o][1]-c[1])) * 0.05)
			z += float64(float64(wh[b+2]*s.V[o][0]) * 0.05)
			z += float64(float64(wh[b+3]*s.V[o][1]) * 0.05)
		}
		z += float64(wh[Input-2] * (msGoal[0] - c[0]))
		z += float64(wh[Input-1] * (msGoal[1] - c[1]))
		z += w.B1[h]
		hidden[h] = mathx.Tanh(z)
	}
	for sp := 0; sp < Springs; sp++ {
		ws := w.W2[sp*Hidden : sp*Hidden+Hidden]
		z := 0.0
		for h := 0; h < Hidden; h++ {
			z += float64(ws[h] * hidden[h])
		}
		act[sp] = mathx.Tanh(z + w.B2[sp])
	}
}

// springTerm is one spring's impulse factor: imp = q d.
type springTerm struct {
	d       [2]float64
	norm, l float64 // |d| and |d| + 1e-4
	rest, k float64 // actuated rest length and dt * stiffness
	q       float64 // k (l - rest) / l
}

func (r *Robot) spring(s int, x *[Objects][2]float64, act float64, st *springTerm) {
	a, b := r.A[s], r.B[s]
	st.d = [2]float64{x[a][0] - x[b][0], x[a][1] - x[b][1]}
	st.norm = math.Sqrt(float64(st.d[0]*st.d[0]) + float64(st.d[1]*st.d[1]))
	st.l = st.norm + 1e-4
	st.rest = r.Rest[s] * (1.0 + float64(act*r.Actuation[s]))
	st.k = msDt * r.Stiffness[s]
	st.q = float64(st.k*(st.l-st.rest)) / st.l
}

// advance moves s through one step under the actuations act into next.
func (r *Robot) advance(s *msState, act *[Springs]float64, next *msState) {
	var dv [Objects][2]float64
	var st springTerm
	for sp := 0; sp < Springs; sp++ {
		r.spring(sp, &s.X, act[sp], &st)
		a, b := r.A[sp], r.B[sp]
		for c := 0; c < 2; c++ {
			imp := st.q * st.d[c]
			dv[a][c] -= imp
			dv[b][c] += imp
		}
	}
	for o := 0; o < Objects; o++ {
		vel := [2]float64{float64(damp*s.V[o][0]) + 0.0 + dv[o][0], (float64(damp*s.V[o][1]) + fallY) + dv[o][1]}
		pos := s.X[o]
		hit := pos[1]+float64(msDt*vel[1]) < ground && vel[1] < -1e-4
		toi := 0.0
		after := vel
		if hit {
			toi = -(pos[1] - ground) / vel[1]
			after = [2]float64{}
		}
		next.V[o] = after
		for c := 0; c < 2; c++ {
			next.X[o][c] = (pos[c] + float64(toi*vel[c])) + float64((msDt-toi)*after[c])
		}
	}
}

func (m *MassSpring) alloc() {
	if m.states == nil {
		m.states = make([]msState, MSSteps+1)
		m.hidden = make([][Hidden]float64, MSSteps)
		m.act = make([][Springs]float64, MSSteps)
	}
}

func (m *MassSpring) start() *msState {
	s := &m.states[0]
	s.X = m.R.Start
	s.V = [Objects][2]float64{}
	return s
}

// Loss is examples/mass_spring.rose's loss: minus the head's final
// horizontal position.
func (m *MassSpring) Loss(w *Weights) float64 {
	m.alloc()
	cur, next := m.start(), &m.states[1]
	var hidden [Hidden]float64
	var act [Springs]float64
	for t := 0; t < MSSteps; t++ {
		controller(float64(t), cur, w, &hidden, &act)
		m.R.advance(cur, &act, next)
		cur, next = next, cur
	}
	return -cur.X[0][0]
}

// Grad returns the loss and writes its gradient by the weights into g.
func (m *MassSpring) Grad(w, g *Weights) float64 {
	m.alloc()
	m.start()
	for t := 0; t < MSSteps; t++ {
		controller(float64(t), &m.states[t], w, &m.hidden[t], &m.act[t])
		m.R.advance(&m.states[t], &m.act[t], &m.states[t+1])
	}
	loss := -m.states[MSSteps].X[0][0]
	for _, xs := range [][]float64{g.W1, g.W2, g.B1, g.B2} {
		clear(xs)
	}
	r := m.R
	var gs, gp msState // dL/d(state t+1), dL/d(state t)
	gs.X[0][0] = -1
	var st [Springs]springTerm
	var gdv [Objects][2]float64
	var gact [Springs]float64
	var gh [Hidden]float64
	var sn [nSin]float64
	for t := MSSteps - 1; t >= 0; t-- {
		s := &m.states[t]
		hidden, act := &m.hidden[t], &m.act[t]
		// The springs again, for dv and their own adjoints.
		var dv [Objects][2]float64
		for sp := 0; sp < Springs; sp++ {
			r.spring(sp, &s.X, act[sp], &st[sp])
			a, b := r.A[sp], r.B[sp]
			for c := 0; c < 2; c++ {
				imp := st[sp].q * st[sp].d[c]
				dv[a][c] -= imp
				dv[b][c] += imp
			}
		}
		// Integration.
		for o := 0; o < Objects; o++ {
			vel := [2]float64{float64(damp*s.V[o][0]) + 0.0 + dv[o][0], (float64(damp*s.V[o][1]) + fallY) + dv[o][1]}
			pos := s.X[o]
			gx, gv := gs.X[o], gs.V[o]
			var gvel [2]float64
			gp.X[o] = gx
			if pos[1]+float64(msDt*vel[1]) < ground && vel[1] < -1e-4 {
				toi := -(pos[1] - ground) / vel[1]
				gtoi := float64(gx[0]*vel[0]) + float64(gx[1]*vel[1])
				gvel = [2]float64{toi * gx[0], toi * gx[1]}
				gp.X[o][1] -= gtoi / vel[1]
				gvel[1] -= gtoi * toi / vel[1]
			} else {
				gvel = [2]float64{float64(msDt*gx[0]) + gv[0], float64(msDt*gx[1]) + gv[1]}
			}
			gp.V[o] = [2]float64{damp * gvel[0], damp * gvel[1]}
			gdv[o] = gvel
		}
		// Springs.
		for sp := Springs - 1; sp >= 0; sp-- {
			a, b := r.A[sp], r.B[sp]
			p := &st[sp]
			gimp := [2]float64{gdv[b][0] - gdv[a][0], gdv[b][1] - gdv[a][1]}
			gq := float64(gimp[0]*p.d[0]) + float64(gimp[1]*p.d[1])
			gl := gq * (p.k - p.q) / p.l
			gact[sp] = -gq * p.k / p.l * r.Rest[sp] * r.Actuation[sp]
			for c := 0; c < 2; c++ {
				gd := float64(p.q*gimp[c]) + float64(gl*p.d[c])/p.norm
				gp.X[a][c] += gd
				gp.X[b][c] -= gd
			}
		}
		// Output layer.
		clear(gh[:])
		for sp := 0; sp < Springs; sp++ {
			if gact[sp] == 0 {
				continue
			}
			gz := gact[sp] * (1 - act[sp]*act[sp])
			g.B2[sp] += gz
			ws := w.W2[sp*Hidden : sp*Hidden+Hidden]
			gws := g.W2[sp*Hidden : sp*Hidden+Hidden]
			for h := 0; h < Hidden; h++ {
				gws[h] += gz * hidden[h]
				gh[h] += gz * ws[h]
			}
		}
		// Hidden layer.
		sines(float64(t), &sn)
		c := center(&s.X)
		var gc [2]float64
		for h := 0; h < Hidden; h++ {
			gz := gh[h] * (1 - hidden[h]*hidden[h])
			g.B1[h] += gz
			wh := w.W1[h*Input : h*Input+Input]
			gwh := g.W1[h*Input : h*Input+Input]
			for k := 0; k < nSin; k++ {
				gwh[k] += gz * sn[k]
			}
			gz05 := gz * 0.05
			for o := 0; o < Objects; o++ {
				b := nSin + 4*o
				off := [2]float64{s.X[o][0] - c[0], s.X[o][1] - c[1]}
				gwh[b] += gz05 * off[0]
				gwh[b+1] += gz05 * off[1]
				gwh[b+2] += gz05 * s.V[o][0]
				gwh[b+3] += gz05 * s.V[o][1]
				g0, g1 := gz05*wh[b], gz05*wh[b+1]
				gp.X[o][0] += g0
				gp.X[o][1] += g1
				gc[0] -= g0
				gc[1] -= g1
				gp.V[o][0] += gz05 * wh[b+2]
				gp.V[o][1] += gz05 * wh[b+3]
			}
			gwh[Input-2] += gz * (msGoal[0] - c[0])
			gwh[Input-1] += gz * (msGoal[1] - c[1])
			gc[0] -= gz * wh[Input-2]
			gc[1] -= gz * wh[Input-1]
		}
		for o := 0; o < Objects; o++ {
			gp.X[o][0] += invObjects * gc[0]
			gp.X[o][1] += invObjects * gc[1]
		}
		gs = gp
	}
	return loss
}

// ArgsJSON is the argument list of examples/mass_spring.rose's loss at w.
func (w *Weights) ArgsJSON() []byte {
	rows := func(xs []float64, n int) [][]float64 {
		var out [][]float64
		for i := 0; i < len(xs); i += n {
			out = append(out, xs[i:i+n])
		}
		return out
	}
	out, err := json.Marshal([]any{rows(w.W1, Input), rows(w.W2, Hidden), w.B1, w.B2})
	if err != nil {
		panic(err)
	}
	return out
}
