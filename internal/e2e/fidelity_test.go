package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/accountpb"
	"github.com/keeper-go/keeper/internal/keeper/pb/breachwatchpb"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
)

// TestAccountSummaryLicenseForWhoami: the licence and settings carry what
// Commander's whoami and login read. Commander turns the message into a dict
// with MessageToJson (defaults omitted) and indexes expiration_date, and with
// bytes_total present also storage_expiration_date, without a guard
// (Commander keepercommander/commands/utils.py whoami).
func TestAccountSummaryLicenseForWhoami(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	ctx := context.Background()
	c := sb.Client(t)
	s := login(t, c)
	var sum accountpb.AccountSummaryElements
	if err := c.Call(ctx, "login/account_summary", &accountpb.AccountSummaryRequest{SummaryVersion: 3}, &sum,
		rest.WithSessionToken(s.SessionToken)); err != nil {
		t.Fatal(err)
	}
	// The dict Commander builds: protobuf JSON without default values.
	raw, err := protojson.Marshal(sum.License)
	if err != nil {
		t.Fatal(err)
	}
	var lic map[string]any
	if err := json.Unmarshal(raw, &lic); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"accountType", "enterpriseId", "productTypeName", "expirationDate", "secondsUntilExpiration",
		"bytesTotal", "storageExpirationDate", "secondsUntilStorageExpiration", "filePlanType", "expiration", "storageExpiration",
		"licensedBy", "email", "accountUid", "maxDevices"} {
		if _, ok := lic[k]; !ok {
			t.Errorf("licence lacks %s (Commander reads it): %s", k, raw)
		}
	}
	l := sum.License
	exp, err := time.Parse(time.DateOnly, l.ExpirationDate)
	if err != nil || !exp.After(time.Now()) || exp.UnixMilli() != l.Expiration {
		t.Errorf("expirationDate %q / expiration %d: want a future date matching the ms timestamp (%v)", l.ExpirationDate, l.Expiration, err)
	}
	if d := time.Until(exp) - time.Duration(l.SecondsUntilExpiration)*time.Second; d < -time.Minute || d > time.Minute {
		t.Errorf("secondsUntilExpiration %d does not match %s", l.SecondsUntilExpiration, l.ExpirationDate)
	}
	if l.AccountType != 2 || l.EnterpriseId != seed.MSPEnterpriseID || l.BytesTotal != 100<<30 || l.LicensedBy != seed.MSPName ||
		l.Email != seed.AdminEmail || l.ProductTypeId != 11 {
		t.Errorf("licence %+v", l)
	}
	if !sum.Settings.GetEmailVerified() || !sum.Settings.GetRecordTypesEnabled() || !sum.Settings.GetRsaConfigured() {
		t.Errorf("settings %+v", sum.Settings)
	}
}

// TestEnterprisePublicKey: enterprise/get_enterprise_public_key, which
// Commander calls after every enterprise login (loginv3.py
// post_login_processing), answers the enterprise key pairs' public halves,
// the same keys get_enterprise_data_keys returns.
func TestEnterprisePublicKey(t *testing.T) {
	sb := sandboxtest.Start(t, nil)
	ctx := context.Background()
	c := sb.Client(t)
	s := login(t, c)
	var pub breachwatchpb.EnterprisePublicKeyResponse
	if err := c.Call(ctx, "enterprise/get_enterprise_public_key", nil, &pub, rest.WithSessionToken(s.SessionToken)); err != nil {
		t.Fatal(err)
	}
	var keys enterprisepb.GetEnterpriseDataKeysResponse
	if err := c.Call(ctx, "enterprise/get_enterprise_data_keys", &enterprisepb.GetEnterpriseDataKeysRequest{}, &keys,
		rest.WithSessionToken(s.SessionToken)); err != nil {
		t.Fatal(err)
	}
	ek := keys.EnterpriseKeys
	if !bytes.Equal(pub.EnterprisePublicKey, ek.GetRsaPublicKey()) || !bytes.Equal(pub.EnterpriseECCPublicKey, ek.GetEccPublicKey()) {
		t.Fatal("get_enterprise_public_key differs from get_enterprise_data_keys")
	}
	if _, err := crypto.LoadRSAPublicKey(pub.EnterprisePublicKey); err != nil {
		t.Errorf("enterprisePublicKey: %v", err)
	}
	if _, err := crypto.LoadECPublicKey(pub.EnterpriseECCPublicKey); err != nil {
		t.Errorf("enterpriseECCPublicKey: %v", err)
	}
}
