package aws

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/csmm/csmm/internal/collect"
)

// organizationTrail reports the org_cloudtrail_* facts from the trails the
// caller sees in its home region (an organization trail is visible there
// from the management account or the CloudTrail delegated administrator).
// The best organization trail is the one logging, multi-region, with the
// most of the other settings on.
func (c *collector) organizationTrail(ctx context.Context) {
	ct := cloudtrail.NewFromConfig(c.base)
	out, err := ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)})
	if err != nil {
		c.gap(nil, "", trailChecks, err)
		return
	}
	var best *cttypes.Trail
	bestScore := -1
	for i := range out.TrailList {
		t := &out.TrailList[i]
		if !aws.ToBool(t.IsOrganizationTrail) {
			continue
		}
		st, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: t.TrailARN})
		if err != nil {
			c.gap(nil, "", trailChecks, err)
			return
		}
		if !aws.ToBool(st.IsLogging) {
			continue
		}
		score := btoi(aws.ToBool(t.IsMultiRegionTrail))*8 + btoi(aws.ToBool(t.LogFileValidationEnabled))*2 + btoi(aws.ToString(t.KmsKeyId) != "")
		if score > bestScore {
			best, bestScore = t, score
		}
	}
	if best == nil {
		for _, chk := range trailChecks {
			c.result(chk, c.org.id, nil, "", false, "no logging organization trail")
		}
		return
	}
	arn := aws.ToString(best.TrailARN)
	multi := aws.ToBool(best.IsMultiRegionTrail)
	c.result(checkTrailAllRegions, arn, nil, "", multi, map[bool]string{false: "the organization trail logs one region only"}[multi])
	valid := aws.ToBool(best.LogFileValidationEnabled)
	c.result(checkTrailValidation, arn, nil, "", valid, map[bool]string{false: "log file validation is off"}[valid])
	kms := aws.ToString(best.KmsKeyId) != ""
	c.result(checkTrailKMS, arn, nil, "", kms, map[bool]string{false: "the trail's logs are not encrypted with a KMS key"}[kms])
	c.trailBucket(ctx, arn, aws.ToString(best.S3BucketName))
}

// trailBucket reports whether the trail's bucket is outside the caller's
// account (not among its buckets) and has Object Lock.
func (c *collector) trailBucket(ctx context.Context, trail, bucket string) {
	cl := s3.NewFromConfig(c.base, func(o *s3.Options) { o.UsePathStyle = c.base.BaseEndpoint != nil })
	own, listed := false, true
	if c.caller != c.org.management {
		// Only the management account's own bucket list tells.
		c.sink.Gap(collect.Gap{Account: c.caller, Scope: c.orgScope(), Checks: []string{checkTrailArchive}, Reason: collect.Failed,
			Message: "the trail's bucket is compared with the management account's buckets: run from the management account"})
		listed = false
	}
	p := s3.NewListBucketsPaginator(cl, &s3.ListBucketsInput{})
	for listed && p.HasMorePages() && !own {
		out, err := p.NextPage(ctx)
		if err != nil {
			c.gap(nil, "", []string{checkTrailArchive}, err)
			listed = false
			break
		}
		for _, b := range out.Buckets {
			if aws.ToString(b.Name) == bucket {
				own = true
			}
		}
	}
	if listed {
		c.result(checkTrailArchive, trail, nil, "", !own, map[bool]string{true: "the trail's bucket " + bucket + " is in the account that runs the organization"}[own])
	}
	name := bucket
	lock, err := cl.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(name)})
	var ae smithy.APIError
	switch {
	case errors.As(err, &ae) && strings.Contains(ae.ErrorCode(), "ObjectLockConfigurationNotFound"):
		c.result(checkTrailObjectLock, trail, nil, "", false, "the bucket "+name+" has no Object Lock")
	case err != nil:
		c.gap(nil, "", []string{checkTrailObjectLock}, err)
	default:
		on := lock.ObjectLockConfiguration != nil && lock.ObjectLockConfiguration.ObjectLockEnabled == "Enabled"
		c.result(checkTrailObjectLock, trail, nil, "", on, map[bool]string{false: "the bucket " + name + " has no Object Lock"}[on])
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
