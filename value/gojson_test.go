package value

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rose-go/rose/ir"
)

// TestFromGo checks FromGo against DecodeJSON, an independent decoder of
// the same shapes: Go data and its JSON encoding give equal Values, and
// the same inputs fail.
func TestFromGo(t *testing.T) {
	type vel struct {
		Pos [2]float64 `json:"pos"`
		Vel []float64  `json:"vel"`
		X   int        `json:"-"` // not a field of Ball: a Go struct may have more
	}
	type world struct {
		T     int64 `json:"t"`
		Balls []vel `json:"balls"`
	}
	cases := []struct {
		t   *ir.Type
		go_ any
		ok  bool
	}{
		{ir.Real, 1.5, true},
		{ir.Real, 3, true},
		{ir.Real, "NaN", true},
		{ir.Real, "+Inf", true},
		{ir.Real, "x", false},
		{ir.Real, nil, false},
		{ir.Int, int32(-7), true},
		{ir.Int, 4.0, true},
		{ir.Int, 4.5, false},
		{ir.Int, json.Number("100000000000000100"), true},
		{ir.Bool, true, true},
		{ir.Bool, 1, false},
		{v2, []float64{1, 2}, true},
		{v2, [2]float32{1, 2}, true},
		{v2, []float64{1}, false},
		{v2, []any{1.0, "NaN"}, true},
		{ballType, vel{Pos: [2]float64{0.1, 0.2}, Vel: []float64{0, -1}}, true},
		{ballType, map[string]any{"pos": []any{0.1, 0.2}, "vel": []any{0.0, -1.0}}, true},
		{ballType, map[string]any{"pos": []any{0.1, 0.2}}, false},
		{ballType, &vel{Pos: [2]float64{1, 2}, Vel: []float64{3, 4}}, true},
		{worldT, world{T: 3, Balls: []vel{{Vel: []float64{0, 1}}, {Vel: []float64{2, 3}}}}, true},
		{worldT, world{T: 3, Balls: []vel{{Vel: []float64{0, 1}}}}, false},
		{pairT, []any{1.0, 2}, true},
		{pairT, []any{1.0, true}, false},
		{emptyT, map[string]any{}, true},
		{emptyT, map[string]any{"x": 1}, false},
		{pairT, []any{1.0}, false},
		{ir.ArrayOf(2, ir.ArrayOf(2, ir.Int)), [][]int{{1, 2}, {3, 4}}, true},
		{ir.ArrayOf(2, ir.ArrayOf(2, ir.Int)), [][]int{{1, 2}, {3}}, false},
	}
	for _, c := range cases {
		got, err := FromGo(c.t, c.go_)
		if (err == nil) != c.ok {
			t.Errorf("FromGo(%s, %#v): error %v, want ok %v", c.t, c.go_, err, c.ok)
			continue
		}
		data, jerr := json.Marshal(c.go_)
		if jerr != nil {
			t.Fatal(jerr)
		}
		want, derr := DecodeJSON(c.t, data)
		if (derr == nil) != (err == nil) {
			t.Errorf("%s %s: FromGo error %v, DecodeJSON error %v", c.t, data, err, derr)
			continue
		}
		if err == nil && !Equal(got, want) {
			t.Errorf("%s %s: FromGo %v, DecodeJSON %v", c.t, data, got, want)
		}
	}
	// Beyond 2^53 a float64 may not be the integer that was written (JSON
	// decoded into any rounds 100000000000000100 to ...096): refused.
	if _, err := FromGo(ir.Int, 1e17); err == nil {
		t.Error("FromGo(Int, 1e17) succeeds")
	}
	// An untagged field matches case-insensitively, as encoding/json does.
	type untagged struct{ Pos, Vel [2]float64 }
	if _, err := FromGo(ballType, untagged{}); err != nil {
		t.Errorf("untagged struct: %v", err)
	}
	// Errors say where.
	_, err := FromGo(worldT, map[string]any{"t": 1, "balls": []any{map[string]any{"pos": []any{0.0, "x"}, "vel": []any{0, 0}}, map[string]any{"pos": []any{0, 0}, "vel": []any{0, 0}}}})
	if err == nil || !strings.Contains(err.Error(), ".balls[0].pos[1]") {
		t.Errorf("error %v, want the path .balls[0].pos[1]", err)
	}
}

// FuzzFromGo decodes JSON into Go's own shapes (any) and checks that
// FromGo never panics and agrees with DecodeJSON, value for value and
// error for error.
func FuzzFromGo(f *testing.F) {
	f.Add(uint8(0), []byte(`1.5`))
	f.Add(uint8(5), []byte(`{"pos": [0.1, 0.2], "vel": [0, -1]}`))
	f.Add(uint8(6), []byte(`{"t": 3, "balls": [{"pos":[0.1,0.2],"vel":[0,-1]}, {"pos":[1e300,"NaN"],"vel":[0,-1]}]}`))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		typ := fuzzTypes[int(which)%len(fuzzTypes)]
		// Numbers as json.Number, exactly as written.
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var x any
		if dec.Decode(&x) != nil || dec.More() {
			return
		}
		norm, err := json.Marshal(x)
		if err != nil {
			return
		}
		got, err := FromGo(typ, x)
		want, derr := DecodeJSON(typ, norm)
		if (err == nil) != (derr == nil) {
			t.Fatalf("%s: FromGo error %v, DecodeJSON error %v", norm, err, derr)
		}
		if err == nil && !Equal(got, want) {
			t.Fatalf("%s: FromGo %v, DecodeJSON %v", norm, got, want)
		}
	})
}
