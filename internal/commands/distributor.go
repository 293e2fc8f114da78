package commands

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/keeper-go/keeper/internal/command"
	"github.com/keeper-go/keeper/internal/keeper/enterprise"
	"github.com/keeper-go/keeper/internal/keeper/msp"
	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/rest"
	"github.com/keeper-go/keeper/internal/report"
)

// distributor: a distributor's view of the MSPs it manages and of their
// permits (Commander's commands/distributor.py, a group command whose
// default verb is info). The verbs are positional words of one command:
//
//	distributor [info]              the MSPs
//	distributor msp-info MSP        one MSP's managed companies
//	distributor license [MSP...]    view or change MSP permits

// distributorVerbs maps every spelling of a verb (Commander's names and
// aliases, any case) to its name.
var distributorVerbs = map[string]string{
	"info": "info", "i": "info",
	"msp-info": "msp-info", "mi": "msp-info",
	"license": "license", "l": "license",
}

// distributorFlags are the flags each verb takes.
var distributorFlags = map[string][]string{
	"info":     {"reload", "mc-details", "verbose", "format", "output"},
	"msp-info": {"reload", "verbose", "format", "output"},
	"license": {"add-product", "remove-product", "add-addon", "remove-addon", "max-file-plan", "allocate-unlimited",
		"format", "output"},
}

type distributorOptions struct {
	base
	Source distributorSource
	Cache  *distributorCache
	Status func(string, ...any)
	flags  *pflag.FlagSet

	Reload    bool
	MCDetails bool
	Verbose   bool

	AddProducts       []string
	RemoveProducts    []string
	AddAddOns         []string
	RemoveAddOns      []string
	MaxFilePlan       string
	AllocateUnlimited unlimitedSwitch

	Report report.Options
}

// distributorCache keeps the MSP list of the process, as Commander keeps
// it in params.enterprise: until --reload or a license change.
type distributorCache struct {
	enterprise int32
	msps       []msp.DistributorMSP
	ok         bool
}

func newDistributorCmd(f *Factory, runF func(context.Context, *distributorOptions) error) *command.Command {
	cache := &distributorCache{}
	return &command.Command{
		Name: "distributor", Aliases: []string{"ds"}, Group: GroupMSP,
		// No Needs: the options are checked first, then the account's
		// enterprise is loaded, which logs in on demand and refuses
		// non-administrators as NeedEnterpriseAdmin does.
		Summary: "Manage distributor-specific features",
		Args:    "[info | msp-info MSP | license [MSP|PATTERN...]]",
		Long: `For distributor accounts, which manage MSPs: list the MSPs and their managed companies, and view or
change what each MSP may sell. Sub-commands (info when none is given):

  info (i)                  the MSPs: managed companies, unlimited licences, allowed add-ons, licences
                            used, KSM, KCM, PAM and other add-ons.
                            Flags: --mc-details (a row per managed company), -v (names uncut), --reload,
                            --format, --output
  msp-info (mi) MSP         the managed companies of one MSP (name or id, any case).
                            Flags: -v (add-ons listed), --reload, --format, --output
  license (l) [MSP...]      the permits of the MSPs named (id, name or a name pattern such as 'Bob*' or
                            '*', any case; all MSPs when none is named), after changing them with
                            --add-product/--remove-product PRODUCT (business, businessPlus,
                            businessStarter, enterprise, enterprisePlus; also enterprise_plus),
                            --add-addon/--remove-addon ADDON, --max-file-plan 100GB|1TB|10TB,
                            --allocate-unlimited on|off (also true|false). The product and add-on flags
                            may be repeated.
                            Flags: those, --format, --output

Every MSP named must exist and every value is checked before anything is sent; an MSP whose permits
would not change is not sent. The data comes from the logged-in account's own enterprise, which must
be a distributor. JSON output: info and msp-info print Commander's MSP records (info a list, msp-info
one), license one object per MSP with the keys ` + strings.Join(command.JSONKeys(distLicenseJSON{}), ", ") + ".",
		Examples: []string{
			"distributor info",
			"distributor info --mc-details --format csv --output msp-report.csv",
			`distributor msp-info "Bob's msp"`,
			`distributor license "Bob's MSP" --add-product business`,
			`distributor license "My MSP" 3456 --max-file-plan 1TB`,
			"distributor license --allocate-unlimited=off *",
			"ds --format json",
		},
		JSON:         distMSPJSON{},
		ValidateArgs: validateDistributorArgs,
		Setup: func(fs *pflag.FlagSet) command.Runner {
			o := &distributorOptions{Source: f.Session, Cache: cache, Status: f.status(), flags: fs}
			fs.BoolVar(&o.Reload, "reload", false, "read the MSPs from the server again (info, msp-info)")
			fs.BoolVar(&o.MCDetails, "mc-details", false, "a row per managed company under each MSP (info)")
			fs.BoolVarP(&o.Verbose, "verbose", "v", false, "names uncut; add-on lists (info, msp-info)")
			fs.StringArrayVar(&o.AddProducts, "add-product", nil, "allow the MSP to sell `PRODUCT`, repeatable (license)")
			fs.StringArrayVar(&o.RemoveProducts, "remove-product", nil, "stop the MSP selling `PRODUCT`, repeatable (license)")
			fs.StringArrayVar(&o.AddAddOns, "add-addon", nil, "allow the MSP to sell `ADDON`, repeatable (license)")
			fs.StringArrayVar(&o.RemoveAddOns, "remove-addon", nil, "stop the MSP selling `ADDON`, repeatable (license)")
			fs.StringVar(&o.MaxFilePlan, "max-file-plan", "", "largest `FILE_PLAN` the MSP may sell: 100GB, 1TB or 10TB (license)")
			fs.Var(&o.AllocateUnlimited, "allocate-unlimited", "allow the MSP to allocate unlimited licences: `on|off` (also true|false; license)")
			o.Report.AddFlags(fs)
			return runner(o, runF, distributorRun)
		},
	}
}

