package awsapi

import (
	"strings"
)

// protocol is a service's wire protocol.
type protocol int

const (
	protoQuery    protocol = iota // form-encoded Action, XML answers (IAM, STS)
	protoEC2                      // the EC2 flavour of query
	protoJSON                     // JSON 1.1 with X-Amz-Target
	protoRESTJSON                 // REST with JSON bodies
	protoRESTXML                  // REST with XML bodies (S3, S3 Control)
)

// service describes one AWS service as this package calls it.
type service struct {
	// id is the service ID (as in AWS_ENDPOINT_URL_<ID>, spaces as
	// underscores, and in error messages).
	id string
	// signing is the SigV4 signing name; prefix the endpoint's host prefix.
	signing, prefix string
	// iam is the prefix of the service's IAM actions.
	iam   string
	proto protocol
	// target is the JSON 1.1 X-Amz-Target prefix; version the query API
	// version.
	target, version string
	// global, when set, gives the one endpoint host and signing region of
	// a partition.
	global func(p partition) (host, region string)
}

var (
	svcSTS = &service{id: "STS", signing: "sts", prefix: "sts", iam: "sts", proto: protoQuery, version: "2011-06-15"}
	svcIAM = &service{id: "IAM", signing: "iam", prefix: "iam", iam: "iam", proto: protoQuery, version: "2010-05-08",
		global: func(p partition) (string, string) {
			switch p.name {
			case "aws-cn":
				return "iam.cn-north-1.amazonaws.com.cn", "cn-north-1"
			case "aws-us-gov":
				return "iam.us-gov.amazonaws.com", "us-gov-west-1"
			}
			return "iam.amazonaws.com", "us-east-1"
		}}
	svcOrganizations = &service{id: "Organizations", signing: "organizations", prefix: "organizations", iam: "organizations",
		proto: protoJSON, target: "AWSOrganizationsV20161128",
		global: func(p partition) (string, string) {
			switch p.name {
			case "aws-cn":
				return "organizations.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1"
			case "aws-us-gov":
				return "organizations.us-gov-west-1.amazonaws.com", "us-gov-west-1"
			}
			return "organizations.us-east-1.amazonaws.com", "us-east-1"
		}}
	svcEC2            = &service{id: "EC2", signing: "ec2", prefix: "ec2", iam: "ec2", proto: protoEC2, version: "2016-11-15"}
	svcS3             = &service{id: "S3", signing: "s3", prefix: "s3", iam: "s3", proto: protoRESTXML}
	svcS3Control      = &service{id: "S3 Control", signing: "s3", prefix: "s3-control", iam: "s3", proto: protoRESTXML}
	svcCloudTrail     = &service{id: "CloudTrail", signing: "cloudtrail", prefix: "cloudtrail", iam: "cloudtrail", proto: protoJSON, target: "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"}
	svcConfig         = &service{id: "Config Service", signing: "config", prefix: "config", iam: "config", proto: protoJSON, target: "StarlingDoveService"}
	svcSSOAdmin       = &service{id: "SSO Admin", signing: "sso", prefix: "sso", iam: "sso", proto: protoJSON, target: "SWBExternalService"}
	svcGuardDuty      = &service{id: "GuardDuty", signing: "guardduty", prefix: "guardduty", iam: "guardduty", proto: protoRESTJSON}
	svcSecurityHub    = &service{id: "SecurityHub", signing: "securityhub", prefix: "securityhub", iam: "securityhub", proto: protoRESTJSON}
	svcAccessAnalyzer = &service{id: "AccessAnalyzer", signing: "access-analyzer", prefix: "access-analyzer", iam: "access-analyzer", proto: protoRESTJSON}
	// svcSSO is the IAM Identity Center portal (GetRoleCredentials).
	svcSSO = &service{id: "SSO", signing: "awsssoportal", prefix: "portal.sso", iam: "sso", proto: protoRESTJSON}
	// svcSSOOIDC refreshes IAM Identity Center tokens (CreateToken).
	svcSSOOIDC = &service{id: "SSO OIDC", signing: "sso-oauth", prefix: "oidc", iam: "sso-oauth", proto: protoRESTJSON}
)

// partition is an AWS partition: its name (in ARNs) and DNS suffix.
type partition struct{ name, suffix string }

// PartitionOf returns the partition of a region: aws-cn for cn-*,
// aws-us-gov for us-gov-*, aws otherwise.
func PartitionOf(region string) string { return partitionOf(region).name }

func partitionOf(region string) partition {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return partition{"aws-cn", "amazonaws.com.cn"}
	case strings.HasPrefix(region, "us-gov-"):
		return partition{"aws-us-gov", "amazonaws.com"}
	case strings.HasPrefix(region, "us-iso-"):
		return partition{"aws-iso", "c2s.ic.gov"}
	case strings.HasPrefix(region, "us-isob-"):
		return partition{"aws-iso-b", "sc2s.sgov.gov"}
	}
	return partition{"aws", "amazonaws.com"}
}

// envName is the suffix of the service's AWS_ENDPOINT_URL_ variable.
func (s *service) envName() string {
	return strings.ToUpper(strings.ReplaceAll(s.id, " ", "_"))
}

// endpoint is where a request goes and how it is signed.
type endpoint struct {
	base      string // scheme://host[:port][/path], no trailing slash
	region    string // signing region
	override  bool   // a configured endpoint, not AWS's
	pathStyle bool   // S3 buckets in the path
}

// resolve returns the endpoint of svc in region: the configured override
// (per service, then global) or AWS's public endpoint.
func (c *Config) resolve(svc *service, region string) endpoint {
	if u := c.ServiceEndpoints[svc.envName()]; u != "" {
		return endpoint{base: strings.TrimRight(u, "/"), region: region, override: true, pathStyle: true}
	}
	if c.BaseEndpoint != "" {
		return endpoint{base: strings.TrimRight(c.BaseEndpoint, "/"), region: region, override: true, pathStyle: true}
	}
	p := partitionOf(region)
	if svc.global != nil {
		host, r := svc.global(p)
		return endpoint{base: "https://" + host, region: r}
	}
	return endpoint{base: "https://" + svc.prefix + "." + region + "." + p.suffix, region: region}
}
