package session

import (
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"

	"github.com/keeper-go/keeper/internal/fsutil"
	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
)

// Names are the names shell completion offers (managed companies, nodes,
// roles, teams, users of the admin's own enterprise). They are kept in a
// small file next to the config so `keeper __complete` answers without
// any request: AES-GCM under a key derived from this device's private key
// in config.json, mode 0600.
type Names struct {
	MCs   []string `json:"mcs"`
	Nodes []string `json:"nodes"`
	Roles []string `json:"roles"`
	Teams []string `json:"teams"`
	Users []string `json:"users"`
}

func (m *Manager) namesPath() string {
	return filepath.Join(filepath.Dir(m.opts.ConfigPath), "keeper-names.cache")
}

// namesKey derives the file key from the device key; "" when this config
// has no device yet.
func (m *Manager) namesKey() ([]byte, error) {
	priv, err := crypto.Base64URLDecode(m.cfg.PrivateKey)
	if err != nil || len(priv) == 0 {
		return nil, errors.New("no device key")
	}
	return hkdf.Key(sha256.New, priv, nil, "keeper completion names", 32)
}

// saveNames writes the names of e; failures only cost completion.
func (m *Manager) saveNames(e *enterprise.Enterprise) {
	if m.opts.ConfigPath == "" || e == nil {
		return
	}
	key, err := m.namesKey()
	if err != nil {
		return
	}
	// Users are listed only when the command decoded them anyway (decoding
	// a big tenant's users costs more than a completion is worth); else the
	// users saved earlier are kept.
	usersLoaded := len(e.Users) > 0
	e.Ensure(enterprise.PartNodes | enterprise.PartRoles | enterprise.PartTeams | enterprise.PartManagedCompanies)
	var n Names
	if !usersLoaded {
		if old := m.CachedNames(); old != nil {
			n.Users = old.Users
		}
	}
	for _, mc := range e.ManagedCompanies {
		n.MCs = append(n.MCs, mc.McEnterpriseName)
	}
	for _, x := range e.Nodes {
		n.Nodes = append(n.Nodes, x.Name)
	}
	for _, x := range e.Roles {
		n.Roles = append(n.Roles, x.Name)
	}
	for _, x := range e.Teams {
		n.Teams = append(n.Teams, x.Name)
	}
	for _, x := range e.Users {
		n.Users = append(n.Users, x.Username)
	}
	b, err := json.Marshal(n)
	if err != nil {
		return
	}
	enc, err := crypto.EncryptAESv2(b, key)
	if err != nil {
		return
	}
	_ = fsutil.WriteFile(m.namesPath(), enc, 0o600)
}

// CachedNames reads the names the last enterprise load saved, without any
// request; nil when there are none (or they do not decrypt).
func (m *Manager) CachedNames() *Names {
	if m.opts.ConfigPath == "" {
		return nil
	}
	key, err := m.namesKey()
	if err != nil {
		return nil
	}
	enc, err := os.ReadFile(m.namesPath())
	if err != nil {
		return nil
	}
	b, err := crypto.DecryptAESv2(enc, key)
	if err != nil {
		return nil
	}
	var n Names
	if json.Unmarshal(b, &n) != nil {
		return nil
	}
	return &n
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
