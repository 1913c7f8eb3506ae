package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/store"
)

// me is the signed-in user as the API shows it.
type me struct {
	User          *store.User              `json:"user"`
	Organizations []store.UserOrganization `json:"organizations"`
	// Token is the API token the request came with, if any.
	Token *store.APIToken `json:"token,omitempty"`
}

func (a *API) getMe(c *call) error {
	orgs, err := a.o.Store.UserOrganizations(c.ctx(), c.who.User.ID)
	if err != nil {
		return err
	}
	if c.who.Token != nil {
		orgs = onlyOrg(orgs, c.who.Token.OrgID)
	}
	if orgs == nil {
		orgs = []store.UserOrganization{}
	}
	return c.reply(http.StatusOK, me{User: c.who.User, Organizations: orgs, Token: c.who.Token})
}

func onlyOrg(orgs []store.UserOrganization, id string) []store.UserOrganization {
	var out []store.UserOrganization
	for _, o := range orgs {
		if o.Organization.ID == id {
			out = append(out, o)
		}
	}
	return out
}

// errSessionOnly refuses account changes made with an API token.
var errSessionOnly = csmm.Errorf(csmm.EFORBIDDEN, "an API token cannot change its user's account; sign in")

func (a *API) changePassword(c *call) error {
	if c.who.Token != nil {
		return errSessionOnly
	}
	var in struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	if err := c.decode(&in); err != nil {
		return err
	}
	if err := ChangePassword(c.ctx(), a.o.Store, a.o.PasswordParams, c.actor, c.who.User, in.Current, in.New); err != nil {
		return err
	}
	return c.reply(http.StatusNoContent, nil)
}

// The limit on wrong current passwords when changing one, per account.
const (
	passwordGuessLimit  = 5
	passwordGuessWindow = 15 * time.Minute
)

// ChangePassword replaces a user's password after checking the current one
// and the policy for the new one; the new one is hashed with argon2id and
// params. The store ends every session of the user with the change: a
// caller that keeps a browser signed in starts a new session afterwards.
// Errors: invalid (a wrong current password, a user without a password, or
// a new password the policy refuses), not_found (the user is gone),
// rate_limited (five wrong current passwords in 15 minutes).
func ChangePassword(ctx context.Context, st *store.Store, params identity.PasswordParams, actor store.Actor, u *store.User, current, next string) error {
	// Wrong current passwords count as failed sign-ins of the account, so a
	// stolen session cannot be used to guess the password faster than the
	// sign-in page allows.
	failures, err := st.AccountFailuresWithin(ctx, u.Email, passwordGuessWindow)
	if err != nil {
		return err
	}
	if failures >= passwordGuessLimit {
		return csmm.Errorf(csmm.ERATELIMITED, "too many wrong passwords; try again in %d minutes", int(passwordGuessWindow.Minutes()))
	}
	ok, err := identity.VerifyPassword(u.PasswordHash, current)
	if u.PasswordHash == "" || err != nil || !ok {
		if err := st.RecordSignInAttempt(ctx, u.Email, actor.RemoteAddr); err != nil {
			return err
		}
		return csmm.Errorf(csmm.EINVALID, "the current password is wrong")
	}
	if err := identity.CheckPasswordPolicy(next); err != nil {
		return csmm.Errorf(csmm.EINVALID, "the new password is not accepted: %s", err.Error())
	}
	hash, err := identity.HashPassword(next, params)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	return st.SetPassword(ctx, actor, u.ID, hash)
}

func (a *API) signOutEverywhere(c *call) error {
	if c.who.Token != nil {
		return errSessionOnly
	}
	if err := a.o.SignOut(c.ctx(), c.who.User.ID); err != nil {
		return err
	}
	return c.reply(http.StatusNoContent, nil)
}

func (a *API) listOrganizations(c *call) error {
	orgs, err := a.o.Store.UserOrganizations(c.ctx(), c.who.User.ID)
	if err != nil {
		return err
	}
	if c.who.Token != nil {
		orgs = onlyOrg(orgs, c.who.Token.OrgID)
	}
	return c.reply(http.StatusOK, list(orgs))
}

func (a *API) getOrganization(c *call) error {
	return c.reply(http.StatusOK, store.UserOrganization{Organization: *c.org, Role: c.role})
}

func (a *API) listMembers(c *call) error {
	ms, err := a.o.Store.ListMembers(c.ctx(), c.org.ID)
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, list(ms))
}

func (a *API) addMember(c *call) error {
	var in struct {
		Email string    `json:"email"`
		Role  csmm.Role `json:"role"`
	}
	if err := c.decode(&in); err != nil {
		return err
	}
	if !in.Role.Valid() {
		return csmm.Errorf(csmm.EINVALID, "role %q: expected owner, admin, assessor or viewer", in.Role)
	}
	u, err := a.o.Store.GetUserByEmail(c.ctx(), strings.TrimSpace(in.Email))
	if csmm.ErrorCode(err) == csmm.ENOTFOUND {
		return csmm.Errorf(csmm.ENOTFOUND, "no user has the email address %q; they must have an account first", in.Email)
	} else if err != nil {
		return err
	}
	if err := a.o.Store.AddMembership(c.ctx(), c.org.ID, c.actor, u.ID, in.Role); err != nil {
		return err
	}
	return c.reply(http.StatusCreated, store.Member{User: *u, Role: in.Role})
}

// member returns the member {user} of the organization, or not_found.
func (a *API) member(c *call) (*store.User, error) {
	id := c.r.PathValue("user")
	if _, err := a.o.Store.GetMembership(c.ctx(), c.org.ID, id); err != nil {
		return nil, err
	}
	return a.o.Store.GetUser(c.ctx(), id)
}

func (a *API) setMemberRole(c *call) error {
	var in struct {
		Role csmm.Role `json:"role"`
	}
	if err := c.decode(&in); err != nil {
		return err
	}
	u, err := a.member(c)
	if err != nil {
		return err
	}
	if err := a.o.Store.SetMembershipRole(c.ctx(), c.org.ID, c.actor, u.ID, in.Role); err != nil {
		return err
	}
	return c.reply(http.StatusOK, store.Member{User: *u, Role: in.Role})
}

func (a *API) removeMember(c *call) error {
	u, err := a.member(c)
	if err != nil {
		return err
	}
	if err := a.o.Store.RemoveMembership(c.ctx(), c.org.ID, c.actor, u.ID); err != nil {
		return err
	}
	return c.reply(http.StatusNoContent, nil)
}
