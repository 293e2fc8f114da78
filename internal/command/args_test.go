package command

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func TestArgRange(t *testing.T) {
	for spec, want := range map[string][2]int{
		"":                 {0, 0},
		"MC":               {1, 1},
		"[PATTERN]":        {0, 1},
		"EMAIL...":         {1, -1},
		"[NAME...]":        {0, -1},
		"NAME VALUE":       {2, 2},
		"MC [MC...]":       {1, -1},
		"[REGION|HOST]":    {0, 1},
		"FILE [ARG] [X]":   {1, 3},
		"[A...] [B]":       {0, -1},
		"[a | b on|off]":   {0, 1},
		"NODE [NODE...]":   {1, -1},
		"[MSP|PATTERN...]": {0, -1},
	} {
		lo, hi := argRange(spec)
		if lo != want[0] || hi != want[1] {
			t.Errorf("argRange(%q) = %d, %d; want %v", spec, lo, hi, want)
		}
	}
}

func testCmd(args string, setup func(fs *pflag.FlagSet)) *Command {
	return &Command{Name: "x", Args: args, Setup: func(fs *pflag.FlagSet) Runner {
		if setup != nil {
			setup(fs)
		}
		return func(context.Context, *Env, []string) error { return nil }
	}}
}

func TestDispatcherChecksArgumentsAndValues(t *testing.T) {
	reg := NewRegistry()
	reg.Add(testCmd("", func(fs *pflag.FlagSet) { fs.String("node", "", "") }))
	reg.Add(&Command{Name: "y", Args: "MC", Setup: testCmd("", nil).Setup})
	reg.Add(&Command{Name: "z", Setup: func(fs *pflag.FlagSet) Runner {
		fs.StringP("plan", "p", "", "")
		MarkRequired(fs, "plan")
		fs.StringArray("addon", nil, "")
		return func(context.Context, *Env, []string) error { return nil }
	}})
	d := &Dispatcher{Registry: reg}
	env := &Env{}
	for _, c := range []struct {
		argv []string
		want string // "" = success
	}{
		{[]string{"x"}, ""},
		{[]string{"x", "a", "b"}, `unexpected argument "a"`},
		{[]string{"x", "--node", ""}, "--node needs a non-empty value"},
		{[]string{"x", "--node="}, "--node needs a non-empty value"},
		{[]string{"y"}, "expected MC"},
		{[]string{"y", "a", "b"}, `unexpected argument "b" (expected MC)`},
		{[]string{"y", "a"}, ""},
		{[]string{"z"}, "--plan is required"},
		{[]string{"z", "-p", "business", "--addon", ""}, "--addon needs a non-empty value"},
		{[]string{"z", "-p", "business", "--addon", "chat"}, ""},
	} {
		err := d.Run(context.Background(), env, c.argv)
		var ue *UsageError
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q: %v", c.argv, err)
		case c.want != "" && (!errors.As(err, &ue) || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%q: got %v, want usage error %q", c.argv, err, c.want)
		}
	}
}

func TestUsageLineFromFlags(t *testing.T) {
	c := &Command{Name: "msp-add", Args: "NAME", LegacyShort: map[string]string{"-mc": "--managed-company"},
		Setup: func(fs *pflag.FlagSet) Runner {
			fs.BoolP("verbose", "v", false, "")
			fs.StringP("plan", "p", "", "the `PLAN`")
			MarkRequired(fs, "plan")
			fs.String("managed-company", "", "")
			fs.StringArrayP("addon", "a", nil, "add-on `ADDON[:SEATS]`")
			return nil
		}}
	fs, _ := FlagSet(c)
	got := UsageLine(c, "ma", fs)
	want := "ma [-v] -p PLAN [-mc MANAGED_COMPANY] [-a ADDON[:SEATS]] NAME"
	if got != want {
		t.Fatalf("usage\n got %q\nwant %q", got, want)
	}
}

func TestJSONKeys(t *testing.T) {
	type row struct {
		A int    `json:"company_id"`
		B string `json:"company_name,omitempty"`
		c int
		D string `json:"-"`
	}
	if got := strings.Join(JSONKeys([]row{}), ","); got != "company_id,company_name" {
		t.Fatalf("keys %q", got)
	}
	type seats struct {
		Plan int `json:"plan"`
		Used int `json:"used"`
	}
	type licence struct {
		Name  string     `json:"name"`
		Seats seats      `json:"seats"`
		When  *time.Time `json:"when"`
	}
	type out struct {
		User     string    `json:"user"`
		Licences []licence `json:"licences,omitempty"`
		Main     *licence  `json:"main"`
	}
	want := "user,licences[{name,seats{plan,used},when}],main{name,seats{plan,used},when}"
	if got := strings.Join(JSONKeys(out{}), ","); got != want {
		t.Fatalf("nested keys\n got %s\nwant %s", got, want)
	}
}
