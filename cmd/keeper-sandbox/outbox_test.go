package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
)

// TestOutboxCommand: invitations sent through a running sandbox are
// listed by `keeper-sandbox outbox --db`, oldest first, with recipient,
// subject and invitation link; an empty outbox says so; a missing database
// is an error and is not created.
func TestOutboxCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "sandbox.db")
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.DBPath = db })
	var out, errs bytes.Buffer
	if code := run([]string{"outbox", "--db", db}, &out, &errs); code != 0 || !strings.Contains(out.String(), "outbox is empty") {
		t.Fatalf("empty outbox: exit %d, %q %q", code, out.String(), errs.String())
	}

	ctx := context.Background()
	c := sb.Client(t)
	s, err := auth.Login(ctx, c, auth.Options{Username: seed.AdminEmail,
		Password: func(context.Context, string) (string, error) { return sandboxtest.Password, nil }})
	if err != nil {
		t.Fatal(err)
	}
	var alloc enterprise.AllocatedIDs
	if err := c.Execute(ctx, s.JSON(), enterprise.AllocateIDs{NumberRequested: 2}, &alloc); err != nil {
		t.Fatal(err)
	}
	root := int64(seed.MSPEnterpriseID)<<32 + 2
	res, err := c.ExecuteBatch(ctx, s.JSON(), []rest.Command{
		enterprise.UserAdd{EnterpriseUserID: alloc.BaseID, NodeID: root, Username: "first@msp.sandbox"},
		enterprise.UserAdd{EnterpriseUserID: alloc.BaseID + 1, NodeID: root, Username: "second@msp.sandbox"},
		enterprise.ResendInvite{EnterpriseUserID: alloc.BaseID},
	})
	if err != nil || !res[0].OK() || !res[1].OK() || !res[2].OK() {
		t.Fatalf("invitations: %v %+v", err, res)
	}

	out.Reset()
	if code := run([]string{"outbox", "--db", db}, &out, &errs); code != 0 {
		t.Fatalf("outbox: exit %d, %s", code, errs.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 || !strings.Contains(lines[0], "TO") || !strings.Contains(lines[0], "INVITE LINK") {
		t.Fatalf("outbox listing:\n%s", out.String())
	}
	for i, to := range []string{"first@msp.sandbox", "second@msp.sandbox", "first@msp.sandbox"} {
		l := lines[i+1]
		if !strings.Contains(l, to) || !strings.Contains(l, "Invitation to join Demo MSP on Keeper") ||
			!strings.Contains(l, sb.URL()+"/vault/#/invite/") {
			t.Errorf("line %d: %q, want %s with subject and link", i+1, l, to)
		}
	}
	if !strings.Contains(lines[3], "Reminder:") {
		t.Errorf("the resent invitation is not last: %q", lines[3])
	}

	missing := filepath.Join(t.TempDir(), "none.db")
	errs.Reset()
	if code := run([]string{"outbox", "--db", missing}, &out, &errs); code != 1 || !strings.Contains(errs.String(), "no sandbox database") ||
		fileExists(missing) {
		t.Errorf("missing database: exit %d, %q, created %v", code, errs.String(), fileExists(missing))
	}
}
