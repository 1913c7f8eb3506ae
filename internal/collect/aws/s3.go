package aws

import (
	"context"
	"strings"

	"github.com/csmm/csmm/internal/collect/aws/awsapi"
)

// s3PublicAccessBlock reports s3_account_public_access_block: all four
// account-level settings on.
func (c *collector) s3PublicAccessBlock(ctx context.Context, cfg awsapi.Config, a *account) {
	b, err := awsapi.New(cfg).GetPublicAccessBlock(ctx, a.id)
	if awsapi.ErrorCode(err) == "NoSuchPublicAccessBlockConfiguration" {
		c.result(checkS3PublicAccess, a.id, a, "", false, "no account-level S3 public access block")
		return
	}
	if err != nil {
		c.gap(a, "", []string{checkS3PublicAccess}, err)
		return
	}
	var off []string
	for name, on := range map[string]bool{"BlockPublicAcls": b.BlockPublicAcls, "IgnorePublicAcls": b.IgnorePublicAcls,
		"BlockPublicPolicy": b.BlockPublicPolicy, "RestrictPublicBuckets": b.RestrictPublicBuckets} {
		if !on {
			off = append(off, name)
		}
	}
	detail := ""
	if len(off) > 0 {
		detail = "off: " + strings.Join(sorted(off), ", ")
	}
	c.result(checkS3PublicAccess, a.id, a, "", len(off) == 0, detail)
}
