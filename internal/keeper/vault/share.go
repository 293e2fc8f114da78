package vault

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
)

// MaxShareExpiry is the longest one-time share Commander creates (182
// days).
const MaxShareExpiry = 182 * 24 * time.Hour

// clientIDTag is the HMAC message that turns a one-time share's client key
// into its client id (the tag every Keeper Secrets Manager SDK uses).
const clientIDTag = "KEEPER_SECRETS_MANAGER_CLIENT_ID"

// ClientID is HMAC-SHA512(clientKey, "KEEPER_SECRETS_MANAGER_CLIENT_ID"),
// the 64-byte id of a one-time share.
func ClientID(clientKey []byte) []byte { return crypto.HMACSHA512(clientKey, []byte(clientIDTag)) }

// NewExternalShare builds the AddExternalShareRequest of a one-time share
// of record r as Commander's OneTimeShareCreateCommand does: the record
// key AES-GCM under the client key, the client id, the expiry (now +
// expire, epoch ms) and the share's name when given. isSelfDestruct and
// isEditable are not set.
func NewExternalShare(r *Record, clientKey []byte, name string, expire time.Duration, now time.Time) (*authpb.AddExternalShareRequest, error) {
	switch {
	case r == nil || len(r.Key) != crypto.AESKeySize:
		return nil, errors.New("one-time share: the record key is not known")
	case len(clientKey) != crypto.AESKeySize:
		return nil, errors.New("one-time share: client key must be 32 bytes")
	case expire <= 0:
		return nil, errors.New("one-time share: the expiration period must be positive")
	case expire > MaxShareExpiry:
		return nil, errors.New("one-time share: URL expiration period cannot be greater than 6 months.")
	}
	id, err := crypto.Base64URLDecode(r.UID)
	if err != nil {
		return nil, fmt.Errorf("one-time share: record uid %q: %w", r.UID, err)
	}
	encKey, err := crypto.EncryptAESv2(r.Key, clientKey)
	if err != nil {
		return nil, err
	}
	return &authpb.AddExternalShareRequest{RecordUid: id, EncryptedRecordKey: encKey, ClientId: ClientID(clientKey),
		AccessExpireOn: now.Add(expire).UnixMilli(), Id: name}, nil
}

// ServerHost is the host[:port] of a configured server string (a host, a
// host:port or a URL), the network location Commander puts into the links
// it prints. Unlike Commander, which parses "localhost:8443" as a scheme
// and a path, a host:port keeps its host.
func ServerHost(server string) (string, error) {
	base, err := rest.BaseURL(server)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	return u.Host, nil
}

// ShareURL is the link of a one-time share, built locally (the server
// never returns it): https://<server host>/vault/share/ with the client
// key as the fragment, and ?editable=true for editable shares.
func ShareURL(server string, clientKey []byte, editable bool) (string, error) {
	host, err := ServerHost(server)
	if err != nil {
		return "", err
	}
	u := "https://" + host + "/vault/share/"
	if editable {
		u += "?editable=true"
	}
	return u + "#" + crypto.Base64URLEncode(clientKey), nil
}

// CreateOneTimeShare creates a one-time share of record r
// (vault/external_share_add) valid for expire and returns its link. The
// reply is read as Commander reads it (Authentication.Device, ignored): an
// empty body is normal.
func CreateOneTimeShare(ctx context.Context, c Caller, server string, r *Record, name string, expire time.Duration) (string, error) {
	clientKey := crypto.GenerateAESKey()
	link, err := ShareURL(server, clientKey, false)
	if err != nil {
		return "", err
	}
	rq, err := NewExternalShare(r, clientKey, name, expire, time.Now())
	if err != nil {
		return "", err
	}
	var rs authpb.Device
	if err := c.Call(ctx, ExternalShareAddEndpoint, rq, &rs); err != nil {
		return "", err
	}
	return link, nil
}
