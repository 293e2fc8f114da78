package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStringKeyWrongType: a string key holding a number, boolean, object or
// array is an error naming the key, never a silent default server.
func TestStringKeyWrongType(t *testing.T) {
	dir := t.TempDir()
	for body, want := range map[string]string{
		`{"server": 5}`:                `"server" must be a string, not a number`,
		`{"server":   -1.5e3}`:         `"server" must be a string, not a number`,
		`{"server": true}`:             `"server" must be a string, not a boolean`,
		`{"user": {"a": 1}}`:           `"user" must be a string, not an object`,
		`{"ca_file": ["x"]}`:           `"ca_file" must be a string, not an array`,
		`{"device_token": 12345678}`:   `"device_token" must be a string, not a number`,
		`{"debug": 1, "server": 2001}`: `"server" must be a string, not a number`,
	} {
		path := filepath.Join(dir, "config.json")
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		_, _, err := Load(path)
		var te *TypeError
		if !errors.As(err, &te) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: got %v, want a TypeError %q", body, err, want)
		}
	}
}

// TestNullStringKeyIsAbsent: null means "not set", as in Commander, and is
// written back unchanged.
func TestNullStringKeyIsAbsent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte(`{"server": null, "user": "a@b.c"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _, err := Load(path)
	if err != nil || c.Server != "" || c.User != "a@b.c" {
		t.Fatalf("load: %v %#v", err, c)
	}
	if string(c.Extras["server"]) != "null" {
		t.Fatalf("null not kept: %q", c.Extras["server"])
	}
}
