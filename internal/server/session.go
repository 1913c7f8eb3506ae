package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/api"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/store"
)

// sessionCookie is the name of the session cookie. With the Secure flag it
// carries the __Host- prefix, which browsers only accept from a secure
// origin, for the whole host, with no Domain: no subdomain can plant it.
func (s *Server) sessionCookie() string {
	if s.cfg.secureCookies() {
		return "__Host-csmm_session"
	}
	return "csmm_session"
}

// startSession creates a session for a user and sets its cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *store.User) error {
	secret, hash, err := identity.NewToken(identity.SessionPrefix)
	if err != nil {
		return err
	}
	ua := r.UserAgent()
	if len(ua) > 256 {
		ua = ua[:256]
	}
	_, err = s.store.CreateSession(r.Context(), store.Session{
		UserID:    u.ID,
		TokenHash: hash,
		Expires:   s.now().Add(s.cfg.SessionMax),
		UserAgent: ua,
		IP:        remoteHost(r),
	})
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name:     s.sessionCookie(),
		Value:    secret,
		Path:     "/",
		MaxAge:   int(s.cfg.SessionMax.Seconds()),
		HttpOnly: true,
		Secure:   s.cfg.secureCookies(),
		SameSite: http.SameSiteLaxMode,
	})
	noteUser(r.Context(), u.ID)
	return nil
}

// clearSessionCookie tells the browser to forget the session cookie.
func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: s.sessionCookie(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.secureCookies(), SameSite: http.SameSiteLaxMode,
	})
}

// errSignedOut is the error of a request without valid credentials.
var errSignedOut = &csmm.Error{Code: csmm.EUNAUTHORIZED, Message: "sign in, or send an API token as Authorization: Bearer <token>"}

// currentSession returns the signed-in user and the session of the request's
// cookie, or unauthorized. It ends sessions past their idle or absolute
// expiry, of disabled users, or older than the user's last password change.
func (s *Server) currentSession(r *http.Request) (*store.User, *store.Session, error) {
	a, err := s.sessionAccess(r, "", "")
	if err != nil {
		return nil, nil, err
	}
	return a.User, a.Session, nil
}

// sessionAccess returns what the request's session cookie may reach: its
// session, its user and, when orgRef names an organization the user belongs
// to, that organization and the user's role, read with one query. It
// returns unauthorized, and ends the session, as currentSession does. The
// session's last use is recorded in the background at most once a minute.
func (s *Server) sessionAccess(r *http.Request, orgRef, assessmentID string) (*store.Access, error) {
	c, err := r.Cookie(s.sessionCookie())
	if err != nil || !identity.HasPrefix(c.Value, identity.SessionPrefix) {
		return nil, errSignedOut
	}
	ctx := r.Context()
	a, err := s.store.SessionAccess(ctx, identity.HashToken(c.Value), orgRef, assessmentID)
	if csmm.ErrorCode(err) == csmm.ENOTFOUND {
		return nil, errSignedOut
	} else if err != nil {
		return nil, err
	}
	sess, u := a.Session, a.User
	now := s.now()
	// The last use written by this server may not be in the database yet.
	lastSeen := sess.LastSeen
	if t := s.touches.lastUse(sessionKey(sess.ID)); t.After(lastSeen) {
		lastSeen = t
	}
	if !now.Before(sess.Expires) || now.Sub(lastSeen) > s.cfg.SessionIdle {
		return nil, s.endSession(ctx, sess.ID)
	}
	if u.Disabled || (!u.PasswordChangedAt.IsZero() && sess.Created.Before(u.PasswordChangedAt)) {
		return nil, s.endSession(ctx, sess.ID)
	}
	id := sess.ID
	s.touches.touch(ctx, sessionKey(id), sess.LastSeen, now, func(ctx context.Context, at time.Time) error {
		return s.store.TouchSession(ctx, id, at)
	})
	noteUser(ctx, u.ID)
	return a, nil
}

// endSession deletes a session that may no longer be used and returns the
// signed-out error.
func (s *Server) endSession(ctx context.Context, id string) error {
	s.touches.forget(sessionKey(id))
	if err := s.store.DeleteSession(ctx, id); err != nil {
		return err
	}
	return errSignedOut
}

// authenticate identifies the caller of an API request, an API token in the
// Authorization header, else the session cookie, together with what it may
// do in the organization orgRef (an ID or slug, "" for none) and the
// revision of that organization's assessment assessmentID ("" for none),
// with one query.
func (s *Server) authenticate(r *http.Request, orgRef, assessmentID string) (*api.Principal, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, secret, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || !identity.HasPrefix(strings.TrimSpace(secret), identity.APITokenPrefix) {
			return nil, csmm.Errorf(csmm.EUNAUTHORIZED, "the Authorization header must be Bearer followed by an API token")
		}
		return s.tokenPrincipal(r, strings.TrimSpace(secret), orgRef, assessmentID)
	}
	a, err := s.sessionAccess(r, orgRef, assessmentID)
	if err != nil {
		return nil, err
	}
	return &api.Principal{User: a.User, SessionID: a.Session.ID, Org: a.Org, Role: a.Role, Assessment: assessmentID, Revision: a.Revision}, nil
}

// tokenPrincipal authenticates an API token and reads its user and, when
// orgRef names the token's organization, that organization and the user's
// role, with one query. The token's last use is recorded in the background
// at most once a minute.
func (s *Server) tokenPrincipal(r *http.Request, secret, orgRef, assessmentID string) (*api.Principal, error) {
	ctx := r.Context()
	a, err := s.store.TokenAccess(ctx, identity.HashToken(secret), orgRef, assessmentID)
	if csmm.ErrorCode(err) == csmm.ENOTFOUND {
		return nil, csmm.Errorf(csmm.EUNAUTHORIZED, "the API token is unknown, expired or revoked")
	} else if err != nil {
		return nil, err
	}
	tok, u := a.Token, a.User
	if u.Disabled {
		return nil, csmm.Errorf(csmm.EUNAUTHORIZED, "the API token's user is disabled or deleted")
	}
	id := tok.ID
	s.touches.touch(ctx, tokenKey(id), tok.LastUsed, s.now(), func(ctx context.Context, at time.Time) error {
		return s.store.TouchAPIToken(ctx, id, at)
	})
	noteUser(ctx, u.ID)
	return &api.Principal{User: u, Token: tok, Org: a.Org, Role: a.Role, Assessment: assessmentID, Revision: a.Revision}, nil
}

// signOutEverywhere deletes every session of a user.
func (s *Server) signOutEverywhere(ctx context.Context, userID string) error {
	_, err := s.store.DeleteUserSessions(ctx, userID)
	return err
}
