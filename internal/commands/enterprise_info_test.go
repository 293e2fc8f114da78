package commands

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// runEI runs an enterprise-info line against e and returns stdout and
// stderr.
func runEI(t *testing.T, e *enterprise.Enterprise, line string) (string, string) {
	t.Helper()
	out, errOut, err := runLine(t, newEnterpriseInfoCmd(&Factory{}, func(ctx context.Context, o *enterpriseInfoOptions) error {
		o.Source = &fakeEnterprise{e: e}
		return enterpriseInfoRun(ctx, o)
	}), line)
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	return out, errOut
}

func wantOut(t *testing.T, line, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s\n got:\n%s\nwant:\n%s", line, got, want)
	}
}

// TestEITreeLabels: child nodes are "[Name (id)]" with -v (the id inside
// the brackets), isolation follows the bracket, and the top node (the
// enterprise, or the --node subtree root) is never bracketed.
func TestEITreeLabels(t *testing.T) {
	e := demoEnterprise()
	out, _ := runEI(t, e, "ei -q -v")
	wantOut(t, "ei -v", out, fmt.Sprintf(`Fixture MSP (%d)
 +-- [Asia Pacific (%d)] |Isolated| 
 +-- [Europe (%d)]
 |   +-- [Berlin (%d)]
 |   |   +-- User(s)
 |   |       +-- anna@fixture.test (%d)
 |   +-- User(s)
 |   |   +-- Carl@fixture.test (%d)
 |   |   +-- ben@fixture.test (%d)
 |   +-- Role(s)
 |   |   +-- Staff (%d)
 |   +-- Teams(s)
 |   |   +-- Helpdesk (MDEyMzQ1Njc4OWFiY2RlZg)
 |   +-- Queued Teams(s)
 |       +-- Onboarding (cXVldWVkLXRlYW0tMDAwMQ)
 +-- User(s)
 |   +-- admin@fixture.test (%d)
 +-- Role(s)
 |   +-- Keeper Administrator (%d)
 +-- Teams(s)
     +-- Audit (YXVkaXQtdGVhbS0wMDAwMQ)
`, id(2), id(5), id(3), id(4), id(11), id(13), id(12), id(21), id(10), id(20)))

	out, errOut := runEI(t, e, "ei --node Europe")
	wantOut(t, "ei --node Europe", out, `Europe
 +-- [Berlin]
 |   +-- 1 user(s)
 +-- 2 user(s)
 +-- 1 role(s)
 +-- 1 team(s)
 +-- 1 queued team(s)
`)
	wantOut(t, "ei --node Europe (stderr)", errOut, "Enterprise name: Fixture MSP\nOutput is limited to \"europe\" node\n\n")

	out, _ = runEI(t, e, "ei -q --node Europe -v")
	if first := strings.SplitN(out, "\n", 2)[0]; first != fmt.Sprintf("Europe (%d)", id(3)) {
		t.Errorf("subtree root with -v: %q", first)
	}
	e.Nodes[id(3)].RestrictVisibility = true
	out, _ = runEI(t, e, "ei -q --node Europe")
	if first := strings.SplitN(out, "\n", 2)[0]; first != "Europe |Isolated| " {
		t.Errorf("isolated subtree root: %q", first)
	}
}

// TestEITreeCap: a node's roles stop after index 50 with Commander's
// "N More Role(s)", N counted from that index.
func TestEITreeCap(t *testing.T) {
	e := demoEnterprise()
	for i := int64(0); i < 51; i++ {
		e.Roles[id(100+i)] = &enterprise.Role{Role: &pb.Role{RoleId: id(100 + i), NodeId: id(5)},
			Name: fmt.Sprintf("Role %02d", i), Seq: int(2 + i)}
	}
	out, _ := runEI(t, e, "ei -q -v --node 'Asia Pacific'")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2+51+1 || lines[len(lines)-2] != "     +-- Role 50 ("+fmt.Sprint(id(150))+")" ||
		lines[len(lines)-1] != "     +-- 1 More Role(s)" {
		t.Errorf("capped roles:\n%s", out)
	}
}

