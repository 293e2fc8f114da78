package server

import (
	"fmt"
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// Entity numbers inside a new managed company: ids are (mc_id << 32) + n,
// as in the demo seed.
const (
	mcLicenceN   = 1
	mcRootNodeN  = 2 // Commander finds the root by the low 32 bits == 2
	mcAdminRoleN = 10
)

// mcAdminPrivileges are granted to a new MC's Keeper Administrator role on
// its root node.
var mcAdminPrivileges = []string{"MANAGE_NODES", "MANAGE_USER", "MANAGE_ROLES", "MANAGE_TEAMS", "MANAGE_LICENCES",
	"RUN_REPORTS", "MANAGE_BRIDGE", "MANAGE_COMPANIES", "TRANSFER_ACCOUNT", "SHARING_ADMINISTRATOR"}

// mspRoutes registers managed-company management: the JSON commands of
// Commander's msp-add, msp-update, msp-remove and msp-copy-role
// (keepercommander/commands/msp.py) and the REST endpoints of
// msp-convert-node.
func (s *Server) mspRoutes() {
	s.json["enterprise_registration_by_msp"] = mcRegister
	s.json["enterprise_update_by_msp"] = mcUpdate
	s.json["enterprise_remove_by_msp"] = mcRemove
	s.json["get_mc_license_adjustment_log"] = mcLicenceLog
	s.json["role_enforcement_add"] = enforcementAdd
	s.json["role_enforcement_update"] = enforcementUpdate
	s.json["role_enforcement_remove"] = enforcementRemove
	s.routes["enterprise/node_to_managed_company"] = handler{auth: true, fn: s.nodeToMC}
	s.routes["enterprise/get_enterprise_user_data_key_by_node"] = handler{auth: true, fn: s.userDataKeysByNode}
}

// encryptedField reads a base64url key blob of 28-1024 bytes.
func encryptedField(cmd map[string]any, field string) (string, error) {
	v := str(cmd, field)
	b, err := crypto.Base64URLDecode(v)
	if err != nil || len(b) < 28 || len(b) > 1024 {
		return "", cmdFail("bad_inputs_"+field, "%s must be a base64url encrypted key", field)
	}
	return v, nil
}

// encryptedData reads an AES-CBC encrypted display-data field.
func encryptedData(cmd map[string]any, field string) (string, error) {
	v := str(cmd, field)
	if err := checkEncrypted(v); err != nil {
		return "", cmdFail("bad_inputs_"+field, "%s must be base64url AES-CBC data", field)
	}
	return v, nil
}

// mcRegister is enterprise_registration_by_msp: a new managed company
// enterprise with its root node, Keeper Administrator role and licence, and
// its ManagedCompany entity in the MSP, all in this one transaction.
func mcRegister(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	m, err := j.asMSP()
	if err != nil {
		return nil, err
	}
	name, err := mcName(cmd)
	if err != nil {
		return nil, err
	}
	if err := m.uniqueName(name, 0); err != nil {
		return nil, err
	}
	root, err := rootNode(j.ctx, j.tx, j.eid)
	if err != nil {
		return nil, err
	}
	node, err := m.mspNode(cmd, root)
	if err != nil {
		return nil, err
	}
	r, err := readPlan(cmd, false)
	if err != nil {
		return nil, err
	}
	if err := r.checkPermits(m.licence.MspPermits, nil); err != nil {
		return nil, err
	}
	if err := m.checkPool(r.plan.code, r.seats, nil); err != nil {
		return nil, err
	}
	treeKey, err := encryptedField(cmd, "encrypted_tree_key")
	if err != nil {
		return nil, err
	}
	roleData, err := encryptedData(cmd, "role_data")
	if err != nil {
		return nil, err
	}
	rootData, err := encryptedData(cmd, "root_node")
	if err != nil {
		return nil, err
	}
	keyRole, err := m.adminRole(root)
	if err != nil {
		return nil, err
	}

	id, err := store.NewEnterpriseID(j.ctx, j.tx)
	if err != nil {
		return nil, err
	}
	if err := store.PutEnterprise(j.ctx, j.tx, &store.Enterprise{ID: id, Name: name, MSPID: j.eid, TreeKeyForMSP: treeKey}); err != nil {
		return nil, err
	}
	rev, err := store.BumpRev(j.ctx, j.tx, id)
	if err != nil {
		return nil, err
	}
	base := int64(id) << 32
	rootID, roleID := base+mcRootNodeN, base+mcAdminRoleN
	if err := j.putIn(id, rev, enterprisepb.EnterpriseDataEntity_NODES, fmt.Sprint(rootID), "",
		&enterprisepb.Node{NodeId: rootID, EncryptedData: rootData}); err != nil {
		return nil, err
	}
	if err := j.putIn(id, rev, enterprisepb.EnterpriseDataEntity_ROLES, fmt.Sprint(roleID), "", &enterprisepb.Role{RoleId: roleID,
		NodeId: rootID, EncryptedData: roleData, KeyType: "encrypted_by_data_key", VisibleBelow: true}); err != nil {
		return nil, err
	}
	if err := j.putIn(id, rev, enterprisepb.EnterpriseDataEntity_MANAGED_NODES, fmt.Sprintf("%d:%d", roleID, rootID), "",
		&enterprisepb.ManagedNode{RoleId: roleID, ManagedNodeId: rootID, CascadeNodeManagement: true}); err != nil {
		return nil, err
	}
	for _, p := range mcAdminPrivileges {
		if err := j.putIn(id, rev, enterprisepb.EnterpriseDataEntity_ROLE_PRIVILEGES, fmt.Sprintf("%d:%d:%s", roleID, rootID, p), "",
			&enterprisepb.RolePrivilege{RoleId: roleID, ManagedNodeId: rootID, PrivilegeType: p}); err != nil {
			return nil, err
		}
	}
	mc := &enterprisepb.ManagedCompany{McEnterpriseId: id, McEnterpriseName: name, MspNodeId: node, NumberOfSeats: r.seats,
		ProductId: r.plan.code, TreeKey: treeKey, TreeKeyRole: keyRole, FilePlanType: r.filePlan().code,
		AddOns: r.licenceAddOns(nil, m.now), TreeKeyTypeId: int32(enterprisepb.BackupKeyType_ENCRYPTED_BY_DATA_KEY_GCM)}
	lic, err := m.newLicence(id)
	if err != nil {
		return nil, err
	}
	if err := m.writeMC(mc, lic, rev); err != nil {
		return nil, err
	}
	note := fmt.Sprintf("Added %s with %s seats, storage %s, add-ons %s", mc.ProductId, seatText(mc.NumberOfSeats),
		orNone(mc.FilePlanType), addOnText(mc.AddOns))
	return map[string]any{"enterprise_id": id}, m.record(mc, "Added", note)
}

// writeMC stores the ManagedCompany entity in the MSP and the MC licence
// (plan, seats, storage, add-ons) in the MC at revision mcRev.
func (m *mspCall) writeMC(mc *enterprisepb.ManagedCompany, lic *enterprisepb.License, mcRev int64) error {
	if err := m.put(enterprisepb.EnterpriseDataEntity_MANAGED_COMPANIES, fmt.Sprint(mc.McEnterpriseId), mc.McEnterpriseName, mc); err != nil {
		return err
	}
	storage, _ := storageByCode(mc.FilePlanType)
	lic.Name, lic.NumberOfSeats, lic.FilePlanTypeId, lic.MaxBytes = mc.ProductId, mc.NumberOfSeats, storage.id, storage.bytes
	lic.AddOns = mc.AddOns
	return m.putIn(mc.McEnterpriseId, mcRev, enterprisepb.EnterpriseDataEntity_LICENSES, fmt.Sprint(lic.EnterpriseLicenseId), "", lic)
}

// mcUpdate is enterprise_update_by_msp: a full replacement of the MC's
// name, plan, seats, storage and add-ons (omitted file_plan_type = the
// plan's own storage; omitted node_id keeps the node).
func mcUpdate(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	m, err := j.asMSP()
	if err != nil {
		return nil, err
	}
	prev, err := m.mc(cmd)
	if err != nil {
		return nil, err
	}
	name, err := mcName(cmd)
	if err != nil {
		return nil, err
	}
	if err := m.uniqueName(name, prev.McEnterpriseId); err != nil {
		return nil, err
	}
	node, err := m.mspNode(cmd, prev.MspNodeId)
	if err != nil {
		return nil, err
	}
	r, err := readPlan(cmd, true)
	if err != nil {
		return nil, err
	}
	if err := r.checkPermits(m.licence.MspPermits, prev); err != nil {
		return nil, err
	}
	if err := m.checkPool(r.plan.code, r.seats, prev); err != nil {
		return nil, err
	}
	id := prev.McEnterpriseId
	lic, err := mcLicence(m, id)
	if err != nil {
		return nil, err
	}
	created := map[string]int64{}
	for _, a := range prev.AddOns {
		created[a.Name] = a.Created
	}
	mc := proto.Clone(prev).(*enterprisepb.ManagedCompany)
	mc.McEnterpriseName, mc.MspNodeId, mc.NumberOfSeats, mc.ProductId = name, node, r.seats, r.plan.code
	mc.FilePlanType, mc.AddOns = r.filePlan().code, r.licenceAddOns(created, m.now)
	rev, err := store.BumpRev(j.ctx, j.tx, id)
	if err != nil {
		return nil, err
	}
	if name != prev.McEnterpriseName {
		if err := store.SetEnterpriseName(j.ctx, j.tx, id, name); err != nil {
			return nil, err
		}
	}
	if err := m.writeMC(mc, lic, rev); err != nil {
		return nil, err
	}
	return map[string]any{"enterprise_id": id}, m.record(mc, "Updated", changeNote(prev, mc))
}

// mcLicence loads the MC's licence entity, or a fresh one.
func mcLicence(m *mspCall, id int32) (*enterprisepb.License, error) {
	rows, err := store.FindEntities(m.ctx, m.tx, id, kindLicences, "")
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return m.newLicence(id)
	}
	lic := &enterprisepb.License{}
	return lic, proto.Unmarshal(rows[0].Data, lic)
}

