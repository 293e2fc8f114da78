package report

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// kind is the Python-level type a Go cell value maps to.
type kind int

const (
	kNone  kind = iota // nil, nil pointer
	kBool              // bool
	kInt               // any integer; digits kept in cell.s
	kFloat             // float32/float64
	kText              // string, fmt.Stringer, error, anything else
	kTime              // time.Time
	kList              // slice or array (except []byte)
	kDict              // Dict: keys in keys, values in list
)

// cell is a report value normalised once, so every format sees the same thing.
type cell struct {
	kind kind
	s    string // kText: text; kInt: decimal digits
	b    bool
	f    float64
	t    time.Time
	list []cell
	keys []string // kDict
}

// normalize maps an arbitrary Go value onto a cell.
func normalize(v any) cell {
	switch x := v.(type) {
	case nil:
		return cell{kind: kNone}
	case cell:
		return x
	case time.Time:
		return cell{kind: kTime, t: x}
	case *time.Time:
		if x == nil {
			return cell{kind: kNone}
		}
		return cell{kind: kTime, t: *x}
	case json.Number:
		if isPyInt(string(x)) {
			return cell{kind: kInt, s: string(x)}
		}
		if f, err := strconv.ParseFloat(string(x), 64); err == nil {
			return cell{kind: kFloat, f: f}
		}
		return cell{kind: kText, s: string(x)}
	case []byte:
		return cell{kind: kText, s: base64.RawURLEncoding.EncodeToString(x)}
	case Dict:
		return normalizeDict(x)
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return cell{kind: kNone}
		}
		rv = rv.Elem()
	}
	if rv.CanInterface() {
		switch x := rv.Interface().(type) {
		case time.Time:
			return cell{kind: kTime, t: x}
		case fmt.Stringer:
			return cell{kind: kText, s: x.String()}
		case error:
			return cell{kind: kText, s: x.Error()}
		}
	}
	switch rv.Kind() {
	case reflect.Bool:
		return cell{kind: kBool, b: rv.Bool()}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return cell{kind: kInt, s: strconv.FormatInt(rv.Int(), 10)}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return cell{kind: kInt, s: strconv.FormatUint(rv.Uint(), 10)}
	case reflect.Float32, reflect.Float64:
		return cell{kind: kFloat, f: rv.Float()}
	case reflect.String:
		return cell{kind: kText, s: rv.String()}
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return cell{kind: kList}
		}
		if rv.Type().Elem().Kind() == reflect.Uint8 && rv.Kind() == reflect.Slice {
			return cell{kind: kText, s: base64.RawURLEncoding.EncodeToString(rv.Bytes())}
		}
		out := cell{kind: kList, list: make([]cell, rv.Len())}
		for i := range out.list {
			out.list[i] = normalize(rv.Index(i).Interface())
		}
		return out
	}
	return cell{kind: kText, s: fmt.Sprint(v)}
}

// str renders a cell the way Python's str() would (CSV, text table columns).
func (c cell) str() string {
	switch c.kind {
	case kNone:
		return ""
	case kBool:
		return pyBool(c.b)
	case kInt, kText:
		return c.s
	case kFloat:
		return pyRepr(c.f)
	case kTime:
		return pyTime(c.t, " ", false)
	case kList:
		parts := make([]string, len(c.list))
		for i, e := range c.list {
			parts[i] = e.str()
		}
		return strings.Join(parts, "\n")
	case kDict:
		return c.repr()
	}
	return c.s
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// pyTime formats like Python's datetime.isoformat(sep): microseconds only when
// non-zero; the UTC offset only when withOffset is set (JSON).
func pyTime(t time.Time, sep string, withOffset bool) string {
	layout := "2006-01-02" + sep + "15:04:05"
	if t.Nanosecond()/1000 != 0 {
		layout += ".000000"
	}
	if withOffset {
		layout += "-07:00"
	}
	return t.Format(layout)
}

// pyRepr formats a float like Python's repr(): shortest round-trip digits,
// fixed notation for exponents -4..15 with a trailing ".0" for integral
// values, otherwise "1e+16"-style exponent notation.
func pyRepr(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp < -4 || exp >= 16 {
		return e
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// pyG formats like Python's format(x, "g") (tabulate's default floatfmt).
func pyG(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', 6, 64)
}
