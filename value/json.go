package value

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rose-go/rose/ir"
)

// DecodeJSON parses data as one value of type t. Shapes: Real is a JSON
// number (or one of the strings "NaN", "+Inf", "-Inf" that EncodeJSON
// writes), Int an integer literal within int64, Bool true or false, an array
// a JSON array of exactly its length, a tuple a JSON array of its fields and
// a struct (a tuple with field names) a JSON object with exactly its fields.
// Errors give the path to the offending value and what was expected there,
// e.g. `.pos[1]: expected a number, got string "x"`.
func DecodeJSON(t *ir.Type, data []byte) (Value, error) {
	if err := checkSyntax(data); err != nil {
		return Value{}, err
	}
	d := jsonDecoder{data: data}
	v, perr := d.value(t)
	if perr != nil {
		return Value{}, errors.New(perr.render())
	}
	return v, nil
}

// DecodeArgs parses data as a JSON array holding one value per parameter,
// in order, as DecodeJSON does for each. Errors name the argument (from 1)
// and its type, e.g. `argument 2 (Ball): .pos[1]: expected a number, got
// string "x"`.
func DecodeArgs(params []*ir.Type, data []byte) ([]Value, error) {
	if err := checkSyntax(data); err != nil {
		return nil, err
	}
	d := jsonDecoder{data: data}
	d.ws()
	if d.peek() != '[' {
		return nil, fmt.Errorf("expected an array of %d arguments, got %s", len(params), d.describe())
	}
	d.pos++
	args := make([]Value, 0, len(params))
	for i := 0; ; i++ {
		d.ws()
		if d.peek() == ']' {
			if i != len(params) {
				return nil, fmt.Errorf("expected %d arguments, got %d", len(params), i)
			}
			return args, nil
		}
		if i > 0 {
			d.pos++ // ','
			d.ws()
		}
		if i >= len(params) {
			n := i + d.countRest()
			return nil, fmt.Errorf("expected %d arguments, got %d", len(params), n)
		}
		v, perr := d.value(params[i])
		if perr != nil {
			return nil, fmt.Errorf("argument %d (%v): %s", i+1, params[i], perr.render())
		}
		args = append(args, v)
	}
}

// checkSyntax rejects anything that is not exactly one well-formed JSON
// value, so that the type-directed decoder may rely on the grammar.
func checkSyntax(data []byte) error {
	if json.Valid(data) {
		return nil
	}
	err := json.Unmarshal(data, new(json.RawMessage))
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// Offset counts the bytes read, including an offending character.
		at := se.Offset
		if at > 0 && strings.HasPrefix(se.Error(), "invalid character") {
			at--
		}
		return fmt.Errorf("invalid JSON at byte %d: %v", at, se)
	}
	if err == nil {
		err = errors.New("malformed input")
	}
	return fmt.Errorf("invalid JSON: %v", err)
}

// pathError is a decoding error at a path; path segments are collected
// innermost first as the error returns through the decoder.
type pathError struct {
	rev []string
	msg string
}

func (e *pathError) in(seg string) *pathError {
	e.rev = append(e.rev, seg)
	return e
}

func (e *pathError) render() string {
	if len(e.rev) == 0 {
		return e.msg
	}
	var sb strings.Builder
	for i := len(e.rev) - 1; i >= 0; i-- {
		sb.WriteString(e.rev[i])
	}
	sb.WriteString(": ")
	sb.WriteString(e.msg)
	return sb.String()
}

func perrorf(format string, args ...any) *pathError {
	return &pathError{msg: fmt.Sprintf(format, args...)}
}

// jsonDecoder walks syntactically valid JSON under the direction of a type.
// It never indexes past the end of data, even if that assumption fails.
type jsonDecoder struct {
	data []byte
	pos  int
}

func (d *jsonDecoder) peek() byte {
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

func (d *jsonDecoder) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func isNumberStart(c byte) bool { return c == '-' || (c >= '0' && c <= '9') }

// number consumes a number literal and returns its text.
func (d *jsonDecoder) number() string {
	start := d.pos
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if !(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
			break
		}
		d.pos++
	}
	return string(d.data[start:d.pos])
}

// str consumes a string literal and returns its decoded contents.
func (d *jsonDecoder) str() string {
	start := d.pos
	d.pos++ // opening quote
	escaped := false
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		d.pos++
		if c == '\\' {
			escaped = true
			d.pos++
			continue
		}
		if c == '"' {
			break
		}
	}
	end := min(d.pos, len(d.data))
	if !escaped && end-start >= 2 {
		return string(d.data[start+1 : end-1])
	}
	var s string
	if json.Unmarshal(d.data[start:end], &s) != nil {
		return ""
	}
	return s
}

