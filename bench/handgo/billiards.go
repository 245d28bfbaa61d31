package handgo

import "math"

// The billiards workload of examples/billiards.rose: 11 balls, 1024 steps.
const (
	BallCount = 11
	Steps     = 1024
	target    = BallCount - 1
	layers    = 4
	radius    = 0.03
	bdt       = 0.003
)

// The constants as the .rose program computes them, in float64.
var (
	diameter = 2.0 * radius
	impulse  = -(1.0 + elasticity) * 0.5
	goal     = [2]float64{0.9, 0.75}
)

var elasticity = 0.8

// Balls is the state of the table: positions and velocities.
type Balls struct {
	X, V [BallCount][2]float64
}

// Rack is the initial state: the cue ball at x0 with velocity v0 and the
// triangle at rest, ball k of row i at (2 r i + 0.5, 2 r k + 0.5 - 0.7 r i).
func Rack(x0, v0 [2]float64) Balls {
	var b Balls
	b.X[0], b.V[0] = x0, v0
	for ball := 1; ball < BallCount; ball++ {
		row, k := 0, ball-1
		for l := 0; l < layers; l++ {
			if k > row {
				k -= row + 1
				row++
			}
		}
		b.X[ball][0] = float64(float64(float64(row)*2.0)*radius) + 0.5
		b.X[ball][1] = float64(float64(float64(k)*2.0)*radius) + 0.5 - float64(float64(float64(row)*radius)*0.7)
	}
	return b
}

// pair is what one collision computes, kept for the reverse pass.
type pair struct {
	d             [2]float64 // centres one step ahead, a minus j
	dist, r       float64    // |d| and 1 / (1e-6 + |d|)
	dir, rv       [2]float64 // r d and v_a - v_j
	approach, k   float64    // dir . rv and impulse * approach
	dv            [2]float64 // k dir
	den, toi, mul float64    // min(-1e-3, approach), (dist - diameter) / den, min(toi - dt, 0)
}

// collide is examples/billiards.rose's collide for balls a and j of b; it
// reports whether they collide.
func collide(b *Balls, a, j int, p *pair) bool {
	for c := 0; c < 2; c++ {
		p.d[c] = (b.X[a][c] + float64(bdt*b.V[a][c])) - (b.X[j][c] + float64(bdt*b.V[j][c]))
	}
	p.dist = math.Sqrt(float64(p.d[0]*p.d[0]) + float64(p.d[1]*p.d[1]))
	p.r = 1.0 / (1e-6 + p.dist)
	for c := 0; c < 2; c++ {
		p.dir[c] = p.r * p.d[c]
		p.rv[c] = b.V[a][c] - b.V[j][c]
	}
	p.approach = float64(p.dir[0]*p.rv[0]) + float64(p.dir[1]*p.rv[1])
	if !(p.dist < diameter && p.approach < 0.0) {
		return false
	}
	p.k = impulse * p.approach
	p.dv = [2]float64{p.k * p.dir[0], p.k * p.dir[1]}
	p.den = math.Min(-1e-3, p.approach)
	p.toi = (p.dist - diameter) / p.den
	p.mul = math.Min(p.toi-bdt, 0.0)
	return true
}

// step advances every ball of cur by one step into next and, if record,
// appends the colliding pairs (a, j) to hits in the order they were met.
func step(cur, next *Balls, hits []int32, record bool) []int32 {
	var p pair
	for a := 0; a < BallCount; a++ {
		var dx, dv [2]float64
		for j := 0; j < BallCount; j++ {
			if j == a || !collide(cur, a, j, &p) {
				continue
			}
			for c := 0; c < 2; c++ {
				dx[c] += float64(p.mul * p.dv[c])
				dv[c] += p.dv[c]
			}
			if record {
				hits = append(hits, int32(a*BallCount+j))
			}
		}
		for c := 0; c < 2; c++ {
			v := cur.V[a][c] + dv[c]
			next.V[a][c] = v
			next.X[a][c] = (cur.X[a][c] + dx[c]) + float64(bdt*v)
		}
	}
	return hits
}

// BilliardsLoss is examples/billiards.rose's loss: the squared distance of
// ball 10 from the goal after 1024 steps.
func BilliardsLoss(x0, v0 [2]float64) float64 {
	b := Rack(x0, v0)
	var next Balls
	for t := 0; t < Steps; t++ {
		step(&b, &next, nil, false)
		b = next
	}
	return miss(&b)
}

