package msp

import (
	"context"
	"crypto/ecdh"
	"errors"
	"fmt"
	"sort"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	authpb "github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// RESTCaller sends one REST request with the session token of some
// enterprise context (session.Manager.Call: the MSP, or the managed
// company switched to), renewing an expired session.
type RESTCaller interface {
	Call(ctx context.Context, endpoint string, rq, rs proto.Message) error
}

// Conversion is what msp-convert-node moves into a managed company
// (Commander's commands/msp.py MSPConvertNodeCommand): a node of the MSP
// tree with its whole subtree, and the roles, teams and users located in
// it.
type Conversion struct {
	Node  *enterprise.Node
	Nodes []int64  // the node, then its subtree breadth-first
	Roles []int64  // sorted
	Teams []string // team uids (b64url), sorted
	Users []int64  // sorted
	// AdminRoles are the moved roles that manage nodes: their role keys
	// move too.
	AdminRoles []int64
	// Problems must be fixed before the node can be converted; each is one
	// line.
	Problems []string

	nodes, roles, users map[int64]bool
	teams               map[string]bool
}

// PlanConversion works out what converting node would move and what stands
// in the way: provisioning (bridge, SCIM, SSO, email) and managed companies
// on a moved node, queued teams, invited users, and role, team and
// admin-role links crossing the boundary. Commander looks for managed
// companies by a node_id they do not have, so its check never fires; this
// one uses msp_node_id.
func PlanConversion(e *enterprise.Enterprise, node *enterprise.Node) *Conversion {
	cv := &Conversion{Node: node, nodes: map[int64]bool{}, roles: map[int64]bool{}, users: map[int64]bool{}, teams: map[string]bool{}}
	children := map[int64][]int64{}
	for id, n := range e.Nodes {
		if n.ParentId != 0 && n.ParentId != id {
			children[n.ParentId] = append(children[n.ParentId], id)
		}
	}
	for _, c := range children {
		sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
	}
	cv.Nodes = []int64{node.NodeId}
	cv.nodes[node.NodeId] = true
	for i := 0; i < len(cv.Nodes); i++ {
		for _, c := range children[cv.Nodes[i]] {
			if !cv.nodes[c] {
				cv.nodes[c] = true
				cv.Nodes = append(cv.Nodes, c)
			}
		}
	}
	for id, r := range e.Roles {
		if cv.nodes[r.NodeId] {
			cv.roles[id] = true
			cv.Roles = append(cv.Roles, id)
		}
	}
	for uid, t := range e.Teams {
		if cv.nodes[t.NodeId] {
			cv.teams[uid] = true
			cv.Teams = append(cv.Teams, uid)
		}
	}
	for id, u := range e.Users {
		if cv.nodes[u.NodeId] {
			cv.users[id] = true
			cv.Users = append(cv.Users, id)
		}
	}
	sort.Slice(cv.Roles, func(i, j int) bool { return cv.Roles[i] < cv.Roles[j] })
	sort.Strings(cv.Teams)
	sort.Slice(cv.Users, func(i, j int) bool { return cv.Users[i] < cv.Users[j] })
	admin := map[int64]bool{}
	for _, mn := range e.ManagedNodes {
		if cv.roles[mn.RoleId] && !admin[mn.RoleId] {
			admin[mn.RoleId] = true
			cv.AdminRoles = append(cv.AdminRoles, mn.RoleId)
		}
	}
	sort.Slice(cv.AdminRoles, func(i, j int) bool { return cv.AdminRoles[i] < cv.AdminRoles[j] })
	cv.check(e)
	return cv
}

func (cv *Conversion) check(e *enterprise.Enterprise) {
	add := func(format string, args ...any) { cv.Problems = append(cv.Problems, fmt.Sprintf(format, args...)) }
	path := e.NodePath
	for _, b := range e.Bridges {
		if cv.nodes[b.NodeId] {
			add("Remove bridge provisioning before conversion from node %s", path(b.NodeId))
		}
	}
	for _, s := range e.Scims {
		if cv.nodes[s.NodeId] {
			add("Remove SCIM provisioning before conversion from node %s", path(s.NodeId))
		}
	}
	for _, s := range e.SsoServices {
		if cv.nodes[s.NodeId] {
			add("Remove SSO provisioning before conversion from node %s", path(s.NodeId))
		}
	}
	for _, p := range e.EmailProvisions {
		if cv.nodes[p.NodeId] {
			add("Remove email provisioning before conversion from node %s", path(p.NodeId))
		}
	}
	for _, mc := range e.SortedManagedCompanies() {
		if cv.nodes[mc.MspNodeId] {
			add("Remove managed company %s before conversion from node %s", mc.McEnterpriseName, path(mc.MspNodeId))
		}
	}
	var queued []*enterprise.QueuedTeam
	for _, q := range e.QueuedTeams {
		if cv.nodes[q.NodeId] {
			queued = append(queued, q)
		}
	}
	sort.Slice(queued, func(i, j int) bool { return queued[i].Name < queued[j].Name })
	for _, q := range queued {
		add("Remove queued team %s before conversion from node %s", q.Name, path(q.NodeId))
	}
	for _, id := range cv.Users {
		if u := e.Users[id]; strings.EqualFold(u.Status, "invited") {
			add("Pending user %s must be removed", u.Username)
		}
	}
	userName := func(id int64) string {
		if u, ok := e.Users[id]; ok && u.Username != "" {
			return u.Username
		}
		return fmt.Sprint(id)
	}
	roleName := func(id int64) string {
		if r, ok := e.Roles[id]; ok && r.Name != "" {
			return r.Name
		}
		return fmt.Sprint(id)
	}
	teamName := func(uid string) string {
		if t, ok := e.Teams[uid]; ok && t.Name != "" {
			return t.Name
		}
		return uid
	}
	for _, ru := range e.RoleUsers {
		if cv.roles[ru.RoleId] != cv.users[ru.EnterpriseUserId] {
			add("Conflicting role membership: User: %s, Role: %s", userName(ru.EnterpriseUserId), roleName(ru.RoleId))
		}
	}
	for _, rt := range e.RoleTeams {
		uid := crypto.Base64URLEncode(rt.TeamUid)
		if cv.roles[rt.RoleId] != cv.teams[uid] {
			add("Conflicting role membership: Team: %s, Role: %s", teamName(uid), roleName(rt.RoleId))
		}
	}
	for _, tu := range e.TeamUsers {
		uid := crypto.Base64URLEncode(tu.TeamUid)
		if cv.teams[uid] != cv.users[tu.EnterpriseUserId] {
			add("Conflicting team membership: User: %s, Team: %s", userName(tu.EnterpriseUserId), teamName(uid))
		}
	}
	for _, mn := range e.ManagedNodes {
		if cv.roles[mn.RoleId] != cv.nodes[mn.ManagedNodeId] {
			add("Conflicting admin role management: Node: %s, Role: %s", path(mn.ManagedNodeId), roleName(mn.RoleId))
		}
	}
}

// Moves reports whether the conversion moves the user.
func (cv *Conversion) Moves(userID int64) bool { return cv.users[userID] }

// UserDataKeys fetches the data keys of the users on the conversion's
// nodes, encrypted for the MSP (enterprise/get_enterprise_user_data_key_by_node,
// MSP context), and keeps those of moved users.
func (cv *Conversion) UserDataKeys(ctx context.Context, c RESTCaller) ([]*pb.EnterpriseUserDataKeyLight, error) {
	var rs pb.EnterpriseUserDataKeysByNodeResponse
	if err := c.Call(ctx, "enterprise/get_enterprise_user_data_key_by_node", &authpb.UserDataKeyByNodeRequest{NodeIds: cv.Nodes}, &rs); err != nil {
		return nil, fmt.Errorf("user data keys: %w", err)
	}
	var out []*pb.EnterpriseUserDataKeyLight
	seen := map[int64]bool{}
	for _, n := range rs.Keys {
		for _, k := range n.Keys {
			if cv.users[k.EnterpriseUserId] && !seen[k.EnterpriseUserId] {
				seen[k.EnterpriseUserId] = true
				out = append(out, k)
			}
		}
	}
	return out, nil
}

// RoleKeys fetches the role keys of roles (get_enterprise_data_keys with
// role ids) and decrypts those the server re-encrypted for the enterprise
// (AES-GCM under the tree key), by role id.
func RoleKeys(ctx context.Context, c RESTCaller, treeKey []byte, roles []int64) (map[int64][]byte, error) {
	out := map[int64][]byte{}
	if len(roles) == 0 {
		return out, nil
	}
	var rs pb.GetEnterpriseDataKeysResponse
	if err := c.Call(ctx, "enterprise/get_enterprise_data_keys", &pb.GetEnterpriseDataKeysRequest{RoleId: roles}, &rs); err != nil {
		return nil, fmt.Errorf("role keys: %w", err)
	}
	for _, rk := range rs.ReEncryptedRoleKey {
		key, err := crypto.DecryptAESv2(rk.EncryptedRoleKey, treeKey)
		if err != nil {
			return nil, fmt.Errorf("role keys: the key of role %d does not decrypt with the tree key", rk.RoleId)
		}
		out[rk.RoleId] = key
	}
	return out, nil
}

// EnterpriseECPublicKey returns the EC public key of the enterprise of the
// caller's context (get_enterprise_data_keys). An enterprise without one
// gets a new P-256 pair, its private half AES-GCM under the tree key,
// through enterprise/set_enterprise_key_pair, as Commander's enterprise
// loader does when it first logs in to a managed company.
func EnterpriseECPublicKey(ctx context.Context, c RESTCaller, treeKey []byte) (*ecdh.PublicKey, error) {
	var rs pb.GetEnterpriseDataKeysResponse
	if err := c.Call(ctx, "enterprise/get_enterprise_data_keys", &pb.GetEnterpriseDataKeysRequest{}, &rs); err != nil {
		return nil, fmt.Errorf("enterprise keys: %w", err)
	}
	if k := rs.GetEnterpriseKeys(); k != nil && len(k.EccPublicKey) > 0 {
		pub, err := crypto.LoadECPublicKey(k.EccPublicKey)
		if err != nil {
			return nil, fmt.Errorf("enterprise keys: the EC public key is malformed")
		}
		return pub, nil
	}
	priv, err := crypto.GenerateECKey()
	if err != nil {
		return nil, err
	}
	enc, err := crypto.EncryptAESv2(crypto.ECPrivateKeyBytes(priv), treeKey)
	if err != nil {
		return nil, err
	}
	rq := &pb.EnterpriseKeyPairRequest{EnterprisePublicKey: crypto.ECPublicKeyBytes(priv.PublicKey()),
		EncryptedEnterprisePrivateKey: enc, KeyType: pb.KeyType_ECC}
	if err := c.Call(ctx, "enterprise/set_enterprise_key_pair", rq, nil); err != nil {
		return nil, fmt.Errorf("enterprise key pair: %w", err)
	}
	return priv.PublicKey(), nil
}

// NeedsECKeys reports whether any of keys must be re-encrypted with EC keys
// (key type 4, the only kind Commander moves).
func NeedsECKeys(keys []*pb.EnterpriseUserDataKeyLight) bool {
	for _, k := range keys {
		if k.KeyTypeId == 4 {
			return true
		}
	}
	return false
}

// Target is the managed company a conversion moves into.
type Target struct {
	CompanyID int32
	TreeKey   []byte
	// ECPublicKey is the company's enterprise EC key; needed only when
	// user data keys of type 4 move.
	ECPublicKey *ecdh.PublicKey
}

// Request builds enterprise/node_to_managed_company: the display names of
// the moved nodes, roles and users encrypted (AES-CBC) under the company's
// tree key (users without a key keep the plain name); the role key of each
// moved admin role, by its own role id, and each moved team's key
// re-encrypted from the MSP tree key to the company's (AES-GCM), or
// force for a team without a key; the moved users' data keys of type 4
// decrypted with the MSP enterprise EC key and encrypted to the company's.
// Commander sends the first role key it has for every admin role; this
// picks each role's own and skips roles without one.
func (cv *Conversion) Request(e *enterprise.Enterprise, to Target, roleKeys map[int64][]byte, dataKeys []*pb.EnterpriseUserDataKeyLight) (*pb.NodeToManagedCompanyRequest, error) {
	rq := &pb.NodeToManagedCompanyRequest{CompanyId: to.CompanyID}
	for _, id := range cv.Nodes {
		data, err := enterprise.EncryptData(to.TreeKey, e.Nodes[id].Name)
		if err != nil {
			return nil, err
		}
		rq.Nodes = append(rq.Nodes, &pb.ReEncryptedData{Id: id, Data: data})
	}
	for _, id := range cv.Roles {
		data, err := enterprise.EncryptData(to.TreeKey, e.Roles[id].Name)
		if err != nil {
			return nil, err
		}
		rq.Roles = append(rq.Roles, &pb.ReEncryptedData{Id: id, Data: data})
	}
	for _, id := range cv.Users {
		u := e.Users[id]
		data := u.Name
		if !strings.EqualFold(u.KeyType, "no_key") {
			var err error
			if data, err = enterprise.EncryptData(to.TreeKey, u.Name); err != nil {
				return nil, err
			}
		}
		rq.Users = append(rq.Users, &pb.ReEncryptedData{Id: id, Data: data})
	}
	for _, id := range cv.AdminRoles {
		key, ok := roleKeys[id]
		if !ok {
			continue
		}
		enc, err := crypto.EncryptAESv2(key, to.TreeKey)
		if err != nil {
			return nil, err
		}
		rq.RoleKeys = append(rq.RoleKeys, &pb.ReEncryptedRoleKey{RoleId: id, EncryptedRoleKey: enc})
	}
	for _, uid := range cv.Teams {
		t := e.Teams[uid]
		tk := &pb.EncryptedTeamKeyRequest{TeamUid: t.TeamUid}
		if t.EncryptedTeamKey == "" {
			tk.Force = true
		} else {
			enc, err := crypto.Base64URLDecode(t.EncryptedTeamKey)
			if err != nil {
				return nil, fmt.Errorf("team %q: the team key is not base64url", t.Name)
			}
			key, err := crypto.DecryptAESv2(enc, e.TreeKey)
			if err != nil {
				return nil, fmt.Errorf("team %q: the team key does not decrypt with the MSP tree key", t.Name)
			}
			if tk.EncryptedTeamKey, err = crypto.EncryptAESv2(key, to.TreeKey); err != nil {
				return nil, err
			}
		}
		rq.TeamKeys = append(rq.TeamKeys, tk)
	}
	for _, k := range dataKeys {
		if k.KeyTypeId != 4 || !cv.users[k.EnterpriseUserId] {
			continue
		}
		if e.ECKey == nil || to.ECPublicKey == nil {
			return nil, errors.New("user data keys need the MSP enterprise EC key and the managed company's EC public key")
		}
		plain, err := crypto.DecryptEC(k.UserEncryptedDataKey, e.ECKey)
		if err != nil {
			return nil, fmt.Errorf("the data key of user %d does not decrypt with the MSP enterprise EC key", k.EnterpriseUserId)
		}
		enc, err := crypto.EncryptEC(plain, to.ECPublicKey)
		if err != nil {
			return nil, err
		}
		rq.UsersDataKeys = append(rq.UsersDataKeys, &pb.ReEncryptedUserDataKey{EnterpriseUserId: k.EnterpriseUserId, UserEncryptedDataKey: enc})
	}
	return rq, nil
}

// ConvertNode sends rq (enterprise/node_to_managed_company, MSP context).
func ConvertNode(ctx context.Context, c RESTCaller, rq *pb.NodeToManagedCompanyRequest) error {
	if err := c.Call(ctx, "enterprise/node_to_managed_company", rq, nil); err != nil {
		return fmt.Errorf("node to managed company: %w", err)
	}
	return nil
}