// unlimitedSwitch is --allocate-unlimited: on|off as Commander takes it, or
// true|false as Keeper's documentation writes it.
type unlimitedSwitch struct{ onOff }

func (v *unlimitedSwitch) Set(s string) error {
	t := strings.ToLower(strings.TrimSpace(s))
	switch t {
	case "true":
		t = "on"
	case "false":
		t = "off"
	}
	if err := v.onOff.Set(t); err != nil {
		return fmt.Errorf("%q is not on, off, true or false", s)
	}
	return nil
}

func (v *unlimitedSwitch) Type() string { return "switch" }

func validateDistributorArgs(args []string) error {
	if len(args) == 0 {
		return nil
	}
	verb, ok := distributorVerbs[strings.ToLower(args[0])]
	switch {
	case !ok:
		return command.Usagef("distributor", "unknown sub-command %q (info, msp-info, license)", args[0])
	case verb == "info" && len(args) > 1:
		return command.Usagef("distributor", "unexpected argument %q (distributor info takes none)", args[1])
	case verb == "msp-info" && len(args) < 2:
		return command.Usagef("distributor", `"msp" parameter is required: distributor msp-info MSP`)
	case verb == "msp-info" && len(args) > 2:
		return command.Usagef("distributor", "unexpected argument %q (distributor msp-info MSP takes one)", args[2])
	case verb == "msp-info" && strings.TrimSpace(args[1]) == "":
		return command.Usagef("distributor", `"msp" parameter is required: distributor msp-info MSP`)
	}
	return nil
}

// distAddOnJSON, distMCJSON and distMSPJSON are Commander's distributor
// dicts (DistributorMixin.get_distributor_list), printed by info and
// msp-info --format json.
type distAddOnJSON struct {
	Name              string `json:"name"`
	Enabled           bool   `json:"enabled"`
	IsTrial           bool   `json:"is_trial"`
	Expiration        int64  `json:"expiration"`
	Created           int64  `json:"created"`
	Seats             int32  `json:"seats"`
	ActivationTime    int64  `json:"activation_time"`
	IncludedInProduct bool   `json:"included_in_product"`
	APICallCount      int32  `json:"api_call_count"`
}

