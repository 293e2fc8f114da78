package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mattn/go-runewidth"
	"github.com/spf13/pflag"
)

func TestFieldToTitle(t *testing.T) {
	cases := map[string]string{
		"company_id":      "Company ID",
		"record_uid":      "Record UID",
		"2fa_enabled":     "2FA Enabled",
		"ip_address":      "IP Address",
		"sso_url":         "Sso URL",
		"scim_id":         "SCIM ID",
		"node_name":       "Node Name",
		"EMAIL":           "Email",
		"__double__gap_":  "Double Gap",
		"":                "",
		"#":               "#",
		"userid":          "Userid",
		"ID":              "ID",
		"élan_vital":      "Élan Vital",
		"team_uid_list":   "Team UID List",
		"mc_enterprise_i": "Mc Enterprise I",
	}
	for in, want := range cases {
		if got := FieldToTitle(in); got != want {
			t.Errorf("FieldToTitle(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"table": Table, "csv": CSV, "json": JSON, " JSON ": JSON} {
		got, err := ParseFormat(in)
		if err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	_, err := ParseFormat("pdf")
	if err == nil || !strings.Contains(err.Error(), "table, csv, json") || !strings.Contains(err.Error(), `"pdf"`) {
		t.Fatalf("want error listing valid formats, got %v", err)
	}
}

func TestFlags(t *testing.T) {
	var o Options
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	fs.SetOutput(&bytes.Buffer{})
	o.AddFlags(fs)
	if o.Format != Table {
		t.Fatalf("default format %q", o.Format)
	}
	if f := fs.Lookup("format"); f == nil || f.DefValue != "table" || f.Usage != "output `FORMAT`: table, csv, json" {
		t.Fatalf("format flag %+v", f)
	}
	if err := fs.Parse([]string{"--format", "CSV", "--output", "out"}); err != nil {
		t.Fatal(err)
	}
	if o.Format != CSV || o.Output != "out" {
		t.Fatalf("parsed %+v", o)
	}

	var bad Options
	fs = pflag.NewFlagSet("x", pflag.ContinueOnError)
	fs.SetOutput(&bytes.Buffer{})
	bad.AddFlags(fs)
	err := fs.Parse([]string{"--format=xml"})
	if err == nil || !strings.Contains(err.Error(), "valid: table, csv, json") {
		t.Fatalf("unknown format must fail at parse time, got %v", err)
	}

	var j Options
	fs = pflag.NewFlagSet("x", pflag.ContinueOnError)
	fs.SetOutput(&bytes.Buffer{})
	j.AddFlagsFor(fs, Table, JSON)
	if err := fs.Parse([]string{"--format", "csv"}); err == nil || !strings.Contains(err.Error(), "valid: table, json") {
		t.Fatalf("restricted format: %v", err)
	}
}

func TestValidate(t *testing.T) {
	if err := (&Options{}).Validate(); err != nil {
		t.Fatalf("zero options: %v", err)
	}
	if err := (&Options{Format: "yaml"}).Validate(); err == nil {
		t.Fatal("yaml accepted")
	}
	var out bytes.Buffer
	if err := Render(&out, &out, Report{Headers: []string{"a"}}, Options{Format: "yaml"}); err == nil || out.Len() != 0 {
		t.Fatalf("render with bad format: %v, output %q", err, out.String())
	}
}

func TestOutputFile(t *testing.T) {
	dir := t.TempDir()
	rep := Report{Headers: []string{"name", "count"}, Rows: [][]any{{"a", 1}}}
	for _, tc := range []struct {
		f          Format
		name, want string
		body       string
	}{
		{CSV, "r", "r.csv", "Name,Count\r\na,1\r\n"},
		{JSON, "r", "r.json", "[\n  {\n    \"name\": \"a\",\n    \"count\": 1\n  }\n]\n"},
		{JSON, "r.txt", "r.txt", ""},
		{Table, "t", "t", "Name      Count\n------  -------\na             1\n"},
		{CSV, ".hidden", ".hidden.csv", ""},
	} {
		var out, errw bytes.Buffer
		o := Options{Format: tc.f, Output: filepath.Join(dir, tc.name)}
		if err := Render(&out, &errw, rep, o); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, tc.want)
		if out.Len() != 0 {
			t.Errorf("%s: stdout not empty: %q", tc.name, out.String())
		}
		if errw.String() != "Report path: "+path+"\n" {
			t.Errorf("%s: status %q", tc.name, errw.String())
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if tc.body != "" && string(got) != tc.body {
			t.Errorf("%s: file %q, want %q", tc.name, got, tc.body)
		}
	}
}

func TestOutputAtomic(t *testing.T) {
	dir := t.TempDir()
	var out, errw bytes.Buffer
	missing := filepath.Join(dir, "nope", "r.csv")
	err := Render(&out, &errw, Report{Headers: []string{"a"}}, Options{Format: CSV, Output: missing})
	if err == nil || !strings.HasPrefix(err.Error(), "write report "+missing+": ") {
		t.Fatalf("want write error, got %v", err)
	}
	if _, statErr := os.Stat(missing); !os.IsNotExist(statErr) {
		t.Fatalf("file exists after failure: %v", statErr)
	}
	if errw.Len() != 0 || out.Len() != 0 {
		t.Fatalf("output on failure: %q %q", out.String(), errw.String())
	}

	// A failing render leaves an existing file untouched and no temp files.
	target := filepath.Join(dir, "keep.json")
	if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	err = Render(&out, &errw, Report{JSON: make(chan int)}, Options{Format: JSON, Output: target})
	if err == nil {
		t.Fatal("unmarshalable JSON accepted")
	}
	if b, _ := os.ReadFile(target); string(b) != "old" {
		t.Fatalf("file clobbered: %q", b)
	}
	// A successful rewrite keeps the file's mode.
	if err := Render(&out, &errw, Report{JSON: []int{1}}, Options{Format: JSON, Output: target}); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(target); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("stray files: %v", entries)
	}
}

func TestExplicitJSON(t *testing.T) {
	type row struct {
		Name  string    `json:"name"`
		Seats int       `json:"seats"`
		Note  string    `json:"note,omitempty"`
		When  time.Time `json:"when"`
	}
	rep := Report{
		Headers: []string{"ignored"},
		Rows:    [][]any{{"x"}},
		JSON:    []row{{Name: "Zoë <&> 日本 😀", Seats: 3, When: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}},
	}
	var out bytes.Buffer
	if err := Render(&out, &out, rep, Options{Format: JSON}); err != nil {
		t.Fatal(err)
	}
	want := "[\n  {\n    \"name\": \"Zo\\u00eb <&> \\u65e5\\u672c \\ud83d\\ude00\",\n    \"seats\": 3,\n" +
		"    \"when\": \"2024-01-02T03:04:05Z\"\n  }\n]\n"
	if out.String() != want {
		t.Fatalf("got %q\nwant %q", out.String(), want)
	}
}

func TestJSONValues(t *testing.T) {
	loc := time.FixedZone("x", -5*3600)
	rep := Report{
		Headers: []string{"t", "f", "z", "list", "n", "b", "empty", "big", "bytes"},
		Rows: [][]any{{
			time.Date(2024, 1, 2, 3, 4, 5, 123456000, loc), 1e16, 0, []any{nil, "", 1}, (*int)(nil),
			false, "", uint64(18446744073709551615), []byte{0xfb, 0xff},
		}},
	}
	var out bytes.Buffer
	if err := Render(&out, &out, rep, Options{Format: JSON}); err != nil {
		t.Fatal(err)
	}
	want := `[
  {
    "t": "2024-01-02T03:04:05.123456-05:00",
    "f": 1e+16,
    "z": 0,
    "list": [
      null,
      "",
      1
    ],
    "b": false,
    "big": 18446744073709551615,
    "bytes": "-_8"
  }
]
`
	if out.String() != want {
		t.Fatalf("got %s\nwant %s", out.String(), want)
	}
}

func TestPyNumbers(t *testing.T) {
	for _, tc := range []struct {
		f    float64
		repr string
		g    string
	}{
		{1, "1.0", "1"}, {0.30000000000000004, "0.30000000000000004", "0.3"}, {1e16, "1e+16", "1e+16"},
		{1e15, "1000000000000000.0", "1e+15"}, {0.0001, "0.0001", "0.0001"}, {0.00001, "1e-05", "1e-05"},
		{-2.5, "-2.5", "-2.5"}, {123456.7, "123456.7", "123457"},
	} {
		if got := pyRepr(tc.f); got != tc.repr {
			t.Errorf("pyRepr(%v) = %q, want %q", tc.f, got, tc.repr)
		}
		if got := pyG(tc.f); got != tc.g {
			t.Errorf("pyG(%v) = %q, want %q", tc.f, got, tc.g)
		}
	}
	for s, want := range map[string]bool{"12": true, " -3 ": true, "1_000": true, "1__0": false, "_1": false, "1.0": false, "": false, "+": false} {
		if isPyInt(s) != want {
			t.Errorf("isPyInt(%q) != %v", s, want)
		}
	}
	for s, want := range map[string]bool{"1e3": true, ".5": true, "5.": true, "inf": true, "-inf": true, "nan": true,
		"Infinity": false, "1e400": false, "0x10": false, "1e": false, ".": false, "1_0.5": true, "abc": false} {
		if isPyNumber(s) != want {
			t.Errorf("isPyNumber(%q) != %v", s, want)
		}
	}
}

func TestEmptyFormatRefused(t *testing.T) {
	var o Options
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	fs.SetOutput(&bytes.Buffer{})
	o.AddFlags(fs)
	if err := fs.Parse([]string{"--format", ""}); err == nil || !strings.Contains(err.Error(), "empty output format") {
		t.Fatalf("--format '' accepted: %v", err)
	}
}

// TestPyDumps: json.dumps output as Python writes it (expected strings
// from CPython's json.dumps with and without indent=2).
func TestPyDumps(t *testing.T) {
	v := struct {
		A string  `json:"a"`
		N *int    `json:"n"`
		B bool    `json:"b"`
		L []int   `json:"l"`
		U string  `json:"u"`
		E []int   `json:"e"`
		D *string `json:"d,omitempty"`
	}{A: `x, y: "z"\`, B: true, L: []int{1, 2}, U: "zoë <&> 😀", E: []int{}}
	got, err := PyDumps(v, 0)
	want := `{"a": "x, y: \"z\"\\", "n": null, "b": true, "l": [1, 2], "u": "zo\u00eb <&> \ud83d\ude00", "e": []}`
	if err != nil || string(got) != want {
		t.Fatalf("one line\n got %s\nwant %s (%v)", got, want, err)
	}
	got, err = PyDumps(v, 2)
	want = "{\n  \"a\": \"x, y: \\\"z\\\"\\\\\",\n  \"n\": null,\n  \"b\": true,\n  \"l\": [\n    1,\n    2\n  ],\n" +
		"  \"u\": \"zo\\u00eb <&> \\ud83d\\ude00\",\n  \"e\": []\n}"
	if err != nil || string(got) != want {
		t.Fatalf("indent 2\n got %s\nwant %s (%v)", got, want, err)
	}
}

func TestPyFloat(t *testing.T) {
	for f, want := range map[float64]string{45: "45.0", 3.75: "3.75", 0.1: "0.1", 1e16: "1e+16", -2: "-2.0", 10.33: "10.33"} {
		if got := FormatPyFloat(f); got != want {
			t.Errorf("FormatPyFloat(%v) = %q, want %q", f, got, want)
		}
	}
	b, err := PyDumps(struct {
		A PyFloat `json:"a"`
		B PyFloat `json:"b"`
	}{10, 3.25}, 0)
	if err != nil || string(b) != `{"a": 10.0, "b": 3.25}` {
		t.Fatalf("%s %v", b, err)
	}
}

func TestJSONIndentAndRawCSVHeaders(t *testing.T) {
	r := Report{Headers: []string{"company_id", "avg_per_day"}, Rows: [][]any{{1, 2.5}}, Title: "T",
		JSON: []map[string]int{{"a": 1}}, JSONIndent: 4, RawCSVHeaders: true}
	var out, errw bytes.Buffer
	if err := Render(&out, &errw, r, Options{Format: JSON}); err != nil {
		t.Fatal(err)
	}
	if out.String() != "[\n    {\n        \"a\": 1\n    }\n]\n" {
		t.Fatalf("indent 4: %q", out.String())
	}
	out.Reset()
	if err := Render(&out, &errw, r, Options{Format: CSV}); err != nil {
		t.Fatal(err)
	}
	if out.String() != "\r\nT\r\n\r\ncompany_id,avg_per_day\r\n1,2.5\r\n" {
		t.Fatalf("raw csv headers: %q", out.String())
	}
	out.Reset()
	if err := Render(&out, &errw, r, Options{Format: Table}); err != nil || !strings.Contains(out.String(), "Company ID") {
		t.Fatalf("table titles: %q %v", out.String(), err)
	}
}

// TestWidthASCIIFastPath: the byte-count shortcut for printable ASCII gives
// what runewidth gives, and other text still goes through runewidth.
func TestWidthASCIIFastPath(t *testing.T) {
	var all []byte
	for c := byte(0x20); c < 0x7f; c++ {
		all = append(all, c)
	}
	cond := runewidth.Condition{}
	for _, s := range []string{"", "acme", string(all), "tab\there", "bell\x07", "del\x7f", "Zürich", "東京", "e\u0301"} {
		if got, want := width(s), cond.StringWidth(s); got != want {
			t.Errorf("width(%q) = %d, runewidth says %d", s, got, want)
		}
	}
}
