package awsapi

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/csmm/csmm/internal/lazy"
)

// Operation is one AWS operation this package calls.
type Operation struct {
	// Service is the service ID, Name the operation (and the Client
	// method that calls it), Action the IAM action it needs.
	Service, Name, Action string
}

// Operations lists the operations of Client, by method name. The
// collector's tests derive its IAM policy from the calls in its source.
func Operations() map[string]Operation {
	ops := map[string]Operation{}
	add := func(s *service, names ...string) {
		for _, n := range names {
			a := s.iam + ":" + n
			if m, ok := iamActions.Get()[a]; ok {
				a = m
			}
			ops[n] = Operation{Service: s.id, Name: n, Action: a}
		}
	}
	add(svcSTS, "GetCallerIdentity", "AssumeRole", "AssumeRoleWithWebIdentity")
	add(svcOrganizations, "DescribeOrganization", "ListRoots", "ListAccountsForParent", "ListOrganizationalUnitsForParent",
		"ListPoliciesForTarget", "DescribePolicy", "ListDelegatedAdministrators", "DescribeEffectivePolicy")
	add(svcIAM, "GetAccountSummary", "ListUsers", "GetLoginProfile", "ListAccessKeys", "ListOrganizationsFeatures")
	add(svcCloudTrail, "DescribeTrails", "GetTrailStatus")
	add(svcS3, "ListBuckets", "GetObjectLockConfiguration")
	add(svcS3Control, "GetPublicAccessBlock")
	add(svcEC2, "DescribeRegions", "GetEbsEncryptionByDefault")
	add(svcGuardDuty, "ListDetectors", "GetDetector")
	add(svcSecurityHub, "DescribeHub")
	add(svcConfig, "DescribeConfigurationRecorderStatus")
	add(svcAccessAnalyzer, "ListAnalyzers")
	add(svcSSOAdmin, "ListInstances")
	return ops
}

// iamActions maps calls whose IAM action is not named like the operation.
var iamActions = lazy.Value[map[string]string]{New: func() map[string]string {
	return map[string]string{
		"s3:ListBuckets":                "s3:ListAllMyBuckets",
		"s3:GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
		"s3:GetPublicAccessBlock":       "s3:GetAccountPublicAccessBlock",
	}
}}

func (c *Client) action(r *request) *request {
	if a, ok := iamActions.Get()[r.svc.iam+":"+r.op]; ok {
		r.action = a
	}
	return r
}

// pages calls fetch with "" then with each next token it returns, yielding
// the items, until a page has no token (or repeats the last one), an error
// is yielded or the loop stops.
func pages[T any](fetch func(token string) ([]T, string, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		token := ""
		for {
			items, next, err := fetch(token)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if next == "" || next == token {
				return
			}
			token = next
		}
	}
}

// ---- STS (query)

// CallerIdentity is who signs the calls.
type CallerIdentity struct {
	Account string `xml:"GetCallerIdentityResult>Account"`
	Arn     string `xml:"GetCallerIdentityResult>Arn"`
	UserID  string `xml:"GetCallerIdentityResult>UserId"`
}

// GetCallerIdentity calls sts:GetCallerIdentity.
func (c *Client) GetCallerIdentity(ctx context.Context) (CallerIdentity, error) {
	var out CallerIdentity
	err := c.do(ctx, queryRequest(svcSTS, "GetCallerIdentity", nil), &out)
	return out, err
}

// stsCredentials is the Credentials element of STS answers.
type stsCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

func (s stsCredentials) credentials(source string) (Credentials, error) {
	c := Credentials{AccessKeyID: s.AccessKeyID, SecretAccessKey: s.SecretAccessKey, SessionToken: s.SessionToken, Source: source}
	return c, c.setExpiry(s.Expiration)
}

// AssumeRoleInput are the parameters of sts:AssumeRole.
type AssumeRoleInput struct {
	RoleARN, SessionName, ExternalID string
	// Duration of the session; zero for STS's default (one hour).
	Duration time.Duration
}

