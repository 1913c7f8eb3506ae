package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/store"
)

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

// createdToken is the answer of createToken: the only time the secret is shown.
type createdToken struct {
	Token  *store.APIToken `json:"token"`
	Secret string          `json:"secret"`
}

func (a *API) createToken(c *call) error {
	var in struct {
		Name      string    `json:"name"`
		Role      csmm.Role `json:"role"`
		ExpiresIn string    `json:"expires_in"`
	}
	if err := c.decode(&in); err != nil {
		return err
	}
	if in.Role == "" {
		in.Role = c.role
	}
	var expires time.Time
	if in.ExpiresIn != "" {
		d, err := time.ParseDuration(in.ExpiresIn)
		if err != nil || d <= 0 {
			return csmm.Errorf(csmm.EINVALID, "expires_in %q: expected a positive duration such as 720h", in.ExpiresIn)
		}
		expires = a.o.Now().Add(d)
	}
	secret, tok, err := IssueToken(c.ctx(), a.o.Store, c.org.ID, c.role, c.who.User.ID, in.Name, in.Role, expires, c.actor)
	if err != nil {
		return err
	}
	return c.reply(http.StatusCreated, createdToken{Token: tok, Secret: secret})
}

// seesAllTokens reports whether the caller manages every token of the
// organization, not only their own.
func (c *call) seesAllTokens() bool { return ManagesAllTokens(c.role) }

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

func (a *API) listTokens(c *call) error {
	toks, err := MemberTokens(c.ctx(), a.o.Store, c.org.ID, c.role, c.who.User.ID)
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, list(toks))
}

func (a *API) revokeToken(c *call) error {
	if err := RevokeMemberToken(c.ctx(), a.o.Store, c.org.ID, c.role, c.who.User.ID, c.r.PathValue("token"), c.actor); err != nil {
		return err
	}
	return c.reply(http.StatusNoContent, nil)
}
