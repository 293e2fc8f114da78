package commands

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// nodeEnterprise is demoEnterprise with an empty node "Empty" (id 5) under
// the root holding an empty "Leaf" (id 6), and Berlin's stored name.
func nodeEnterprise() *enterprise.Enterprise {
	e := basicEnterprise()
	e.Nodes[id(5)] = &enterprise.Node{Node: &pb.Node{NodeId: id(5), ParentId: id(2)}, Name: "Empty"}
	e.Nodes[id(6)] = &enterprise.Node{Node: &pb.Node{NodeId: id(6), ParentId: id(5)}, Name: "Leaf"}
	e.Nodes[id(4)].EncryptedData = "stored-berlin"
	e.Nodes[id(4)].RestrictVisibility = true
	return e
}

type nodeRun struct {
	w       *orgWriter
	rest    *fakeREST
	confirm confirmer
	prompts []string
}

func newNodeRun() *nodeRun { return &nodeRun{w: newOrgWriter(nodeEnterprise()), rest: &fakeREST{}} }

func (r *nodeRun) run(t *testing.T, line string) (string, string, error) {
	t.Helper()
	return runLine(t, newEnterpriseNodeCmd(&Factory{}, func(ctx context.Context, o *enterpriseNodeOptions) error {
		o.Writer, o.REST, o.Status = r.w, r.rest, testStatus(&o.base)
		if r.confirm != nil {
			o.Confirm = func(ctx context.Context, prompt string) (bool, error) {
				r.prompts = append(r.prompts, prompt)
				return r.confirm(ctx, prompt)
			}
		}
		return enterpriseNodeRun(ctx, o)
	}), line)
}

func TestEnterpriseNodeFlags(t *testing.T) {
	build := func(runF func(context.Context, *enterpriseNodeOptions) error) *command.Command {
		return newEnterpriseNodeCmd(noFactory, runF)
	}
	o, err := capture(t, build, "en --add Sales 'Sales EMEA' --parent Europe")
	if err != nil || !o.Add || o.Parent != "Europe" || !reflect.DeepEqual(o.Args, []string{"Sales", "Sales EMEA"}) {
		t.Fatalf("%+v %v", o, err)
	}
	o, err = capture(t, build, "enterprise-node Berlin --toggle-isolated -f --format json")
	if err != nil || !o.ToggleIsolated || !o.Force || o.Report.Format != "json" {
		t.Fatalf("%+v %v", o, err)
	}
	_, err = capture(t, build, "en --add")
	usageErr(t, err, "expected NODE...")
	_, err = capture(t, build, "en X --parent ''")
	usageErr(t, err, "--parent needs a non-empty value")
}

func TestEnterpriseNodeRefusesBeforeAnyCall(t *testing.T) {
	for line, want := range map[string]string{
		"en --add --delete X":                          "--add and --delete are mutually exclusive",
		"en --add X --name Y":                          "--name renames an existing node",
		"en Europe Berlin --name Y":                    "--name renames one node at a time",
		"en --delete Berlin --parent X":                "cannot be combined with --delete or --toggle-isolated",
		"en --toggle-isolated --add X":                 "--toggle-isolated cannot be combined",
		"en --add ' '":                                 "node name cannot be empty",
		"en --add " + strings.Repeat("n", 256):         "is 256 characters long; the maximum is 255",
		"en Berlin --name " + strings.Repeat("n", 256): "is 256 characters long",
	} {
		r := newNodeRun()
		_, _, err := r.run(t, line)
		usageErr(t, err, want)
		if len(r.w.executed)+len(r.w.allocs)+len(r.rest.calls) != 0 {
			t.Fatalf("%s: something was sent", line)
		}
	}
}

func TestEnterpriseNodeAdd(t *testing.T) {
	r := newNodeRun()
	_, stderr, err := r.run(t, "en --add Sales berlin 'Sales EMEA' sales --parent 'Fixture MSP\\Europe'")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.w.allocs, []int{2}) || len(r.w.executed) != 2 {
		t.Fatalf("allocs %v, executed %v", r.w.allocs, r.w.executed)
	}
	for i, want := range []string{"Sales", "Sales EMEA"} {
		add := r.w.executed[i].(enterprise.NodeAdd)
		if add.NodeID != id(1000)+int64(i) || add.ParentID != id(3) || decryptName(t, r.w.e, add.EncryptedData) != want {
			t.Fatalf("node_add %d: %+v", i, add)
		}
	}
	if !strings.Contains(stderr, "Node 'berlin' already exists: Skipping.") ||
		!strings.Contains(stderr, "Node 'Sales' is created with Node ID: 330712482792") {
		t.Fatalf("stderr:\n%s", stderr)
	}

	r = newNodeRun()
	if _, _, err := r.run(t, "en --add Top"); err != nil || r.w.executed[0].(enterprise.NodeAdd).ParentID != id(2) {
		t.Fatalf("default parent must be the root: %v %+v", err, r.w.executed)
	}
	r = newNodeRun()
	if _, stderr, err := r.run(t, "en --add Europe Berlin"); err != nil || len(r.w.allocs)+len(r.w.executed) != 0 ||
		strings.Count(stderr, "already exists") != 2 {
		t.Fatalf("only existing names: %v %v %q", err, r.w.executed, stderr)
	}
	r = newNodeRun()
	_, _, err = r.run(t, "en --add X --parent Nowhere")
	if err == nil || !strings.Contains(err.Error(), `parent: node "Nowhere" not found`) || len(r.w.allocs) != 0 {
		t.Fatalf("unknown parent: %v", err)
	}
}