// skip consumes one value of any shape.
func (d *jsonDecoder) skip() {
	d.ws()
	switch c := d.peek(); {
	case c == '"':
		d.str()
	case c == '[' || c == '{':
		d.pos++
		for {
			d.ws()
			switch d.peek() {
			case ']', '}':
				d.pos++
				return
			case 0:
				return
			case ',', ':':
				d.pos++
			default:
				before := d.pos
				d.skip()
				if d.pos == before {
					return // cannot happen on valid JSON; avoid looping
				}
			}
		}
	case isNumberStart(c):
		d.number()
	default: // true, false, null
		for d.pos < len(d.data) && d.data[d.pos] >= 'a' && d.data[d.pos] <= 'z' {
			d.pos++
		}
	}
}

// countRest counts the values left in an array whose elements so far have
// been consumed, leaving the position after the closing bracket; d is at
// the start of a further element.
func (d *jsonDecoder) countRest() int {
	n := 0
	for {
		d.ws()
		switch d.peek() {
		case ']':
			d.pos++
			return n
		case 0:
			return n
		case ',':
			d.pos++
		default:
			before := d.pos
			d.skip()
			n++
			if d.pos == before {
				return n
			}
		}
	}
}

// describe names the value at the current position for error messages,
// without consuming it.
func (d *jsonDecoder) describe() string {
	save := d.pos
	defer func() { d.pos = save }()
	d.ws()
	switch c := d.peek(); {
	case c == '"':
		s := d.str()
		if utf8.RuneCountInString(s) > 40 {
			r := []rune(s)
			s = string(r[:40]) + "…"
		}
		return "string " + strconv.Quote(s)
	case isNumberStart(c):
		s := d.number()
		if len(s) > 40 {
			s = s[:40] + "…"
		}
		return "number " + s
	case c == '[':
		return "an array"
	case c == '{':
		return "an object"
	case c == 't':
		return "true"
	case c == 'f':
		return "false"
	case c == 'n':
		return "null"
	}
	return "end of input"
}

func (d *jsonDecoder) mismatch(expected string) *pathError {
	return perrorf("expected %s, got %s", expected, d.describe())
}

// value decodes one value of type t.
func (d *jsonDecoder) value(t *ir.Type) (Value, *pathError) {
	d.ws()
	if t == nil {
		return Value{}, perrorf("invalid type <nil>")
	}
	c := d.peek()
	switch t.Kind {
	case ir.KReal:
		if c == '"' {
			save := d.pos
			if x, ok := nonFinite(d.str()); ok {
				return Real(x), nil
			}
			d.pos = save
		}
		if !isNumberStart(c) {
			return Value{}, d.mismatch("a number")
		}
		s := d.number()
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return Value{}, perrorf("number %s is out of range for Real", s)
		}
		return Real(x), nil
	case ir.KInt:
		if !isNumberStart(c) {
			return Value{}, d.mismatch("an integer")
		}
		save := d.pos
		s := d.number()
		i, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			if errors.Is(err, strconv.ErrRange) {
				return Value{}, perrorf("integer %s is out of range for Int", s)
			}
			d.pos = save
			return Value{}, d.mismatch("an integer")
		}
		return Int(i), nil
	case ir.KBool:
		switch c {
		case 't':
			d.pos += len("true")
			return Bool(true), nil
		case 'f':
			d.pos += len("false")
			return Bool(false), nil
		}
		return Value{}, d.mismatch("true or false")
	case ir.KArray:
		if t.Elem == nil || t.Len < 0 {
			return Value{}, perrorf("invalid type %v", t)
		}
		return d.array(t.Len, func(int) *ir.Type { return t.Elem }, "elements")
	case ir.KTuple:
		if isStruct(t) {
			return d.object(t)
		}
		return d.array(len(t.Elems), func(i int) *ir.Type { return t.Elems[i] }, "fields")
	}
	return Value{}, perrorf("invalid type %v", t)
}

// array decodes a JSON array of exactly n values, the i-th of type elem(i).
func (d *jsonDecoder) array(n int, elem func(int) *ir.Type, what string) (Value, *pathError) {
	if d.peek() != '[' {
		return Value{}, d.mismatch(fmt.Sprintf("an array of %d %s", n, what))
	}
	d.pos++
	// Every element takes at least two bytes, which bounds the
	// allocation whatever length the type claims.
	elems := make([]Value, 0, min(n, (len(d.data)-d.pos)/2+1))
	for i := 0; ; i++ {
		d.ws()
		if d.peek() == ']' {
			d.pos++
			if i != n {
				return Value{}, perrorf("expected an array of %d %s, got %d", n, what, i)
			}
			if what == "fields" {
				return Tuple(elems...), nil
			}
			return Array(elems...), nil
		}
		if i > 0 {
			d.pos++ // ','
			d.ws()
		}
		if i >= n {
			return Value{}, perrorf("expected an array of %d %s, got %d", n, what, i+d.countRest())
		}
		v, perr := d.value(elem(i))
		if perr != nil {
			return Value{}, perr.in("[" + strconv.Itoa(i) + "]")
		}
		elems = append(elems, v)
	}
}

