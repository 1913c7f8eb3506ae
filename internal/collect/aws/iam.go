package aws

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// iamFacts reports the IAM facts of an account: the root user's MFA and
// access keys (from the account summary) and the IAM users with a console
// password or an active access key. A member account of an organization
// that manages root access centrally has no root credentials to protect:
// its root_mfa passes.
func (c *collector) iamFacts(ctx context.Context, cfg aws.Config, a *account) {
	cl := iam.NewFromConfig(cfg)
	sum, err := cl.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		c.gap(a, "", []string{checkRootMFA, checkRootAccessKeys}, err)
	} else {
		mfa := sum.SummaryMap["AccountMFAEnabled"] == 1
		detail := map[bool]string{false: "the root user has no MFA"}[mfa]
		if !mfa && c.org != nil && a.id != c.org.management && c.centralRoot(ctx) {
			mfa, detail = true, "root credentials are managed centrally by the organization"
		}
		c.result(checkRootMFA, a.id, a, "", mfa, detail)
		keys := sum.SummaryMap["AccountAccessKeysPresent"]
		c.result(checkRootAccessKeys, a.id, a, "", keys == 0, map[bool]string{true: "the root user has access keys"}[keys > 0])
	}

	var withPassword, withKeys []string
	p := iam.NewListUsersPaginator(cl, &iam.ListUsersInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			c.gap(a, "", []string{checkUsersPassword, checkUsersAccessKeys}, err)
			return
		}
		for _, u := range out.Users {
			name := aws.ToString(u.UserName)
			_, err := cl.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: u.UserName})
			if _, none := errors.AsType[*iamtypes.NoSuchEntityException](err); !none {
				if err != nil {
					c.gap(a, "", []string{checkUsersPassword, checkUsersAccessKeys}, err)
					return
				}
				withPassword = append(withPassword, name)
			}
			kp := iam.NewListAccessKeysPaginator(cl, &iam.ListAccessKeysInput{UserName: u.UserName})
			for kp.HasMorePages() {
				keys, err := kp.NextPage(ctx)
				if err != nil {
					c.gap(a, "", []string{checkUsersPassword, checkUsersAccessKeys}, err)
					return
				}
				for _, k := range keys.AccessKeyMetadata {
					if k.Status == iamtypes.StatusTypeActive {
						withKeys = append(withKeys, name)
						break
					}
				}
			}
		}
	}
	c.result(checkUsersPassword, a.id, a, "", len(withPassword) == 0, users("with a console password", withPassword))
	c.result(checkUsersAccessKeys, a.id, a, "", len(withKeys) == 0, users("with an active access key", withKeys))
}

// users says how many IAM users have something, naming the first few.
func users(what string, names []string) string {
	if len(names) == 0 {
		return ""
	}
	shown := names[:min(len(names), 5)]
	more := ""
	if len(names) > len(shown) {
		more = ", ..."
	}
	return fmt.Sprintf("%d IAM users %s: %s%s", len(names), what, strings.Join(shown, ", "), more)
}

// centralRoot reports whether the organization manages member accounts'
// root credentials centrally (read once, from the caller's account).
func (c *collector) centralRoot(ctx context.Context) bool {
	c.rootOnce.Do(func() {
		out, err := iam.NewFromConfig(c.base).ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{})
		if err != nil {
			return
		}
		for _, f := range out.EnabledFeatures {
			if f == iamtypes.FeatureTypeRootCredentialsManagement {
				c.rootCentral = true
			}
		}
	})
	return c.rootCentral
}
