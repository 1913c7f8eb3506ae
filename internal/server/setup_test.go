package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSetup(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		c := e.client()

		before := []struct {
			path, wantLoc string
			status        int
			code          string
		}{
			{"/", "/setup", http.StatusSeeOther, ""},
			{"/login", "/setup", http.StatusSeeOther, ""},
			{"/api/v1/orgs", "", http.StatusServiceUnavailable, "setup_required"},
			{"/api/v1/orgs/x/assessments", "", http.StatusServiceUnavailable, "setup_required"},
			{"/healthz", "", http.StatusOK, ""},
			{"/readyz", "", http.StatusOK, ""},
			{"/metrics", "", http.StatusOK, ""},
			{"/static/csmm.css", "", http.StatusOK, ""},
			{"/setup", "", http.StatusOK, ""},
		}
		for _, tt := range before {
			r := c.get(tt.path)
			if r.StatusCode != tt.status || r.Header.Get("Location") != tt.wantLoc || r.errorCode() != tt.code {
				t.Errorf("before setup, GET %s = %d %q %q, want %d %q %q", tt.path, r.StatusCode, r.Header.Get("Location"), r.errorCode(), tt.status, tt.wantLoc, tt.code)
			}
		}

		bad := []struct {
			name string
			form url.Values
			want string
		}{
			{"short password", url.Values{"organization": {"Acme"}, "email": {"o@acme.example"}, "password": {"short"}}, "at least 12"},
			{"no organization", url.Values{"email": {"o@acme.example"}, "password": {ownerPassword}}, "organization name"},
			{"bad email", url.Values{"organization": {"Acme"}, "email": {"not an email"}, "password": {ownerPassword}}, "valid email"},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				r := c.form("/setup", tt.form)
				if r.StatusCode != http.StatusBadRequest || !strings.Contains(string(r.body), tt.want) {
					t.Errorf("status %d, body %s; want 400 mentioning %q", r.StatusCode, r.body, tt.want)
				}
			})
		}
		if n, _ := e.st.CountUsers(t.Context()); n != 0 {
			t.Fatalf("%d users after refused setups, want 0", n)
		}

		owner := e.setup()
		r := owner.get("/")
		if r.StatusCode != http.StatusOK || !strings.Contains(string(r.body), "owner@acme.example") || !strings.Contains(string(r.body), "Acme Corp") {
			t.Errorf("home after setup: %d %s", r.StatusCode, r.body)
		}
		var orgs struct {
			Items []struct {
				Organization struct{ Slug string }
				Role         string
			}
		}
		r = owner.get("/api/v1/orgs")
		r.json(t, &orgs)
		if len(orgs.Items) != 1 || orgs.Items[0].Organization.Slug != "acme-corp" || orgs.Items[0].Role != "owner" {
			t.Errorf("orgs after setup = %s", r.body)
		}
		for _, method := range []string{"GET", "POST"} {
			r := e.client().do(method, "/setup", "application/x-www-form-urlencoded",
				[]byte(url.Values{"organization": {"Evil"}, "email": {"evil@example.com"}, "password": {ownerPassword}}.Encode()))
			if r.StatusCode != http.StatusNotFound {
				t.Errorf("%s /setup after setup = %d, want 404", method, r.StatusCode)
			}
		}
		if n, _ := e.st.CountUsers(t.Context()); n != 1 {
			t.Errorf("%d users, want 1", n)
		}
		// Signed out, pages go to the sign-in form and the API answers 401.
		anon := e.client()
		if r := anon.get("/"); r.Header.Get("Location") != "/login" {
			t.Errorf("GET / signed out: %d %q, want redirect to /login", r.StatusCode, r.Header.Get("Location"))
		}
		if r := anon.get("/api/v1/orgs"); r.StatusCode != http.StatusUnauthorized || r.errorCode() != "unauthorized" {
			t.Errorf("API signed out: %d %s", r.StatusCode, r.body)
		}
	})
}
