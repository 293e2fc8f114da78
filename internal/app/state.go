package app

import (
	"context"
	"sort"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/session"
)

// state implements command.State over the session manager.
type state struct{ m *session.Manager }

func (s *state) Ensure(ctx context.Context, need command.Need) error {
	switch need {
	case command.NeedLogin:
		return s.m.EnsureLogin(ctx)
	case command.NeedEnterpriseAdmin:
		_, err := s.m.Enterprise(ctx, false)
		return err
	case command.NeedMSPAdmin:
		_, err := s.m.MSP(ctx, false)
		return err
	}
	return nil
}

func (s *state) PromptLabel() string {
	if !s.m.LoggedIn() {
		return "Not logged in"
	}
	if mc := s.m.CurrentMC(); mc != nil {
		return mc.Name
	}
	return "Keeper"
}

// CompletionNames offers names from enterprise data already loaded; it
// never sends a request.
func (s *state) CompletionNames(kind command.CompletionKind) []string {
	e := s.m.LoadedEnterprise()
	if e == nil {
		return nil
	}
	var out []string
	switch kind {
	case command.CompleteNode:
		for _, n := range e.Nodes {
			out = append(out, n.Name)
		}
	case command.CompleteRole:
		for _, r := range e.Roles {
			out = append(out, r.Name)
		}
	case command.CompleteTeam:
		for _, t := range e.Teams {
			out = append(out, t.Name)
		}
	case command.CompleteUser:
		for _, u := range e.Users {
			out = append(out, u.Username)
		}
	case command.CompleteMC:
		if msp := s.m.LoadedMSP(); msp != nil {
			for _, mc := range msp.ManagedCompanies {
				out = append(out, mc.McEnterpriseName)
			}
		}
	}
	sort.Strings(out)
	return out
}
