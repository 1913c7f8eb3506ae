package server

import (
	"bytes"
	"context"
	"flag"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/csmm/csmm/internal/csmm"
)

// TestTwoServers runs two servers, each with its own Store, on one
// PostgreSQL database: a session started on one works on the other, and an
// answer saved on one is seen (and version-checked) on the other.
func TestTwoServers(t *testing.T) {
	for _, b := range backends(t) {
		if b != "postgres" {
			continue
		}
		t.Run(b, func(t *testing.T) {
			dsn := newDSN(t, b)
			c := &clock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
			one := newEnvWith(t, dsn, testConfig(), c)
			two := newEnvOn(t, openStore(t, dsn, c), testConfig(), c)
			if r := two.client().get("/"); r.Header.Get("Location") != "/setup" {
				t.Fatalf("second server before setup: %d %q", r.StatusCode, r.Header.Get("Location"))
			}
			owner := one.setup()
			// The same browser cookie, sent to the second server.
			onTwo := two.client()
			onTwo.hc.Jar.SetCookies(mustURL(two.ts.URL), owner.hc.Jar.Cookies(mustURL(one.ts.URL)))
			if r := onTwo.get("/api/v1/me"); r.StatusCode != http.StatusOK {
				t.Fatalf("session of server one on server two: %d %s", r.StatusCode, r.body)
			}
			a, err := one.st.CreateAssessment(t.Context(), one.org("acme-corp").ID, storeActor(), storeInput("Shared"))
			if err != nil {
				t.Fatal(err)
			}
			path := "/api/v1/orgs/acme-corp/assessments/" + a.ID + "/answers/IAM-2.1/default"
			if r := owner.json("PUT", path, map[string]any{"answer": "some", "version": 0}); r.StatusCode != http.StatusOK {
				t.Fatalf("save on one: %d %s", r.StatusCode, r.body)
			}
			if r := onTwo.json("PUT", path, map[string]any{"answer": "yes", "version": 0}); r.StatusCode != http.StatusConflict {
				t.Errorf("stale save on two: %d, want 409", r.StatusCode)
			}
			var answers struct{ Items []struct{ Answer string } }
			onTwo.get("/api/v1/orgs/acme-corp/assessments/"+a.ID+"/answers").json(t, &answers)
			if len(answers.Items) != 1 || answers.Items[0].Answer != "some" {
				t.Errorf("answers on two: %+v", answers)
			}
			// Signing out on two ends the session on one.
			if r := onTwo.form("/logout", nil); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("logout on two: %d", r.StatusCode)
			}
			if r := owner.get("/api/v1/me"); r.StatusCode != http.StatusUnauthorized {
				t.Errorf("session on one after sign-out on two: %d, want 401", r.StatusCode)
			}
		})
	}
}

// TestMetrics checks /metrics: requests and latencies by route pattern (never
// by raw path), sign-ins by result, scoring time, the Go runtime and the
// statistics of every database connection pool.
func TestMetrics(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		owner := f.members[csmm.RoleOwner]
		owner.get("/api/v1/orgs/acme-corp/assessments/" + f.assessA + "/score")
		owner.get("/api/v1/orgs/acme-corp/assessments/" + f.assessB)
		if r := f.e.client().form("/login", url.Values{"email": {"owner@acme.example"}, "password": {"wrong password"}}); r.StatusCode == http.StatusSeeOther {
			t.Fatal("sign-in with a wrong password succeeded")
		}
		body := string(f.e.client().get("/metrics").body)
		want := []string{
			`csmm_http_requests_total{code="200",method="GET",route="GET /api/v1/orgs/{org}/assessments/{id}/score"} 1`,
			`csmm_http_requests_total{code="404",method="GET",route="GET /api/v1/orgs/{org}/assessments/{id}"} 1`,
			`csmm_http_request_duration_seconds_bucket{method="GET",route="GET /api/v1/orgs/{org}/assessments/{id}/score"`,
			`csmm_http_request_duration_seconds_count{method="POST",route="POST /login"} 4`,
			`csmm_scoring_duration_seconds_count 1`,
			`csmm_sign_ins_total{method="password",result="success"} 3`,
			`csmm_sign_ins_total{method="password",result="failure"} 1`,
			`go_goroutines`,
			`go_sql_open_connections{db_name="primary"}`,
			`go_sql_wait_count_total{db_name="primary"}`,
			`go_sql_idle_connections{db_name="primary"}`,
		}
		if f.e.st.Dialect() == "sqlite" {
			// One writer connection, and a pool of readers.
			want = append(want, `go_sql_max_open_connections{db_name="primary"} 1`, `go_sql_max_open_connections{db_name="read"} 8`)
		} else {
			want = append(want, `go_sql_max_open_connections{db_name="primary"} 10`, `go_sql_max_open_connections{db_name="read"} 10`)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("metrics lack %s", w)
			}
		}
		if t.Failed() {
			t.Logf("metrics:\n%s", body)
		}
		if strings.Contains(body, f.assessA) {
			t.Error("a raw path (with an ID) is a metric label")
		}
	})
}

