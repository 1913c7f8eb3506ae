package aws

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// backupPolicy reports backup_org_policy: an AWS Backup policy of the
// organization is in effect for the account.
func (c *collector) backupPolicy(ctx context.Context, a *account) {
	_, err := c.org.client.DescribeEffectivePolicy(ctx, &organizations.DescribeEffectivePolicyInput{
		PolicyType: orgtypes.EffectivePolicyTypeBackupPolicy, TargetId: aws.String(a.id)})
	if _, ok := errors.AsType[*orgtypes.EffectivePolicyNotFoundException](err); ok {
		c.result(checkBackupOrgPolicy, a.id, a, "", false, "no backup policy applies to the account")
		return
	}
	if err != nil {
		c.gap(a, "", []string{checkBackupOrgPolicy}, err)
		return
	}
	c.result(checkBackupOrgPolicy, a.id, a, "", true, "")
}
