package value

import (
	"math"
	"regexp"
	"testing"

	"github.com/rose-go/rose/ir"
)

// ballType is a struct Ball { pos: [2]Real, vel: [2]Real }.
var ballType = &ir.Type{Kind: ir.KTuple, Elems: []*ir.Type{ir.ArrayOf(2, ir.Real), ir.ArrayOf(2, ir.Real)},
	Name: "Ball", Fields: []string{"pos", "vel"}}

var (
	nan     = math.NaN()
	inf     = math.Inf(1)
	negz    = math.Copysign(0, -1)
	v2      = ir.ArrayOf(2, ir.Real)
	pairT   = ir.TupleOf(ir.Real, ir.Int)
	emptyT  = &ir.Type{Kind: ir.KTuple, Name: "Empty"}
	anonT   = &ir.Type{Kind: ir.KTuple, Elems: []*ir.Type{ir.Bool}, Fields: []string{"on"}}
	worldT  = &ir.Type{Kind: ir.KTuple, Elems: []*ir.Type{ir.ArrayOf(2, ballType), ir.Int}, Name: "World", Fields: []string{"balls", "t"}}
	quoteT  = &ir.Type{Kind: ir.KTuple, Elems: []*ir.Type{ir.Int}, Name: "Q", Fields: []string{"a\"b\n"}}
	ballVal = Tuple(Array(Real(0.1), Real(0.2)), Array(Real(0), Real(-1)))
)

func TestDecodeJSON(t *testing.T) {
	for _, c := range []struct {
		t    *ir.Type
		in   string
		want Value
	}{
		{ir.Real, `1.5`, Real(1.5)},
		{ir.Real, ` 3 `, Real(3)},
		{ir.Real, `-0`, Real(negz)},
		{ir.Real, `1e-400`, Real(0)},
		{ir.Real, `1E+2`, Real(100)},
		{ir.Real, `"NaN"`, Real(nan)},
		{ir.Real, `"+Inf"`, Real(inf)},
		{ir.Real, `"-Inf"`, Real(-inf)},
		{ir.Real, `1.7976931348623157e308`, Real(math.MaxFloat64)},
		{ir.Int, `-42`, Int(-42)},
		{ir.Int, `9223372036854775807`, Int(math.MaxInt64)},
		{ir.Int, `-9223372036854775808`, Int(math.MinInt64)},
		{ir.Bool, `true`, Bool(true)},
		{ir.Bool, `false`, Bool(false)},
		{v2, `[1, 2.5]`, Array(Real(1), Real(2.5))},
		{ir.ArrayOf(0, ir.Int), `[ ]`, Array()},
		{pairT, `[0.5, 7]`, Tuple(Real(0.5), Int(7))},
		{ir.TupleOf(), `[]`, Tuple()},
		{ballType, `{"vel": [0, -1], "pos": [0.1, 0.2]}`, ballVal},
		{emptyT, `{}`, Tuple()},
		{anonT, `{"on":true}`, Tuple(Bool(true))},
		{quoteT, `{"a\"b\u000a": 1}`, Tuple(Int(1))},
		{worldT, `{"t": 3, "balls": [{"pos":[0.1,0.2],"vel":[0,-1]}, {"pos":[0.1,0.2],"vel":[0,-1]}]}`,
			Tuple(Array(ballVal, ballVal), Int(3))},
	} {
		v, err := DecodeJSON(c.t, []byte(c.in))
		if err != nil {
			t.Errorf("%v %s: %v", c.t, c.in, err)
			continue
		}
		if !Equal(v, c.want) {
			t.Errorf("%v %s: got %v, want %v", c.t, c.in, v, c.want)
		}
	}
}

