package rest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// APIError is an error answer from the Keeper server: a JSON error body on a
// REST call, or a JSON command whose result is not "success".
type APIError struct {
	Endpoint       string
	Code           string // "error" (REST) or "result_code" (JSON commands)
	Message        string
	HTTPStatus     int
	KeyID          int32
	RegionHost     string
	AdditionalInfo string
	// Extra holds every other field of the error body.
	Extra map[string]any
}

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.AdditionalInfo
	}
	switch {
	case e.Code != "" && msg != "":
		return fmt.Sprintf("%s: %s: %s", e.Endpoint, e.Code, msg)
	case e.Code != "":
		return fmt.Sprintf("%s: %s", e.Endpoint, e.Code)
	case msg != "":
		return fmt.Sprintf("%s: %s", e.Endpoint, msg)
	}
	return fmt.Sprintf("%s: HTTP %d", e.Endpoint, e.HTTPStatus)
}

// Is makes errors.Is(err, &APIError{Code: "x"}) match on the code.
func (e *APIError) Is(target error) bool {
	t, ok := target.(*APIError)
	return ok && t.Code != "" && t.Code == e.Code
}

// Codes the transport and login layers react to.
var (
	// ErrSessionExpired matches a session_token_expired answer.
	ErrSessionExpired = &APIError{Code: "session_token_expired"}
	// ErrThrottled matches a throttled answer that exhausted the retries.
	ErrThrottled = &APIError{Code: "throttled"}
	// ErrRegionRedirect matches region_redirect (RegionHost names the host).
	ErrRegionRedirect = &APIError{Code: "region_redirect"}
)

// MaxMessage bounds every text the server sends for display (error
// messages, codes, additional info); Clip cuts longer ones.
const MaxMessage = 500

// maxErrorBody bounds the error bodies the client reads and parses; real
// Keeper error bodies are a few hundred bytes.
const maxErrorBody = 64 << 10

// Clip returns s cut to at most MaxMessage bytes (on a rune boundary) with
// "…" appended when it was cut, so a hostile or broken server cannot make
// the client print or keep an arbitrarily long message.
func Clip(s string) string {
	if len(s) <= MaxMessage {
		return s
	}
	n := MaxMessage
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// parseErrorBody decodes a Keeper JSON error body. It never fails: a body
// that is not JSON, or longer than maxErrorBody, becomes a generic error
// carrying the HTTP status. Every string field, including those kept in
// Extra, is clipped (see Clip).
func parseErrorBody(endpoint string, status int, body []byte) *APIError {
	e := &APIError{Endpoint: endpoint, HTTPStatus: status}
	if len(body) > maxErrorBody {
		e.Message = fmt.Sprintf("HTTP %d with an error body over %d bytes", status, maxErrorBody)
		return e
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		e.Message = fmt.Sprintf("HTTP %d with a malformed JSON error body", status)
		return e
	}
	str := func(k string) string {
		if v, ok := m[k].(string); ok {
			return Clip(v)
		}
		return ""
	}
	e.Code = str("error")
	if e.Code == "" {
		e.Code = str("result_code")
	}
	e.Message = str("message")
	e.RegionHost = str("region_host")
	e.AdditionalInfo = str("additional_info")
	if v, ok := m["key_id"].(float64); ok && v >= 0 && v < 1<<31 {
		e.KeyID = int32(v)
	}
	for _, k := range []string{"error", "result_code", "message", "region_host", "additional_info", "key_id"} {
		delete(m, k)
	}
	for k, v := range m {
		if t, ok := v.(string); ok {
			m[k] = Clip(t)
		}
	}
	if len(m) > 0 {
		e.Extra = m
	}
	return e
}

// throttleHint is Commander's pattern for the wait hint in a throttle message.
var throttleHint = regexp.MustCompile(`(\d+)\s*(second|minute)`)

// throttleWait parses Keeper's wait hint ("... 30 seconds", "... 2 minutes")
// from a throttle message, in seconds; 60 when absent (Commander's default).
func throttleWait(msg string) int {
	m := throttleHint.FindStringSubmatch(strings.ToLower(msg))
	if m == nil {
		return 60
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n > 86400 {
		return 60
	}
	if m[2] == "minute" {
		n *= 60
	}
	return n
}
