package server

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
)

// TestUserSeatMatchesUnmarshal: userSeat, which reads only status and lock
// from a serialized User, agrees with proto.Unmarshal on every user shape
// the seat count distinguishes, on messages whose fields repeat (the last
// occurrence wins) and refuses truncated data as Unmarshal does.
func TestUserSeatMatchesUnmarshal(t *testing.T) {
	users := []*enterprisepb.User{
		{EnterpriseUserId: 1, Username: "a@x", Status: "active", EncryptedData: "enc", FullName: "A", TfaEnabled: true},
		{EnterpriseUserId: 2, Username: "b@x", Status: "invited", JobTitle: "t"},
		{EnterpriseUserId: 3, Status: "active", Lock: 1, AccountShareExpiration: 1 << 40},
		{EnterpriseUserId: 4, Status: "active", Lock: 2, TransferAcceptanceStatus: enterprisepb.TransferAcceptanceStatus_ACCEPTED},
		{EnterpriseUserId: 5},
	}
	var msgs [][]byte
	for _, u := range users {
		b, err := proto.Marshal(u)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, b)
	}
	// Concatenated messages merge: the later status and lock win.
	msgs = append(msgs, append(append([]byte(nil), msgs[0]...), msgs[3]...), append(append([]byte(nil), msgs[3]...), msgs[1]...))
	for i, b := range msgs {
		var u enterprisepb.User
		if err := proto.Unmarshal(b, &u); err != nil {
			t.Fatal(err)
		}
		status, lock, err := userSeat(b)
		if err != nil || string(status) != u.Status || lock != u.Lock {
			t.Errorf("message %d: userSeat = %q, %d, %v; Unmarshal says %q, %d", i, status, lock, err, u.Status, u.Lock)
		}
		if len(b) > 1 {
			if _, _, err := userSeat(b[:len(b)-1]); err == nil && proto.Unmarshal(b[:len(b)-1], &u) != nil {
				t.Errorf("message %d: truncated data accepted", i)
			}
		}
	}
}

// syncLicence runs a full sync of eid page by page and returns the served
// licence and how many pages it took.
func syncLicence(t *testing.T, s *Server, eid int32) (*enterprisepb.License, int) {
	t.Helper()
	var lic *enterprisepb.License
	var token []byte
	for pages := 1; ; pages++ {
		rs, err := s.enterpriseData(as(eid, &enterprisepb.EnterpriseDataRequest{ContinuationToken: token}))
		if err != nil {
			t.Fatal(err)
		}
		r := rs.(*enterprisepb.EnterpriseDataResponse)
		for _, d := range r.Data {
			if d.Entity != enterprisepb.EnterpriseDataEntity_LICENSES {
				continue
			}
			for _, b := range d.Data {
				lic = &enterprisepb.License{}
				if err := proto.Unmarshal(b, lic); err != nil {
					t.Fatal(err)
				}
			}
		}
		if !r.HasMore {
			return lic, pages
		}
		token = r.ContinuationToken
	}
}

// TestLicenceUsageOncePerRevision: the licence's seat figures are counted
// once per enterprise revision and shared by later syncs of that revision;
// any change moves the revision, and the next sync serves new figures.
func TestLicenceUsageOncePerRevision(t *testing.T) {
	s := testServer(t)
	s.opts.PageSize = 7
	const msp = seed.MSPEnterpriseID
	lic, pages := syncLicence(t, s, msp)
	if pages < 10 || lic == nil || lic.SeatsAllocated != 33 || lic.SeatsPending != 6 {
		t.Fatalf("first sync: %d pages, licence %v", pages, lic)
	}
	counted := s.usage.m[msp].u
	if _, _ = syncLicence(t, s, msp); s.usage.m[msp].u != counted {
		t.Error("an unchanged enterprise had its seats counted again")
	}
	id := allocate(t, s, msp, 1)
	if got := run(s, msp, map[string]any{"command": "enterprise_user_add", "enterprise_user_id": float64(id),
		"node_id": float64(int64(msp)<<32 + 2), "enterprise_user_username": "counted@msp.sandbox"}); got[0] != "ok" {
		t.Fatalf("invite: %v", got)
	}
	if lic, _ = syncLicence(t, s, msp); lic.SeatsAllocated != 33 || lic.SeatsPending != 7 {
		t.Errorf("after an invitation: allocated %d pending %d, want 33 7", lic.SeatsAllocated, lic.SeatsPending)
	}
}
