package enterprise

import (
	"context"
	"crypto/ecdh"
	"crypto/rsa"
	"encoding/json"
	"runtime"
	"strings"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// Node is an enterprise node with its decrypted display name.
type Node struct {
	*pb.Node
	Name string // display name; the enterprise name for the root
	Seq  int    // position in server order (see Raw.Seq)
}

// User is an enterprise user with its decrypted display name.
type User struct {
	*pb.User
	Name string
	Seq  int // position in server order
}

// Role is an enterprise role with its decrypted display name.
type Role struct {
	*pb.Role
	Name string
	Seq  int // position in server order
}

// Team is an enterprise team (names are plaintext).
type Team struct {
	*pb.Team
	UID string // b64url team uid
	Seq int    // position in server order
}

// QueuedTeam is a team that exists only as a request until an admin
// approves it (Commander keepercommander/enterprise.py _EnterpriseQueuedTeamEntity).
type QueuedTeam struct {
	*pb.QueuedTeam
	UID string // b64url team uid
	Seq int    // position in server order
}

// Enterprise is the decoded enterprise model. Link slices, and the Seq of
// the entities in the maps, follow the server's first-arrival order, as
// Commander's lists do.
//
// A model from a Loader is decoded lazily, per part (Parts): Load decodes
// the parts its context asks for (WithParts; all of them by default) and
// Ensure decodes more on demand, filling the fields in place. The lookup
// methods (Node, User, Root, IsMSP ...) ensure the parts they read
// themselves; code reading the fields directly must have asked for them. A
// model built by hand (tests) has no source and Ensure does nothing. The
// model is not safe for concurrent use.
type Enterprise struct {
	ID          int32
	Name        string
	Distributor bool
	TreeKey     []byte
	RSAKey      *rsa.PrivateKey // enterprise RSA private key, if any
	ECKey       *ecdh.PrivateKey
	// RSAPublicKey (DER) and ECPublicKey (65-byte point) are the enterprise
	// public keys from get_enterprise_data_keys (enterpriseKeys); nil in a
	// managed company, whose tree key comes from the MSP login.
	RSAPublicKey []byte
	ECPublicKey  []byte

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
	// RoleEnforcementTypes lists each role's enforcement types in server
	// order (Commander keeps them in a dict).
	RoleEnforcementTypes map[int64][]string
	UserAliases          []*pb.UserAlias
	Licenses             []*pb.License
	// ManagedCompanies is nil when the server never sent the kind (Commander
	// then says "No Managed Companies"), empty when all were removed.
	ManagedCompanies map[int32]*pb.ManagedCompany
	QueuedTeams      map[string]*QueuedTeam
	// QueuedTeamUsers holds one entry per team (queued or not) with the ids
	// of users waiting to join it.
	QueuedTeamUsers []*pb.QueuedTeamUser
	// Provisioning, by node: email domains, bridges, SCIM and SSO services.
	EmailProvisions []*pb.EmailProvision
	Bridges         []*pb.Bridge
	Scims           []*pb.Scim
	SsoServices     []*pb.SsoService

	raw  *Raw  // nil for a model built by hand
	have Parts // parts decoded from raw
	// userCounts caches UserCounts read from raw while PartUsers is not
	// decoded.
	userCounts map[int64]int
}

// Parts names pieces of the model a command can ask for: the entity kinds,
// and the decrypted display names of users (one decryption per user, the
// most expensive part of a big tenant).
type Parts uint32

// The parts of the model, one per entity kind plus user display names.
const (
	PartNodes            Parts = 1 << iota // Nodes, with their names
	PartRoles                              // Roles, with their names
	PartUsers                              // Users; User.Name stays "" without PartUserNames
	PartUserNames                          // User.Name (implies PartUsers)
	PartTeams                              // Teams
	PartTeamUsers                          // TeamUsers
	PartRoleUsers                          // RoleUsers
	PartRolePrivileges                     // RolePrivileges
	PartRoleEnforcements                   // RoleEnforcements, RoleEnforcementTypes
	PartRoleTeams                          // RoleTeams
	PartLicenses                           // Licenses
	PartManagedNodes                       // ManagedNodes
	PartManagedCompanies                   // ManagedCompanies
	PartQueuedTeams                        // QueuedTeams
	PartQueuedTeamUsers                    // QueuedTeamUsers
	PartUserAliases                        // UserAliases
	PartEmailProvisions                    // EmailProvisions
	PartBridges                            // Bridges
	PartScims                              // Scims
	PartSsoServices                        // SsoServices

	// PartAll is the whole model.
	PartAll Parts = 1<<iota - 1
)

type partsKey struct{}

// WithParts returns a context asking enterprise loads made with it to
// decode only parts p (0: none beyond what lookups ensure themselves).
func WithParts(ctx context.Context, p Parts) context.Context {
	return context.WithValue(ctx, partsKey{}, p)
}

// PartsOf returns the parts a context asks for: PartAll unless WithParts
// narrowed them.
func PartsOf(ctx context.Context) Parts {
	if p, ok := ctx.Value(partsKey{}).(Parts); ok {
		return p
	}
	return PartAll
}

// parallelMin is the size from which a kind is decoded on every CPU.
const parallelMin = 4096

// decodeAll decodes every entity of a kind in arrival order (Raw.Seq);
// entities without a number come last, by identity. Big kinds are
// unmarshalled in parallel; f still sees them one by one, in order.
func decodeAll[T proto.Message](r *Raw, kind pb.EnterpriseDataEntity, mk func() T, f func(T)) {
	l := r.list(int32(kind))
	if l == nil {
		return
	}
	msgs := make([]T, len(l.data))
	ok := make([]bool, len(l.data))
	parallel(len(l.data), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			msgs[i] = mk()
			ok[i] = proto.Unmarshal(l.data[i], msgs[i]) == nil
		}
	})
	for i, m := range msgs {
		if ok[i] {
			f(m)
		}
	}
}

