// Package aws collects the csmm:aws:* facts from AWS with its own small
// client (package awsapi), using only read-only list, describe and get
// calls (and sts:AssumeRole into member accounts). Run from the management
// account or a delegated administrator with Org set, it walks every active
// account of AWS Organizations; otherwise it reads the caller's account
// alone.
//
// Each fact group has its own file. A fact that cannot be read (the role
// cannot be assumed, access is denied, the region is not enabled, the API
// kept throttling) is reported as a collect.Gap, never as a pass or a fail.
package aws

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/csmm/csmm/internal/collect"
	"github.com/csmm/csmm/internal/collect/aws/awsapi"
)

// Provider is the provider name in check IDs and in the collection.
const Provider = "aws"

// checkPrefix starts the canonical ID of a csmm:aws fact.
const checkPrefix = "csmm:aws:"

// The facts, by name (see the model's csmm:aws checks): constants, so that
// the lists below are static data rather than code run at start.
const (
	checkAccountInOU       = checkPrefix + "org_account_in_ou"
	checkSCPDenyLeave      = checkPrefix + "org_scp_deny_leave"
	checkSCPProtect        = checkPrefix + "org_scp_protect_security_services"
	checkSCPDenyRegions    = checkPrefix + "org_scp_deny_regions"
	checkDelegatedAdmin    = checkPrefix + "org_delegated_admin"
	checkTrailAllRegions   = checkPrefix + "org_cloudtrail_all_regions"
	checkTrailValidation   = checkPrefix + "org_cloudtrail_log_validation"
	checkTrailKMS          = checkPrefix + "org_cloudtrail_kms"
	checkTrailArchive      = checkPrefix + "org_cloudtrail_archive_account"
	checkTrailObjectLock   = checkPrefix + "org_cloudtrail_object_lock"
	checkGuardDuty         = checkPrefix + "guardduty_enabled"
	checkSecurityHub       = checkPrefix + "securityhub_enabled"
	checkConfig            = checkPrefix + "config_recorder_enabled"
	checkAccessAnalyzerOrg = checkPrefix + "access_analyzer_org"
	checkIdentityCenter    = checkPrefix + "identity_center_enabled"
	checkUsersPassword     = checkPrefix + "iam_users_console_password"
	checkUsersAccessKeys   = checkPrefix + "iam_users_access_keys"
	checkRootMFA           = checkPrefix + "root_mfa"
	checkRootAccessKeys    = checkPrefix + "root_access_keys"
	checkS3PublicAccess    = checkPrefix + "s3_account_public_access_block"
	checkEBSEncryption     = checkPrefix + "ebs_default_encryption"
	checkBackupOrgPolicy   = checkPrefix + "backup_org_policy"
)

// The facts of each kind of collection.
var (
	accountChecks    = []string{checkUsersPassword, checkUsersAccessKeys, checkRootMFA, checkRootAccessKeys, checkS3PublicAccess}
	regionalChecks   = []string{checkGuardDuty, checkSecurityHub, checkConfig, checkEBSEncryption}
	orgAccountChecks = []string{checkAccountInOU, checkSCPDenyLeave, checkSCPProtect, checkSCPDenyRegions, checkBackupOrgPolicy}
	trailChecks      = []string{checkTrailAllRegions, checkTrailValidation, checkTrailKMS, checkTrailArchive, checkTrailObjectLock}
)

// Checks lists every check the collector can report, by name.
func Checks() []string {
	return []string{checkAccountInOU, checkSCPDenyLeave, checkSCPProtect, checkSCPDenyRegions, checkDelegatedAdmin,
		checkTrailAllRegions, checkTrailValidation, checkTrailKMS, checkTrailArchive, checkTrailObjectLock,
		checkGuardDuty, checkSecurityHub, checkConfig, checkAccessAnalyzerOrg, checkIdentityCenter,
		checkUsersPassword, checkUsersAccessKeys, checkRootMFA, checkRootAccessKeys, checkS3PublicAccess,
		checkEBSEncryption, checkBackupOrgPolicy}
}

