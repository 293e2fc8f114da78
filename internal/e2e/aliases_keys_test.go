package e2e

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
)

func aliasesOf(e *enterprise.Enterprise, id int64) []string {
	var out []string
	for _, a := range e.UserAliases {
		if a.EnterpriseUserId == id {
			out = append(out, a.Username)
		}
	}
	return out
}

// TestAliases: an alias is an email unused anywhere on the server (as a
// username or an alias); added as primary it becomes the username and the
// old username an alias; set_primary_alias swaps back; the username itself
// cannot be deleted as an alias. Changes show on the next incremental sync.
func TestAliases(t *testing.T) {
	tn := newTenant(t)
	dana, emil := tn.user("dana.smith@msp.sandbox"), tn.user("emil.smith@msp.sandbox")
	add := func(id int64, alias string, primary bool) string {
		return tn.call("enterprise/enterprise_user_add_alias", &authpb.EnterpriseUserAddAliasRequest{EnterpriseUserId: id,
			Alias: alias, Primary: primary}, nil)
	}
	for _, c := range []struct {
		id      int64
		alias   string
		primary bool
		want    string
	}{
		{dana.EnterpriseUserId, "dana@msp-old.sandbox", false, "ok"},
		{emil.EnterpriseUserId, "DANA@msp-old.sandbox", false, "already_exists"}, // dana's alias
		{emil.EnterpriseUserId, "alice.smith@msp.sandbox", false, "already_exists"},
		{emil.EnterpriseUserId, "admin@acme.sandbox", false, "email_in_use"}, // a managed company's user
		{emil.EnterpriseUserId, "not an email", false, "bad_inputs_alias"},
		{int64(2001)<<32 + 100, "x@acme-old.sandbox", false, "bad_inputs_enterprise_user_id"}, // Acme's admin
		{emil.EnterpriseUserId, "emil@new.sandbox", true, "ok"},
	} {
		if got := add(c.id, c.alias, c.primary); got != c.want {
			t.Errorf("add alias %s to %d: %s, want %s", c.alias, c.id, got, c.want)
		}
	}
	// An alias email cannot be invited either.
	want(t, "invite an alias", tn.run(invite(tn.alloc(1), tn.e.Root().NodeId, "dana@msp-old.sandbox")), "already_exists")
	e := tn.reload()
	if got := aliasesOf(e, dana.EnterpriseUserId); fmt.Sprint(got) != "[dana@msp-old.sandbox]" {
		t.Errorf("dana's aliases %v", got)
	}
	if u := e.Users[emil.EnterpriseUserId]; u.Username != "emil@new.sandbox" || fmt.Sprint(aliasesOf(e, u.EnterpriseUserId)) != "[emil.smith@msp.sandbox]" {
		t.Errorf("emil after a primary alias: %s, aliases %v", u.Username, aliasesOf(e, u.EnterpriseUserId))
	}

	setPrimary := &authpb.EnterpriseUserAliasRequest{EnterpriseUserId: emil.EnterpriseUserId, Alias: "emil.smith@msp.sandbox"}
	if code := tn.call("enterprise/enterprise_user_set_primary_alias", setPrimary, nil); code != "ok" {
		t.Errorf("set primary alias: %s", code)
	}
	del := func(id int64, alias string) string {
		return tn.call("enterprise/enterprise_user_delete_alias", &authpb.EnterpriseUserAddAliasRequest{EnterpriseUserId: id, Alias: alias}, nil)
	}
	for _, c := range [][3]string{{"emil.smith@msp.sandbox", "cannot_delete_primary"}, {"dana@msp-old.sandbox", "alias_not_found"},
		{"emil@new.sandbox", "ok"}} {
		if got := del(emil.EnterpriseUserId, c[0]); got != c[1] {
			t.Errorf("delete alias %s: %s, want %s", c[0], got, c[1])
		}
	}
	e = tn.reload()
	if u := e.Users[emil.EnterpriseUserId]; u.Username != "emil.smith@msp.sandbox" || len(aliasesOf(e, u.EnterpriseUserId)) != 0 {
		t.Errorf("emil after swapping back and deleting: %s, aliases %v", u.Username, aliasesOf(e, u.EnterpriseUserId))
	}
	// The freed alias can be used again.
	if got := add(dana.EnterpriseUserId, "emil@new.sandbox", false); got != "ok" {
		t.Errorf("re-adding a deleted alias elsewhere: %s", got)
	}
}

