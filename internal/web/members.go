package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
)

// membersData is the member list of an organization, with the forms that
// change it for owners.
type membersData struct {
	base
	Members []memberRow
	// CanManage shows the forms: owners only.
	CanManage bool
	Roles     []csmm.Role
	Action    string
	// Email, Name and Role refill the add form after an error.
	Email string
	Name  string
	Role  csmm.Role
	// Created is a new user's one-time password, shown once, on the
	// response to the form that created them.
	Created *createdUser
}

// memberRow is one member in the list.
type memberRow struct {
	ID       string
	Name     string
	Email    string
	Role     csmm.Role
	Disabled bool
	// You marks the caller's own row.
	You bool
	// LastOwner is the only owner, who may be neither demoted nor removed.
	LastOwner    bool
	RoleAction   string
	RemoveAction string
}

// createdUser is an account made by the add form.
type createdUser struct {
	Email    string
	Password string
}

// members shows the organization's members to admins and owners.
func (h *Handler) members(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermManageSettings); err != nil {
		return err
	}
	d := &membersData{base: settingsBase(c, "members", "Members"), Role: csmm.RoleViewer}
	d.Notice = notice(r)
	return h.renderMembers(w, r, c, http.StatusOK, d)
}

// renderMembers fills the list and renders the page with a status.
func (h *Handler) renderMembers(w http.ResponseWriter, r *http.Request, c *caller, status int, d *membersData) error {
	ms, err := h.store.ListMembers(r.Context(), c.Org.ID)
	if err != nil {
		return err
	}
	owners := 0
	for _, m := range ms {
		if m.Role == csmm.RoleOwner {
			owners++
		}
	}
	root := settingsPath(c) + "/members"
	d.CanManage = c.Can(identity.PermManageMembers)
	d.Roles = csmm.Roles
	d.Action = root
	for _, m := range ms {
		p := root + "/" + url.PathEscape(m.User.ID)
		d.Members = append(d.Members, memberRow{
			ID: m.User.ID, Name: m.User.Name, Email: m.User.Email, Role: m.Role, Disabled: m.User.Disabled,
			You: m.User.ID == c.User.ID, LastOwner: m.Role == csmm.RoleOwner && owners == 1,
			RoleAction: p + "/role", RemoveAction: p + "/remove",
		})
	}
	return h.render(w, status, h.pages.members, d)
}

// memberFail shows a refused change on the member page with the status of
// its code; other errors go to the error page.
func (h *Handler) memberFail(w http.ResponseWriter, r *http.Request, c *caller, d *membersData, err error) error {
	switch code := csmm.ErrorCode(err); code {
	case csmm.EINVALID, csmm.ECONFLICT:
		d.Error = csmm.ErrorMessage(err)
		status := http.StatusUnprocessableEntity
		if code == csmm.ECONFLICT {
			status = http.StatusConflict
		}
		return h.renderMembers(w, r, c, status, d)
	}
	return err
}

// memberAdd adds a member by email with a role. A user without an account
// gets one, with a generated password shown once on the response; they
// change it on their account page after signing in.
func (h *Handler) memberAdd(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermManageMembers); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return csmm.Errorf(csmm.EINVALID, "the form could not be read")
	}
	ctx := r.Context()
	d := &membersData{base: settingsBase(c, "members", "Members"),
		Email: strings.TrimSpace(r.PostForm.Get("email")), Name: strings.TrimSpace(r.PostForm.Get("name")),
		Role: csmm.Role(r.PostForm.Get("role"))}
	if !d.Role.Valid() {
		return h.memberFail(w, r, c, d, csmm.Errorf(csmm.EINVALID, "choose a role: owner, admin, assessor or viewer"))
	}
	if d.Email == "" {
		return h.memberFail(w, r, c, d, csmm.Errorf(csmm.EINVALID, "enter the email address of the person to add"))
	}
	u, err := h.store.GetUserByEmail(ctx, d.Email)
	switch {
	case err == nil:
		if err := h.store.AddMembership(ctx, c.Org.ID, c.actor(r), u.ID, d.Role); err != nil {
			return h.memberFail(w, r, c, d, err)
		}
		return redirect(w, r, settingsPath(c)+"/members?done=added")
	case csmm.ErrorCode(err) != csmm.ENOTFOUND:
		return err
	}
	password, err := identity.NewPassword()
	if err != nil {
		return err
	}
	hash, err := identity.HashPassword(password, h.passwords)
	if err != nil {
		return err
	}
	name := d.Name
	if name == "" {
		name, _, _ = strings.Cut(d.Email, "@")
	}
	u, err = h.store.CreateUser(ctx, c.actor(r), d.Email, name, hash)
	if err != nil {
		return h.memberFail(w, r, c, d, err)
	}
	if err := h.store.AddMembership(ctx, c.Org.ID, c.actor(r), u.ID, d.Role); err != nil {
		return err
	}
	out := &membersData{base: settingsBase(c, "members", "Members"), Role: csmm.RoleViewer,
		Created: &createdUser{Email: u.Email, Password: password}}
	out.Notice = "An account was created for " + u.Email + " as " + string(d.Role) + "."
	return h.renderMembers(w, r, c, http.StatusCreated, out)
}

// memberRole changes a member's role. The store refuses to demote the
// last owner.
func (h *Handler) memberRole(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermManageMembers); err != nil {
		return err
	}
	id := r.PathValue("user")
	if _, err := h.store.GetMembership(r.Context(), c.Org.ID, id); csmm.ErrorCode(err) == csmm.ENOTFOUND {
		return errNotFound("member")
	} else if err != nil {
		return err
	}
	d := &membersData{base: settingsBase(c, "members", "Members"), Role: csmm.RoleViewer}
	role := csmm.Role(r.PostFormValue("role"))
	if err := h.store.SetMembershipRole(r.Context(), c.Org.ID, c.actor(r), id, role); err != nil {
		return h.memberFail(w, r, c, d, err)
	}
	if id == c.User.ID && !identity.Can(role, identity.PermManageSettings) {
		return redirect(w, r, orgPath(c.Org)+"/assessments")
	}
	return redirect(w, r, settingsPath(c)+"/members?done=role")
}

// memberRemove removes a member and the API tokens they made here. The
// store refuses to remove the last owner.
func (h *Handler) memberRemove(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermManageMembers); err != nil {
		return err
	}
	id := r.PathValue("user")
	d := &membersData{base: settingsBase(c, "members", "Members"), Role: csmm.RoleViewer}
	err = h.store.RemoveMembership(r.Context(), c.Org.ID, c.actor(r), id)
	if csmm.ErrorCode(err) == csmm.ENOTFOUND {
		return errNotFound("member")
	} else if err != nil {
		return h.memberFail(w, r, c, d, err)
	}
	if id == c.User.ID {
		// One who leaves no longer sees the organization.
		return redirect(w, r, "/")
	}
	return redirect(w, r, settingsPath(c)+"/members?done=removed")
}