func miss(b *Balls) float64 {
	d0, d1 := b.X[target][0]-goal[0], b.X[target][1]-goal[1]
	return float64(d0*d0) + float64(d1*d1)
}

// Billiards computes the loss with its gradient. It keeps every state and
// the colliding pairs of every step; its buffers are reused from call to
// call.
type Billiards struct {
	states []Balls
	hits   []int32 // colliding pairs of all steps, a*BallCount + j
	starts []int   // hits[starts[t]:starts[t+1]] are step t's
}

// Grad returns the loss and its gradient by the initial state of every
// ball (the cue ball's entries are dL/dx0 and dL/dv0).
func (s *Billiards) Grad(x0, v0 [2]float64) (float64, Balls) {
	if s.states == nil {
		s.states = make([]Balls, Steps+1)
		s.starts = make([]int, Steps+1)
	}
	s.states[0] = Rack(x0, v0)
	s.hits = s.hits[:0]
	for t := 0; t < Steps; t++ {
		s.starts[t] = len(s.hits)
		s.hits = step(&s.states[t], &s.states[t+1], s.hits, true)
	}
	s.starts[Steps] = len(s.hits)
	loss := miss(&s.states[Steps])

	// g holds dL/d(state t+1); the pass turns it into dL/d(state t).
	var g, prev Balls
	fin := &s.states[Steps]
	for c := 0; c < 2; c++ {
		g.X[target][c] = 2 * (fin.X[target][c] - goal[c])
	}
	var p pair
	for t := Steps - 1; t >= 0; t-- {
		cur := &s.states[t]
		// x' = (x + dx) + dt v' and v' = v + dv: dx gets gx', dv and v get
		// gv' + dt gx'.
		for a := 0; a < BallCount; a++ {
			for c := 0; c < 2; c++ {
				prev.X[a][c] = g.X[a][c]
				g.V[a][c] += bdt * g.X[a][c]
				prev.V[a][c] = g.V[a][c]
			}
		}
		for h := s.starts[t+1] - 1; h >= s.starts[t]; h-- {
			a, j := int(s.hits[h])/BallCount, int(s.hits[h])%BallCount
			collide(cur, a, j, &p)
			gx, gdvOut := g.X[a], g.V[a] // adjoints of this pair's dx and dv
			// dx = mul dv, dv = k dir.
			gmul := float64(gx[0]*p.dv[0]) + float64(gx[1]*p.dv[1])
			var gdv, gdir, gd [2]float64
			for c := 0; c < 2; c++ {
				gdv[c] = float64(p.mul*gx[c]) + gdvOut[c]
			}
			gtoi := 0.0
			if p.toi-bdt < 0 {
				gtoi = gmul
			}
			gdist := gtoi / p.den
			gapp := 0.0
			if p.approach < -1e-3 {
				gapp = -gtoi * p.toi / p.den
			}
			gk := float64(gdv[0]*p.dir[0]) + float64(gdv[1]*p.dir[1])
			gapp += impulse * gk
			var grv [2]float64
			for c := 0; c < 2; c++ {
				gdir[c] = float64(p.k*gdv[c]) + float64(gapp*p.rv[c])
				grv[c] = gapp * p.dir[c]
			}
			gr := float64(gdir[0]*p.d[0]) + float64(gdir[1]*p.d[1])
			gdist -= p.r * p.r * gr
			for c := 0; c < 2; c++ {
				gd[c] = float64(p.r*gdir[c]) + float64(gdist*p.d[c])/p.dist
			}
			for c := 0; c < 2; c++ {
				prev.X[a][c] += gd[c]
				prev.X[j][c] -= gd[c]
				prev.V[a][c] += float64(bdt*gd[c]) + grv[c]
				prev.V[j][c] -= float64(bdt*gd[c]) + grv[c]
			}
		}
		g = prev
	}
	return loss, g
}

// The reference shot: the cue ball at (0.1, 0.5) struck with velocity
// (0.3, 0); BilliardsArgs is loss's argument list for it.
var (
	CueX          = [2]float64{0.1, 0.5}
	CueV          = [2]float64{0.3, 0}
	BilliardsArgs = []byte("[[0.1, 0.5], [0.3, 0.0]]")
)
