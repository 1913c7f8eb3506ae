package aws

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/smithy-go"
)

// guardDuty reports guardduty_enabled: a detector of the region is enabled.
func (c *collector) guardDuty(ctx context.Context, cfg aws.Config, a *account, region string) {
	cl := guardduty.NewFromConfig(cfg)
	p := guardduty.NewListDetectorsPaginator(cl, &guardduty.ListDetectorsInput{})
	on := false
	for p.HasMorePages() && !on {
		out, err := p.NextPage(ctx)
		if err != nil {
			c.gap(a, region, []string{checkGuardDuty}, err)
			return
		}
		for _, id := range out.DetectorIds {
			d, err := cl.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String(id)})
			if err != nil {
				c.gap(a, region, []string{checkGuardDuty}, err)
				return
			}
			if d.Status == gdtypes.DetectorStatusEnabled {
				on = true
			}
		}
	}
	c.result(checkGuardDuty, a.id+"/"+region, a, region, on, map[bool]string{false: "no enabled GuardDuty detector"}[on])
}

// securityHub reports securityhub_enabled: the account is subscribed to
// Security Hub in the region (DescribeHub answers; an account that is not
// subscribed gets InvalidAccessException).
func (c *collector) securityHub(ctx context.Context, cfg aws.Config, a *account, region string) {
	_, err := securityhub.NewFromConfig(cfg).DescribeHub(ctx, &securityhub.DescribeHubInput{})
	var ae smithy.APIError
	if errors.As(err, &ae) && (ae.ErrorCode() == "InvalidAccessException" || ae.ErrorCode() == "ResourceNotFoundException") &&
		!strings.Contains(strings.ToLower(ae.ErrorMessage()), "not authorized") {
		c.result(checkSecurityHub, a.id+"/"+region, a, region, false, "Security Hub is not enabled")
		return
	}
	if err != nil {
		c.gap(a, region, []string{checkSecurityHub}, err)
		return
	}
	c.result(checkSecurityHub, a.id+"/"+region, a, region, true, "")
}

// configRecorder reports config_recorder_enabled: a configuration recorder
// of the region is recording.
func (c *collector) configRecorder(ctx context.Context, cfg aws.Config, a *account, region string) {
	out, err := configservice.NewFromConfig(cfg).DescribeConfigurationRecorderStatus(ctx, &configservice.DescribeConfigurationRecorderStatusInput{})
	if err != nil {
		c.gap(a, region, []string{checkConfig}, err)
		return
	}
	on := false
	for _, r := range out.ConfigurationRecordersStatus {
		on = on || r.Recording
	}
	c.result(checkConfig, a.id+"/"+region, a, region, on, map[bool]string{false: "no configuration recorder is recording"}[on])
}
