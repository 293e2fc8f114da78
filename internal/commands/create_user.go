package commands

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/crypto"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/pb/breachwatchpb"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/vault"
	"github.com/keeper-go/keeper/internal/report"
	"github.com/keeper-go/keeper/internal/version"
)

// What create-user writes, as Commander's CreateEnterpriseUserCommand
// (keepercommander/commands/enterprise_create_user.py) writes it.
const (
	createUserTitlePrefix = "Keeper Account: "
	createUserNotes       = "The user is required to change their Master Password upon login."
	shareLabel            = "One-Time Share"
	shareExpiry           = 7 * 24 * time.Hour
	generatedPasswordLen  = 20
	// passwordSpecials are the generator's special characters
	// (generator.PW_SPECIAL_CHARACTERS): no quote or backslash.
	passwordSpecials = "!@#$%()+;<>=?[]{}^.,"
)

// emailPattern is Commander's constants.EMAIL_PATTERN.
var emailPattern = regexp.MustCompile(`^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9.-]+$`)

// Row statuses of create-user.
const (
	statusCreated = "created"
	statusExists  = "already exists"
	statusFailed  = "failed"
)

type createUserOptions struct {
	base
	Source userCreator
	Status func(string, ...any)
	// Prompt reads a secret on the terminal (no echo); nil without one.
	Prompt func(ctx context.Context, prompt string) (string, error)

	Name           string
	Node           string
	Folder         string
	Verbose        bool
	AskPassword    bool
	PasswordRecord string
	File           string
	Report         report.Options

	// Iterations of PBKDF2 for new accounts; 0 is Commander's 1,000,000
	// (tests use fewer).
	Iterations int
	// Generate makes a password; nil is generatePassword(20).
	Generate func() (string, error)

	flags *pflag.FlagSet
}

func newCreateUserCmd(f *Factory, runF func(context.Context, *createUserOptions) error) *command.Command {
	return &command.Command{
		// NeedNothing: the email and the file are checked before any call;
		// the run then loads the enterprise, which refuses non-admins.
		Name: "create-user", Group: GroupEnterprise, Needs: command.NeedNothing,
		Summary:      "Create an Enterprise User with a reserved domain",
		Args:         "[EMAIL]",
		ValidateArgs: validateCreateUserArgs,
		Long: `Creates the account and vault of EMAIL at once, without an email invitation (the email's domain must
be reserved for the enterprise), and stores its credentials in your vault as a login record
"Keeper Account: EMAIL" with a one-time share link (valid 7 days) for the new user. The password is
20 random characters unless --ask-password or --password-record gives one; it is printed only with -v.

The credential record is written before the account is requested, so the password is never lost: when a
run is cut off, running the same command again finishes it. An existing "Keeper Account: EMAIL" record is
reused, an email that already is an enterprise user is reported as "already exists" (its record gets the
share link if it lacks one), and nobody is created twice.

--file reads one user per line: email[,name[,node]] (CSV quoting; a header line, blank lines and lines
starting with # are skipped). Every line is checked before anything is written; the result is one row per
user (email, status, user_id, record_uid, message). The exit code is 0 only if no line failed.`,
		Examples: []string{
			"create-user jane@example.com",
			`create-user jane@example.com --name "Jane Doe" --node Chicago --folder "New Accounts" -v`,
			"create-user jane@example.com --ask-password",
			`create-user jane@example.com --password-record "Onboarding/Jane"`,
			"create-user --file users.csv --format csv --output results.csv",
		},
		JSON:        createUserJSON{},
		Completions: map[string]command.CompletionKind{"node": command.CompleteNode},
		Setup: func(fs *pflag.FlagSet) command.Runner {
			o := &createUserOptions{Source: f.Session, Status: f.status(), Prompt: f.PromptPassword, flags: fs}
			fs.StringVar(&o.Name, "name", "", "the user's display `NAME`")
			fs.StringVar(&o.Node, "node", "", "`NODE` (name, path or id) to create the user in; default: the root (with --file: for lines without one)")
			fs.StringVar(&o.Folder, "folder", "", "`FOLDER` (name, path or UID) of your vault for the credential record; default: the root")
			fs.BoolVarP(&o.Verbose, "verbose", "v", false, "print the login details, including the master password")
			fs.BoolVar(&o.AskPassword, "ask-password", false, "ask for the new user's master password (twice, on the terminal)")
			fs.StringVar(&o.PasswordRecord, "password-record", "", "take the master password from `RECORD` of your vault (title, path or UID)")
			fs.StringVar(&o.File, "file", "", "create every user listed in `FILE` (email[,name[,node]] per line)")
			o.Report.AddFlags(fs)
			return runner(o, runF, createUserRun)
		},
	}
}

