package api

import (
	"net/http"
	"strings"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/service"
	"github.com/csmm/csmm/internal/store"
)

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
	return c.reply(http.StatusOK, Me{User: c.who.User, Organizations: orgs, Token: c.who.Token})
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
var errSessionOnly = &csmm.Error{Code: csmm.EFORBIDDEN, Message: "an API token cannot change its user's account; sign in"}

func (a *API) changePassword(c *call) error {
	if c.who.Token != nil {
		return errSessionOnly
	}
	var in service.PasswordChange
	if err := c.decode(&in); err != nil {
		return err
	}
	if err := service.ChangePassword(c.ctx(), a.o.Store, a.o.PasswordParams, c.actor, c.who.User, in); err != nil {
		return err
	}
	return c.reply(http.StatusNoContent, nil)
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
	var in MemberAdd
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
	var in MemberRole
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