func TestConfig(t *testing.T) {
	env := map[string]string{
		EnvAddr: "0.0.0.0:9000", EnvDatabaseURL: "postgres://db/csmm", EnvBaseURL: "https://csmm.example.com",
		EnvLogFormat: "json", EnvOIDCIssuer: "https://id.example.com", EnvOIDCClientID: "csmm",
		EnvOIDCJITCreate: "true", EnvOIDCDefaultOrg: "Acme", EnvOIDCDefaultRole: "assessor", EnvSessionIdle: "1h",
	}
	cfg, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig()
	want.Addr, want.DatabaseURL, want.BaseURL, want.LogFormat = "0.0.0.0:9000", "postgres://db/csmm", "https://csmm.example.com", "json"
	want.OIDC = OIDCConfig{Issuer: "https://id.example.com", ClientID: "csmm", JITCreate: true, DefaultOrg: "Acme", DefaultRole: "assessor"}
	want.SessionIdle = time.Hour
	if diff := cmp.Diff(want, cfg, cmpopts.IgnoreUnexported()); diff != "" {
		t.Errorf("ConfigFromEnv (-want +got):\n%s", diff)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}

	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	RegisterFlags(fs, &cfg)
	if err := fs.Parse([]string{"-addr", "127.0.0.1:7000", "-log-level", "debug"}); err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:7000" || cfg.LogLevel != "debug" || cfg.DatabaseURL != "postgres://db/csmm" {
		t.Errorf("flags over env: %+v", cfg)
	}

	if _, err := ConfigFromEnv(func(k string) string {
		return map[string]string{EnvOIDCJITCreate: "maybe", EnvSessionMax: "forever"}[k]
	}); err == nil || !strings.Contains(err.Error(), EnvOIDCJITCreate) || !strings.Contains(err.Error(), EnvSessionMax) {
		t.Errorf("bad env values: %v", err)
	}

	bad := DefaultConfig()
	bad.Addr, bad.LogFormat, bad.TLSCert, bad.BaseURL = "nope", "xml", "cert.pem", "ftp://x"
	bad.OIDC = OIDCConfig{Issuer: "https://id", JITCreate: true, DefaultRole: "owner"}
	err = bad.Validate()
	for _, want := range []string{"addr", "log-format", "tls-cert and tls-key", "base-url", "oidc-client-id", "oidc-default-org", "owner may not"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error %v does not mention %q", err, want)
		}
	}
}

func TestRun(t *testing.T) {
	cfg := testConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.DatabaseURL = filepath.Join(t.TempDir(), "data", "csmm.db")
	var logs syncBuffer
	logger, err := NewLogger(&logs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, logger) }()
	addr := regexp.MustCompile(`addr=(127\.0\.0\.1:\d+)`)
	var m []string
	for deadline := time.Now().Add(10 * time.Second); m == nil && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		m = addr.FindStringSubmatch(logs.String())
	}
	if m == nil {
		cancel()
		t.Fatalf("no listening address logged:\n%s", logs.String())
	}
	resp, err := http.Get("http://" + m[1] + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("readyz: %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after cancel: %v", err)
		}
	case <-time.After(35 * time.Second):
		t.Fatal("Run did not shut down")
	}
	if !strings.Contains(logs.String(), "shutting down") {
		t.Error("no shutdown logged")
	}
	bad := cfg
	bad.LogFormat = "xml"
	if err := Run(t.Context(), bad, logger); err == nil || !strings.Contains(err.Error(), "log-format") {
		t.Errorf("Run with a bad config: %v", err)
	}
	var buf bytes.Buffer
	jl, _ := NewLogger(&buf, Config{LogLevel: "warn", LogFormat: "json"})
	jl.Info("hidden")
	jl.Warn("shown")
	if strings.Contains(buf.String(), "hidden") || !strings.HasPrefix(buf.String(), "{") {
		t.Errorf("json logger at warn wrote %q", buf.String())
	}
}
