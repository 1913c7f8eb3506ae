package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/store"
)

// oidcClient signs users in with an OpenID Connect provider (authorization
// code flow with PKCE, state and nonce). The provider is discovered on first
// use and kept, so the server starts even while the provider is down.
type oidcClient struct {
	cfg OIDCConfig
	// redirectURL is BaseURL + /auth/oidc/callback.
	redirectURL string

	mu       sync.Mutex
	oauth    *oauth2.Config
	verifier *oidc.IDTokenVerifier
}

const (
	oidcCookie    = "csmm_oidc"
	oidcCookieTTL = 10 * time.Minute
)

func newOIDCClient(cfg Config) *oidcClient {
	return &oidcClient{cfg: cfg.OIDC, redirectURL: strings.TrimRight(cfg.BaseURL, "/") + "/auth/oidc/callback"}
}

// discover returns the OAuth2 configuration and ID token verifier, running
// OIDC discovery the first time it succeeds.
func (c *oidcClient) discover(ctx context.Context) (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.oauth != nil {
		return c.oauth, c.verifier, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(context.WithoutCancel(ctx), c.cfg.Issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("discover the OpenID Connect provider %s: %w", c.cfg.Issuer, err)
	}
	c.oauth = &oauth2.Config{
		ClientID:     c.cfg.ClientID,
		ClientSecret: c.cfg.ClientSecret,
		Endpoint:     p.Endpoint(),
		RedirectURL:  c.redirectURL,
		Scopes:       []string{oidc.ScopeOpenID, "email", "profile"},
	}
	c.verifier = p.Verifier(&oidc.Config{ClientID: c.cfg.ClientID})
	return c.oauth, c.verifier, nil
}

// oidcState is what the browser carries between the redirect to the
// provider and the callback, in a short-lived HttpOnly cookie.
type oidcState struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	// Next is the page of this site to go to after signing in.
	Next string `json:"x,omitempty"`
}

func randomString() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// oidcLogin redirects to the provider with a fresh state, nonce and PKCE
// challenge, remembered in a cookie scoped to /auth/oidc/.
func (s *Server) oidcLogin(w http.ResponseWriter, r *http.Request) error {
	if s.oidc == nil {
		return errNotFound
	}
	conf, _, err := s.oidc.discover(r.Context())
	if err != nil {
		return err
	}
	var st oidcState
	if st.State, err = randomString(); err != nil {
		return err
	}
	if st.Nonce, err = randomString(); err != nil {
		return err
	}
	st.Verifier = oauth2.GenerateVerifier()
	st.Next = safeNext(r.URL.Query().Get("next"))
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: oidcCookie, Value: base64.RawURLEncoding.EncodeToString(b), Path: "/auth/oidc/",
		MaxAge: int(oidcCookieTTL.Seconds()), HttpOnly: true, Secure: s.cfg.secureCookies(), SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, conf.AuthCodeURL(st.State, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier)), http.StatusFound)
	return nil
}

// oidcClaims are the ID token claims the server uses.
type oidcClaims struct {
	Email         string `json:"email"`
	EmailVerified bool   `json:"email_verified"`
	Name          string `json:"name"`
}

var errOIDCFailed = &csmm.Error{Code: csmm.EUNAUTHORIZED, Message: "single sign-on failed; try again"}

// oidcCallback checks the state, exchanges the code with the PKCE verifier,
// verifies the ID token and its nonce, and signs in the user with the
// token's verified email, creating them when just-in-time creation is on.
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) error {
	if s.oidc == nil {
		return errNotFound
	}
	ctx := r.Context()
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: "", Path: "/auth/oidc/", MaxAge: -1, HttpOnly: true,
		Secure: s.cfg.secureCookies(), SameSite: http.SameSiteLaxMode})
	fail := func(reason string, err error) error {
		s.metrics.signIn("oidc", "failure")
		attrs := []any{"reason", reason}
		if err != nil {
			attrs = append(attrs, "error", err.Error())
		}
		s.logger.WarnContext(ctx, "single sign-on refused", attrs...)
		return errOIDCFailed
	}
	c, err := r.Cookie(oidcCookie)
	if err != nil {
		return fail("no state cookie", nil)
	}
	var st oidcState
	raw, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || json.Unmarshal(raw, &st) != nil || st.State == "" {
		return fail("malformed state cookie", nil)
	}
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		return fail("provider returned an error", fmt.Errorf("%.100s", e))
	}
	if q.Get("state") != st.State {
		return fail("state mismatch", nil)
	}
	conf, verifier, err := s.oidc.discover(ctx)
	if err != nil {
		return err
	}
	tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return fail("code exchange", err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		return fail("no id_token in the token response", nil)
	}
	idt, err := verifier.Verify(ctx, rawID)
	if err != nil {
		return fail("id token verification", err)
	}
	if idt.Nonce != st.Nonce {
		return fail("nonce mismatch", nil)
	}
	var claims oidcClaims
	if err := idt.Claims(&claims); err != nil {
		return fail("id token claims", err)
	}
	if claims.Email == "" || !claims.EmailVerified {
		return fail("no verified email", nil)
	}
	u, err := s.oidcUser(ctx, r, claims)
	if err != nil {
		if code := csmm.ErrorCode(err); code == csmm.EUNAUTHORIZED || code == csmm.EFORBIDDEN {
			s.metrics.signIn("oidc", "failure")
		}
		return err
	}
	if err := s.startSession(w, r, u); err != nil {
		return err
	}
	s.metrics.signIn("oidc", "success")
	s.logger.InfoContext(ctx, "signed in", "user", u.ID, "method", "oidc")
	http.Redirect(w, r, safeNext(st.Next), http.StatusSeeOther)
	return nil
}

// oidcUser returns the user with the verified email, creating them in the
// default organization with the default role when that is configured.
func (s *Server) oidcUser(ctx context.Context, r *http.Request, c oidcClaims) (*store.User, error) {
	u, err := s.store.GetUserByEmail(ctx, c.Email)
	if err == nil {
		if u.Disabled {
			return nil, csmm.Errorf(csmm.EFORBIDDEN, "your account is disabled")
		}
		return u, nil
	}
	if csmm.ErrorCode(err) != csmm.ENOTFOUND {
		return nil, err
	}
	if !s.oidc.cfg.JITCreate {
		return nil, csmm.Errorf(csmm.EFORBIDDEN, "no account has the email address %s; ask an owner to add you", c.Email)
	}
	org, err := FindOrganization(ctx, s.store, s.oidc.cfg.DefaultOrg)
	if err != nil {
		return nil, fmt.Errorf("single sign-on default organization: %w", err)
	}
	name := strings.TrimSpace(c.Name)
	if name == "" {
		name, _, _ = strings.Cut(c.Email, "@")
	}
	actor := store.Actor{RemoteAddr: remoteHost(r)}
	u, err = s.store.CreateUser(ctx, actor, c.Email, name, "")
	if err != nil {
		return nil, err
	}
	if err := s.store.AddMembership(ctx, org.ID, store.Actor{UserID: u.ID, RemoteAddr: actor.RemoteAddr}, u.ID, csmm.Role(s.oidc.cfg.DefaultRole)); err != nil {
		return nil, err
	}
	s.logger.InfoContext(ctx, "user created at single sign-on", "user", u.ID, "organization", org.ID)
	return u, nil
}