// parallel runs f over [0, n) in one chunk per CPU when n is big enough.
func parallel(n int, f func(lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	if n < parallelMin || workers < 2 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(lo, hi)
		}()
	}
	wg.Wait()
}

// newModel returns the model of r with nothing decoded yet.
func newModel(r *Raw, treeKey []byte, rsaKey *rsa.PrivateKey, ecKey *ecdh.PrivateKey) *Enterprise {
	return &Enterprise{Name: r.Name, Distributor: r.Distributor, TreeKey: treeKey, RSAKey: rsaKey, ECKey: ecKey,
		Nodes: map[int64]*Node{}, Users: map[int64]*User{}, Roles: map[int64]*Role{}, Teams: map[string]*Team{},
		RoleEnforcements: map[int64]map[string]string{}, RoleEnforcementTypes: map[int64][]string{},
		QueuedTeams: map[string]*QueuedTeam{}, raw: r}
}

// build decodes raw entities into the whole model, decrypting display names.
func build(r *Raw, treeKey []byte, rsaKey *rsa.PrivateKey, ecKey *ecdh.PrivateKey) *Enterprise {
	e := newModel(r, treeKey, rsaKey, ecKey)
	e.Ensure(PartAll)
	return e
}

// Ensure decodes the parts of p not decoded yet. The model's source is the
// loader's data as of the last load: ensuring a part of a model replaced
// by a newer load decodes the newer data.
func (e *Enterprise) Ensure(p Parts) {
	if e.raw == nil {
		return
	}
	if p&PartUserNames != 0 {
		p |= PartUsers
	}
	p &^= e.have
	for bit := Parts(1); bit != 0 && bit <= p; bit <<= 1 {
		if p&bit != 0 {
			e.decode(bit)
			e.have |= bit
		}
	}
}

