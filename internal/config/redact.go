package config

import (
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// isSecret reports the keys whose values never appear in String output.
func isSecret(key string) bool {
	switch key {
	case "password", "device_token", "private_key", "clone_code", "encrypted_data":
		return true
	}
	return false
}

// String describes the config with every secret (password, device token,
// private key, clone code, encrypted data, proxy password) replaced by
// "<redacted>" and unknown keys listed by name only, so accidental printing
// never leaks them.
func (c Config) String() string {
	var parts []string
	for _, f := range c.fields() {
		if f.v.IsZero() {
			continue
		}
		var val string
		switch {
		case isSecret(f.key):
			val = "<redacted>"
		case f.key == "proxy":
			val = fmt.Sprintf("%q", redactProxy(c.Proxy))
		case f.key == "commands":
			val = fmt.Sprintf("<%d commands>", len(c.Commands))
		default:
			val = show(f.v)
		}
		parts = append(parts, f.key+"="+val)
	}
	if len(c.Extras) > 0 {
		keys := make([]string, 0, len(c.Extras))
		for k := range c.Extras {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts = append(parts, "extra_keys="+strings.Join(keys, ","))
	}
	return "config.Config{" + strings.Join(parts, " ") + "}"
}

// show prints a non-secret field value: strings quoted, pointers followed.
func show(v reflect.Value) string {
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() == reflect.String {
		return strconv.Quote(v.String())
	}
	return fmt.Sprint(v.Interface())
}

// GoString is String, so %#v is redacted too.
func (c Config) GoString() string { return c.String() }

// Format makes every fmt verb (%v, %+v, %#v, %s, %d, …) print the redacted
// form.
func (c Config) Format(s fmt.State, _ rune) { fmt.Fprint(s, c.String()) }

// redactProxy hides the password of a proxy URL; an unparsable value that
// looks like it holds credentials is hidden entirely.
func redactProxy(p string) string {
	u, err := url.Parse(p)
	if err != nil || u.Host == "" {
		if strings.Contains(p, "@") {
			return "<redacted>"
		}
		return p
	}
	return u.Redacted()
}
