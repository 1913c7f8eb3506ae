package service

import (
	"context"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/store"
)

// TokenRequest is a request for a new API token: the API's createToken
// body. The token settings page offers fixed lifetimes instead of
// ExpiresIn and calls IssueToken with the expiry.
type TokenRequest struct {
	// Name tells the token apart from the member's others.
	Name string `json:"name" doc:"What the token is for, e.g. CI pipeline"`
	// Role is the token's role, at most the creator's; the creator's when empty.
	Role csmm.Role `json:"role,omitempty" doc:"The token's role, at most the creator's; the creator's when absent"`
	// ExpiresIn is how long the token is valid (a Go duration such as
	// 720h); it never expires when empty.
	ExpiresIn string `json:"expires_in,omitempty" doc:"How long the token is valid, a duration such as 720h; it never expires when absent"`
}

// NewToken is an issued API token with its secret: the only time the
// secret is shown.
type NewToken struct {
	Token  *store.APIToken `json:"token" nonnull:"true"`
	Secret string          `json:"secret" doc:"The token's secret (csmm_...), shown only in this answer"`
}

// CreateToken issues a token for a member whose role in the organization
// is memberRole, from a request: the role defaults to the member's, and
// ExpiresIn counts from now. Errors: as IssueToken's, and invalid for an
// ExpiresIn that is not a positive duration.
func CreateToken(ctx context.Context, st *store.Store, orgID string, memberRole csmm.Role, userID string, in TokenRequest, now time.Time, actor store.Actor) (*NewToken, error) {
	if in.Role == "" {
		in.Role = memberRole
	}
	var expires time.Time
	if in.ExpiresIn != "" {
		d, err := time.ParseDuration(in.ExpiresIn)
		if err != nil || d <= 0 {
			return nil, csmm.Errorf(csmm.EINVALID, "expires_in %q: expected a positive duration such as 720h", in.ExpiresIn)
		}
		expires = now.Add(d)
	}
	secret, tok, err := IssueToken(ctx, st, orgID, memberRole, userID, in.Name, in.Role, expires, actor)
	if err != nil {
		return nil, err
	}
	return &NewToken{Token: tok, Secret: secret}, nil
}

// IssueToken creates an API token for a member whose role in the
// organization is memberRole, refusing (forbidden) a token role above it.
// It returns the secret, shown once, and the stored token.
func IssueToken(ctx context.Context, st *store.Store, orgID string, memberRole csmm.Role, userID, name string, role csmm.Role, expires time.Time, actor store.Actor) (string, *store.APIToken, error) {
	if !role.Valid() {
		return "", nil, csmm.Errorf(csmm.EINVALID, "role %q: expected owner, admin, assessor or viewer", role)
	}
	if !memberRole.AtLeast(role) {
		return "", nil, csmm.Errorf(csmm.EFORBIDDEN, "a token may not have a role (%s) above its creator's (%s)", role, memberRole)
	}
	secret, hash, err := identity.NewToken(identity.APITokenPrefix)
	if err != nil {
		return "", nil, err
	}
	tok, err := st.CreateAPIToken(ctx, orgID, actor, store.APIToken{
		UserID: userID, Name: strings.TrimSpace(name), Role: role, TokenHash: hash,
		Prefix: identity.TokenHint(secret), Expires: expires,
	})
	if err != nil {
		return "", nil, err
	}
	return secret, tok, nil
}

// ManagesAllTokens reports whether a member with the role lists and revokes
// every API token of the organization (admins and owners), not only their own.
func ManagesAllTokens(role csmm.Role) bool { return role.AtLeast(csmm.RoleAdmin) }

// MemberTokens returns the API tokens of an organization that a member with
// a role manages, revoked ones included, newest first: every token for
// admins and owners, else only the member's own.
func MemberTokens(ctx context.Context, st *store.Store, orgID string, role csmm.Role, userID string) ([]store.APIToken, error) {
	toks, err := st.ListAPITokens(ctx, orgID)
	if err != nil || ManagesAllTokens(role) {
		return toks, err
	}
	var mine []store.APIToken
	for _, t := range toks {
		if t.UserID == userID {
			mine = append(mine, t)
		}
	}
	return mine, nil
}

// RevokeMemberToken revokes an API token of an organization for a member
// with a role: admins and owners revoke any token, others only their own.
// Errors: not_found (a token of another organization or member, or one
// already revoked).
func RevokeMemberToken(ctx context.Context, st *store.Store, orgID string, role csmm.Role, userID, tokenID string, actor store.Actor) error {
	if !ManagesAllTokens(role) {
		toks, err := MemberTokens(ctx, st, orgID, role, userID)
		if err != nil {
			return err
		}
		mine := false
		for _, t := range toks {
			mine = mine || t.ID == tokenID
		}
		if !mine {
			return csmm.Errorf(csmm.ENOTFOUND, "API token %q not found", tokenID)
		}
	}
	return st.RevokeAPIToken(ctx, orgID, actor, tokenID)
}
