package enterprise

// Typed JSON commands for enterprise entities, with the field names of
// Commander's keepercommander/commands/enterprise.py and the .NET SDK's
// KeeperSecurity.Enterprise commands. Each is sent with rest.Client.Execute
// or in an `execute` batch (session.Manager.Execute); optional fields are
// omitted when empty, as Commander omits them.

// AllocateIDs is enterprise_allocate_ids: reserve entity ids.
type AllocateIDs struct {
	NumberRequested int `json:"number_requested"`
}

// CommandName implements rest.Command.
func (AllocateIDs) CommandName() string { return "enterprise_allocate_ids" }

// AllocatedIDs is the reply to AllocateIDs: ids BaseID .. BaseID+NumberAllocated-1.
type AllocatedIDs struct {
	BaseID          int64 `json:"base_id"`
	NumberAllocated int   `json:"number_allocated"`
}

// NodeAdd is node_add.
type NodeAdd struct {
	NodeID        int64  `json:"node_id"`
	ParentID      int64  `json:"parent_id"`
	EncryptedData string `json:"encrypted_data"`
}

// CommandName implements rest.Command.
func (NodeAdd) CommandName() string { return "node_add" }

// NodeUpdate is node_update (rename or move).
type NodeUpdate struct {
	NodeID        int64  `json:"node_id"`
	ParentID      int64  `json:"parent_id,omitempty"`
	EncryptedData string `json:"encrypted_data"`
}

// CommandName implements rest.Command.
func (NodeUpdate) CommandName() string { return "node_update" }

// NodeDelete is node_delete.
type NodeDelete struct {
	NodeID int64 `json:"node_id"`
}

// CommandName implements rest.Command.
func (NodeDelete) CommandName() string { return "node_delete" }

// RoleAdd is role_add.
type RoleAdd struct {
	RoleID         int64  `json:"role_id"`
	NodeID         int64  `json:"node_id"`
	EncryptedData  string `json:"encrypted_data"`
	VisibleBelow   bool   `json:"visible_below"`
	NewUserInherit bool   `json:"new_user_inherit"`
}

// CommandName implements rest.Command.
func (RoleAdd) CommandName() string { return "role_add" }

// RoleUpdate is role_update.
type RoleUpdate struct {
	RoleID         int64  `json:"role_id"`
	NodeID         int64  `json:"node_id"`
	EncryptedData  string `json:"encrypted_data"`
	VisibleBelow   *bool  `json:"visible_below,omitempty"`
	NewUserInherit *bool  `json:"new_user_inherit,omitempty"`
}

// CommandName implements rest.Command.
func (RoleUpdate) CommandName() string { return "role_update" }

// RoleDelete is role_delete.
type RoleDelete struct {
	RoleID int64 `json:"role_id"`
}

// CommandName implements rest.Command.
func (RoleDelete) CommandName() string { return "role_delete" }

// RoleUserAdd is role_user_add. Admin roles (roles that manage nodes) also
// carry the tree key, and the role key when known, encrypted to the user.
type RoleUserAdd struct {
	RoleID           int64  `json:"role_id"`
	EnterpriseUserID int64  `json:"enterprise_user_id"`
	TreeKey          string `json:"tree_key,omitempty"`
	TreeKeyType      string `json:"tree_key_type,omitempty"`
	RoleAdminKey     string `json:"role_admin_key,omitempty"`
	RoleAdminKeyType string `json:"role_admin_key_type,omitempty"`
}

// CommandName implements rest.Command.
func (RoleUserAdd) CommandName() string { return "role_user_add" }

// RoleUserRemove is role_user_remove.
type RoleUserRemove struct {
	RoleID           int64 `json:"role_id"`
	EnterpriseUserID int64 `json:"enterprise_user_id"`
}

// CommandName implements rest.Command.
func (RoleUserRemove) CommandName() string { return "role_user_remove" }

// RoleEnforcement is role_enforcement_add, _update or _remove (Op). A nil
// Value is a boolean enforcement switched on, sent without "value".
type RoleEnforcement struct {
	Op          string `json:"-"` // "add", "update" or "remove"
	RoleID      int64  `json:"role_id"`
	Enforcement string `json:"enforcement"`
	Value       any    `json:"value,omitempty"`
}

// CommandName implements rest.Command.
func (r RoleEnforcement) CommandName() string { return "role_enforcement_" + r.Op }

// ManagedNodeAdd is role_managed_node_add.
type ManagedNodeAdd struct {
	RoleID                int64     `json:"role_id"`
	ManagedNodeID         int64     `json:"managed_node_id"`
	CascadeNodeManagement bool      `json:"cascade_node_management"`
	TreeKeys              []TreeKey `json:"tree_keys"`
}

// CommandName implements rest.Command.
func (ManagedNodeAdd) CommandName() string { return "role_managed_node_add" }

// TreeKey is the tree key encrypted for one admin-role member.
type TreeKey struct {
	EnterpriseUserID int64  `json:"enterprise_user_id"`
	TreeKey          string `json:"tree_key"`
	TreeKeyType      string `json:"tree_key_type"`
}

