package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/csmm"
)

func TestSecurityHeaders(t *testing.T) {
	for _, tt := range []struct {
		name     string
		baseURL  string
		wantHSTS bool
	}{
		{"http", "", false},
		{"https base url", "https://csmm.example.com", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.BaseURL = tt.baseURL
			e := newEnvWith(t, newDSN(t, "sqlite"), cfg, nil)
			owner := e.setup()
			for _, path := range []string{"/", "/login", "/healthz", "/api/v1/orgs", "/api/v1/nope", "/static/csmm.css", "/no-such-page"} {
				r := owner.get(path)
				h := r.Header
				csp := h.Get("Content-Security-Policy")
				if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "default-src 'self'") {
					t.Errorf("%s: Content-Security-Policy = %q", path, csp)
				}
				for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"} {
					if got := h.Get(k); got != want {
						t.Errorf("%s: %s = %q, want %q", path, k, got, want)
					}
				}
				if got := h.Get("Strict-Transport-Security") != ""; got != tt.wantHSTS {
					t.Errorf("%s: HSTS present = %v, want %v", path, got, tt.wantHSTS)
				}
			}
		})
	}
}

func TestSessionCookie(t *testing.T) {
	for _, tt := range []struct {
		baseURL    string
		name       string
		wantSecure bool
	}{
		{"", "csmm_session", false},
		{"https://csmm.example.com", "__Host-csmm_session", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.BaseURL = tt.baseURL
			e := newEnvWith(t, newDSN(t, "sqlite"), cfg, nil)
			r := e.client().form("/setup", url.Values{"organization": {"Acme"}, "email": {"o@acme.example"}, "password": {ownerPassword}})
			var c *http.Cookie
			for _, x := range r.Cookies() {
				if x.Name == tt.name {
					c = x
				}
			}
			if c == nil {
				t.Fatalf("no %s cookie in %v", tt.name, r.Header["Set-Cookie"])
			}
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != tt.wantSecure || c.Path != "/" {
				t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, Secure=%v, Path=/", c, tt.wantSecure)
			}
			if !strings.HasPrefix(c.Value, "csmms_") {
				t.Errorf("cookie value %q lacks the session prefix", c.Value)
			}
		})
	}
}

func TestCrossOriginRefused(t *testing.T) {
	e := newEnv(t, newDSN(t, "sqlite"))
	owner := e.setup()
	org := e.org("acme-corp")
	body := []byte(`{"name":"Q4"}`)
	path := "/api/v1/orgs/" + org.Slug + "/assessments"
	tests := []struct {
		name   string
		hdr    []string
		status int
	}{
		{"cross-site fetch", []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"foreign origin", []string{"Origin", "https://evil.example"}, http.StatusForbidden},
		{"same-origin fetch", []string{"Sec-Fetch-Site", "same-origin"}, http.StatusCreated},
		{"no browser headers", nil, http.StatusCreated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := owner.do("POST", path, "application/json", body, tt.hdr...)
			if r.StatusCode != tt.status {
				t.Errorf("status %d, want %d: %s", r.StatusCode, tt.status, r.body)
			}
			if tt.status == http.StatusForbidden && r.errorCode() != "forbidden" {
				t.Errorf("error code %q, want forbidden", r.errorCode())
			}
		})
	}
	// The sign-in and sign-out forms are protected as well.
	r := e.client().do("POST", "/login", "application/x-www-form-urlencoded",
		[]byte(url.Values{"email": {"owner@acme.example"}, "password": {ownerPassword}}.Encode()), "Sec-Fetch-Site", "cross-site")
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site sign-in: status %d, want 403", r.StatusCode)
	}
	r = owner.do("POST", "/logout", "", nil, "Origin", "https://evil.example")
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site sign-out: status %d, want 403", r.StatusCode)
	}
	if r := owner.get("/api/v1/me"); r.StatusCode != http.StatusOK {
		t.Errorf("the owner was signed out by a cross-site request: %d", r.StatusCode)
	}
}

func TestSignInRateLimit(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.setup()
		c := e.client()
		try := func(email, password string) response {
			return c.form("/login", url.Values{"email": {email}, "password": {password}})
		}
		for i := range 5 {
			if r := try("owner@acme.example", "wrong password!"); r.StatusCode != http.StatusUnauthorized {
				t.Fatalf("failure %d: status %d, want 401", i+1, r.StatusCode)
			}
		}
		r := try("owner@acme.example", ownerPassword)
		if r.StatusCode != http.StatusTooManyRequests || !strings.Contains(strings.ToLower(string(r.body)), "too many") {
			t.Fatalf("sixth attempt, right password: status %d, want 429: %s", r.StatusCode, r.body)
		}
		// The window passes: the right password works again.
		e.clock.advance(16 * time.Minute)
		if r := try("owner@acme.example", ownerPassword); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("after the window: status %d, want 303", r.StatusCode)
		}

		// Per address: 20 failures on different accounts block the address.
		for i := range 20 {
			if r := try(fmt.Sprintf("nobody%d@acme.example", i), "wrong password!"); r.StatusCode != http.StatusUnauthorized {
				t.Fatalf("address failure %d: status %d", i+1, r.StatusCode)
			}
		}
		if r := try("owner@acme.example", ownerPassword); r.StatusCode != http.StatusTooManyRequests {
			t.Errorf("after 20 failures from one address: status %d, want 429", r.StatusCode)
		}
		metrics := e.client().get("/metrics")
		for _, want := range []string{`csmm_sign_ins_total{method="password",result="rate_limited"}`, `csmm_sign_ins_total{method="password",result="failure"} 25`} {
			if !strings.Contains(string(metrics.body), want) {
				t.Errorf("metrics lack %s", want)
			}
		}
	})
}