// validateCreateUserArgs allows at most one EMAIL and checks it as
// Commander does (constants.EMAIL_PATTERN), before any call.
func validateCreateUserArgs(args []string) error {
	switch {
	case len(args) > 1:
		return command.Usagef("create-user", "unexpected argument %q (expected [EMAIL])", args[1])
	case len(args) == 1 && !emailPattern.MatchString(strings.TrimSpace(args[0])):
		return command.Usagef("create-user", "%q appears not a valid email address", args[0])
	}
	return nil
}

// createUserJSON is one result row of create-user --format json.
// user_id is null when no account id is known.
type createUserJSON struct {
	Email     string `json:"email"`
	Status    string `json:"status"`
	UserID    *int64 `json:"user_id"`
	RecordUID string `json:"record_uid"`
	Message   string `json:"message"`
}

// userLine is one user to create.
type userLine struct {
	Email string
	Name  string
	Node  string
	Where string // "file:line" for messages, "" for the command line
}

// userResult is the outcome for one user. The flags say what exists, so
// a failure can report exactly that.
type userResult struct {
	Email, Status, RecordUID, Message string
	UserID                            int64
	err                               error

	password, shareURL, url string
	node                    *enterprise.Node
}

// plan is everything create-user resolved before its first write.
type plan struct {
	ent      *enterprise.Enterprise
	vault    *vault.Vault
	folder   *vault.Folder
	nodes    []*enterprise.Node // per line
	password string             // from --ask-password / --password-record
	entKey   *ecdh.PublicKey    // nil until needed
	server   string
	device   []byte
	forbid   bool
}

func createUserRun(ctx context.Context, o *createUserOptions) error {
	lines, err := o.validate()
	if err != nil {
		return err
	}
	p, err := o.prepare(ctx, lines)
	if err != nil {
		return err
	}
	if o.File == "" {
		return o.runOne(ctx, p, lines[0])
	}
	return o.runFile(ctx, p, lines)
}

// validate checks flags and input before any call: EMAIL or --file, the
// email address, and every line of the file.
func (o *createUserOptions) validate() ([]userLine, error) {
	const cmd = "create-user"
	if err := o.Report.Validate(); err != nil {
		return nil, command.Usagef(cmd, "%v", err)
	}
	if o.AskPassword && o.PasswordRecord != "" {
		return nil, command.Usagef(cmd, "--ask-password and --password-record are mutually exclusive")
	}
	if o.File == "" {
		if len(o.Args) != 1 {
			return nil, command.Usagef(cmd, "an EMAIL or --file FILE is required")
		}
		email := strings.TrimSpace(o.Args[0])
		if !emailPattern.MatchString(email) {
			return nil, command.Usagef(cmd, "%q appears not a valid email address", o.Args[0])
		}
		return []userLine{{Email: email, Name: o.Name, Node: o.Node}}, nil
	}
	switch {
	case len(o.Args) > 0:
		return nil, command.Usagef(cmd, "give an EMAIL or --file, not both")
	case o.Name != "":
		return nil, command.Usagef(cmd, "--name applies to a single EMAIL; put names in the file")
	case o.Verbose:
		return nil, command.Usagef(cmd, "-v prints one user's password; it cannot be combined with --file")
	case o.AskPassword || o.PasswordRecord != "":
		return nil, command.Usagef(cmd, "--ask-password and --password-record apply to a single EMAIL, not to --file")
	}
	var in io.Reader
	if o.Env != nil {
		in = o.Env.In
	}
	return readUserFile(o.File, o.Node, in)
}

