package aws

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/smithy-go"
)

// s3PublicAccessBlock reports s3_account_public_access_block: all four
// account-level settings on.
func (c *collector) s3PublicAccessBlock(ctx context.Context, cfg aws.Config, a *account) {
	out, err := s3control.NewFromConfig(cfg).GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(a.id)})
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "NoSuchPublicAccessBlockConfiguration" {
		c.result(checkS3PublicAccess, a.id, a, "", false, "no account-level S3 public access block")
		return
	}
	if err != nil {
		c.gap(a, "", []string{checkS3PublicAccess}, err)
		return
	}
	b := out.PublicAccessBlockConfiguration
	var off []string
	for name, on := range map[string]*bool{"BlockPublicAcls": b.BlockPublicAcls, "IgnorePublicAcls": b.IgnorePublicAcls,
		"BlockPublicPolicy": b.BlockPublicPolicy, "RestrictPublicBuckets": b.RestrictPublicBuckets} {
		if !aws.ToBool(on) {
			off = append(off, name)
		}
	}
	detail := ""
	if len(off) > 0 {
		detail = "off: " + strings.Join(sorted(off), ", ")
	}
	c.result(checkS3PublicAccess, a.id, a, "", len(off) == 0, detail)
}
