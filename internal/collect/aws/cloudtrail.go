package aws

import (
	"context"
	"strings"

	"github.com/csmm/csmm/internal/collect"
	"github.com/csmm/csmm/internal/collect/aws/awsapi"
)

// organizationTrail reports the org_cloudtrail_* facts from the trails the
// caller sees in its home region (an organization trail is visible there
// from the management account or the CloudTrail delegated administrator).
// The best organization trail is the one logging, multi-region, with the
// most of the other settings on.
func (c *collector) organizationTrail(ctx context.Context) {
	ct := awsapi.New(c.base)
	trails, err := ct.DescribeTrails(ctx, true)
	if err != nil {
		c.gap(nil, "", trailChecks, err)
		return
	}
	var best *awsapi.Trail
	bestScore := -1
	for i := range trails {
		t := &trails[i]
		if !t.IsOrganizationTrail {
			continue
		}
		logging, err := ct.GetTrailStatus(ctx, t.TrailARN)
		if err != nil {
			c.gap(nil, "", trailChecks, err)
			return
		}
		if !logging {
			continue
		}
		score := btoi(t.IsMultiRegionTrail)*8 + btoi(t.LogFileValidationEnabled)*2 + btoi(t.KmsKeyID != "")
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
	arn := best.TrailARN
	multi := best.IsMultiRegionTrail
	c.result(checkTrailAllRegions, arn, nil, "", multi, map[bool]string{false: "the organization trail logs one region only"}[multi])
	valid := best.LogFileValidationEnabled
	c.result(checkTrailValidation, arn, nil, "", valid, map[bool]string{false: "log file validation is off"}[valid])
	kms := best.KmsKeyID != ""
	c.result(checkTrailKMS, arn, nil, "", kms, map[bool]string{false: "the trail's logs are not encrypted with a KMS key"}[kms])
	c.trailBucket(ctx, arn, best.S3BucketName)
}

// trailBucket reports whether the trail's bucket is outside the caller's
// account (not among its buckets) and has Object Lock.
func (c *collector) trailBucket(ctx context.Context, trail, bucket string) {
	cl := awsapi.New(c.base)
	own, listed := false, true
	if c.caller != c.org.management {
		// Only the management account's own bucket list tells.
		c.sink.Gap(collect.Gap{Account: c.caller, Scope: c.orgScope(), Checks: []string{checkTrailArchive}, Reason: collect.Failed,
			Message: "the trail's bucket is compared with the management account's buckets: run from the management account"})
		listed = false
	}
	if listed {
		for b, err := range cl.ListBuckets(ctx) {
			if err != nil {
				c.gap(nil, "", []string{checkTrailArchive}, err)
				listed = false
				break
			}
			if b.Name == bucket {
				own = true
				break
			}
		}
	}
	if listed {
		c.result(checkTrailArchive, trail, nil, "", !own, map[bool]string{true: "the trail's bucket " + bucket + " is in the account that runs the organization"}[own])
	}
	name := bucket
	lock, err := cl.GetObjectLockConfiguration(ctx, name)
	switch {
	case strings.Contains(awsapi.ErrorCode(err), "ObjectLockConfigurationNotFound"):
		c.result(checkTrailObjectLock, trail, nil, "", false, "the bucket "+name+" has no Object Lock")
	case err != nil:
		c.gap(nil, "", []string{checkTrailObjectLock}, err)
	default:
		on := lock == "Enabled"
		c.result(checkTrailObjectLock, trail, nil, "", on, map[bool]string{false: "the bucket " + name + " has no Object Lock"}[on])
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
