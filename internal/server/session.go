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

// touchEvery bounds how often a session's or token's last use is written.
const touchEvery = time.Minute

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
var errSignedOut = csmm.Errorf(csmm.EUNAUTHORIZED, "sign in, or send an API token as Authorization: Bearer <token>")

// currentSession returns the signed-in user and the session of the request's
// cookie, or unauthorized. It ends sessions past their idle or absolute
// expiry, of disabled users, or older than the user's last password change.
func (s *Server) currentSession(r *http.Request) (*store.User, *store.Session, error) {
	c, err := r.Cookie(s.sessionCookie())
	if err != nil || !identity.HasPrefix(c.Value, identity.SessionPrefix) {
		return nil, nil, errSignedOut
	}
	ctx := r.Context()
	sess, err := s.store.GetSessionByTokenHash(ctx, identity.HashToken(c.Value))
	if csmm.ErrorCode(err) == csmm.ENOTFOUND {
		return nil, nil, errSignedOut
	} else if err != nil {
		return nil, nil, err
	}
	now := s.now()
	if !now.Before(sess.Expires) || now.Sub(sess.LastSeen) > s.cfg.SessionIdle {
		return nil, nil, s.endSession(ctx, sess.ID)
	}
	u, err := s.store.GetUser(ctx, sess.UserID)
	if csmm.ErrorCode(err) == csmm.ENOTFOUND {
		return nil, nil, s.endSession(ctx, sess.ID)
	} else if err != nil {
		return nil, nil, err
	}
	if u.Disabled || (!u.PasswordChangedAt.IsZero() && sess.Created.Before(u.PasswordChangedAt)) {
		return nil, nil, s.endSession(ctx, sess.ID)
	}
	if now.Sub(sess.LastSeen) > touchEvery {
		if err := s.store.TouchSession(ctx, sess.ID); err != nil && csmm.ErrorCode(err) != csmm.ENOTFOUND {
			return nil, nil, err
		}
	}
	noteUser(ctx, u.ID)
	return u, sess, nil
}

// endSession deletes a session that may no longer be used and returns the
// signed-out error.
func (s *Server) endSession(ctx context.Context, id string) error {
	if err := s.store.DeleteSession(ctx, id); err != nil {
		return err
	}
	return errSignedOut
}

// authenticate identifies the caller of an API request: an API token in
// the Authorization header, else the session cookie.
func (s *Server) authenticate(r *http.Request) (*api.Principal, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, secret, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || !identity.HasPrefix(strings.TrimSpace(secret), identity.APITokenPrefix) {
			return nil, csmm.Errorf(csmm.EUNAUTHORIZED, "the Authorization header must be Bearer followed by an API token")
		}
		return s.tokenPrincipal(r, strings.TrimSpace(secret))
	}
	u, sess, err := s.currentSession(r)
	if err != nil {
		return nil, err
	}
	return &api.Principal{User: u, SessionID: sess.ID}, nil
}

func (s *Server) tokenPrincipal(r *http.Request, secret string) (*api.Principal, error) {
	ctx := r.Context()
	tok, err := s.store.GetAPITokenByHash(ctx, identity.HashToken(secret))
	if csmm.ErrorCode(err) == csmm.ENOTFOUND {
		return nil, csmm.Errorf(csmm.EUNAUTHORIZED, "the API token is unknown, expired or revoked")
	} else if err != nil {
		return nil, err
	}
	u, err := s.store.GetUser(ctx, tok.UserID)
	if csmm.ErrorCode(err) == csmm.ENOTFOUND || err == nil && u.Disabled {
		return nil, csmm.Errorf(csmm.EUNAUTHORIZED, "the API token's user is disabled or deleted")
	} else if err != nil {
		return nil, err
	}
	if s.now().Sub(tok.LastUsed) > touchEvery {
		if err := s.store.TouchAPIToken(ctx, tok.ID); err != nil && csmm.ErrorCode(err) != csmm.ENOTFOUND {
			return nil, err
		}
	}
	noteUser(ctx, u.ID)
	return &api.Principal{User: u, Token: tok}, nil
}

// signOutEverywhere deletes every session of a user.
func (s *Server) signOutEverywhere(ctx context.Context, userID string) error {
	_, err := s.store.DeleteUserSessions(ctx, userID)
	return err
}
