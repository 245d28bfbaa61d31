package gradbench

import (
	"encoding/json"
	"fmt"

	"github.com/rose-go/rose"
)

// kmeans is the k-means cost and its Newton direction (evals/kmeans.rose).
// Input {points: float[n][d], centroids: float[k][d]}; cost outputs a
// float, dir float[k][d].
func init() {
	register("kmeans", map[string]function{
		"cost": kmeans("cost"),
		"dir":  kmeans("dir"),
	})
}

type kmeansInput struct {
	Points    [][]float64 `json:"points"`
	Centroids [][]float64 `json:"centroids"`
}

func kmeans(name string) function {
	return func(p *rose.Program, in json.RawMessage) (*call, error) {
		var v kmeansInput
		if err := decode(in, &v); err != nil {
			return nil, err
		}
		if len(v.Points) == 0 || len(v.Centroids) == 0 {
			return nil, fmt.Errorf("%w: kmeans: want {points: [n][d] numbers, centroids: [k][d] numbers} with n, k >= 1", errInput)
		}
		d := len(v.Points[0])
		for _, rows := range [][][]float64{v.Points, v.Centroids} {
			for _, r := range rows {
				if len(r) != d {
					return nil, fmt.Errorf("%w: kmeans: every point and centroid must have %d coordinates, one has %d", errInput, d, len(r))
				}
			}
		}
		return rosecall(p, name, v.Points, v.Centroids)
	}
}