// prepare makes every read create-user needs before its first write: the
// enterprise (nodes, existing users), the vault (existing records, the
// folder), the password source and the enterprise EC key.
func (o *createUserOptions) prepare(ctx context.Context, lines []userLine) (*plan, error) {
	e, err := o.Source.Enterprise(ctx, false)
	if err != nil {
		return nil, err
	}
	p := &plan{ent: e, server: o.Source.Server()}
	var problems []string
	for _, l := range lines {
		n, err := resolveNode(e, l.Node)
		if err != nil {
			if l.Where == "" {
				return nil, err
			}
			problems = append(problems, fmt.Sprintf("%s: %v", l.Where, err))
		}
		p.nodes = append(p.nodes, n)
	}
	if len(problems) > 0 {
		return nil, (userFile{Cmd: "create-user", Path: o.File, Nothing: "nothing was created"}).problems(problems)
	}
	if len(e.TreeKey) != crypto.AESKeySize {
		return nil, errors.New("create-user: the enterprise tree key is not loaded")
	}
	s, err := o.Source.LiveSession(ctx)
	if err != nil {
		return nil, err
	}
	if s == nil || s.Device == nil || len(s.Device.Token) == 0 {
		return nil, errors.New("create-user: this device has no device token; log in again")
	}
	p.device, p.forbid = s.Device.Token, s.Summary.ForbidRSA
	if p.vault, err = o.Source.Vault(ctx, true); err != nil {
		return nil, err
	}
	if o.Folder != "" {
		if p.folder, err = p.vault.FindFolder(o.Folder); err != nil {
			return nil, fmt.Errorf("--folder: %w", err)
		}
	}
	if o.PasswordRecord != "" {
		r, err := p.vault.FindRecord(o.PasswordRecord)
		if err != nil {
			return nil, fmt.Errorf("--password-record: %w", err)
		}
		pw, ok := r.Password()
		if !ok || pw == "" {
			return nil, fmt.Errorf("--password-record: record %q (%s) has no password", r.Title, r.UID)
		}
		p.password = pw
	}
	if o.AskPassword {
		if p.password, err = o.askPassword(ctx, lines[0].Email); err != nil {
			return nil, err
		}
	}
	for _, l := range lines {
		if existingUser(e, l.Email) == nil {
			if p.entKey, err = o.enterpriseECKey(ctx, e); err != nil {
				return nil, err
			}
			break
		}
	}
	return p, nil
}

// resolveNode finds a node by name, path or id; "" is the root.
func resolveNode(e *enterprise.Enterprise, name string) (*enterprise.Node, error) {
	if name == "" {
		if r := e.Root(); r != nil {
			return r, nil
		}
		return nil, errors.New("the enterprise has no root node")
	}
	return e.Node(name)
}

// existingUser finds an enterprise user by email or alias
// (case-insensitive), not by id.
func existingUser(e *enterprise.Enterprise, email string) *enterprise.User {
	for _, u := range e.Users {
		if strings.EqualFold(u.Username, email) {
			return u
		}
	}
	for _, a := range e.UserAliases {
		if strings.EqualFold(a.Username, email) {
			return e.Users[a.EnterpriseUserId]
		}
	}
	return nil
}

// enterpriseECKey is the enterprise EC public key from the enterprise keys,
// else from enterprise/get_enterprise_public_key (managed companies), as
// Commander falls back to params.enterprise_ec_key.
func (o *createUserOptions) enterpriseECKey(ctx context.Context, e *enterprise.Enterprise) (*ecdh.PublicKey, error) {
	raw := e.ECPublicKey
	if len(raw) == 0 {
		var rs breachwatchpb.EnterprisePublicKeyResponse
		if err := o.Source.Call(ctx, "enterprise/get_enterprise_public_key", nil, &rs); err != nil {
			return nil, fmt.Errorf("create-user: the enterprise EC public key: %w", err)
		}
		raw = rs.EnterpriseECCPublicKey
	}
	if len(raw) == 0 {
		return nil, errors.New("create-user: the enterprise has no EC key pair; an administrator must create it first")
	}
	k, err := crypto.LoadECPublicKey(raw)
	if err != nil {
		return nil, fmt.Errorf("create-user: the enterprise EC public key: %w", err)
	}
	return k, nil
}

