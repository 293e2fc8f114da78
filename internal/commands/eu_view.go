package commands

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/report"
)

// euUserJSON is one user of enterprise-user --format json (a list, one
// element per user given). Every key is always present.
type euUserJSON struct {
	UserID         int64              `json:"user_id"`
	Email          string             `json:"email"`
	Name           string             `json:"name"`
	NodeID         int64              `json:"node_id"`
	Node           string             `json:"node"`
	Status         string             `json:"status"`
	TwoFAEnabled   bool               `json:"2fa_enabled"`
	TransferStatus string             `json:"transfer_status"`
	JobTitle       string             `json:"job_title"`
	Aliases        []string           `json:"aliases"`
	Teams          []euTeamJSON       `json:"teams"`
	QueuedTeams    []euQueuedTeamJSON `json:"queued_teams"`
	Roles          []euRoleJSON       `json:"roles"`
}

// euTeamJSON is a team the user is a member of.
type euTeamJSON struct {
	TeamUID           string `json:"team_uid"`
	Name              string `json:"name"`
	HideSharedFolders bool   `json:"hide_shared_folders"`
}

// euQueuedTeamJSON is a team the user joins on accepting the invitation.
type euQueuedTeamJSON struct {
	TeamUID string `json:"team_uid"`
	Name    string `json:"name"`
}

// euRoleJSON is a role of the user; via_team names the team it comes
// through ("" for a direct member).
type euRoleJSON struct {
	RoleID  int64  `json:"role_id"`
	Name    string `json:"name"`
	ViaTeam string `json:"via_team"`
}

// userDetail gathers what the detail view shows of one user.
func userDetail(e *enterprise.Enterprise, u *enterprise.User) euUserJSON {
	d := euUserJSON{UserID: u.EnterpriseUserId, Email: u.Username, Name: u.Name, NodeID: u.NodeId, Node: e.NodePath(u.NodeId),
		Status: userStatus(u), TwoFAEnabled: u.TfaEnabled, TransferStatus: transferStatus[int32(u.TransferAcceptanceStatus)],
		JobTitle: u.JobTitle, Aliases: []string{}, Teams: []euTeamJSON{}, QueuedTeams: []euQueuedTeamJSON{}, Roles: []euRoleJSON{}}
	for _, a := range e.UserAliases {
		if a.EnterpriseUserId == u.EnterpriseUserId && a.Username != u.Username {
			d.Aliases = append(d.Aliases, a.Username)
		}
	}
	sort.Strings(d.Aliases)
	teamName := map[string]string{}
	for uid, t := range e.Teams {
		teamName[uid] = t.Name
	}
	for uid, q := range e.QueuedTeams {
		if _, ok := teamName[uid]; !ok {
			teamName[uid] = q.Name
		}
	}
	myTeams := map[string]bool{}
	for _, tu := range e.TeamUsers {
		if tu.EnterpriseUserId != u.EnterpriseUserId {
			continue
		}
		uid := crypto.Base64URLEncode(tu.TeamUid)
		myTeams[uid] = true
		d.Teams = append(d.Teams, euTeamJSON{TeamUID: uid, Name: teamName[uid], HideSharedFolders: teamUserType(tu.UserType) == 2})
	}
	sort.Slice(d.Teams, func(i, j int) bool {
		return lessFold(d.Teams[i].Name, d.Teams[j].Name, d.Teams[i].TeamUID, d.Teams[j].TeamUID)
	})
	for _, q := range e.QueuedTeamUsers {
		uid := crypto.Base64URLEncode(q.TeamUid)
		for _, id := range q.Users {
			if id == u.EnterpriseUserId {
				d.QueuedTeams = append(d.QueuedTeams, euQueuedTeamJSON{TeamUID: uid, Name: teamName[uid]})
				break
			}
		}
	}
	sort.Slice(d.QueuedTeams, func(i, j int) bool {
		return lessFold(d.QueuedTeams[i].Name, d.QueuedTeams[j].Name, d.QueuedTeams[i].TeamUID, d.QueuedTeams[j].TeamUID)
	})
	direct := map[int64]bool{}
	for _, ru := range e.RoleUsers {
		if ru.EnterpriseUserId == u.EnterpriseUserId {
			if r, ok := e.Roles[ru.RoleId]; ok && !direct[r.RoleId] {
				direct[r.RoleId] = true
				d.Roles = append(d.Roles, euRoleJSON{RoleID: r.RoleId, Name: r.Name})
			}
		}
	}
	var inherited []euRoleJSON
	seen := map[int64]bool{}
	for _, rt := range e.RoleTeams {
		uid := crypto.Base64URLEncode(rt.TeamUid)
		if r, ok := e.Roles[rt.RoleId]; ok && myTeams[uid] && !direct[r.RoleId] && !seen[r.RoleId] {
			seen[r.RoleId] = true
			inherited = append(inherited, euRoleJSON{RoleID: r.RoleId, Name: r.Name, ViaTeam: teamName[uid]})
		}
	}
	byName := func(rs []euRoleJSON) {
		sort.Slice(rs, func(i, j int) bool {
			return lessFold(rs[i].Name, rs[j].Name, fmt.Sprint(rs[i].RoleID), fmt.Sprint(rs[j].RoleID))
		})
	}
	byName(d.Roles)
	byName(inherited)
	d.Roles = append(d.Roles, inherited...)
	return d
}

