package aws

import (
	"context"
	"fmt"
	"strings"

	"github.com/csmm/csmm/internal/collect/aws/awsapi"
)

// iamFacts reports the IAM facts of an account: the root user's MFA and
// access keys (from the account summary) and the IAM users with a console
// password or an active access key. A member account of an organization
// that manages root access centrally has no root credentials to protect:
// its root_mfa passes.
func (c *collector) iamFacts(ctx context.Context, cfg awsapi.Config, a *account) {
	cl := awsapi.New(cfg)
	sum, err := cl.GetAccountSummary(ctx)
	if err != nil {
		c.gap(a, "", []string{checkRootMFA, checkRootAccessKeys}, err)
	} else {
		mfa := sum["AccountMFAEnabled"] == 1
		detail := map[bool]string{false: "the root user has no MFA"}[mfa]
		if !mfa && c.org != nil && a.id != c.org.management && c.centralRoot(ctx) {
			mfa, detail = true, "root credentials are managed centrally by the organization"
		}
		c.result(checkRootMFA, a.id, a, "", mfa, detail)
		keys := sum["AccountAccessKeysPresent"]
		c.result(checkRootAccessKeys, a.id, a, "", keys == 0, map[bool]string{true: "the root user has access keys"}[keys > 0])
	}

	var withPassword, withKeys []string
	for u, err := range cl.ListUsers(ctx) {
		if err != nil {
			c.gap(a, "", []string{checkUsersPassword, checkUsersAccessKeys}, err)
			return
		}
		name := u.UserName
		if err := cl.GetLoginProfile(ctx, name); awsapi.ErrorCode(err) != "NoSuchEntity" {
			if err != nil {
				c.gap(a, "", []string{checkUsersPassword, checkUsersAccessKeys}, err)
				return
			}
			withPassword = append(withPassword, name)
		}
		for k, err := range cl.ListAccessKeys(ctx, name) {
			if err != nil {
				c.gap(a, "", []string{checkUsersPassword, checkUsersAccessKeys}, err)
				return
			}
			if k.Status == "Active" {
				withKeys = append(withKeys, name)
				break
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
		features, err := awsapi.New(c.base).ListOrganizationsFeatures(ctx)
		if err != nil {
			return
		}
		for _, f := range features {
			if f == "RootCredentialsManagement" {
				c.rootCentral = true
			}
		}
	})
	return c.rootCentral
}
