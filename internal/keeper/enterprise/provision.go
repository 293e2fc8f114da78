package enterprise

import (
	"crypto/ecdh"
	"crypto/rsa"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// ProvisionEndpoint creates enterprise accounts without email verification
// (create-user).
const ProvisionEndpoint = "enterprise/enterprise_user_provision"

// DefaultIterations is the PBKDF2 iteration count of new accounts'
// auth verifiers and encryption params (Commander
// constants.PBKDF2_ITERATIONS).
const DefaultIterations = 1_000_000

// EmailAutoProvisioningDoc is the page Commander points to when an account
// cannot be created without email verification.
const EmailAutoProvisioningDoc = "https://docs.keeper.io/enterprise-guide/user-and-team-provisioning/email-auto-provisioning"

// NewUser is what BuildProvision needs to create one account: the new
// user, the enterprise's keys and the admin's device token.
type NewUser struct {
	ID          int64  // from enterprise_allocate_ids
	Email       string // sent as typed
	NodeID      int64
	DisplayName string // empty: the email is the display name
	Password    string // the new account's master password

	TreeKey []byte
	// EnterpriseECKey receives the new user's data key (the escrow the
	// enterprise uses to share with and transfer the account).
	EnterpriseECKey *ecdh.PublicKey
	// ForbidRSA skips the RSA key pair (accounts with forbidKeyType2).
	ForbidRSA bool
	// DeviceToken is the admin's own device token.
	DeviceToken []byte
	// Iterations of PBKDF2 for the verifier and encryption params; 0 means
	// DefaultIterations. Tests use fewer.
	Iterations int
}

// NewUserKeys are the secrets BuildProvision generated, for callers that
// must verify or keep them (tests); the request carries them encrypted.
type NewUserKeys struct {
	DataKey   []byte
	ClientKey []byte
}

// BuildProvision builds the EnterpriseUsersProvision of one new account
// the way Commander's CreateEnterpriseUserCommand does
// (keepercommander/commands/enterprise_create_user.py): a fresh 32-byte
// data key; the auth verifier and encryption params of the password with
// fresh salts; an RSA-2048 pair unless RSA is forbidden, the private key
// AES-CBC under the data key; a P-256 pair, the private scalar AES-GCM
// under the data key; a random client key AES-CBC under the data key; the
// data key EC-encrypted to the enterprise; the display name AES-CBC under
// the tree key (key type ENCRYPTED_BY_DATA_KEY).
func BuildProvision(u NewUser) (*pb.EnterpriseUsersProvision, *NewUserKeys, error) {
	switch {
	case u.Email == "":
		return nil, nil, errors.New("provision: no email")
	case u.Password == "":
		return nil, nil, errors.New("provision: no password")
	case len(u.TreeKey) != crypto.AESKeySize:
		return nil, nil, errors.New("provision: the enterprise tree key is not loaded")
	case u.EnterpriseECKey == nil:
		return nil, nil, errors.New("provision: the enterprise has no EC public key")
	case len(u.DeviceToken) == 0:
		return nil, nil, errors.New("provision: this device has no device token")
	}
	it := u.Iterations
	if it == 0 {
		it = DefaultIterations
	}
	name := u.DisplayName
	if name == "" {
		name = u.Email
	}
	encData, err := EncryptData(u.TreeKey, name)
	if err != nil {
		return nil, nil, fmt.Errorf("provision: %w", err)
	}
	keys := &NewUserKeys{DataKey: crypto.GenerateAESKey(), ClientKey: crypto.GenerateAESKey()}
	p := &pb.EnterpriseUsersProvision{
		EnterpriseUserId: u.ID, Username: u.Email, NodeId: u.NodeID, EncryptedData: encData,
		KeyType: pb.EncryptedKeyType_KT_ENCRYPTED_BY_DATA_KEY, EncryptedDeviceToken: u.DeviceToken,
	}
	if p.EnterpriseUsersDataKey, err = crypto.EncryptEC(keys.DataKey, u.EnterpriseECKey); err != nil {
		return nil, nil, fmt.Errorf("provision: %w", err)
	}
	// The two PBKDF2 derivations (a million rounds each) and the RSA key
	// are the cost of an account: compute them side by side.
	var wg sync.WaitGroup
	var verErr, parErr, rsaErr error
	var rk *rsa.PrivateKey
	wg.Add(2)
	go func() {
		defer wg.Done()
		p.AuthVerifier, verErr = crypto.CreateAuthVerifier(u.Password, crypto.RandomBytes(crypto.SaltSize), it)
	}()
	go func() {
		defer wg.Done()
		p.EncryptionParams, parErr = crypto.CreateEncryptionParams(u.Password, crypto.RandomBytes(crypto.SaltSize), it, keys.DataKey)
	}()
	if !u.ForbidRSA {
		rk, rsaErr = crypto.GenerateRSAKey()
	}
	wg.Wait()
	if err := errors.Join(verErr, parErr, rsaErr); err != nil {
		return nil, nil, fmt.Errorf("provision: %w", err)
	}
	if rk != nil {
		p.RsaPublicKey = crypto.RSAPublicKeyBytes(&rk.PublicKey)
		if p.RsaEncryptedPrivateKey, err = crypto.EncryptAESv1(crypto.RSAPrivateKeyBytes(rk), keys.DataKey); err != nil {
			return nil, nil, fmt.Errorf("provision: %w", err)
		}
	}
	ek, err := crypto.GenerateECKey()
	if err != nil {
		return nil, nil, fmt.Errorf("provision: %w", err)
	}
	p.EccPublicKey = crypto.ECPublicKeyBytes(ek.PublicKey())
	if p.EccEncryptedPrivateKey, err = crypto.EncryptAESv2(crypto.ECPrivateKeyBytes(ek), keys.DataKey); err != nil {
		return nil, nil, fmt.Errorf("provision: %w", err)
	}
	if p.EncryptedClientKey, err = crypto.EncryptAESv1(keys.ClientKey, keys.DataKey); err != nil {
		return nil, nil, fmt.Errorf("provision: %w", err)
	}
	return p, keys, nil
}

// ProvisionRequest wraps users in the request Commander sends (one user
// per call; clientVersion is the client's version string).
func ProvisionRequest(clientVersion string, users ...*pb.EnterpriseUsersProvision) *pb.EnterpriseUsersProvisionRequest {
	return &pb.EnterpriseUsersProvisionRequest{Users: users, ClientVersion: clientVersion}
}

// ProvisionError is a provisioning the server refused: the account was not
// created. Its message is Commander's (reserved domains); Err is the
// server's answer, so it counts as a server error.
type ProvisionError struct {
	Email string
	Err   *rest.APIError
}

func (e *ProvisionError) Error() string {
	return fmt.Sprintf("Failed to auto-create account %q (%s).\n"+
		"Creating user accounts without email verification is only permitted on reserved domains.\n"+
		"To reserve a domain please contact Keeper support. Learn more about domain reservation here:\n%s",
		e.Email, strings.TrimPrefix(e.Err.Error(), ProvisionEndpoint+": "), EmailAutoProvisioningDoc)
}

// Unwrap returns the server's answer.
func (e *ProvisionError) Unwrap() error { return e.Err }

// CheckProvision reads the reply as Commander does: any result whose code
// is neither empty, "success" nor "ok" is a refusal (one user per request,
// so every result is about that user); no results at all is a success.
func CheckProvision(email string, rs *pb.EnterpriseUsersProvisionResponse) error {
	for _, r := range rs.GetResults() {
		switch strings.ToLower(r.Code) {
		case "", "success", "ok":
			continue
		}
		msg := r.Message
		if msg == "" {
			msg = r.AdditionalInfo
		}
		return &ProvisionError{Email: email, Err: &rest.APIError{Endpoint: ProvisionEndpoint, Code: rest.Clip(r.Code),
			Message: rest.Clip(msg), AdditionalInfo: rest.Clip(r.AdditionalInfo)}}
	}
	return nil
}
