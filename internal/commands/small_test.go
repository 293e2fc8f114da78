package commands

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/session"
)

// fakeDropper is an enterprise source whose cache can be dropped.
type fakeDropper struct {
	fakeEnterprise
	dropped int
}

func (f *fakeDropper) DropEnterpriseCache() error { f.dropped++; return nil }

func TestEnterpriseDown(t *testing.T) {
	f := &fakeDropper{fakeEnterprise: fakeEnterprise{e: demoEnterprise()}}
	run := func(line string) error {
		_, _, err := runLine(t, newEnterpriseDownCmd(noFactory, func(ctx context.Context, o *enterpriseDownOptions) error {
			o.Source = f
			return enterpriseDownRun(ctx, o)
		}), line)
		return err
	}
	if err := run("ed"); err != nil || f.refresh != 1 || f.dropped != 0 {
		t.Fatalf("ed: %v refresh=%d dropped=%d", err, f.refresh, f.dropped)
	}
	if err := run("ed -f"); err != nil || f.refresh != 2 || f.dropped != 1 {
		t.Fatalf("ed -f: %v refresh=%d dropped=%d", err, f.refresh, f.dropped)
	}
}

func TestMSPDown(t *testing.T) {
	f := &fakeEnterprise{e: demoEnterprise()}
	if _, _, err := runLine(t, newMSPDownCmd(noFactory, func(ctx context.Context, o *mspDownOptions) error {
		o.Source = f
		_, err := o.Source.MSP(ctx, true)
		return err
	}), "md"); err != nil || f.refresh != 1 {
		t.Fatalf("md: %v refresh=%d", err, f.refresh)
	}
}

// fakeSwitcher records switches.
type fakeSwitcher struct {
	fakeEnterprise
	in      *session.MC
	failMC  error
	loadErr error
}

func (f *fakeSwitcher) SwitchToMC(_ context.Context, name string) (*session.MC, error) {
	if f.failMC != nil {
		return nil, f.failMC
	}
	f.in = &session.MC{ID: 5001, Name: name}
	return f.in, nil
}

func (f *fakeSwitcher) SwitchToMSP() bool {
	was := f.in != nil
	f.in = nil
	return was
}

func (f *fakeSwitcher) Enterprise(ctx context.Context, refresh bool) (*enterprise.Enterprise, error) {
	if f.loadErr != nil {
		return nil, f.loadErr
	}
	return f.fakeEnterprise.Enterprise(ctx, refresh)
}

func TestSwitchCommands(t *testing.T) {
	f := &fakeSwitcher{fakeEnterprise: fakeEnterprise{e: demoEnterprise()}}
	var status []string
	bind := func(o *switchOptions) {
		o.Switcher = f
		o.Status = func(format string, a ...any) { status = append(status, format) }
	}
	toMC := newSwitchToMCCmd(noFactory, func(ctx context.Context, o *switchOptions) error { bind(o); return switchToMCRun(ctx, o) })
	if _, _, err := runLine(t, toMC, "switch-to-mc 'Alpha Dental'"); err != nil || f.in == nil || f.in.Name != "Alpha Dental" {
		t.Fatalf("switch-to-mc: %v %+v", err, f.in)
	}
	mspRun := newSwitchToMSPCmd(noFactory, func(ctx context.Context, o *switchOptions) error { bind(o); return switchToMSPRun(ctx, o) })
	if _, _, err := runLine(t, mspRun, "switch-to-msp"); err != nil || f.in != nil {
		t.Fatalf("switch-to-msp: %v", err)
	}
	if _, _, err := runLine(t, mspRun, "switch-to-msp"); err == nil || !strings.Contains(err.Error(), "already in the MSP") {
		t.Fatalf("switch-to-msp twice: %v", err)
	}
	// A company whose data does not load leaves the context in the MSP.
	f.loadErr = errors.New("boom")
	if _, _, err := runLine(t, toMC, "switch-to-mc 'Alpha Dental'"); err == nil || f.in != nil {
		t.Fatalf("failed load: %v, still in %+v", err, f.in)
	}
	f.loadErr, f.failMC = nil, errors.New(`managed company "Nope" not found`)
	if _, _, err := runLine(t, toMC, "switch-to-mc Nope"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("unknown company: %v", err)
	}
}

// fakeLoginer records logins and logouts.
type fakeLoginer struct {
	loggedIn           bool
	ensured, loggedOut int
	last               session.LoginOptions
}

func (f *fakeLoginer) Login(_ context.Context, o session.LoginOptions) error {
	f.last, f.loggedIn = o, true
	return nil
}
func (f *fakeLoginer) EnsureLogin(context.Context) error { f.ensured++; f.loggedIn = true; return nil }
func (f *fakeLoginer) Logout(context.Context) error      { f.loggedOut++; f.loggedIn = false; return nil }
func (f *fakeLoginer) LoggedIn() bool                    { return f.loggedIn }
func (f *fakeLoginer) Username() string                  { return f.last.Username }

func TestLoginLogoutRun(t *testing.T) {
	f := &fakeLoginer{}
	var status []string
	st := func(format string, a ...any) { status = append(status, format) }
	login := newLoginCmd(noFactory, func(ctx context.Context, o *loginOptions) error {
		o.Session, o.Status = f, st
		return loginRun(ctx, o)
	})
	if _, _, err := runLine(t, login, "login --new-login Admin@X.test"); err != nil || f.last.Username != "Admin@X.test" || !f.last.NewLogin {
		t.Fatalf("login: %v %+v", err, f.last)
	}
	logout := newLogoutCmd(noFactory, func(ctx context.Context, o *logoutOptions) error {
		o.Session, o.Status = f, st
		return logoutRun(ctx, o)
	})
	f.loggedIn = false
	if _, _, err := runLine(t, logout, "logout"); err != nil || f.ensured != 1 || f.loggedOut != 1 {
		t.Fatalf("one-shot logout resumes then logs out: %v ensured=%d out=%d", err, f.ensured, f.loggedOut)
	}
	if len(status) != 2 {
		t.Fatalf("status %v", status)
	}
}
