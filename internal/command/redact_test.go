package command

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func secretRegistry() *Registry {
	r := NewRegistry()
	r.Add(&Command{Name: "login", Aliases: []string{"li"}, Secret: []string{"pass"}, Args: "[EMAIL]",
		LegacyShort: map[string]string{"-pw": "--pass"},
		Setup: func(fs *pflag.FlagSet) Runner {
			fs.StringP("pass", "p", "", "")
			fs.BoolP("verbose", "v", false, "")
			fs.StringP("format", "f", "", "")
			return func(context.Context, *Env, []string) error { return nil }
		}})
	r.Add(&Command{Name: "echo", Args: "[TEXT...]", Setup: func(fs *pflag.FlagSet) Runner {
		return func(context.Context, *Env, []string) error { return nil }
	}})
	return r
}

// TestRedact covers every spelling of a secret flag pflag accepts.
func TestRedact(t *testing.T) {
	r := secretRegistry()
	for in, want := range map[string]string{
		"login --pass hunter2 a@b.c":     "login --pass ******** a@b.c",
		"login --pass=hunter2 a@b.c":     "login --pass=******** a@b.c",
		"login -p hunter2":               "login -p ********",
		"login -phunter2":                "login -p********",
		"login -p=hunter2":               "login -p=********",
		"login -vp hunter2":              "login -vp ********",
		"login -pw hunter2":              "login -pw ********",
		"login -pw=hunter2":              "login -pw=********",
		"li a@b.c --pass hunter2":        "li a@b.c --pass ********",
		"login --format -p a@b.c":        "login --format -p a@b.c",
		"login -- --pass hunter2":        "login -- --pass hunter2",
		"login --pass 'two words' a@b.c": "login --pass ******** a@b.c",
		"echo --pass hunter2":            "echo --pass hunter2",
		"login a@b.c":                    "login a@b.c",
	} {
		words, err := Split(in)
		if err != nil {
			t.Fatal(err)
		}
		got, changed := r.Redact(words)
		if Join(got) != want {
			t.Errorf("Redact(%q) = %q, want %q", in, Join(got), want)
		}
		if changed != (want != in) {
			t.Errorf("Redact(%q): changed = %v", in, changed)
		}
	}
}

func TestRedactLine(t *testing.T) {
	r := secretRegistry()
	for in, want := range map[string]string{
		`mi -mc "Acme  Dental"`:       `mi -mc "Acme  Dental"`, // untouched, quoting kept
		`login -p "pw" "x y"`:         `login -p ******** 'x y'`,
		`login --pass 'unterminated`:  "",
		`bogus --pass 'unterminated`:  `bogus --pass 'unterminated`,
		`login --pass pw # not a com`: `login --pass ******** '#' not a com`,
	} {
		got, ok := r.RedactLine(in)
		if got != want || ok != (want != "") {
			t.Errorf("RedactLine(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestJoinRoundTrip(t *testing.T) {
	for _, words := range [][]string{
		{"a", "b c", ""},
		{"it's", `say "hi"`, `back\slash`, "#hash", "tab\there"},
		{"${var}", "x'y z"},
	} {
		got, err := Split(Join(words))
		if err != nil || !reflect.DeepEqual(got, words) {
			t.Errorf("Split(Join(%q)) = %q, %v (line %q)", words, got, err, Join(words))
		}
	}
}

// TestBatchEchoRedacted: the --debug echo of batch input masks secrets.
func TestBatchEchoRedacted(t *testing.T) {
	d := &Dispatcher{Registry: secretRegistry()}
	var echoed []string
	env := &Env{Out: &strings.Builder{}, Err: &strings.Builder{}, Vars: map[string]string{}}
	in := "login --pass hunter2 a@b.c\n@login -phunter2 -x\n"
	if err := d.RunLines(context.Background(), env, strings.NewReader(in), func(l string) { echoed = append(echoed, l) }); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.Join(echoed, "\n"), "hunter2") || len(echoed) != 2 || echoed[0] != "login --pass ******** a@b.c" {
		t.Fatalf("echoed %q", echoed)
	}
}
