package value

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/rose-go/rose/ir"
)

// FromGo converts v, Go data in the JSON shapes of DecodeJSON (slices or
// arrays for Rose arrays and tuples, structs or string-keyed maps for
// Rose structs, numbers, bools; json.RawMessage is decoded), to a Value
// of type t. It is DecodeJSON without the JSON: a harness that has
// decoded its input into Go structs passes them on without encoding and
// parsing them again. An integral float (up to 2^53, where float64 is
// exact) is accepted as an Int, as a JSON number would be; a json.Number
// is read exactly; and "NaN", "+Inf" and "-Inf" as Reals, as EncodeJSON
// writes them. Errors have DecodeJSON's form: the path to the value
// and what was expected.
func FromGo(t *ir.Type, v any) (Value, error) {
	var path []string
	out, err := fromGo(t, reflect.ValueOf(v), &path)
	if err != nil {
		if len(path) > 0 {
			return Value{}, fmt.Errorf("%s: %v", strings.Join(path, ""), err)
		}
		return Value{}, err
	}
	return out, nil
}

// ArgsFromGo converts one Go value per parameter, as FromGo does for each;
// errors name the argument (from 1) and its type.
func ArgsFromGo(params []*ir.Type, args []any) ([]Value, error) {
	if len(args) != len(params) {
		return nil, fmt.Errorf("expected %d arguments, got %d", len(params), len(args))
	}
	out := make([]Value, len(args))
	for i, a := range args {
		v, err := FromGo(params[i], a)
		if err != nil {
			return nil, fmt.Errorf("argument %d (%s): %v", i+1, params[i], err)
		}
		out[i] = v
	}
	return out, nil
}

var (
	rawMessage = reflect.TypeFor[json.RawMessage]()
	jsonNumber = reflect.TypeFor[json.Number]()
)

