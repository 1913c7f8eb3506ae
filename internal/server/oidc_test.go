package server

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/csmm/csmm/internal/csmm"
)

// provider is an OpenID Connect provider run in the test: discovery, JWKS,
// an authorization endpoint that approves at once, and a token endpoint
// that checks the PKCE verifier and issues a signed ID token.
type provider struct {
	t   *testing.T
	srv *httptest.Server
	key *rsa.PrivateKey

	mu sync.Mutex
	// the identity the next sign-in gets
	email    string
	verified bool
	// badNonce makes the ID token carry another nonce.
	badNonce bool
	codes    map[string]grant
}

type grant struct{ nonce, challenge, redirect string }

func newProvider(t *testing.T) *provider {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &provider{t: t, key: key, codes: map[string]grant{}, verified: true}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                p.srv.URL,
			"authorization_endpoint":                p.srv.URL + "/authorize",
			"token_endpoint":                        p.srv.URL + "/token",
			"jwks_uri":                              p.srv.URL + "/jwks",
			"response_types_supported":              []string{"code"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"code_challenge_methods_supported":      []string{"S256"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != "csmm" || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" {
			http.Error(w, "bad authorization request: "+r.URL.RawQuery, http.StatusBadRequest)
			return
		}
		code := rand.Text()
		p.mu.Lock()
		p.codes[code] = grant{q.Get("nonce"), q.Get("code_challenge"), q.Get("redirect_uri")}
		p.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?"+url.Values{"code": {code}, "state": {q.Get("state")}}.Encode(), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		id, secret, _ := r.BasicAuth()
		if id == "" {
			id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
		}
		p.mu.Lock()
		g, ok := p.codes[r.PostFormValue("code")]
		delete(p.codes, r.PostFormValue("code"))
		email, verified, badNonce := p.email, p.verified, p.badNonce
		p.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
		switch {
		case id != "csmm" || secret != "s3cret":
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		case !ok || g.redirect != r.PostFormValue("redirect_uri"):
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
			http.Error(w, `{"error":"invalid_grant","error_description":"PKCE"}`, http.StatusBadRequest)
			return
		}
		nonce := g.nonce
		if badNonce {
			nonce = "another nonce"
		}
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}}, nil)
		if err != nil {
			t.Error(err)
			return
		}
		now := time.Now()
		raw, err := jwt.Signed(signer).Claims(jwt.Claims{
			Issuer: p.srv.URL, Subject: "sub-" + email, Audience: jwt.Audience{"csmm"},
			IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(5 * time.Minute)),
		}).Claims(map[string]any{"nonce": nonce, "email": email, "email_verified": verified, "name": "Sam Sso"}).Serialize()
		if err != nil {
			t.Error(err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": raw})
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *provider) as(email string, verified, badNonce bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.email, p.verified, p.badNonce = email, verified, badNonce
}

const oidcBase = "http://csmm.test"

// ssoSignIn runs the browser side of single sign-on and returns the
// response of the callback.
func ssoSignIn(t *testing.T, c *client, tamper func(url.Values)) response {
	t.Helper()
	r := c.get("/auth/oidc/login")
	if r.StatusCode != http.StatusFound {
		t.Fatalf("oidc login: %d %s", r.StatusCode, r.body)
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(r.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(back.String(), oidcBase+"/auth/oidc/callback") {
		t.Fatalf("provider redirect %q (%d): %v", resp.Header.Get("Location"), resp.StatusCode, err)
	}
	q := back.Query()
	if tamper != nil {
		tamper(q)
	}
	return c.get("/auth/oidc/callback?" + q.Encode())
}

func TestOIDC(t *testing.T) {
	p := newProvider(t)
	for _, jit := range []bool{false, true} {
		name := "no jit"
		if jit {
			name = "jit"
		}
		t.Run(name, func(t *testing.T) {
			cfg := testConfig()
			cfg.BaseURL = oidcBase
			cfg.OIDC = OIDCConfig{Issuer: p.srv.URL, ClientID: "csmm", ClientSecret: "s3cret", JITCreate: jit, DefaultOrg: "Acme Corp", DefaultRole: "assessor"}
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
			e := newEnvWith(t, newDSN(t, "sqlite"), cfg, nil)
			e.setup()

			if r := e.client().get("/login"); !strings.Contains(string(r.body), "/auth/oidc/login") {
				t.Error("the sign-in page does not offer single sign-on")
			}
			// A known user, matched by verified email (case aside).
			p.as("OWNER@acme.example", true, false)
			c := e.client()
			r := ssoSignIn(t, c, nil)
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
				t.Fatalf("callback: %d %s", r.StatusCode, r.body)
			}
			var me struct{ User struct{ Email string } }
			c.get("/api/v1/me").json(t, &me)
			if me.User.Email != "owner@acme.example" {
				t.Errorf("signed in as %q, want the owner", me.User.Email)
			}

			refused := []struct {
				name     string
				email    string
				verified bool
				badNonce bool
				tamper   func(url.Values)
				status   int
			}{
				{"unverified email", "owner@acme.example", false, false, nil, http.StatusUnauthorized},
				{"wrong nonce", "owner@acme.example", true, true, nil, http.StatusUnauthorized},
				{"wrong state", "owner@acme.example", true, false, func(q url.Values) { q.Set("state", "forged") }, http.StatusUnauthorized},
				{"replayed code", "owner@acme.example", true, false, func(q url.Values) { q.Set("code", "made-up") }, http.StatusUnauthorized},
			}
			if !jit {
				refused = append(refused, struct {
					name     string
					email    string
					verified bool
					badNonce bool
					tamper   func(url.Values)
					status   int
				}{"unknown user", "sam@acme.example", true, false, nil, http.StatusForbidden})
			}
			for _, tt := range refused {
				t.Run(tt.name, func(t *testing.T) {
					p.as(tt.email, tt.verified, tt.badNonce)
					c := e.client()
					if r := ssoSignIn(t, c, tt.tamper); r.StatusCode != tt.status {
						t.Errorf("callback: %d, want %d: %s", r.StatusCode, tt.status, r.body)
					}
					if r := c.get("/api/v1/me"); r.StatusCode != http.StatusUnauthorized {
						t.Errorf("signed in after a refused callback: %d", r.StatusCode)
					}
				})
			}
			// A callback in another browser, without the state cookie, fails.
			p.as("owner@acme.example", true, false)
			var stolen url.Values
			ssoSignIn(t, e.client(), func(q url.Values) {
				stolen = url.Values{"code": {q.Get("code")}, "state": {q.Get("state")}}
				q.Set("state", "")
			})
			if r := e.client().get("/auth/oidc/callback?" + stolen.Encode()); r.StatusCode != http.StatusUnauthorized {
				t.Errorf("callback without the state cookie: %d, want 401", r.StatusCode)
			}

			if jit {
				p.as("sam@acme.example", true, false)
				c := e.client()
				if r := ssoSignIn(t, c, nil); r.StatusCode != http.StatusSeeOther {
					t.Fatalf("jit sign-in: %d %s", r.StatusCode, r.body)
				}
				var me struct {
					User          struct{ Email, Name string }
					Organizations []struct {
						Organization struct{ Slug string }
						Role         csmm.Role
					}
				}
				c.get("/api/v1/me").json(t, &me)
				if me.User.Name != "Sam Sso" || len(me.Organizations) != 1 || me.Organizations[0].Organization.Slug != "acme-corp" || me.Organizations[0].Role != csmm.RoleAssessor {
					t.Errorf("jit user: %+v", me)
				}
			}
			metrics := string(e.client().get("/metrics").body)
			if !strings.Contains(metrics, `csmm_sign_ins_total{method="oidc",result="success"}`) || !strings.Contains(metrics, `csmm_sign_ins_total{method="oidc",result="failure"}`) {
				t.Error("the metrics do not count single sign-ons")
			}
		})
	}
}
