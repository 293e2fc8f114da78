package seed

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// bulkMCBase is the first enterprise id of bulk managed companies.
const bulkMCBase = 10000

// Bulk grows the demo MSP for benchmarks: users more invited/active users
// spread over the regional nodes and mcs more managed companies (each with
// its own enterprise and root node). It only adds: user ids come from the
// enterprise's id allocator (the user with id (1000 << 32) + n is
// user<n>@bulk.sandbox) and managed companies take enterprise ids above
// every one in use from 10000 on, so a repeated run adds more. The MSP's
// licence gains a seat per added user, so invitations still fit. It needs the
// admin password to recover the tree key, as a client would. Everything
// lands in one transaction.
func Bulk(ctx context.Context, st *store.Store, password string, users, mcs int) error {
	if password == "" {
		password = DefaultPassword
	}
	acct, err := st.GetAccount(ctx, AdminEmail)
	if err != nil {
		return fmt.Errorf("demo admin: %w (seed the demo tenant first)", err)
	}
	treeKey, err := TreeKeyFor(acct, password)
	if err != nil {
		return err
	}
	return st.Tx(ctx, func(tx *sql.Tx) error {
		b, err := newBuilder(ctx, tx, MSPEnterpriseID, treeKey)
		if err != nil {
			return err
		}
		first, err := store.AllocateIDs(ctx, tx, MSPEnterpriseID, users)
		if err != nil {
			return err
		}
		base := first - int64(MSPEnterpriseID)<<32
		nodes := []int64{nNorthAmerica, nEurope, nAsia, nChicago, nBerlin}
		for i := 0; i < users; i++ {
			n := base + int64(i)
			u := userSpec{n: n, node: nodes[i%len(nodes)], email: fmt.Sprintf("user%06d@bulk.sandbox", n),
				name: fmt.Sprintf("Bulk User %06d", n), status: "active"}
			if i%10 == 9 {
				u.status, u.name = "invited", ""
			}
			if _, err := b.user(u); err != nil {
				return err
			}
		}
		if err := growSeats(b, users); err != nil {
			return err
		}
		firstMC, err := store.NextEnterpriseID(ctx, tx, bulkMCBase)
		if err != nil {
			return err
		}
		// Each new MC is logged as added now, as a registration would be.
		now, events := time.Now(), []mcEvent(nil)
		for i := 0; i < mcs; i++ {
			id := firstMC + int32(i)
			s := mcSpec{id: id, name: fmt.Sprintf("Bulk Company %04d", id-bulkMCBase), plan: "business", seats: 10,
				filePlan: "STORAGE_100GB", node: nodes[int(id)%len(nodes)], users: 1}
			if _, err := createMC(ctx, tx, b, MSPName, treeKey, s); err != nil {
				return err
			}
			events = append(events, mcEvent{msp: MSPEnterpriseID, mc: id, name: s.name, date: now,
				step: mcStep{plan: s.plan, seats: s.seats, filePlan: s.filePlan}})
		}
		return writeHistory(ctx, tx, events)
	})
}

// growSeats adds n seats to the MSP's own licence (enterprise_user_add
// refuses invitations beyond the licence's seats).
func growSeats(b *builder, n int) error {
	kind := int32(enterprisepb.EnterpriseDataEntity_LICENSES)
	e, err := store.GetEntity(b.ctx, b.tx, b.eid, kind, fmt.Sprint(int64(b.eid)<<32+1))
	if err != nil {
		return fmt.Errorf("msp licence: %w", err)
	}
	var l enterprisepb.License
	if err := proto.Unmarshal(e.Data, &l); err != nil {
		return err
	}
	if l.NumberOfSeats != Unlimited {
		l.NumberOfSeats = int32(min(int64(l.NumberOfSeats)+int64(n), Unlimited-1))
	}
	return b.license(&l)
}