// TestPrimaryAliasMovesLogin: making an alias the admin's username moves
// the login: the new email logs in, the old one no longer does.
func TestPrimaryAliasMovesLogin(t *testing.T) {
	tn := newTenant(t)
	admin := tn.user(seed.AdminEmail)
	if code := tn.call("enterprise/enterprise_user_add_alias", &authpb.EnterpriseUserAddAliasRequest{EnterpriseUserId: admin.EnterpriseUserId,
		Alias: "boss@msp.sandbox", Primary: true}, nil); code != "ok" {
		t.Fatalf("primary alias for the admin: %s", code)
	}
	// The current session still works.
	if e := tn.reload(); e.Users[admin.EnterpriseUserId].Username != "boss@msp.sandbox" {
		t.Errorf("admin username %s", e.Users[admin.EnterpriseUserId].Username)
	}
	ctx := context.Background()
	c := tn.sb.Client(t)
	if _, err := auth.Login(ctx, c, auth.Options{Username: "boss@msp.sandbox", Password: pw(sandboxtest.Password)}); err != nil {
		t.Errorf("login with the new primary email: %v", err)
	}
	if _, err := auth.Login(ctx, tn.sb.Client(t), auth.Options{Username: seed.AdminEmail, Password: pw(sandboxtest.Password)}); err == nil {
		t.Error("the old username still logs in")
	}
}

// TestPublicKeys: vault/get_public_keys answers the RSA and EC keys of
// active users of the session's enterprise (the admin's are its login
// keys), no_public_key for invited users, no_active_share_exist for users
// of other enterprises and user_not_found for unknown emails.
func TestPublicKeys(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	c := sb.Client(t)
	s := login(t, c)
	tn := &tenant{t: t, sb: sb, c: c, json: s.JSON(), keys: keys(s)}
	names := []string{"ALICE.SMITH@msp.sandbox", seed.AdminEmail, "bruno@msp-old.sandbox",
		"kofi.meyer@msp.sandbox", "admin@acme.sandbox", "nobody@nowhere.sandbox"}
	var rs authpb.GetPublicKeysResponse
	if code := tn.call("vault/get_public_keys", &authpb.GetPublicKeysRequest{Usernames: names}, &rs); code != "ok" || len(rs.KeyResponses) != len(names) {
		t.Fatalf("get_public_keys: %s %d", code, len(rs.KeyResponses))
	}
	codes := ""
	for i, r := range rs.KeyResponses {
		codes += r.ErrorCode + " "
		if r.Username != names[i] {
			t.Errorf("answer %d is for %q, want %q", i, r.Username, names[i])
		}
		if r.ErrorCode != "" {
			if len(r.PublicKey) != 0 || len(r.PublicEccKey) != 0 || r.Message == "" {
				t.Errorf("%s: refusal %q with keys or without a message", r.Username, r.ErrorCode)
			}
			continue
		}
		if _, err := crypto.LoadRSAPublicKey(r.PublicKey); err != nil {
			t.Errorf("%s: RSA key %v", r.Username, err)
		}
		if _, err := crypto.LoadECPublicKey(r.PublicEccKey); err != nil {
			t.Errorf("%s: EC key %v", r.Username, err)
		}
	}
	// kofi.meyer is demo user 30: invited.
	if codes != "   no_public_key no_active_share_exist user_not_found " {
		t.Errorf("error codes %q", codes)
	}
	if r := rs.KeyResponses; bytes.Equal(r[0].PublicKey, r[1].PublicKey) || !bytes.Equal(r[1].PublicEccKey, s.Summary.ECKey.PublicKey().Bytes()) {
		t.Error("alice shares the admin's key, or the admin's EC key is not its login key")
	}
}

