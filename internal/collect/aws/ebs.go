package aws

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// ebsDefaultEncryption reports ebs_default_encryption.
func (c *collector) ebsDefaultEncryption(ctx context.Context, cfg aws.Config, a *account, region string) {
	out, err := ec2.NewFromConfig(cfg).GetEbsEncryptionByDefault(ctx, &ec2.GetEbsEncryptionByDefaultInput{})
	if err != nil {
		c.gap(a, region, []string{checkEBSEncryption}, err)
		return
	}
	on := aws.ToBool(out.EbsEncryptionByDefault)
	c.result(checkEBSEncryption, a.id+"/"+region, a, region, on, map[bool]string{false: "EBS encryption by default is off"}[on])
}
