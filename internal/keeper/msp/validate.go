package msp

import (
	"fmt"
	"strconv"
	"strings"

	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// Add-ons with rules of their own (Commander's constants and
// commands/msp.py).
const (
	AddOnKCM  = "connection_manager"
	AddOnRBI  = "remote_browser_isolation"
	AddOnKEPM = "keeper_endpoint_privilege_manager"
)

// KEPMValidSeats are the seat counts KEPM can be sold with
// (constants.KEPM_VALID_SEATS), besides -1 for unlimited.
var KEPMValidSeats = []int32{1, 25, 50, 100, 500, 1000, 5000, 10000}

// InputError is a value that can never be valid whatever the MSP's licence
// says: an unknown plan, file plan or add-on, a malformed seat count, an
// add-on combination Keeper refuses. Commands report it as a usage error.
type InputError struct{ Msg string }

func (e *InputError) Error() string { return e.Msg }

func inputErrorf(format string, args ...any) error {
	return &InputError{Msg: fmt.Sprintf(format, args...)}
}

// PermitError is a refusal by the MSP's licence (its MSPPermits).
type PermitError struct{ Msg string }

func (e *PermitError) Error() string { return e.Msg }

// ParsePlan finds a plan by code, case-insensitively.
func ParsePlan(s string) (Plan, error) {
	if p, ok := PlanByCode(s); ok {
		return p, nil
	}
	codes := make([]string, len(Plans))
	for i, p := range Plans {
		codes[i] = p.Code
	}
	return Plan{}, inputErrorf("Managed Company plan %q is not found (valid: %s)", s, strings.Join(codes, ", "))
}

// ParseFilePlan finds a file plan by code or display name, case-insensitively.
func ParseFilePlan(s string) (FilePlan, error) {
	if f, ok := FilePlanByName(s); ok {
		return f, nil
	}
	names := make([]string, len(FilePlans))
	for i, f := range FilePlans {
		names[i] = f.Display
	}
	return FilePlan{}, inputErrorf("File plan %q is not found (valid: %s)", s, strings.Join(names, ", "))
}

// ParseSeats reads a managed company's seat count: a number of 0 or more,
// or -1 for unlimited (Unlimited).
func ParseSeats(s string) (int32, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	switch {
	case err != nil:
		return 0, inputErrorf("number of seats %q is not a number (use -1 for unlimited)", s)
	case n == -1 || n == Unlimited:
		return Unlimited, nil
	case n < 0 || n > Unlimited:
		return 0, inputErrorf("number of seats %q is out of range: use 0 to %d, or -1 for unlimited", s, Unlimited-1)
	}
	return int32(n), nil
}

// ParseAddOn reads ADDON or ADDON:SEATS as msp-add -a and msp-update -aa
// take them: the name is an add-on code (case-insensitive); seats are for
// the seat-capable add-ons only (KCM, PAM, KEPM), KEPM's from
// KEPMValidSeats or -1 for unlimited. A seat count of 0 is sent as none.
func ParseAddOn(spec string) (AddOnRequest, error) {
	name, seats, hasSeats := strings.Cut(spec, ":")
	name = strings.ToLower(strings.TrimSpace(name))
	i := AddOnIndex(name)
	if i < 0 {
		codes := make([]string, len(AddOns))
		for j, a := range AddOns {
			codes[j] = a.Code
		}
		return AddOnRequest{}, inputErrorf("Addon %q is not found (valid: %s)", name, strings.Join(codes, ", "))
	}
	rq := AddOnRequest{AddOn: AddOns[i].Code}
	if !hasSeats {
		return rq, nil
	}
	if !AddOns[i].Seats {
		return AddOnRequest{}, inputErrorf("Addon %q has no seats: give it without \":%s\"", name, seats)
	}
	seats = strings.TrimSpace(seats)
	n, err := strconv.ParseInt(seats, 10, 32)
	if err != nil {
		return AddOnRequest{}, inputErrorf("Addon %q. Number of seats %q is not integer", name, seats)
	}
	if name == AddOnKEPM {
		if n == -1 {
			n = Unlimited
		}
		valid := n == Unlimited
		for _, v := range KEPMValidSeats {
			valid = valid || int32(n) == v
		}
		if !valid {
			vals := make([]string, 0, len(KEPMValidSeats)+1)
			for _, v := range KEPMValidSeats {
				vals = append(vals, strconv.Itoa(int(v)))
			}
			vals = append(vals, "-1 (for unlimited)")
			return AddOnRequest{}, inputErrorf("Addon %q. Invalid seat value %q. Valid values are: %s", name, seats, strings.Join(vals, ", "))
		}
	} else if n < 0 {
		return AddOnRequest{}, inputErrorf("Addon %q. Number of seats %q must be 0 or more", name, seats)
	}
	rq.Seats = int32(n)
	return rq, nil
}

// CheckAddOnSet applies the rule between add-ons: Remote Browser Isolation
// needs Keeper Connection Manager with seats.
func CheckAddOnSet(addOns []AddOnRequest) error {
	var rbi bool
	var kcm *AddOnRequest
	for i := range addOns {
		switch addOns[i].AddOn {
		case AddOnRBI:
			rbi = true
		case AddOnKCM:
			kcm = &addOns[i]
		}
	}
	switch {
	case !rbi:
		return nil
	case kcm == nil:
		return inputErrorf("Addon %q requires %q to be selected", AddOnRBI, AddOnKCM)
	case kcm.Seats <= 0:
		return inputErrorf("Addon %q requires %q to have seats specified (e.g., %s:N)", AddOnRBI, AddOnKCM, AddOnKCM)
	}
	return nil
}

// Permits are the MSP's licence restrictions (Enterprise.MSPPermits); the
// zero value (nil) restricts nothing.
type Permits struct{ P *pb.MSPPermits }

// Plan refuses a plan the MSP may not sell.
func (p Permits) Plan(plan Plan) error {
	if p.P == nil {
		return nil
	}
	for _, code := range p.P.AllowedMcProducts {
		if strings.EqualFold(code, plan.Code) {
			return nil
		}
	}
	return &PermitError{Msg: fmt.Sprintf("Managed Company plan %q is not allowed (allowed: %s)", plan.Code, list(p.P.AllowedMcProducts))}
}

// Seats refuses unlimited seats when the MSP may not grant them.
func (p Permits) Seats(seats int32) error {
	if p.P == nil || seats != Unlimited || p.P.AllowUnlimitedLicenses {
		return nil
	}
	return &PermitError{Msg: "Managed Company unlimited licences are not allowed"}
}

// FilePlan refuses a file plan above the MSP's maximum.
func (p Permits) FilePlan(f FilePlan) error {
	if p.P == nil || p.P.MaxFilePlanType == "" {
		return nil
	}
	for _, max := range FilePlans {
		if strings.EqualFold(max.Code, p.P.MaxFilePlanType) {
			if f.ID > max.ID {
				return &PermitError{Msg: fmt.Sprintf("Managed Company file storage %q is not allowed (maximum: %s)", f.Display, max.Display)}
			}
			return nil
		}
	}
	return nil
}

// AddOn refuses an add-on the MSP may not sell.
func (p Permits) AddOn(code string) error {
	if p.P == nil {
		return nil
	}
	for _, a := range p.P.AllowedAddOns {
		if strings.EqualFold(a, code) {
			return nil
		}
	}
	return &PermitError{Msg: fmt.Sprintf("Managed Company add-on %q is not allowed (allowed: %s)", code, list(p.P.AllowedAddOns))}
}

func list(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// IncludedFilePlan returns the id of the storage a plan includes.
func IncludedFilePlan(planCode string) int32 {
	if p, ok := PlanByCode(planCode); ok {
		return p.IncludedStorage
	}
	return 0
}
