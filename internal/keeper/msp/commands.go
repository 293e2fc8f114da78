package msp

import (
	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
)

// JSON commands of MSP management, with the field names of Commander's
// keepercommander/commands/msp.py.

// AddOnRequest is one add-on of a registration or update; Seats is omitted
// for add-ons without seats.
type AddOnRequest struct {
	AddOn string `json:"add_on"`
	Seats int32  `json:"seats,omitempty"`
}

// Registration is enterprise_registration_by_msp (msp-add, msp-convert-node).
type Registration struct {
	NodeID           int64          `json:"node_id"`
	ProductID        string         `json:"product_id"`
	Seats            int32          `json:"seats"`
	EnterpriseName   string         `json:"enterprise_name"`
	EncryptedTreeKey string         `json:"encrypted_tree_key"`
	RoleData         string         `json:"role_data"`
	RootNode         string         `json:"root_node"`
	FilePlanType     string         `json:"file_plan_type,omitempty"`
	AddOns           []AddOnRequest `json:"add_ons,omitempty"`
}

// CommandName implements rest.Command.
func (Registration) CommandName() string { return "enterprise_registration_by_msp" }

// Update is enterprise_update_by_msp: a full replacement of the MC's plan,
// seats, file plan and add-ons.
type Update struct {
	EnterpriseID   int32          `json:"enterprise_id"`
	EnterpriseName string         `json:"enterprise_name"`
	ProductID      string         `json:"product_id"`
	Seats          int32          `json:"seats"`
	NodeID         int64          `json:"node_id,omitempty"`
	FilePlanType   string         `json:"file_plan_type,omitempty"`
	AddOns         []AddOnRequest `json:"add_ons"`
}

// CommandName implements rest.Command.
func (Update) CommandName() string { return "enterprise_update_by_msp" }

// Remove is enterprise_remove_by_msp.
type Remove struct {
	EnterpriseID int32 `json:"enterprise_id"`
}

// CommandName implements rest.Command.
func (Remove) CommandName() string { return "enterprise_remove_by_msp" }

// EnterpriseReply is the reply of registration, update and removal.
type EnterpriseReply struct {
	EnterpriseID int32 `json:"enterprise_id"`
}

// NewMC builds the key material of a new managed company as Commander's
// msp-add does: a fresh tree key encrypted (AES-GCM) under the MSP tree
// key, and the MC's admin role and root node data encrypted under the new
// tree key. It fills those fields of r.
func NewMC(mspTreeKey []byte, r *Registration) error {
	treeKey := crypto.GenerateAESKey()
	enc, err := crypto.EncryptAESv2(treeKey, mspTreeKey)
	if err != nil {
		return err
	}
	role, err := enterprise.EncryptData(treeKey, "Keeper Administrator")
	if err != nil {
		return err
	}
	root, err := enterprise.EncryptData(treeKey, "root")
	if err != nil {
		return err
	}
	r.EncryptedTreeKey, r.RoleData, r.RootNode = crypto.Base64URLEncode(enc), role, root
	return nil
}
