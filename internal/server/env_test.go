package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/csmm/csmm/internal/api"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/store"
)

var secretPattern = regexp.MustCompile(`csmms?_[A-Za-z0-9_-]{20,}|` + ownerPassword + `|password of |new password 2|[?&]state=|[?&]code=`)

// clock is a settable test clock shared by the store and the server.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// cheap are argon2id costs low enough for many sign-ins under the race detector.
var cheap = identity.PasswordParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func testConfig() Config {
	cfg := DefaultConfig()
	cfg.PasswordParams = cheap
	return cfg
}

// backends returns the databases to run a test against: SQLite always,
// PostgreSQL when CSMM_TEST_POSTGRES_URL is set (required under CI=true).
func backends(t *testing.T) []string {
	out := []string{"sqlite"}
	if os.Getenv("CSMM_TEST_POSTGRES_URL") != "" {
		out = append(out, "postgres")
	} else if os.Getenv("CI") == "true" {
		t.Fatal("CSMM_TEST_POSTGRES_URL is not set; the PostgreSQL tests must run in CI")
	}
	return out
}

// forEachDB runs fn once per backend, as a named subtest.
func forEachDB(t *testing.T, fn func(t *testing.T, dsn string)) {
	for _, b := range backends(t) {
		t.Run(b, func(t *testing.T) { fn(t, newDSN(t, b)) })
	}
}

// newDSN returns an empty database of the backend, dropped after the test.
func newDSN(t *testing.T, backend string) string {
	t.Helper()
	if backend == "sqlite" {
		return filepath.Join(t.TempDir(), "csmm.db")
	}
	base := os.Getenv("CSMM_TEST_POSTGRES_URL")
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "csmm_server_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// env is one server over a real store, served by httptest.
type env struct {
	t     *testing.T
	st    *store.Store
	srv   *Server
	ts    *httptest.Server
	clock *clock
	logs  *bytes.Buffer
	// doc validates the API's responses against the served OpenAPI document.
	doc *apiDoc
}

func openStore(t *testing.T, dsn string, c *clock) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dsn, store.WithClock(c.now))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// syncBuffer is a log destination safe for concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.String()
}

func newEnvWith(t *testing.T, dsn string, cfg Config, c *clock) *env {
	t.Helper()
	if c == nil {
		c = &clock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	}
	st := openStore(t, dsn, c)
	return newEnvOn(t, st, cfg, c)
}

func newEnvOn(t *testing.T, st *store.Store, cfg Config, c *clock) *env {
	t.Helper()
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := New(cfg, st, logger, WithClock(c.now))
	if err != nil {
		t.Fatal(err)
	}
	// Cleanups run last first: the test server finishes its requests,
	// then the server its background writes, then the store closes.
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("close the server: %v", err)
		}
	})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	e := &env{t: t, st: st, srv: srv, ts: ts, clock: c}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
		// Nothing secret is ever logged: no token, cookie value or password.
		if m := secretPattern.FindString(logs.String()); m != "" {
			t.Errorf("the log contains the secret %q:\n%s", m, logs.String())
		}
	})
	return e
}

func newEnv(t *testing.T, dsn string) *env { return newEnvWith(t, dsn, testConfig(), nil) }

// client is a browser: it keeps cookies and does not follow redirects.
type client struct {
	e  *env
	hc *http.Client
	// bearer, when set, is sent as the Authorization header.
	bearer string
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, hc: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (e *env) bearer(token string) *client {
	c := e.client()
	c.hc.Jar = nil
	c.bearer = token
	return c
}

// response is a finished response with its body read.
type response struct {
	*http.Response
	body []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errorCode returns the code of a JSON error body, or "".
func (r response) errorCode() string {
	var b struct {
		Error struct{ Code string } `json:"error"`
	}
	json.Unmarshal(r.body, &b)
	return b.Error.Code
}

func (c *client) do(method, path, ctype string, body []byte, hdr ...string) response {
	c.e.t.Helper()
	req, err := http.NewRequest(method, c.e.ts.URL+path, bytes.NewReader(body))
	if err != nil {
		c.e.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	// Every answer of the API matches the document the server serves.
	if strings.HasPrefix(path, api.Prefix+"/") {
		if _, err := apiDocOf(c.e).check(method, path, resp.StatusCode, resp.Header, b); err != nil {
			c.e.t.Error(err)
		}
	}
	return response{resp, b}
}

func (c *client) get(path string) response { return c.do("GET", path, "", nil) }

func (c *client) form(path string, v url.Values) response {
	return c.do("POST", path, "application/x-www-form-urlencoded", []byte(v.Encode()))
}

func (c *client) json(method, path string, v any) response {
	c.e.t.Helper()
	var b []byte
	if v != nil {
		var err error
		if b, err = json.Marshal(v); err != nil {
			c.e.t.Fatal(err)
		}
	}
	return c.do(method, path, "application/json", b)
}

const ownerPassword = "owner password 1"

// setup runs first-run setup through the form and returns the owner's
// browser, signed in.
func (e *env) setup() *client {
	e.t.Helper()
	c := e.client()
	r := c.form("/setup", url.Values{"organization": {"Acme Corp"}, "email": {"owner@acme.example"}, "password": {ownerPassword}, "name": {"Olivia Owner"}})
	if r.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("setup: status %d: %s", r.StatusCode, r.body)
	}
	return c
}

// addUser creates a user with a password and a role in an organization
// (created when absent and the role is owner).
func (e *env) addUser(org, email string, role csmm.Role) *store.User {
	e.t.Helper()
	u, _, err := CreateUser(context.Background(), e.st, NewUser{Organization: org, Email: email, Role: role, Password: "password of " + email}, cheap, store.Actor{})
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// login signs a user in through the form and returns their browser.
func (e *env) login(email, password string) *client {
	e.t.Helper()
	c := e.client()
	r := c.form("/login", url.Values{"email": {email}, "password": {password}})
	if r.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login %s: status %d: %s", email, r.StatusCode, r.body)
	}
	return c
}

func (e *env) org(ref string) *store.Organization {
	e.t.Helper()
	o, err := FindOrganization(context.Background(), e.st, ref)
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

func storeActor() store.Actor { return store.Actor{RemoteAddr: "test"} }

var timeZero time.Time

// bearerFor returns a client using a fresh API token of a member, with the
// member's role, in an organization.
func (e *env) bearerFor(t *testing.T, email, org string) *client {
	t.Helper()
	u, err := e.st.GetUserByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.st.GetMembership(t.Context(), e.org(org).ID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := CreateToken(t.Context(), e.st, NewToken{Organization: org, Email: email, Name: "test", Role: m.Role}, storeActor())
	if err != nil {
		t.Fatal(err)
	}
	return e.bearer(secret)
}

func mustURL(s string) *url.URL {
	u, _ := url.Parse(s)
	return u
}

func storeInput(name string) store.AssessmentInput { return store.AssessmentInput{Name: name} }
