package vault

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzTypedRecordData: any decrypted record data parses without panic;
// what parses serializes to valid JSON that parses to the same record.
func FuzzTypedRecordData(f *testing.F) {
	f.Add([]byte(janeJSON))
	f.Add([]byte(`{"type": "x", "fields": [{"type": "a", "value": [{"k": [1, 2.5e3, null]}, "s\u00e9"]}], "custom": 5}`))
	f.Add([]byte(`{"fields": [{"value": "scalar", "required": "no"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := ParseTypedRecord(data)
		if err != nil {
			return
		}
		out, err := RecordData(rec)
		if err != nil {
			return
		}
		if !json.Valid(out) || len(out) < minRecordData || len(out)%16 != 0 {
			t.Fatalf("invalid output %q", out)
		}
		again, err := ParseTypedRecord(out)
		if err != nil {
			t.Fatal(err)
		}
		out2, err := RecordData(again)
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("not stable:\n%s\n%s", out, out2)
		}
	})
}