func TestPasswordChangeRevokesSessions(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		a := e.setup()
		b := e.login("owner@acme.example", ownerPassword)

		r := a.json("PUT", "/api/v1/me/password", map[string]string{"current_password": "wrong", "new_password": "new password 2"})
		if r.StatusCode != http.StatusBadRequest {
			t.Fatalf("wrong current password: status %d, want 400", r.StatusCode)
		}
		r = a.json("PUT", "/api/v1/me/password", map[string]string{"current_password": ownerPassword, "new_password": "short"})
		if r.StatusCode != http.StatusBadRequest {
			t.Fatalf("weak new password: status %d, want 400", r.StatusCode)
		}
		r = a.json("PUT", "/api/v1/me/password", map[string]string{"current_password": ownerPassword, "new_password": "new password 2"})
		if r.StatusCode != http.StatusNoContent {
			t.Fatalf("change password: status %d: %s", r.StatusCode, r.body)
		}
		for name, c := range map[string]*client{"same browser": a, "other browser": b} {
			if r := c.get("/api/v1/me"); r.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s after the password change: status %d, want 401", name, r.StatusCode)
			}
		}
		if r := e.client().form("/login", url.Values{"email": {"owner@acme.example"}, "password": {ownerPassword}}); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("old password: status %d, want 401", r.StatusCode)
		}
		e.login("owner@acme.example", "new password 2")
	})
}

func TestSignOut(t *testing.T) {
	e := newEnv(t, newDSN(t, "sqlite"))
	a := e.setup()
	b := e.login("owner@acme.example", ownerPassword)
	c := e.login("owner@acme.example", ownerPassword)

	r := a.form("/logout", nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login" {
		t.Fatalf("logout: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	if r := a.get("/api/v1/me"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("signed-out browser: %d, want 401", r.StatusCode)
	}
	if r := b.get("/api/v1/me"); r.StatusCode != http.StatusOK {
		t.Errorf("another browser was signed out by a plain logout: %d", r.StatusCode)
	}
	r = b.form("/logout", url.Values{"everywhere": {"1"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout everywhere: %d", r.StatusCode)
	}
	if r := c.get("/api/v1/me"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("third browser after sign out everywhere: %d, want 401", r.StatusCode)
	}
	d := e.login("owner@acme.example", ownerPassword)
	f := e.login("owner@acme.example", ownerPassword)
	if r := d.do("DELETE", "/api/v1/me/sessions", "", nil); r.StatusCode != http.StatusNoContent {
		t.Fatalf("signOutEverywhere: %d %s", r.StatusCode, r.body)
	}
	if r := f.get("/api/v1/me"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("after signOutEverywhere: %d, want 401", r.StatusCode)
	}
}

func TestSessionExpiry(t *testing.T) {
	e := newEnv(t, newDSN(t, "sqlite"))
	owner := e.setup()
	// Used every 11 hours, the session outlives the idle limit of 12 hours…
	for range 15 {
		e.clock.advance(11 * time.Hour)
		if r := owner.get("/api/v1/me"); r.StatusCode != http.StatusOK {
			t.Fatalf("after %s: status %d, want 200", e.clock.now().Sub(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)), r.StatusCode)
		}
	}
	// …until the absolute limit of 7 days.
	e.clock.advance(11 * time.Hour)
	if r := owner.get("/api/v1/me"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("after 7 days: status %d, want 401", r.StatusCode)
	}
	idle := e.login("owner@acme.example", ownerPassword)
	e.clock.advance(12*time.Hour + time.Minute)
	if r := idle.get("/api/v1/me"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("after 12 hours idle: status %d, want 401", r.StatusCode)
	}
}

func TestDisabledUser(t *testing.T) {
	e := newEnv(t, newDSN(t, "sqlite"))
	e.setup()
	u := e.addUser("acme-corp", "ann@acme.example", csmm.RoleAssessor)
	ann := e.login("ann@acme.example", "password of ann@acme.example")
	if _, err := e.st.UpdateUser(t.Context(), storeActor(), u.ID, u.Name, true); err != nil {
		t.Fatal(err)
	}
	if r := ann.get("/api/v1/me"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("disabled user's session: %d, want 401", r.StatusCode)
	}
	if r := e.client().form("/login", url.Values{"email": {"ann@acme.example"}, "password": {"password of ann@acme.example"}}); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("disabled user signs in: %d, want 401", r.StatusCode)
	}
}
