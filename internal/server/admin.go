package server

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/service"
	"github.com/csmm/csmm/internal/store"
)

// This file holds what the command line does to the database without a
// running server: create users, and create, list and revoke API tokens.

// NewUser describes a user to create with CreateUser.
type NewUser struct {
	// Organization is the name or slug of the organization the user joins.
	// When no organization has it and Role is owner, it is created with the
	// user as its owner.
	Organization string
	// Name is the user's display name; the part of Email before @ when empty.
	Name string
	// Email identifies the user at sign-in.
	Email string
	// Role is the user's role in Organization.
	Role csmm.Role
	// Password is the user's password; when empty, one is generated and
	// returned by CreateUser to be shown once.
	Password string
	// First makes this the first-run setup: the user must be the first of
	// the server and becomes the owner of a new organization, or nothing is
	// created and CreateUser returns store.ErrSetUp (conflict).
	First bool
}

// CreateUser creates a user with a password and makes them a member of an
// organization with a role, creating the organization when it does not
// exist and the role is owner. A new organization and its owner are created
// in one transaction; with nu.First, that transaction also checks that no
// user exists, so that only one of several concurrent setups succeeds. It
// returns the user and the generated password ("" when nu.Password was
// given). Errors: invalid (bad email, role or password, or an unknown
// organization for a role other than owner), conflict (the email or the
// organization's identifier is taken; store.ErrSetUp when nu.First and a
// user exists).
func CreateUser(ctx context.Context, st *store.Store, nu NewUser, params identity.PasswordParams, actor store.Actor) (_ *store.User, generated string, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("create user %s: %w", nu.Email, err)
		}
	}()
	if !nu.Role.Valid() {
		return nil, "", csmm.Errorf(csmm.EINVALID, "%q is not a role; expected owner, admin, assessor or viewer", nu.Role)
	}
	nu.Organization = strings.TrimSpace(nu.Organization)
	if nu.Organization == "" {
		return nil, "", csmm.Errorf(csmm.EINVALID, "an organization is required")
	}
	var org *store.Organization
	if nu.First {
		if nu.Role != csmm.RoleOwner {
			return nil, "", csmm.Errorf(csmm.EINVALID, "the first user must be an owner, not %s", nu.Role)
		}
	} else {
		org, err = FindOrganization(ctx, st, nu.Organization)
		if csmm.ErrorCode(err) == csmm.ENOTFOUND {
			if nu.Role != csmm.RoleOwner {
				return nil, "", csmm.Errorf(csmm.EINVALID, "no organization is named %q; create it by adding its owner first", nu.Organization)
			}
			org = nil
		} else if err != nil {
			return nil, "", err
		}
	}
	if nu.Password == "" {
		if nu.Password, err = identity.NewPassword(); err != nil {
			return nil, "", err
		}
		generated = nu.Password
	} else if err := identity.CheckPasswordPolicy(nu.Password); err != nil {
		return nil, "", csmm.Errorf(csmm.EINVALID, "%s", err.Error())
	}
	hash, err := identity.HashPassword(nu.Password, params)
	if err != nil {
		return nil, "", err
	}
	name := strings.TrimSpace(nu.Name)
	if name == "" {
		name, _, _ = strings.Cut(strings.TrimSpace(nu.Email), "@")
	}
	if org != nil {
		u, err := st.CreateUser(ctx, actor, nu.Email, name, hash)
		if err != nil {
			return nil, "", err
		}
		if err := st.AddMembership(ctx, org.ID, actor, u.ID, nu.Role); err != nil {
			return nil, "", err
		}
		return u, generated, nil
	}
	owner := store.NewOwner{Organization: nu.Organization, Slug: Slug(nu.Organization), Email: nu.Email, Name: name, PasswordHash: hash}
	var u *store.User
	if nu.First {
		u, _, err = st.CreateFirstOwner(ctx, actor, owner)
	} else {
		u, _, err = st.CreateOwner(ctx, actor, owner)
	}
	if err != nil {
		return nil, "", err
	}
	return u, generated, nil
}

// FindOrganization returns the organization with an ID, a slug or a name
// (compared without regard to case), or not_found.
func FindOrganization(ctx context.Context, st *store.Store, ref string) (*store.Organization, error) {
	if o, err := st.GetOrganizationBySlug(ctx, ref); err == nil {
		return o, nil
	} else if csmm.ErrorCode(err) != csmm.ENOTFOUND {
		return nil, err
	}
	if o, err := st.GetOrganization(ctx, ref); err == nil {
		return o, nil
	} else if csmm.ErrorCode(err) != csmm.ENOTFOUND {
		return nil, err
	}
	orgs, err := st.ListOrganizations(ctx)
	if err != nil {
		return nil, err
	}
	for i := range orgs {
		if strings.EqualFold(orgs[i].Name, ref) {
			return &orgs[i], nil
		}
	}
	return nil, csmm.Errorf(csmm.ENOTFOUND, "no organization has the name, slug or ID %q", ref)
}

// NewToken describes an API token to create with CreateToken.
type NewToken struct {
	// Organization is the name, slug or ID of the token's organization.
	Organization string
	// Email is the member the token acts for.
	Email string
	// Name tells the token apart in a list ("CI pipeline").
	Name string
	// Role is the token's role: no higher than the member's own.
	Role csmm.Role
	// TTL is how long the token is valid; zero means until revoked.
	TTL time.Duration
}

// CreateToken creates an API token and returns its secret, to be shown
// once, and the stored token. Errors: not_found (organization or user),
// forbidden (the user is not a member, or the role is higher than theirs),
// invalid (bad role or name).
func CreateToken(ctx context.Context, st *store.Store, nt NewToken, actor store.Actor) (secret string, _ *store.APIToken, err error) {
	org, err := FindOrganization(ctx, st, nt.Organization)
	if err != nil {
		return "", nil, err
	}
	u, err := st.GetUserByEmail(ctx, nt.Email)
	if err != nil {
		return "", nil, err
	}
	m, err := st.GetMembership(ctx, org.ID, u.ID)
	if csmm.ErrorCode(err) == csmm.ENOTFOUND {
		return "", nil, csmm.Errorf(csmm.EFORBIDDEN, "%s is not a member of %s", nt.Email, org.Name)
	} else if err != nil {
		return "", nil, err
	}
	if actor.UserID == "" {
		actor.UserID = u.ID
	}
	var expires time.Time
	if nt.TTL > 0 {
		expires = time.Now().Add(nt.TTL)
	}
	return service.IssueToken(ctx, st, org.ID, m.Role, u.ID, nt.Name, nt.Role, expires, actor)
}

// ListTokens returns the API tokens of an organization (name, slug or ID).
func ListTokens(ctx context.Context, st *store.Store, orgRef string) ([]store.APIToken, error) {
	org, err := FindOrganization(ctx, st, orgRef)
	if err != nil {
		return nil, err
	}
	return st.ListAPITokens(ctx, org.ID)
}

// RevokeToken revokes an API token of an organization (name, slug or ID).
func RevokeToken(ctx context.Context, st *store.Store, orgRef, tokenID string, actor store.Actor) error {
	org, err := FindOrganization(ctx, st, orgRef)
	if err != nil {
		return err
	}
	return st.RevokeAPIToken(ctx, org.ID, actor, tokenID)
}
