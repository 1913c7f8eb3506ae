package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
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
		// The owner of one organization goes straight to it.
		r := owner.get("/")
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/o/acme-corp/" {
			t.Errorf("home after setup: %d %q, want a redirect to the organization", r.StatusCode, r.Header.Get("Location"))
		}
		r = owner.get("/o/acme-corp/assessments")
		if r.StatusCode != http.StatusOK || !strings.Contains(string(r.body), "owner@acme.example") || !strings.Contains(string(r.body), "Acme Corp") {
			t.Errorf("organization after setup: %d %s", r.StatusCode, r.body)
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

// TestConcurrentSetup sends first-run setups at the same moment to two
// servers, each with its own store, on one database (as two replicas would
// be), with different organizations and emails so that no unique key can
// refuse the loser: exactly one setup succeeds.
func TestConcurrentSetup(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b, func(t *testing.T) {
			for round := range 3 {
				t.Run(fmt.Sprintf("round %d", round), func(t *testing.T) {
					dsn := newDSN(t, b)
					c := &clock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
					envs := []*env{newEnvWith(t, dsn, testConfig(), c), newEnvWith(t, dsn, testConfig(), c)}
					statuses := make([]int, len(envs))
					var wg sync.WaitGroup
					start := make(chan struct{})
					for i, e := range envs {
						cl := e.client()
						form := url.Values{
							"organization": {fmt.Sprintf("Org %d", i)}, "name": {"Owner"},
							"email": {fmt.Sprintf("owner%d@example.com", i)}, "password": {ownerPassword},
						}
						wg.Go(func() {
							<-start
							statuses[i] = cl.form("/setup", form).StatusCode
						})
					}
					close(start)
					wg.Wait()
					won := 0
					for i, st := range statuses {
						switch st {
						case http.StatusSeeOther:
							won++
						case http.StatusConflict, http.StatusNotFound:
						default:
							t.Errorf("setup on server %d: status %d, want 303, 409 or 404", i, st)
						}
					}
					if won != 1 {
						t.Errorf("%d setups succeeded (statuses %v), want exactly 1", won, statuses)
					}
					if n, err := envs[0].st.CountUsers(t.Context()); err != nil || n != 1 {
						t.Errorf("CountUsers = %d, %v; want 1", n, err)
					}
					if orgs, err := envs[1].st.ListOrganizations(t.Context()); err != nil || len(orgs) != 1 {
						t.Errorf("%d organizations (%v), want 1", len(orgs), err)
					}
				})
			}
		})
	}
}
