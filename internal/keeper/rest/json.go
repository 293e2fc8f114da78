package rest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
)

// JSONEndpoint is the REST endpoint carrying JSON ("v2") commands.
const JSONEndpoint = "vault/execute_v2_command"

// BatchSize is how many commands one `execute` request carries.
const BatchSize = 100

// JSONSession is what a JSON command needs to authenticate: the session
// travels inside the JSON, not in the envelope.
type JSONSession struct {
	Token    []byte
	Username string
}

// Command is a typed JSON command: a struct whose JSON encoding holds the
// command's own fields. CommandName is the wire name ("node_add"); the
// "command" key and the session fields are added when it is sent.
type Command interface {
	CommandName() string
}

// Execute runs one typed JSON command. The automatic fields Commander adds
// (client_time, locale, device_id, session_token, username, client_version)
// are filled in; out (may be nil) receives the whole JSON reply. A reply
// whose result is not "success" is returned as *APIError with its
// result_code.
func (c *Client) Execute(ctx context.Context, sess JSONSession, cmd Command, out any) error {
	fields, err := encodeCommand(cmd)
	if err != nil {
		return err
	}
	name := cmd.CommandName()
	add := func(k string, v any) {
		b, _ := json.Marshal(v)
		fields[k] = b
	}
	add("client_time", time.Now().UnixMilli())
	add("locale", c.opts.Locale)
	add("device_id", "Commander")
	add("session_token", crypto.Base64URLEncode(sess.Token))
	add("username", strings.ToLower(sess.Username))
	if _, ok := fields["client_version"]; !ok {
		add("client_version", c.opts.ClientVersion)
	}
	payload, err := json.Marshal(fields)
	if err != nil {
		return fmt.Errorf("%s: encode command: %w", name, err)
	}
	for attempt := 0; ; attempt++ {
		c.debugJSON(">>>", name, payload)
		body, err := c.CallRaw(ctx, JSONEndpoint, payload)
		if err != nil {
			return err
		}
		c.debugJSON("<<<", name, body)
		var rs BatchResult
		if len(body) == 0 || json.Unmarshal(body, &rs) != nil {
			return &ReplyError{Endpoint: name, Msg: "malformed JSON reply from server"}
		}
		rs.ResultCode, rs.Message = Clip(rs.ResultCode), Clip(rs.Message)
		if !rs.OK() {
			if rs.ResultCode == "throttled" && attempt == 0 {
				if err := c.opts.Sleep(ctx, 10*time.Second); err != nil {
					return err
				}
				continue
			}
			return rs.Err(name)
		}
		if out != nil {
			if err := json.Unmarshal(body, out); err != nil {
				return &ReplyError{Endpoint: name, Msg: "unexpected JSON reply", Err: err}
			}
		}
		return nil
	}
}

// encodeCommand turns a typed command into its JSON fields plus "command".
func encodeCommand(cmd Command) (map[string]json.RawMessage, error) {
	b, err := json.Marshal(cmd)
	if err != nil {
		return nil, fmt.Errorf("%s: encode command: %w", cmd.CommandName(), err)
	}
	fields := map[string]json.RawMessage{}
	if err := json.Unmarshal(b, &fields); err != nil {
		return nil, fmt.Errorf("%s: a command must encode as a JSON object", cmd.CommandName())
	}
	name, _ := json.Marshal(cmd.CommandName())
	fields["command"] = name
	return fields, nil
}

// BatchResult is the server's answer to one JSON command (alone or in a
// batch).
type BatchResult struct {
	Command    string `json:"command,omitempty"`
	Result     string `json:"result"`
	ResultCode string `json:"result_code"`
	Message    string `json:"message"`
	// Raw is the whole reply object, for command-specific fields.
	Raw json.RawMessage `json:"-"`
}

// OK reports whether the command succeeded.
func (r BatchResult) OK() bool { return r.Result == "success" }

// Err returns the command's failure as *APIError, or nil.
func (r BatchResult) Err(command string) error {
	if r.OK() {
		return nil
	}
	return &APIError{Endpoint: command, Code: r.ResultCode, Message: r.Message, HTTPStatus: 200}
}

// Decode unmarshals the command-specific fields of the reply into out.
func (r BatchResult) Decode(out any) error {
	if len(r.Raw) == 0 {
		return nil
	}
	return json.Unmarshal(r.Raw, out)
}

// executeRequest is the `execute` batch command.
type executeRequest struct {
	Requests []map[string]json.RawMessage `json:"requests"`
}

func (executeRequest) CommandName() string { return "execute" }

// ExecuteBatch sends cmds through `execute` requests of up to BatchSize
// commands and returns one result per command, in order. A reply with fewer
// results than requests has its remainder re-sent; a trailing `throttled`
// result is retried after 10 seconds, as Commander does. On error the
// results of the commands already answered are returned with it, so a
// caller knows exactly which commands ran.
func (c *Client) ExecuteBatch(ctx context.Context, sess JSONSession, cmds []Command) ([]BatchResult, error) {
	return c.ExecuteBatchFunc(ctx, sess, cmds, nil)
}

// ExecuteBatchFunc is ExecuteBatch that calls answered (when not nil) after
// each reply with the number of commands it answered, for progress bars.
func (c *Client) ExecuteBatchFunc(ctx context.Context, sess JSONSession, cmds []Command, answered func(n int)) ([]BatchResult, error) {
	encoded := make([]map[string]json.RawMessage, len(cmds))
	for i, cmd := range cmds {
		f, err := encodeCommand(cmd)
		if err != nil {
			return nil, err
		}
		encoded[i] = f
	}
	results := make([]BatchResult, 0, len(cmds))
	queue := encoded
	stalls := 0
	for len(queue) > 0 {
		n := min(len(queue), BatchSize)
		var rs struct {
			Results []json.RawMessage `json:"results"`
		}
		if err := c.Execute(ctx, sess, executeRequest{Requests: queue[:n]}, &rs); err != nil {
			return results, err
		}
		got := rs.Results
		if len(got) > n {
			return results, &ReplyError{Endpoint: "execute", Msg: fmt.Sprintf("server returned %d results for %d commands", len(got), n)}
		}
		parsed := make([]BatchResult, 0, len(got))
		for _, raw := range got {
			var r BatchResult
			if json.Unmarshal(raw, &r) != nil {
				return results, &ReplyError{Endpoint: "execute", Msg: "malformed result from server"}
			}
			r.Raw = raw
			r.ResultCode, r.Message = Clip(r.ResultCode), Clip(r.Message)
			parsed = append(parsed, r)
		}
		if k := len(parsed); k > 0 && parsed[k-1].ResultCode == "throttled" {
			parsed = parsed[:k-1]
			if err := c.opts.Sleep(ctx, 10*time.Second); err != nil {
				return results, err
			}
		}
		if len(parsed) == 0 {
			if stalls++; stalls > 3 {
				return results, &ReplyError{Endpoint: "execute", Msg: fmt.Sprintf("server made no progress on %d commands", len(queue))}
			}
			continue
		}
		stalls = 0
		results = append(results, parsed...)
		queue = queue[len(parsed):]
		if answered != nil {
			answered(len(parsed))
		}
	}
	return results, nil
}