// askPassword asks twice, without echo; it is refused without a terminal.
func (o *createUserOptions) askPassword(ctx context.Context, email string) (string, error) {
	if o.Prompt == nil {
		return "", command.Usagef("create-user", "--ask-password needs a terminal to ask on")
	}
	for try := 0; try < 3; try++ {
		pw, err := o.Prompt(ctx, fmt.Sprintf("Master password for %s: ", email))
		if err != nil {
			return "", err
		}
		again, err := o.Prompt(ctx, "Repeat the password: ")
		if err != nil {
			return "", err
		}
		if pw == again {
			return pw, nil
		}
		fmt.Fprintln(o.Env.Err, "The passwords do not match.")
	}
	return "", errors.New("create-user: the passwords did not match")
}

// generatePassword returns n characters from crypto/rand: upper- and
// lower-case letters, digits and the generator's specials, at least one of
// each kind.
func generatePassword(n int) (string, error) {
	const (
		upper  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		lower  = "abcdefghijklmnopqrstuvwxyz"
		digits = "0123456789"
	)
	kinds := []string{upper, lower, digits, passwordSpecials}
	all := strings.Join(kinds, "")
	pick := func(set string) (byte, error) {
		i, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		if err != nil {
			return 0, err
		}
		return set[i.Int64()], nil
	}
	out := make([]byte, n)
	for i := range out {
		set := all
		if i < len(kinds) {
			set = kinds[i]
		}
		c, err := pick(set)
		if err != nil {
			return "", err
		}
		out[i] = c
	}
	for i := n - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return "", err
		}
		out[i], out[j.Int64()] = out[j.Int64()], out[i]
	}
	return string(out), nil
}

func (o *createUserOptions) generate() (string, error) {
	if o.Generate != nil {
		return o.Generate()
	}
	return generatePassword(generatedPasswordLen)
}

// runOne is create-user EMAIL: the record UID on stdout (or the -v login
// details, or the result row with --format/--output); failures are errors
// that say what exists.
func (o *createUserOptions) runOne(ctx context.Context, p *plan, l userLine) error {
	res := o.createUser(ctx, p, l, p.nodes[0])
	if o.flags != nil && (o.flags.Changed("format") || o.flags.Changed("output")) {
		if err := report.Render(o.Env.Out, o.Env.Err, resultReport([]*userResult{res}), o.Report); err != nil {
			return err
		}
		return res.err
	}
	switch {
	case res.Status == statusFailed:
		return res.err
	case o.Verbose && res.password != "":
		printLoginDetails(o.Env.Out, res, l.Name)
	case res.Status == statusExists:
		o.Status("%s", res.Message)
		if res.RecordUID != "" {
			fmt.Fprintln(o.Env.Out, res.RecordUID)
		}
	default:
		o.Status("User %q credentials are stored to record %q", res.Email, createUserTitlePrefix+res.Email)
		fmt.Fprintln(o.Env.Out, res.RecordUID)
	}
	return nil
}

// printLoginDetails is Commander's -v block.
func printLoginDetails(w io.Writer, res *userResult, name string) {
	if res.Status == statusExists {
		fmt.Fprintf(w, "The account %s already exists. Login details below:\n", res.Email)
	} else {
		fmt.Fprintf(w, "The account %s has been created. Login details below:\n", res.Email)
	}
	line := func(label, value string) { fmt.Fprintf(w, "%24s %s\n", label, value) }
	line("Vault Login URL:", res.url)
	line("Email:", res.Email)
	if name != "" {
		line("Name:", name)
	}
	if n := res.node; n != nil && n.ParentId != 0 && n.Name != "" {
		line("Node:", n.Name)
	}
	line("Master Password:", res.password)
	if res.shareURL != "" {
		line("One-Time Share Link:", res.shareURL)
	}
	line("Note:", createUserNotes)
}

// createError is a failed create-user: the message says what exists; the
// cause decides the exit code.
type createError struct {
	msg string
	err error
}

