// Package config reads and writes Keeper Commander's config.json: the same
// key names, unknown keys preserved, the file kept at mode 0600 and replaced
// atomically.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
)

// Config is the content of config.json. String fields left empty and nil
// pointers/slices are omitted on Save. A switch or number whose value had an
// unexpected type is not decoded (Commander ignores it too) but kept in
// Extras, so it is written back unchanged; a string key with a value other
// than a string or null fails to load (see TypeError).
type Config struct {
	// Server is the Keeper host, e.g. "keepersecurity.com" (may carry a port).
	Server string `json:"server"`
	// User is the account e-mail used for automatic login.
	User string `json:"user"`
	// Password is a plaintext master password; Commander only reads it.
	Password string `json:"password"`
	// DeviceToken is the base64url token issued by device registration.
	DeviceToken string `json:"device_token"`
	// PrivateKey is the base64url P-256 private scalar of the device key.
	PrivateKey string `json:"private_key"`
	// CloneCode is the base64url persistent-login resume token.
	CloneCode string `json:"clone_code"`
	// Proxy is the proxy URL for all HTTPS calls.
	Proxy string `json:"proxy"`
	// ConfigStorage is "file" or a storage-plugin URL such as os-keychain://….
	ConfigStorage string `json:"config_storage"`
	// EncryptedData is the base64url blob of encrypting storage plugins.
	EncryptedData string `json:"encrypted_data"`
	// Debug is the default for --debug.
	Debug *bool `json:"debug"`
	// BatchMode is the default for --batch-mode.
	BatchMode *bool `json:"batch_mode"`
	// UnmaskAll shows masked fields by default.
	UnmaskAll *bool `json:"unmask_all"`
	// TimeDelay (seconds) repeats Commands in a loop.
	TimeDelay *int `json:"timedelay"`
	// LogoutTimer (minutes) is the client idle auto-quit.
	LogoutTimer *int `json:"logout_timer"`
	// Commands run at start.
	Commands []string `json:"commands"`
	// FailOnThrottle is the default for --fail-on-throttle.
	FailOnThrottle *bool `json:"fail_on_throttle"`
	// CertificateCheck false disables TLS verification.
	CertificateCheck *bool `json:"certificate_check"`
	// SSOMasterPassword makes SSO users log in with the master password.
	SSOMasterPassword *bool `json:"sso_master_password"`
	// SkipRecords is a legacy vault-sync switch.
	SkipRecords *bool `json:"skip_records"`

	// ServerKeyID is the last server public-key id the server accepted
	// (extension, not written by Commander).
	ServerKeyID int `json:"server_key_id"`
	// ServerPublicKey is a base64url uncompressed P-256 point for a server
	// whose key is not built in, e.g. a local sandbox (extension).
	ServerPublicKey string `json:"server_public_key"`
	// CAFile is a PEM file of extra trusted CAs, e.g. a self-signed sandbox
	// certificate (extension).
	CAFile string `json:"ca_file"`

	// Extras holds the keys this struct does not model (and known keys with
	// a value of the wrong type) as raw JSON; Save writes them back.
	Extras map[string]json.RawMessage

	order []string // key order as read, so a rewrite keeps the file's layout
}

// TypeError is a key that must hold a string (server, user, ca_file, ...)
// but holds another JSON type. Unlike a mistyped switch, it is not ignored:
// a server that is silently dropped would send the login to Keeper's
// production host. null counts as absent, as in Commander.
type TypeError struct {
	Path string // the config file
	Key  string
	Got  string // the JSON type found, e.g. "a number"
}

func (e *TypeError) Error() string {
	return fmt.Sprintf("config %s: %q must be a string, not %s", e.Path, e.Key, e.Got)
}

// ErrInvalidJSON marks a config file that cannot be parsed. Commander offers
// to delete such a file; the caller decides.
var ErrInvalidJSON = errors.New("invalid JSON in config file")