type distMCJSON struct {
	MCEnterpriseID   int32           `json:"mc_enterprise_id"`
	MCEnterpriseName string          `json:"mc_enterprise_name"`
	MSPNodeID        int64           `json:"msp_node_id"`
	NumberOfSeats    int32           `json:"number_of_seats"`
	NumberOfUsers    int32           `json:"number_of_users"`
	ProductID        string          `json:"product_id"`
	IsExpired        bool            `json:"is_expired"`
	FilePlanType     string          `json:"file_plan_type"`
	AddOns           []distAddOnJSON `json:"add_ons"`
}

type distMSPJSON struct {
	DistributorName        string          `json:"distributor_name"`
	EnterpriseID           int32           `json:"enterprise_id"`
	EnterpriseName         string          `json:"enterprise_name"`
	AllocatedLicenses      int32           `json:"allocated_licenses"`
	AllowedMCProducts      []string        `json:"allowed_mc_products"`
	AllowedAddOns          []string        `json:"allowed_add_ons"`
	MaxFilePlanType        string          `json:"max_file_plan_type"`
	ManagedCompanies       []distMCJSON    `json:"managed_companies"`
	AllowUnlimitedLicenses bool            `json:"allow_unlimited_licenses"`
	AddOns                 []distAddOnJSON `json:"add_ons"`
}

// distLicenseJSON is one MSP in distributor license --format json:
// products and add-ons by code, the file plan by its display name.
type distLicenseJSON struct {
	MSPID            int32    `json:"msp_id"`
	MSPName          string   `json:"msp_name"`
	UnlimitedAllowed bool     `json:"unlimited_allowed"`
	AllowedProducts  []string `json:"allowed_products"`
	AllowedAddOns    []string `json:"allowed_addons"`
	MaxFilePlan      string   `json:"max_file_plan"`
}

func distAddOns(in []*pb.LicenseAddOn) []distAddOnJSON {
	out := make([]distAddOnJSON, 0, len(in))
	for _, a := range in {
		out = append(out, distAddOnJSON{Name: a.Name, Enabled: a.Enabled, IsTrial: a.IsTrial, Expiration: a.Expiration,
			Created: a.Created, Seats: a.Seats, ActivationTime: a.ActivationTime, IncludedInProduct: a.IncludedInProduct,
			APICallCount: a.ApiCallCount})
	}
	return out
}

func distMSP(m msp.DistributorMSP) distMSPJSON {
	j := distMSPJSON{DistributorName: m.Distributor, EnterpriseID: m.EnterpriseId, EnterpriseName: m.EnterpriseName,
		AllocatedLicenses: m.AllocatedLicenses, AllowedMCProducts: nonNil(m.AllowedMcProducts),
		AllowedAddOns: nonNil(m.AllowedAddOns), MaxFilePlanType: m.MaxFilePlanType, ManagedCompanies: []distMCJSON{},
		AllowUnlimitedLicenses: m.AllowUnlimitedLicenses, AddOns: distAddOns(m.AddOns)}
	for _, mc := range m.ManagedCompanies {
		j.ManagedCompanies = append(j.ManagedCompanies, distMCJSON{MCEnterpriseID: mc.McEnterpriseId,
			MCEnterpriseName: mc.McEnterpriseName, MSPNodeID: mc.MspNodeId, NumberOfSeats: mc.NumberOfSeats,
			NumberOfUsers: mc.NumberOfUsers, ProductID: mc.ProductId, IsExpired: mc.IsExpired, FilePlanType: mc.FilePlanType,
			AddOns: distAddOns(mc.AddOns)})
	}
	return j
}

