package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
)

// invitee is one user to invite: a positional email of enterprise-user --add
// with the call's --name, --node and --job-title, or (later) a row of a bulk
// file.
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

// inviteUsers invites the new addresses and re-sends the invitation to
// users still invited, in one execute batch after one id allocation for all
// new users (Commander's EnterpriseUserCommand --add, brief 02 §4.3). Every
// node is resolved, and the ids allocated, before anything is sent: a node
// that does not resolve fails the whole call. Active users are reported as
// members already.
func inviteUsers(ctx context.Context, env inviteEnv, e *enterprise.Enterprise, list []invitee) (euOutcome, error) {
	rep := env.Report
	nodes := make([]int64, len(list))
	for i, in := range list {
		id, err := inviteNode(e, in.Node)
		if err != nil {
			return euOutcome{}, err
		}
		nodes[i] = id
	}
	existing := make([]*enterprise.User, len(list))
	fresh := 0
	for i, in := range list {
		u, err := e.User(strings.ToLower(in.Email))
		var nf *enterprise.NotFoundError
		switch {
		case err == nil:
			existing[i] = u
		case errors.As(err, &nf) && !isDigits(in.Email):
			fresh++
		default:
			return euOutcome{}, err
		}
	}
	var base int64
	if fresh > 0 {
		var err error
		if base, err = env.Writer.AllocateIDs(ctx, fresh); err != nil {
			return euOutcome{}, err
		}
	}
	var steps []euStep
	next := base
	seen := map[int64]bool{}
	for i, in := range list {
		if u := existing[i]; u != nil {
			if seen[u.EnterpriseUserId] {
				continue
			}
			seen[u.EnterpriseUserId] = true
			if u.Status == "invited" {
				steps = append(steps, euStep{cmd: enterprise.ResendInvite{EnterpriseUserID: u.EnterpriseUserId},
					ok: "Invitation has been re-sent to " + u.Username, fail: "Failed to re-send invitation to " + u.Username})
				continue
			}
			if strings.EqualFold(u.Username, in.Email) || isDigits(in.Email) {
				rep.note("%s is already a member of the enterprise", u.Username)
			} else {
				rep.note("%s is already a member of the enterprise (an alias of %s)", in.Email, u.Username)
			}
			continue
		}
		email := strings.ToLower(in.Email)
		data, err := enterprise.EncryptData(e.TreeKey, in.Name)
		if err != nil {
			return euOutcome{}, err
		}
		id := next
		next++
		steps = append(steps, euStep{short: true,
			cmd: enterprise.UserAdd{EnterpriseUserID: id, NodeID: nodes[i], EncryptedData: data, Username: email, JobTitle: in.JobTitle},
			ok:  fmt.Sprintf("%s user invited with Enterprise User ID : %d", email, id), fail: email + " failed to invite user"})
	}
	err := runSteps(ctx, env.Writer, rep, steps)
	return rep.euOutcome, err
}

// inviteNode resolves an invitation's node: by id, name or path, the root
// node without one (brief 02 §2).
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
