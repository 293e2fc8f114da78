package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/keeper-go/keeper/internal/fsutil"
)

// Save writes the config to path as Commander does (2-space indented JSON,
// non-ASCII kept, keys in the order they were read, unknown keys preserved),
// but atomically: a temporary file beside the target is written with mode
// 0600, synced and renamed over it. The parent directory is created with
// mode 0700 when missing. A symlinked path is followed so the link survives.
func (c *Config) Save(path string) error {
	data, err := c.marshal()
	if err != nil {
		return err
	}
	if st, err := os.Lstat(path); err == nil && st.Mode()&os.ModeSymlink != 0 {
		if target, err := filepath.EvalSymlinks(path); err == nil {
			path = target
		}
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create config directory %s: %w", dir, pathErr(err))
	}
	if err := fsutil.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("write config %s: %w", path, pathErr(err))
	}
	return nil
}

// marshal renders the file content.
func (c *Config) marshal() ([]byte, error) {
	vals := map[string]json.RawMessage{}
	var known []string
	for _, f := range c.fields() {
		known = append(known, f.key)
		if f.v.IsZero() {
			continue
		}
		raw, err := encodeValue(f.v.Interface())
		if err != nil {
			return nil, fmt.Errorf("encode config key %q: %w", f.key, err)
		}
		vals[f.key] = raw
	}
	var extra []string
	for k, raw := range c.Extras {
		if _, set := vals[k]; set {
			continue // a set field wins over a stale raw value
		}
		if !json.Valid(raw) {
			return nil, fmt.Errorf("encode config key %q: invalid raw JSON", k)
		}
		vals[k] = raw
		extra = append(extra, k)
	}
	slices.Sort(extra)

	var order []string
	done := map[string]bool{}
	for _, group := range [][]string{c.order, known, extra} {
		for _, k := range group {
			if _, ok := vals[k]; ok && !done[k] {
				done[k] = true
				order = append(order, k)
			}
		}
	}

	var compact bytes.Buffer
	compact.WriteByte('{')
	for i, k := range order {
		if i > 0 {
			compact.WriteByte(',')
		}
		key, err := encodeValue(k)
		if err != nil {
			return nil, err
		}
		compact.Write(key)
		compact.WriteByte(':')
		compact.Write(vals[k])
	}
	compact.WriteByte('}')
	var out bytes.Buffer
	if err := json.Indent(&out, compact.Bytes(), "", "  "); err != nil {
		return nil, fmt.Errorf("encode config: %w", err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// encodeValue marshals v without HTML escaping (Python's json keeps <, >, &).
func encodeValue(v any) (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
