package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
)

func invite(id, node int64, email string) map[string]any {
	return map[string]any{"command": "enterprise_user_add", "enterprise_user_id": id, "node_id": node,
		"enterprise_user_username": email}
}

func want(t *testing.T, what string, got []string, codes string) {
	t.Helper()
	if strings.Join(got, " ") != codes {
		t.Errorf("%s: got %v, want %s", what, got, codes)
	}
}

// TestInviteRules: enterprise_user_add accepts an allocated, never-used id
// at a node of the caller's enterprise and an email no account or
// enterprise on the server holds (usernames and aliases, this enterprise,
// another managed company or the MSP); the invited user shows on the next
// incremental sync exactly as sent, and the invitation lands in the outbox.
func TestInviteRules(t *testing.T) {
	tn := newTenant(t)
	ctx := context.Background()
	base := tn.alloc(3)
	root := tn.e.Root().NodeId
	enc, err := enterprise.EncryptData(tn.e.TreeKey, "Nina New")
	if err != nil {
		t.Fatal(err)
	}
	ok := invite(base, root, "Nina.New@MSP.sandbox")
	ok["encrypted_data"], ok["job_title"] = enc, "Analyst"
	acme := int64(2001) << 32
	want(t, "invites", tn.run(
		ok,
		invite(base, root, "other@msp.sandbox"), // id just used
		invite(int64(seed.MSPEnterpriseID)<<32+90000, root, "x@msp.sandbox"), // never allocated
		invite(acme+100_000, root, "x@msp.sandbox"),                          // another enterprise's id
		invite(base+1, acme+2, "x@msp.sandbox"),                              // Acme Dental's root node
		invite(base+1, root, "not-an-email"),
		invite(base+1, root, "alice.smith@msp.sandbox"), // user of this enterprise
		invite(base+1, root, "bruno@msp-old.sandbox"),   // alias in this enterprise
		invite(base+1, root, "admin@acme.sandbox"),      // user of a managed company
		invite(base+1, root, "nina.new@msp.sandbox"),    // just invited
		map[string]any{"command": "enterprise_user_delete", "enterprise_user_id": base},
		invite(base, root, "again@msp.sandbox"), // a deleted user's id stays used
	), "ok bad_inputs_enterprise_user_id bad_inputs_enterprise_user_id bad_inputs_enterprise_user_id bad_inputs_node_id "+
		"bad_inputs_enterprise_user_username already_exists already_exists email_in_use already_exists ok bad_inputs_enterprise_user_id")

	want(t, "second invite", tn.run(invite(base+1, root, "nina.new@msp.sandbox")), "ok")
	e := tn.reload()
	u, err := e.User("nina.new@msp.sandbox")
	if err != nil || u.EnterpriseUserId != base+1 || u.Status != "invited" || u.Lock != 0 || u.KeyType != "encrypted_by_data_key" {
		t.Fatalf("invited user after incremental sync: %+v %v", u, err)
	}
	if _, err := e.User(fmt.Sprint(base)); err == nil {
		t.Error("the deleted invitee is still there")
	}

	// From a managed company, MSP users and other companies' users are taken too.
	acmeTn := tn.mc("Acme Dental")
	id := acmeTn.alloc(1)
	want(t, "mc invites", acmeTn.run(invite(id, acme+2, "alice.smith@msp.sandbox"), invite(id, acme+2, "admin@bluebird.sandbox"),
		invite(id, root, "someone@acme.sandbox"), invite(id, acme+2, "someone@acme.sandbox")),
		"email_in_use email_in_use bad_inputs_node_id ok")

	// Resend only to invited users; suppress_email_invite mails nothing.
	quiet := invite(base+2, root, "quiet@msp.sandbox")
	quiet["suppress_email_invite"] = true
	want(t, "resend", tn.run(quiet,
		map[string]any{"command": "resend_enterprise_invite", "enterprise_user_id": base + 1},
		map[string]any{"command": "resend_enterprise_invite", "enterprise_user_id": tn.user("alice.smith@msp.sandbox").EnterpriseUserId}),
		"ok ok user_not_invited")
	mails, err := tn.sb.Store().Outbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range mails {
		got = append(got, m.To)
		if !strings.HasPrefix(m.Link, tn.sb.URL()+"/vault/#/invite/") || !strings.Contains(m.Subject, "on Keeper") {
			t.Errorf("mail %+v", m)
		}
	}
	if fmt.Sprint(got) != "[nina.new@msp.sandbox nina.new@msp.sandbox someone@acme.sandbox nina.new@msp.sandbox]" {
		t.Errorf("outbox recipients %v", got)
	}
	if mails[0].Link == mails[3].Link || !strings.HasPrefix(mails[3].Subject, "Reminder") {
		t.Errorf("a resent invitation must be a new mail with a new link: %+v", mails)
	}
}