func distributorRun(ctx context.Context, o *distributorOptions) error {
	verb, args := "info", o.Args
	if len(args) > 0 {
		verb, args = distributorVerbs[strings.ToLower(args[0])], args[1:]
	}
	if err := o.checkFlags(verb); err != nil {
		return err
	}
	if err := o.Report.Validate(); err != nil {
		return err
	}
	var change msp.PermitChange
	if verb == "license" {
		var err error
		if change, err = o.permitChange(); err != nil {
			return err
		}
		if len(args) == 0 && !change.Empty() {
			return command.Usagef("distributor", "Changes to MSP configuration will be ignored. "+
				"Pass MSP ID, name, or name search pattern.")
		}
	}
	e, err := o.Source.AccountEnterprise(ctx, false)
	if err != nil {
		return err
	}
	if !e.Distributor {
		return fmt.Errorf("distributor: this command is only available for Distributors (%q is not one)", e.Name)
	}
	switch verb {
	case "msp-info":
		return o.mspInfo(ctx, e, args[0])
	case "license":
		return o.license(ctx, e, args, change)
	}
	return o.info(ctx, e)
}

// checkFlags refuses a flag the verb does not take.
func (o *distributorOptions) checkFlags(verb string) error {
	if o.flags == nil {
		return nil
	}
	allowed := map[string]bool{"help": true}
	for _, f := range distributorFlags[verb] {
		allowed[f] = true
	}
	var bad []string
	o.flags.Visit(func(f *pflag.Flag) {
		if !allowed[f.Name] {
			bad = append(bad, "--"+f.Name)
		}
	})
	if len(bad) > 0 {
		return command.Usagef("distributor", "distributor %s does not take %s", verb, strings.Join(bad, ", "))
	}
	return nil
}

// permitChange reads the license flags; a value Keeper does not know is a
// usage error.
func (o *distributorOptions) permitChange() (msp.PermitChange, error) {
	var c msp.PermitChange
	usage := func(flag string, err error) error {
		var ie *msp.InputError
		if errors.As(err, &ie) {
			return command.Usagef("distributor", "%s: %s", flag, ie.Msg)
		}
		return err
	}
	for _, s := range o.AddProducts {
		p, err := msp.ParseProduct(s)
		if err != nil {
			return c, usage("--add-product", err)
		}
		c.AddProducts = append(c.AddProducts, p)
	}
	for _, s := range o.RemoveProducts {
		p, err := msp.ParseProduct(s)
		if err != nil {
			return c, usage("--remove-product", err)
		}
		c.RemoveProducts = append(c.RemoveProducts, p)
	}
	for _, s := range o.AddAddOns {
		a, err := msp.ParseAddOnCode(s)
		if err != nil {
			return c, usage("--add-addon", err)
		}
		c.AddAddOns = append(c.AddAddOns, a)
	}
	for _, s := range o.RemoveAddOns {
		a, err := msp.ParseAddOnCode(s)
		if err != nil {
			return c, usage("--remove-addon", err)
		}
		c.RemoveAddOns = append(c.RemoveAddOns, a)
	}
	if o.MaxFilePlan != "" {
		fp, err := msp.ParseFilePlan(o.MaxFilePlan)
		if err != nil {
			return c, usage("--max-file-plan", err)
		}
		c.MaxFilePlan = &fp
	}
	if o.AllocateUnlimited.set {
		on := o.AllocateUnlimited.on
		c.AllowUnlimited = &on
	}
	return c, nil
}

// msps returns the distributor's MSPs, from the cache unless reload.
func (o *distributorOptions) msps(ctx context.Context, e *enterprise.Enterprise, reload bool) ([]msp.DistributorMSP, error) {
	c := o.Cache
	if c != nil && c.ok && !reload && c.enterprise == e.ID {
		return c.msps, nil
	}
	msps, err := msp.DistributorInfo(ctx, o.Source)
	if err != nil {
		var api *rest.APIError
		if errors.As(err, &api) {
			return nil, fmt.Errorf("distributor: this command is only available for Distributors; the server refused: %w", err)
		}
		return nil, fmt.Errorf("distributor: %w", err)
	}
	if c != nil {
		c.enterprise, c.msps, c.ok = e.ID, msps, true
	}
	return msps, nil
}

// cut shortens a name over 40 characters to 37 and "..." unless verbose.
func (o *distributorOptions) cut(name string) string {
	if r := []rune(name); len(r) > 40 && !o.Verbose {
		return string(r[:37]) + "..."
	}
	return name
}

