package app

import (
	"context"
	"hash/maphash"
	"iter"
	"slices"
	"sync"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/session"
)

// state implements command.State over the session manager.
type state struct {
	m     *session.Manager
	names completionNames
}

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
	return s.names.get(kind, s.m.LoadedEnterprise(), s.m.LoadedMSP())
}

// completionNames keeps, per kind, the sorted names last offered and the
// enterprise data they were read from, so a Tab in a tenant of 10,000
// nodes or 100,000 users does not collect and sort them all again: only
// when the data was reloaded, or its names changed, are they rebuilt.
type completionNames struct {
	mu     sync.Mutex
	seed   maphash.Seed
	byKind map[command.CompletionKind]sortedNames
}

type sortedNames struct {
	from  *enterprise.Enterprise
	sum   uint64 // fingerprint of the names they were built from
	names []string
}

// get returns the names of a kind in e (managed companies: in msp, the
// MSP's own data), sorted and each once. The slice is shared: callers must
// not change it.
func (c *completionNames) get(kind command.CompletionKind, e, msp *enterprise.Enterprise) []string {
	from := e
	if kind == command.CompleteMC {
		from = msp
	}
	if from == nil {
		return nil
	}
	names := namesOf(kind, from)
	if names == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKind == nil {
		c.seed, c.byKind = maphash.MakeSeed(), map[command.CompletionKind]sortedNames{}
	}
	// Checking the names costs a hash each, far less than collecting and
	// sorting them; it keeps the cache right even if enterprise data were
	// ever updated in place instead of replaced by each load.
	sum := c.fingerprint(names)
	if hit, ok := c.byKind[kind]; ok && hit.from == from && hit.sum == sum {
		return hit.names
	}
	var out []string
	for n := range names {
		out = append(out, n)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	c.byKind[kind] = sortedNames{from: from, sum: sum, names: out}
	return out
}

// fingerprint combines the names' hashes and their count, in any order
// (maps iterate at random).
func (c *completionNames) fingerprint(names iter.Seq[string]) uint64 {
	var sum, n uint64
	for name := range names {
		sum += maphash.String(c.seed, name)
		n++
	}
	return sum ^ n*0x9E3779B97F4A7C15
}

// namesOf iterates the names of a kind in e; nil for a kind it has none of.
func namesOf(kind command.CompletionKind, e *enterprise.Enterprise) iter.Seq[string] {
	switch kind {
	case command.CompleteNode:
		e.Ensure(enterprise.PartNodes)
		return func(yield func(string) bool) {
			for _, n := range e.Nodes {
				if !yield(n.Name) {
					return
				}
			}
		}
	case command.CompleteRole:
		e.Ensure(enterprise.PartRoles)
		return func(yield func(string) bool) {
			for _, r := range e.Roles {
				if !yield(r.Name) {
					return
				}
			}
		}
	case command.CompleteTeam:
		e.Ensure(enterprise.PartTeams)
		return func(yield func(string) bool) {
			for _, t := range e.Teams {
				if !yield(t.Name) {
					return
				}
			}
		}
	case command.CompleteUser:
		e.Ensure(enterprise.PartUsers)
		return func(yield func(string) bool) {
			for _, u := range e.Users {
				if !yield(u.Username) {
					return
				}
			}
		}
	case command.CompleteMC:
		e.Ensure(enterprise.PartManagedCompanies)
		return func(yield func(string) bool) {
			for _, mc := range e.ManagedCompanies {
				if !yield(mc.McEnterpriseName) {
					return
				}
			}
		}
	}
	return nil
}
