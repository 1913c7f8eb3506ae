package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/store"
)

// TestScoreCache checks that the cached score and report follow every
// change to the assessment at once, stamp each report with its own time,
// and are never served through another organization.
func TestScoreCache(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "csmm.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	users := map[string]*store.User{}
	orgs := map[string]*store.Organization{}
	for _, slug := range []string{"alpha", "beta"} {
		u, err := st.CreateUser(ctx, store.Actor{}, slug+"@example.com", slug, "")
		if err != nil {
			t.Fatal(err)
		}
		if orgs[slug], err = st.CreateOrganization(ctx, store.Actor{}, "Org "+slug, slug, u.ID); err != nil {
			t.Fatal(err)
		}
		users[slug] = u
	}
	// alpha's owner is also a member of beta.
	if err := st.AddMembership(ctx, orgs["beta"].ID, store.Actor{}, users["alpha"].ID, csmm.RoleViewer); err != nil {
		t.Fatal(err)
	}
	as, err := st.CreateAssessment(ctx, orgs["alpha"].ID, store.Actor{}, store.AssessmentInput{Name: "Cached"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	a := New(Options{
		Store:  st,
		Logger: slog.New(slog.DiscardHandler),
		Authenticate: func(r *http.Request, org, _ string) (*Principal, error) {
			u, ok := users[r.Header.Get("X-Test-User")]
			if !ok {
				return nil, csmm.Errorf(csmm.EUNAUTHORIZED, "sign in")
			}
			p := &Principal{User: u}
			if o, ok := orgs[org]; ok {
				if m, err := st.GetMembership(r.Context(), o.ID, u.ID); err == nil {
					p.Org, p.Role = o, m.Role
				}
			}
			return p, nil
		},
		Now: func() time.Time { return now },
	})
	mux := http.NewServeMux()
	a.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	get := func(t *testing.T, user, path string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+Prefix+path, nil)
		req.Header.Set("X-Test-User", user)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	scorePath := "/orgs/alpha/assessments/" + as.ID + "/score"
	program := func(t *testing.T) float64 {
		t.Helper()
		status, body := get(t, "alpha", scorePath)
		if status != http.StatusOK {
			t.Fatalf("score: status %d: %s", status, body)
		}
		var res assess.Result
		if err := json.Unmarshal([]byte(body), &res); err != nil {
			t.Fatal(err)
		}
		return res.Program.Score
	}
	want := func(t *testing.T) float64 {
		t.Helper()
		in, _, err := st.Scoring(ctx, orgs["alpha"].ID, as.ID, assess.DateOf(now))
		if err != nil {
			t.Fatal(err)
		}
		return assess.Score(in).Program.Score
	}

	first := program(t)
	program(t)
	if s := a.scoreJSON.Stats(); s.Hits != 1 || s.Misses != 1 {
		t.Fatalf("stats %+v after two scores of an unchanged assessment, want one miss and one hit", s)
	}
	t.Run("answer saved after a cached score", func(t *testing.T) {
		in, _, err := st.Scoring(ctx, orgs["alpha"].ID, as.ID, assess.DateOf(now))
		if err != nil {
			t.Fatal(err)
		}
		var list []store.AnswerInput
		for _, o := range in.Model.Objectives {
			if o.Level <= 2 {
				// Dated on the scoring day: an answer dated after it would count as unanswered.
				list = append(list, store.AnswerInput{Objective: o.ID, Scope: assess.DefaultScope, Answer: assess.Yes, AnsweredAt: assess.DateOf(now)})
			}
		}
		if _, err := st.PutAnswers(ctx, orgs["alpha"].ID, store.Actor{}, as.ID, list); err != nil {
			t.Fatal(err)
		}
		got := program(t)
		if got != want(t) || got == first {
			t.Errorf("program score %v after answering, want %v (was %v)", got, want(t), first)
		}
	})
	t.Run("report stamped with the time of each request", func(t *testing.T) {
		for _, at := range []time.Time{now, now.Add(time.Minute)} {
			now = at
			status, body := get(t, "alpha", "/orgs/alpha/assessments/"+as.ID+"/report?format=md")
			if status != http.StatusOK {
				t.Fatalf("report: status %d: %s", status, body)
			}
			if stamp := at.UTC().Format(time.RFC3339); !strings.Contains(body, "Generated: "+stamp) {
				t.Errorf("report does not say it was generated at %s", stamp)
			}
		}
	})
	t.Run("another organization", func(t *testing.T) {
		for _, tc := range []struct{ name, user, path string }{
			{"member of both through the other organization", "alpha", "/orgs/beta/assessments/" + as.ID + "/score"},
			{"outsider through the other organization", "beta", "/orgs/beta/assessments/" + as.ID + "/score"},
			{"outsider through the owning organization", "beta", scorePath},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if status, body := get(t, tc.user, tc.path); status != http.StatusNotFound {
					t.Errorf("status %d, want 404: %s", status, body)
				}
			})
		}
	})
}
