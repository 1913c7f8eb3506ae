package web

import (
	"net"
	"net/http"
	"net/url"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/service"
	"github.com/csmm/csmm/internal/store"
)

// homeData is the list of the organizations a user belongs to.
type homeData struct {
	base
	Organizations []store.UserOrganization
}

// home sends a member of exactly one organization to it, and shows anyone
// else the organizations they belong to. Signed out, it goes to the
// sign-in page.
func (h *Handler) home(w http.ResponseWriter, r *http.Request) error {
	u, err := h.auth(r)
	if csmm.ErrorCode(err) == csmm.EUNAUTHORIZED {
		return redirect(w, r, "/login")
	} else if err != nil {
		return err
	}
	orgs, err := h.store.UserOrganizations(r.Context(), u.ID)
	if err != nil {
		return err
	}
	if len(orgs) == 1 {
		return redirect(w, r, orgPath(&orgs[0].Organization)+"/")
	}
	d := homeData{base: base{Title: "Your organizations", Caller: &caller{User: u}}, Organizations: orgs}
	return h.render(w, http.StatusOK, h.pages.home, d)
}

// accountData is the signed-in user's account page.
type accountData struct {
	base
	User *store.User
	// HasPassword is false for a user who signs in only with single sign-on.
	HasPassword bool
	MinPassword int
}

// account shows the user's account: the password form and signing out
// everywhere.
func (h *Handler) account(w http.ResponseWriter, r *http.Request) error {
	u, err := h.auth(r)
	if err != nil {
		return err
	}
	d := h.accountPage(u)
	d.Notice = notice(r)
	return h.render(w, http.StatusOK, h.pages.account, d)
}

func (h *Handler) accountPage(u *store.User) *accountData {
	return &accountData{base: base{Title: "Your account", Caller: &caller{User: u}}, User: u,
		HasPassword: u.PasswordHash != "", MinPassword: identity.MinPasswordLength}
}

// passwordChange changes the user's password with the API's rules
// (service.ChangePassword): the current password, the policy for the new one,
// argon2id. The change ends every session of the user; this browser gets a
// new session, so only the others are signed out.
func (h *Handler) passwordChange(w http.ResponseWriter, r *http.Request) error {
	u, err := h.auth(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return csmm.Errorf(csmm.EINVALID, "the form could not be read")
	}
	d := h.accountPage(u)
	current, next := r.PostForm.Get("current_password"), r.PostForm.Get("new_password")
	if next != r.PostForm.Get("confirm_password") {
		d.Error = "the new password and its confirmation differ"
		return h.render(w, http.StatusUnprocessableEntity, h.pages.account, d)
	}
	actor := store.Actor{UserID: u.ID, RemoteAddr: hostOf(r.RemoteAddr)}
	err = service.ChangePassword(r.Context(), h.store, h.passwords, actor, u, service.PasswordChange{CurrentPassword: current, NewPassword: next})
	switch csmm.ErrorCode(err) {
	case csmm.EINVALID:
		d.Error = csmm.ErrorMessage(err)
		return h.render(w, http.StatusUnprocessableEntity, h.pages.account, d)
	case csmm.ERATELIMITED:
		d.Error = csmm.ErrorMessage(err)
		return h.render(w, http.StatusTooManyRequests, h.pages.account, d)
	}
	if err != nil {
		return err
	}
	if h.startSession == nil {
		return redirect(w, r, "/login?next="+url.QueryEscape("/account"))
	}
	if err := h.startSession(w, r, u); err != nil {
		return err
	}
	return redirect(w, r, "/account?done=password")
}

// hostOf returns the host of a host:port address, or the address itself.
func hostOf(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}