// newLicence is a managed company's licence before its plan is filled in:
// product type 8 (Managed Company), active, managed by the MSP.
func (m *mspCall) newLicence(id int32) (*enterprisepb.License, error) {
	msp, err := store.GetEnterprise(m.ctx, m.tx, m.eid)
	if err != nil {
		return nil, err
	}
	return &enterprisepb.License{Paid: true, EnterpriseLicenseId: int64(id)<<32 + mcLicenceN, ProductTypeId: 8, LicenseStatus: "active",
		ManagedBy: &enterprisepb.MSPContact{EnterpriseId: m.eid, EnterpriseName: msp.Name}}, nil
}

// mcRemove is enterprise_remove_by_msp: the ManagedCompany entity becomes a
// tombstone (its seats return to the pool), the MC's sessions end and its
// users can no longer log in.
func mcRemove(j *jsonCall, cmd map[string]any) (map[string]any, error) {
	m, err := j.asMSP()
	if err != nil {
		return nil, err
	}
	mc, err := m.mc(cmd)
	if err != nil {
		return nil, err
	}
	if _, err := j.del(enterprisepb.EnterpriseDataEntity_MANAGED_COMPANIES, fmt.Sprint(mc.McEnterpriseId)); err != nil {
		return nil, err
	}
	if err := store.RemoveEnterprise(j.ctx, j.tx, mc.McEnterpriseId, m.now); err != nil {
		return nil, err
	}
	note := fmt.Sprintf("Removed; %s seats of %s returned", seatText(mc.NumberOfSeats), mc.ProductId)
	return map[string]any{"enterprise_id": mc.McEnterpriseId}, m.record(mc, "Removed", note)
}

