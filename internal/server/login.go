package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/csmm/csmm/internal/api"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/store"
)

const loginTitle = "Sign in to CSMM"

// loginForm shows the sign-in form, or goes on to the page in ?next=
// (home when absent or not a path of this site) when already signed in.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	next := safeNext(r.URL.Query().Get("next"))
	if _, _, err := s.currentSession(r); err == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	d := loginData{pageData: pageData{Title: loginTitle}, OIDC: s.oidc != nil, MinPassword: identity.MinPasswordLength}
	if next != "/" {
		d.Next = next
	}
	return render(w, http.StatusOK, s.pages.login, d)
}

// safeNext returns where to go after signing in: next when it is a path of
// this site (one leading "/", not "//" or "/\", which browsers read as
// another host; no scheme, host, backslash, whitespace or control
// character), else "/".
func safeNext(next string) string {
	if len(next) > 2048 || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	for _, c := range next {
		if c <= ' ' || c == 0x7f || c == '\\' || unicode.IsSpace(c) || unicode.IsControl(c) {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	return next
}

// errBadCredentials does not say which of the email and password is wrong.
var errBadCredentials = &csmm.Error{Code: csmm.EUNAUTHORIZED, Message: "the email or password is wrong"}

// loginSubmit checks an email and password, within the limits on failed
// attempts per account and per address, and starts a session.
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return csmm.Errorf(csmm.EINVALID, "the form could not be read")
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	next := safeNext(r.PostFormValue("next"))
	d := loginData{pageData: pageData{Title: loginTitle}, Email: email, OIDC: s.oidc != nil, MinPassword: identity.MinPasswordLength}
	if next != "/" {
		d.Next = next
	}
	u, err := s.checkPassword(r.Context(), email, r.PostFormValue("password"), remoteHost(r))
	switch code := csmm.ErrorCode(err); code {
	case "":
	case csmm.EUNAUTHORIZED, csmm.ERATELIMITED:
		d.Error = csmm.ErrorMessage(err)
		return render(w, api.Status(code), s.pages.login, d)
	default:
		return err
	}
	if err := s.startSession(w, r, u); err != nil {
		return err
	}
	s.logger.InfoContext(r.Context(), "signed in", "user", u.ID, "method", "password")
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// checkPassword returns the user with an email and password. It returns
// rate_limited when the account or the address has too many recent
// failures (without checking the password), and unauthorized for a wrong
// email or password, recording the failure. Unknown emails cost as much
// time as known ones.
func (s *Server) checkPassword(ctx context.Context, email, password, addr string) (*store.User, error) {
	lim := s.cfg.Limits
	byAccount, byAddress, err := s.store.SignInAttempts(ctx, email, addr, s.now().Add(-lim.Window))
	if err != nil {
		return nil, err
	}
	if byAccount >= lim.PerAccount || byAddress >= lim.PerAddress {
		s.metrics.signIn("password", "rate_limited")
		s.logger.WarnContext(ctx, "sign-in rate limited", "remote", addr)
		return nil, csmm.Errorf(csmm.ERATELIMITED, "too many failed sign-ins; wait %s and try again", lim.Window)
	}
	u, err := s.store.GetUserByEmail(ctx, email)
	ok := false
	switch {
	case csmm.ErrorCode(err) == csmm.ENOTFOUND:
		identity.VerifyNothing(password)
	case err != nil:
		return nil, err
	case u.Disabled || u.PasswordHash == "":
		identity.VerifyNothing(password)
	default:
		ok, err = identity.VerifyPassword(u.PasswordHash, password)
		if err != nil {
			return nil, err
		}
	}
	if !ok {
		s.metrics.signIn("password", "failure")
		if err := s.store.RecordSignInAttempt(ctx, email, addr); err != nil {
			return nil, err
		}
		return nil, errBadCredentials
	}
	s.metrics.signIn("password", "success")
	if err := s.store.ClearSignInAttempts(ctx, email); err != nil {
		return nil, err
	}
	return u, nil
}

// logout ends the session, or every session of the user when the form has
// everywhere set.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	u, sess, err := s.currentSession(r)
	if err == nil {
		if r.PostFormValue("everywhere") != "" {
			err = s.signOutEverywhere(r.Context(), u.ID)
		} else {
			err = s.store.DeleteSession(r.Context(), sess.ID)
		}
		if err != nil {
			return err
		}
	} else if csmm.ErrorCode(err) != csmm.EUNAUTHORIZED {
		return err
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}
