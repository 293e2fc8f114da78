package enterprise

import (
	"crypto/ecdh"
	"crypto/rsa"
	"encoding/json"
	"sort"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// Node is an enterprise node with its decrypted display name.
type Node struct {
	*pb.Node
	Name string // display name; the enterprise name for the root
}

// User is an enterprise user with its decrypted display name.
type User struct {
	*pb.User
	Name string
}

// Role is an enterprise role with its decrypted display name.
type Role struct {
	*pb.Role
	Name string
}

// Team is an enterprise team (names are plaintext).
type Team struct {
	*pb.Team
	UID string // b64url team uid
}

// Enterprise is the decoded enterprise model.
type Enterprise struct {
	ID          int32
	Name        string
	Distributor bool
	TreeKey     []byte
	RSAKey      *rsa.PrivateKey // enterprise RSA private key, if any
	ECKey       *ecdh.PrivateKey

	Nodes            map[int64]*Node
	Users            map[int64]*User
	Roles            map[int64]*Role
	Teams            map[string]*Team
	TeamUsers        []*pb.TeamUser
	RoleUsers        []*pb.RoleUser
	RoleTeams        []*pb.RoleTeam
	ManagedNodes     []*pb.ManagedNode
	RolePrivileges   []*pb.RolePrivilege
	RoleEnforcements map[int64]map[string]string
	UserAliases      []*pb.UserAlias
	Licenses         []*pb.License
	// ManagedCompanies is nil when the server never sent the kind (Commander
	// then says "No Managed Companies"), empty when all were removed.
	ManagedCompanies map[int32]*pb.ManagedCompany
	QueuedTeams      map[string]*pb.QueuedTeam
	// QueuedTeamUsers maps a b64url team uid to the users queued for it
	// (invited users added to a team; they join once they accept).
	QueuedTeamUsers map[string][]int64
}

func decodeAll[T proto.Message](raw map[string][]byte, mk func() T, f func(T)) {
	ids := make([]string, 0, len(raw))
	for id := range raw {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		m := mk()
		if proto.Unmarshal(raw[id], m) == nil {
			f(m)
		}
	}
}

// build decodes raw entities into the model, decrypting display names.
func build(r *Raw, treeKey []byte, rsaKey *rsa.PrivateKey, ecKey *ecdh.PrivateKey) *Enterprise {
	e := &Enterprise{Name: r.Name, Distributor: r.Distributor, TreeKey: treeKey, RSAKey: rsaKey, ECKey: ecKey,
		Nodes: map[int64]*Node{}, Users: map[int64]*User{}, Roles: map[int64]*Role{}, Teams: map[string]*Team{},
		RoleEnforcements: map[int64]map[string]string{}, QueuedTeams: map[string]*pb.QueuedTeam{},
		QueuedTeamUsers: map[string][]int64{}}
	k := func(kind pb.EnterpriseDataEntity) map[string][]byte { return r.Entities[int32(kind)] }
	decodeAll(k(pb.EnterpriseDataEntity_NODES), func() *pb.Node { return &pb.Node{} }, func(m *pb.Node) {
		n := &Node{Node: m, Name: e.nodeName(m.EncryptedData)}
		if m.ParentId == 0 {
			n.Name = e.Name
		}
		e.Nodes[m.NodeId] = n
	})
	decodeAll(k(pb.EnterpriseDataEntity_USERS), func() *pb.User { return &pb.User{} }, func(m *pb.User) {
		name := e.displayName(m.EncryptedData, m.KeyType)
		if name == "" && m.EncryptedData == "" {
			name = m.FullName
		}
		e.Users[m.EnterpriseUserId] = &User{User: m, Name: name}
	})
	decodeAll(k(pb.EnterpriseDataEntity_ROLES), func() *pb.Role { return &pb.Role{} }, func(m *pb.Role) {
		name := e.displayName(m.EncryptedData, m.KeyType)
		if m.RoleType == "pool_manager" {
			name = "MSP Subscription Manager"
		}
		e.Roles[m.RoleId] = &Role{Role: m, Name: name}
	})
	decodeAll(k(pb.EnterpriseDataEntity_TEAMS), func() *pb.Team { return &pb.Team{} }, func(m *pb.Team) {
		uid := crypto.Base64URLEncode(m.TeamUid)
		e.Teams[uid] = &Team{Team: m, UID: uid}
	})
	decodeAll(k(pb.EnterpriseDataEntity_TEAM_USERS), func() *pb.TeamUser { return &pb.TeamUser{} }, func(m *pb.TeamUser) { e.TeamUsers = append(e.TeamUsers, m) })
	decodeAll(k(pb.EnterpriseDataEntity_ROLE_USERS), func() *pb.RoleUser { return &pb.RoleUser{} }, func(m *pb.RoleUser) { e.RoleUsers = append(e.RoleUsers, m) })
	decodeAll(k(pb.EnterpriseDataEntity_ROLE_TEAMS), func() *pb.RoleTeam { return &pb.RoleTeam{} }, func(m *pb.RoleTeam) { e.RoleTeams = append(e.RoleTeams, m) })
	decodeAll(k(pb.EnterpriseDataEntity_MANAGED_NODES), func() *pb.ManagedNode { return &pb.ManagedNode{} }, func(m *pb.ManagedNode) { e.ManagedNodes = append(e.ManagedNodes, m) })
	decodeAll(k(pb.EnterpriseDataEntity_ROLE_PRIVILEGES), func() *pb.RolePrivilege { return &pb.RolePrivilege{} }, func(m *pb.RolePrivilege) { e.RolePrivileges = append(e.RolePrivileges, m) })
	decodeAll(k(pb.EnterpriseDataEntity_ROLE_ENFORCEMENTS), func() *pb.RoleEnforcement { return &pb.RoleEnforcement{} }, func(m *pb.RoleEnforcement) {
		if e.RoleEnforcements[m.RoleId] == nil {
			e.RoleEnforcements[m.RoleId] = map[string]string{}
		}
		e.RoleEnforcements[m.RoleId][m.EnforcementType] = m.Value
	})
	decodeAll(k(pb.EnterpriseDataEntity_USER_ALIASES), func() *pb.UserAlias { return &pb.UserAlias{} }, func(m *pb.UserAlias) { e.UserAliases = append(e.UserAliases, m) })
	decodeAll(k(pb.EnterpriseDataEntity_LICENSES), func() *pb.License { return &pb.License{} }, func(m *pb.License) { e.Licenses = append(e.Licenses, m) })
	if mcs, ok := r.Entities[int32(pb.EnterpriseDataEntity_MANAGED_COMPANIES)]; ok {
		e.ManagedCompanies = map[int32]*pb.ManagedCompany{}
		decodeAll(mcs, func() *pb.ManagedCompany { return &pb.ManagedCompany{} }, func(m *pb.ManagedCompany) { e.ManagedCompanies[m.McEnterpriseId] = m })
	}
	decodeAll(k(pb.EnterpriseDataEntity_QUEUED_TEAMS), func() *pb.QueuedTeam { return &pb.QueuedTeam{} }, func(m *pb.QueuedTeam) {
		e.QueuedTeams[crypto.Base64URLEncode(m.TeamUid)] = m
	})
	decodeAll(k(pb.EnterpriseDataEntity_QUEUED_TEAM_USERS), func() *pb.QueuedTeamUser { return &pb.QueuedTeamUser{} }, func(m *pb.QueuedTeamUser) {
		if len(m.Users) > 0 {
			uid := crypto.Base64URLEncode(m.TeamUid)
			e.QueuedTeamUsers[uid] = append(e.QueuedTeamUsers[uid], m.Users...)
		}
	})
	return e
}

// parseDisplayName reads {"displayname": ...} from decrypted JSON, ignoring
// anything after the last '}' as Commander does.
func parseDisplayName(plain []byte) string {
	s := string(plain)
	if i := strings.LastIndexByte(s, '}'); i >= 0 {
		s = s[:i+1]
	}
	var v struct {
		DisplayName string `json:"displayname"`
	}
	if json.Unmarshal([]byte(s), &v) != nil {
		return ""
	}
	return v.DisplayName
}

func (e *Enterprise) nodeName(enc string) string {
	b, err := crypto.Base64URLDecode(enc)
	if err != nil || len(b) == 0 {
		return ""
	}
	plain, err := crypto.DecryptAESv1(b, e.TreeKey)
	if err != nil {
		return ""
	}
	return parseDisplayName(plain)
}

// displayName decrypts user and role data by key type (brief 02 §1.8).
func (e *Enterprise) displayName(enc, keyType string) string {
	kt := strings.ToLower(keyType)
	if kt == "no_key" {
		return enc
	}
	b, err := crypto.Base64URLDecode(enc)
	if err != nil || len(b) == 0 {
		return ""
	}
	var plain []byte
	switch kt {
	case "encrypted_by_data_key":
		plain, err = crypto.DecryptAESv1(b, e.TreeKey)
	case "encrypted_by_data_key_gcm":
		plain, err = crypto.DecryptAESv2(b, e.TreeKey)
	case "encrypted_by_public_key":
		if e.RSAKey == nil {
			return ""
		}
		plain, err = crypto.DecryptRSA(b, e.RSAKey)
	case "encrypted_by_public_key_ecc":
		if e.ECKey == nil {
			return ""
		}
		plain, err = crypto.DecryptEC(b, e.ECKey)
	default:
		return ""
	}
	if err != nil {
		return ""
	}
	return parseDisplayName(plain)
}
