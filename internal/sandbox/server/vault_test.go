package server

import (
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/pb/recordspb"
)

// TestRecordsModifyResponseVector: a one-record success at revision 101
// serialises to known bytes (status 0 is omitted on the wire, as proto3
// requires), and the record uid reads as Commander's b64url uid.
func TestRecordsModifyResponseVector(t *testing.T) {
	uid, _ := hex.DecodeString("3f1a9c0e5b7d2a4c8e6f0b1d3c5a7e90")
	if got := crypto.Base64URLEncode(uid); got != "PxqcDlt9KkyObwsdPFp-kA" {
		t.Fatalf("uid %s", got)
	}
	b, err := proto.Marshal(&recordspb.RecordsModifyResponse{Records: []*recordspb.RecordModifyStatus{{RecordUid: uid}}, Revision: 101})
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(b); got != "0a120a103f1a9c0e5b7d2a4c8e6f0b1d3c5a7e901065" {
		t.Fatalf("serialized %s", got)
	}
}

func TestVaultTokenRoundTrip(t *testing.T) {
	tok := vaultToken{owner: ownerTag("a@b.c"), since: 3, until: 9, kind: kindPlacements, afterRow: 77, full: true, mid: true}
	got, ok := decodeVaultToken(tok.encode())
	if !ok || got != tok {
		t.Fatalf("round trip %+v -> %+v %v", tok, got, ok)
	}
	for _, b := range [][]byte{nil, []byte("vault-rev-0"), syncToken{enterprise: 1}.encode()} {
		if _, ok := decodeVaultToken(b); ok {
			t.Errorf("%q decodes as a vault token", b)
		}
	}
	if ownerTag("a@b.c") == ownerTag("x@b.c") {
		t.Error("owner tags collide")
	}
}

func FuzzDecodeVaultToken(f *testing.F) {
	f.Add(vaultToken{owner: ownerTag("u"), since: 1, until: 2, kind: kindRecords, afterRow: 5}.encode())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, ok := decodeVaultToken(b)
		if ok {
			if again, ok2 := decodeVaultToken(tok.encode()); !ok2 || again != tok {
				t.Fatalf("round trip %+v -> %+v", tok, again)
			}
		}
	})
}

func TestCheckRecordAdd(t *testing.T) {
	valid := func() *recordspb.RecordAdd {
		return &recordspb.RecordAdd{RecordUid: make([]byte, 16), RecordKey: make([]byte, 60), Data: make([]byte, 412)}
	}
	if err := checkRecordAdd(valid()); err != nil {
		t.Fatalf("valid record: %v", err)
	}
	for name, mut := range map[string]func(*recordspb.RecordAdd){
		"uid 15":          func(r *recordspb.RecordAdd) { r.RecordUid = r.RecordUid[:15] },
		"uid 17":          func(r *recordspb.RecordAdd) { r.RecordUid = append(r.RecordUid, 0) },
		"CBC key":         func(r *recordspb.RecordAdd) { r.RecordKey = make([]byte, 64) },
		"no key":          func(r *recordspb.RecordAdd) { r.RecordKey = nil },
		"empty data":      func(r *recordspb.RecordAdd) { r.Data = make([]byte, 28) },
		"folder uid":      func(r *recordspb.RecordAdd) { r.FolderUid = make([]byte, 8) },
		"folder type":     func(r *recordspb.RecordAdd) { r.FolderType = 7 },
		"non-shared data": func(r *recordspb.RecordAdd) { r.NonSharedData = []byte{1} },
	} {
		r := valid()
		mut(r)
		if err := checkRecordAdd(r); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestRestrictedRoutes: a session that must change its master password
// reaches only what Commander needs to change it (keepercommander/loginv3.py
// post_login_processing), plus logout and keep-alive.
func TestRestrictedRoutes(t *testing.T) {
	s := New(nil, Options{})
	var open []string
	for name, h := range s.routes {
		if h.auth && h.restricted {
			open = append(open, name)
		}
	}
	slices.Sort(open)
	if got := strings.Join(open, " "); got != "keep_alive login/account_summary vault/logout_v3" {
		t.Fatalf("restricted sessions reach %s", got)
	}
	if h := s.routes["authentication/get_domain_password_rules"]; h.auth || h.fn == nil {
		t.Fatal("get_domain_password_rules must be served without a session")
	}
	if !passwordCommands["change_master_password"] || len(passwordCommands) != 1 {
		t.Fatalf("restricted JSON commands %v", passwordCommands)
	}
}
