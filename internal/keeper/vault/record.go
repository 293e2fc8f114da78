package vault

import (
	"bytes"
	"encoding/json"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/recordspb"
	"github.com/keeper-go/keeper/internal/keeper/pb/vaultpb"
)

// Record is a decryptable record of the vault.
type Record struct {
	UID            string
	Revision       int64
	Version        int32 // 2 legacy, 3 typed, 4 file, 5 application, 6 typed
	Shared         bool
	ClientModified int64 // epoch ms
	Key            []byte
	// KeyType is the meta data's key type; 0 when the key came from a
	// shared folder (SharedFolderUID).
	KeyType         recordspb.RecordKeyType
	SharedFolderUID string
	Owner           bool
	CanEdit         bool
	CanShare        bool

	// Title is read from the data of any version ("" if it does not
	// decrypt).
	Title string
	// Typed is the data of a typed record (versions 3 and 6).
	Typed *TypedRecord
	// Legacy is the data of a version 2 record.
	Legacy *LegacyRecord
	// DataErr says why the data could not be read (the record can then
	// not be updated or shared).
	DataErr error

	raw *vaultpb.Record
}

// LegacyRecord is the data of a version 2 ("password") record.
type LegacyRecord struct {
	Title    string `json:"title"`
	Login    string `json:"secret1"`
	Password string `json:"secret2"`
	Link     string `json:"link"`
	Notes    string `json:"notes"`
}

func newRecord(id string, raw *vaultpb.Record, key []byte) *Record {
	r := &Record{UID: id, Revision: raw.Revision, Version: raw.Version, Shared: raw.Shared,
		ClientModified: raw.ClientModifiedTime, Key: key, raw: raw}
	var plain []byte
	var err error
	if raw.Version >= 3 {
		plain, err = crypto.DecryptAESv2(raw.Data, key)
	} else {
		plain, err = crypto.DecryptAESv1(raw.Data, key)
	}
	if err != nil {
		r.DataErr = err
		return r
	}
	switch raw.Version {
	case 3, 6:
		r.Typed, r.DataErr = ParseTypedRecord(plain)
		if r.Typed != nil {
			r.Title = r.Typed.Title
		}
	case 0, 1, 2:
		var l LegacyRecord
		if r.DataErr = json.Unmarshal(bytes.TrimRight(plain, " "), &l); r.DataErr == nil {
			r.Legacy, r.Title = &l, l.Title
		}
	default:
		var d struct {
			Title string `json:"title"`
		}
		if json.Unmarshal(bytes.TrimRight(plain, " "), &d) == nil {
			r.Title = d.Title
		}
	}
	return r
}

func (r *Record) setAccess(m *vaultpb.RecordMetaData, sharedFolder string) {
	r.KeyType, r.SharedFolderUID = 0, sharedFolder
	r.Owner, r.CanEdit, r.CanShare = false, false, false
	if sharedFolder == "" && m != nil {
		r.KeyType, r.Owner, r.CanEdit, r.CanShare = m.RecordKeyType, m.Owner, m.CanEdit, m.CanShare
	}
}

// Password is the record's password: the first field of type password
// in fields then custom (value 0, a string) of a typed record, secret2 of
// a legacy one, as Commander's BreachWatch.extract_password reads it.
func (r *Record) Password() (string, bool) {
	switch {
	case r.Typed != nil:
		if f := r.Typed.Field("password"); f != nil {
			if s, ok := f.First(); ok {
				return s, true
			}
		}
	case r.Legacy != nil && r.Legacy.Password != "":
		return r.Legacy.Password, true
	}
	return "", false
}

// TypedRecord is the JSON data of a typed (v3) record.
type TypedRecord struct {
	Type   string
	Title  string
	Notes  string
	Fields []Field
	Custom []Field
}

// Field is a typed record field. Value elements are strings, or
// json.RawMessage for any other JSON value (kept as received).
type Field struct {
	Type     string
	Label    string
	Required bool
	Value    []any
}

// NewField is a field with one string value (TypedField.new_field).
func NewField(typ, value, label string) Field {
	return Field{Type: typ, Label: label, Value: []any{value}}
}

// First returns the first value if it is a string.
func (f *Field) First() (string, bool) {
	if len(f.Value) == 0 {
		return "", false
	}
	s, ok := f.Value[0].(string)
	return s, ok
}

// Field returns the first field of a type in fields, then custom.
func (t *TypedRecord) Field(typ string) *Field {
	for i := range t.Fields {
		if t.Fields[i].Type == typ {
			return &t.Fields[i]
		}
	}
	for i := range t.Custom {
		if t.Custom[i].Type == typ {
			return &t.Custom[i]
		}
	}
	return nil
}

// CustomField returns the first custom field with a label (exact), or nil.
func (t *TypedRecord) CustomField(typ, label string) *Field {
	for i := range t.Custom {
		if t.Custom[i].Type == typ && t.Custom[i].Label == label {
			return &t.Custom[i]
		}
	}
	return nil
}

// Clone returns a deep copy (field values are shared, they are not
// modified in place).
func (t *TypedRecord) Clone() *TypedRecord {
	c := *t
	c.Fields = cloneFields(t.Fields)
	c.Custom = cloneFields(t.Custom)
	return &c
}

func cloneFields(fs []Field) []Field {
	if fs == nil {
		return nil
	}
	out := make([]Field, len(fs))
	for i, f := range fs {
		f.Value = append([]any(nil), f.Value...)
		out[i] = f
	}
	return out
}

// NewLogin builds a typed login record as Commander's LoginFacade does:
// type login, fields login, password and url (one string each, no labels),
// and no custom fields.
func NewLogin(title, login, password, url, notes string) *TypedRecord {
	return &TypedRecord{Type: "login", Title: title, Notes: notes, Fields: []Field{
		NewField("login", login, ""), NewField("password", password, ""), NewField("url", url, ""),
	}}
}

// ParseTypedRecord reads typed record JSON (trailing padding allowed).
// Strings of the wrong JSON type read as empty; a value that is not a list
// becomes a one-element list.
func ParseTypedRecord(data []byte) (*TypedRecord, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(bytes.TrimRight(data, " \t\r\n"), &raw); err != nil {
		return nil, err
	}
	t := &TypedRecord{Type: jsonString(raw["type"]), Title: jsonString(raw["title"]), Notes: jsonString(raw["notes"])}
	t.Fields = parseFields(raw["fields"])
	t.Custom = parseFields(raw["custom"])
	return t, nil
}

func jsonString(b json.RawMessage) string {
	var s string
	if json.Unmarshal(b, &s) != nil {
		return ""
	}
	return s
}

func parseFields(b json.RawMessage) []Field {
	var list []map[string]json.RawMessage
	if json.Unmarshal(b, &list) != nil {
		return nil
	}
	out := make([]Field, 0, len(list))
	for _, m := range list {
		f := Field{Type: jsonString(m["type"]), Label: jsonString(m["label"])}
		_ = json.Unmarshal(m["required"], &f.Required)
		var items []json.RawMessage
		if v := bytes.TrimSpace(m["value"]); len(v) > 0 && string(v) != "null" {
			if json.Unmarshal(v, &items) != nil {
				items = []json.RawMessage{v}
			}
		}
		for _, it := range items {
			var s string
			switch {
			case string(bytes.TrimSpace(it)) == "null":
			case json.Unmarshal(it, &s) == nil:
				f.Value = append(f.Value, s)
			default:
				f.Value = append(f.Value, append(json.RawMessage(nil), it...))
			}
		}
		out = append(out, f)
	}
	return out
}