func TestDecodeJSONErrors(t *testing.T) {
	for _, c := range []struct {
		t    *ir.Type
		in   string
		want string // regexp matched against the whole message
	}{
		{ir.Real, `"x"`, `expected a number, got string "x"`},
		{ir.Real, `"Inf"`, `expected a number, got string "Inf"`},
		{ir.Real, `1e400`, `number 1e400 is out of range for Real`},
		{ir.Real, `-1e400`, `number -1e400 is out of range for Real`},
		{ir.Real, `null`, `expected a number, got null`},
		{ir.Real, `[1]`, `expected a number, got an array`},
		{ir.Int, `1.5`, `expected an integer, got number 1.5`},
		{ir.Int, `1e3`, `expected an integer, got number 1e3`},
		{ir.Int, `9223372036854775808`, `integer 9223372036854775808 is out of range for Int`},
		{ir.Int, `-9223372036854775809`, `integer -9223372036854775809 is out of range for Int`},
		{ir.Int, `true`, `expected an integer, got true`},
		{ir.Bool, `1`, `expected true or false, got number 1`},
		{ir.Bool, `"true"`, `expected true or false, got string "true"`},
		{v2, `[1]`, `expected an array of 2 elements, got 1`},
		{v2, `[1, 2, 3, [4, {"a": 5}]]`, `expected an array of 2 elements, got 4`},
		{v2, `{"a": 1}`, `expected an array of 2 elements, got an object`},
		{v2, `[1, "x"]`, `\[1\]: expected a number, got string "x"`},
		{pairT, `[1, 2, 3]`, `expected an array of 2 fields, got 3`},
		{pairT, `[1, 2.5]`, `\[1\]: expected an integer, got number 2.5`},
		{ballType, `[[0, 0], [0, 0]]`, `expected an object \{pos, vel\}, got an array`},
		{ballType, `{"pos": [0.1, 0.2]}`, `missing field "vel"`},
		{ballType, `{"pos": [0.1, 0.2], "vel": [0, 0], "spin": 1}`, `unknown field "spin", want \{pos, vel\}`},
		{ballType, `{"pos": [0.1, 0.2], "pos": [0, 0]}`, `duplicate field "pos"`},
		{ballType, `{"pos": [0.1, "x"], "vel": [0, 0]}`, `\.pos\[1\]: expected a number, got string "x"`},
		{worldT, `{"t": 3, "balls": [{"pos":[0.1,0.2],"vel":[0,-1]}, {"pos":[0.1,0.2],"vel":[0,true]}]}`,
			`\.balls\[1\]\.vel\[1\]: expected a number, got true`},
		{ir.Real, `"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"`,
			`expected a number, got string "a{40}…"`},
		{ir.Real, ``, `invalid JSON at byte 0: unexpected end of JSON input`},
		{ir.Real, `1 2`, `invalid JSON at byte 2: invalid character '2' after top-level value`},
		{v2, `[1,]`, `invalid JSON at byte 3: invalid character '\]' looking for beginning of value`},
		{ir.Real, `NaN`, `invalid JSON at byte 0: invalid character 'N' looking for beginning of value`},
		{nil, `1`, `invalid type <nil>`},
		{ir.ArrayOf(1, nil), `[1]`, `invalid type \[1\]<nil>`},
		{&ir.Type{Kind: 7}, `1`, `invalid type kind7\?`},
	} {
		_, err := DecodeJSON(c.t, []byte(c.in))
		if err == nil || !regexp.MustCompile(`^`+c.want+`$`).MatchString(err.Error()) {
			t.Errorf("%v %s: got %v, want %s", c.t, c.in, err, c.want)
		}
	}
}

func TestDecodeArgs(t *testing.T) {
	params := []*ir.Type{ir.Real, ballType}
	args, err := DecodeArgs(params, []byte(`[2, {"pos": [0.1, 0.2], "vel": [0, -1]}]`))
	if err != nil || len(args) != 2 || !Equal(args[0], Real(2)) || !Equal(args[1], ballVal) {
		t.Errorf("got %v, %v", args, err)
	}
	if args, err := DecodeArgs(nil, []byte(` [] `)); err != nil || len(args) != 0 {
		t.Errorf("no params: %v, %v", args, err)
	}
	for _, c := range []struct {
		in, want string
	}{
		{`[2, {"pos": [0.1, "x"], "vel": [0, -1]}]`, `argument 2 \(Ball\): \.pos\[1\]: expected a number, got string "x"`},
		{`["2", {}]`, `argument 1 \(Real\): expected a number, got string "2"`},
		{`[2]`, `expected 2 arguments, got 1`},
		{`[2, {"pos": [0.1, 0.2], "vel": [0, -1]}, 3, 4]`, `expected 2 arguments, got 4`},
		{`2`, `expected an array of 2 arguments, got number 2`},
		{`[2, `, `invalid JSON.*`},
	} {
		_, err := DecodeArgs(params, []byte(c.in))
		if err == nil || !regexp.MustCompile(`^`+c.want+`$`).MatchString(err.Error()) {
			t.Errorf("%s: got %v, want %s", c.in, err, c.want)
		}
	}
}

