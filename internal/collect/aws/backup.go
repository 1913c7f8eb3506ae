package aws

import (
	"context"

	"github.com/csmm/csmm/internal/collect/aws/awsapi"
)

// backupPolicy reports backup_org_policy: an AWS Backup policy of the
// organization is in effect for the account.
func (c *collector) backupPolicy(ctx context.Context, a *account) {
	_, err := c.org.client.DescribeEffectivePolicy(ctx, "BACKUP_POLICY", a.id)
	if awsapi.ErrorCode(err) == "EffectivePolicyNotFoundException" {
		c.result(checkBackupOrgPolicy, a.id, a, "", false, "no backup policy applies to the account")
		return
	}
	if err != nil {
		c.gap(a, "", []string{checkBackupOrgPolicy}, err)
		return
	}
	c.result(checkBackupOrgPolicy, a.id, a, "", true, "")
}
