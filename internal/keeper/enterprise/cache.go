package enterprise

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"os"

	"github.com/keeper-go/keeper/internal/fsutil"
	"github.com/keeper-go/keeper/internal/keeper/crypto"
)

// cacheVersion changes whenever the file layout changes; other versions are
// ignored (a full sync follows).
const cacheVersion = 3

// Cache is the on-disk enterprise cache: the raw data as received, the
// continuation token, and the tree key encrypted under the account's data
// key. The file is 0600 and replaced atomically.
type Cache struct {
	Path string
	// Owner identifies server, account and enterprise; a file written for
	// another owner is ignored.
	Owner string
}

type cacheState struct {
	Version       int
	Owner         string
	Token         []byte
	TreeKeyEnc    []byte // AES-GCM under the data key
	RSAPrivateEnc []byte // as received (AES-GCM under the tree key)
	ECPrivateEnc  []byte
	RSAPublic     []byte // enterprise public keys as received
	ECPublic      []byte
	Raw           *Raw

	treeKey []byte
}

func (c *Cache) read(dataKey []byte) (*cacheState, error) {
	b, err := os.ReadFile(c.Path)
	if err != nil {
		return nil, err
	}
	var s cacheState
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&s); err != nil {
		return nil, fmt.Errorf("enterprise cache is corrupt")
	}
	if s.Version != cacheVersion || s.Owner != c.Owner || s.Raw == nil || s.Raw.Entities == nil {
		return nil, errors.New("enterprise cache belongs to another account or version")
	}
	key, err := crypto.DecryptAESv2(s.TreeKeyEnc, dataKey)
	if err != nil || len(key) != 32 {
		return nil, errors.New("enterprise cache does not decrypt with this account")
	}
	s.treeKey = key
	return &s, nil
}

func (c *Cache) write(s *cacheState, dataKey []byte) error {
	enc, err := crypto.EncryptAESv2(s.treeKey, dataKey)
	if err != nil {
		return err
	}
	s.Version, s.Owner, s.TreeKeyEnc = cacheVersion, c.Owner, enc
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(s); err != nil {
		return err
	}
	return fsutil.WriteFile(c.Path, buf.Bytes(), 0o600)
}

// Remove deletes the cache file (enterprise-down --force, logout).
func (c *Cache) Remove() error {
	err := os.Remove(c.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
