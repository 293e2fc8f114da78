package seed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// Bulk managed companies: what enterprise_registration_by_msp makes of the
// business plan with 10 seats and its own 100 GB of storage.
const (
	bulkMCPlan     = "business"
	bulkMCSeats    = 10
	bulkMCFilePlan = "STORAGE_100GB"
)

// Bulk grows the demo MSP for benchmarks: users more invited/active users
// spread over the regional nodes and mcs more managed companies (each with
// its own enterprise, root node, admin role, admin user and licence). It
// only adds, taking every id where the server takes it: user ids from the
// MSP's id allocator (the user with id (1000 << 32) + n is
// user<n>@bulk.sandbox) and managed-company ids from the server-wide
// enterprise id counter that enterprise_registration_by_msp uses, so a
// repeated run adds more and nothing collides. Managed companies keep the
// MSP rules: a permitted plan on an MSP node, a name unique among the MSP's
// companies ("Bulk Company <id>"), seats from the plan's pool. So that
// invitations and new companies still fit, the MSP's licence gains a seat
// per added user and its business pool the seats of the added companies.
// It needs the admin password to recover the tree key, as a client would.
// Everything lands in one transaction, written in batches (EntityWriter).
func Bulk(ctx context.Context, st *store.Store, password string, users, mcs int) error {
	if password == "" {
		password = DefaultPassword
	}
	if users < 0 || mcs < 0 {
		return errors.New("bulk: negative counts")
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
		w, err := store.NewEntityWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.Close()
		b, err := newBuilder(ctx, tx, w, MSPEnterpriseID, treeKey)
		if err != nil {
			return err
		}
		// Reads first: nothing written yet needs flushing.
		lic, err := mspLicence(b)
		if err != nil {
			return err
		}
		nodes, err := liveNodes(b, nNorthAmerica, nEurope, nAsia, nChicago, nBerlin)
		if err != nil {
			return err
		}
		taken, err := mcNames(b)
		if err != nil {
			return err
		}
		if users > 0 {
			first, err := store.AllocateIDs(ctx, tx, MSPEnterpriseID, users)
			if err != nil {
				return err
			}
			if err := bulkUsers(b, first-int64(MSPEnterpriseID)<<32, users, nodes); err != nil {
				return err
			}
		}
		if mcs > 0 {
			firstMC, err := store.NewEnterpriseIDs(ctx, tx, mcs)
			if err != nil {
				return err
			}
			// Each new MC is logged as added now, as a registration would be.
			now, events := time.Now(), []mcEvent(nil)
			for i := 0; i < mcs; i++ {
				id := firstMC + int32(i)
				domain, err := freeDomain(b, fmt.Sprintf("bulk%d", id))
				if err != nil {
					return err
				}
				s := mcSpec{id: id, name: uniqueName(taken, fmt.Sprintf("Bulk Company %d", id)), domain: domain,
					plan: bulkMCPlan, seats: bulkMCSeats, filePlan: bulkMCFilePlan, node: nodes[i%len(nodes)], users: 1}
				if _, err := createMC(ctx, tx, b, MSPName, treeKey, s); err != nil {
					return fmt.Errorf("managed company %d: %w", id, err)
				}
				events = append(events, mcEvent{msp: MSPEnterpriseID, mc: id, name: s.name, date: now,
					step: mcStep{plan: s.plan, seats: s.seats, filePlan: s.filePlan}})
			}
			if err := writeHistory(ctx, tx, events); err != nil {
				return err
			}
		}
		growLicence(lic, users, mcs*bulkMCSeats)
		if err := b.license(lic); err != nil {
			return err
		}
		return w.Flush()
	})
}

// bulkUsers writes n users numbered from base on (every tenth invited, the
// rest active, spread over nodes). Their entities are made (display names
// encrypted, messages marshalled) on a second goroutine while this one
// writes, a chunk at a time.
func bulkUsers(b *builder, base int64, n int, nodes []int64) error {
	const chunk = 1024
	ctx, cancel := context.WithCancel(b.ctx)
	chunks := make(chan []store.Entity, 4)
	failed := make(chan error, 1)
	go func() {
		defer close(chunks)
		for start := 0; start < n; start += chunk {
			out := make([]store.Entity, 0, min(chunk, n-start))
			for i := start; i < min(start+chunk, n); i++ {
				num := base + int64(i)
				u := userSpec{n: num, node: nodes[i%len(nodes)], email: fmt.Sprintf("user%06d@bulk.sandbox", num),
					name: fmt.Sprintf("Bulk User %06d", num), status: "active"}
				if i%10 == 9 {
					u.status, u.name = "invited", ""
				}
				e, err := b.userEntity(u)
				if err != nil {
					failed <- err
					return
				}
				out = append(out, e)
			}
			select {
			case chunks <- out:
			case <-ctx.Done():
				return
			}
		}
	}()
	defer func() {
		cancel()
		for range chunks { // let the maker stop before returning
		}
	}()
	for c := range chunks {
		for _, e := range c {
			if err := b.w.Put(b.eid, b.rev, e); err != nil {
				return err
			}
		}
	}
	select {
	case err := <-failed:
		return err
	default:
		return nil
	}
}

