package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/service"
	"github.com/csmm/csmm/internal/textfield"
)

// tokensData is the API token page: the tokens the caller manages (every
// token for admins and owners, else their own) and the form that creates
// one with a role no higher than the caller's.
type tokensData struct {
	base
	Tokens []tokenRow
	// All is set when the list holds every member's tokens.
	All      bool
	Action   string
	Roles    []csmm.Role
	Expiries []expiry
	// Name, Role and Expiry refill the form after an error.
	Name   string
	Role   csmm.Role
	Expiry string
	// Secret is a token just created, shown once on the response to the
	// form; only its hash is stored.
	Secret     string
	SecretName string
}

// tokenRow is one token in the list.
type tokenRow struct {
	ID       string
	Name     string
	Prefix   string
	Role     csmm.Role
	Owner    string
	Created  time.Time
	LastUsed time.Time
	Expires  time.Time
	Revoked  time.Time
	// Status is active, expired or revoked.
	Status string
	// RevokeAction is the form that revokes an active token.
	RevokeAction string
}

// expiry is one lifetime the form offers.
type expiry struct {
	Value string
	Label string
	TTL   time.Duration
}

// expiries are the lifetimes a new token may have; the first is the default.
var expiries = []expiry{
	{"90d", "90 days", 90 * 24 * time.Hour},
	{"30d", "30 days", 30 * 24 * time.Hour},
	{"365d", "1 year", 365 * 24 * time.Hour},
	{"never", "No expiry (until revoked)", 0},
}

// tokens lists the API tokens the caller manages.
func (h *Handler) tokens(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermManageTokens); err != nil {
		return err
	}
	d := &tokensData{base: settingsBase(c, "tokens", "API tokens"), Role: csmm.RoleViewer, Expiry: expiries[0].Value}
	d.Notice = notice(r)
	return h.renderTokens(w, r, c, http.StatusOK, d)
}

// renderTokens fills the list and the form and renders the page.
func (h *Handler) renderTokens(w http.ResponseWriter, r *http.Request, c *caller, status int, d *tokensData) error {
	ctx := r.Context()
	toks, err := service.MemberTokens(ctx, h.store, c.Org.ID, c.Role, c.User.ID)
	if err != nil {
		return err
	}
	d.All = service.ManagesAllTokens(c.Role)
	owners := map[string]string{c.User.ID: c.User.Email}
	if d.All {
		ms, err := h.store.ListMembers(ctx, c.Org.ID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			owners[m.User.ID] = m.User.Email
		}
	}
	now := h.now()
	root := settingsPath(c) + "/tokens"
	for _, t := range toks {
		row := tokenRow{ID: t.ID, Name: t.Name, Prefix: t.Prefix, Role: t.Role, Owner: owners[t.UserID],
			Created: t.Created, LastUsed: t.LastUsed, Expires: t.Expires, Revoked: t.Revoked, Status: "active"}
		if row.Owner == "" {
			row.Owner = "a former member"
		}
		switch {
		case !t.Revoked.IsZero():
			row.Status = "revoked"
		case !t.Expires.IsZero() && !now.Before(t.Expires):
			row.Status = "expired"
		default:
			row.RevokeAction = root + "/" + url.PathEscape(t.ID) + "/revoke"
		}
		d.Tokens = append(d.Tokens, row)
	}
	d.Action = root
	for _, role := range csmm.Roles {
		if c.Role.AtLeast(role) {
			d.Roles = append(d.Roles, role)
		}
	}
	d.Expiries = expiries
	return h.render(w, status, h.pages.tokens, d)
}

// tokenCreate creates an API token for the caller in this organization,
// with the same rules as the API (service.IssueToken), and shows its secret
// once.
func (h *Handler) tokenCreate(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermManageTokens); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return csmm.Errorf(csmm.EINVALID, "the form could not be read")
	}
	d := &tokensData{base: settingsBase(c, "tokens", "API tokens"),
		Name: strings.TrimSpace(r.PostForm.Get("name")), Role: csmm.Role(r.PostForm.Get("role")), Expiry: r.PostForm.Get("expiry")}
	var ttl time.Duration
	found := false
	for _, e := range expiries {
		if e.Value == d.Expiry {
			ttl, found = e.TTL, true
		}
	}
	fail := func(err error) error {
		switch code := csmm.ErrorCode(err); code {
		case csmm.EINVALID, csmm.EFORBIDDEN:
			d.Error = csmm.ErrorMessage(err)
			status := http.StatusUnprocessableEntity
			if code == csmm.EFORBIDDEN {
				status = http.StatusForbidden
			}
			return h.renderTokens(w, r, c, status, d)
		}
		return err
	}
	if !found {
		return fail(csmm.Errorf(csmm.EINVALID, "choose how long the token stays valid"))
	}
	if d.Name == "" {
		return fail(csmm.Errorf(csmm.EINVALID, "name the token, so you can tell it apart later (for example \"CI pipeline\")"))
	}
	if err := textfield.Name("the token name", d.Name); err != nil {
		return fail(err)
	}
	var expires time.Time
	if ttl > 0 {
		expires = h.now().Add(ttl)
	}
	secret, tok, err := service.IssueToken(r.Context(), h.store, c.Org.ID, c.Role, c.User.ID, d.Name, d.Role, expires, c.actor(r))
	if err != nil {
		return fail(err)
	}
	out := &tokensData{base: settingsBase(c, "tokens", "API tokens"), Role: csmm.RoleViewer, Expiry: expiries[0].Value,
		Secret: secret, SecretName: tok.Name}
	out.Notice = "The API token was created."
	return h.renderTokens(w, r, c, http.StatusCreated, out)
}

// tokenRevoke revokes a token the caller manages; another's token, for a
// member below admin, is not found.
func (h *Handler) tokenRevoke(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermManageTokens); err != nil {
		return err
	}
	err = service.RevokeMemberToken(r.Context(), h.store, c.Org.ID, c.Role, c.User.ID, r.PathValue("token"), c.actor(r))
	if csmm.ErrorCode(err) == csmm.ENOTFOUND {
		return errNotFound("API token")
	} else if err != nil {
		return err
	}
	return redirect(w, r, settingsPath(c)+"/tokens?done=revoked")
}
