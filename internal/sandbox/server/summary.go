package server

import (
	"context"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/pb/accountpb"
	"github.com/keeper-go/keeper/internal/keeper/pb/breachwatchpb"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// Defaults for an account licence whose enterprise licence does not say:
// Keeper's 100 GB file plan (MSP_FILE_PLANS id 4 in Commander
// keepercommander/constants.py) and a term ending a year from today.
const (
	defaultFilePlan  = 4
	defaultStorage   = int64(100) << 30
	defaultTerm      = 365 * 24 * time.Hour
	sandboxMaxDevice = 100 // no device cap is enforced; a plausible figure
)

// accountLicense is AccountSummary.License for an enterprise account, every
// field filled: Commander converts it to a dict without defaults and whoami
// reads license['expiration_date'] and, when bytes_total is present,
// license['storage_expiration_date'] unguarded (Commander
// keepercommander/commands/utils.py whoami). Plan, term and storage come from
// the enterprise's licence entity; add-ons switch the feature flags.
func (s *Server) accountLicense(ctx context.Context, acct *store.Account) (*accountpb.License, error) {
	ent, err := store.GetEnterprise(ctx, s.st.DB(), acct.EnterpriseID)
	if err != nil {
		return nil, err
	}
	lic := &enterprisepb.License{}
	rows, err := store.FindEntities(ctx, s.st.DB(), acct.EnterpriseID, int32(enterprisepb.EnterpriseDataEntity_LICENSES), "")
	if err != nil {
		return nil, err
	}
	if len(rows) > 0 {
		if err := proto.Unmarshal(rows[0].Data, lic); err != nil {
			return nil, err
		}
	}
	now := time.Now().UTC()
	expires := time.UnixMilli(lic.Expiration).UTC()
	if lic.Expiration == 0 || !expires.After(now) {
		expires = now.Truncate(24 * time.Hour).Add(defaultTerm)
	}
	storageExpires := expires
	if lic.StorageExpiration > 0 && time.UnixMilli(lic.StorageExpiration).After(now) {
		storageExpires = time.UnixMilli(lic.StorageExpiration).UTC()
	}
	filePlan, storage := lic.FilePlanTypeId, lic.MaxBytes
	if filePlan == 0 {
		filePlan = defaultFilePlan
	}
	if storage == 0 {
		storage = defaultStorage
	}
	name := lic.Name
	if name == "" {
		name = "Enterprise"
	}
	addOn := func(n string) bool {
		for _, a := range lic.AddOns {
			if a.Enabled && strings.EqualFold(a.Name, n) {
				return true
			}
		}
		return false
	}
	return &accountpb.License{
		SubscriptionCode:       strings.ToUpper(strings.ReplaceAll(name, " ", "_")),
		ProductTypeId:          lic.ProductTypeId,
		ProductTypeName:        name,
		ExpirationDate:         expires.Format(time.DateOnly),
		SecondsUntilExpiration: int64(expires.Sub(now) / time.Second),
		MaxDevices:             sandboxMaxDevice,
		FilePlanType:           filePlan,
		// bytesUsed stays 0: the sandbox vault holds no files.
		BytesTotal:                    storage,
		SecondsUntilStorageExpiration: int64(storageExpires.Sub(now) / time.Second),
		StorageExpirationDate:         storageExpires.Format(time.DateOnly),
		AccountType:                   2, // enterprise (Authentication.AccountType)
		UploadsRemaining:              1000,
		EnterpriseId:                  acct.EnterpriseID,
		ChatEnabled:                   addOn("chat"),
		AuditAndReportingEnabled:      addOn("enterprise_audit_and_reporting"),
		// breachWatchEnabled stays false: with it on Commander starts
		// BreachWatch scans the sandbox does not serve (loginv3.py
		// post_login_processing).
		AccountUid:        acct.AccountUID,
		LicensedBy:        ent.Name,
		Email:             acct.Username,
		Expiration:        expires.UnixMilli(),
		StorageExpiration: storageExpires.UnixMilli(),
		Units:             lic.NumberOfSeats,
		IsPamEnabled:      addOn("privileged_access_manager"),
		IsKsmEnabled:      addOn("secrets_manager"),
	}, nil
}

// accountSettings is AccountSummary.Settings: the user's own switches plus
// the constant facts of a sandbox account (verified email, RSA key present,
// record types v3 on; Commander recordv3.py reads record_types_enabled).
func accountSettings(acct *store.Account) *accountpb.Settings {
	return &accountpb.Settings{
		PersistentLogin:          acct.PersistentLogin,
		IpDisableAutoApprove:     acct.IPDisableAutoApprove,
		SecurityKeysNoUserVerify: acct.SecurityKeysNoUserVerify,
		LogoutTimer:              acct.LogoutTimerMS,
		LogoutTimerMinutes:       int32(acct.LogoutTimerMS / 60_000),
		EmailVerified:            true,
		RsaConfigured:            len(acct.RSAPrivateEnc) > 0,
		RecordTypesEnabled:       true,
	}
}

// enterprisePublicKey serves enterprise/get_enterprise_public_key, which
// Commander calls after every login of an enterprise account (accountType 2,
// loginv3.py post_login_processing): the public halves of the enterprise key
// pairs, the same keys get_enterprise_data_keys returns in enterpriseKeys.
func (s *Server) enterprisePublicKey(c *call) (proto.Message, error) {
	ent, err := store.GetEnterprise(c.ctx, s.st.DB(), c.sess.EnterpriseID)
	if err != nil {
		return nil, err
	}
	return &breachwatchpb.EnterprisePublicKeyResponse{EnterprisePublicKey: ent.RSAPublic, EnterpriseECCPublicKey: ent.ECCPublic}, nil
}