// TestEITeamRestricts: restricts is Commander's fixed five-character
// string (R, W, S slots for view, edit, share); JSON and CSV keep the
// blanks and the key even when nothing is restricted; queued teams say
// "Queued".
func TestEITeamRestricts(t *testing.T) {
	e := demoEnterprise()
	out, _ := runEI(t, e, "ei -q -t --columns restricts --format csv")
	wantOut(t, "csv", out, "Team Uid,Name,Restricts\r\n"+
		"YXVkaXQtdGVhbS0wMDAwMQ,Audit,     \r\n"+
		"MDEyMzQ1Njc4OWFiY2RlZg,Helpdesk,  W  \r\n"+
		"cXVldWVkLXRlYW0tMDAwMQ,Onboarding,Queued\r\n")
	out, _ = runEI(t, e, "ei -q -t --columns restricts --format json")
	for _, want := range []string{`"restricts": "     "`, `"restricts": "  W  "`, `"restricts": "Queued"`} {
		if !strings.Contains(out, want) {
			t.Errorf("json lacks %s:\n%s", want, out)
		}
	}
	team := e.Teams["MDEyMzQ1Njc4OWFiY2RlZg"]
	team.RestrictView, team.RestrictShare = true, true
	out, _ = runEI(t, e, "ei -q -t --columns restricts --format json Helpdesk")
	if !strings.Contains(out, `"restricts": "R W S"`) {
		t.Errorf("all restrictions:\n%s", out)
	}
	out, _ = runEI(t, e, "ei -q -t --columns restricts")
	if !strings.Contains(out, "Helpdesk    R W S") {
		t.Errorf("table:\n%s", out)
	}
}

// TestEIMemberListsKeepServerOrder: list cells follow the order the server
// sent the links (and entities) in, not the names; members outside the
// --node scope show as their id.
func TestEIMemberListsKeepServerOrder(t *testing.T) {
	e := demoEnterprise()
	out, _ := runEI(t, e, "ei -q -t --columns users --format csv Helpdesk")
	wantOut(t, "team users", out, "Team Uid,Name,Users\r\nMDEyMzQ1Njc4OWFiY2RlZg,Helpdesk,\"Carl@fixture.test\nanna@fixture.test\"\r\n")
	out, _ = runEI(t, e, "ei -q -r --columns users,enforcements --format csv Staff")
	wantOut(t, "role users", out, "Role Id,Name,Users,Enforcements\r\n"+fmt.Sprint(id(21))+
		",Staff,\"anna@fixture.test\nadmin@fixture.test\",\"two_factor_duration_web\nrequire_two_factor\"\r\n")
	out, _ = runEI(t, e, "ei -q -n --columns users --format csv Europe")
	wantOut(t, "node users", out, "Node Id,Name,Users\r\n"+fmt.Sprint(id(3))+",Europe,\"ben@fixture.test\nCarl@fixture.test\"\r\n")
	out, _ = runEI(t, e, "ei -q -u --columns teams --format csv Carl")
	wantOut(t, "user teams", out, "User ID,Email,Teams\r\n"+fmt.Sprint(id(13))+",Carl@fixture.test,\"Helpdesk\nAudit\"\r\n")
	out, _ = runEI(t, e, "ei -q -r --node Europe --columns users --format csv")
	wantOut(t, "out of scope", out, "Role Id,Name,Users\r\n"+fmt.Sprint(id(21))+",Staff,\"anna@fixture.test\n"+fmt.Sprint(id(10))+"\"\r\n")
}

// TestEIQueuedTeams: queued_user_count joins the team defaults when any
// team has queued users; queued_users lists them; queued teams are rows
// with no member count.
func TestEIQueuedTeams(t *testing.T) {
	e := demoEnterprise()
	out, _ := runEI(t, e, "ei -q -t --format csv")
	wantOut(t, "defaults", out, "Team Uid,Name,Restricts,Node,User Count,Queued User Count\r\n"+
		"YXVkaXQtdGVhbS0wMDAwMQ,Audit,     ,Fixture MSP,1,0\r\n"+
		"MDEyMzQ1Njc4OWFiY2RlZg,Helpdesk,  W  ,Fixture MSP\\Europe,2,2\r\n"+
		"cXVldWVkLXRlYW0tMDAwMQ,Onboarding,Queued,Fixture MSP\\Europe,,1\r\n")
	out, _ = runEI(t, e, "ei -q -t --columns queued_users,roles --format json Onboarding")
	wantOut(t, "queued json", out, `[
  {
    "team_uid": "cXVldWVkLXRlYW0tMDAwMQ",
    "name": "Onboarding",
    "queued_users": [
      "ben@fixture.test"
    ]
  }
]
`)
	out, _ = runEI(t, e, "ei -q -t --columns queued_users --format csv Helpdesk")
	wantOut(t, "team queued users", out, "Team Uid,Name,Queued Users\r\nMDEyMzQ1Njc4OWFiY2RlZg,Helpdesk,\"ben@fixture.test\nadmin@fixture.test\"\r\n")
	e.QueuedTeamUsers = nil
	out, _ = runEI(t, e, "ei -q -t --format csv")
	if strings.Contains(out, "Queued User Count") {
		t.Errorf("no queued users, yet the column:\n%s", out)
	}
}

