package seed

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// DemoDomains are the email domains the demo tenants reserve, by enterprise
// id: the MSP its own msp.sandbox (and bulk.sandbox of the bulk seed's
// users), each demo managed company the domain of its users
// (<first word of its name>.sandbox, e.g. acme.sandbox). Provisioning
// (enterprise/enterprise_user_provision) is only allowed on a reserved domain.
func DemoDomains() map[int32][]string {
	m := map[int32][]string{MSPEnterpriseID: {"msp.sandbox", "bulk.sandbox"}}
	for _, s := range demoMCs {
		m[s.id] = []string{mcSlug(s.name) + ".sandbox"}
	}
	return m
}

// mcSlug is the first word of a managed company's name, lower-cased: the
// local part of its users' email domain.
func mcSlug(name string) string { return strings.ToLower(strings.Fields(name)[0]) }

// ReserveDemoDomains reserves DemoDomains for the demo enterprises present
// in the database (a database seeded before domains were reserved gets them
// on its next start). A domain another enterprise reserved meanwhile is left
// to it.
func ReserveDemoDomains(ctx context.Context, st *store.Store) error {
	return st.Tx(ctx, func(tx *sql.Tx) error { return reserveDemoDomains(ctx, tx) })
}

func reserveDemoDomains(ctx context.Context, tx *sql.Tx) error {
	for id, domains := range DemoDomains() {
		if _, err := store.GetEnterprise(ctx, tx, id); errors.Is(err, store.ErrNotFound) {
			continue
		} else if err != nil {
			return err
		}
		for _, d := range domains {
			if _, err := store.DomainOwner(ctx, tx, d); err == nil {
				continue
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if err := store.ReserveDomain(ctx, tx, id, d); err != nil {
				return err
			}
		}
	}
	return nil
}