// addOnCells are the KSM, KCM and PAM cells of an MSP or company and the
// short names of its other add-ons not included in the product. PAM shows
// PAM's own seats (Commander shows enabled when KCM is there and writes
// PAM's seats into the KCM cell, and a company with PAM but no KCM makes
// --mc-details fail: commands/distributor.py DistributorInfoCommand).
func addOnCells(addOns []*pb.LicenseAddOn) (ksm, kcm, pam string, others []string) {
	find := func(code string) *pb.LicenseAddOn {
		for _, a := range addOns {
			if a != nil && strings.EqualFold(a.Name, code) {
				return a
			}
		}
		return nil
	}
	seats := func(a *pb.LicenseAddOn) string {
		switch {
		case a == nil:
			return "disabled"
		case a.Seats > 0:
			return fmt.Sprintf("%d seats", a.Seats)
		}
		return "enabled"
	}
	ksm = "disabled"
	if a := find("secrets_manager"); a != nil {
		ksm = "enabled"
		if a.ApiCallCount > 0 {
			ksm = fmt.Sprintf("%d Calls/Month", a.ApiCallCount)
		}
	}
	kcm, pam = seats(find("connection_manager")), seats(find("privileged_access_manager"))
	others = []string{}
	for _, a := range addOns {
		switch strings.ToLower(a.Name) {
		case "connection_manager", "secrets_manager", "privileged_access_manager":
			continue
		}
		if !a.IncludedInProduct {
			others = append(others, addOnShort(a.Name))
		}
	}
	return ksm, kcm, pam, others
}

// addOnShort is an add-on's short name (KSM, ARAM ...), or its code.
func addOnShort(code string) string {
	if i := msp.AddOnIndex(strings.ToLower(code)); i >= 0 {
		return msp.AddOns[i].Short
	}
	return code
}

// seatsCell is a company's total licences: Unlimited above 2000000000.
func seatsCell(n int32) any {
	if n > 2000000000 {
		return "Unlimited"
	}
	return n
}

// usedCell is a company's licences in use: - when it is expired.
func usedCell(mc *pb.ManagedCompany) any {
	if mc.IsExpired {
		return "-"
	}
	return mc.NumberOfUsers
}

func (o *distributorOptions) info(ctx context.Context, e *enterprise.Enterprise) error {
	msps, err := o.msps(ctx, e, o.Reload)
	if err != nil {
		return err
	}
	headers := []string{"ID", "MSP Name", "# MC's"}
	if o.MCDetails {
		headers = append(headers, "MC Name", "Plan", "Storage", "Total Licenses")
	} else {
		headers = append(headers, "Unlimited allowed", "Allowed Addons")
	}
	headers = append(headers, "Licenses used", "KSM", "KCM", "PAM", "Addons")
	r := report.Report{Headers: headers, TitleFunc: report.Verbatim, RowNumbers: true, JSONIndent: 4}
	out := []distMSPJSON{}
	for _, m := range msps {
		out = append(out, distMSP(m))
		name := o.cut(m.EnterpriseName)
		row := []any{m.EnterpriseId, name, len(m.ManagedCompanies)}
		if o.MCDetails {
			row = append(row, nil, nil, nil, nil)
		} else {
			unlimited := "Not Allowed"
			if m.AllowUnlimitedLicenses {
				unlimited = "Allowed"
			}
			allowed := []string{}
			for _, a := range m.AllowedAddOns {
				allowed = append(allowed, addOnShort(a))
			}
			row = append(row, unlimited, allowed)
		}
		ksm, kcm, pam, others := addOnCells(m.AddOns)
		r.Rows = append(r.Rows, append(row, m.AllocatedLicenses, ksm, kcm, pam, others))
		if !o.MCDetails {
			continue
		}
		for _, mc := range m.ManagedCompanies {
			ksm, kcm, pam, others := addOnCells(mc.AddOns)
			r.Rows = append(r.Rows, []any{mc.McEnterpriseId, name, nil, o.cut(mc.McEnterpriseName), planDisplay(mc.ProductId),
				filePlanDisplay(mc.FilePlanType), seatsCell(mc.NumberOfSeats), usedCell(mc), ksm, kcm, pam, others})
		}
	}
	r.JSON = out
	return report.Render(o.Env.Out, o.Env.Err, r, o.Report)
}

