package gradbench

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// kmeansRef is the cost Σ_i min_j |C_j - P_i|² and the closed form of the
// Newton direction J H⁻¹: C_j minus the mean of the points nearest to C_j
// (J_j = 2 Σ (C_j - P_i) and H_jj = 2 |cluster j| over those points).
func kmeansRef(points, centroids [][]float64) (float64, [][]float64) {
	k, d := len(centroids), len(centroids[0])
	sums := make([][]float64, k)
	for j := range sums {
		sums[j] = make([]float64, d)
	}
	counts := make([]int, k)
	var cost float64
	for _, p := range points {
		best, bestd := -1, math.Inf(1)
		for j, c := range centroids {
			var e float64
			for l := range p {
				e += (c[l] - p[l]) * (c[l] - p[l])
			}
			if e < bestd {
				best, bestd = j, e
			}
		}
		cost += bestd
		counts[best]++
		for l := range p {
			sums[best][l] += p[l]
		}
	}
	dir := make([][]float64, k)
	for j := range dir {
		dir[j] = make([]float64, d)
		for l := range dir[j] {
			dir[j][l] = centroids[j][l] - sums[j][l]/float64(counts[j])
		}
	}
	return cost, dir
}

// TestKmeans compares cost and dir with kmeansRef on both engines, with
// the centroids the last k points as the eval chooses them (so that no
// cluster is empty).
func TestKmeans(t *testing.T) {
	rng := rand.New(rand.NewSource(31337))
	for _, c := range []struct{ n, k, d int }{{1, 1, 1}, {5, 2, 2}, {40, 3, 1}, {200, 10, 8}} {
		points := make([][]float64, c.n)
		for i := range points {
			points[i] = make([]float64, c.d)
			for l := range points[i] {
				points[i][l] = rng.Float64()
			}
		}
		centroids := points[c.n-c.k:]
		wantCost, wantDir := kmeansRef(points, centroids)
		in := map[string]any{"points": points, "centroids": centroids}
		for _, eng := range simpleEngines {
			what := fmt.Sprintf("%v n=%d k=%d d=%d", eng, c.n, c.k, c.d)
			var cost float64
			simpleRun(t, eng, "kmeans", "cost", in, &cost)
			simpleCheck(t, what+" cost", []float64{cost}, []float64{wantCost}, 1e-8)
			var dir [][]float64
			simpleRun(t, eng, "kmeans", "dir", in, &dir)
			if len(dir) != c.k {
				t.Fatalf("%s: dir has %d rows, want %d", what, len(dir), c.k)
			}
			for j := range dir {
				simpleCheck(t, fmt.Sprintf("%s dir[%d]", what, j), dir[j], wantDir[j], 1e-8)
			}
		}
	}
}

// TestKmeansBadInput checks that inputs of the wrong shape are errors.
func TestKmeansBadInput(t *testing.T) {
	for _, fn := range []string{"cost", "dir"} {
		simpleBadInputs(t, "kmeans", fn, []string{`{}`, `{"points": [[1, 2]]}`, `{"centroids": [[1, 2]]}`,
			`{"points": [], "centroids": [[1]]}`, `{"points": [[1]], "centroids": []}`,
			`{"points": [[1, 2], [3]], "centroids": [[1, 2]]}`, `{"points": [[1, 2]], "centroids": [[1]]}`,
			`{"points": [1, 2], "centroids": [[1]]}`, `{"points": [["a"]], "centroids": [[1]]}`})
	}
}