// object decodes a JSON object with exactly the fields of struct type t.
func (d *jsonDecoder) object(t *ir.Type) (Value, *pathError) {
	if d.peek() != '{' {
		return Value{}, d.mismatch("an object " + describeFields(t))
	}
	d.pos++
	elems := make([]Value, len(t.Elems))
	seen := make([]bool, len(t.Elems))
	for first := true; ; first = false {
		d.ws()
		if d.peek() == '}' {
			d.pos++
			break
		}
		if !first {
			d.pos++ // ','
			d.ws()
		}
		if d.peek() != '"' {
			return Value{}, perrorf("malformed object")
		}
		name := d.str()
		d.ws()
		d.pos++ // ':'
		k := -1
		for i, f := range t.Fields {
			if f == name {
				k = i
				break
			}
		}
		if k < 0 {
			return Value{}, perrorf("unknown field %q, want %s", name, describeFields(t))
		}
		if seen[k] {
			return Value{}, perrorf("duplicate field %q", name)
		}
		seen[k] = true
		v, perr := d.value(t.Elems[k])
		if perr != nil {
			return Value{}, perr.in("." + name)
		}
		elems[k] = v
	}
	for i, ok := range seen {
		if !ok {
			return Value{}, perrorf("missing field %q", t.Fields[i])
		}
	}
	return Tuple(elems...), nil
}

// describeFields lists a struct's fields for messages: "{pos, vel}".
func describeFields(t *ir.Type) string {
	return "{" + strings.Join(t.Fields, ", ") + "}"
}

// EncodeJSON writes v as JSON in the shapes DecodeJSON reads, so that the
// two round-trip exactly: Reals in the shortest form that reads back to the
// same float64 (NaN and infinities, which JSON lacks, as the strings "NaN",
// "+Inf", "-Inf"), structs as objects with fields in declaration order,
// arrays and tuples as arrays. t supplies field names and may be nil.
func EncodeJSON(v Value, t *ir.Type) []byte {
	return appendJSON(nil, v, t)
}

func appendJSON(buf []byte, v Value, t *ir.Type) []byte {
	if !typeFits(v, t) {
		t = nil
	}
	switch v.kind {
	case ir.KReal:
		x := v.Real()
		switch {
		case math.IsNaN(x):
			return append(buf, `"NaN"`...)
		case math.IsInf(x, 1):
			return append(buf, `"+Inf"`...)
		case math.IsInf(x, -1):
			return append(buf, `"-Inf"`...)
		}
		// 'g' output of a finite float64 is always a valid JSON number.
		return strconv.AppendFloat(buf, x, 'g', -1, 64)
	case ir.KInt:
		return strconv.AppendInt(buf, int64(v.bits), 10)
	case ir.KBool:
		return strconv.AppendBool(buf, v.bits != 0)
	case ir.KArray, ir.KTuple:
		if t != nil && isStruct(t) {
			buf = append(buf, '{')
			for i, e := range v.elems {
				if i > 0 {
					buf = append(buf, ',')
				}
				buf = appendJSONString(buf, t.Fields[i])
				buf = append(buf, ':')
				buf = appendJSON(buf, e, t.Elems[i])
			}
			return append(buf, '}')
		}
		buf = append(buf, '[')
		for i, e := range v.elems {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSON(buf, e, elemType(t, i))
		}
		return append(buf, ']')
	}
	return append(buf, "null"...)
}

// appendJSONString appends s as a JSON string literal.
func appendJSONString(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			buf = append(buf, '\\', byte(r))
		case r < 0x20:
			buf = append(buf, '\\', 'u', '0', '0', hex[r>>4], hex[r&15])
		default:
			buf = utf8.AppendRune(buf, r)
		}
	}
	return append(buf, '"')
}

// nonFinite reads the strings EncodeJSON writes for the Reals JSON
// lacks: "NaN", "+Inf", "-Inf".
func nonFinite(s string) (float64, bool) {
	switch s {
	case "NaN":
		return math.NaN(), true
	case "+Inf":
		return math.Inf(1), true
	case "-Inf":
		return math.Inf(-1), true
	}
	return 0, false
}
