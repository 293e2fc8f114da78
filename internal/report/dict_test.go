package report

import (
	"bytes"
	"testing"
)

// TestDictCells: a Dict is a JSON object in key order (nested in lists
// too, as json.dumps(indent=2) writes it) and Python's dict repr in CSV.
func TestDictCells(t *testing.T) {
	r := Report{Headers: []string{"role_id", "enforcements", "perms", "none"}, Rows: [][]any{{
		int64(7),
		Dict{{"require_two_factor", "true"}, {"logout_timer", "60"}},
		[]any{Dict{{"node_name", "Root"}, {"cascade", true}, {"privileges", []string{"manage_user"}}}},
		Dict{},
	}}}
	var out, errw bytes.Buffer
	if err := Render(&out, &errw, r, Options{Format: JSON}); err != nil {
		t.Fatal(err)
	}
	want := `[
  {
    "role_id": 7,
    "enforcements": {
      "require_two_factor": "true",
      "logout_timer": "60"
    },
    "perms": [
      {
        "node_name": "Root",
        "cascade": true,
        "privileges": [
          "manage_user"
        ]
      }
    ],
    "none": {}
  }
]
`
	if out.String() != want {
		t.Errorf("json\n got %s\nwant %s", out.String(), want)
	}
	out.Reset()
	r.Rows[0] = []any{int64(7), Dict{{"a", "it's"}, {"b", nil}, {"c", []any{int64(1), false}}}, nil, nil}
	if err := Render(&out, &errw, r, Options{Format: CSV}); err != nil {
		t.Fatal(err)
	}
	if want := "Role ID,Enforcements,Perms,None\r\n7,\"{'a': \"\"it's\"\", 'b': None, 'c': [1, False]}\",,\r\n"; out.String() != want {
		t.Errorf("csv\n got %q\nwant %q", out.String(), want)
	}
}

func TestPyStrAndTruthy(t *testing.T) {
	for v, want := range map[string]string{PyStr([]string{"a", "b"}): "['a', 'b']", PyStr(true): "True",
		PyStr(int64(12)): "12", PyStr(Dict{{"k", []string{}}}): "{'k': []}", PyStr(nil): ""} {
		if v != want {
			t.Errorf("PyStr: got %q want %q", v, want)
		}
	}
	for _, v := range []any{nil, false, 0, int64(0), "", []string{}, Dict{}, 0.0} {
		if PyTruthy(v) {
			t.Errorf("PyTruthy(%#v) = true", v)
		}
	}
	for _, v := range []any{true, -1, int64(10), "x", []string{""}, Dict{{"a", nil}}, 0.5} {
		if !PyTruthy(v) {
			t.Errorf("PyTruthy(%#v) = false", v)
		}
	}
}
