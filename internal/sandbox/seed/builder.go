package seed

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// builder writes the entities of one enterprise inside a transaction, with
// display names encrypted under the enterprise tree key the way a client
// encrypts them (AES-CBC, key type encrypted_by_data_key). Entities go
// through w, shared by every builder of the transaction: they reach the
// database when w flushes (flush before reading them back).
type builder struct {
	ctx     context.Context
	tx      *sql.Tx
	w       *store.EntityWriter
	eid     int32
	rev     int64
	treeKey []byte
	// keys, when set, are handed out in turn as the public keys of the
	// active users the builder writes (the demo tenant; bulk users get none).
	keys *[]store.PublicKeys
}

func newBuilder(ctx context.Context, tx *sql.Tx, w *store.EntityWriter, eid int32, treeKey []byte) (*builder, error) {
	rev, err := store.BumpRev(ctx, tx, eid)
	if err != nil {
		return nil, err
	}
	return &builder{ctx: ctx, tx: tx, w: w, eid: eid, rev: rev, treeKey: treeKey}, nil
}

// id returns the entity id (enterprise_id << 32) + n.
func (b *builder) id(n int64) int64 { return int64(b.eid)<<32 + n }

func (b *builder) put(kind enterprisepb.EnterpriseDataEntity, ident, name string, m proto.Message) error {
	data, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	return b.w.Put(b.eid, b.rev, store.Entity{Kind: int32(kind), Ident: ident, Name: name, Data: data})
}

// EncryptDisplayName returns b64url(AES-CBC(tree key, {"displayname": name})),
// the encryptedData Commander writes for nodes, users and roles.
func EncryptDisplayName(treeKey []byte, name string) (string, error) {
	// What json.Marshal makes of map[string]string{"displayname": name},
	// without the map.
	quoted, err := json.Marshal(name)
	if err != nil {
		return "", err
	}
	plain := make([]byte, 0, len(`{"displayname":}`)+len(quoted))
	plain = append(append(append(plain, `{"displayname":`...), quoted...), '}')
	enc, err := crypto.EncryptAESv1(plain, treeKey)
	if err != nil {
		return "", err
	}
	return crypto.Base64URLEncode(enc), nil
}

func (b *builder) node(n, parent int64, name string) (int64, error) {
	enc, err := EncryptDisplayName(b.treeKey, name)
	if err != nil {
		return 0, err
	}
	id := b.id(n)
	var pid int64
	if parent != 0 {
		pid = b.id(parent)
	}
	return id, b.put(enterprisepb.EnterpriseDataEntity_NODES, fmt.Sprint(id), strings.ToLower(name),
		&enterprisepb.Node{NodeId: id, ParentId: pid, EncryptedData: enc})
}

func (b *builder) role(n, node int64, name string, newUser bool, roleType string) (int64, error) {
	enc, err := EncryptDisplayName(b.treeKey, name)
	if err != nil {
		return 0, err
	}
	id := b.id(n)
	return id, b.put(enterprisepb.EnterpriseDataEntity_ROLES, fmt.Sprint(id), strings.ToLower(name),
		&enterprisepb.Role{RoleId: id, NodeId: b.id(node), EncryptedData: enc, KeyType: "encrypted_by_data_key",
			NewUserInherit: newUser, RoleType: roleType})
}

type userSpec struct {
	n        int64
	node     int64
	email    string
	name     string
	status   string // active | invited
	lock     int32
	jobTitle string
	tfa      bool // two-factor authentication on (active users)
}

func (b *builder) user(u userSpec) (int64, error) {
	e, err := b.userEntity(u)
	if err != nil {
		return 0, err
	}
	id := b.id(u.n)
	if u.status == "active" && b.keys != nil && len(*b.keys) > 0 {
		if err := store.PutPublicKeys(b.ctx, b.tx, b.eid, id, (*b.keys)[0]); err != nil {
			return 0, err
		}
		*b.keys = (*b.keys)[1:]
	}
	return id, b.w.Put(b.eid, b.rev, e)
}

