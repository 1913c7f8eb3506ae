package server

import (
	"errors"
	"net/http"
	"net/mail"
	"strings"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/lazyregexp"
	"github.com/csmm/csmm/internal/store"
)

var errNotFound = &csmm.Error{Code: csmm.ENOTFOUND, Message: "page not found"}

// setupForm shows the first-run form while no user exists; after that,
// /setup does not exist.
func (s *Server) setupForm(w http.ResponseWriter, r *http.Request) error {
	done, err := s.checkSetup(r.Context())
	if err != nil {
		return err
	}
	if done {
		return errNotFound
	}
	return render(w, http.StatusOK, s.pages.setup, setupData{
		pageData: pageData{Title: "Set up CSMM"}, MinPassword: identity.MinPasswordLength,
	})
}

// setupSubmit creates the first organization and its owner, then signs the
// owner in. The store checks that no user exists in the transaction that
// creates the owner, so when several replicas receive a setup at once only
// one succeeds; the others answer 409.
func (s *Server) setupSubmit(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return csmm.Errorf(csmm.EINVALID, "the form could not be read")
	}
	d := setupData{
		pageData:     pageData{Title: "Set up CSMM"},
		Organization: strings.TrimSpace(r.PostFormValue("organization")),
		Name:         strings.TrimSpace(r.PostFormValue("name")),
		Email:        strings.TrimSpace(r.PostFormValue("email")),
		MinPassword:  identity.MinPasswordLength,
	}
	done, err := s.checkSetup(r.Context())
	if err != nil {
		return err
	}
	if done {
		return errNotFound
	}
	u, err := createOwner(r, s, d.Organization, d.Name, d.Email, r.PostFormValue("password"))
	if errors.Is(err, store.ErrSetUp) {
		// Another request, perhaps on another replica, set up the server
		// since checkSetup.
		s.setupDone.Store(true)
		return err
	}
	if code := csmm.ErrorCode(err); code == csmm.EINVALID || code == csmm.ECONFLICT {
		d.Error = csmm.ErrorMessage(err)
		return render(w, http.StatusBadRequest, s.pages.setup, d)
	} else if err != nil {
		return err
	}
	s.setupDone.Store(true)
	s.logger.InfoContext(r.Context(), "setup complete", "user", u.ID)
	if err := s.startSession(w, r, u); err != nil {
		return err
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

func createOwner(r *http.Request, s *Server, org, name, email, password string) (*store.User, error) {
	if org == "" {
		return nil, csmm.Errorf(csmm.EINVALID, "enter the organization name")
	}
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		return nil, csmm.Errorf(csmm.EINVALID, "enter a valid email address")
	}
	if err := identity.CheckPasswordPolicy(password); err != nil {
		return nil, csmm.Errorf(csmm.EINVALID, "%s", err.Error())
	}
	u, _, err := CreateUser(r.Context(), s.store, NewUser{
		Organization: org, Name: name, Email: email, Role: identity.Owner, Password: password, First: true,
	}, s.cfg.PasswordParams, store.Actor{RemoteAddr: remoteHost(r)})
	return u, err
}

var nonSlug = lazyregexp.New(`[^a-z0-9]+`)

// Slug turns an organization name into the short identifier used in URLs:
// lowercase letters, digits and inner hyphens, at most 64 characters.
func Slug(name string) string {
	s := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if len(s) > 64 {
		s = strings.TrimRight(s[:64], "-")
	}
	if s == "" {
		s = "org"
	}
	return s
}
