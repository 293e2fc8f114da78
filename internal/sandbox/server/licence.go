package server

import (
	"context"
	"math"
	"strings"
	"sync"

	"google.golang.org/protobuf/encoding/protowire"
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

// seatUsage is what an enterprise's licences count, read from its data at
// sync time so every change shows on the next sync. A seatUsage is not
// changed once computed (the sync endpoint shares it between requests).
type seatUsage struct {
	allocated, pending int32
	mcSeats            map[string]int64 // lower-case product id -> seats of limited MCs
}

// usageOf counts users that hold a seat (status active, not disabled: lock 2
// is Keeper's UserLockStatus DISABLED), invited users, and the seats
// allocated to managed companies per product (unlimited MCs consume none).
// Users are counted from their serialized status and lock alone (userSeat):
// a tenant of 100,000 users is counted without decoding 100,000 messages.
func usageOf(ctx context.Context, q store.Querier, eid int32) (*seatUsage, error) {
	u := &seatUsage{mcSeats: map[string]int64{}}
	err := store.EachEntityData(ctx, q, eid, kindUsers, func(data []byte) error {
		status, lock, err := userSeat(data)
		switch {
		case err != nil:
			return err
		case string(status) == "active" && lock != 2:
			u.allocated++
		case string(status) == "invited":
			u.pending++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = store.EachEntityData(ctx, q, eid, kindMCs, func(data []byte) error {
		var m enterprisepb.ManagedCompany
		if err := proto.Unmarshal(data, &m); err != nil {
			return err
		}
		if m.NumberOfSeats > 0 && m.NumberOfSeats != unlimitedSeats {
			u.mcSeats[strings.ToLower(m.ProductId)] += int64(m.NumberOfSeats)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// Field numbers of Enterprise.User that seat counting reads.
const (
	userStatusField protowire.Number = 6
	userLockField   protowire.Number = 7
)

// userSeat reads status and lock from a serialized Enterprise.User without
// decoding the rest; like proto.Unmarshal, the last occurrence of a field
// wins. status aliases data.
func userSeat(data []byte) (status []byte, lock int32, err error) {
	for len(data) > 0 {
		num, typ, n := protowire.ConsumeTag(data)
		if n < 0 {
			return nil, 0, protowire.ParseError(n)
		}
		data = data[n:]
		switch {
		case num == userStatusField && typ == protowire.BytesType:
			status, n = protowire.ConsumeBytes(data)
		case num == userLockField && typ == protowire.VarintType:
			var v uint64
			v, n = protowire.ConsumeVarint(data)
			lock = int32(v)
		default:
			n = protowire.ConsumeFieldValue(num, typ, data)
		}
		if n < 0 {
			return nil, 0, protowire.ParseError(n)
		}
		data = data[n:]
	}
	return status, lock, nil
}

// usageCache keeps each enterprise's seat usage for the revision it was
// counted at. Every change to an entity moves its enterprise's revision
// (that is how incremental sync finds it), so a usage counted at the
// enterprise's current revision is still true; syncs of an unchanged
// enterprise, and every page but one of a full sync, count nothing.
type usageCache struct {
	mu sync.Mutex
	m  map[int32]revUsage
}

type revUsage struct {
	rev int64
	u   *seatUsage
}

// at returns the usage of enterprise eid at revision rev, counting it
// through q when the cache holds none for that revision. The count may
// see changes committed after rev; it is then fresher than rev, never
// older, and stored under rev it is only served to requests that read rev.
func (c *usageCache) at(ctx context.Context, q store.Querier, eid int32, rev int64) (*seatUsage, error) {
	c.mu.Lock()
	hit, ok := c.m[eid]
	c.mu.Unlock()
	if ok && hit.rev == rev {
		return hit.u, nil
	}
	u, err := usageOf(ctx, q, eid)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int32]revUsage{}
	}
	if cur, ok := c.m[eid]; !ok || cur.rev <= rev {
		c.m[eid] = revUsage{rev: rev, u: u}
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
// The usage is counted once per enterprise revision (usageCache), never per
// page.
func (s *Server) liveLicences(ctx context.Context, eid int32, rev int64, rows []store.Entity, lastIncremental bool, since, until int64) ([]store.Entity, error) {
	db := s.st.DB()
	var usage *seatUsage
	live := func(data []byte) ([]byte, error) {
		if usage == nil {
			u, err := s.usage.at(ctx, db, eid, rev)
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
