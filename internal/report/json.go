package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// renderJSON writes r as Commander's json.dumps(rows, indent=2) does: a list of
// objects keyed by the snake_case headers ("#NN" for a column without one, a
// "#" column left out), None and "" cells omitted, lists kept as arrays, times
// in ISO-8601, non-ASCII escaped as \uXXXX. When r.JSON is set that value is
// marshalled instead (explicit output structs keep the contract stable).
func renderJSON(buf *bytes.Buffer, r Report) error {
	if r.JSON != nil {
		indent := r.JSONIndent
		if indent <= 0 {
			indent = 2
		}
		b, err := PyDumps(r.JSON, indent)
		if err != nil {
			return fmt.Errorf("encode json report: %w", err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
		return nil
	}
	if len(r.Rows) == 0 {
		buf.WriteString("[]\n")
		return nil
	}
	buf.WriteString("[\n")
	for i, row := range r.Rows {
		if i > 0 {
			buf.WriteString(",\n")
		}
		writeJSONObject(buf, r.Headers, row)
	}
	buf.WriteString("\n]\n")
	return nil
}

// writeJSONObject writes one row as an object at indentation level 1.
func writeJSONObject(buf *bytes.Buffer, headers []string, row []any) {
	n := 0
	for i, v := range row {
		c := normalize(v)
		if c.kind == kNone || (c.kind == kText && c.s == "") {
			continue
		}
		name := fmt.Sprintf("#%02d", i)
		if i < len(headers) {
			name = headers[i]
		}
		if name == "#" {
			continue
		}
		if n == 0 {
			buf.WriteString("  {\n")
		} else {
			buf.WriteString(",\n")
		}
		n++
		buf.WriteString("    ")
		writeJSONString(buf, name)
		buf.WriteString(": ")
		writeJSONValue(buf, c, 2)
	}
	if n == 0 {
		buf.WriteString("  {}")
		return
	}
	buf.WriteString("\n  }")
}

// PyDumps marshals v as Python's json.dumps(v, indent=indent) does, without
// a final newline: with indent > 0 nested lines indented by that many
// spaces, with 0 one line separated by ", " and ": "; non-ASCII characters
// escaped (ensure_ascii) and <, >, & left alone. Commander prints whoami
// --json and this-device --format json this way.
func PyDumps(v any, indent int) ([]byte, error) {
	var tmp bytes.Buffer
	enc := json.NewEncoder(&tmp)
	enc.SetEscapeHTML(false)
	if indent > 0 {
		enc.SetIndent("", strings.Repeat(" ", indent))
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	b := bytes.TrimSuffix(tmp.Bytes(), []byte("\n"))
	if indent <= 0 {
		b = pySeparators(b)
	}
	return asciiEscape(b), nil
}

// pySeparators puts a blank after every comma and colon of compact JSON
// that is outside a string.
func pySeparators(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/8)
	inString, escaped := false, false
	for _, c := range b {
		out = append(out, c)
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && (c == ',' || c == ':'):
			out = append(out, ' ')
		}
	}
	return out
}

// writeJSONValue writes c; level is the current indentation depth.
func writeJSONValue(buf *bytes.Buffer, c cell, level int) {
	switch c.kind {
	case kNone:
		buf.WriteString("null")
	case kBool:
		if c.b {
			buf.WriteString("true")
		} else {
			buf.WriteString("false")
		}
	case kInt:
		buf.WriteString(c.s)
	case kFloat:
		if math.IsNaN(c.f) || math.IsInf(c.f, 0) {
			buf.WriteString("null") // Python would write NaN/Infinity, which is not JSON
		} else {
			buf.WriteString(pyRepr(c.f))
		}
	case kTime:
		writeJSONString(buf, pyTime(c.t, "T", true))
	case kList:
		if len(c.list) == 0 {
			buf.WriteString("[]")
			return
		}
		inner := strings.Repeat("  ", level+1)
		buf.WriteString("[\n")
		for i, e := range c.list {
			if i > 0 {
				buf.WriteString(",\n")
			}
			buf.WriteString(inner)
			writeJSONValue(buf, e, level+1)
		}
		buf.WriteString("\n" + strings.Repeat("  ", level) + "]")
	case kDict:
		if len(c.list) == 0 {
			buf.WriteString("{}")
			return
		}
		inner := strings.Repeat("  ", level+1)
		buf.WriteString("{\n")
		for i, e := range c.list {
			if i > 0 {
				buf.WriteString(",\n")
			}
			buf.WriteString(inner)
			writeJSONString(buf, c.keys[i])
			buf.WriteString(": ")
			writeJSONValue(buf, e, level+1)
		}
		buf.WriteString("\n" + strings.Repeat("  ", level) + "}")
	default:
		writeJSONString(buf, c.s)
	}
}

// writeJSONString writes s quoted with Python's ensure_ascii escaping.
func writeJSONString(buf *bytes.Buffer, s string) {
	buf.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			buf.WriteString(`\"`)
		case '\\':
			buf.WriteString(`\\`)
		case '\n':
			buf.WriteString(`\n`)
		case '\r':
			buf.WriteString(`\r`)
		case '\t':
			buf.WriteString(`\t`)
		case '\b':
			buf.WriteString(`\b`)
		case '\f':
			buf.WriteString(`\f`)
		default:
			if r < 0x20 || r >= 0x7f {
				writeUnicodeEscape(buf, r)
			} else {
				buf.WriteRune(r)
			}
		}
	}
	buf.WriteByte('"')
}

// asciiEscape rewrites already valid JSON so that every non-ASCII character
// (and DEL) becomes a \uXXXX escape, as Python's ensure_ascii does. Such
// characters can only occur inside strings, so a byte scan is enough.
func asciiEscape(b []byte) []byte {
	var out bytes.Buffer
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r < 0x7f && n == 1 {
			out.WriteByte(b[0])
		} else {
			writeUnicodeEscape(&out, r)
		}
		b = b[n:]
	}
	return out.Bytes()
}

func writeUnicodeEscape(buf *bytes.Buffer, r rune) {
	if r > 0xffff {
		hi, lo := utf16.EncodeRune(r)
		fmt.Fprintf(buf, `\u%04x\u%04x`, hi, lo)
		return
	}
	fmt.Fprintf(buf, `\u%04x`, r)
}