// fromGo converts rv; on an error, path holds the steps to the failing
// value, outermost first.
func fromGo(t *ir.Type, rv reflect.Value, path *[]string) (Value, error) {
	for rv.IsValid() && (rv.Kind() == reflect.Interface || rv.Kind() == reflect.Pointer) {
		if rv.IsNil() {
			rv = reflect.Value{}
			break
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return Value{}, fmt.Errorf("expected %s, got null", t)
	}
	switch rv.Type() {
	case rawMessage:
		return DecodeJSON(t, rv.Bytes())
	case jsonNumber:
		// Exact, as the JSON it was read from.
		return DecodeJSON(t, []byte(rv.String()))
	}
	switch t.Kind {
	case ir.KReal:
		switch {
		case rv.CanFloat():
			return Real(rv.Float()), nil
		case rv.CanInt():
			return Real(float64(rv.Int())), nil
		case rv.CanUint():
			return Real(float64(rv.Uint())), nil
		case rv.Kind() == reflect.String:
			if x, ok := nonFinite(rv.String()); ok {
				return Real(x), nil
			}
		}
		return Value{}, fmt.Errorf("expected a number, got %s", goKind(rv))
	case ir.KInt:
		switch {
		case rv.CanInt():
			return Int(rv.Int()), nil
		case rv.CanUint() && rv.Uint() <= math.MaxInt64:
			return Int(int64(rv.Uint())), nil
		case rv.CanFloat():
			// Only where a float64 holds every integer: beyond, it may
			// not be the number that was written (decode with
			// json.Decoder.UseNumber for those).
			f := rv.Float()
			if f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
				return Int(int64(f)), nil
			}
			return Value{}, fmt.Errorf("expected an integer, got %v", f)
		}
		return Value{}, fmt.Errorf("expected an integer, got %s", goKind(rv))
	case ir.KBool:
		if rv.Kind() == reflect.Bool {
			return Bool(rv.Bool()), nil
		}
		return Value{}, fmt.Errorf("expected true or false, got %s", goKind(rv))
	case ir.KArray:
		if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
			return Value{}, fmt.Errorf("expected an array of %d, got %s", t.Len, goKind(rv))
		}
		if rv.Len() != t.Len {
			return Value{}, fmt.Errorf("expected an array of %d, got %d elements", t.Len, rv.Len())
		}
		if xs, ok := rv.Interface().([]float64); ok && t.Elem.Kind == ir.KReal {
			elems := make([]Value, len(xs))
			for i, x := range xs {
				elems[i] = Real(x)
			}
			return Array(elems...), nil
		}
		elems := make([]Value, t.Len)
		for i := range elems {
			e, err := fromGo(t.Elem, rv.Index(i), path)
			if err != nil {
				*path = append([]string{"[" + strconv.Itoa(i) + "]"}, *path...)
				return Value{}, err
			}
			elems[i] = e
		}
		return Array(elems...), nil
	}
	// A tuple: a struct's fields by name, or a plain tuple's by position.
	elems := make([]Value, len(t.Elems))
	if isStruct(t) {
		if rv.Kind() != reflect.Struct && rv.Kind() != reflect.Map {
			return Value{}, fmt.Errorf("expected %s, got %s", t, goKind(rv))
		}
		if rv.Kind() == reflect.Map {
			// A map is a JSON object: every member must be a field, as
			// DecodeJSON has it (a Go struct may have more fields).
			for _, k := range rv.MapKeys() {
				if k.Kind() != reflect.String || !slices.Contains(t.Fields, k.String()) {
					return Value{}, fmt.Errorf("unknown field %q, want %s", fmt.Sprint(k.Interface()), describeFields(t))
				}
			}
		}
		for i, name := range t.Fields {
			fv, ok := GoField(rv, name)
			if !ok {
				return Value{}, fmt.Errorf("missing field %s of %s", name, t)
			}
			e, err := fromGo(t.Elems[i], fv, path)
			if err != nil {
				*path = append([]string{"." + name}, *path...)
				return Value{}, err
			}
			elems[i] = e
		}
		return Tuple(elems...), nil
	}
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array || rv.Len() != len(t.Elems) {
		return Value{}, fmt.Errorf("expected a tuple of %d, got %s", len(t.Elems), goKind(rv))
	}
	for i := range elems {
		e, err := fromGo(t.Elems[i], rv.Index(i), path)
		if err != nil {
			*path = append([]string{"[" + strconv.Itoa(i) + "]"}, *path...)
			return Value{}, err
		}
		elems[i] = e
	}
	return Tuple(elems...), nil
}

// GoField finds the field name of a Go struct or string-keyed map, as
// encoding/json would match a JSON member: a struct field by its json
// tag, else by its name, case-insensitively. FromGo and the size
// inference of Go arguments (rose.Program.FuncExprGo) find fields alike.
func GoField(rv reflect.Value, name string) (reflect.Value, bool) {
	for rv.IsValid() && (rv.Kind() == reflect.Interface || rv.Kind() == reflect.Pointer) && !rv.IsNil() {
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return reflect.Value{}, false
		}
		v := rv.MapIndex(reflect.ValueOf(name).Convert(rv.Type().Key()))
		return v, v.IsValid()
	case reflect.Struct:
		rt := rv.Type()
		for i := range rt.NumField() {
			sf := rt.Field(i)
			if !sf.IsExported() {
				continue
			}
			tag, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if tag == name {
				return rv.Field(i), true
			}
		}
		for i := range rt.NumField() {
			sf := rt.Field(i)
			tag, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if sf.IsExported() && tag == "" && strings.EqualFold(sf.Name, name) {
				return rv.Field(i), true
			}
		}
	}
	return reflect.Value{}, false
}

// goKind names what a Go value is, for errors.
func goKind(rv reflect.Value) string {
	switch {
	case rv.CanFloat(), rv.CanInt(), rv.CanUint():
		return "a number"
	}
	switch rv.Kind() {
	case reflect.Bool:
		return "a bool"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array of " + strconv.Itoa(rv.Len())
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return rv.Kind().String()
}
