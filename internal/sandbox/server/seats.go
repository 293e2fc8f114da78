package server

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// checkSeats refuses one more user when the enterprise's licence has no
// free seat: active (not disabled) and invited users each hold one, the
// figures the licence reports as seatsAllocated and seatsPending. A licence
// without seats (0) or with Keeper's unlimited sentinel sets no limit.
func (j *jsonCall) checkSeats() error {
	lics, err := store.FindEntities(j.ctx, j.tx, j.eid, kindLicences, "")
	if err != nil || len(lics) == 0 {
		return err
	}
	var l enterprisepb.License
	if err := proto.Unmarshal(lics[0].Data, &l); err != nil {
		return err
	}
	seats := int64(l.NumberOfSeats)
	if seats <= 0 || seats == unlimitedSeats {
		return nil
	}
	// Cheap bound first: fewer users than seats always leaves room.
	total, err := store.CountEntities(j.ctx, j.tx, j.eid, kindUsers)
	if err != nil || int64(total) < seats {
		return err
	}
	u, err := usageOf(j.ctx, j.tx, j.eid)
	if err != nil {
		return err
	}
	if used := int64(u.allocated) + int64(u.pending); used >= seats {
		return cmdFail("seats_exceeded", "the licence has no free seat: %d of its %d seats are held by active and invited users",
			used, seats)
	}
	return nil
}

// syncMCUsers keeps a managed company's numberOfUsers in its MSP's
// ManagedCompany entity equal to the company's active users (the figure
// the seed writes and Commander's msp-info shows), at a new MSP revision
// when it changes, so the MSP sees it on its next sync.
func (j *jsonCall) syncMCUsers() error {
	ent, err := store.GetEnterprise(j.ctx, j.tx, j.eid)
	if err != nil || ent.MSPID == 0 {
		return err
	}
	e, err := store.GetEntity(j.ctx, j.tx, ent.MSPID, int32(kMCs), fmt.Sprint(j.eid))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var mc enterprisepb.ManagedCompany
	if err := proto.Unmarshal(e.Data, &mc); err != nil {
		return err
	}
	u, err := usageOf(j.ctx, j.tx, j.eid)
	if err != nil || mc.NumberOfUsers == u.allocated {
		return err
	}
	mc.NumberOfUsers = u.allocated
	if e.Data, err = proto.Marshal(&mc); err != nil {
		return err
	}
	rev, err := store.BumpRev(j.ctx, j.tx, ent.MSPID)
	if err != nil {
		return err
	}
	return store.PutEntity(j.ctx, j.tx, ent.MSPID, rev, *e)
}

// invite writes the invitation mail of an invited user to the outbox, as
// Keeper mails one on enterprise_user_add and resend_enterprise_invite.
func (j *jsonCall) invite(u *enterprisepb.User, resend bool) error {
	ent, err := store.GetEnterprise(j.ctx, j.tx, j.eid)
	if err != nil {
		return err
	}
	subject := fmt.Sprintf("Invitation to join %s on Keeper", ent.Name)
	if resend {
		subject = "Reminder: " + subject
	}
	link := j.origin() + "/vault/#/invite/" + crypto.Base64URLEncode(crypto.RandomBytes(16))
	return store.AddMail(j.ctx, j.tx, &store.Mail{EnterpriseID: j.eid, EnterpriseUserID: u.EnterpriseUserId, To: u.Username,
		Subject: subject, Link: link, Created: time.Now()})
}

// hostPattern is what an invitation link may carry as its host: the Host
// the client reached the sandbox at (a name or address, and a port).
var hostPattern = regexp.MustCompile(`^[A-Za-z0-9.\-]+(:[0-9]+)?$|^\[[0-9A-Fa-f:.]+\](:[0-9]+)?$`)

// origin is the sandbox's base URL as the client reached it.
func (j *jsonCall) origin() string {
	host, scheme := j.host, j.scheme
	if !hostPattern.MatchString(host) {
		host = "localhost"
	}
	if scheme == "" {
		scheme = "https"
	}
	return scheme + "://" + host
}