// Has reports whether the parts of p are decoded (always true for a model
// built by hand).
func (e *Enterprise) Has(p Parts) bool {
	if p&PartUserNames != 0 {
		p |= PartUsers
	}
	return e.raw == nil || p&^e.have == 0
}

// decode fills one part from the raw data.
func (e *Enterprise) decode(part Parts) {
	r := e.raw
	switch part {
	case PartNodes:
		decodeAll(r, pb.EnterpriseDataEntity_NODES, func() *pb.Node { return &pb.Node{} }, func(m *pb.Node) {
			n := &Node{Node: m, Name: e.nodeName(m.EncryptedData), Seq: len(e.Nodes)}
			if m.ParentId == 0 {
				n.Name = e.Name
			}
			e.Nodes[m.NodeId] = n
		})
	case PartUsers:
		decodeAll(r, pb.EnterpriseDataEntity_USERS, func() *pb.User { return &pb.User{} }, func(m *pb.User) {
			e.Users[m.EnterpriseUserId] = &User{User: m, Seq: len(e.Users)}
		})
	case PartUserNames:
		users := make([]*User, 0, len(e.Users))
		for _, u := range e.Users {
			users = append(users, u)
		}
		parallel(len(users), func(lo, hi int) {
			for _, u := range users[lo:hi] {
				name := e.displayName(u.EncryptedData, u.KeyType)
				if name == "" && u.EncryptedData == "" {
					name = u.FullName
				}
				u.Name = name
			}
		})
	case PartRoles:
		decodeAll(r, pb.EnterpriseDataEntity_ROLES, func() *pb.Role { return &pb.Role{} }, func(m *pb.Role) {
			name := e.displayName(m.EncryptedData, m.KeyType)
			if m.RoleType == "pool_manager" {
				name = "MSP Subscription Manager"
			}
			e.Roles[m.RoleId] = &Role{Role: m, Name: name, Seq: len(e.Roles)}
		})
	case PartTeams:
		decodeAll(r, pb.EnterpriseDataEntity_TEAMS, func() *pb.Team { return &pb.Team{} }, func(m *pb.Team) {
			uid := crypto.Base64URLEncode(m.TeamUid)
			e.Teams[uid] = &Team{Team: m, UID: uid, Seq: len(e.Teams)}
		})
	case PartTeamUsers:
		decodeAll(r, pb.EnterpriseDataEntity_TEAM_USERS, func() *pb.TeamUser { return &pb.TeamUser{} }, func(m *pb.TeamUser) { e.TeamUsers = append(e.TeamUsers, m) })
	case PartRoleUsers:
		decodeAll(r, pb.EnterpriseDataEntity_ROLE_USERS, func() *pb.RoleUser { return &pb.RoleUser{} }, func(m *pb.RoleUser) { e.RoleUsers = append(e.RoleUsers, m) })
	case PartRoleTeams:
		decodeAll(r, pb.EnterpriseDataEntity_ROLE_TEAMS, func() *pb.RoleTeam { return &pb.RoleTeam{} }, func(m *pb.RoleTeam) { e.RoleTeams = append(e.RoleTeams, m) })
	case PartManagedNodes:
		decodeAll(r, pb.EnterpriseDataEntity_MANAGED_NODES, func() *pb.ManagedNode { return &pb.ManagedNode{} }, func(m *pb.ManagedNode) { e.ManagedNodes = append(e.ManagedNodes, m) })
	case PartRolePrivileges:
		decodeAll(r, pb.EnterpriseDataEntity_ROLE_PRIVILEGES, func() *pb.RolePrivilege { return &pb.RolePrivilege{} }, func(m *pb.RolePrivilege) { e.RolePrivileges = append(e.RolePrivileges, m) })
	case PartRoleEnforcements:
		decodeAll(r, pb.EnterpriseDataEntity_ROLE_ENFORCEMENTS, func() *pb.RoleEnforcement { return &pb.RoleEnforcement{} }, func(m *pb.RoleEnforcement) {
			if e.RoleEnforcements[m.RoleId] == nil {
				e.RoleEnforcements[m.RoleId] = map[string]string{}
			}
			e.RoleEnforcements[m.RoleId][m.EnforcementType] = m.Value
			e.RoleEnforcementTypes[m.RoleId] = append(e.RoleEnforcementTypes[m.RoleId], m.EnforcementType)
		})
	case PartUserAliases:
		decodeAll(r, pb.EnterpriseDataEntity_USER_ALIASES, func() *pb.UserAlias { return &pb.UserAlias{} }, func(m *pb.UserAlias) { e.UserAliases = append(e.UserAliases, m) })
	case PartLicenses:
		decodeAll(r, pb.EnterpriseDataEntity_LICENSES, func() *pb.License { return &pb.License{} }, func(m *pb.License) { e.Licenses = append(e.Licenses, m) })
	case PartManagedCompanies:
		if r.has(int32(pb.EnterpriseDataEntity_MANAGED_COMPANIES)) {
			e.ManagedCompanies = map[int32]*pb.ManagedCompany{}
			decodeAll(r, pb.EnterpriseDataEntity_MANAGED_COMPANIES, func() *pb.ManagedCompany { return &pb.ManagedCompany{} }, func(m *pb.ManagedCompany) { e.ManagedCompanies[m.McEnterpriseId] = m })
		}
	case PartQueuedTeams:
		decodeAll(r, pb.EnterpriseDataEntity_QUEUED_TEAMS, func() *pb.QueuedTeam { return &pb.QueuedTeam{} }, func(m *pb.QueuedTeam) {
			uid := crypto.Base64URLEncode(m.TeamUid)
			e.QueuedTeams[uid] = &QueuedTeam{QueuedTeam: m, UID: uid, Seq: len(e.QueuedTeams)}
		})
	case PartQueuedTeamUsers:
		decodeAll(r, pb.EnterpriseDataEntity_QUEUED_TEAM_USERS, func() *pb.QueuedTeamUser { return &pb.QueuedTeamUser{} }, func(m *pb.QueuedTeamUser) { e.QueuedTeamUsers = append(e.QueuedTeamUsers, m) })
	case PartEmailProvisions:
		decodeAll(r, pb.EnterpriseDataEntity_EMAIL_PROVISION, func() *pb.EmailProvision { return &pb.EmailProvision{} }, func(m *pb.EmailProvision) { e.EmailProvisions = append(e.EmailProvisions, m) })
	case PartBridges:
		decodeAll(r, pb.EnterpriseDataEntity_BRIDGES, func() *pb.Bridge { return &pb.Bridge{} }, func(m *pb.Bridge) { e.Bridges = append(e.Bridges, m) })
	case PartScims:
		decodeAll(r, pb.EnterpriseDataEntity_SCIMS, func() *pb.Scim { return &pb.Scim{} }, func(m *pb.Scim) { e.Scims = append(e.Scims, m) })
	case PartSsoServices:
		decodeAll(r, pb.EnterpriseDataEntity_SSO_SERVICES, func() *pb.SsoService { return &pb.SsoService{} }, func(m *pb.SsoService) { e.SsoServices = append(e.SsoServices, m) })
	}
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

// displayName decrypts user and role data by key type (Commander keepercommander/enterprise.py _EnterpriseUserEntity).
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

// QueuedUsers lists the users waiting to join a team (b64url uid): invited
// users added to it, who join once they accept.
func (e *Enterprise) QueuedUsers(uid string) []int64 {
	e.Ensure(PartQueuedTeamUsers)
	var out []int64
	for _, q := range e.QueuedTeamUsers {
		if crypto.Base64URLEncode(q.TeamUid) == uid {
			out = append(out, q.Users...)
		}
	}
	return out
}
