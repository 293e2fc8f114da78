package server

import (
	"encoding/json"
	"net"
	"net/http"
	"time"

	"github.com/keeper-go/keeper/internal/sandbox/envelope"
)

// serveFaults is the loopback-only admin endpoint that switches faults:
// POST /_sandbox/faults {"throttle_every":N,"fail_every":N,"delay_ms":N};
// GET returns the current switches.
func (s *Server) serveFaults(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		envelope.WriteError(w, http.StatusForbidden, envelope.ErrorBody{Error: "access_denied", Message: "loopback only"})
		return
	}
	type wire struct {
		ThrottleEvery int   `json:"throttle_every"`
		FailEvery     int   `json:"fail_every"`
		DelayMS       int64 `json:"delay_ms"`
	}
	if r.Method == http.MethodPost {
		var in wire
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil || in.ThrottleEvery < 0 || in.FailEvery < 0 || in.DelayMS < 0 {
			envelope.WriteError(w, http.StatusBadRequest, envelope.ErrorBody{Error: "bad_request", Message: "expected {throttle_every, fail_every, delay_ms} >= 0"})
			return
		}
		s.SetFaults(Faults{ThrottleEvery: in.ThrottleEvery, FailEvery: in.FailEvery, Delay: time.Duration(in.DelayMS) * time.Millisecond})
	}
	f := s.faults.Load()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(wire{ThrottleEvery: f.ThrottleEvery, FailEvery: f.FailEvery, DelayMS: f.Delay.Milliseconds()})
}