// TestUserDeleteCascades: deleting a user deletes its team and role links,
// queued team memberships and aliases, and the sync sends those deletes.
func TestUserDeleteCascades(t *testing.T) {
	tn := newTenant(t)
	bruno := tn.user("bruno.smith@msp.sandbox") // alias, Europe Admins, Default Users, a team
	inv := tn.user(fmt.Sprint(int64(seed.MSPEnterpriseID)<<32 + 131))
	helpdesk, _ := tn.e.Team("Helpdesk")
	raw := enterprise.NewRaw()
	token := tn.rawSync(raw, nil)
	want(t, "setup", tn.run(map[string]any{"command": "team_queue_user", "team_uid": helpdesk.UID, "enterprise_user_id": inv.EnterpriseUserId}), "ok")
	token = tn.rawSync(raw, token)
	if len(queued(raw)[helpdesk.UID]) != 1 {
		t.Fatal("queue not synced")
	}
	want(t, "deletes", tn.run(
		map[string]any{"command": "enterprise_user_delete", "enterprise_user_id": bruno.EnterpriseUserId},
		map[string]any{"command": "enterprise_user_delete", "enterprise_user_id": inv.EnterpriseUserId},
		map[string]any{"command": "enterprise_user_delete", "enterprise_user_id": inv.EnterpriseUserId},
	), "ok ok user_not_found")
	tn.rawSync(raw, token)
	if q := queued(raw)[helpdesk.UID]; len(q) != 0 {
		t.Errorf("queued membership of a deleted user still synced: %v", q)
	}
	e := tn.reload()
	if _, err := e.User("bruno@msp-old.sandbox"); err == nil || len(aliasesOf(e, bruno.EnterpriseUserId)) != 0 {
		t.Error("a deleted user's alias is still synced")
	}
	for _, ru := range e.RoleUsers {
		if ru.EnterpriseUserId == bruno.EnterpriseUserId {
			t.Error("a deleted user's role link is still synced")
		}
	}
	for _, tu := range e.TeamUsers {
		if tu.EnterpriseUserId == bruno.EnterpriseUserId {
			t.Error("a deleted user's team link is still synced")
		}
	}
	// The link tombstones are sent, not left to the client's cascade.
	for _, kind := range []enterprisepb.EnterpriseDataEntity{enterprisepb.EnterpriseDataEntity_ROLE_USERS,
		enterprisepb.EnterpriseDataEntity_TEAM_USERS, enterprisepb.EnterpriseDataEntity_USER_ALIASES} {
		var n int
		if err := tn.sb.Store().DB().QueryRow(`SELECT count(*) FROM entities WHERE enterprise_id = ? AND kind = ? AND deleted = 1`,
			seed.MSPEnterpriseID, int32(kind)).Scan(&n); err != nil || n == 0 {
			t.Errorf("no %v deletes recorded: %v", kind, err)
		}
	}
}

// TestForeignIDsRefused: users, roles, teams and nodes of another
// enterprise cannot be touched: an MSP session cannot act on its managed
// company's entities, nor a managed-company session on the MSP's.
func TestForeignIDsRefused(t *testing.T) {
	tn := newTenant(t)
	acme := tn.mc("Acme Dental")
	acmeAdmin := acme.user("admin@acme.sandbox")
	acmeRole, _ := acme.e.Role("Keeper Administrator")
	alice := tn.user("alice.smith@msp.sandbox")
	sales, _ := tn.e.Team("Sales")
	want(t, "msp on acme", tn.run(
		map[string]any{"command": "enterprise_user_lock", "enterprise_user_id": acmeAdmin.EnterpriseUserId, "lock": "locked"},
		map[string]any{"command": "enterprise_user_delete", "enterprise_user_id": acmeAdmin.EnterpriseUserId},
		map[string]any{"command": "role_user_add", "role_id": acmeRole.RoleId, "enterprise_user_id": alice.EnterpriseUserId},
		map[string]any{"command": "enterprise_user_update", "enterprise_user_id": alice.EnterpriseUserId, "node_id": acme.e.Root().NodeId,
			"enterprise_user_username": alice.Username},
	), "bad_inputs_enterprise_user_id bad_inputs_enterprise_user_id bad_inputs_role_id bad_inputs_node_id")
	want(t, "acme on msp", acme.run(
		map[string]any{"command": "enterprise_user_lock", "enterprise_user_id": alice.EnterpriseUserId, "lock": "locked"},
		map[string]any{"command": "team_queue_user", "team_uid": sales.UID, "enterprise_user_id": acmeAdmin.EnterpriseUserId},
		map[string]any{"command": "resend_enterprise_invite", "enterprise_user_id": alice.EnterpriseUserId},
		map[string]any{"command": "set_master_password_expire", "email": alice.Username},
	), "bad_inputs_enterprise_user_id team_not_found bad_inputs_enterprise_user_id user_not_found")
	if code := acme.call("enterprise/disable_two_fa", &enterprisepb.EnterpriseUserIds{EnterpriseUserId: []int64{alice.EnterpriseUserId}}, nil); code != "bad_inputs_enterprise_user_id" {
		t.Errorf("disable_two_fa of an MSP user from Acme: %s", code)
	}
	if e := tn.reload(); e.Users[alice.EnterpriseUserId].Lock != 0 {
		t.Error("alice was locked from a managed company session")
	}
}