// mspLicence reads the MSP's own licence.
func mspLicence(b *builder) (*enterprisepb.License, error) {
	e, err := store.GetEntity(b.ctx, b.tx, b.eid, int32(enterprisepb.EnterpriseDataEntity_LICENSES), fmt.Sprint(b.id(1)))
	if err != nil {
		return nil, fmt.Errorf("msp licence: %w", err)
	}
	l := &enterprisepb.License{}
	return l, proto.Unmarshal(e.Data, l)
}

// freeDomain returns label, or label with a suffix, such that the address
// admin@<label>.sandbox a bulk company's admin gets is nobody's yet (an
// email is one account on the whole server). Labels hold the company id, so
// only addresses from before this run can be in the way.
func freeDomain(b *builder, label string) (string, error) {
	try := label
	for i := 2; ; i++ {
		_, err := store.FindEmail(b.ctx, b.tx, "admin@"+try+".sandbox")
		if errors.Is(err, store.ErrNotFound) {
			return try, nil
		}
		if err != nil {
			return "", err
		}
		try = fmt.Sprintf("%s-%d", label, i)
	}
}

// growLicence adds users seats to the MSP's own licence
// (enterprise_user_add refuses invitations beyond them) and mcSeats to its
// pool of the bulk plan (enterprise_registration_by_msp refuses seats
// beyond the pool's available seats). Unlimited seats stay so, and a
// licence without any pool has no cap to grow.
func growLicence(l *enterprisepb.License, users, mcSeats int) {
	grow := func(v int32, n int) int32 { return int32(min(int64(v)+int64(n), Unlimited-1)) }
	if l.NumberOfSeats != Unlimited {
		l.NumberOfSeats = grow(l.NumberOfSeats, users)
	}
	if len(l.MspPool) == 0 || mcSeats == 0 {
		return
	}
	for _, p := range l.MspPool {
		if strings.EqualFold(p.ProductId, bulkMCPlan) {
			if p.Seats != Unlimited {
				p.Seats, p.AvailableSeats = grow(p.Seats, mcSeats), grow(p.AvailableSeats, mcSeats)
			}
			return
		}
	}
	// A pool without the plan has no seat of it: give it what bulk takes.
	l.MspPool = append(l.MspPool, &enterprisepb.MSPPool{ProductId: bulkMCPlan, Seats: int32(min(mcSeats, Unlimited-1)),
		AvailableSeats: int32(min(mcSeats, Unlimited-1))})
}

// liveNodes returns the ids of those of the MSP's nodes ns that still
// exist (an admin may have deleted one), or the root node when none does.
func liveNodes(b *builder, ns ...int64) ([]int64, error) {
	var out []int64
	for _, n := range append(ns, nRoot) {
		_, err := store.GetEntity(b.ctx, b.tx, b.eid, int32(enterprisepb.EnterpriseDataEntity_NODES), fmt.Sprint(b.id(n)))
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n != nRoot || len(out) == 0 {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("the demo MSP has no root node")
	}
	return out, nil
}

// mcNames returns the lower-case names of the MSP's live managed companies.
func mcNames(b *builder) (map[string]bool, error) {
	rows, err := store.FindEntities(b.ctx, b.tx, b.eid, int32(enterprisepb.EnterpriseDataEntity_MANAGED_COMPANIES), "")
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(rows))
	for _, r := range rows {
		out[r.Name] = true
	}
	return out, nil
}

// uniqueName returns name, or name with a suffix when a managed company
// already has it (case-insensitively), and records it as taken.
func uniqueName(taken map[string]bool, name string) string {
	try := name
	for i := 2; taken[strings.ToLower(try)]; i++ {
		try = fmt.Sprintf("%s (%d)", name, i)
	}
	taken[strings.ToLower(try)] = true
	return try
}