// AssumeRole calls sts:AssumeRole and returns the role's credentials.
func (c *Client) AssumeRole(ctx context.Context, in AssumeRoleInput) (Credentials, error) {
	p := url.Values{"RoleArn": {in.RoleARN}, "RoleSessionName": {in.SessionName}}
	if in.ExternalID != "" {
		p.Set("ExternalId", in.ExternalID)
	}
	if in.Duration > 0 {
		p.Set("DurationSeconds", strconv.Itoa(int(in.Duration.Seconds())))
	}
	var out struct {
		Credentials stsCredentials `xml:"AssumeRoleResult>Credentials"`
	}
	if err := c.do(ctx, queryRequest(svcSTS, "AssumeRole", p), &out); err != nil {
		return Credentials{}, err
	}
	return out.Credentials.credentials("sts:AssumeRole " + in.RoleARN)
}

// AssumeRoleWithWebIdentity calls sts:AssumeRoleWithWebIdentity (an
// unsigned call) with an OIDC token and returns the role's credentials.
func (c *Client) AssumeRoleWithWebIdentity(ctx context.Context, roleARN, sessionName, token string) (Credentials, error) {
	r := queryRequest(svcSTS, "AssumeRoleWithWebIdentity", url.Values{
		"RoleArn": {roleARN}, "RoleSessionName": {sessionName}, "WebIdentityToken": {token}})
	r.anonymous = true
	var out struct {
		Credentials stsCredentials `xml:"AssumeRoleWithWebIdentityResult>Credentials"`
	}
	if err := c.do(ctx, r, &out); err != nil {
		return Credentials{}, err
	}
	return out.Credentials.credentials("sts:AssumeRoleWithWebIdentity " + roleARN)
}

// ---- Organizations (JSON 1.1)

// Organization is what DescribeOrganization says.
type Organization struct {
	ID              string `json:"Id"`
	MasterAccountID string `json:"MasterAccountId"`
}

// DescribeOrganization calls organizations:DescribeOrganization.
func (c *Client) DescribeOrganization(ctx context.Context) (Organization, error) {
	var out struct{ Organization Organization }
	err := c.do(ctx, jsonRequest(svcOrganizations, "DescribeOrganization", struct{}{}), &out)
	return out.Organization, err
}

// Root is a root of the organization.
type Root struct {
	ID string `json:"Id"`
}

// ListRoots calls organizations:ListRoots (the first page: an
// organization has one root).
func (c *Client) ListRoots(ctx context.Context) ([]Root, error) {
	var out struct{ Roots []Root }
	err := c.do(ctx, jsonRequest(svcOrganizations, "ListRoots", struct{}{}), &out)
	return out.Roots, err
}

// OrgAccount is an account of the organization.
type OrgAccount struct {
	ID     string `json:"Id"`
	Name   string
	Status string
	State  string
}

type listInput struct {
	ParentID         string `json:"ParentId,omitempty"`
	TargetID         string `json:"TargetId,omitempty"`
	Filter           string `json:",omitempty"`
	ServicePrincipal string `json:",omitempty"`
	NextToken        string `json:",omitempty"`
}

func orgPages[T any](ctx context.Context, c *Client, op string, in listInput, field func(*orgPage[T]) []T) iter.Seq2[T, error] {
	return pages(func(token string) ([]T, string, error) {
		in.NextToken = token
		var out orgPage[T]
		err := c.do(ctx, jsonRequest(svcOrganizations, op, in), &out)
		return field(&out), out.NextToken, err
	})
}

type orgPage[T any] struct {
	Accounts, OrganizationalUnits, Policies, DelegatedAdministrators []T
	NextToken                                                        string
}

// ListAccountsForParent calls organizations:ListAccountsForParent, every
// page.
func (c *Client) ListAccountsForParent(ctx context.Context, parentID string) iter.Seq2[OrgAccount, error] {
	return orgPages(ctx, c, "ListAccountsForParent", listInput{ParentID: parentID}, func(p *orgPage[OrgAccount]) []OrgAccount { return p.Accounts })
}