func TestEncodeJSON(t *testing.T) {
	for _, c := range []struct {
		v    Value
		t    *ir.Type
		want string
	}{
		{Real(1), ir.Real, `1`},
		{Real(0.1), ir.Real, `0.1`},
		{Real(1e21), ir.Real, `1e+21`},
		{Real(1e-7), ir.Real, `1e-07`},
		{Real(negz), ir.Real, `-0`},
		{Real(5e-324), ir.Real, `5e-324`},
		{Real(nan), ir.Real, `"NaN"`},
		{Real(inf), ir.Real, `"+Inf"`},
		{Real(-inf), ir.Real, `"-Inf"`},
		{Int(math.MinInt64), ir.Int, `-9223372036854775808`},
		{Bool(true), ir.Bool, `true`},
		{Array(Real(1), Real(2.5)), v2, `[1,2.5]`},
		{Tuple(Real(0.5), Int(7)), pairT, `[0.5,7]`},
		{ballVal, ballType, `{"pos":[0.1,0.2],"vel":[0,-1]}`},
		{ballVal, nil, `[[0.1,0.2],[0,-1]]`},
		{Tuple(), emptyT, `{}`},
		{Tuple(Int(1)), quoteT, `{"a\"b\u000a":1}`},
		{Tuple(Array(ballVal), Int(3)), &ir.Type{Kind: ir.KTuple, Elems: []*ir.Type{ir.ArrayOf(1, ballType), ir.Int}, Fields: []string{"b", "t"}},
			`{"b":[{"pos":[0.1,0.2],"vel":[0,-1]}],"t":3}`},
		{Int(3), ir.Real, `3`},            // type mismatch: the value's own shape
		{Array(Real(1)), ballType, `[1]`}, // likewise
		{Value{kind: 9}, nil, `null`},
	} {
		if got := string(EncodeJSON(c.v, c.t)); got != c.want {
			t.Errorf("%v as %v: got %s, want %s", c.v, c.t, got, c.want)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	for _, c := range []struct {
		v Value
		t *ir.Type
	}{
		{Real(0.1), ir.Real},
		{Real(math.MaxFloat64), ir.Real},
		{Real(math.SmallestNonzeroFloat64), ir.Real},
		{Real(-1.0 / 3), ir.Real},
		{Real(nan), ir.Real},
		{Real(-inf), ir.Real},
		{Real(negz), ir.Real},
		{Int(math.MaxInt64), ir.Int},
		{Tuple(Array(ballVal, ballVal), Int(-3)), worldT},
		{Tuple(Int(1)), quoteT},
		{Tuple(Bool(false)), anonT},
	} {
		data := EncodeJSON(c.v, c.t)
		v, err := DecodeJSON(c.t, data)
		if err != nil || !Equal(v, c.v) {
			t.Errorf("%v: %s decoded to %v, %v", c.v, data, v, err)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		v    Value
		t    *ir.Type
		want string
	}{
		{Real(1), ir.Real, `1.0`},
		{Real(0.1), ir.Real, `0.1`},
		{Real(-2), ir.Real, `-2.0`},
		{Real(negz), ir.Real, `-0.0`},
		{Real(1e21), ir.Real, `1e+21`},
		{Real(123456789), ir.Real, `1.23456789e+08`},
		{Real(1e-7), ir.Real, `1e-07`},
		{Real(nan), ir.Real, `NaN`},
		{Real(inf), ir.Real, `+Inf`},
		{Real(-inf), ir.Real, `-Inf`},
		{Int(-3), ir.Int, `-3`},
		{Bool(false), ir.Bool, `false`},
		{Array(Real(1), Real(2.5)), v2, `[1.0, 2.5]`},
		{Array(), ir.ArrayOf(0, ir.Real), `[]`},
		{Tuple(Real(1), Int(2)), pairT, `(1.0, 2)`},
		{Tuple(), ir.TupleOf(), `()`},
		{Tuple(Array(Real(0.1), Real(0.2)), Array(Real(0), Real(0))), ballType, `Ball { pos: [0.1, 0.2], vel: [0.0, 0.0] }`},
		{Tuple(Array(ballVal), Int(3)), &ir.Type{Kind: ir.KTuple, Elems: []*ir.Type{ir.ArrayOf(1, ballType), ir.Int}, Name: "W", Fields: []string{"b", "t"}},
			`W { b: [Ball { pos: [0.1, 0.2], vel: [0.0, -1.0] }], t: 3 }`},
		{Tuple(), emptyT, `Empty {}`},
		{Tuple(Bool(true)), anonT, `{ on: true }`},
		{ballVal, nil, `([0.1, 0.2], [0.0, -1.0])`},
		{Array(Int(1)), ir.Real, `[1]`},
	} {
		if got := Format(c.v, c.t); got != c.want {
			t.Errorf("got %s, want %s", got, c.want)
		}
	}
	if got := ballVal.String(); got != `([0.1, 0.2], [0.0, -1.0])` {
		t.Errorf("String: %s", got)
	}
}

func TestValueAccessors(t *testing.T) {
	if v := Real(2.5); v.Kind() != ir.KReal || v.Real() != 2.5 || v.Int() != 0 || v.Bool() || v.Len() != 0 {
		t.Errorf("Real: %v", v)
	}
	if v := Int(-4); v.Kind() != ir.KInt || v.Int() != -4 || v.Real() != 0 {
		t.Errorf("Int: %v", v)
	}
	if v := Bool(true); v.Kind() != ir.KBool || !v.Bool() || v.Int() != 0 {
		t.Errorf("Bool: %v", v)
	}
	if v := Array(Int(1), Int(2)); v.Kind() != ir.KArray || v.Len() != 2 || v.Elem(1).Int() != 2 {
		t.Errorf("Array: %v", v)
	}
	if v := Tuple(Int(1), Real(2)); v.Kind() != ir.KTuple || v.Len() != 2 || v.Elem(1).Real() != 2 {
		t.Errorf("Tuple: %v", v)
	}
	var zero Value
	if !Equal(zero, Real(0)) || Equal(Real(0), Real(negz)) || !Equal(Real(nan), Real(nan)) ||
		Equal(Array(Int(1)), Tuple(Int(1))) || Equal(Array(Int(1)), Array(Int(2))) {
		t.Errorf("Equal")
	}
}
