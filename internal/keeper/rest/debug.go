package rest

import (
	"encoding/json"
	"fmt"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// secretKeys are JSON keys (compared lower-cased, without '_') whose values
// never reach the debug log.
var secretKeys = []string{
	"sessiontoken", "encrypted", "authresponse", "authhash", "password", "clonecode",
	"devicetoken", "datakey", "privatekey", "treekey", "teamkey", "rolekey", "logintoken",
	"transmissionkey", "clientkey", "authverifier", "encryptionparams", "verificationcode", "salt",
}

// isSecret reports whether a field name looks like it carries key material
// or a credential.
func isSecret(key string) bool {
	k := strings.ToLower(strings.ReplaceAll(key, "_", ""))
	for _, s := range secretKeys {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// Redact returns v (decoded JSON) with every secret-looking value replaced.
func Redact(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			if isSecret(k) {
				out[k] = "<redacted>"
			} else {
				out[k] = Redact(val)
			}
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = Redact(val)
		}
		return out
	}
	return v
}

// RedactJSON redacts a JSON document; anything that is not JSON is replaced
// entirely, since it cannot be inspected.
func RedactJSON(b []byte) string {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Sprintf("<%d bytes, not JSON>", len(b))
	}
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(Redact(v))
	return strings.TrimSuffix(buf.String(), "\n")
}

func (c *Client) debugf(format string, args ...any) {
	if c.opts.Debug != nil {
		fmt.Fprintf(c.opts.Debug, format+"\n", args...)
	}
}

func (c *Client) debugProto(dir, endpoint string, m proto.Message) {
	if c.opts.Debug == nil {
		return
	}
	if m == nil {
		c.debugf("%s %s", dir, endpoint)
		return
	}
	b, err := protojson.Marshal(m)
	if err != nil {
		c.debugf("%s %s <unprintable>", dir, endpoint)
		return
	}
	c.debugf("%s %s %s", dir, endpoint, RedactJSON(b))
}

func (c *Client) debugJSON(dir, command string, body []byte) {
	if c.opts.Debug != nil {
		c.debugf("%s %s %s", dir, command, RedactJSON(body))
	}
}
