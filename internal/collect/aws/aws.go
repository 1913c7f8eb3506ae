// Package aws collects the csmm:aws:* facts from AWS with aws-sdk-go-v2,
// using only read-only list, describe and get calls (and sts:AssumeRole into
// member accounts). Run from the management account or a delegated
// administrator with Org set, it walks every active account of AWS
// Organizations; otherwise it reads the caller's account alone.
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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/csmm/csmm/internal/collect"
)

// Provider is the provider name in check IDs and in the collection.
const Provider = "aws"

// check returns the canonical ID of a csmm:aws fact.
func check(name string) string { return "csmm:aws:" + name }

// The facts, by name (see the model's csmm:aws checks).
var (
	checkAccountInOU       = check("org_account_in_ou")
	checkSCPDenyLeave      = check("org_scp_deny_leave")
	checkSCPProtect        = check("org_scp_protect_security_services")
	checkSCPDenyRegions    = check("org_scp_deny_regions")
	checkDelegatedAdmin    = check("org_delegated_admin")
	checkTrailAllRegions   = check("org_cloudtrail_all_regions")
	checkTrailValidation   = check("org_cloudtrail_log_validation")
	checkTrailKMS          = check("org_cloudtrail_kms")
	checkTrailArchive      = check("org_cloudtrail_archive_account")
	checkTrailObjectLock   = check("org_cloudtrail_object_lock")
	checkGuardDuty         = check("guardduty_enabled")
	checkSecurityHub       = check("securityhub_enabled")
	checkConfig            = check("config_recorder_enabled")
	checkAccessAnalyzerOrg = check("access_analyzer_org")
	checkIdentityCenter    = check("identity_center_enabled")
	checkUsersPassword     = check("iam_users_console_password")
	checkUsersAccessKeys   = check("iam_users_access_keys")
	checkRootMFA           = check("root_mfa")
	checkRootAccessKeys    = check("root_access_keys")
	checkS3PublicAccess    = check("s3_account_public_access_block")
	checkEBSEncryption     = check("ebs_default_encryption")
	checkBackupOrgPolicy   = check("backup_org_policy")
	accountChecks          = []string{checkUsersPassword, checkUsersAccessKeys, checkRootMFA, checkRootAccessKeys, checkS3PublicAccess}
	regionalChecks         = []string{checkGuardDuty, checkSecurityHub, checkConfig, checkEBSEncryption}
	orgAccountChecks       = []string{checkAccountInOU, checkSCPDenyLeave, checkSCPProtect, checkSCPDenyRegions, checkBackupOrgPolicy}
	trailChecks            = []string{checkTrailAllRegions, checkTrailValidation, checkTrailKMS, checkTrailArchive, checkTrailObjectLock}
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
	// Config, when set, is used instead of the shared configuration (tests
	// point it at a fake endpoint).
	Config *aws.Config
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
	base   aws.Config
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
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Result{}, fmt.Errorf("aws: who is calling (sts:GetCallerIdentity): %w", err)
	}
	c.caller = aws.ToString(id.Account)
	prov := collect.Provenance{Tool: "csmm", Version: opts.Version, Provider: Provider, Caller: aws.ToString(id.Arn), Account: c.caller, Started: started}

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

// loadConfig reads the shared configuration (or takes opts.Config) and sets
// the retryer: exponential backoff with full jitter, throttling retried,
// and no client-side retry quota, so that a long run across hundreds of
// accounts does not give up after a burst of throttles.
func loadConfig(ctx context.Context, opts Options) (aws.Config, error) {
	attempts, backoff := opts.MaxAttempts, opts.MaxBackoff
	if attempts == 0 {
		attempts = 10
	}
	if backoff == 0 {
		backoff = 20 * time.Second
	}
	retryer := func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = attempts
			o.MaxBackoff = backoff
			o.RateLimiter = ratelimit.None
		})
	}
	var cfg aws.Config
	if opts.Config != nil {
		cfg = opts.Config.Copy()
	} else {
		lo := []func(*config.LoadOptions) error{config.WithRetryer(retryer)}
		if opts.Profile != "" {
			lo = append(lo, config.WithSharedConfigProfile(opts.Profile))
		}
		var err error
		cfg, err = config.LoadDefaultConfig(ctx, lo...)
		if err != nil {
			return aws.Config{}, fmt.Errorf("aws: load configuration: %w", err)
		}
	}
	cfg.Retryer = retryer
	if opts.HomeRegion != "" {
		cfg.Region = opts.HomeRegion
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if opts.RoleARN != "" {
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), opts.RoleARN,
			func(o *stscreds.AssumeRoleOptions) { o.RoleSessionName = "csmm-collect" }))
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
	if oe, ok := errors.AsType[*smithy.OperationError](err); ok {
		g.Operation = action(oe.Service(), oe.Operation())
	}
	if ae, ok := errors.AsType[smithy.APIError](err); ok {
		g.Message = ae.ErrorCode() + ": " + ae.ErrorMessage()
		switch code := ae.ErrorCode(); {
		case isThrottle(code):
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

func isThrottle(code string) bool {
	switch code {
	case "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
		"ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
		"BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "EC2ThrottledException":
		return true
	}
	return false
}

// errAssumeRole marks a member account whose role could not be assumed.
var errAssumeRole = errors.New("assume role")

// iamPrefix maps an SDK service ID to its IAM action prefix.
var iamPrefix = map[string]string{
	"Organizations": "organizations", "STS": "sts", "CloudTrail": "cloudtrail", "S3": "s3", "S3 Control": "s3",
	"GuardDuty": "guardduty", "SecurityHub": "securityhub", "Config Service": "config", "AccessAnalyzer": "access-analyzer",
	"SSO Admin": "sso", "IAM": "iam", "EC2": "ec2",
}

// iamAction maps calls whose IAM action is not named like the operation.
var iamAction = map[string]string{
	"s3:ListBuckets":                "s3:ListAllMyBuckets",
	"s3:GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
	"s3:GetPublicAccessBlock":       "s3:GetAccountPublicAccessBlock",
}

// action names a call as its IAM action, service:Action.
func action(service, operation string) string {
	p, ok := iamPrefix[service]
	if !ok {
		p = strings.ToLower(service)
	}
	a := p + ":" + operation
	if m, ok := iamAction[a]; ok {
		return m
	}
	return a
}

// memberConfig returns the configuration of a member account: the base
// configuration with the member role's credentials, checked at once so
// that a role that cannot be assumed is one gap, not one per call.
func (c *collector) memberConfig(ctx context.Context, a *account) (aws.Config, error) {
	if a.id == c.caller {
		return c.base, nil
	}
	cfg := c.base.Copy()
	arn := fmt.Sprintf("arn:%s:iam::%s:role/%s", partition(c.base.Region), a.id, c.opts.MemberRole)
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(c.base), arn,
		func(o *stscreds.AssumeRoleOptions) { o.RoleSessionName = "csmm-collect" }))
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return aws.Config{}, fmt.Errorf("%w %s: %w", errAssumeRole, arn, err)
	}
	return cfg, nil
}

// partition returns the partition of a region.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// sorted returns s sorted.
func sorted(s []string) []string {
	slices.Sort(s)
	return s
}

// withRegion returns cfg for another region.
func withRegion(cfg aws.Config, region string) aws.Config {
	cfg = cfg.Copy()
	cfg.Region = region
	return cfg
}
