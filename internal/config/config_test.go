package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const sample = `{
  "user": "admin@example.com",
  "plugins": [{"name": "ssh", "opts": {"a": 1}}],
  "server": "keepersecurity.eu",
  "device_token": "DEVTOKEN-SECRET",
  "private_key": "PRIVKEY-SECRET",
  "clone_code": "CLONE-SECRET",
  "debug": "yes",
  "logout_timer": 30,
  "commands": ["whoami", "ei"],
  "unmask_all": false,
  "x_custom": "café <&>",
  "server_key_id": 7
}`

func TestRoundTripPreservesUnknownKeys(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.json")
	if err := os.WriteFile(path, []byte(sample), 0o600); err != nil {
		t.Fatal(err)
	}
	c, warns, err := Load(path)
	if err != nil || len(warns) != 0 {
		t.Fatalf("load: %v %v", err, warns)
	}
	if c.User != "admin@example.com" || c.Server != "keepersecurity.eu" || c.ServerKeyID != 7 ||
		c.LogoutTimer == nil || *c.LogoutTimer != 30 || len(c.Commands) != 2 ||
		c.UnmaskAll == nil || *c.UnmaskAll {
		t.Fatalf("decoded %#v", *c)
	}
	if c.Debug != nil {
		t.Fatal("mistyped debug must be ignored")
	}
	if _, ok := c.Extras["debug"]; !ok {
		t.Fatal("mistyped debug must be kept in Extras")
	}

	c.CloneCode = "NEW-CLONE"
	c.DeviceToken = "" // cleared: removed from the file
	c.ServerPublicKey = "BPUB"
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := `{
  "user": "admin@example.com",
  "plugins": [
    {
      "name": "ssh",
      "opts": {
        "a": 1
      }
    }
  ],
  "server": "keepersecurity.eu",
  "private_key": "PRIVKEY-SECRET",
  "clone_code": "NEW-CLONE",
  "debug": "yes",
  "logout_timer": 30,
  "commands": [
    "whoami",
    "ei"
  ],
  "unmask_all": false,
  "x_custom": "café <&>",
  "server_key_id": 7,
  "server_public_key": "BPUB"
}
`
	if string(got) != want {
		t.Fatalf("saved:\n%s\nwant:\n%s", got, want)
	}
	c2, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c2.CloneCode != "NEW-CLONE" || c2.DeviceToken != "" || string(c2.Extras["x_custom"]) != `"café <&>"` {
		t.Fatalf("reloaded %#v", *c2)
	}
}

func TestSaveNewFileMode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", ".keeper")
	path := filepath.Join(dir, "config.json")
	c := &Config{Server: "keepersecurity.com", CAFile: "/tmp/ca.pem"}
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "{\n  \"server\": \"keepersecurity.com\",\n  \"ca_file\": \"/tmp/ca.pem\"\n}\n" {
		t.Fatalf("content %q", got)
	}
	if runtime.GOOS == "windows" {
		return
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("file mode %v", st.Mode())
	}
	dst, _ := os.Stat(dir)
	if dst.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode %v", dst.Mode())
	}
	// Rewriting an existing, too-open file also lands at 0600.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("rewrite mode %v", st.Mode())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("stray temp files: %v", entries)
	}
}

func TestSaveFollowsSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks")
	}
	dir := t.TempDir()
	real := filepath.Join(dir, "real.json")
	link := filepath.Join(dir, "config.json")
	if err := os.WriteFile(real, []byte(`{}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if err := (&Config{User: "u@x.test"}).Save(link); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Lstat(link); st.Mode()&os.ModeSymlink == 0 {
		t.Fatal("symlink replaced")
	}
	if b, _ := os.ReadFile(real); !strings.Contains(string(b), "u@x.test") {
		t.Fatalf("target not written: %s", b)
	}
}

func TestLoadTightensPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("POSIX modes")
	}
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte(`{"user":"a@b.c"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, warns, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "Configuration file " + path + " has insecure permissions 0o644. Setting to secure permissions (600)."
	if len(warns) != 1 || warns[0] != want {
		t.Fatalf("warnings %q", warns)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode())
	}
	if _, warns, _ = Load(path); len(warns) != 0 {
		t.Fatalf("second load warned: %q", warns)
	}
}

func TestLoadMissingAndEmpty(t *testing.T) {
	dir := t.TempDir()
	c, warns, err := Load(filepath.Join(dir, "none.json"))
	if err != nil || warns != nil || c == nil || c.String() != "config.Config{}" {
		t.Fatalf("missing file: %v %v %v", c, warns, err)
	}
	empty := filepath.Join(dir, "empty.json")
	if err := os.WriteFile(empty, []byte(" \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(empty); err != nil {
		t.Fatalf("empty file: %v", err)
	}
}

func TestLoadMalformed(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"syntax":    "{\n  \"device_token\": \"TOPSECRET\",\n  \"clone_code\": TOPSECRET2\n}",
		"truncated": "{\"private_key\": \"TOPSECRET",
		"array":     `["TOPSECRET"]`,
	} {
		path := filepath.Join(dir, name+".json")
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		_, _, err := Load(path)
		if err == nil || !errors.Is(err, ErrInvalidJSON) {
			t.Fatalf("%s: want ErrInvalidJSON, got %v", name, err)
		}
		msg := err.Error()
		if strings.Contains(msg, "TOPSECRET") || strings.Contains(msg, "\n") || !strings.Contains(msg, path) {
			t.Fatalf("%s: bad error %q", name, msg)
		}
		if name == "syntax" && !strings.HasSuffix(msg, "(line 3)") {
			t.Fatalf("line not reported: %q", msg)
		}
	}
}

func TestLocate(t *testing.T) {
	home := t.TempDir()
	cwd := t.TempDir()
	if got := Locate("~/k/c.json", "/env/c.json", cwd, home); got != filepath.Join(home, "k", "c.json") {
		t.Fatalf("flag: %s", got)
	}
	if got := Locate("rel.json", "", cwd, home); got != filepath.Join(cwd, "rel.json") {
		t.Fatalf("relative flag: %s", got)
	}
	if got := Locate("", "/env/c.json", cwd, home); got != "/env/c.json" {
		t.Fatalf("env: %s", got)
	}
	def := filepath.Join(home, ".keeper", "config.json")
	if got := Locate("", "", cwd, home); got != def {
		t.Fatalf("default: %s", got)
	}
	if err := os.Mkdir(filepath.Join(cwd, "config.json"), 0o700); err != nil {
		t.Fatal(err)
	}
	if got := Locate("", "", cwd, home); got != def {
		t.Fatalf("a directory named config.json must not count: %s", got)
	}
	cwd2 := t.TempDir()
	if err := os.WriteFile(filepath.Join(cwd2, "config.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := Locate("", "", cwd2, home); got != filepath.Join(cwd2, "config.json") {
		t.Fatalf("cwd: %s", got)
	}
	if got := Locate("", "~", cwd2, home); got != home {
		t.Fatalf("tilde: %s", got)
	}
}

func TestStringRedacts(t *testing.T) {
	on := true
	c := &Config{
		User: "admin@example.com", Server: "keepersecurity.com", Password: "PW-SECRET",
		DeviceToken: "DT-SECRET", PrivateKey: "PK-SECRET", CloneCode: "CC-SECRET",
		EncryptedData: "ED-SECRET", Proxy: "http://bob:PROXY-SECRET@proxy:3128",
		Commands: []string{"login -p CMD-SECRET"}, Debug: &on, ServerKeyID: 7,
		Extras: map[string]json.RawMessage{"token_x": json.RawMessage(`"EXTRA-SECRET"`)},
	}
	for _, s := range []string{
		c.String(), c.GoString(), fmt.Sprint(c), fmt.Sprintf("%v|%+v|%#v|%s|%d|%x", c, *c, c, *c, c, c),
		fmt.Sprintf("%v", struct{ C Config }{*c}), fmt.Sprintf("%+v", []*Config{c}),
	} {
		if strings.Contains(s, "SECRET") {
			t.Fatalf("secret leaked: %s", s)
		}
	}
	s := c.String()
	for _, want := range []string{`user="admin@example.com"`, "device_token=<redacted>", "clone_code=<redacted>",
		"debug=true", "server_key_id=7", "extra_keys=token_x", `proxy="http://bob:xxxxx@proxy:3128"`} {
		if !strings.Contains(s, want) {
			t.Errorf("String() = %s, missing %s", s, want)
		}
	}
}
