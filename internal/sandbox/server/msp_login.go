package server

import (
	"net/http"

	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// enterpriseActive refuses a login to an account whose enterprise was
// removed (a managed company its MSP removed).
func (s *Server) enterpriseActive(c *call, acct *store.Account) error {
	removed, err := store.EnterpriseRemoved(c.ctx, s.st.DB(), acct.EnterpriseID)
	if err != nil {
		return err
	}
	if removed {
		return fail(http.StatusForbidden, "enterprise_removed", "this account's company was removed by its MSP; it can no longer log in")
	}
	return nil
}

// mcLoginAllowed refuses login_to_mc from a managed-company session (one
// MC cannot open another; Commander only switches from the MSP) and into a
// removed MC.
func (s *Server) mcLoginAllowed(c *call, acct *store.Account, mcID int32) error {
	if c.sess.EnterpriseID != acct.EnterpriseID {
		return fail(http.StatusForbidden, "access_denied", "login_to_mc runs in the MSP's own session, not in a managed company's")
	}
	removed, err := store.EnterpriseRemoved(c.ctx, s.st.DB(), mcID)
	if err != nil {
		return err
	}
	if removed {
		return fail(http.StatusForbidden, "access_denied", "the managed company was removed")
	}
	return nil
}
