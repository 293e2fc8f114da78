package report

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"
)

// goldenCase is one entry of testdata/cases.json; the expected outputs in
// testdata/golden.json were produced by Commander's own dump_report_data
// (see testdata/gen_golden.py).
type goldenCase struct {
	Name      string   `json:"name"`
	Title     string   `json:"title"`
	RowNumber bool     `json:"row_number"`
	Headers   []string `json:"headers"`
	Rows      [][]any  `json:"rows"`
}

func loadGolden(t *testing.T) ([]goldenCase, map[string]map[string]string) {
	t.Helper()
	raw, err := os.ReadFile("testdata/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var cases []goldenCase
	if err := dec.Decode(&cases); err != nil {
		t.Fatal(err)
	}
	raw, err = os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden map[string]map[string]string
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	return cases, golden
}

// convertDates turns {"$dt": "..."} markers into time.Time values.
func convertDates(t *testing.T, v any) any {
	switch x := v.(type) {
	case map[string]any:
		ts, err := time.Parse("2006-01-02T15:04:05.999999", x["$dt"].(string))
		if err != nil {
			t.Fatal(err)
		}
		return ts
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = convertDates(t, e)
		}
		return out
	}
	return v
}

func TestGoldenAgainstCommander(t *testing.T) {
	cases, golden := loadGolden(t)
	for _, c := range cases {
		rows := make([][]any, len(c.Rows))
		for i, r := range c.Rows {
			rows[i] = convertDates(t, []any(r)).([]any)
		}
		rep := Report{Title: c.Title, Headers: c.Headers, Rows: rows, RowNumbers: c.RowNumber}
		want, ok := golden[c.Name]
		if !ok {
			t.Fatalf("no golden output for %s", c.Name)
		}
		for _, f := range allFormats() {
			exp, ok := want[string(f)]
			if !ok {
				continue
			}
			t.Run(c.Name+"/"+string(f), func(t *testing.T) {
				var out, errw bytes.Buffer
				if err := Render(&out, &errw, rep, Options{Format: f}); err != nil {
					t.Fatal(err)
				}
				if out.String() != exp {
					t.Errorf("mismatch\n got: %q\nwant: %q", out.String(), exp)
				}
				if errw.Len() != 0 {
					t.Errorf("unexpected stderr %q", errw.String())
				}
			})
		}
	}
}