// Options configure a collection.
type Options struct {
	// Profile is the shared configuration profile; empty for the default
	// chain.
	Profile string
	// RoleARN, when set, is assumed first; every call runs as that role.
	RoleARN string
	// Regions to read; empty for every region of each account.
	Regions []string
	// HomeRegion is the region of the global calls (Organizations, IAM, STS,
	// S3 Control); empty for the profile's region, else us-east-1.
	HomeRegion string
	// Org walks every account of the organization.
	Org bool
	// MemberRole is the role name assumed in each member account with Org.
	MemberRole string
	// Concurrency bounds the calls in flight across accounts and regions.
	Concurrency int
	// Scopes puts accounts in assessment scopes; nil puts them in none.
	Scopes *collect.ScopeMap
	// Version is the tool's version, for the provenance.
	Version string
	// MaxAttempts and MaxBackoff configure the retryer (exponential backoff
	// with full jitter); zero for 10 attempts and 20 seconds.
	MaxAttempts int
	MaxBackoff  time.Duration
	// Progress, when set, is told of tasks done and known so far.
	Progress func(done, added int)
	// Config, when set, is used instead of the shared configuration and
	// the credential chain (tests point it at a fake endpoint).
	Config *awsapi.Config
	// Getenv reads the environment of the credential chain; nil for
	// os.Getenv.
	Getenv func(string) string
	// Now is the clock; nil for time.Now.
	Now func() time.Time
}

// Result is what a collection found besides the results it streamed.
type Result struct {
	Provenance collect.Provenance
	// Scopes are the scopes accounts were put in, in mapping order.
	Scopes []string
}

// collector is one run.
type collector struct {
	opts   Options
	base   awsapi.Config
	sink   collect.Sink
	pool   *collect.Pool
	caller string // caller's account

	org       *orgInfo
	mu        sync.Mutex
	aa        map[string]*regionFact // region -> organization analyzer found
	idc       regionFact             // identity center instance found
	regionSet map[string]bool
	policies  map[string]scpFacts

	rootOnce    sync.Once
	rootCentral bool
}

// regionFact gathers, across the calls that may establish a fact, whether
// one found it and the gaps of those that could not be read.
type regionFact struct {
	found bool
	gaps  []collect.Gap
	read  int
}

// Collect runs a collection, streaming results and gaps to sink.
func Collect(ctx context.Context, opts Options, sink collect.Sink) (Result, error) {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	started := now().UTC()
	if opts.MemberRole == "" {
		opts.MemberRole = "OrganizationAccountAccessRole"
	}
	cfg, err := loadConfig(ctx, opts)
	if err != nil {
		return Result{}, err
	}
	c := &collector{opts: opts, base: cfg, sink: sink, aa: map[string]*regionFact{}, regionSet: map[string]bool{}, policies: map[string]scpFacts{}}
	id, err := awsapi.New(cfg).GetCallerIdentity(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("aws: who is calling (sts:GetCallerIdentity): %w", err)
	}
	c.caller = id.Account
	prov := collect.Provenance{Tool: "csmm", Version: opts.Version, Provider: Provider, Caller: id.Arn, Account: c.caller, Started: started}

	var accounts []account
	if opts.Org {
		c.org, err = c.walkOrganization(ctx)
		if err != nil {
			return Result{}, err
		}
		prov.Organization = c.org.id
		accounts = c.org.accounts
	} else {
		accounts = []account{{id: c.caller, where: collect.Where{Account: c.caller}}}
	}
	scopes, err := c.assignScopes(accounts)
	if err != nil {
		return Result{}, err
	}
	prov.Accounts = len(accounts)

	c.pool = collect.NewPool(ctx, opts.Concurrency)
	c.pool.OnProgress = opts.Progress
	if c.org != nil {
		c.orgFacts(ctx)
	}
	for _, a := range accounts {
		c.pool.Add(func(ctx context.Context) { c.account(ctx, a) })
	}
	c.pool.Wait()
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	c.finish()
	for r := range c.regionSet {
		prov.Regions = append(prov.Regions, r)
	}
	slices.Sort(prov.Regions)
	prov.Finished = now().UTC()
	return Result{Provenance: prov, Scopes: scopes}, nil
}

