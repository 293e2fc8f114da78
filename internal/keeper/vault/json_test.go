package vault

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
)

// The worked example of create-user's credential record (email
// jane.doe@example.com, server keepersecurity.com), as Commander's
// extract_typed_record_data + get_record_data_json_bytes serialize it.
const (
	janeJSON   = `{"type": "login", "title": "Keeper Account: jane.doe@example.com", "notes": "The user is required to change their Master Password upon login.", "fields": [{"type": "login", "value": ["jane.doe@example.com"]}, {"type": "password", "value": ["Xq7#mV2p!Lr9@tB4zK1w"]}, {"type": "url", "value": ["https://keepersecurity.com/vault#email/jane.doe@example.com"]}], "custom": []}`
	janeCustom = `[{"type": "url", "value": ["https://keepersecurity.com/vault/share/#AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"], "label": "One-Time Share"}]`
)

func janeRecord() *TypedRecord {
	return NewLogin("Keeper Account: jane.doe@example.com", "jane.doe@example.com", "Xq7#mV2p!Lr9@tB4zK1w",
		"https://keepersecurity.com/vault#email/jane.doe@example.com", "The user is required to change their Master Password upon login.")
}

func TestRecordDataVector(t *testing.T) {
	rec := janeRecord()
	b, err := RecordData(rec)
	if err != nil {
		t.Fatal(err)
	}
	if len(janeJSON) != 371 || len(b) != 384 || string(b[:371]) != janeJSON || strings.Trim(string(b[371:]), " ") != "" {
		t.Fatalf("record data (%d bytes):\n%s", len(b), b)
	}
	ct, _ := crypto.EncryptAESv2(b, crypto.GenerateAESKey())
	if len(ct) != 412 {
		t.Fatalf("RecordAdd.data is %d bytes", len(ct))
	}
	clientKey := make([]byte, 32)
	for i := range clientKey {
		clientKey[i] = byte(i)
	}
	link, err := ShareURL("keepersecurity.com", clientKey, false)
	if err != nil {
		t.Fatal(err)
	}
	rec.Custom = append(rec.Custom, NewField("url", link, "One-Time Share"))
	b, _ = RecordData(rec)
	want := strings.TrimSuffix(janeJSON, `"custom": []}`) + `"custom": ` + janeCustom + "}"
	if len(want) != 511 || len(b) != 512 || string(b[:511]) != want {
		t.Fatalf("updated record data (%d bytes):\n%s", len(b), b)
	}
	ct, _ = crypto.EncryptAESv2(b, crypto.GenerateAESKey())
	if len(ct) != 540 {
		t.Fatalf("RecordUpdate.data is %d bytes", len(ct))
	}
}

func TestPad(t *testing.T) {
	for in, want := range map[int]int{0: 384, 383: 384, 384: 384, 385: 400, 400: 400, 401: 416} {
		if got := len(Pad(bytes.Repeat([]byte{'x'}, in))); got != want {
			t.Errorf("pad %d: %d, want %d", in, got, want)
		}
	}
}

