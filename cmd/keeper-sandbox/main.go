// Command keeper-sandbox is a local Keeper-compatible server for rehearsing
// keeper scripts and for end-to-end tests. See internal/sandbox/README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/config"
	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/sandbox"
	"github.com/keeper-go/keeper/internal/sandbox/seed"
	"github.com/keeper-go/keeper/internal/sandbox/server"
	"github.com/keeper-go/keeper/internal/sandbox/store"
	"github.com/keeper-go/keeper/internal/version"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `Usage: keeper-sandbox COMMAND [OPTIONS]

Commands:
  serve   run the server (seeds a demo MSP tenant into a fresh database)
  seed    add bulk users and managed companies to the demo tenant (benchmarks)
  outbox  list the invitation mails the sandbox would have sent

Run "keeper-sandbox COMMAND --help" for the options of a command.
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] == "--version" || args[0] == "version" {
		fmt.Fprintf(stdout, "keeper-sandbox version %s\n", version.Version)
		return 0
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(args[1:], stderr)
	case "seed":
		err = seedCmd(args[1:], stderr)
	case "outbox":
		err = outboxCmd(args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "keeper-sandbox: unknown command %q\n%s", args[0], usage)
		return 2
	}
	var ue usageErr
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "keeper-sandbox: %v\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "keeper-sandbox: %v\n", err)
		return 1
	}
}

type usageErr struct{ error }

func defaultDB() string {
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "keeper-sandbox", "sandbox.db")
	}
	return "sandbox.db"
}

func adminPassword(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if v := os.Getenv("KEEPER_SANDBOX_PASSWORD"); v != "" {
		return v
	}
	return seed.DefaultPassword
}

func serve(args []string, stderr io.Writer) error {
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", sandbox.DefaultListen, "`ADDRESS` to listen on")
	db := fs.String("db", defaultDB(), "SQLite database `PATH` (cert.pem and key.pem are kept next to it)")
	plain := fs.Bool("http", false, "serve plain HTTP instead of HTTPS; --listen must then be a loopback address")
	password := fs.String("admin-password", "", "demo admin password for a fresh database (else $KEEPER_SANDBOX_PASSWORD, else the demo password)")
	idle := fs.Duration("session-idle", time.Hour, "idle expiry of session tokens")
	throttle := fs.Int("throttle-every", 0, "answer 403 throttled to every Nth request (fault injection)")
	clientConfig := fs.String("client-config", "", "write a keeper config.json at `PATH` pointing at this sandbox")
	verbose := fs.Bool("verbose", false, "log every request (endpoint and outcome, never bodies)")
	minIterations := fs.Int("min-iterations", server.DefaultMinIterations,
		"lowest PBKDF2 `COUNT` accepted in uploaded auth verifiers and encryption params (provisioning, password change)")
	reserve := fs.StringArray("reserve-domain", nil,
		"reserve an email domain for an enterprise, `ENTERPRISE_ID=DOMAIN` (repeatable; kept in the database)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return usageErr{err}
	}
	domains, err := parseReservedDomains(*reserve)
	if err != nil {
		return usageErr{err}
	}
	if *minIterations < 1 || *minIterations > 0xFFFFFF {
		return usageErr{fmt.Errorf("--min-iterations must be 1-%d (a 24-bit count)", 0xFFFFFF)}
	}
	if *plain {
		if err := loopbackOnly(*listen); err != nil {
			return usageErr{err}
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o := sandbox.Options{DBPath: *db, Listen: *listen, HTTP: *plain, AdminPassword: adminPassword(*password),
		SessionIdle: *idle, Faults: server.Faults{ThrottleEvery: *throttle}, MinIterations: *minIterations, ReservedDomains: domains}
	if *verbose {
		o.Log = stderr
	}
	sb, err := sandbox.Start(ctx, o)
	if err != nil {
		return err
	}
	defer sb.Close()
	if *clientConfig != "" {
		if err := writeClientConfig(*clientConfig, sb); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "keeper-sandbox %s listening on %s\n", version.Version, sb.URL())
	fmt.Fprintf(stderr, "  database:          %s\n", *db)
	fmt.Fprintf(stderr, "  server key id:     %d\n", sb.KeyID())
	fmt.Fprintf(stderr, "  server public key: %s\n", crypto.Base64URLEncode(sb.PublicKey()))
	if sb.CAFile() != "" {
		fmt.Fprintf(stderr, "  certificate:       %s\n", sb.CAFile())
	}
	fmt.Fprintf(stderr, "  demo admin:        %s (password: --admin-password, $KEEPER_SANDBOX_PASSWORD or %q)\n", seed.AdminEmail, seed.DefaultPassword)
	fmt.Fprintf(stderr, "  demo distributor:  %s (same password)\n", seed.DistributorAdminEmail)
	if *clientConfig != "" {
		fmt.Fprintf(stderr, "  keeper config:     %s (keeper --config %s)\n", *clientConfig, *clientConfig)
	}
	<-ctx.Done()
	fmt.Fprintln(stderr, "keeper-sandbox: shutting down")
	return nil
}

// parseReservedDomains reads --reserve-domain ENTERPRISE_ID=DOMAIN values.
func parseReservedDomains(values []string) ([]sandbox.ReservedDomain, error) {
	var out []sandbox.ReservedDomain
	for _, v := range values {
		id, domain, ok := strings.Cut(v, "=")
		n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 32)
		if !ok || err != nil || n <= 0 {
			return nil, fmt.Errorf("--reserve-domain %q: want ENTERPRISE_ID=DOMAIN, e.g. 1000=example.com", v)
		}
		d, err := store.NormalizeDomain(domain)
		if err != nil {
			return nil, fmt.Errorf("--reserve-domain %q: %v", v, err)
		}
		out = append(out, sandbox.ReservedDomain{EnterpriseID: int32(n), Domain: d})
	}
	return out, nil
}

// loopbackOnly refuses a --listen address off the loopback interface for
// --http: plain HTTP carries session tokens and the fault switches in clear,
// so it is never offered to the network (":8443" means every interface).
func loopbackOnly(listen string) error {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("--listen %q: %v", listen, err)
	}
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return nil
	}
	return fmt.Errorf("--http serves unencrypted traffic on loopback only; --listen %q is not a loopback address "+
		"(use 127.0.0.1:PORT or [::1]:PORT, or drop --http to serve HTTPS)", listen)
}

// writeClientConfig points a keeper config.json at this sandbox (server,
// server key, CA file, demo user), keeping every other key.
func writeClientConfig(path string, sb *sandbox.Sandbox) error {
	cfg, _, err := config.Load(path)
	if err != nil {
		return err
	}
	if cfg.Server != sb.URL() {
		// A different sandbox address means a different device registry.
		cfg.DeviceToken, cfg.PrivateKey, cfg.CloneCode = "", "", ""
	}
	cfg.Server = sb.URL()
	cfg.ServerKeyID = int(sb.KeyID())
	cfg.ServerPublicKey = crypto.Base64URLEncode(sb.PublicKey())
	if sb.CAFile() != "" {
		abs, err := filepath.Abs(sb.CAFile())
		if err != nil {
			return err
		}
		cfg.CAFile = abs
	}
	if cfg.User == "" {
		cfg.User = seed.AdminEmail
	}
	return cfg.Save(path)
}

func seedCmd(args []string, stderr io.Writer) error {
	fs := pflag.NewFlagSet("seed", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", defaultDB(), "SQLite database `PATH`")
	users := fs.Int("users", 0, "number of bulk users to add")
	mcs := fs.Int("mcs", 0, "number of bulk managed companies to add")
	password := fs.String("admin-password", "", "demo admin password (else $KEEPER_SANDBOX_PASSWORD, else the demo password)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return usageErr{err}
	}
	if *users < 0 || *mcs < 0 || *users > 1_000_000 || *mcs > 100_000 {
		return usageErr{errors.New("--users must be 0-1000000 and --mcs 0-100000")}
	}
	ctx := context.Background()
	st, err := store.Open(*db)
	if err != nil {
		return err
	}
	defer st.Close()
	pw := adminPassword(*password)
	start := time.Now()
	if ok, err := seed.IsSeeded(ctx, st); err != nil {
		return err
	} else if !ok {
		if err := seed.Demo(ctx, st, seed.Options{Password: pw}); err != nil {
			return err
		}
	}
	if err := seed.Bulk(ctx, st, pw, *users, *mcs); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "seeded %d users and %d managed companies into %s in %s\n", *users, *mcs, *db, time.Since(start).Round(time.Millisecond))
	return nil
}