// changeNote describes an update for the licence adjustment log.
func changeNote(prev, mc *enterprisepb.ManagedCompany) string {
	var parts []string
	diff := func(what, a, b string) {
		if a != b {
			parts = append(parts, fmt.Sprintf("%s %s -> %s", what, a, b))
		}
	}
	diff("name", prev.McEnterpriseName, mc.McEnterpriseName)
	diff("plan", prev.ProductId, mc.ProductId)
	diff("seats", seatText(prev.NumberOfSeats), seatText(mc.NumberOfSeats))
	diff("storage", orNone(prev.FilePlanType), orNone(mc.FilePlanType))
	diff("add-ons", addOnText(prev.AddOns), addOnText(mc.AddOns))
	diff("node", fmt.Sprint(prev.MspNodeId), fmt.Sprint(mc.MspNodeId))
	if len(parts) == 0 {
		return "Updated; no change"
	}
	return "Updated " + strings.Join(parts, "; ")
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// addOnText lists add-ons as name[:seats], sorted.
func addOnText(addOns []*enterprisepb.LicenseAddOn) string {
	var names []string
	for _, a := range addOns {
		n := a.Name
		if a.Seats > 0 {
			n += ":" + seatText(a.Seats)
		}
		names = append(names, n)
	}
	if len(names) == 0 {
		return "none"
	}
	slices.Sort(names)
	return strings.Join(names, ",")
}
