package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// invitee is one user to invite: a positional email of enterprise-user --add
// with the call's --name, --node and --job-title, or a line of --add --file.
type invitee struct {
	Email    string // address, or the id of an existing user (re-sends the invitation)
	Name     string // display name; "" for none
	Node     string // node name, id or path; "" for the root node
	JobTitle string
}

func (o *euOptions) invitees() []invitee {
	out := make([]invitee, len(o.Args))
	for i, a := range o.Args {
		out[i] = invitee{Email: a, Name: o.Name, Node: o.Node, JobTitle: o.JobTitle}
	}
	return out
}

// inviteEnv is what the invitation path writes through and reports to.
type inviteEnv struct {
	Writer enterpriseWriter
	Report *euReport
}

func (o *euOptions) inviteEnv() inviteEnv {
	return inviteEnv{Writer: o.Writer, Report: &euReport{status: o.Status, errw: o.Env.Err}}
}

// checkInvitees refuses, before any server call, an address that is not a
// plain email address (an all-digit value is taken as the id of an existing
// user) and an address given twice.
func checkInvitees(list []invitee) error {
	seen := map[string]bool{}
	for _, in := range list {
		if !validEmail(in.Email) && !isDigits(in.Email) {
			return command.Usagef(euName, "%q is not a valid email address", in.Email)
		}
		key := strings.ToLower(in.Email)
		if seen[key] {
			return command.Usagef(euName, "%q is given more than once", in.Email)
		}
		seen[key] = true
	}
	return nil
}

// invitation is one invitee with what the plan found for it.
type invitation struct {
	invitee
	node int64            // the node a new user is invited into
	user *enterprise.User // the existing user the address (or id) names; nil for a new address
	// same is, for an existing user named again, the index of the
	// invitation that names it first; else -1.
	same int
	id   int64        // the allocated id of a new user
	cmd  rest.Command // what is sent for it; nil for nothing
}

// planInvites resolves every invitee's node (by id, name or path; the root
// without one) and finds the existing user its address names (email, alias
// or id). errs[i] is list[i]'s problem, nil when there is none; nothing is
// sent.
func planInvites(e *enterprise.Enterprise, list []invitee) (invs []*invitation, errs []error) {
	invs, errs = make([]*invitation, len(list)), make([]error, len(list))
	find := userFinder(e)
	first := map[int64]int{}
	for i, in := range list {
		inv := &invitation{invitee: in, same: -1}
		invs[i] = inv
		node, err := inviteNode(e, in.Node)
		if err != nil {
			errs[i] = err
			continue
		}
		inv.node = node
		u, err := find(in.Email)
		var nf *enterprise.NotFoundError
		switch {
		case err == nil:
			inv.user = u
			if j, ok := first[u.EnterpriseUserId]; ok {
				inv.same = j
			} else {
				first[u.EnterpriseUserId] = i
			}
		case errors.As(err, &nf) && !isDigits(in.Email):
		default:
			errs[i] = err
		}
	}
	return invs, errs
}

// userFinder returns e.User for many look-ups: addresses (usernames, then
// aliases, case-insensitive) from an index built once, ids from e.User. A
// file of thousands of lines on a large tenant would otherwise scan every
// user per line.
func userFinder(e *enterprise.Enterprise) func(name string) (*enterprise.User, error) {
	index := make(map[string]*enterprise.User, len(e.Users)+len(e.UserAliases))
	for _, a := range e.UserAliases {
		if u, ok := e.Users[a.EnterpriseUserId]; ok {
			index[strings.ToLower(a.Username)] = u
		}
	}
	for _, u := range e.Users {
		index[strings.ToLower(u.Username)] = u
	}
	return func(name string) (*enterprise.User, error) {
		if isDigits(name) {
			return e.User(name)
		}
		if u, ok := index[strings.ToLower(name)]; ok {
			return u, nil
		}
		return nil, &enterprise.NotFoundError{What: "user", Name: name}
	}
}

