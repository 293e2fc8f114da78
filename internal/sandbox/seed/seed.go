// Package seed builds keeper-sandbox's deterministic demo MSP tenant (and
// large tenants for benchmarks) with the same crypto a Keeper client uses:
// the server ends up holding only the encrypted blobs a client would have
// uploaded.
package seed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/store"
)

// Demo tenant facts, documented in internal/sandbox/README.md.
const (
	// MSPEnterpriseID is the demo MSP's enterprise id.
	MSPEnterpriseID = 1000
	// MSPName is the demo MSP's enterprise name.
	MSPName = "Demo MSP"
	// AdminEmail is the demo MSP administrator's login.
	AdminEmail = "admin@msp.sandbox"
	// DefaultPassword is the documented demo password.
	DefaultPassword = "Sandbox-Demo-1!"
	// DefaultIterations is the PBKDF2 iteration count of seeded passwords.
	DefaultIterations = 100_000
	// Unlimited is Keeper's unlimited-seats sentinel.
	Unlimited = 2147483647
	// MSPSeats is the seat count of the demo MSP's own licence: room for
	// thousands of invitations (enterprise_user_add counts seats); Bulk adds
	// a seat per user it adds.
	MSPSeats = 5000
)

// Options tune the demo seed.
type Options struct {
	Password   string    // admin password; DefaultPassword when empty
	Iterations int       // PBKDF2 iterations; DefaultIterations when 0
	Now        time.Time // the moment of seeding the history is dated from; time.Now() when zero
}

// IsSeeded reports whether the demo MSP exists.
func IsSeeded(ctx context.Context, st *store.Store) (bool, error) {
	_, err := store.GetEnterprise(ctx, st.DB(), MSPEnterpriseID)
	if err == store.ErrNotFound {
		return false, nil
	}
	return err == nil, err
}

// Demo seeds the demo MSP tenant into an empty database.
func Demo(ctx context.Context, st *store.Store, o Options) error {
	if o.Password == "" {
		o.Password = DefaultPassword
	}
	if o.Iterations == 0 {
		o.Iterations = DefaultIterations
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	// The RSA key pairs (MSP, its admin, distributor and its admin) are
	// made concurrently: one by one they would cost most of the seed's time.
	treeKey := crypto.GenerateAESKey()
	var (
		ent       *store.Enterprise
		acct      *store.Account
		adminKeys store.PublicKeys
		dist      *distributorKeys
	)
	err := parallel(func() (err error) {
		ent, err = enterpriseKeys(MSPEnterpriseID, MSPName, treeKey)
		return err
	}, func() (err error) {
		acct, adminKeys, err = newAccount(AdminEmail, o.Password, o.Iterations, treeKey)
		return err
	}, func() (err error) {
		dist, err = newDistributorKeys(o.Password, o.Iterations)
		return err
	})
	if err != nil {
		return err
	}
	pool, err := demoKeys()
	if err != nil {
		return err
	}
	return st.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.PutEnterprise(ctx, tx, ent); err != nil {
			return err
		}
		w, err := store.NewEntityWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.Close()
		b, err := newBuilder(ctx, tx, w, MSPEnterpriseID, treeKey)
		if err != nil {
			return err
		}
		keys := append([]store.PublicKeys{adminKeys}, pool...) // the admin is the first active user
		b.keys = &keys
		adminID, err := mspTree(b)
		if err != nil {
			return err
		}
		acct.EnterpriseID, acct.EnterpriseUserID = MSPEnterpriseID, adminID
		if err := store.PutAccount(ctx, tx, acct); err != nil {
			return err
		}
		mcs, err := managedCompanies(ctx, tx, b, MSPName, treeKey, demoMCs)
		if err != nil {
			return err
		}
		if err := b.license(mspLicense(mcs)); err != nil {
			return err
		}
		if err := w.Flush(); err != nil {
			return err
		}
		if err := reserveDemoDomains(ctx, tx); err != nil {
			return err
		}
		if err := demoMCHistory(ctx, tx, o.Now); err != nil {
			return err
		}
		if err := distributor(ctx, tx, w, dist, o.Now); err != nil {
			return err
		}
		return w.Flush()
	})
}

// parallel runs fns concurrently and returns their errors, joined.
func parallel(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() { errs[i] = fn() })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// enterpriseKeys builds an enterprise row with RSA and EC key pairs whose
// private halves are AES-GCM encrypted under the tree key.
func enterpriseKeys(id int32, name string, treeKey []byte) (*store.Enterprise, error) {
	ec, err := crypto.GenerateECKey()
	if err != nil {
		return nil, err
	}
	ecEnc, err := crypto.EncryptAESv2(crypto.ECPrivateKeyBytes(ec), treeKey)
	if err != nil {
		return nil, err
	}
	rsaKey, err := crypto.GenerateRSAKey()
	if err != nil {
		return nil, err
	}
	rsaEnc, err := crypto.EncryptAESv2(crypto.RSAPrivateKeyBytes(rsaKey), treeKey)
	if err != nil {
		return nil, err
	}
	return &store.Enterprise{ID: id, Name: name, ECCPublic: crypto.ECPublicKeyBytes(ec.PublicKey()), ECCPrivateEnc: ecEnc,
		RSAPublic: crypto.RSAPublicKeyBytes(&rsaKey.PublicKey), RSAPrivateEnc: rsaEnc}, nil
}