// loadConfig resolves the configuration (or takes opts.Config) and sets
// the retries: exponential backoff with full jitter, throttling retried,
// and no client-side retry quota, so that a long run across hundreds of
// accounts does not give up after a burst of throttles.
func loadConfig(ctx context.Context, opts Options) (awsapi.Config, error) {
	attempts, backoff := opts.MaxAttempts, opts.MaxBackoff
	if attempts == 0 {
		attempts = 10
	}
	if backoff == 0 {
		backoff = 20 * time.Second
	}
	var cfg awsapi.Config
	if opts.Config != nil {
		cfg = *opts.Config
	} else {
		var err error
		cfg, err = awsapi.LoadConfig(ctx, awsapi.LoadOptions{Profile: opts.Profile, Region: opts.HomeRegion, Getenv: opts.Getenv,
			MaxAttempts: attempts, MaxBackoff: backoff})
		if err != nil {
			return awsapi.Config{}, err
		}
	}
	cfg.MaxAttempts, cfg.MaxBackoff = attempts, backoff
	if opts.HomeRegion != "" {
		cfg.Region = opts.HomeRegion
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if opts.RoleARN != "" {
		cfg.Credentials = awsapi.NewAssumeRoleProvider(cfg, opts.RoleARN, "csmm-collect")
	}
	return cfg, nil
}

// account is one account to read.
type account struct {
	id, name string
	where    collect.Where
	scope    string
	parentOU bool // its parent is an OU, not the root
}

func (c *collector) assignScopes(accounts []account) ([]string, error) {
	if c.opts.Scopes == nil {
		return nil, nil
	}
	var errs []error
	for i := range accounts {
		s, err := c.opts.Scopes.Scope(accounts[i].where)
		if err != nil {
			errs = append(errs, err)
		}
		accounts[i].scope = s
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c.opts.Scopes.Order, nil
}

// orgScope is the scope of a fact about the whole organization: every scope,
// unless one scope was given for everything.
func (c *collector) orgScope() string {
	s, _ := c.opts.Scopes.Only()
	return s
}

// result reports a pass or a fail.
func (c *collector) result(chk, resource string, a *account, region string, pass bool, detail string) {
	r := collect.Result{Check: chk, Resource: resource, Region: region, Status: collect.Fail, Detail: detail}
	if pass {
		r.Status = collect.Pass
	}
	if a != nil {
		r.Account, r.Scope = a.id, a.scope
	} else {
		r.Account, r.Scope = c.caller, c.orgScope()
	}
	c.sink.Result(r)
}

// gap reports checks left unevaluated by err.
func (c *collector) gap(a *account, region string, checks []string, err error) {
	g := gapOf(err)
	g.Region = region
	g.Checks = checks
	if a != nil {
		g.Account, g.Scope = a.id, a.scope
	} else {
		g.Account, g.Scope = c.caller, c.orgScope()
	}
	c.sink.Gap(g)
}

// gapOf classifies an error of a call.
func gapOf(err error) collect.Gap {
	g := collect.Gap{Reason: collect.Failed, Message: err.Error()}
	if oe, ok := errors.AsType[*awsapi.OperationError](err); ok {
		g.Operation = oe.Action
	}
	if ae, ok := errors.AsType[*awsapi.APIError](err); ok {
		g.Message = ae.Code + ": " + ae.Message
		switch code := ae.Code; {
		case awsapi.IsThrottle(code):
			g.Reason = collect.Throttled
		case strings.Contains(code, "AccessDenied"), code == "UnauthorizedOperation", code == "AuthorizationError",
			code == "UnauthorizedException", code == "Forbidden":
			g.Reason = collect.AccessDenied
		case code == "OptInRequired", code == "UnrecognizedClientException", code == "InvalidClientTokenId", code == "AuthFailure":
			g.Reason = collect.RegionDisabled
		}
	}
	if errors.Is(err, errAssumeRole) {
		g.Reason = collect.AssumeRoleDenied
		g.Operation = "sts:AssumeRole"
	}
	return g
}

// errAssumeRole marks a member account whose role could not be assumed.
var errAssumeRole = errors.New("assume role")

// memberConfig returns the configuration of a member account: the base
// configuration with the member role's credentials, checked at once so
// that a role that cannot be assumed is one gap, not one per call.
func (c *collector) memberConfig(ctx context.Context, a *account) (awsapi.Config, error) {
	if a.id == c.caller {
		return c.base, nil
	}
	arn := fmt.Sprintf("arn:%s:iam::%s:role/%s", awsapi.PartitionOf(c.base.Region), a.id, c.opts.MemberRole)
	cfg := c.base.WithCredentials(awsapi.NewAssumeRoleProvider(c.base, arn, "csmm-collect"))
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return awsapi.Config{}, fmt.Errorf("%w %s: %w", errAssumeRole, arn, err)
	}
	return cfg, nil
}

// sorted returns s sorted.
func sorted(s []string) []string {
	slices.Sort(s)
	return s
}