// Locate picks the config file path: --config, then $KEEPER_CONFIG_FILE,
// then ./config.json if that file exists, then ~/.keeper/config.json.
// A leading "~" is expanded with home and relative paths are made absolute
// against cwd.
func Locate(flagPath, envValue, cwd, home string) string {
	for _, p := range []string{flagPath, envValue} {
		if p != "" {
			return absolute(expandHome(p, home), cwd)
		}
	}
	if cwd != "" {
		local := filepath.Join(cwd, "config.json")
		if st, err := os.Stat(local); err == nil && st.Mode().IsRegular() {
			return local
		}
	}
	return filepath.Join(home, ".keeper", "config.json")
}

func expandHome(p, home string) string {
	if home == "" || p == "" || p[0] != '~' {
		return p
	}
	if p == "~" {
		return home
	}
	if p[1] == '/' || p[1] == filepath.Separator {
		return filepath.Join(home, p[2:])
	}
	return p // ~user is left alone
}

func absolute(p, cwd string) string {
	if filepath.IsAbs(p) || cwd == "" {
		return p
	}
	return filepath.Join(cwd, p)
}

// Load reads the config file at path. A missing file yields an empty config.
// A file readable or writable by group or others is tightened to 0600 and a
// warning (Commander's wording) is returned for the caller to print.
// Malformed JSON yields an error wrapping ErrInvalidJSON that names the file
// and line but never echoes its content; a string key holding another JSON
// type yields a *TypeError.
func Load(path string) (*Config, []string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Config{}, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read config %s: %w", path, pathErr(err))
	}
	var warnings []string
	if w := securePermissions(path); w != "" {
		warnings = append(warnings, w)
	}
	c, err := parse(data)
	var te *TypeError
	if errors.As(err, &te) {
		te.Path = path
		return nil, warnings, te
	}
	if err != nil {
		return nil, warnings, fmt.Errorf("%w: %s%s", ErrInvalidJSON, path, err.Error())
	}
	return c, warnings, nil
}

// parse decodes config.json content; its error is a *TypeError (without
// Path) or a text that is only a location suffix such as " (line 3)".
func parse(data []byte) (*Config, error) {
	c := &Config{}
	if len(bytes.TrimSpace(data)) == 0 {
		return c, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf(" (line %d)", 1+bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n")))
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, errors.New(" (top level is not an object)")
		}
		return nil, errors.New(" (unexpected end)")
	}
	c.order = keyOrder(data)
	for _, f := range c.fields() {
		raw, ok := m[f.key]
		if !ok {
			continue
		}
		delete(m, f.key)
		if f.v.Kind() == reflect.String && string(raw) != "null" && raw[0] != '"' {
			return nil, &TypeError{Key: f.key, Got: jsonType(raw)}
		}
		if string(raw) == "null" || json.Unmarshal(raw, f.v.Addr().Interface()) != nil {
			f.v.Set(reflect.Zero(f.v.Type()))
			m[f.key] = raw
		}
	}
	if len(m) > 0 {
		c.Extras = m
	}
	return c, nil
}

// jsonType names the type of a valid JSON value other than a string.
func jsonType(raw json.RawMessage) string {
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}

// keyOrder lists the top-level keys of a valid JSON object in file order,
// each once.
func keyOrder(data []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil {
		return nil
	}
	seen := map[string]bool{}
	var order []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return order
		}
		key, _ := tok.(string)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return order
		}
		if !seen[key] {
			seen[key] = true
			order = append(order, key)
		}
	}
	return order
}

// field is one modelled key and the struct field holding it.
type field struct {
	key string
	v   reflect.Value
}

// fields lists the modelled keys in struct order.
func (c *Config) fields() []field {
	rv := reflect.ValueOf(c).Elem()
	rt := rv.Type()
	var out []field
	for i := range rt.NumField() {
		tag, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		if tag == "" || tag == "-" {
			continue
		}
		out = append(out, field{key: tag, v: rv.Field(i)})
	}
	return out
}

// pathErr drops the *fs.PathError wrapper whose path the caller already names.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