// OU is an organizational unit.
type OU struct {
	ID   string `json:"Id"`
	Name string
}

// ListOrganizationalUnitsForParent calls
// organizations:ListOrganizationalUnitsForParent, every page.
func (c *Client) ListOrganizationalUnitsForParent(ctx context.Context, parentID string) iter.Seq2[OU, error] {
	return orgPages(ctx, c, "ListOrganizationalUnitsForParent", listInput{ParentID: parentID}, func(p *orgPage[OU]) []OU { return p.OrganizationalUnits })
}

// PolicySummary is a policy attached to a target.
type PolicySummary struct {
	ID   string `json:"Id"`
	Name string
}

// ListPoliciesForTarget calls organizations:ListPoliciesForTarget for one
// policy type (SERVICE_CONTROL_POLICY), every page.
func (c *Client) ListPoliciesForTarget(ctx context.Context, targetID, filter string) iter.Seq2[PolicySummary, error] {
	return orgPages(ctx, c, "ListPoliciesForTarget", listInput{TargetID: targetID, Filter: filter}, func(p *orgPage[PolicySummary]) []PolicySummary { return p.Policies })
}

// DescribePolicy calls organizations:DescribePolicy and returns the
// policy's content.
func (c *Client) DescribePolicy(ctx context.Context, policyID string) (string, error) {
	var out struct{ Policy struct{ Content string } }
	err := c.do(ctx, jsonRequest(svcOrganizations, "DescribePolicy", map[string]string{"PolicyId": policyID}), &out)
	return out.Policy.Content, err
}

// DelegatedAdministrator is an account delegated a service's
// administration.
type DelegatedAdministrator struct {
	ID string `json:"Id"`
}

// ListDelegatedAdministrators calls organizations:ListDelegatedAdministrators
// for a service principal, every page.
func (c *Client) ListDelegatedAdministrators(ctx context.Context, servicePrincipal string) iter.Seq2[DelegatedAdministrator, error] {
	return orgPages(ctx, c, "ListDelegatedAdministrators", listInput{ServicePrincipal: servicePrincipal},
		func(p *orgPage[DelegatedAdministrator]) []DelegatedAdministrator { return p.DelegatedAdministrators })
}

// DescribeEffectivePolicy calls organizations:DescribeEffectivePolicy and
// returns the policy's content (an EffectivePolicyNotFoundException error
// when none applies).
func (c *Client) DescribeEffectivePolicy(ctx context.Context, policyType, targetID string) (string, error) {
	var out struct {
		EffectivePolicy struct{ PolicyContent string }
	}
	err := c.do(ctx, jsonRequest(svcOrganizations, "DescribeEffectivePolicy", map[string]string{"PolicyType": policyType, "TargetId": targetID}), &out)
	return out.EffectivePolicy.PolicyContent, err
}

// ---- IAM (query)

// GetAccountSummary calls iam:GetAccountSummary and returns its summary
// map (AccountMFAEnabled, AccountAccessKeysPresent...).
func (c *Client) GetAccountSummary(ctx context.Context) (map[string]int, error) {
	var out struct {
		Entries []struct {
			Key   string `xml:"key"`
			Value int    `xml:"value"`
		} `xml:"GetAccountSummaryResult>SummaryMap>entry"`
	}
	if err := c.do(ctx, queryRequest(svcIAM, "GetAccountSummary", nil), &out); err != nil {
		return nil, err
	}
	m := map[string]int{}
	for _, e := range out.Entries {
		m[e.Key] = e.Value
	}
	return m, nil
}

// User is an IAM user.
type User struct {
	UserName string `xml:"UserName"`
	Arn      string `xml:"Arn"`
}

// iamPage is the paging of IAM list answers.
type iamPage struct {
	IsTruncated bool   `xml:"IsTruncated"`
	Marker      string `xml:"Marker"`
}

func (p iamPage) next() string {
	if !p.IsTruncated {
		return ""
	}
	return p.Marker
}

