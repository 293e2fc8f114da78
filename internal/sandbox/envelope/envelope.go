// Package envelope is the server side of Keeper's encrypted REST envelope:
// it opens an Authentication.ApiRequest with the server's private key,
// exposes the inner payload and session token, encrypts replies with the
// client's transmission key and writes Keeper-shaped JSON errors.
//
// It is shared by keeper-sandbox and by tests of the client transport. It
// deliberately does not import the client's rest package.
package envelope

import (
	"crypto/ecdh"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
)

// MaxBody caps the size of a request body the server will read.
const MaxBody = 32 << 20

// Request is an opened ApiRequest.
type Request struct {
	// KeyID is the server key id the client wrapped its transmission key to.
	KeyID int32
	// Locale is the client's locale string.
	Locale string
	// Payload is the endpoint-specific request (protobuf bytes or JSON).
	Payload []byte
	// SessionToken is the raw session token, empty before login.
	SessionToken []byte
	// APIVersion is ApiRequestPayload.apiVersion.
	APIVersion int32

	transmissionKey []byte
}

// UnknownKeyError reports an ApiRequest wrapped to a key id the server does
// not hold; the caller answers 401 `key` naming a key id it does hold.
type UnknownKeyError struct{ KeyID int32 }

func (e *UnknownKeyError) Error() string {
	return fmt.Sprintf("envelope: unknown server key id %d", e.KeyID)
}

// ErrMalformed is returned (wrapped) for bodies that cannot be opened.
var ErrMalformed = errors.New("envelope: malformed request")

// Open reads and decrypts the ApiRequest in r's body. keys maps server key
// ids to the matching P-256 private keys.
func Open(r *http.Request, keys map[int32]*ecdh.PrivateKey) (*Request, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("%w: read body: %v", ErrMalformed, err)
	}
	if len(body) > MaxBody {
		return nil, fmt.Errorf("%w: body larger than %d bytes", ErrMalformed, MaxBody)
	}
	return OpenBytes(body, keys)
}

// OpenBytes is Open for a body already in memory.
func OpenBytes(body []byte, keys map[int32]*ecdh.PrivateKey) (*Request, error) {
	var rq authpb.ApiRequest
	if err := proto.Unmarshal(body, &rq); err != nil {
		return nil, fmt.Errorf("%w: not an ApiRequest", ErrMalformed)
	}
	priv, ok := keys[rq.GetPublicKeyId()]
	if !ok {
		return nil, &UnknownKeyError{KeyID: rq.GetPublicKeyId()}
	}
	tk, err := crypto.DecryptEC(rq.GetEncryptedTransmissionKey(), priv)
	if err != nil || len(tk) != 32 {
		return nil, fmt.Errorf("%w: transmission key does not decrypt", ErrMalformed)
	}
	plain, err := crypto.DecryptAESv2(rq.GetEncryptedPayload(), tk)
	if err != nil {
		return nil, fmt.Errorf("%w: payload does not decrypt", ErrMalformed)
	}
	var p authpb.ApiRequestPayload
	if err := proto.Unmarshal(plain, &p); err != nil {
		return nil, fmt.Errorf("%w: not an ApiRequestPayload", ErrMalformed)
	}
	return &Request{
		KeyID:           rq.GetPublicKeyId(),
		Locale:          rq.GetLocale(),
		Payload:         p.GetPayload(),
		SessionToken:    p.GetEncryptedSessionToken(),
		APIVersion:      p.GetApiVersion(),
		transmissionKey: tk,
	}, nil
}

// Seal encrypts a reply body with the request's transmission key.
func (r *Request) Seal(plain []byte) ([]byte, error) {
	return crypto.EncryptAESv2(plain, r.transmissionKey)
}

// Reply answers 200 application/octet-stream with msg encrypted under the
// transmission key. A nil msg sends an empty body ("no response" calls).
func (r *Request) Reply(w http.ResponseWriter, msg proto.Message) error {
	if msg == nil {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(http.StatusOK)
		return nil
	}
	b, err := proto.Marshal(msg)
	if err != nil {
		return err
	}
	return r.ReplyBytes(w, b)
}

// ReplyBytes answers 200 with already serialized plaintext, encrypted.
func (r *Request) ReplyBytes(w http.ResponseWriter, plain []byte) error {
	body, err := r.Seal(plain)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(body)
	return err
}

// ReplyJSON answers a JSON command (vault/execute_v2_command): the JSON
// object is encrypted like any other reply.
func (r *Request) ReplyJSON(w http.ResponseWriter, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return r.ReplyBytes(w, b)
}

// ErrorBody is Keeper's JSON error body (Commander keepercommander/rest_api.py execute_rest).
type ErrorBody struct {
	Error          string `json:"error"`
	Message        string `json:"message"`
	ResultCode     string `json:"result_code,omitempty"`
	KeyID          int32  `json:"key_id,omitempty"`
	RegionHost     string `json:"region_host,omitempty"`
	AdditionalInfo string `json:"additional_info,omitempty"`
}

// WriteError writes a JSON error with the given HTTP status. The Content-Type
// is exactly application/json, as Commander compares it.
func WriteError(w http.ResponseWriter, status int, e ErrorBody) {
	if e.ResultCode == "" {
		e.ResultCode = e.Error
	}
	b, _ := json.Marshal(e)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// WriteKeyError answers 401 `key`, telling the client which key id to use.
func WriteKeyError(w http.ResponseWriter, keyID int32) {
	WriteError(w, http.StatusUnauthorized, ErrorBody{Error: "key", KeyID: keyID,
		Message: fmt.Sprintf("use public key id %d", keyID)})
}

// WriteThrottled answers 403 `throttled` with a wait hint in the message
// ("... N seconds"), which clients parse.
func WriteThrottled(w http.ResponseWriter, seconds int) {
	WriteError(w, http.StatusForbidden, ErrorBody{Error: "throttled",
		Message: fmt.Sprintf("Due to repeated attempts, your request has been throttled. Try again in %d seconds", seconds)})
}
