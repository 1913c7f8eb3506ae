package aws

import (
	"context"
)

// delegatedServices are the security services whose delegated administrator
// org_delegated_admin looks for, by service principal (Config: either of its
// two principals).
var delegatedServices = [][]string{
	{"guardduty.amazonaws.com"},
	{"securityhub.amazonaws.com"},
	{"config.amazonaws.com", "config-multiaccountsetup.amazonaws.com"},
	{"access-analyzer.amazonaws.com"},
	{"macie.amazonaws.com"},
	{"inspector2.amazonaws.com"},
}

// delegatedAdmins reports org_delegated_admin per service and remembers the
// administrators (the Access Analyzer one is searched for analyzers).
func (c *collector) delegatedAdmins(ctx context.Context) {
	for _, principals := range delegatedServices {
		admin := ""
		var failed error
		for _, sp := range principals {
			for d, err := range c.org.client.ListDelegatedAdministrators(ctx, sp) {
				if err != nil {
					failed = err
					break
				}
				admin = d.ID
				break
			}
			if admin != "" {
				c.org.admins[sp] = admin
				break
			}
		}
		resource := c.org.id + "/" + principals[0]
		switch {
		case admin != "":
			c.result(checkDelegatedAdmin, resource, nil, "", true, "delegated administrator "+admin)
		case failed != nil:
			g := gapOf(failed)
			g.Account, g.Scope, g.Checks = c.caller, c.orgScope(), []string{checkDelegatedAdmin}
			g.Message = principals[0] + ": " + g.Message
			c.sink.Gap(g)
		default:
			c.result(checkDelegatedAdmin, resource, nil, "", false, "no delegated administrator for "+principals[0])
		}
	}
}