func (e *createError) Error() string { return e.msg }
func (e *createError) Unwrap() error { return e.err }

func (r *userResult) fail(err error, format string, args ...any) *userResult {
	r.Status, r.Message = statusFailed, fmt.Sprintf(format, args...)
	r.err = &createError{msg: "create-user: " + r.Email + ": " + r.Message, err: err}
	return r
}

// createUser creates one user, or finishes what an earlier run left:
//  1. an enterprise user with the email already exists: "already exists";
//     its credential record, if there is one, gets the share link it lacks;
//  2. the credential record "Keeper Account: EMAIL" is stored (or an
//     existing one reused) before the account is requested, so the
//     password is saved first;
//  3. enterprise_allocate_ids, enterprise_user_provision, one incremental
//     enterprise sync;
//  4. a one-time share (7 days) whose link is stored in the record.
func (o *createUserOptions) createUser(ctx context.Context, p *plan, l userLine, node *enterprise.Node) *userResult {
	res := &userResult{Email: l.Email, node: node}
	host, err := vault.ServerHost(p.server)
	if err != nil {
		return res.fail(err, "%v", err)
	}
	res.url = "https://" + host + "/vault#email/" + l.Email
	title := createUserTitlePrefix + l.Email
	caller := vault.CallerFunc(o.Source.VaultCall)
	wopts := vault.WriteOptions{EnterpriseECKey: p.entKey, ForbidRSA: p.forbid}

	var rec *vault.Record
	switch recs := p.vault.RecordsTitled(title); {
	case len(recs) > 1:
		uids := make([]string, len(recs))
		for i, r := range recs {
			uids[i] = r.UID
		}
		return res.fail(nil, "more than one record is titled %q (%s); keep one and run again", title, strings.Join(uids, ", "))
	case len(recs) == 1:
		rec = recs[0]
		if rec.Typed == nil {
			return res.fail(nil, "record %q (%s) is not a typed login record; rename it and run again", title, rec.UID)
		}
		res.RecordUID = rec.UID
		res.password, _ = rec.Password()
		if f := rec.Typed.CustomField("url", shareLabel); f != nil {
			res.shareURL, _ = f.First()
		}
	}

	if u := existingUser(p.ent, l.Email); u != nil {
		res.Status, res.UserID = statusExists, u.EnterpriseUserId
		if rec == nil {
			res.Message = fmt.Sprintf("%s is already an enterprise user (id %d, %s); no record %q in your vault",
				l.Email, u.EnterpriseUserId, u.Status, title)
			return res
		}
		if res.shareURL != "" {
			res.Message = fmt.Sprintf("%s is already an enterprise user (id %d); its credentials are in record %s", l.Email,
				u.EnterpriseUserId, rec.UID)
			return res
		}
		if err := o.shareAndStore(ctx, p, res, rec, caller, wopts); err != nil {
			return res.fail(err, "%s is already an enterprise user (id %d) with credential record %s; %v", l.Email,
				u.EnterpriseUserId, rec.UID, err)
		}
		res.Message = fmt.Sprintf("%s is already an enterprise user (id %d); a one-time share link was added to record %s",
			l.Email, u.EnterpriseUserId, rec.UID)
		return res
	}

	// 2. The credential record, before the account.
	pw := p.password
	if rec == nil {
		if pw == "" {
			if pw, err = o.generate(); err != nil {
				return res.fail(err, "generate a password: %v", err)
			}
		}
		t := vault.NewLogin(title, l.Email, pw, res.url, createUserNotes)
		r, err := p.vault.Add(ctx, caller, t, p.folder, wopts)
		if r == nil {
			return res.fail(err, "the credential record could not be stored: %v; nothing was created", err)
		}
		res.RecordUID, res.password = r.UID, pw
		if err != nil {
			return res.fail(err, "credential record %s was stored, but %v; the account was not created; run again to finish", r.UID, err)
		}
		rec = r
	} else if old, _ := rec.Password(); pw != "" && pw != old || pw == "" && old == "" {
		// Reusing a record whose password is replaced (or missing).
		if pw == "" {
			if pw, err = o.generate(); err != nil {
				return res.fail(err, "generate a password: %v", err)
			}
		}
		t := rec.Typed.Clone()
		if f := t.Field("password"); f != nil {
			f.Value = []any{pw}
		} else {
			t.Fields = append(t.Fields, vault.NewField("password", pw, ""))
		}
		r, err := p.vault.Update(ctx, caller, rec.UID, t, wopts)
		if r == nil {
			return res.fail(err, "the password of credential record %s could not be replaced: %v; the account was not created",
				rec.UID, err)
		}
		res.password = pw
		if err != nil {
			return res.fail(err, "credential record %s got the new password, but %v; the account was not created; run again to finish",
				rec.UID, err)
		}
		rec = r
	} else {
		pw = old
		res.password = pw
	}

	// 3. The account.
	id, err := o.Source.AllocateIDs(ctx, 1)
	if err != nil {
		return res.fail(err, "credential record %s is stored; the account was not created: %v", rec.UID, err)
	}
	u, _, err := enterprise.BuildProvision(enterprise.NewUser{ID: id, Email: l.Email, NodeID: node.NodeId, DisplayName: l.Name,
		Password: pw, TreeKey: p.ent.TreeKey, EnterpriseECKey: p.entKey, ForbidRSA: p.forbid, DeviceToken: p.device,
		Iterations: o.Iterations})
	if err != nil {
		return res.fail(err, "credential record %s is stored; the account was not created: %v", rec.UID, err)
	}
	var rs pb.EnterpriseUsersProvisionResponse
	if err := o.Source.Call(ctx, enterprise.ProvisionEndpoint, enterprise.ProvisionRequest(version.ClientVersion, u), &rs); err != nil {
		return res.fail(err, "credential record %s is stored; creating the account failed (run again: an account that was "+
			"created shows as already existing): %v", rec.UID, err)
	}
	if err := enterprise.CheckProvision(l.Email, &rs); err != nil {
		return res.fail(err, "%v\nThe credential record %s is kept; create-user reuses its password when run again.", err, rec.UID)
	}
	res.Status, res.UserID = statusCreated, id
	var notes []string
	if err := o.Source.Refresh(ctx); err != nil {
		notes = append(notes, fmt.Sprintf("reloading the enterprise data failed: %v", err))
	}

	// 4. The one-time share, stored in the record.
	if err := o.shareAndStore(ctx, p, res, rec, caller, wopts); err != nil {
		return res.fail(err, "account created (id %d) and credential record %s stored; %v", id, rec.UID, err)
	}
	res.Message = strings.Join(append([]string{fmt.Sprintf("credentials are stored to record %q", title)}, notes...), "; ")
	return res
}