func TestEnterpriseNodeAddFailure(t *testing.T) {
	r := newNodeRun()
	r.w.failWith(func(c rest.Command) bool { return c.(enterprise.NodeAdd).NodeID == id(1001) }, "no room")
	_, stderr, err := r.run(t, "en --add A B")
	var api *rest.APIError
	if err == nil || err.Error() != "enterprise-node: 1 of 2 changes failed" || !errors.As(err, &api) {
		t.Fatalf("err %v", err)
	}
	if !strings.Contains(stderr, "Node 'A' is created") || !strings.Contains(stderr, "Failed to create node 'B': no room") {
		t.Fatalf("stderr:\n%s", stderr)
	}
}

func TestEnterpriseNodeDelete(t *testing.T) {
	r := newNodeRun()
	_, stderr, err := r.run(t, "en --delete Europe 'Fixture MSP' -f")
	if err == nil || len(r.w.executed) != 0 {
		t.Fatalf("non-empty and root nodes must be refused: %v %v", err, r.w.executed)
	}
	for _, want := range []string{"'Fixture MSP' is the root node and cannot be deleted",
		"'Europe' node is not deleted: it still holds 1 subnode(s): Berlin; 1 user(s): ben@fixture.test; 1 role(s): Staff; 1 team(s): Helpdesk"} {
		if !strings.Contains(stderr, want) {
			t.Fatalf("stderr lacks %q:\n%s", want, stderr)
		}
	}

	// Leaf is deleted first; Empty's only child goes in the same command.
	r = newNodeRun()
	if _, _, err := r.run(t, "en --delete Empty Leaf -f"); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.w.executed, []rest.Command{enterprise.NodeDelete{NodeID: id(6)}, enterprise.NodeDelete{NodeID: id(5)}}) {
		t.Fatalf("executed %v", r.w.executed)
	}

	r = newNodeRun()
	_, _, err = r.run(t, "en --delete Leaf")
	usageErr(t, err, "add -f/--force")
	r.confirm = func(context.Context, string) (bool, error) { return false, nil }
	if _, _, err := r.run(t, "en --delete Leaf"); err != nil || len(r.w.executed) != 0 {
		t.Fatalf("declined: %v %v", err, r.w.executed)
	}
	r.confirm = yes
	if _, _, err := r.run(t, "en --delete Leaf"); err != nil || len(r.w.executed) != 1 {
		t.Fatalf("confirmed: %v %v", err, r.w.executed)
	}
	if len(r.prompts) != 2 || !strings.Contains(r.prompts[1], `'Fixture MSP\Empty\Leaf'`) {
		t.Fatalf("prompts %q", r.prompts)
	}
}

func TestEnterpriseNodeRenameAndMove(t *testing.T) {
	r := newNodeRun()
	if _, _, err := r.run(t, "en Berlin --name 'Berlin Mitte'"); err != nil {
		t.Fatal(err)
	}
	upd := r.w.executed[0].(enterprise.NodeUpdate)
	if upd.NodeID != id(4) || upd.ParentID != id(3) || decryptName(t, r.w.e, upd.EncryptedData) != "Berlin Mitte" {
		t.Fatalf("rename %+v", upd)
	}
	r = newNodeRun()
	if _, _, err := r.run(t, "en berlin --parent 'Fixture MSP'"); err != nil {
		t.Fatal(err)
	}
	if want := (enterprise.NodeUpdate{NodeID: id(4), ParentID: id(2), EncryptedData: "stored-berlin"}); r.w.executed[0] != want {
		t.Fatalf("move %+v", r.w.executed[0])
	}
	for line, want := range map[string]string{
		"en Europe --parent Berlin":        "Cannot move node 'Europe' under itself or one of its subnodes ('Fixture MSP\\Europe\\Berlin')",
		"en Europe --parent Europe":        "Cannot move node 'Europe' under itself",
		"en 'Fixture MSP' --parent Europe": "'Fixture MSP' is the root node and cannot be moved",
	} {
		r = newNodeRun()
		_, stderr, err := r.run(t, line)
		if err == nil || len(r.w.executed) != 0 || !strings.Contains(stderr, want) {
			t.Fatalf("%s: %v %v\n%s", line, err, r.w.executed, stderr)
		}
	}
	r = newNodeRun()
	if _, stderr, err := r.run(t, "en Berlin --parent Europe"); err != nil || len(r.w.executed) != 0 || !strings.Contains(stderr, "already under") {
		t.Fatalf("same parent: %v %q", err, stderr)
	}
}

