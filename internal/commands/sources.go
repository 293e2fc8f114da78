package commands

import (
	"context"

	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/auth"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/msp"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/keeper/vault"
	"github.com/keeper-go/keeper/internal/session"
)

// The narrow interfaces commands read and write through; *session.Manager
// implements all of them, tests use small fakes.

// enterpriseSource loads the enterprise data of the current context (the
// managed company after switch-to-mc); refresh syncs what changed.
type enterpriseSource interface {
	Enterprise(ctx context.Context, refresh bool) (*enterprise.Enterprise, error)
}

// mspSource loads the MSP's own enterprise data, refusing non-MSPs.
type mspSource interface {
	MSP(ctx context.Context, refresh bool) (*enterprise.Enterprise, error)
}

// enterpriseWriter changes enterprise data in the current context: typed
// JSON commands in execute batches, single commands with a typed reply, and
// id allocation. A successful write is followed by one incremental sync.
type enterpriseWriter interface {
	enterpriseSource
	Execute(ctx context.Context, cmds ...rest.Command) ([]rest.BatchResult, error)
	Do(ctx context.Context, cmd rest.Command, out any) error
	AllocateIDs(ctx context.Context, n int) (int64, error)
}

// restCaller sends REST requests in the current context (protobuf in and
// out) and syncs afterwards with Refresh.
type restCaller interface {
	Call(ctx context.Context, endpoint string, req, resp proto.Message) error
	Refresh(ctx context.Context) error
}

// mspWriter sends typed JSON commands in the MSP context (msp-add,
// msp-update, msp-remove): the MSP's data, and one command with a typed
// reply followed by one incremental sync.
type mspWriter interface {
	mspSource
	Do(ctx context.Context, cmd rest.Command, out any) error
}

// mspReader reads the MSP's data and sends REST requests in its context:
// the BI calls of msp-info --pricing and msp-billing-report.
type mspReader interface {
	mspSource
	Call(ctx context.Context, endpoint string, req, resp proto.Message) error
}

// mspQuerier reads the MSP's data and sends read-only JSON commands in its
// context without a sync afterwards (msp-legacy-report).
type mspQuerier interface {
	mspSource
	Query(ctx context.Context, cmd rest.Command, out any) error
}

// distributorSource is what the distributor command reads and changes:
// the logged-in account's own enterprise (refused while switched into a
// managed company, so that Call carries the account's token) and REST
// calls.
type distributorSource interface {
	AccountEnterprise(ctx context.Context, refresh bool) (*enterprise.Enterprise, error)
	Call(ctx context.Context, endpoint string, req, resp proto.Message) error
}

// mcRunner runs fn in the context of a managed company (reads, writes and
// REST calls go to the company) and returns to the MSP context afterwards.
type mcRunner interface {
	InMC(ctx context.Context, nameOrID string, fn func(ctx context.Context) error) error
}

// mspOperator works in the MSP and in its managed companies (msp-copy-role,
// msp-convert-node): the writer's methods act on the current context,
// which is the company inside InMC.
type mspOperator interface {
	mspSource
	enterpriseWriter
	mcRunner
	msp.RESTCaller
}

// accountSession runs fn with the logged-in account (settings, device).
type accountSession interface {
	Account(ctx context.Context, fn func(s *auth.Session, c *rest.Client) error) error
}

// vaultStore reads and writes the logged-in account's own vault (also
// after switch-to-mc): Vault syncs it, VaultCall sends vault requests with
// the account's session.
type vaultStore interface {
	Vault(ctx context.Context, sync bool) (*vault.Vault, error)
	VaultCall(ctx context.Context, endpoint string, req, resp proto.Message) error
}

// userCreator is what create-user needs: the enterprise of the current
// context (ids, provisioning, incremental sync), the account (device token,
// key policy, server) and the account's vault.
type userCreator interface {
	enterpriseSource
	restCaller
	vaultStore
	AllocateIDs(ctx context.Context, n int) (int64, error)
	LiveSession(ctx context.Context) (*auth.Session, error)
	Server() string
}

// mcSwitcher moves the context between the MSP and a managed company.
type mcSwitcher interface {
	SwitchToMC(ctx context.Context, nameOrID string) (*session.MC, error)
	SwitchToMSP() bool
	enterpriseSource
}

var (
	_ enterpriseWriter = (*session.Manager)(nil)
	_ mspSource        = (*session.Manager)(nil)
	_ accountSession   = (*session.Manager)(nil)
	_ mcSwitcher       = (*session.Manager)(nil)
	_ restCaller       = (*session.Manager)(nil)
	_ mspWriter        = (*session.Manager)(nil)
	_ mspOperator      = (*session.Manager)(nil)
	_ whoamiSource     = (*session.Manager)(nil)
	_ deviceSource     = (*session.Manager)(nil)
	_ userCreator      = (*session.Manager)(nil)
	_ mspReader        = (*session.Manager)(nil)
	_ mspQuerier       = (*session.Manager)(nil)
)