// shareAndStore creates the one-time share of rec and stores its link in
// the record (custom url field "One-Time Share").
func (o *createUserOptions) shareAndStore(ctx context.Context, p *plan, res *userResult, rec *vault.Record, caller vault.Caller,
	wopts vault.WriteOptions) error {
	link, err := vault.CreateOneTimeShare(ctx, caller, p.server, rec, res.Email+": Master Password", shareExpiry)
	if err != nil {
		return fmt.Errorf("the one-time share was not created: %w; run again to add it", err)
	}
	t := rec.Typed.Clone()
	t.Custom = append(t.Custom, vault.NewField("url", link, shareLabel))
	r, err := p.vault.Update(ctx, caller, rec.UID, t, wopts)
	if r == nil {
		return fmt.Errorf("a one-time share was created, but its link could not be stored in the record: %w; run again for a new link", err)
	}
	res.shareURL = link
	if err != nil {
		return fmt.Errorf("the share link was stored in the record, but %w", err)
	}
	return nil
}

// resultReport is the rows of create-user: email, status, user_id,
// record_uid, message.
func resultReport(results []*userResult) report.Report {
	rows := make([]userRow, len(results))
	for i, res := range results {
		rows[i] = userRow{Email: res.Email, Status: res.Status, RecordUID: res.RecordUID, Message: res.Message, UserID: res.UserID}
	}
	return userRowsReport(rows, true)
}
