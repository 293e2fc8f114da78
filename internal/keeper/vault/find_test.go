package vault_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/vault"
	"github.com/keeper-go/keeper/internal/keeper/vault/vaulttest"
)

func loginRec(title, pw string) *vault.TypedRecord {
	return vault.NewLogin(title, "user", pw, "", "")
}

func TestFindRecord(t *testing.T) {
	s := vaulttest.New(dataKey)
	hr := s.AddUserFolder("HR", "")
	ops := s.AddUserFolder("Ops", "")
	sf := s.AddSharedFolder("Team", "")
	rootRec := s.AddTyped(loginRec("Root Secret", "r"), "")
	hrRec := s.AddTyped(loginRec("Onboarding", "hr-pw"), hr)
	opsRec := s.AddTyped(loginRec("Onboarding", "ops-pw"), ops)
	slash := s.AddTyped(loginRec("a/b", "slash"), hr)
	sfRec := s.AddTyped(loginRec("Shared One", "sf"), sf)
	v := synced(t, s)

	for name, want := range map[string]string{
		rootRec:            rootRec,
		"root secret":      rootRec, // case-insensitive, at the root
		"/Root Secret":     rootRec,
		"HR/onboarding":    hrRec,
		"/Ops/Onboarding":  opsRec,
		"HR/a//b":          slash,
		"Team/Shared One":  sfRec,
		"Shared One":       sfRec, // unique title anywhere
		hr + "/Onboarding": hrRec, // a folder uid as a path component
	} {
		r, err := v.FindRecord(name)
		if err != nil || r.UID != want {
			t.Errorf("%q: %v %v", name, r, err)
		}
	}
	_, err := v.FindRecord("Onboarding")
	var amb *vault.AmbiguousError
	if !errors.As(err, &amb) || len(amb.Candidates) != 2 || !strings.Contains(err.Error(), "/HR") ||
		!strings.Contains(err.Error(), "/Ops") || !strings.Contains(err.Error(), hrRec) {
		t.Fatalf("ambiguous: %v", err)
	}
	var nf *vault.NotFoundError
	for _, name := range []string{"Nope", "HR/Nope", "Nowhere/Onboarding", "HR"} {
		if _, err := v.FindRecord(name); !errors.As(err, &nf) {
			t.Errorf("%q: %v", name, err)
		}
	}
}

func TestFindFolder(t *testing.T) {
	s := vaulttest.New(dataKey)
	hr := s.AddUserFolder("HR", "")
	sub := s.AddUserFolder("New Hires", hr)
	sf := s.AddSharedFolder("Team", "")
	sff := s.AddSharedFolderFolder(sf, "Accounts", sf)
	dup1, dup2 := s.AddUserFolder("Twice", ""), s.AddUserFolder("Twice", "")
	v := synced(t, s)
	for name, want := range map[string]string{
		"HR": hr, "/HR/New Hires": sub, "HR/New Hires/..": hr, sub: sub, "Team": sf, "Team/Accounts": sff, "./HR": hr,
	} {
		f, err := v.FindFolder(name)
		if err != nil || f == nil || f.UID != want {
			t.Errorf("%q: %v %v", name, f, err)
		}
	}
	if f, err := v.FindFolder("/"); f != nil || err != nil {
		t.Errorf("root: %v %v", f, err)
	}
	var nf *vault.NotFoundError
	if _, err := v.FindFolder("HR/Missing"); !errors.As(err, &nf) {
		t.Errorf("missing: %v", err)
	}
	_, err := v.FindFolder("Twice")
	var amb *vault.AmbiguousError
	if !errors.As(err, &amb) || !strings.Contains(err.Error(), dup1) || !strings.Contains(err.Error(), dup2) {
		t.Errorf("ambiguous: %v", err)
	}
	if f := v.Folder(sff); f.Type != vault.SharedFolderFolder || f.SharedFolderUID != sf || f.Key == nil {
		t.Errorf("%+v", f)
	}
}

// TestPagedFullSync: a full sync in pages of one record brings every
// record; the next sync with the kept token is an empty incremental one.
func TestPagedFullSync(t *testing.T) {
	s := vaulttest.New(dataKey)
	s.PageSize = 1
	for _, title := range []string{"a", "b", "c"} {
		s.AddTyped(loginRec(title, title), "")
	}
	v := synced(t, s)
	if len(v.Records()) != 3 || s.Count(vault.SyncDownEndpoint) != 3 {
		t.Fatalf("%d records in %d calls", len(v.Records()), s.Count(vault.SyncDownEndpoint))
	}
	if len(v.RecordsTitled("B")) != 1 {
		t.Fatal("RecordsTitled")
	}
}
