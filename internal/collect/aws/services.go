package aws

import (
	"context"
	"errors"
	"strings"

	"github.com/csmm/csmm/internal/collect/aws/awsapi"
)

// guardDuty reports guardduty_enabled: a detector of the region is enabled.
func (c *collector) guardDuty(ctx context.Context, cfg awsapi.Config, a *account, region string) {
	cl := awsapi.New(cfg)
	on := false
	for id, err := range cl.ListDetectors(ctx) {
		if err != nil {
			c.gap(a, region, []string{checkGuardDuty}, err)
			return
		}
		status, err := cl.GetDetector(ctx, id)
		if err != nil {
			c.gap(a, region, []string{checkGuardDuty}, err)
			return
		}
		if status == "ENABLED" {
			on = true
			break
		}
	}
	c.result(checkGuardDuty, a.id+"/"+region, a, region, on, map[bool]string{false: "no enabled GuardDuty detector"}[on])
}

// securityHub reports securityhub_enabled: the account is subscribed to
// Security Hub in the region (DescribeHub answers; an account that is not
// subscribed gets InvalidAccessException).
func (c *collector) securityHub(ctx context.Context, cfg awsapi.Config, a *account, region string) {
	_, err := awsapi.New(cfg).DescribeHub(ctx)
	if ae, ok := errors.AsType[*awsapi.APIError](err); ok && (ae.Code == "InvalidAccessException" || ae.Code == "ResourceNotFoundException") &&
		!strings.Contains(strings.ToLower(ae.Message), "not authorized") {
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
func (c *collector) configRecorder(ctx context.Context, cfg awsapi.Config, a *account, region string) {
	recorders, err := awsapi.New(cfg).DescribeConfigurationRecorderStatus(ctx)
	if err != nil {
		c.gap(a, region, []string{checkConfig}, err)
		return
	}
	on := false
	for _, r := range recorders {
		on = on || r.Recording
	}
	c.result(checkConfig, a.id+"/"+region, a, region, on, map[bool]string{false: "no configuration recorder is recording"}[on])
}