// ListUsers calls iam:ListUsers, every page.
func (c *Client) ListUsers(ctx context.Context) iter.Seq2[User, error] {
	return pages(func(marker string) ([]User, string, error) {
		p := url.Values{}
		if marker != "" {
			p.Set("Marker", marker)
		}
		var out struct {
			Result struct {
				Users []User `xml:"Users>member"`
				iamPage
			} `xml:"ListUsersResult"`
		}
		err := c.do(ctx, queryRequest(svcIAM, "ListUsers", p), &out)
		return out.Result.Users, out.Result.next(), err
	})
}

// GetLoginProfile calls iam:GetLoginProfile: nil when the user has a
// console password, a NoSuchEntity error when not.
func (c *Client) GetLoginProfile(ctx context.Context, userName string) error {
	return c.do(ctx, queryRequest(svcIAM, "GetLoginProfile", url.Values{"UserName": {userName}}), nil)
}

// AccessKey is an access key of an IAM user.
type AccessKey struct {
	AccessKeyID string `xml:"AccessKeyId"`
	Status      string `xml:"Status"`
}

// ListAccessKeys calls iam:ListAccessKeys for a user, every page.
func (c *Client) ListAccessKeys(ctx context.Context, userName string) iter.Seq2[AccessKey, error] {
	return pages(func(marker string) ([]AccessKey, string, error) {
		p := url.Values{"UserName": {userName}}
		if marker != "" {
			p.Set("Marker", marker)
		}
		var out struct {
			Result struct {
				Keys []AccessKey `xml:"AccessKeyMetadata>member"`
				iamPage
			} `xml:"ListAccessKeysResult"`
		}
		err := c.do(ctx, queryRequest(svcIAM, "ListAccessKeys", p), &out)
		return out.Result.Keys, out.Result.next(), err
	})
}

// ListOrganizationsFeatures calls iam:ListOrganizationsFeatures and
// returns the features enabled (RootCredentialsManagement...).
func (c *Client) ListOrganizationsFeatures(ctx context.Context) ([]string, error) {
	var out struct {
		Features []string `xml:"ListOrganizationsFeaturesResult>EnabledFeatures>member"`
	}
	err := c.do(ctx, queryRequest(svcIAM, "ListOrganizationsFeatures", nil), &out)
	return out.Features, err
}

// ---- CloudTrail (JSON 1.1)

// Trail is a CloudTrail trail.
type Trail struct {
	Name                     string
	TrailARN                 string
	S3BucketName             string
	KmsKeyID                 string `json:"KmsKeyId"`
	IsMultiRegionTrail       bool
	LogFileValidationEnabled bool
	IsOrganizationTrail      bool
}

// DescribeTrails calls cloudtrail:DescribeTrails.
func (c *Client) DescribeTrails(ctx context.Context, includeShadowTrails bool) ([]Trail, error) {
	var out struct {
		TrailList []Trail `json:"trailList"`
	}
	err := c.do(ctx, jsonRequest(svcCloudTrail, "DescribeTrails", map[string]bool{"includeShadowTrails": includeShadowTrails}), &out)
	return out.TrailList, err
}

// GetTrailStatus calls cloudtrail:GetTrailStatus and returns whether the
// trail is logging.
func (c *Client) GetTrailStatus(ctx context.Context, name string) (bool, error) {
	var out struct{ IsLogging bool }
	err := c.do(ctx, jsonRequest(svcCloudTrail, "GetTrailStatus", map[string]string{"Name": name}), &out)
	return out.IsLogging, err
}

// ---- S3 and S3 Control (REST-XML)

// Bucket is an S3 bucket.
type Bucket struct {
	Name string `xml:"Name"`
}

// ListBuckets calls s3:ListBuckets (IAM action s3:ListAllMyBuckets), every
// page.
func (c *Client) ListBuckets(ctx context.Context) iter.Seq2[Bucket, error] {
	return pages(func(token string) ([]Bucket, string, error) {
		var q url.Values
		if token != "" {
			q = url.Values{"continuation-token": {token}}
		}
		var out struct {
			Buckets           []Bucket `xml:"Buckets>Bucket"`
			ContinuationToken string   `xml:"ContinuationToken"`
		}
		err := c.do(ctx, c.action(restRequest(svcS3, "ListBuckets", "/", q)), &out)
		return out.Buckets, out.ContinuationToken, err
	})
}