func TestEnterpriseNodeToggleIsolated(t *testing.T) {
	r := newNodeRun()
	_, stderr, err := r.run(t, "en Europe 330712481796 --toggle-isolated")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.rest.calls) != 2 || r.rest.calls[0].endpoint != "enterprise/set_restrict_visibility" ||
		r.rest.calls[0].req.(*pb.SetRestrictVisibilityRequest).NodeId != id(3) ||
		r.rest.calls[1].req.(*pb.SetRestrictVisibilityRequest).NodeId != id(4) || r.rest.refresh != 1 {
		t.Fatalf("calls %v refresh %d", r.rest.calls, r.rest.refresh)
	}
	if !strings.Contains(stderr, "'Europe' node is isolated") || !strings.Contains(stderr, "'Berlin' node is no longer isolated") {
		t.Fatalf("stderr:\n%s", stderr)
	}
}

func TestEnterpriseNodeToggleIsolatedFailure(t *testing.T) {
	r := newNodeRun()
	r.rest.fail = func(_ string, req proto.Message) error {
		if req.(*pb.SetRestrictVisibilityRequest).NodeId == id(3) {
			return &rest.APIError{Endpoint: "enterprise/set_restrict_visibility", Code: "access_denied", Message: "not allowed"}
		}
		return nil
	}
	_, stderr, err := r.run(t, "en Europe Berlin --toggle-isolated")
	var api *rest.APIError
	if !errors.As(err, &api) || r.rest.refresh != 1 || !strings.Contains(stderr, "node 'Europe': toggle isolation failed: not allowed") {
		t.Fatalf("%v refresh=%d\n%s", err, r.rest.refresh, stderr)
	}
}

func TestEnterpriseNodeResolution(t *testing.T) {
	r := newNodeRun()
	r.w.e.Nodes[id(7)] = &enterprise.Node{Node: &pb.Node{NodeId: id(7), ParentId: id(5)}, Name: "Berlin"}
	_, _, err := r.run(t, "en Berlin --toggle-isolated")
	var amb *enterprise.AmbiguousError
	if !errors.As(err, &amb) || !strings.Contains(err.Error(),
		`more than one node named "Berlin": Fixture MSP\Empty\Berlin (330712481799), Fixture MSP\Europe\Berlin (330712481796); use the id`) {
		t.Fatalf("ambiguity: %v", err)
	}
	if _, _, err := r.run(t, "en 'fixture msp\\europe\\berlin' --toggle-isolated"); err != nil || len(r.rest.calls) != 1 {
		t.Fatalf("a path resolves: %v", err)
	}
	_, stderr, err := r.run(t, "en Nowhere Berlin Atlantis --delete -f")
	if err == nil || !strings.Contains(err.Error(), "3 names did not resolve; nothing was changed") ||
		!strings.Contains(stderr, `node "Atlantis" not found`) || len(r.w.executed) != 0 {
		t.Fatalf("%v\n%s", err, stderr)
	}
}

func TestEnterpriseNodeView(t *testing.T) {
	r := newNodeRun()
	out, _, err := r.run(t, "en Europe 'Fixture MSP' --format json")
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 2 {
		t.Fatalf("%v\n%s", err, out)
	}
	want := map[string]any{"node_id": float64(id(3)), "name": "Europe", "path": "Fixture MSP\\Europe", "parent_id": float64(id(2)),
		"isolated": false, "subnodes": []any{"Berlin"}, "users": []any{"ben@fixture.test"}, "roles": []any{"Staff"}, "teams": []any{"Helpdesk"}}
	if !reflect.DeepEqual(got[0], want) {
		t.Fatalf("got  %v\nwant %v", got[0], want)
	}
	if _, ok := got[1]["parent_id"]; ok || !reflect.DeepEqual(got[1]["subnodes"], []any{"Empty", "Europe"}) {
		t.Fatalf("root: %v", got[1])
	}
	out, _, err = r.run(t, "en Berlin")
	if err != nil || !strings.Contains(out, "Node Id") || !strings.Contains(out, "anna@fixture.test") {
		t.Fatalf("table: %v\n%s", err, out)
	}
}
