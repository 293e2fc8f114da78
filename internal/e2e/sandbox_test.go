package e2e

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/sandbox"
	"github.com/keeper-go/keeper/internal/sandbox/sandboxtest"
	"github.com/keeper-go/keeper/internal/sandbox/server"
)

// TestCloseEndsFaultDelay: closing a sandbox answers a request waiting in a
// fault delay with 503 at once instead of waiting for the delay.
func TestCloseEndsFaultDelay(t *testing.T) {
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.Faults = server.Faults{Delay: time.Minute} })
	c := sb.Client(t)
	errs := make(chan error, 1)
	go func() {
		errs <- c.Call(context.Background(), "authentication/register_device", &authpb.DeviceRegistrationRequest{}, &authpb.Device{})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for sb.Requests() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	if err := sb.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("close took %s", took)
	}
	var ae *rest.APIError
	if err := <-errs; !errors.As(err, &ae) || ae.HTTPStatus != 503 {
		t.Fatalf("want a 503 answer, got %v", err)
	}
}
