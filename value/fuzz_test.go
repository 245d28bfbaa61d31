package value

import (
	"testing"

	"github.com/rose-go/rose/ir"
)

// fuzzTypes are the types FuzzDecodeJSON decodes with, chosen by a byte.
var fuzzTypes = []*ir.Type{
	ir.Real, ir.Int, ir.Bool, v2, pairT, ballType, worldT, emptyT, quoteT, anonT,
	ir.ArrayOf(3, ir.TupleOf(ir.Int, ir.Bool)),
	ir.ArrayOf(2, ir.ArrayOf(2, ir.Int)),
	ir.ArrayOf(1<<40, ir.Real), // a length no input can meet
}

// FuzzDecodeJSON checks that decoding never panics and that whatever
// decodes survives an encode/decode round trip unchanged.
func FuzzDecodeJSON(f *testing.F) {
	f.Add(uint8(0), []byte(`1.5`))
	f.Add(uint8(5), []byte(`{"pos": [0.1, 0.2], "vel": [0, -1]}`))
	f.Add(uint8(6), []byte(`{"t": 3, "balls": [{"pos":[0.1,0.2],"vel":[0,-1]}, {"pos":[1e300,"NaN"],"vel":[0,-1]}]}`))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		typ := fuzzTypes[int(which)%len(fuzzTypes)]
		v, err := DecodeJSON(typ, data)
		if err == nil {
			enc := EncodeJSON(v, typ)
			w, err := DecodeJSON(typ, enc)
			if err != nil || !Equal(v, w) {
				t.Fatalf("%s decoded to %v, encoded as %s, decoded to %v, %v", data, v, enc, w, err)
			}
			_ = Format(v, typ)
		}
		params := []*ir.Type{typ, ir.Int}
		if args, err := DecodeArgs(params, data); err == nil && len(args) != len(params) {
			t.Fatalf("%s: %d arguments", data, len(args))
		}
	})
}
