package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// reader is what store read functions take: *sql.DB or *sql.Tx.
type reader interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

var kindNodes = int32(enterprisepb.EnterpriseDataEntity_NODES)

// mspLicence returns an enterprise's MSP licence: the one whose status
// starts with "msp", as Commander's is_msp decides (keepercommander/
// commands/enterprise_common.py). nil when the enterprise is no MSP.
func mspLicence(ctx context.Context, q reader, eid int32) (*enterprisepb.License, error) {
	rows, err := store.FindEntities(ctx, q, eid, kindLicences, "")
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		var l enterprisepb.License
		if err := proto.Unmarshal(r.Data, &l); err != nil {
			return nil, err
		}
		if strings.HasPrefix(l.LicenseStatus, "msp") {
			return &l, nil
		}
	}
	return nil, nil
}

// callerIsMSP refuses anyone but an administrator of an MSP acting in the
// MSP's own session: a managed-company session (login_to_mc) and the
// administrator of a managed company or of a plain enterprise are refused.
func callerIsMSP(ctx context.Context, q reader, sess *store.Session) (*enterprisepb.License, error) {
	acct, err := store.LoadAccount(ctx, q, sess.Username)
	if err != nil {
		return nil, err
	}
	if acct.EnterpriseID != sess.EnterpriseID {
		return nil, cmdFail("access_denied", "this session acts on a managed company; MSP commands run in the MSP's own session")
	}
	lic, err := mspLicence(ctx, q, sess.EnterpriseID)
	if err != nil {
		return nil, err
	}
	if lic == nil {
		return nil, cmdFail("access_denied", "only an MSP administrator can manage managed companies")
	}
	return lic, nil
}

// mspCall is a JSON command of an MSP administrator on its managed companies.
type mspCall struct {
	*jsonCall
	licence *enterprisepb.License
	mcs     map[int32]*enterprisepb.ManagedCompany // the MSP's live MCs
	now     int64                                  // Unix ms of the change
}

func (j *jsonCall) asMSP() (*mspCall, error) {
	lic, err := callerIsMSP(j.ctx, j.tx, j.sess)
	if err != nil {
		return nil, err
	}
	m := &mspCall{jsonCall: j, licence: lic, mcs: map[int32]*enterprisepb.ManagedCompany{}, now: time.Now().UnixMilli()}
	rows, err := store.FindEntities(j.ctx, j.tx, j.eid, kindMCs, "")
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		mc := &enterprisepb.ManagedCompany{}
		if err := proto.Unmarshal(r.Data, mc); err != nil {
			return nil, err
		}
		m.mcs[mc.McEnterpriseId] = mc
	}
	return m, nil
}

// mc returns the live managed company named by enterprise_id.
func (m *mspCall) mc(cmd map[string]any) (*enterprisepb.ManagedCompany, error) {
	id, ok := num(cmd, "enterprise_id")
	mc := m.mcs[int32(id)]
	if !ok || mc == nil || int64(int32(id)) != id {
		return nil, cmdFail("bad_inputs_enterprise_id", "managed company %v not found", cmd["enterprise_id"])
	}
	return mc, nil
}

// uniqueName refuses a name another MC of the MSP has, case-insensitively
// (Commander's msp-add compares lower-cased names too).
func (m *mspCall) uniqueName(name string, self int32) error {
	for id, mc := range m.mcs {
		if id != self && strings.EqualFold(mc.McEnterpriseName, name) {
			return cmdFail("duplicate_name", "a managed company named %q already exists (id %d)", mc.McEnterpriseName, id)
		}
	}
	return nil
}

// checkPool refuses seats beyond the MSP pool of the product: available =
// pool seats - the seats of the other MCs on that product (unlimited MCs
// consume none). An MSP licence without a pool (consumption billing) has no
// cap; a product missing from a pool has none available. Lowering an MC's
// seats on its own product is always allowed.
func (m *mspCall) checkPool(product string, seats int32, prev *enterprisepb.ManagedCompany) error {
	if len(m.licence.MspPool) == 0 || seats == unlimitedSeats || seats == 0 {
		return nil
	}
	if prev != nil && strings.EqualFold(prev.ProductId, product) && prev.NumberOfSeats != unlimitedSeats && seats <= prev.NumberOfSeats {
		return nil
	}
	var total int64
	for _, p := range m.licence.MspPool {
		if strings.EqualFold(p.ProductId, product) {
			total += int64(p.Seats)
		}
	}
	used := int64(0)
	for id, mc := range m.mcs {
		if (prev == nil || id != prev.McEnterpriseId) && strings.EqualFold(mc.ProductId, product) &&
			mc.NumberOfSeats > 0 && mc.NumberOfSeats != unlimitedSeats {
			used += int64(mc.NumberOfSeats)
		}
	}
	if avail := total - used; int64(seats) > avail {
		return cmdFail("exceeds_available_seats", "Cannot allocate %d %s seats: %d available in the MSP pool", seats, product, max(avail, 0))
	}
	return nil
}