// prepareInvites allocates the ids of the new users with one
// enterprise_allocate_ids call and sets what each invitation sends:
// enterprise_user_add for a new address, and, when resend is set,
// enterprise_user_action resend_enterprise_invite for a user still invited
// (once per user). Active users get nothing.
func prepareInvites(ctx context.Context, w enterpriseWriter, e *enterprise.Enterprise, invs []*invitation, resend bool) error {
	fresh := 0
	for _, inv := range invs {
		if inv.user == nil {
			fresh++
		}
	}
	var next int64
	if fresh > 0 {
		var err error
		if next, err = w.AllocateIDs(ctx, fresh); err != nil {
			return err
		}
	}
	for _, inv := range invs {
		switch u := inv.user; {
		case u == nil:
			data, err := enterprise.EncryptData(e.TreeKey, inv.Name)
			if err != nil {
				return err
			}
			inv.id = next
			next++
			inv.cmd = enterprise.UserAdd{EnterpriseUserID: inv.id, NodeID: inv.node, EncryptedData: data,
				Username: strings.ToLower(inv.Email), JobTitle: inv.JobTitle}
		case resend && inv.same < 0 && u.Status == "invited":
			inv.cmd = enterprise.ResendInvite{EnterpriseUserID: u.EnterpriseUserId}
		}
	}
	return nil
}

// inviteUsers invites the new addresses and re-sends the invitation to
// users still invited, in one execute batch after one id allocation for all
// new users (Commander's EnterpriseUserCommand --add). Every node is
// resolved, and the ids allocated, before anything is sent: a node that
// does not resolve fails the whole call. Active users are reported as
// members already.
func inviteUsers(ctx context.Context, env inviteEnv, e *enterprise.Enterprise, list []invitee) (euOutcome, error) {
	rep := env.Report
	invs, errs := planInvites(e, list)
	for _, err := range errs {
		if err != nil {
			return euOutcome{}, err
		}
	}
	if err := prepareInvites(ctx, env.Writer, e, invs, true); err != nil {
		return euOutcome{}, err
	}
	var steps []euStep
	for _, inv := range invs {
		switch cmd := inv.cmd.(type) {
		case enterprise.UserAdd:
			steps = append(steps, euStep{short: true, cmd: cmd,
				ok:   fmt.Sprintf("%s user invited with Enterprise User ID : %d", cmd.Username, cmd.EnterpriseUserID),
				fail: cmd.Username + " failed to invite user"})
		case enterprise.ResendInvite:
			steps = append(steps, euStep{cmd: cmd,
				ok: "Invitation has been re-sent to " + inv.user.Username, fail: "Failed to re-send invitation to " + inv.user.Username})
		default:
			if inv.same >= 0 {
				continue
			}
			if u := inv.user; strings.EqualFold(u.Username, inv.Email) || isDigits(inv.Email) {
				rep.note("%s is already a member of the enterprise", u.Username)
			} else {
				rep.note("%s is already a member of the enterprise (an alias of %s)", inv.Email, u.Username)
			}
		}
	}
	err := runSteps(ctx, env.Writer, rep, steps)
	return rep.euOutcome, err
}

// inviteNode resolves an invitation's node: by id, name or path, the root
// node without one.
func inviteNode(e *enterprise.Enterprise, name string) (int64, error) {
	if name == "" {
		root := e.Root()
		if root == nil {
			return 0, errors.New("no root node was found; specify --node")
		}
		return root.NodeId, nil
	}
	n, err := e.Node(name)
	if err != nil {
		return 0, err
	}
	return n.NodeId, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// validEmail is a strict check of a plain address (no display name, no
// comments, no quoted local part, no IP-literal domain): an RFC 5322
// dot-atom local part of at most 64 characters, a domain of at least two
// LDH labels whose last is not numeric, 254 characters in all, ASCII only.
// It catches typos such as a missing domain, spaces, doubled dots or a
// doubled @, which Commander leaves to the server.
func validEmail(s string) bool {
	if len(s) > 254 {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || len(local) > 64 || strings.Contains(domain, "@") {
		return false
	}
	for _, atom := range strings.Split(local, ".") {
		if atom == "" {
			return false
		}
		for _, r := range atom {
			if !isAtext(r) {
				return false
			}
		}
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	return len(tld) >= 2 && !isDigits(tld)
}

// isAtext reports an RFC 5322 atext character.
func isAtext(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r)
}
