package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/csmm/csmm/internal/csmm"
)

func TestSafeNext(t *testing.T) {
	tests := []struct {
		name, next, want string
	}{
		{"empty", "", "/"},
		{"root", "/", "/"},
		{"page", "/o/acme-corp/assessments", "/o/acme-corp/assessments"},
		{"page with query", "/o/acme-corp/assessments/x/report?scope=prod&as_of=2026-01-01", "/o/acme-corp/assessments/x/report?scope=prod&as_of=2026-01-01"},
		{"escaped slash stays a path", "/%2F%2Fevil.example", "/%2F%2Fevil.example"},
		{"protocol-relative", "//evil.example/path", "/"},
		{"three slashes", "///evil.example", "/"},
		{"backslash after slash", "/\\evil.example", "/"},
		{"backslash later", "/o/\\\\evil.example", "/"},
		{"absolute http", "http://evil.example/", "/"},
		{"absolute https", "https://evil.example/o/x", "/"},
		{"javascript scheme", "javascript:alert(1)", "/"},
		{"data scheme", "data:text/html,<script>alert(1)</script>", "/"},
		{"relative", "o/acme-corp", "/"},
		{"leading space", " /o/acme-corp", "/"},
		{"tab between slashes", "/\t/evil.example", "/"},
		{"newline between slashes", "/\n/evil.example", "/"},
		{"carriage return", "/\r/evil.example", "/"},
		{"NUL", "/o/\x00", "/"},
		{"unicode space", "/\u2028/evil.example", "/"},
		{"too long", "/" + strings.Repeat("a", 3000), "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := safeNext(tt.next); got != tt.want {
				t.Errorf("safeNext(%q) = %q, want %q", tt.next, got, tt.want)
			}
		})
	}
}

// TestLoginNext follows a signed-out visitor from a page to the sign-in
// form and back, and checks that next= never leaves the site.
func TestLoginNext(t *testing.T) {
	e := newEnv(t, newDSN(t, "sqlite"))
	e.setup()
	const page = "/o/acme-corp/assessments?archived=1"

	c := e.client()
	r := c.get(page)
	loc := r.Header.Get("Location")
	if r.StatusCode != http.StatusSeeOther || loc != "/login?next="+url.QueryEscape(page) {
		t.Fatalf("signed out: %d %q", r.StatusCode, loc)
	}
	r = c.get(loc)
	d, err := goquery.NewDocumentFromReader(strings.NewReader(string(r.body)))
	if err != nil {
		t.Fatal(err)
	}
	next, _ := d.Find(`form[action="/login"] input[name="next"]`).Attr("value")
	if next != page {
		t.Fatalf("the form carries next=%q, want %q", next, page)
	}
	r = c.form("/login", url.Values{"email": {"owner@acme.example"}, "password": {ownerPassword}, "next": {next}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != page {
		t.Errorf("after sign-in: %d %q, want %q", r.StatusCode, r.Header.Get("Location"), page)
	}
	// Signed in, the form goes straight on.
	if r := c.get("/login?next=" + url.QueryEscape(page)); r.Header.Get("Location") != page {
		t.Errorf("signed in GET /login: %q", r.Header.Get("Location"))
	}

	for _, bad := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "/\t/evil.example", "javascript:alert(1)"} {
		t.Run(bad, func(t *testing.T) {
			c := e.client()
			r := c.get("/login?next=" + url.QueryEscape(bad))
			if strings.Contains(string(r.body), "evil.example") || strings.Contains(string(r.body), "javascript:") {
				t.Errorf("the sign-in form carries the unsafe next")
			}
			r = c.form("/login", url.Values{"email": {"owner@acme.example"}, "password": {ownerPassword}, "next": {bad}})
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
				t.Errorf("after sign-in: %d %q, want /", r.StatusCode, r.Header.Get("Location"))
			}
			if r := c.get("/login?next=" + url.QueryEscape(bad)); r.Header.Get("Location") != "/" {
				t.Errorf("signed in GET /login: %q, want /", r.Header.Get("Location"))
			}
		})
	}
	t.Run("a failed sign-in keeps next", func(t *testing.T) {
		r := e.client().form("/login", url.Values{"email": {"owner@acme.example"}, "password": {"wrong"}, "next": {page}})
		d, _ := goquery.NewDocumentFromReader(strings.NewReader(string(r.body)))
		if got, _ := d.Find(`input[name="next"]`).Attr("value"); r.StatusCode != http.StatusUnauthorized || got != page {
			t.Errorf("status %d next %q", r.StatusCode, got)
		}
	})
}

