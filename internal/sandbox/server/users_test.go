package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/envelope"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// testServer is a server over a freshly seeded demo tenant.
func testServer(t *testing.T) *Server {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "sandbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := seed.Demo(context.Background(), st, seed.Options{Password: "Unit-Test-1!", Iterations: 1000}); err != nil {
		t.Fatal(err)
	}
	key, err := crypto.GenerateECKey()
	if err != nil {
		t.Fatal(err)
	}
	return New(st, Options{KeyID: 7, Key: key})
}

// as returns a call of the demo admin acting on enterprise eid.
func as(eid int32, payload proto.Message) *call {
	c := &call{ctx: context.Background(), sess: &store.Session{Username: seed.AdminEmail, EnterpriseID: eid},
		out: &outcome{}, host: "sandbox.test:8443", scheme: "https", rq: &envelope.Request{}}
	if payload != nil {
		c.rq.Payload, _ = proto.Marshal(payload)
	}
	return c
}

// run runs JSON commands and returns "ok" or the result_code of each.
func run(s *Server, eid int32, cmds ...map[string]any) []string {
	var out []string
	for _, cmd := range cmds {
		res := s.runJSON(as(eid, nil), cmd)
		if res["result"] == "success" {
			out = append(out, "ok")
		} else {
			out = append(out, fmt.Sprint(res["result_code"]))
		}
	}
	return out
}

func allocate(t *testing.T, s *Server, eid int32, n int) int64 {
	t.Helper()
	res := s.runJSON(as(eid, nil), map[string]any{"command": "enterprise_allocate_ids", "number_requested": float64(n)})
	base, ok := res["base_id"].(int64)
	if !ok {
		t.Fatalf("allocate: %v", res)
	}
	return base
}

func userEntity(t *testing.T, s *Server, eid int32, id int64) *enterprisepb.User {
	t.Helper()
	e, err := store.GetEntity(context.Background(), s.st.DB(), eid, int32(kUsers), fmt.Sprint(id))
	if err != nil {
		t.Fatalf("user %d: %v", id, err)
	}
	var u enterprisepb.User
	if err := proto.Unmarshal(e.Data, &u); err != nil {
		t.Fatal(err)
	}
	return &u
}

