package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/report"
	"github.com/csmm/csmm/internal/store"
)

// testUserHeader names the user of a test request. The test harness passes
// an Authenticate function that reads it; the real server passes its
// session check instead.
const testUserHeader = "X-Test-User"

// env is a web handler over a real SQLite store with one organization and
// a member of every role, plus an outsider in another organization.
type env struct {
	t     testing.TB
	store *store.Store
	h     *Handler
	srv   *httptest.Server
	org   *store.Organization
	users map[csmm.Role]*store.User
	other *store.User
	now   time.Time
	// started counts the sessions the pages asked the server to start.
	started atomic.Int32
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, users: map[csmm.Role]*store.User{}, now: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
	// The store stamps answers with the pages' clock (an answer dated after
	// the as-of date would count as unanswered), a millisecond further at
	// every call so that records keep their order.
	var ticks atomic.Int64
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "csmm.db"), store.WithClock(func() time.Time {
		return e.now.Add(time.Duration(ticks.Add(1)) * time.Millisecond)
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.store = st
	owner := e.user("owner@example.com", "Olivia Owner")
	e.org, err = st.CreateOrganization(ctx, store.Actor{}, "Example <Corp>", "example", owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.users[csmm.RoleOwner] = owner
	for _, r := range []csmm.Role{csmm.RoleAdmin, csmm.RoleAssessor, csmm.RoleViewer} {
		u := e.user(string(r)+"@example.com", strings.ToUpper(string(r[:1]))+string(r[1:])+" User")
		if err := st.AddMembership(ctx, e.org.ID, store.Actor{}, u.ID, r); err != nil {
			t.Fatal(err)
		}
		e.users[r] = u
	}
	e.other = e.user("other@example.net", "Other Org Owner")
	if _, err := st.CreateOrganization(ctx, store.Actor{}, "Other", "other", e.other.ID); err != nil {
		t.Fatal(err)
	}
	// One browser prints every PDF of the test, as in the server.
	printer := report.NewPrinter(report.PrinterOptions{})
	t.Cleanup(func() { printer.Close() })
	e.h, err = New(Options{
		Store:   st,
		Printer: printer,
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Authenticate: func(r *http.Request) (*store.User, error) {
			id := r.Header.Get(testUserHeader)
			if id == "" {
				return nil, csmm.Errorf(csmm.EUNAUTHORIZED, "sign in")
			}
			return st.GetUser(r.Context(), id)
		},
		Now:            func() time.Time { return e.now },
		PasswordParams: identity.PasswordParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		StartSession: func(w http.ResponseWriter, r *http.Request, u *store.User) error {
			e.started.Add(1)
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	e.h.Register(mux)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

func (e *env) user(email, name string) *store.User {
	e.t.Helper()
	u, err := e.store.CreateUser(context.Background(), store.Actor{}, email, name, "")
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// response is a page fetched in a test.
type response struct {
	status   int
	location string
	body     string
	header   http.Header
}

// doc parses the body as HTML.
func (r response) doc(t *testing.T) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// do sends a request as a user (nil for nobody) without following redirects.
func (e *env) do(u *store.User, method, path string, form url.Values, accept string) response {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if u != nil {
		req.Header.Set(testUserHeader, u.ID)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(b), header: resp.Header}
}

func (e *env) get(u *store.User, path string) response { return e.do(u, "GET", path, nil, "") }

func (e *env) post(u *store.User, path string, form url.Values) response {
	return e.do(u, "POST", path, form, "")
}

// create makes an assessment through the form as the owner and returns its path.
func (e *env) create(name string, scopes ...string) string {
	e.t.Helper()
	f := url.Values{"name": {name}, "preset": {"growing"}, "model": {store.BuiltinModel}, "validity_days": {"365"}}
	for i, s := range scopes {
		f.Add("scope_id", s)
		f.Add("scope_name", "")
		f.Add("scope_weight", []string{"2", "1", "1"}[i%3])
	}
	r := e.post(e.users[csmm.RoleOwner], "/o/example/assessments", f)
	if r.status != http.StatusSeeOther {
		e.t.Fatalf("create assessment: status %d, body:\n%s", r.status, r.body)
	}
	path, _, _ := strings.Cut(r.location, "/targets")
	return path
}
