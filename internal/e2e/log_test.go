package e2e

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/sandbox"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
)

// TestRequestLogShowsRealOutcomes: every request gets a line with endpoint,
// HTTP status and error code (404s, wrong key ids and unreadable bodies
// included), JSON commands show each command's result, and no line carries
// a body, token or password.
func TestRequestLogShowsRealOutcomes(t *testing.T) {
	var log syncBuffer
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.Log = &log })
	ctx := context.Background()
	hc := rawHTTP(t, sb)
	post := func(path string, body []byte) {
		t.Helper()
		rs, err := hc.Post(sb.URL()+path, "application/octet-stream", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		rs.Body.Close()
	}
	rs, err := hc.Get(sb.URL() + "/favicon.ico")
	if err != nil {
		t.Fatal(err)
	}
	rs.Body.Close()
	post("/api/rest/no/such_endpoint", nil)
	wrongKey, _ := proto.Marshal(&authpb.ApiRequest{PublicKeyId: 3, EncryptedPayload: []byte("x")})
	post("/api/rest/authentication/start_login", wrongKey)
	post("/api/rest/authentication/start_login", []byte("not a protobuf \xff\xfe"))

	c := sb.Client(t)
	s := login(t, c)
	secretNode := "node-name-that-must-not-be-logged"
	if err := c.Execute(ctx, s.JSON(), raw{"command": "node_delete", "node_id": 12345, "note": secretNode}, nil); err == nil {
		t.Fatal("node_delete of a missing node succeeded")
	}
	if _, err := c.ExecuteBatch(ctx, s.JSON(), raws(
		map[string]any{"command": "enterprise_allocate_ids", "number_requested": 1},
		map[string]any{"command": "team_add", "team_uid": "short", "team_name": secretNode},
		map[string]any{"command": "no_such_command"},
	)); err != nil {
		t.Fatal(err)
	}

	out := log.String()
	for _, want := range []string{
		` GET /favicon.ico 404 not_found `,
		` no/such_endpoint 404 not_found `,
		` authentication/start_login 401 key `,
		`(client used key id 3)`,
		` authentication/start_login 400 bad_request `,
		` authentication/start_login 200 ok `,
		` login/account_summary 200 ok `,
		` vault/execute_v2_command 200 ok `,
		` node_delete=fail/node_not_found`,
		` execute[enterprise_allocate_ids=success team_add=fail/bad_inputs_team_uid no_such_command=fail/unknown_command]`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	line := regexp.MustCompile(`^\d\d:\d\d:\d\d\.\d{3} \S+( \S+)? \d{3} \S+ \S+( .*)?$`)
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if !line.MatchString(l) {
			t.Errorf("malformed log line %q", l)
		}
	}
	for _, secret := range []string{sandboxtest.Password, crypto.Base64URLEncode(s.SessionToken), secretNode} {
		if strings.Contains(out, secret) {
			t.Errorf("log leaks %q", secret)
		}
	}
	if n := strings.Count(out, "\n"); n < 10 {
		t.Errorf("only %d log lines", n)
	}
}