// GetObjectLockConfiguration calls s3:GetObjectLockConfiguration (IAM
// action s3:GetBucketObjectLockConfiguration) and returns its
// ObjectLockEnabled ("Enabled"), or an ObjectLockConfigurationNotFoundError.
func (c *Client) GetObjectLockConfiguration(ctx context.Context, bucket string) (string, error) {
	r := c.action(restRequest(svcS3, "GetObjectLockConfiguration", "/", url.Values{"object-lock": {""}}))
	r.bucket = bucket
	var out struct {
		ObjectLockEnabled string `xml:"ObjectLockEnabled"`
	}
	err := c.do(ctx, r, &out)
	return out.ObjectLockEnabled, err
}

// PublicAccessBlock is the account-level S3 public access block.
type PublicAccessBlock struct {
	BlockPublicAcls       bool `xml:"BlockPublicAcls"`
	IgnorePublicAcls      bool `xml:"IgnorePublicAcls"`
	BlockPublicPolicy     bool `xml:"BlockPublicPolicy"`
	RestrictPublicBuckets bool `xml:"RestrictPublicBuckets"`
}

// GetPublicAccessBlock calls S3 Control's GetPublicAccessBlock (IAM action
// s3:GetAccountPublicAccessBlock) for an account, or a
// NoSuchPublicAccessBlockConfiguration error.
func (c *Client) GetPublicAccessBlock(ctx context.Context, accountID string) (PublicAccessBlock, error) {
	r := c.action(restRequest(svcS3Control, "GetPublicAccessBlock", "/v20180820/configuration/publicAccessBlock", nil))
	r.header.Set("X-Amz-Account-Id", accountID)
	r.hostPrefix = accountID + "."
	var out PublicAccessBlock
	err := c.do(ctx, r, &out)
	return out, err
}

// ---- EC2 (EC2 query)

// Region is a region of EC2's DescribeRegions.
type Region struct {
	Name        string `xml:"regionName"`
	OptInStatus string `xml:"optInStatus"`
}

// DescribeRegions calls ec2:DescribeRegions.
func (c *Client) DescribeRegions(ctx context.Context, allRegions bool) ([]Region, error) {
	var out struct {
		Regions []Region `xml:"regionInfo>item"`
	}
	err := c.do(ctx, queryRequest(svcEC2, "DescribeRegions", url.Values{"AllRegions": {strconv.FormatBool(allRegions)}}), &out)
	return out.Regions, err
}

// GetEbsEncryptionByDefault calls ec2:GetEbsEncryptionByDefault.
func (c *Client) GetEbsEncryptionByDefault(ctx context.Context) (bool, error) {
	var out struct {
		On bool `xml:"ebsEncryptionByDefault"`
	}
	err := c.do(ctx, queryRequest(svcEC2, "GetEbsEncryptionByDefault", nil), &out)
	return out.On, err
}

// ---- GuardDuty, Security Hub, Access Analyzer (REST-JSON)

// ListDetectors calls guardduty:ListDetectors and yields the detector IDs,
// every page.
func (c *Client) ListDetectors(ctx context.Context) iter.Seq2[string, error] {
	return pages(func(token string) ([]string, string, error) {
		var q url.Values
		if token != "" {
			q = url.Values{"nextToken": {token}}
		}
		var out struct {
			DetectorIDs []string `json:"detectorIds"`
			NextToken   string   `json:"nextToken"`
		}
		err := c.do(ctx, restRequest(svcGuardDuty, "ListDetectors", "/detector", q), &out)
		return out.DetectorIDs, out.NextToken, err
	})
}