// TestAccountPasswordKeepsThisBrowser changes the password on the account
// page: the browser that did it stays signed in, every other session ends.
func TestAccountPasswordKeepsThisBrowser(t *testing.T) {
	e := newEnv(t, newDSN(t, "sqlite"))
	a := e.setup()
	b := e.login("owner@acme.example", ownerPassword)

	r := a.form("/account/password", url.Values{"current_password": {ownerPassword}, "new_password": {"new password 2"}, "confirm_password": {"new password 2"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/account?done=password" {
		t.Fatalf("change: %d %q %s", r.StatusCode, r.Header.Get("Location"), r.body)
	}
	if r := a.get("/account?done=password"); r.StatusCode != http.StatusOK || !strings.Contains(string(r.body), "Every other session was signed out") {
		t.Errorf("this browser after the change: %d", r.StatusCode)
	}
	if r := b.get("/account"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Errorf("other browser after the change: %d %q, want sent to sign in", r.StatusCode, r.Header.Get("Location"))
	}
	if r := b.get("/api/v1/me"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("other browser's API call: %d, want 401", r.StatusCode)
	}
	if r := e.client().form("/login", url.Values{"email": {"owner@acme.example"}, "password": {ownerPassword}}); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("old password: %d, want 401", r.StatusCode)
	}
	e.login("owner@acme.example", "new password 2")
}

// TestHomeListsOrganizations shows a member of two organizations the list
// in the pages' layout and style.
func TestHomeListsOrganizations(t *testing.T) {
	e := newEnv(t, newDSN(t, "sqlite"))
	e.setup()
	e.addUser("Beta <Ltd>", "owner@beta.example", csmm.RoleOwner)
	u, err := e.st.GetUserByEmail(t.Context(), "owner@beta.example")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.AddMembership(t.Context(), e.org("acme-corp").ID, storeActor(), u.ID, csmm.RoleViewer); err != nil {
		t.Fatal(err)
	}
	c := e.login("owner@beta.example", "password of owner@beta.example")
	r := c.get("/")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("home: %d", r.StatusCode)
	}
	d, err := goquery.NewDocumentFromReader(strings.NewReader(string(r.body)))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	d.Find("main a").Each(func(_ int, s *goquery.Selection) { got = append(got, s.Text()) })
	if strings.Join(got, ",") != "Acme Corp,Beta <Ltd>" {
		t.Errorf("organizations %v", got)
	}
	if d.Find(`link[href="/static/web/web.css"]`).Length() != 1 || d.Find("header.site").Length() != 1 {
		t.Error("the home page is not in the pages' layout")
	}
}

// TestOIDCNext checks that single sign-on, started from the sign-in page
// with a next=, lands on that page of the site and never on another site.
func TestOIDCNext(t *testing.T) {
	p := newProvider(t)
	cfg := testConfig()
	cfg.BaseURL = oidcBase
	cfg.OIDC = OIDCConfig{Issuer: p.srv.URL, ClientID: "csmm", ClientSecret: "s3cret"}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, newDSN(t, "sqlite"), cfg, nil)
	e.setup()
	p.as("owner@acme.example", true, false)

	const page = "/o/acme-corp/assessments"
	r := e.client().get("/login?next=" + url.QueryEscape(page))
	d, err := goquery.NewDocumentFromReader(strings.NewReader(string(r.body)))
	if err != nil {
		t.Fatal(err)
	}
	href, _ := d.Find(`a[href^="/auth/oidc/login"]`).Attr("href")
	if u, err := url.Parse(href); err != nil || u.Path != "/auth/oidc/login" || u.Query().Get("next") != page {
		t.Errorf("single sign-on link %q does not carry next", href)
	}
	for next, want := range map[string]string{page: page, "//evil.example/": "/", "https://evil.example/": "/"} {
		t.Run(next, func(t *testing.T) {
			c := e.client()
			r := c.get("/auth/oidc/login?next=" + url.QueryEscape(next))
			resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(r.Header.Get("Location"))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			back, err := url.Parse(resp.Header.Get("Location"))
			if err != nil {
				t.Fatal(err)
			}
			r = c.get("/auth/oidc/callback?" + back.Query().Encode())
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != want {
				t.Errorf("callback: %d %q, want %q", r.StatusCode, r.Header.Get("Location"), want)
			}
		})
	}
}