// TestEIProvisioning: provisioning expands to the provisioning columns
// with data, after every other column.
func TestEIProvisioning(t *testing.T) {
	e := demoEnterprise()
	out, _ := runEI(t, e, "ei -q -n --columns isolated,provisioning --format csv")
	wantOut(t, "provisioning", out, "Node Id,Name,Isolated,Email Provisioning,Sso Provisioning\r\n"+
		fmt.Sprintf("%d,Asia Pacific,True,,\r\n%d,Berlin,False,,Okta\r\n%d,Europe,False,fixture.test,\r\n%d,Fixture MSP,False,,\r\n",
			id(5), id(4), id(3), id(2)))
	e.EmailProvisions, e.SsoServices = nil, nil
	e.Bridges = []*pb.Bridge{{BridgeId: 1, NodeId: id(2), Status: "active"}}
	e.Scims = []*pb.Scim{{ScimId: 2, NodeId: id(4), Status: "pending"}}
	out, _ = runEI(t, e, "ei -q -n --columns provisioning --format json Berlin")
	wantOut(t, "bridge and scim", out, fmt.Sprintf(`[
  {
    "node_id": %d,
    "name": "Berlin",
    "scim_provisioning": "pending"
  }
]
`, id(4)))
	e.Bridges, e.Scims = nil, nil
	out, _ = runEI(t, e, "ei -q -n --columns provisioning --format csv Berlin")
	wantOut(t, "none", out, fmt.Sprintf("Node Id,Name\r\n%d,Berlin\r\n", id(4)))
}

// TestEIRoleColumns: managed nodes by name, managed_nodes_permissions
// (visible privileges only; MSP ones because the fixture is an MSP), and
// JSON enforcements as an object with two-factor durations by name.
func TestEIRoleColumns(t *testing.T) {
	e := demoEnterprise()
	out, _ := runEI(t, e, "ei -q -r --columns managed_nodes,managed_nodes_permissions --format csv Keeper")
	wantOut(t, "permissions", out, "Role Id,Name,Managed Nodes,Managed Nodes Permissions\r\n"+fmt.Sprint(id(20))+
		",Keeper Administrator,\"Fixture MSP\nAsia Pacific\",\"Fixture MSP (cascade: True):\n  manage_user\n  manage_companies\nAsia Pacific (cascade: False): none\"\r\n")
	out, _ = runEI(t, e, "ei -q -r --columns enforcements,managed_nodes_permissions --format json")
	wantOut(t, "json", out, fmt.Sprintf(`[
  {
    "role_id": %d,
    "name": "Keeper Administrator",
    "enforcements": {},
    "managed_nodes_permissions": [
      {
        "node_name": "Fixture MSP",
        "node_id": %d,
        "cascade": true,
        "privileges": [
          "manage_user",
          "manage_companies"
        ]
      },
      {
        "node_name": "Asia Pacific",
        "node_id": %d,
        "cascade": false,
        "privileges": []
      }
    ]
  },
  {
    "role_id": %d,
    "name": "Staff",
    "enforcements": {
      "two_factor_duration_web": "30_days",
      "require_two_factor": "true"
    },
    "managed_nodes_permissions": []
  }
]
`, id(20), id(2), id(5), id(21)))
	e.Licenses = nil
	out, _ = runEI(t, e, "ei -q -r --columns managed_nodes_permissions --format csv Keeper")
	if strings.Contains(out, "manage_companies") {
		t.Errorf("MSP privilege outside an MSP:\n%s", out)
	}
}

// TestEIRowsAndPattern: rows sort by name in code point order (capitals
// first, as Python's sort), and the pattern skips empty and false cells.
func TestEIRowsAndPattern(t *testing.T) {
	e := demoEnterprise()
	out, _ := runEI(t, e, "ei -q -u --columns 2fa_enabled,job_title --format json")
	if i, j := strings.Index(out, "Carl@"), strings.Index(out, "admin@"); i < 0 || j < 0 || i > j {
		t.Errorf("Carl@ sorts first:\n%s", out)
	}
	if strings.Count(out, "2fa_enabled") != 1 || strings.Count(out, "job_title") != 1 {
		t.Errorf("2fa_enabled/job_title only where set:\n%s", out)
	}
	out, _ = runEI(t, e, "ei -q -r --format csv fal")
	wantOut(t, "false cells do not match", out, "Role Id,Name,Default Role,Admin,Node,User Count\r\n")
	out, _ = runEI(t, e, "ei -q -r --format csv true")
	if !strings.Contains(out, "Keeper Administrator,False,True") || !strings.Contains(out, "Staff,True,False") {
		t.Errorf("true cells match:\n%s", out)
	}
}