// TestManagedCompanySeats: a managed company cannot invite past its
// licence's seats (invited and active users count), a deleted user frees
// a seat, and the MSP's ManagedCompany numberOfUsers follows the company's
// active users on the MSP's next incremental sync.
func TestManagedCompanySeats(t *testing.T) {
	tn := newTenant(t)
	ev := tn.mc("Evergreen Startups") // 5 seats: 2 active + 1 invited
	base := ev.alloc(3)
	root := ev.e.Root().NodeId
	want(t, "invites", ev.run(invite(base, root, "n1@evergreen.sandbox"), invite(base+1, root, "n2@evergreen.sandbox"),
		invite(base+2, root, "n3@evergreen.sandbox")), "ok ok seats_exceeded")
	active := ev.user("admin@evergreen.sandbox")
	var other *enterprise.User
	for _, u := range ev.e.Users {
		if u.Status == "active" && u.EnterpriseUserId != active.EnterpriseUserId {
			other = u
		}
	}
	want(t, "after a delete", ev.run(map[string]any{"command": "enterprise_user_delete", "enterprise_user_id": other.EnterpriseUserId},
		invite(base+2, root, "n3@evergreen.sandbox")), "ok ok")
	mc, err := tn.reload().ManagedCompany("Evergreen Startups")
	if err != nil || mc.NumberOfUsers != 1 {
		t.Fatalf("Evergreen numberOfUsers after deleting an active user: %v %v, want 1", mc, err)
	}
}

// TestUserActions: lock and unlock (active users only; a disabled user
// stays disabled when locked), update, password expiry, transfer-consent
// extension and 2FA reset, each visible on the next incremental sync.
func TestUserActions(t *testing.T) {
	tn := newTenant(t)
	alice, invited := tn.user("alice.smith@msp.sandbox"), tn.user(fmt.Sprint(int64(seed.MSPEnterpriseID)<<32+100+1+30))
	disabled := tn.user(fmt.Sprint(int64(seed.MSPEnterpriseID)<<32 + 100 + 1 + 38))
	if invited.Status != "invited" || disabled.Lock != 2 || !alice.TfaEnabled {
		t.Fatalf("demo users changed: invited %+v, disabled %+v, alice %+v", invited.User, disabled.User, alice.User)
	}
	lock := func(id int64, v string) map[string]any {
		return map[string]any{"command": "enterprise_user_lock", "enterprise_user_id": id, "lock": v}
	}
	berlin, _ := tn.e.Node("Berlin")
	enc, _ := enterprise.EncryptData(tn.e.TreeKey, "Alice S.")
	update := map[string]any{"command": "enterprise_user_update", "enterprise_user_id": alice.EnterpriseUserId,
		"node_id": berlin.NodeId, "encrypted_data": enc, "enterprise_user_username": alice.Username, "job_title": "CTO"}
	before := time.Now()
	want(t, "actions", tn.run(
		lock(invited.EnterpriseUserId, "locked"), lock(alice.EnterpriseUserId, "locked"), lock(disabled.EnterpriseUserId, "locked"),
		update,
		map[string]any{"command": "enterprise_user_update", "enterprise_user_id": alice.EnterpriseUserId, "node_id": berlin.NodeId,
			"encrypted_data": enc, "enterprise_user_username": "someone.else@msp.sandbox"},
		map[string]any{"command": "set_master_password_expire", "email": invited.Username},
		map[string]any{"command": "set_master_password_expire", "email": "ALICE.SMITH@msp.sandbox"},
		map[string]any{"command": "extend_account_share_expiration", "enterprise_user_id": alice.EnterpriseUserId},
	), "user_not_active ok ok ok bad_inputs_enterprise_user_username user_not_active ok ok")
	if code := tn.call("enterprise/disable_two_fa", &enterprisepb.EnterpriseUserIds{EnterpriseUserId: []int64{invited.EnterpriseUserId}}, nil); code != "user_not_active" {
		t.Errorf("disable_two_fa of an invited user: %s", code)
	}
	if code := tn.call("enterprise/disable_two_fa", &enterprisepb.EnterpriseUserIds{EnterpriseUserId: []int64{alice.EnterpriseUserId}}, nil); code != "ok" {
		t.Errorf("disable_two_fa: %s", code)
	}
	e := tn.reload()
	a := e.Users[alice.EnterpriseUserId]
	exp := time.UnixMilli(a.AccountShareExpiration)
	if a.Lock != 1 || a.NodeId != berlin.NodeId || a.Name != "Alice S." || a.EncryptedData != enc || a.JobTitle != "CTO" || a.TfaEnabled ||
		exp.Before(before.Add(7*24*time.Hour-time.Minute)) || exp.After(time.Now().Add(7*24*time.Hour+time.Minute)) {
		t.Errorf("alice after actions: %+v (%s)", a.User, a.Name)
	}
	if d := e.Users[disabled.EnterpriseUserId]; d.Lock != 2 {
		t.Errorf("a locked disabled user has lock %d, want 2", d.Lock)
	}
	want(t, "unlock", tn.run(lock(alice.EnterpriseUserId, "unlocked"), lock(disabled.EnterpriseUserId, "unlocked")), "ok ok")
	e = tn.reload()
	if e.Users[alice.EnterpriseUserId].Lock != 0 || e.Users[disabled.EnterpriseUserId].Lock != 0 {
		t.Error("unlock did not clear the lock")
	}
	if at, err := storePasswordExpired(tn, alice.EnterpriseUserId); err != nil || at.IsZero() {
		t.Errorf("password expiry not recorded: %v %v", at, err)
	}
}