// findMSP finds an MSP by id or name, case-insensitively (Commander's
// DistributorMixin.get_msp).
func findMSP(msps []msp.DistributorMSP, nameOrID string) (msp.DistributorMSP, bool) {
	want := strings.ToLower(strings.TrimSpace(nameOrID))
	for _, m := range msps {
		if strconv.Itoa(int(m.EnterpriseId)) == want || strings.ToLower(m.EnterpriseName) == want {
			return m, true
		}
	}
	return msp.DistributorMSP{}, false
}

func (o *distributorOptions) mspInfo(ctx context.Context, e *enterprise.Enterprise, name string) error {
	msps, err := o.msps(ctx, e, o.Reload)
	if err != nil {
		return err
	}
	m, ok := findMSP(msps, name)
	if !ok {
		return fmt.Errorf("distributor msp-info: MSP %q not found", name)
	}
	r := report.Report{Headers: []string{"ID", "MC Name", "Node ID", "Plan", "Storage", "Addons", "Allocated", "Active"},
		TitleFunc: report.Verbatim, RowNumbers: true, JSON: distMSP(m), JSONIndent: 4}
	for _, mc := range m.ManagedCompanies {
		var addOns any = len(mc.AddOns)
		if o.Verbose {
			list := []string{}
			for _, a := range mc.AddOns {
				n := a.Name
				if i := msp.AddOnIndex(a.Name); i >= 0 {
					n = msp.AddOns[i].Short
				}
				if a.Seats > 0 {
					n += fmt.Sprintf(" (%d)", a.Seats)
				}
				list = append(list, n)
			}
			sort.Strings(list)
			addOns = list
		}
		r.Rows = append(r.Rows, []any{mc.McEnterpriseId, o.cut(mc.McEnterpriseName), mc.MspNodeId, planDisplay(mc.ProductId),
			filePlanDisplay(mc.FilePlanType), addOns, seatsCell(mc.NumberOfSeats), usedCell(mc)})
	}
	return report.Render(o.Env.Out, o.Env.Err, r, o.Report)
}