// newAccount creates a login-capable admin account the way a client creates
// one: a random data key behind encryption params and an auth verifier,
// key pairs and client key under the data key, and the tree key encrypted
// for the admin with AES-CBC under the data key (key type 1). It also
// returns the account's public keys.
func newAccount(email, password string, iterations int, treeKey []byte) (*store.Account, store.PublicKeys, error) {
	var none store.PublicKeys
	dataKey := crypto.GenerateAESKey()
	salt := crypto.RandomBytes(16)
	verifier, err := crypto.CreateAuthVerifier(password, salt, iterations)
	if err != nil {
		return nil, none, err
	}
	params, err := crypto.CreateEncryptionParams(password, crypto.RandomBytes(16), iterations, dataKey)
	if err != nil {
		return nil, none, err
	}
	rsaKey, err := crypto.GenerateRSAKey()
	if err != nil {
		return nil, none, err
	}
	rsaEnc, err := crypto.EncryptAESv1(crypto.RSAPrivateKeyBytes(rsaKey), dataKey)
	if err != nil {
		return nil, none, err
	}
	ec, err := crypto.GenerateECKey()
	if err != nil {
		return nil, none, err
	}
	ecEnc, err := crypto.EncryptAESv2(crypto.ECPrivateKeyBytes(ec), dataKey)
	if err != nil {
		return nil, none, err
	}
	clientKey, err := crypto.EncryptAESv1(crypto.GenerateAESKey(), dataKey)
	if err != nil {
		return nil, none, err
	}
	tk, err := crypto.EncryptAESv1(treeKey, dataKey)
	if err != nil {
		return nil, none, err
	}
	pub := store.PublicKeys{RSA: crypto.RSAPublicKeyBytes(&rsaKey.PublicKey), ECC: crypto.ECPublicKeyBytes(ec.PublicKey())}
	return &store.Account{Username: strings.ToLower(email), AccountUID: crypto.RandomBytes(16), AuthVerifier: verifier,
		EncryptionParams: params, RSAPrivateEnc: rsaEnc, ECCPrivateEnc: ecEnc, ECCPublic: pub.ECC,
		ClientKeyEnc: clientKey, TreeKeyEnc: crypto.Base64URLEncode(tk), TreeKeyType: 1, IsAdmin: true}, pub, nil
}

// TreeKeyFor recovers an enterprise tree key through an admin account and its
// password, exactly as a client does after login.
func TreeKeyFor(acct *store.Account, password string) ([]byte, error) {
	dataKey, err := crypto.DecryptEncryptionParams(acct.EncryptionParams, password)
	if err != nil {
		return nil, fmt.Errorf("admin password does not decrypt the data key: %w", err)
	}
	enc, err := crypto.Base64URLDecode(acct.TreeKeyEnc)
	if err != nil {
		return nil, err
	}
	return crypto.DecryptAESv1(enc, dataKey)
}

// mspLicense is the MSP's license with its seat pool and permits.
func mspLicense(mcs []*enterprisepb.ManagedCompany) *enterprisepb.License {
	used := map[string]int32{}
	for _, mc := range mcs {
		if mc.NumberOfSeats != Unlimited {
			used[mc.ProductId] += mc.NumberOfSeats
		}
	}
	pool := func(product string, seats, stash int32) *enterprisepb.MSPPool {
		return &enterprisepb.MSPPool{ProductId: product, Seats: seats, AvailableSeats: seats - used[product], Stash: stash}
	}
	return &enterprisepb.License{
		Paid: true, NumberOfSeats: MSPSeats, Expiration: 1893456000000, ProductTypeId: 11, Name: "Keeper MSP",
		EnterpriseLicenseId: int64(MSPEnterpriseID)<<32 + 1, SeatsAllocated: 33, SeatsPending: 6, Tier: 1,
		FilePlanTypeId: 4, MaxBytes: 100 << 30, LicenseStatus: "msp", ManagedBy: distributorContact,
		MspPool: []*enterprisepb.MSPPool{
			pool("business", 200, 10), pool("businessPlus", 150, 5), pool("businessStarter", 50, 0),
			pool("enterprise", 300, 20), pool("enterprisePlus", 250, 10),
		},
		MspPermits: &enterprisepb.MSPPermits{
			Restricted: true, AllowUnlimitedLicenses: true, MaxFilePlanType: "STORAGE_10TB",
			AllowedMcProducts: []string{"business", "businessPlus", "businessStarter", "enterprise", "enterprisePlus"},
			AllowedAddOns: []string{"enterprise_breach_watch", "compliance_report", "enterprise_audit_and_reporting",
				"secrets_manager", "connection_manager", "privileged_access_manager", "keeper_endpoint_privilege_manager"},
		},
	}
}
