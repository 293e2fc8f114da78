package server

import (
	"context"
	"database/sql"
	"math"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// unlimitedSeats is Keeper's unlimited-seats sentinel (Commander
// keepercommander/commands/msp.py sends it for unlimited MCs and shows -1).
const unlimitedSeats = math.MaxInt32

var (
	kindLicences = int32(enterprisepb.EnterpriseDataEntity_LICENSES)
	kindUsers    = int32(enterprisepb.EnterpriseDataEntity_USERS)
	kindMCs      = int32(enterprisepb.EnterpriseDataEntity_MANAGED_COMPANIES)
)

// reader is a read connection: the pool (*sql.DB) or a transaction.
type reader interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// seatUsage is what an enterprise's licences count, read from its data at
// sync time so every change shows on the next sync.
type seatUsage struct {
	allocated, pending int32
	mcSeats            map[string]int64 // lower-case product id -> seats of limited MCs
}

// usageOf counts users that hold a seat (status active, not disabled: lock 2
// is Keeper's UserLockStatus DISABLED), invited users, and the seats
// allocated to managed companies per product (unlimited MCs consume none).
func usageOf(ctx context.Context, q reader, eid int32) (*seatUsage, error) {
	u := &seatUsage{mcSeats: map[string]int64{}}
	users, err := store.FindEntities(ctx, q, eid, kindUsers, "")
	if err != nil {
		return nil, err
	}
	for _, e := range users {
		var m enterprisepb.User
		if err := proto.Unmarshal(e.Data, &m); err != nil {
			return nil, err
		}
		switch {
		case m.Status == "active" && m.Lock != 2:
			u.allocated++
		case m.Status == "invited":
			u.pending++
		}
	}
	mcs, err := store.FindEntities(ctx, q, eid, kindMCs, "")
	if err != nil {
		return nil, err
	}
	for _, e := range mcs {
		var m enterprisepb.ManagedCompany
		if err := proto.Unmarshal(e.Data, &m); err != nil {
			return nil, err
		}
		if m.NumberOfSeats > 0 && m.NumberOfSeats != unlimitedSeats {
			u.mcSeats[strings.ToLower(m.ProductId)] += int64(m.NumberOfSeats)
		}
	}
	return u, nil
}

// apply rewrites a stored License with the counted figures: seatsAllocated,
// seatsPending and each MSP pool's availableSeats = seats - seats of the
// MCs on that product (Commander keepercommander/enterprise.py copies them
// into licenses[].seats_allocated, seats_pending and msp_pool[].availableSeats).
func (u *seatUsage) apply(data []byte) ([]byte, error) {
	var l enterprisepb.License
	if err := proto.Unmarshal(data, &l); err != nil {
		return nil, err
	}
	l.SeatsAllocated, l.SeatsPending = u.allocated, u.pending
	for _, p := range l.MspPool {
		avail := int64(p.Seats) - u.mcSeats[strings.ToLower(p.ProductId)]
		p.AvailableSeats = int32(max(min(avail, math.MaxInt32), math.MinInt32))
	}
	return proto.Marshal(&l)
}

// liveLicences serves licences with counted seats. Licence rows of this
// page are rewritten; on the last page of an incremental pass in which users
// or managed companies changed, every licence is appended too, so the new
// figures reach a client that caches the enterprise and only applies
// changes (Commander's incremental loader, keepercommander/enterprise.py).
func (s *Server) liveLicences(ctx context.Context, eid int32, rows []store.Entity, lastIncremental bool, since, until int64) ([]store.Entity, error) {
	db := s.st.DB()
	var usage *seatUsage
	live := func(data []byte) ([]byte, error) {
		if usage == nil {
			u, err := usageOf(ctx, db, eid)
			if err != nil {
				return nil, err
			}
			usage = u
		}
		return usage.apply(data)
	}
	sent := map[string]bool{}
	for i, e := range rows {
		if e.Kind != kindLicences || e.Deleted {
			continue
		}
		data, err := live(e.Data)
		if err != nil {
			return nil, err
		}
		rows[i].Data, sent[e.Ident] = data, true
	}
	if !lastIncremental {
		return rows, nil
	}
	changed, err := store.KindsChanged(ctx, db, eid, since, until, kindUsers, kindMCs)
	if err != nil || !changed {
		return rows, err
	}
	lics, err := store.FindEntities(ctx, db, eid, kindLicences, "")
	if err != nil {
		return nil, err
	}
	for _, l := range lics {
		if sent[l.Ident] {
			continue
		}
		if l.Data, err = live(l.Data); err != nil {
			return nil, err
		}
		rows = append(rows, l)
	}
	return rows, nil
}