// GetDetector calls guardduty:GetDetector and returns its status (ENABLED
// or DISABLED).
func (c *Client) GetDetector(ctx context.Context, detectorID string) (string, error) {
	var out struct {
		Status string `json:"status"`
	}
	err := c.do(ctx, restRequest(svcGuardDuty, "GetDetector", "/detector/"+url.PathEscape(detectorID), nil), &out)
	return out.Status, err
}

// DescribeHub calls securityhub:DescribeHub and returns the hub's ARN (an
// InvalidAccessException error when the account is not subscribed).
func (c *Client) DescribeHub(ctx context.Context) (string, error) {
	var out struct{ HubArn string }
	err := c.do(ctx, restRequest(svcSecurityHub, "DescribeHub", "/accounts", nil), &out)
	return out.HubArn, err
}

// Analyzer is an IAM Access Analyzer analyzer.
type Analyzer struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Status string `json:"status"`
}

// ListAnalyzers calls access-analyzer:ListAnalyzers for a type
// (ORGANIZATION, ACCOUNT; "" for all), every page.
func (c *Client) ListAnalyzers(ctx context.Context, typ string) iter.Seq2[Analyzer, error] {
	return pages(func(token string) ([]Analyzer, string, error) {
		q := url.Values{}
		if typ != "" {
			q.Set("type", typ)
		}
		if token != "" {
			q.Set("nextToken", token)
		}
		var out struct {
			Analyzers []Analyzer `json:"analyzers"`
			NextToken string     `json:"nextToken"`
		}
		err := c.do(ctx, restRequest(svcAccessAnalyzer, "ListAnalyzers", "/analyzer", q), &out)
		return out.Analyzers, out.NextToken, err
	})
}

// ---- Config, SSO Admin (JSON 1.1)

// RecorderStatus is the status of a Config configuration recorder.
type RecorderStatus struct {
	Name      string `json:"name"`
	Recording bool   `json:"recording"`
}

// DescribeConfigurationRecorderStatus calls
// config:DescribeConfigurationRecorderStatus.
func (c *Client) DescribeConfigurationRecorderStatus(ctx context.Context) ([]RecorderStatus, error) {
	var out struct{ ConfigurationRecordersStatus []RecorderStatus }
	err := c.do(ctx, jsonRequest(svcConfig, "DescribeConfigurationRecorderStatus", struct{}{}), &out)
	return out.ConfigurationRecordersStatus, err
}

// Instance is an IAM Identity Center instance.
type Instance struct {
	InstanceArn string
}

// ListInstances calls sso:ListInstances (one page of at most maxResults).
func (c *Client) ListInstances(ctx context.Context, maxResults int) ([]Instance, error) {
	var out struct{ Instances []Instance }
	err := c.do(ctx, jsonRequest(svcSSOAdmin, "ListInstances", map[string]int{"MaxResults": maxResults}), &out)
	return out.Instances, err
}

// ---- IAM Identity Center portal (REST-JSON, bearer token)

// getRoleCredentials calls the portal's GetRoleCredentials with an access
// token of the SSO cache.
func (c *Client) getRoleCredentials(ctx context.Context, token, accountID, roleName string) (Credentials, error) {
	r := restRequest(svcSSO, "GetRoleCredentials", "/federation/credentials", url.Values{"account_id": {accountID}, "role_name": {roleName}})
	r.header = http.Header{"X-Amz-Sso_bearer_token": {token}}
	r.anonymous = true
	var out struct {
		RoleCredentials struct {
			AccessKeyID     string `json:"accessKeyId"`
			SecretAccessKey string `json:"secretAccessKey"`
			SessionToken    string `json:"sessionToken"`
			Expiration      int64  `json:"expiration"`
		} `json:"roleCredentials"`
	}
	if err := c.do(ctx, r, &out); err != nil {
		return Credentials{}, err
	}
	rc := out.RoleCredentials
	return Credentials{AccessKeyID: rc.AccessKeyID, SecretAccessKey: rc.SecretAccessKey, SessionToken: rc.SessionToken,
		Expires: time.UnixMilli(rc.Expiration), Source: "sso:GetRoleCredentials"}, nil
}
