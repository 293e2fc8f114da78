package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode"
)

// outcome records what one request really got, for its log line: the HTTP
// status, the Keeper error code of a JSON error body, server-side detail of
// a failure and the result of every JSON command. It never holds bodies.
type outcome struct {
	http.ResponseWriter
	status int
	code   string   // "error" of a JSON error body; "" when the request succeeded
	detail string   // server-side cause (internal errors, unopenable envelopes)
	cmds   []string // JSON commands: "name=result" or "name=fail/result_code"
}

// WriteHeader implements http.ResponseWriter.
func (o *outcome) WriteHeader(status int) {
	if o.status == 0 {
		o.status = status
	}
	o.ResponseWriter.WriteHeader(status)
}

// Write implements http.ResponseWriter. Of an error reply it keeps only the
// Keeper error code ("error" of the JSON body every error path writes).
func (o *outcome) Write(b []byte) (int, error) {
	if o.status == 0 {
		o.status = http.StatusOK
	}
	if o.status >= 400 && o.code == "" && strings.HasPrefix(o.Header().Get("Content-Type"), "application/json") {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(b, &e) == nil {
			o.code = e.Error
		}
	}
	return o.ResponseWriter.Write(b)
}

// command records the outcome of one JSON command from its reply object.
func (o *outcome) command(reply map[string]any) string {
	name, _ := reply["command"].(string)
	result, _ := reply["result"].(string)
	code, _ := reply["result_code"].(string)
	s := clean(name) + "=" + clean(result)
	if result != "success" {
		s += "/" + clean(code)
	}
	return s
}

// requestName is how a request appears in the log: the endpoint under
// /api/rest/ (or the BI path) for API posts, otherwise method and path.
func requestName(r *http.Request) string {
	if ep, ok := apiEndpoint(r.URL.Path); ok && r.Method == http.MethodPost {
		return clean(strings.TrimPrefix(ep, "/"))
	}
	return clean(r.Method) + " " + clean(r.URL.Path)
}

// clean makes client-chosen text safe for a log line: at most 80 runes,
// no spaces or control characters.
func clean(s string) string {
	if s == "" {
		return "-"
	}
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80]) + "..."
	}
	return strings.Map(func(r rune) rune {
		if !unicode.IsGraphic(r) || unicode.IsSpace(r) {
			return '?'
		}
		return r
	}, s)
}

// logRequest writes one line per request: time, endpoint, HTTP status,
// error code (ok on success), duration, then JSON command outcomes and any
// server-side detail. Lines never carry bodies, tokens or keys.
func (s *Server) logRequest(name string, o *outcome, start time.Time) {
	if s.opts.Log == nil {
		return
	}
	status, code := o.status, o.code
	if status == 0 {
		status = http.StatusOK // nothing written: net/http sends an empty 200
	}
	if code == "" {
		code = "ok"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %d %s %s", start.Format("15:04:05.000"), name, status, code, time.Since(start).Round(time.Millisecond))
	if len(o.cmds) > 0 {
		b.WriteString(" " + strings.Join(o.cmds, " "))
	}
	if o.detail != "" {
		fmt.Fprintf(&b, " (%s)", o.detail)
	}
	b.WriteByte('\n')
	s.logMu.Lock()
	defer s.logMu.Unlock()
	_, _ = io.WriteString(s.opts.Log, b.String())
}

// Note logs an event that is not a request (a refused connection).
func (s *Server) Note(event string) {
	if s.opts.Log == nil {
		return
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	_, _ = fmt.Fprintf(s.opts.Log, "%s %s\n", time.Now().Format("15:04:05.000"), event)
}
