package aws

import (
	"context"

	"github.com/csmm/csmm/internal/collect/aws/awsapi"
)

// ebsDefaultEncryption reports ebs_default_encryption.
func (c *collector) ebsDefaultEncryption(ctx context.Context, cfg awsapi.Config, a *account, region string) {
	on, err := awsapi.New(cfg).GetEbsEncryptionByDefault(ctx)
	if err != nil {
		c.gap(a, region, []string{checkEBSEncryption}, err)
		return
	}
	c.result(checkEBSEncryption, a.id+"/"+region, a, region, on, map[bool]string{false: "EBS encryption by default is off"}[on])
}
