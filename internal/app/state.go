package app

import (
	"context"
	"sort"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/session"
)

// state implements command.State over the session manager.
type state struct{ m *session.Manager }

func (s *state) Ensure(ctx context.Context, need command.Need) error {
	switch need {
	case command.NeedLogin:
		return s.m.EnsureLogin(ctx)
	case command.NeedEnterpriseAdmin:
		// The check loads the data but decodes nothing: the command
		// decodes what it reads.
		_, err := s.m.Enterprise(enterprise.WithParts(ctx, 0), false)
		return err
	case command.NeedMSPAdmin:
		_, err := s.m.MSP(enterprise.WithParts(ctx, 0), false)
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
		e.Ensure(enterprise.PartNodes)
		for _, n := range e.Nodes {
			out = append(out, n.Name)
		}
	case command.CompleteRole:
		e.Ensure(enterprise.PartRoles)
		for _, r := range e.Roles {
			out = append(out, r.Name)
		}
	case command.CompleteTeam:
		e.Ensure(enterprise.PartTeams)
		for _, t := range e.Teams {
			out = append(out, t.Name)
		}
	case command.CompleteUser:
		e.Ensure(enterprise.PartUsers)
		for _, u := range e.Users {
			out = append(out, u.Username)
		}
	case command.CompleteMC:
		if msp := s.m.LoadedMSP(); msp != nil {
			msp.Ensure(enterprise.PartManagedCompanies)
			for _, mc := range msp.ManagedCompanies {
				out = append(out, mc.McEnterpriseName)
			}
		}
	}
	sort.Strings(out)
	return out
}