// TeamAdd is team_add.
type TeamAdd struct {
	TeamUID          string `json:"team_uid"`
	TeamName         string `json:"team_name"`
	RestrictEdit     bool   `json:"restrict_edit"`
	RestrictShare    bool   `json:"restrict_share"`
	RestrictView     bool   `json:"restrict_view"`
	NodeID           int64  `json:"node_id"`
	TeamKey          string `json:"team_key"`
	EncryptedTeamKey string `json:"encrypted_team_key"`
	ManageOnly       bool   `json:"manage_only"`
	ECCPublicKey     string `json:"ecc_public_key,omitempty"`
	ECCPrivateKey    string `json:"ecc_private_key,omitempty"`
	PublicKey        string `json:"public_key,omitempty"`
	PrivateKey       string `json:"private_key,omitempty"`
}

// CommandName implements rest.Command.
func (TeamAdd) CommandName() string { return "team_add" }

// TeamUpdate is team_update.
type TeamUpdate struct {
	TeamUID       string `json:"team_uid"`
	TeamName      string `json:"team_name"`
	RestrictEdit  bool   `json:"restrict_edit"`
	RestrictShare bool   `json:"restrict_share"`
	RestrictView  bool   `json:"restrict_view"`
	NodeID        int64  `json:"node_id"`
}

// CommandName implements rest.Command.
func (TeamUpdate) CommandName() string { return "team_update" }

// TeamDelete is team_delete.
type TeamDelete struct {
	TeamUID string `json:"team_uid"`
}

// CommandName implements rest.Command.
func (TeamDelete) CommandName() string { return "team_delete" }

// TeamUserAdd is team_enterprise_user_add (active users): the team key
// encrypted to the user's public key.
type TeamUserAdd struct {
	TeamUID          string `json:"team_uid"`
	EnterpriseUserID int64  `json:"enterprise_user_id"`
	UserType         int    `json:"user_type"`
	TeamKey          string `json:"team_key"`
	TeamKeyType      string `json:"team_key_type"`
}

// CommandName implements rest.Command.
func (TeamUserAdd) CommandName() string { return "team_enterprise_user_add" }

// TeamUserRemove is team_enterprise_user_remove.
type TeamUserRemove struct {
	TeamUID          string `json:"team_uid"`
	EnterpriseUserID int64  `json:"enterprise_user_id"`
}

// CommandName implements rest.Command.
func (TeamUserRemove) CommandName() string { return "team_enterprise_user_remove" }

// TeamQueueUser is team_queue_user (users not yet active).
type TeamQueueUser struct {
	TeamUID          string `json:"team_uid"`
	EnterpriseUserID int64  `json:"enterprise_user_id"`
}

// CommandName implements rest.Command.
func (TeamQueueUser) CommandName() string { return "team_queue_user" }

// UserAdd is enterprise_user_add (an invitation).
type UserAdd struct {
	EnterpriseUserID    int64  `json:"enterprise_user_id"`
	NodeID              int64  `json:"node_id"`
	EncryptedData       string `json:"encrypted_data"`
	Username            string `json:"enterprise_user_username"`
	JobTitle            string `json:"job_title,omitempty"`
	FullName            string `json:"full_name,omitempty"`
	SuppressEmailInvite bool   `json:"suppress_email_invite,omitempty"`
}

// CommandName implements rest.Command.
func (UserAdd) CommandName() string { return "enterprise_user_add" }

// UserUpdate is enterprise_user_update (name, job title, node).
type UserUpdate struct {
	EnterpriseUserID int64  `json:"enterprise_user_id"`
	NodeID           int64  `json:"node_id"`
	EncryptedData    string `json:"encrypted_data"`
	KeyType          string `json:"key_type,omitempty"`
	Username         string `json:"enterprise_user_username"`
	JobTitle         string `json:"job_title,omitempty"`
	FullName         string `json:"full_name,omitempty"`
}

// CommandName implements rest.Command.
func (UserUpdate) CommandName() string { return "enterprise_user_update" }

// UserDelete is enterprise_user_delete.
type UserDelete struct {
	EnterpriseUserID int64 `json:"enterprise_user_id"`
}

// CommandName implements rest.Command.
func (UserDelete) CommandName() string { return "enterprise_user_delete" }

// UserLock is enterprise_user_lock; Lock is "locked" or "unlocked".
type UserLock struct {
	EnterpriseUserID int64  `json:"enterprise_user_id"`
	Lock             string `json:"lock"`
}

// CommandName implements rest.Command.
func (UserLock) CommandName() string { return "enterprise_user_lock" }

// ResendInvite is resend_enterprise_invite.
type ResendInvite struct {
	EnterpriseUserID int64 `json:"enterprise_user_id"`
}

// CommandName implements rest.Command.
func (ResendInvite) CommandName() string { return "resend_enterprise_invite" }

// ExpirePassword is set_master_password_expire.
type ExpirePassword struct {
	Email string `json:"email"`
}

// CommandName implements rest.Command.
func (ExpirePassword) CommandName() string { return "set_master_password_expire" }

// ExtendShareExpiration is extend_account_share_expiration.
type ExtendShareExpiration struct {
	EnterpriseUserID int64 `json:"enterprise_user_id"`
}

// CommandName implements rest.Command.
func (ExtendShareExpiration) CommandName() string { return "extend_account_share_expiration" }

// TeamUserUpdate is team_enterprise_user_update: a member's user type (0
// user, 2 without shared folders), as Commander's enterprise-user
// --add-team -hsf sends it for a user already in the team.
type TeamUserUpdate struct {
	TeamUID          string `json:"team_uid"`
	EnterpriseUserID int64  `json:"enterprise_user_id"`
	UserType         int    `json:"user_type"`
}

// CommandName implements rest.Command.
func (TeamUserUpdate) CommandName() string { return "team_enterprise_user_update" }
