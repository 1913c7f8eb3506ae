package aws

import (
	"context"
	"fmt"

	"github.com/csmm/csmm/internal/collect"
	"github.com/csmm/csmm/internal/collect/aws/awsapi"
)

// orgInfo is what the walk of AWS Organizations found: kept for the run
// (one entry per account and OU, no responses).
type orgInfo struct {
	id         string
	management string
	root       string
	ous        []string
	accounts   []account
	// admins maps a service principal to its delegated administrator.
	admins map[string]string
	// targetSCPs caches the facts of the SCPs attached to the root and OUs.
	targetSCPs map[string]scpFacts
	targetErr  map[string]error
	client     *awsapi.Client
}

// walkOrganization lists the organization's OU tree and active accounts.
func (c *collector) walkOrganization(ctx context.Context) (*orgInfo, error) {
	cl := awsapi.New(c.base)
	desc, err := cl.DescribeOrganization(ctx)
	if err != nil {
		return nil, fmt.Errorf("aws: read the organization (organizations:DescribeOrganization; run from the management account or a delegated administrator): %w", err)
	}
	o := &orgInfo{
		id: desc.ID, management: desc.MasterAccountID,
		admins: map[string]string{}, targetSCPs: map[string]scpFacts{}, targetErr: map[string]error{},
		client: cl,
	}
	roots, err := cl.ListRoots(ctx)
	if err != nil {
		return nil, fmt.Errorf("aws: list the organization's root (organizations:ListRoots): %w", err)
	}
	if len(roots) == 0 {
		return nil, fmt.Errorf("aws: the organization has no root")
	}
	o.root = roots[0].ID
	type node struct {
		id    string
		ids   []string
		names []string
	}
	queue := []node{{id: o.root}}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for acc, err := range cl.ListAccountsForParent(ctx, n.id) {
			if err != nil {
				return nil, fmt.Errorf("aws: list the accounts of %s (organizations:ListAccountsForParent): %w", n.id, err)
			}
			if acc.State != "" && acc.State != "ACTIVE" || acc.State == "" && acc.Status != "ACTIVE" {
				continue
			}
			o.accounts = append(o.accounts, account{id: acc.ID, name: acc.Name, parentOU: n.id != o.root,
				where: collect.Where{Account: acc.ID, OUIDs: n.ids, OUNames: n.names}})
		}
		for ou, err := range cl.ListOrganizationalUnitsForParent(ctx, n.id) {
			if err != nil {
				return nil, fmt.Errorf("aws: list the OUs of %s (organizations:ListOrganizationalUnitsForParent): %w", n.id, err)
			}
			o.ous = append(o.ous, ou.ID)
			queue = append(queue, node{id: ou.ID,
				ids:   append(append([]string(nil), n.ids...), ou.ID),
				names: append(append([]string(nil), n.names...), ou.Name)})
		}
	}
	return o, nil
}

// orgFacts reads the facts about the organization as a whole: delegated
// administrators, the organization trail, and the SCPs of the root and OUs
// (accounts' own SCPs are read with each account).
func (c *collector) orgFacts(ctx context.Context) {
	c.delegatedAdmins(ctx)
	c.organizationTrail(ctx)
	for _, t := range append([]string{c.org.root}, c.org.ous...) {
		f, err := c.scpsOf(ctx, t)
		if err != nil {
			c.org.targetErr[t] = err
			continue
		}
		c.org.targetSCPs[t] = f
	}
}

// accountOrgFacts reports what the organization says about an account: its
// place in the OU tree, its effective SCPs and whether a backup policy
// applies.
func (c *collector) accountOrgFacts(ctx context.Context, a *account) {
	detail := ""
	if !a.parentOU {
		detail = "the account sits directly under the root"
	}
	c.result(checkAccountInOU, a.id, a, "", a.parentOU, detail)
	c.accountSCPs(ctx, a)
	c.backupPolicy(ctx, a)
}