// fnmatchRegexp is Python's fnmatch.translate matched with re.IGNORECASE:
// * any text, ? one character, [seq] and [!seq] sets; everything else
// literal. A pattern Go's regexp cannot take matches literally.
func fnmatchRegexp(pat string) *regexp.Regexp {
	var b strings.Builder
	rs := []rune(pat)
	for i := 0; i < len(rs); i++ {
		switch c := rs[i]; c {
		case '*':
			for i+1 < len(rs) && rs[i+1] == '*' {
				i++
			}
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '[':
			j := i + 1
			if j < len(rs) && rs[j] == '!' {
				j++
			}
			if j < len(rs) && rs[j] == ']' {
				j++
			}
			for j < len(rs) && rs[j] != ']' {
				j++
			}
			if j >= len(rs) {
				b.WriteString(`\[`)
				continue
			}
			stuff := strings.ReplaceAll(string(rs[i+1:j]), `\`, `\\`)
			i = j
			switch {
			case strings.HasPrefix(stuff, "!"):
				stuff = "^" + stuff[1:]
			case strings.HasPrefix(stuff, "^"):
				stuff = `\` + stuff
			}
			b.WriteString("[" + stuff + "]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	re, err := regexp.Compile(`(?is)^(?:` + b.String() + `)$`)
	if err != nil {
		return regexp.MustCompile(`(?is)^` + regexp.QuoteMeta(pat) + `$`)
	}
	return re
}

// matchMSPs selects the MSPs the arguments name (an all-digit argument
// also as an id; every argument as a name pattern), in the server's order;
// it fails, naming them, when arguments match nothing.
func matchMSPs(msps []msp.DistributorMSP, args []string) ([]msp.DistributorMSP, error) {
	picked := map[int32]bool{}
	var missing []string
	for _, a := range args {
		found := false
		id, idErr := strconv.ParseInt(a, 10, 32)
		numeric := idErr == nil && a != "" && strings.Trim(a, "0123456789") == ""
		re := fnmatchRegexp(a)
		for _, m := range msps {
			if (numeric && int64(m.EnterpriseId) == id) || re.MatchString(m.EnterpriseName) {
				picked[m.EnterpriseId], found = true, true
			}
		}
		if !found {
			missing = append(missing, a)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("distributor license: MSP %q not found", strings.Join(missing, ", "))
	}
	var out []msp.DistributorMSP
	for _, m := range msps {
		if picked[m.EnterpriseId] {
			out = append(out, m)
		}
	}
	return out, nil
}

func (o *distributorOptions) license(ctx context.Context, e *enterprise.Enterprise, args []string, c msp.PermitChange) error {
	// A change replaces the permits wholesale: start from fresh data.
	msps, err := o.msps(ctx, e, o.Reload || !c.Empty())
	if err != nil {
		return err
	}
	shown := msps
	if len(args) > 0 {
		if shown, err = matchMSPs(msps, args); err != nil {
			return err
		}
	}
	if !c.Empty() {
		sent := 0
		for _, m := range shown {
			rq, changed := msp.NewPermits(m.MspInfo, c)
			if !changed {
				continue
			}
			if len(shown) > 1 {
				o.Status("Updating %s", m.EnterpriseName)
			}
			if err := msp.UpdatePermits(ctx, o.Source, rq); err != nil {
				if sent > 0 {
					return fmt.Errorf("distributor license: %s: %w (the MSPs before it were updated)", m.EnterpriseName, err)
				}
				return fmt.Errorf("distributor license: %s: %w", m.EnterpriseName, err)
			}
			sent++
		}
		if sent == 0 {
			o.Status("Nothing to change")
		} else {
			if msps, err = o.msps(ctx, e, true); err != nil {
				return err
			}
			if shown, err = matchMSPs(msps, args); err != nil {
				return err
			}
		}
	}
	return report.Render(o.Env.Out, o.Env.Err, licenseReport(shown), o.Report)
}

// licenseReport is distributor license's table: products as "code
// (Display)", add-ons as "code (Short)", the largest file plan by name.
func licenseReport(msps []msp.DistributorMSP) report.Report {
	r := report.Report{Headers: []string{"MSP ID", "MSP Name", "Unlimited Allowed", "Allowed Products", "Allowed Addons",
		"Max File Plan"}, TitleFunc: report.Verbatim}
	out := []distLicenseJSON{}
	for _, m := range msps {
		var products, addOns []string
		for _, p := range m.AllowedMcProducts {
			disp := ""
			if pl, ok := msp.PlanByCode(p); ok {
				disp = pl.Display
			}
			products = append(products, fmt.Sprintf("%s (%s)", p, disp))
		}
		for _, a := range m.AllowedAddOns {
			short := ""
			if i := msp.AddOnIndex(strings.ToLower(a)); i >= 0 {
				short = msp.AddOns[i].Short
			}
			addOns = append(addOns, fmt.Sprintf("%s (%s)", strings.ToLower(a), short))
		}
		maxPlan := m.MaxFilePlanType
		if f, ok := msp.FilePlanByName(maxPlan); ok {
			maxPlan = f.Display
		}
		var productCell, addOnCell any
		if len(products) > 0 {
			productCell = products
		}
		if len(addOns) > 0 {
			addOnCell = addOns
		}
		r.Rows = append(r.Rows, []any{m.EnterpriseId, m.EnterpriseName, m.AllowUnlimitedLicenses, productCell, addOnCell, maxPlan})
		out = append(out, distLicenseJSON{MSPID: m.EnterpriseId, MSPName: m.EnterpriseName, UnlimitedAllowed: m.AllowUnlimitedLicenses,
			AllowedProducts: nonNil(m.AllowedMcProducts), AllowedAddOns: nonNil(m.AllowedAddOns), MaxFilePlan: maxPlan})
	}
	r.JSON = out
	return r
}
