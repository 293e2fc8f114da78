package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// minRecordData is the smallest padded size of typed record data.
const minRecordData = 384

// RecordData serializes a typed record the way Commander's
// vault_extensions.extract_typed_record_data and
// api.get_record_data_json_bytes do, byte for byte: keys type, title,
// notes, fields, custom; each field type, value, then label if set and
// "required": true if set; Python json.dumps spacing (", " and ": "),
// non-ASCII escaped as \uXXXX, "/" not escaped; then right-padded with
// spaces to max(384, length) rounded up to a multiple of 16.
func RecordData(t *TypedRecord) ([]byte, error) {
	var b bytes.Buffer
	typ := t.Type
	if typ == "" {
		typ = "login"
	}
	b.WriteString(`{"type": `)
	pyString(&b, typ)
	b.WriteString(`, "title": `)
	pyString(&b, t.Title)
	b.WriteString(`, "notes": `)
	pyString(&b, t.Notes)
	b.WriteString(`, "fields": `)
	if err := pyFields(&b, t.Fields); err != nil {
		return nil, err
	}
	b.WriteString(`, "custom": `)
	if err := pyFields(&b, t.Custom); err != nil {
		return nil, err
	}
	b.WriteByte('}')
	return Pad(b.Bytes()), nil
}

// Pad right-pads record JSON with spaces to max(384, len) rounded up to a
// multiple of 16 (AES-GCM leaks the plaintext length).
func Pad(data []byte) []byte {
	n := max(minRecordData, len(data))
	n = (n + 15) / 16 * 16
	return append(data, bytes.Repeat([]byte{' '}, n-len(data))...)
}

func pyFields(b *bytes.Buffer, fs []Field) error {
	b.WriteByte('[')
	for i, f := range fs {
		if i > 0 {
			b.WriteString(", ")
		}
		typ := f.Type
		if typ == "" {
			typ = "text"
		}
		b.WriteString(`{"type": `)
		pyString(b, typ)
		b.WriteString(`, "value": [`)
		n := 0
		for _, v := range f.Value {
			if v == nil {
				continue
			}
			if n > 0 {
				b.WriteString(", ")
			}
			n++
			if err := pyAny(b, v); err != nil {
				return fmt.Errorf("field %s: %w", typ, err)
			}
		}
		b.WriteByte(']')
		if f.Label != "" {
			b.WriteString(`, "label": `)
			pyString(b, f.Label)
		}
		if f.Required {
			b.WriteString(`, "required": true`)
		}
		b.WriteByte('}')
	}
	b.WriteByte(']')
	return nil
}

// PyJSON encodes v as Python's json.dumps does with its defaults (used for
// small JSON documents Commander builds with json.dumps, such as audit
// data). Map keys keep no order, so pass ordered values (OrderedMap) where
// the order matters.
func PyJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := pyAny(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// OrderedMap is a JSON object whose keys keep their order.
type OrderedMap []KV

// KV is one key of an OrderedMap.
type KV struct {
	Key   string
	Value any
}

func pyAny(b *bytes.Buffer, v any) error {
	switch t := v.(type) {
	case string:
		pyString(b, t)
	case OrderedMap:
		b.WriteByte('{')
		for i, kv := range t {
			if i > 0 {
				b.WriteString(", ")
			}
			pyString(b, kv.Key)
			b.WriteString(": ")
			if err := pyAny(b, kv.Value); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case json.RawMessage:
		return pyRaw(b, t)
	default:
		raw, err := json.Marshal(v)
		if err != nil {
			return err
		}
		return pyRaw(b, raw)
	}
	return nil
}

// pyRaw re-emits a JSON document in Python's json.dumps style, keeping the
// order of object keys and the text of numbers.
func pyRaw(b *bytes.Buffer, raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := pyToken(b, dec); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after JSON value")
	}
	return nil
}

func pyToken(b *bytes.Buffer, dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		end := json.Delim(']')
		if t == '{' {
			end = '}'
		}
		b.WriteByte(byte(t))
		for i := 0; dec.More(); i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			if t == '{' {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				pyString(b, k.(string))
				b.WriteString(": ")
			}
			if err := pyToken(b, dec); err != nil {
				return err
			}
		}
		if tok, err := dec.Token(); err != nil || tok != end {
			return errors.New("malformed JSON")
		}
		b.WriteByte(byte(end))
	case string:
		pyString(b, t)
	case json.Number:
		b.WriteString(t.String())
	case bool:
		if t {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case nil:
		b.WriteString("null")
	}
	return nil
}

// pyString writes s as Python's json.dumps (ensure_ascii) does: \" \\ \n
// \r \t \b \f, every other character outside ' '..'~' as \uXXXX (lower-case
// hex, UTF-16 surrogate pairs above U+FFFF). Invalid UTF-8 becomes U+FFFD.
func pyString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	u := func(r rune) {
		b.WriteString(`\u`)
		b.WriteByte(hex[r>>12&0xf])
		b.WriteByte(hex[r>>8&0xf])
		b.WriteByte(hex[r>>4&0xf])
		b.WriteByte(hex[r&0xf])
	}
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r >= ' ' && r <= '~':
			b.WriteRune(r)
		case r > 0xFFFF:
			r -= 0x10000
			u(0xD800 + (r>>10)&0x3FF)
			u(0xDC00 + r&0x3FF)
		default:
			u(r)
		}
	}
	b.WriteByte('"')
}