// mspNode reads node_id: a node of the MSP tree, or def when absent.
func (m *mspCall) mspNode(cmd map[string]any, def int64) (int64, error) {
	v, present := cmd["node_id"]
	if !present || v == nil {
		return def, nil
	}
	id, ok := num(cmd, "node_id")
	if !ok || !m.exists(enterprisepb.EnterpriseDataEntity_NODES, fmt.Sprint(id)) {
		return 0, cmdFail("bad_inputs_node_id", "node %v does not exist in the MSP", v)
	}
	return id, nil
}

// rootNode returns the id of the enterprise's root node (no parent).
func rootNode(ctx context.Context, q reader, eid int32) (int64, error) {
	rows, err := store.FindEntities(ctx, q, eid, kindNodes, "")
	if err != nil {
		return 0, err
	}
	for _, r := range rows {
		var n enterprisepb.Node
		if err := proto.Unmarshal(r.Data, &n); err != nil {
			return 0, err
		}
		if n.ParentId == 0 {
			return n.NodeId, nil
		}
	}
	return 0, fmt.Errorf("enterprise %d has no root node", eid)
}

// adminRole returns the caller's role that manages the MSP root (the role
// a managed company's tree key is reachable through), 0 if none.
func (m *mspCall) adminRole(root int64) (int64, error) {
	acct, err := store.LoadAccount(m.ctx, m.tx, m.sess.Username)
	if err != nil {
		return 0, err
	}
	links, err := store.FindEntities(m.ctx, m.tx, m.eid, int32(enterprisepb.EnterpriseDataEntity_ROLE_USERS), "")
	if err != nil {
		return 0, err
	}
	for _, l := range links {
		var ru enterprisepb.RoleUser
		if err := proto.Unmarshal(l.Data, &ru); err != nil {
			return 0, err
		}
		if ru.EnterpriseUserId == acct.EnterpriseUserID && m.exists(enterprisepb.EnterpriseDataEntity_MANAGED_NODES, fmt.Sprintf("%d:%d", ru.RoleId, root)) {
			return ru.RoleId, nil
		}
	}
	return 0, nil
}

// putIn writes an entity of another enterprise (a managed company) at
// revision rev within the command's transaction.
func (j *jsonCall) putIn(eid int32, rev int64, kind enterprisepb.EnterpriseDataEntity, ident, name string, m proto.Message) error {
	data, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	return store.PutEntity(j.ctx, j.tx, eid, rev, store.Entity{Kind: int32(kind), Ident: ident, Name: strings.ToLower(name), Data: data})
}

// record writes the licence adjustment log row and the plan history row of
// a change to mc (status Added, Updated or Removed).
func (m *mspCall) record(mc *enterprisepb.ManagedCompany, status, note string) error {
	seats := mc.NumberOfSeats
	if status == "Removed" {
		seats = 0
	}
	if _, err := store.AddLicenceLog(m.ctx, m.tx, &store.LicenceLogEntry{MSPID: m.eid, Date: m.now, MCEnterpriseID: mc.McEnterpriseId,
		MCEnterpriseName: mc.McEnterpriseName, Status: status, NewNumberOfSeats: seats, NewProductType: mc.ProductId, Note: note}); err != nil {
		return err
	}
	type addOn struct {
		Name     string `json:"name"`
		Seats    int32  `json:"seats"`
		Included bool   `json:"included_in_product"`
	}
	addOns := []addOn{}
	for _, a := range mc.AddOns {
		addOns = append(addOns, addOn{a.Name, a.Seats, a.IncludedInProduct})
	}
	b, err := json.Marshal(addOns)
	if err != nil {
		return err
	}
	return store.AddMCPlan(m.ctx, m.tx, &store.MCPlan{MSPID: m.eid, MCEnterpriseID: mc.McEnterpriseId, Date: m.now,
		Name: mc.McEnterpriseName, ProductID: mc.ProductId, Seats: mc.NumberOfSeats, FilePlan: mc.FilePlanType,
		AddOns: string(b), Removed: status == "Removed"})
}

// seatText shows a seat count, unlimited as such.
func seatText(n int32) string {
	if n == unlimitedSeats {
		return "unlimited"
	}
	return fmt.Sprint(n)
}