// userEntity builds a user's entity; it touches no database (Bulk runs it
// off the writing goroutine).
func (b *builder) userEntity(u userSpec) (store.Entity, error) {
	enc, err := EncryptDisplayName(b.treeKey, u.name)
	if err != nil {
		return store.Entity{}, err
	}
	id := b.id(u.n)
	m := &enterprisepb.User{EnterpriseUserId: id, NodeId: b.id(u.node), EncryptedData: enc, KeyType: "encrypted_by_data_key",
		Username: u.email, Status: u.status, Lock: u.lock, JobTitle: u.jobTitle,
		TransferAcceptanceStatus: enterprisepb.TransferAcceptanceStatus_NOT_REQUIRED}
	if u.status == "active" {
		m.UserId = int32(u.n)
		m.FullName = u.name
		m.TfaEnabled = u.tfa
	}
	data, err := proto.Marshal(m)
	if err != nil {
		return store.Entity{}, err
	}
	return store.Entity{Kind: int32(enterprisepb.EnterpriseDataEntity_USERS), Ident: strconv.FormatInt(id, 10),
		Name: strings.ToLower(u.email), Data: data}, nil
}

func (b *builder) team(uid []byte, node int64, name string, edit, share, view bool) error {
	teamKey := crypto.GenerateAESKey()
	encKey, err := crypto.EncryptAESv2(teamKey, b.treeKey)
	if err != nil {
		return err
	}
	return b.put(enterprisepb.EnterpriseDataEntity_TEAMS, crypto.Base64URLEncode(uid), strings.ToLower(name),
		&enterprisepb.Team{TeamUid: uid, Name: name, NodeId: b.id(node), RestrictEdit: edit, RestrictShare: share,
			RestrictView: view, EncryptedTeamKey: crypto.Base64URLEncode(encKey)})
}

func (b *builder) teamUser(uid []byte, user int64, userType string) error {
	return b.put(enterprisepb.EnterpriseDataEntity_TEAM_USERS, fmt.Sprintf("%s:%d", crypto.Base64URLEncode(uid), user), "",
		&enterprisepb.TeamUser{TeamUid: uid, EnterpriseUserId: user, UserType: userType})
}

func (b *builder) roleUser(role, user int64) error {
	return b.put(enterprisepb.EnterpriseDataEntity_ROLE_USERS, fmt.Sprintf("%d:%d", role, user), "",
		&enterprisepb.RoleUser{RoleId: role, EnterpriseUserId: user})
}

func (b *builder) roleTeam(role int64, uid []byte) error {
	return b.put(enterprisepb.EnterpriseDataEntity_ROLE_TEAMS, fmt.Sprintf("%d:%s", role, crypto.Base64URLEncode(uid)), "",
		&enterprisepb.RoleTeam{RoleId: role, TeamUid: uid})
}

func (b *builder) managedNode(role, node int64, cascade bool, privileges ...string) error {
	if err := b.put(enterprisepb.EnterpriseDataEntity_MANAGED_NODES, fmt.Sprintf("%d:%d", role, node), "",
		&enterprisepb.ManagedNode{RoleId: role, ManagedNodeId: node, CascadeNodeManagement: cascade}); err != nil {
		return err
	}
	for _, p := range privileges {
		if err := b.put(enterprisepb.EnterpriseDataEntity_ROLE_PRIVILEGES, fmt.Sprintf("%d:%d:%s", role, node, p), "",
			&enterprisepb.RolePrivilege{RoleId: role, ManagedNodeId: node, PrivilegeType: p}); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) enforcement(role int64, key, value string) error {
	return b.put(enterprisepb.EnterpriseDataEntity_ROLE_ENFORCEMENTS, fmt.Sprintf("%d:%s", role, key), "",
		&enterprisepb.RoleEnforcement{RoleId: role, EnforcementType: key, Value: value})
}

func (b *builder) alias(user int64, username string) error {
	return b.put(enterprisepb.EnterpriseDataEntity_USER_ALIASES, username, strings.ToLower(username),
		&enterprisepb.UserAlias{EnterpriseUserId: user, Username: username})
}

func (b *builder) license(l *enterprisepb.License) error {
	return b.put(enterprisepb.EnterpriseDataEntity_LICENSES, fmt.Sprint(l.EnterpriseLicenseId), "", l)
}

func (b *builder) managedCompany(mc *enterprisepb.ManagedCompany) error {
	return b.put(enterprisepb.EnterpriseDataEntity_MANAGED_COMPANIES, fmt.Sprint(mc.McEnterpriseId),
		strings.ToLower(mc.McEnterpriseName), mc)
}

// adminPrivileges are granted to the administrator role on the root node.
var adminPrivileges = []string{"MANAGE_NODES", "MANAGE_USER", "MANAGE_ROLES", "MANAGE_TEAMS", "MANAGE_LICENCES",
	"RUN_REPORTS", "MANAGE_BRIDGE", "MANAGE_COMPANIES", "TRANSFER_ACCOUNT", "SHARING_ADMINISTRATOR"}