// teamUserType maps TeamUser.userType as Commander's loader does: 0 USER,
// 1 ADMIN, 2 anything else (ADMIN_ONLY: without shared folders).
func teamUserType(s string) int {
	switch s {
	case "USER":
		return 0
	case "ADMIN":
		return 1
	}
	return 2
}

func lessFold(a, b, tieA, tieB string) bool {
	if la, lb := strings.ToLower(a), strings.ToLower(b); la != lb {
		return la < lb
	}
	return tieA < tieB
}

// view is enterprise-user without an action: the detail view of each user
// (Commander's EnterpriseUserCommand.display_user in
// keepercommander/commands/enterprise.py), or JSON.
func (o *euOptions) view(e *enterprise.Enterprise, users []*enterprise.User) error {
	details := make([]euUserJSON, len(users))
	for i, u := range users {
		details[i] = userDetail(e, u)
	}
	if o.Format == "json" {
		return report.Render(o.Env.Out, o.Env.Err, report.Report{JSON: details}, report.Options{Format: report.JSON})
	}
	for i, d := range details {
		if i > 0 {
			fmt.Fprintln(o.Env.Out)
		}
		writeUserDetail(o.Env.Out, d, o.Verbose)
	}
	return nil
}

// writeUserDetail prints one user with right-aligned 16-character labels;
// the label of a list is printed on its first line only.
func writeUserDetail(w io.Writer, d euUserJSON, verbose bool) {
	line := func(label, value string) {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("%16s: %s", label, value), " "))
	}
	list := func(label string, values []string) {
		for i, v := range values {
			if i > 0 {
				label = ""
			}
			line(label, v)
		}
	}
	ids := func(format string, args ...any) string {
		if !verbose {
			return ""
		}
		return fmt.Sprintf(format, args...)
	}
	line("User ID", fmt.Sprint(d.UserID))
	line("Email", d.Email)
	line("Display Name", d.Name)
	line("Node", fmt.Sprintf("%-24s%s", d.Node, ids(" [%d]", d.NodeID)))
	line("Status", d.Status)
	line("2FA Enabled", pyBool(d.TwoFAEnabled))
	if d.TransferStatus != "" {
		line("Transfer Status", d.TransferStatus)
	}
	if d.JobTitle != "" {
		line("Job Title", d.JobTitle)
	}
	list("Email Alias", d.Aliases)
	var teams []string
	for _, t := range d.Teams {
		hsf := ""
		if t.HideSharedFolders {
			hsf = " (No Shared Folders)"
		}
		teams = append(teams, fmt.Sprintf("%-24s%s %s", t.Name, ids(" [%s]", t.TeamUID), hsf))
	}
	list("Team", teams)
	var queued []string
	for _, t := range d.QueuedTeams {
		queued = append(queued, fmt.Sprintf("%-24s%s", t.Name, ids(" [%s]", t.TeamUID)))
	}
	list("Queued Team", queued)
	var roles []string
	for _, r := range d.Roles {
		name := r.Name
		if r.ViaTeam != "" {
			name += " [" + r.ViaTeam + "]"
		}
		roles = append(roles, fmt.Sprintf("%-22s %s", name, ids("%d", r.RoleID)))
	}
	list("Role", roles)
}

// pyBool prints a bool as Python does (Commander prints tfa_enabled as is).
func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}