// TestPyString: Python json.dumps (ensure_ascii) escaping.
func TestPyString(t *testing.T) {
	for in, want := range map[string]string{
		`a/b "q" \`:        `"a/b \"q\" \\"`,
		"tab\tnl\ncr\r":    `"tab\tnl\ncr\r"`,
		"\b\f\x01\x1f\x7f": `"\b\f\u0001\u001f\u007f"`,
		"café <&>":         `"caf\u00e9 <&>"`,
		"😀":                `"\ud83d\ude00"`,
		"\xff":             `"\ufffd"`,
	} {
		var b bytes.Buffer
		pyString(&b, in)
		if b.String() != want {
			t.Errorf("%q: %s, want %s", in, b.String(), want)
		}
		var back string
		if err := json.Unmarshal(b.Bytes(), &back); err != nil || (in != "\xff" && back != in) {
			t.Errorf("%q does not read back: %q %v", in, back, err)
		}
	}
}

// TestParseTypedRecordRoundTrip: fields of any JSON shape survive a parse
// and a re-serialization byte for byte (object key order, numbers,
// nested values), and padding is tolerated.
func TestParseTypedRecordRoundTrip(t *testing.T) {
	src := `{"type": "bankCard", "title": "Visa \u00e9", "notes": "", "fields": [{"type": "paymentCard", "value": [{"cardNumber": "4111", "cardExpirationDate": "01/30", "cardSecurityCode": "123"}]}, {"type": "text", "value": [1, 2.50, true, null, "x"], "label": "Mixed", "required": true}, {"type": "pinCode", "value": []}], "custom": [{"type": "url", "value": ["https://a/b"], "label": "One-Time Share"}]}`
	rec, err := ParseTypedRecord(Pad([]byte(src)))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Type != "bankCard" || rec.Title != "Visa é" || len(rec.Fields) != 3 || !rec.Fields[1].Required || rec.Fields[1].Label != "Mixed" {
		t.Fatalf("%+v", rec)
	}
	if f := rec.CustomField("url", "One-Time Share"); f == nil || f.Value[0] != "https://a/b" {
		t.Fatalf("custom field %+v", f)
	}
	b, err := RecordData(rec)
	if err != nil {
		t.Fatal(err)
	}
	// null is dropped from value lists, as extract_typed_field skips None.
	want := strings.Replace(src, "true, null, ", "true, ", 1)
	if got := string(bytes.TrimRight(b, " ")); got != want {
		t.Fatalf("round trip\n got %s\nwant %s", got, want)
	}
	// A scalar value becomes a one-element list; wrong-typed strings read empty.
	rec, err = ParseTypedRecord([]byte(`{"type": 5, "title": "t", "fields": [{"type": "login", "value": "solo"}]}`))
	if err != nil || rec.Type != "" || !reflect.DeepEqual(rec.Fields[0].Value, []any{"solo"}) {
		t.Fatalf("%+v %v", rec, err)
	}
	if _, err := ParseTypedRecord([]byte("not json")); err == nil {
		t.Fatal("garbage parsed")
	}
}

func TestPyJSONOrderedMap(t *testing.T) {
	b, err := PyJSON(OrderedMap{{"title", "Keeper Account: a@b.c"}, {"record_type", "login"}, {"url", "keepersecurity.com/vault"},
		{"n", 3}, {"list", []string{"x", "y"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"title": "Keeper Account: a@b.c", "record_type": "login", "url": "keepersecurity.com/vault", "n": 3, "list": ["x", "y"]}`
	if string(b) != want {
		t.Fatalf("%s", b)
	}
}

func TestPasswordAndFields(t *testing.T) {
	rec := janeRecord()
	r := &Record{Typed: rec}
	if pw, ok := r.Password(); !ok || pw != "Xq7#mV2p!Lr9@tB4zK1w" {
		t.Fatal(pw)
	}
	rec.Fields = rec.Fields[:1]
	rec.Custom = []Field{NewField("password", "from-custom", "Alt")}
	if pw, _ := r.Password(); pw != "from-custom" {
		t.Fatal(pw)
	}
	rec.Custom = []Field{{Type: "password", Value: []any{json.RawMessage(`{"x":1}`)}}}
	if _, ok := r.Password(); ok {
		t.Fatal("a non-string password value is not a password")
	}
	if pw, ok := (&Record{Legacy: &LegacyRecord{Password: "legacy"}}).Password(); !ok || pw != "legacy" {
		t.Fatal(pw)
	}
	c := janeRecord()
	d := c.Clone()
	d.Fields[1].Value[0] = "changed"
	if s, _ := c.Fields[1].First(); s != "Xq7#mV2p!Lr9@tB4zK1w" {
		t.Fatal("Clone shares field values")
	}
}
