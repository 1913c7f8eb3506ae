package aws

import (
	"context"
	"maps"
	"slices"

	"github.com/csmm/csmm/internal/collect"
	"github.com/csmm/csmm/internal/collect/aws/awsapi"
)

// Organization facts read region by region: an organization-scope IAM
// Access Analyzer (in the management account or the Access Analyzer
// delegated administrator) and the IAM Identity Center instance. Each region
// of those accounts adds what it found; finish reports them once every
// region is read.

// readsOrgRegion reports whether an account's regions are searched for the
// organization's analyzer and Identity Center instance.
func (c *collector) readsOrgRegion(a *account) bool {
	return c.org != nil && (a.id == c.caller || a.id == c.org.management || a.id == c.org.admins["access-analyzer.amazonaws.com"])
}

func (c *collector) orgRegion(region string) *regionFact {
	f := c.aa[region]
	if f == nil {
		f = &regionFact{}
		c.aa[region] = f
	}
	return f
}

// orgRegionGap records that a region of an account that may hold the
// organization's analyzer or Identity Center instance could not be read.
func (c *collector) orgRegionGap(region string, g collect.Gap) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.orgRegion(region).gaps = append(c.orgRegion(region).gaps, g)
	c.idc.gaps = append(c.idc.gaps, g)
}

// accessAnalyzerOrg looks for an active analyzer of type ORGANIZATION.
func (c *collector) accessAnalyzerOrg(ctx context.Context, cfg awsapi.Config, a *account, region string) {
	found := false
	for an, err := range awsapi.New(cfg).ListAnalyzers(ctx, "ORGANIZATION") {
		if err != nil {
			g := gapOf(err)
			g.Account, g.Region, g.Scope, g.Checks = a.id, region, c.orgScope(), []string{checkAccessAnalyzerOrg}
			c.mu.Lock()
			c.orgRegion(region).gaps = append(c.orgRegion(region).gaps, g)
			c.mu.Unlock()
			return
		}
		if an.Type == "ORGANIZATION" && an.Status == "ACTIVE" {
			found = true
			break
		}
	}
	c.mu.Lock()
	f := c.orgRegion(region)
	f.found = f.found || found
	f.read++
	c.mu.Unlock()
}

// identityCenter looks for an IAM Identity Center instance.
func (c *collector) identityCenter(ctx context.Context, cfg awsapi.Config, a *account, region string) {
	instances, err := awsapi.New(cfg).ListInstances(ctx, 1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		g := gapOf(err)
		g.Account, g.Region, g.Scope, g.Checks = a.id, region, c.orgScope(), []string{checkIdentityCenter}
		c.idc.gaps = append(c.idc.gaps, g)
		return
	}
	c.idc.read++
	c.idc.found = c.idc.found || len(instances) > 0
}

// finish reports the facts gathered across regions: a region's analyzer
// fact passes when any account found one there, is not evaluated when none
// did and some could not be read, and fails otherwise.
func (c *collector) finish() {
	if c.org == nil {
		return
	}
	for _, region := range slices.Sorted(maps.Keys(c.aa)) {
		f := c.aa[region]
		switch {
		case f.found:
			c.result(checkAccessAnalyzerOrg, c.org.id+"/"+region, nil, region, true, "")
		case len(f.gaps) > 0:
			for _, g := range f.gaps {
				g.Checks, g.Scope = []string{checkAccessAnalyzerOrg}, c.orgScope()
				c.sink.Gap(g)
			}
		default:
			c.result(checkAccessAnalyzerOrg, c.org.id+"/"+region, nil, region, false, "no active organization analyzer in the region")
		}
	}
	switch {
	case c.idc.found:
		c.result(checkIdentityCenter, c.org.id, nil, "", true, "")
	case len(c.idc.gaps) > 0:
		g := c.idc.gaps[0]
		g.Checks, g.Scope = []string{checkIdentityCenter}, c.orgScope()
		c.sink.Gap(g)
	default:
		c.result(checkIdentityCenter, c.org.id, nil, "", false, "no IAM Identity Center instance in any region read")
	}
}