// TestCheckEmail: Commander's email syntax, lower-cased.
func TestCheckEmail(t *testing.T) {
	for in, want := range map[string]string{"New.Hire@Example.COM": "new.hire@example.com", " a+b@x-y.io ": "a+b@x-y.io",
		"no-at-sign": "", "a@nodot": "", "a b@x.io": "", "a@x..io": "", "<a@x.io>": "", strings.Repeat("a", 251) + "@x.io": ""} {
		got, err := checkEmail(in, "f")
		if (err == nil) != (want != "") || got != want {
			t.Errorf("checkEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// TestUserTypeAndOrigin: user_type by number or TeamUserType name; an
// invitation link carries the Host the client used, never odd characters.
func TestUserTypeAndOrigin(t *testing.T) {
	for in, want := range map[any]string{float64(0): "USER", float64(1): "ADMIN", float64(2): "ADMIN_ONLY", "admin": "ADMIN",
		float64(3): "", "boss": "", float64(-1): ""} {
		got, err := userType(map[string]any{"user_type": in}, -1)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("userType(%v) = %q, %v; want %q", in, got, err, want)
		}
	}
	if got, _ := userType(map[string]any{}, 0); got != "USER" {
		t.Errorf("default user type %q", got)
	}
	if _, err := userType(map[string]any{}, -1); err == nil {
		t.Error("a required user_type may not be absent")
	}
	for host, want := range map[string]string{"127.0.0.1:8443": "https://127.0.0.1:8443", "[::1]:8443": "https://[::1]:8443",
		"evil.test/<script>": "https://localhost", "": "https://localhost"} {
		if got := (&jsonCall{call: &call{host: host, scheme: "https"}}).origin(); got != want {
			t.Errorf("origin(%q) = %q, want %q", host, got, want)
		}
	}
}

// TestInviteIDsSeatsAndOutbox: enterprise_user_add takes only allocated,
// never-used ids; a managed company stops at its licence's seats; the MSP
// sees the company's numberOfUsers follow its active users; invitations
// land in the outbox unless suppressed.
func TestInviteIDsSeatsAndOutbox(t *testing.T) {
	s := testServer(t)
	const msp, evergreen = seed.MSPEnterpriseID, 2005 // Evergreen: 5 seats, 2 active + 1 invited
	base := allocate(t, s, msp, 2)
	root := int64(msp)<<32 + 2
	add := func(id int64, email string) map[string]any {
		return map[string]any{"command": "enterprise_user_add", "enterprise_user_id": float64(id), "node_id": float64(root),
			"enterprise_user_username": email}
	}
	got := run(s, msp, add(base, "one@msp.sandbox"), add(base, "two@msp.sandbox"), add(base+2, "three@msp.sandbox"),
		map[string]any{"command": "enterprise_user_delete", "enterprise_user_id": float64(base)}, add(base, "four@msp.sandbox"))
	if want := "ok bad_inputs_enterprise_user_id bad_inputs_enterprise_user_id ok bad_inputs_enterprise_user_id"; strings.Join(got, " ") != want {
		t.Errorf("msp invites: %v, want %s", got, want)
	}

	mcBase := allocate(t, s, evergreen, 3)
	mcRoot := int64(evergreen)<<32 + 2
	mcAdd := func(i int64, email string) map[string]any {
		m := add(mcBase+i, email)
		m["node_id"] = float64(mcRoot)
		return m
	}
	got = run(s, evergreen, mcAdd(0, "a@evergreen.sandbox"), mcAdd(1, "b@evergreen.sandbox"), mcAdd(2, "c@evergreen.sandbox"))
	if strings.Join(got, " ") != "ok ok seats_exceeded" {
		t.Errorf("evergreen invites: %v, want ok ok seats_exceeded", got)
	}
	// Deleting an active user frees a seat and lowers the MC's numberOfUsers in the MSP.
	active := int64(evergreen)<<32 + 101
	if got := run(s, evergreen, map[string]any{"command": "enterprise_user_delete", "enterprise_user_id": float64(active)}, mcAdd(2, "c@evergreen.sandbox")); strings.Join(got, " ") != "ok ok" {
		t.Errorf("after a delete: %v", got)
	}
	e, err := store.GetEntity(context.Background(), s.st.DB(), msp, int32(kMCs), fmt.Sprint(evergreen))
	if err != nil {
		t.Fatal(err)
	}
	var mc enterprisepb.ManagedCompany
	_ = proto.Unmarshal(e.Data, &mc)
	if mc.NumberOfUsers != 1 {
		t.Errorf("Evergreen numberOfUsers %d, want 1 (2 active, one deleted)", mc.NumberOfUsers)
	}

	m := add(base+1, "quiet@msp.sandbox")
	m["suppress_email_invite"] = true
	if got := run(s, msp, m); got[0] != "ok" {
		t.Fatalf("suppressed invite: %v", got)
	}
	mails, err := s.st.Outbox(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var to []string
	for _, m := range mails {
		to = append(to, m.To)
		if !strings.HasPrefix(m.Link, "https://sandbox.test:8443/vault/#/invite/") || m.Subject == "" {
			t.Errorf("mail %+v", m)
		}
	}
	if fmt.Sprint(to) != "[one@msp.sandbox a@evergreen.sandbox b@evergreen.sandbox c@evergreen.sandbox]" {
		t.Errorf("outbox to %v", to)
	}
}

// TestLockKeepsDisabled: locking a disabled user (lock 2) leaves it
// disabled; unlocking enables it.
func TestLockKeepsDisabled(t *testing.T) {
	s := testServer(t)
	const msp = seed.MSPEnterpriseID
	disabled := int64(msp)<<32 + 100 + 1 + 38 // demo user 38 has lock 2
	lock := func(v string) map[string]any {
		return map[string]any{"command": "enterprise_user_lock", "enterprise_user_id": float64(disabled), "lock": v}
	}
	if got := run(s, msp, lock("locked")); got[0] != "ok" || userEntity(t, s, msp, disabled).Lock != lockDisabled {
		t.Errorf("lock of a disabled user: %v, lock %d", got, userEntity(t, s, msp, disabled).Lock)
	}
	if got := run(s, msp, lock("unlocked")); got[0] != "ok" || userEntity(t, s, msp, disabled).Lock != lockNone {
		t.Errorf("unlock of a disabled user: %v, lock %d", got, userEntity(t, s, msp, disabled).Lock)
	}
	if got := run(s, msp, lock("frozen")); got[0] != "bad_inputs_lock" {
		t.Errorf("lock value frozen: %v", got)
	}
}

// TestRESTFailuresAreKeeperErrors: a refused REST change answers status
// 400 with the result code as Keeper's "error".
func TestRESTFailuresAreKeeperErrors(t *testing.T) {
	s := testServer(t)
	admin := int64(seed.MSPEnterpriseID)<<32 + 10 // Keeper Administrator manages the root
	_, err := s.roleTeams(true)(as(seed.MSPEnterpriseID, &enterprisepb.RoleTeams{RoleTeam: []*enterprisepb.RoleTeam{
		{RoleId: admin, TeamUid: []byte("sandbox-team-001")}}}))
	var ae *apiError
	if !errors.As(err, &ae) || ae.status != http.StatusBadRequest || ae.body.Error != "role_is_admin" {
		t.Fatalf("role_team_add to an admin role: %v", err)
	}
}
