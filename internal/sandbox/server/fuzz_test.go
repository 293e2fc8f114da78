package server

import "testing"

func FuzzDecodeSyncToken(f *testing.F) {
	f.Add(syncToken{enterprise: 1000, since: 3, until: 9, afterRow: 77, full: true}.encode())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, ok := decodeSyncToken(b)
		if ok {
			if again, ok2 := decodeSyncToken(tok.encode()); !ok2 || again != tok {
				t.Fatalf("round trip %+v -> %+v", tok, again)
			}
		}
	})
}
