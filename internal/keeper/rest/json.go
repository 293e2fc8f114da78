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

// ExecuteV2 runs one JSON command. The automatic fields Commander adds are
// filled in; out (may be nil) receives the whole JSON reply. A reply whose
// result is not "success" is returned as *APIError with its result_code.
func (c *Client) ExecuteV2(ctx context.Context, sess JSONSession, cmd map[string]any, out any) error {
	name, _ := cmd["command"].(string)
	rq := make(map[string]any, len(cmd)+6)
	for k, v := range cmd {
		rq[k] = v
	}
	rq["client_time"] = time.Now().UnixMilli()
	rq["locale"] = c.opts.Locale
	rq["device_id"] = "Commander"
	rq["session_token"] = crypto.Base64URLEncode(sess.Token)
	rq["username"] = strings.ToLower(sess.Username)
	if _, ok := rq["client_version"]; !ok {
		rq["client_version"] = c.opts.ClientVersion
	}
	payload, err := json.Marshal(rq)
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
		var rs struct {
			Result     string `json:"result"`
			ResultCode string `json:"result_code"`
			Message    string `json:"message"`
		}
		if len(body) == 0 || json.Unmarshal(body, &rs) != nil {
			return &ReplyError{Endpoint: name, Msg: "malformed JSON reply from server"}
		}
		if rs.Result != "success" {
			if rs.ResultCode == "throttled" && attempt == 0 {
				if err := c.opts.Sleep(ctx, 10*time.Second); err != nil {
					return err
				}
				continue
			}
			return &APIError{Endpoint: name, Code: Clip(rs.ResultCode), Message: Clip(rs.Message), HTTPStatus: 200}
		}
		if out != nil {
			if err := json.Unmarshal(body, out); err != nil {
				return &ReplyError{Endpoint: name, Msg: "unexpected JSON reply", Err: err}
			}
		}
		return nil
	}
}

// BatchResult is the server's answer to one command of a batch.
type BatchResult struct {
	Result     string         `json:"result"`
	ResultCode string         `json:"result_code"`
	Message    string         `json:"message"`
	Raw        map[string]any `json:"-"`
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

// ExecuteBatch sends cmds through `execute` requests of up to BatchSize
// commands and returns one result per command, in order. A reply with fewer
// results than requests has its remainder re-sent; a trailing `throttled`
// result is retried after 10 seconds, as Commander does.
func (c *Client) ExecuteBatch(ctx context.Context, sess JSONSession, cmds []map[string]any) ([]BatchResult, error) {
	results := make([]BatchResult, 0, len(cmds))
	queue := cmds
	stalls := 0
	for len(queue) > 0 {
		n := min(len(queue), BatchSize)
		chunk := queue[:n]
		var rs struct {
			Results []map[string]any `json:"results"`
		}
		if err := c.ExecuteV2(ctx, sess, map[string]any{"command": "execute", "requests": chunk}, &rs); err != nil {
			return results, err
		}
		got := rs.Results
		if len(got) > n {
			return results, &ReplyError{Endpoint: "execute", Msg: fmt.Sprintf("server returned %d results for %d commands", len(got), n)}
		}
		if k := len(got); k > 0 {
			if code, _ := got[k-1]["result_code"].(string); code == "throttled" {
				got = got[:k-1]
				if err := c.opts.Sleep(ctx, 10*time.Second); err != nil {
					return results, err
				}
			}
		}
		if len(got) == 0 {
			if stalls++; stalls > 3 {
				return results, &ReplyError{Endpoint: "execute", Msg: fmt.Sprintf("server made no progress on %d commands", len(queue))}
			}
			continue
		}
		stalls = 0
		for _, m := range got {
			r := BatchResult{Raw: m}
			r.Result, _ = m["result"].(string)
			r.ResultCode, _ = m["result_code"].(string)
			r.Message, _ = m["message"].(string)
			r.ResultCode, r.Message = Clip(r.ResultCode), Clip(r.Message)
			results = append(results, r)
		}
		queue = queue[len(got):]
	}
	return results, nil
}
