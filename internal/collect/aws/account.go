package aws

import (
	"context"
	"slices"

	"github.com/csmm/csmm/internal/collect"
	"github.com/csmm/csmm/internal/collect/aws/awsapi"
)

// account reads one account: the organization's facts about it (read with
// the caller's credentials, so they do not depend on the member role), then
// its own account-wide facts, then queues one task per region.
func (c *collector) account(ctx context.Context, a account) {
	if c.org != nil {
		c.accountOrgFacts(ctx, &a)
	}
	cfg, err := c.memberConfig(ctx, &a)
	if err != nil {
		c.gap(&a, "", slices.Concat(accountChecks, regionalChecks), err)
		return
	}
	c.iamFacts(ctx, cfg, &a)
	c.s3PublicAccessBlock(ctx, cfg, &a)

	out, err := awsapi.New(cfg).DescribeRegions(ctx, true)
	if err != nil {
		c.gap(&a, "", regionalChecks, err)
		return
	}
	enabled := map[string]bool{}
	var all []string
	for _, r := range out {
		all = append(all, r.Name)
		enabled[r.Name] = r.OptInStatus != "not-opted-in"
	}
	regions := c.opts.Regions
	if len(regions) == 0 {
		regions = all
	}
	slices.Sort(regions)
	var tasks []func(context.Context)
	for _, region := range regions {
		c.mu.Lock()
		c.regionSet[region] = true
		c.mu.Unlock()
		if !enabled[region] {
			g := collect.Gap{Account: a.id, Scope: a.scope, Region: region, Checks: regionalChecks, Reason: collect.RegionDisabled,
				Message: "the region is not enabled for the account (opt-in region)"}
			c.sink.Gap(g)
			if c.readsOrgRegion(&a) {
				c.orgRegionGap(region, g)
			}
			continue
		}
		tasks = append(tasks, func(ctx context.Context) { c.region(ctx, cfg.WithRegion(region), &a, region) })
	}
	// The account's regions run before further accounts start, so that
	// only the accounts being read hold credentials and clients.
	for _, t := range slices.Backward(tasks) {
		c.pool.AddNext(t)
	}
}

// region reads one region of one account.
func (c *collector) region(ctx context.Context, cfg awsapi.Config, a *account, region string) {
	c.guardDuty(ctx, cfg, a, region)
	c.securityHub(ctx, cfg, a, region)
	c.configRecorder(ctx, cfg, a, region)
	c.ebsDefaultEncryption(ctx, cfg, a, region)
	if c.readsOrgRegion(a) {
		c.accessAnalyzerOrg(ctx, cfg, a, region)
		c.identityCenter(ctx, cfg, a, region)
	}
}
