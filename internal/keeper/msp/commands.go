package msp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
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

// NewCompany is a managed company as msp-add creates it.
type NewCompany struct {
	Name     string
	NodeID   int64 // MSP node the company hangs under
	Plan     Plan
	Seats    int32 // Unlimited for unlimited
	FilePlan *FilePlan
	AddOns   []AddOnRequest // nil: no add-ons field at all
}

// NewRegistration builds enterprise_registration_by_msp for nc with fresh
// key material (NewMC). As Commander's MSPAddCommand does, the file plan is
// sent only when it is larger than the storage the plan includes.
func NewRegistration(mspTreeKey []byte, nc NewCompany) (Registration, error) {
	r := Registration{NodeID: nc.NodeID, ProductID: nc.Plan.Code, Seats: nc.Seats, EnterpriseName: nc.Name, AddOns: nc.AddOns}
	if nc.FilePlan != nil && nc.FilePlan.ID > nc.Plan.IncludedStorage {
		r.FilePlanType = nc.FilePlan.Code
	}
	if err := NewMC(mspTreeKey, &r); err != nil {
		return Registration{}, err
	}
	return r, nil
}

// Change is what msp-update changes; nil and zero fields keep the current
// value.
type Change struct {
	Name         string
	NodeID       int64
	Plan         *Plan
	Seats        *int32
	FilePlan     *FilePlan
	AddAddOns    []AddOnRequest
	RemoveAddOns []string // add-on codes
}

// NewUpdate builds enterprise_update_by_msp for mc, which is a full
// replacement (Commander's MSPUpdateCommand): the name, plan and seats are
// the new values or the current ones; the add-ons start from the current
// enabled ones that the plan does not include, then -aa adds or replaces
// and -ra removes. A new file plan is sent only when larger than the plan's
// included storage; without one the current file plan is sent again when
// it differs from that storage, so the server does not fall back to it.
// Add-on seats are numbers, never strings.
func NewUpdate(mc *pb.ManagedCompany, ch Change) (Update, error) {
	u := Update{EnterpriseID: mc.McEnterpriseId, EnterpriseName: mc.McEnterpriseName, ProductID: mc.ProductId,
		Seats: mc.NumberOfSeats, NodeID: ch.NodeID}
	if ch.Name != "" {
		u.EnterpriseName = ch.Name
	}
	if ch.Plan != nil {
		u.ProductID = ch.Plan.Code
	}
	if ch.Seats != nil {
		u.Seats = *ch.Seats
	}
	included := IncludedFilePlan(u.ProductID)
	switch {
	case ch.FilePlan != nil:
		if ch.FilePlan.ID > included {
			u.FilePlanType = ch.FilePlan.Code
		}
	case mc.FilePlanType != "":
		if f, ok := FilePlanByName(mc.FilePlanType); ok && f.ID != included {
			u.FilePlanType = f.Code
		}
	}
	u.AddOns = []AddOnRequest{}
	pos := map[string]int{}
	set := func(a AddOnRequest) {
		key := strings.ToLower(a.AddOn)
		if i, ok := pos[key]; ok {
			u.AddOns[i] = a
			return
		}
		pos[key] = len(u.AddOns)
		u.AddOns = append(u.AddOns, a)
	}
	for _, a := range mc.AddOns {
		if !a.Enabled || a.IncludedInProduct {
			continue
		}
		keep := AddOnRequest{AddOn: a.Name}
		if a.Seats > 0 {
			keep.Seats = a.Seats
		}
		set(keep)
	}
	for _, a := range ch.AddAddOns {
		set(a)
	}
	for _, name := range ch.RemoveAddOns {
		key := strings.ToLower(name)
		i, ok := pos[key]
		if !ok {
			continue
		}
		u.AddOns = append(u.AddOns[:i], u.AddOns[i+1:]...)
		delete(pos, key)
		for k, j := range pos {
			if j > i {
				pos[k] = j - 1
			}
		}
	}
	if err := CheckAddOnSet(u.AddOns); err != nil {
		return Update{}, err
	}
	return u, nil
}

// HasAddOn reports whether mc has the add-on enabled.
func HasAddOn(mc *pb.ManagedCompany, code string) bool {
	for _, a := range mc.AddOns {
		if a.Enabled && strings.EqualFold(a.Name, code) {
			return true
		}
	}
	return false
}

// LicenseLog is get_mc_license_adjustment_log (msp-legacy-report): the
// licence adjustments between From and To, in milliseconds since the epoch.
type LicenseLog struct {
	From int64 `json:"from"`
	To   int64 `json:"to"`
}

// CommandName implements rest.Command.
func (LicenseLog) CommandName() string { return "get_mc_license_adjustment_log" }

// LicenseLogReply is the reply of LicenseLog.
type LicenseLogReply struct {
	Log []LicenseLogEntry `json:"log"`
}

// LicenseLogEntry is one licence adjustment; Date is as the server sends it.
type LicenseLogEntry struct {
	ID               int64  `json:"id"`
	Date             string `json:"date"`
	EnterpriseID     int32  `json:"enterprise_id"`
	EnterpriseName   string `json:"enterprise_name"`
	Status           string `json:"status"`
	NewNumberOfSeats int32  `json:"new_number_of_seats"`
	NewProductType   string `json:"new_product_type"`
	Note             string `json:"note"`
	Price            string `json:"price"`
}

// UnmarshalJSON reads a log entry leniently: Commander prints the values
// as the server sends them, so a number where text is expected (a date in
// milliseconds, a numeric price) is kept as its JSON text, a numeric
// string where a number is expected is read as the number, and null is the
// zero value.
func (e *LicenseLogEntry) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	text := func(key string) (string, error) {
		v := bytes.TrimSpace(raw[key])
		if len(v) == 0 || string(v) == "null" {
			return "", nil
		}
		if v[0] == '"' {
			var s string
			err := json.Unmarshal(v, &s)
			return s, err
		}
		if v[0] == '{' || v[0] == '[' {
			return "", fmt.Errorf("license log: %s is not a value: %s", key, v)
		}
		return string(v), nil
	}
	number := func(key string, bits int) (int64, error) {
		s, err := text(key)
		if err != nil || s == "" {
			return 0, err
		}
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, bits)
		if err != nil {
			return 0, fmt.Errorf("license log: %s %q is not an integer", key, s)
		}
		return n, nil
	}
	var out LicenseLogEntry
	var err error
	var n int64
	if out.ID, err = number("id", 64); err != nil {
		return err
	}
	if n, err = number("enterprise_id", 32); err != nil {
		return err
	}
	out.EnterpriseID = int32(n)
	if n, err = number("new_number_of_seats", 32); err != nil {
		return err
	}
	out.NewNumberOfSeats = int32(n)
	for key, dst := range map[string]*string{"date": &out.Date, "enterprise_name": &out.EnterpriseName, "status": &out.Status,
		"new_product_type": &out.NewProductType, "note": &out.Note, "price": &out.Price} {
		if *dst, err = text(key); err != nil {
			return err
		}
	}
	*e = out
	return nil
}
