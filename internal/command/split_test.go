package command

import (
	"errors"
	"reflect"
	"testing"
)

func TestSplit(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
		bad  bool
	}{
		{in: `mi -mc "Acme  Dental"`, want: []string{"mi", "-mc", "Acme  Dental"}},
		{in: `eu 'a b'  c\ d`, want: []string{"eu", "a b", "c d"}},
		{in: `echo "say \"hi\" \$x"`, want: []string{"echo", `say "hi" $x`}},
		{in: `  # comment`, want: nil},
		{in: `x ""`, want: []string{"x", ""}},
		{in: `"open`, bad: true},
		{in: "a\nb", bad: true},
		{in: "a\x00", bad: true},
		{in: `a \`, bad: true},
	} {
		got, err := Split(c.in)
		if (err != nil) != c.bad || (!c.bad && !reflect.DeepEqual(got, c.want)) {
			t.Errorf("Split(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
		var se *SyntaxError
		if c.bad && !errors.As(err, &se) {
			t.Errorf("Split(%q): want *SyntaxError, got %T", c.in, err)
		}
	}
}

func TestExpandVarsAndSuggest(t *testing.T) {
	got := ExpandVars([]string{"switch-to-mc", "${last_mc_id}", "${unknown}"}, map[string]string{"last_mc_id": "2001"})
	if !reflect.DeepEqual(got, []string{"switch-to-mc", "2001", "${unknown}"}) {
		t.Fatalf("got %q", got)
	}
	r := NewRegistry()
	r.Add(&Command{Name: "msp-info", Aliases: []string{"mi"}, Group: "MSP"}, &Command{Name: "msp-down", Aliases: []string{"md"}, Group: "MSP"})
	if s := r.Suggest("msp-infoo"); len(s) == 0 || s[0] != "msp-info" {
		t.Fatalf("suggest: %q", s)
	}
	if c, ok := r.Lookup("MI"); !ok || c.Name != "msp-info" {
		t.Fatal("alias lookup failed")
	}
}
