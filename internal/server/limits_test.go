package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/bombs"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/textfield"
	"github.com/csmm/csmm/internal/yamlguard"
)

// TestAPIBombs sends each bomb to the API operations that parse YAML and
// JSON bodies: each is refused with 400 or 413 and a message naming the
// limit, the server stays up, and it allocates less than
// bombs.MaxHeapGrowth per request.
func TestAPIBombs(t *testing.T) {
	f := newFixture(t, filepath.Join(t.TempDir(), "csmm.db"))
	admin := f.members[csmm.RoleAdmin]
	models := "/api/v1/orgs/acme-corp/models"
	imports := "/api/v1/orgs/acme-corp/assessments/import"
	answer := "/api/v1/orgs/acme-corp/assessments/" + f.assessA + "/answers/IAM-2.1/default"
	tooLargeYAML := []byte("id: " + strings.Repeat("x", yamlguard.MaxBytes) + "\n")
	deepJSON := []byte(`{"answer":` + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + `}`)
	bigJSON := []byte(`{"answer":"` + strings.Repeat("x", 2<<20) + `"}`)
	tests := []struct {
		name, method, path, ctype string
		body                      []byte
		status                    int
		code, want                string
	}{
		{"model: billion laughs", "POST", models, "application/yaml", bombs.BillionLaughs(), 400, "invalid", "the anchor &a is not allowed"},
		{"model: merge keys", "POST", models, "application/yaml", bombs.MergeKeys(), 400, "invalid", "the anchor &l0 is not allowed"},
		{"model: deep", "POST", models, "application/yaml", bombs.Deep(20_000), 400, "invalid", "exceeded max depth of 10000"},
		{"model: wide", "POST", models, "application/yaml", bombs.Deep(yamlguard.MaxNodes), 400, "invalid", fmt.Sprintf("the limit is %d nodes", yamlguard.MaxNodes)},
		{"model: too large", "POST", models, "application/yaml", tooLargeYAML, 413, "too_large", "limit of 4194304 bytes"},
		{"answers: billion laughs", "POST", imports, "application/yaml", bombs.BillionLaughs(), 400, "invalid", "the anchor &a is not allowed"},
		{"answers: merge keys", "POST", imports, "application/yaml", bombs.MergeKeys(), 400, "invalid", "the anchor &l0 is not allowed"},
		{"answers: too large", "POST", imports, "application/yaml", tooLargeYAML, 413, "too_large", "limit of 4194304 bytes"},
		{"JSON: deep", "PUT", answer, "application/json", deepJSON, 400, "invalid", "more than 32 deep"},
		{"JSON: too large", "PUT", answer, "application/json", bigJSON, 413, "too_large", "limit of 1048576 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r response
			grew := bombs.Allocated(func() { r = admin.do(tt.method, tt.path, tt.ctype, tt.body) })
			var body struct {
				Error struct {
					Code, Message string
					Problems      []struct {
						File, Message string
						Line          int
					}
				}
			}
			r.json(t, &body)
			msg := body.Error.Message
			for _, p := range body.Error.Problems {
				msg += "\n" + p.Message
			}
			if r.StatusCode != tt.status || body.Error.Code != tt.code || !strings.Contains(msg, tt.want) {
				t.Errorf("got %d %s %q, want %d %s with %q", r.StatusCode, body.Error.Code, msg, tt.status, tt.code, tt.want)
			}
			t.Logf("allocated %.1f MiB", float64(grew)/(1<<20))
			if grew > bombs.MaxHeapGrowth {
				t.Errorf("the request allocated %d MiB, over the bound of %d MiB", grew>>20, bombs.MaxHeapGrowth>>20)
			}
		})
	}
	if r := admin.get(models); r.StatusCode != http.StatusOK || !strings.Contains(string(r.body), `"items":[]`) {
		t.Errorf("after the bombs: listModels %d %s", r.StatusCode, r.body)
	}
}

// TestAPITextFields sends names and notes over their limit or with control
// characters to every API operation that stores one: each is refused with
// 400 naming the field and nothing is stored; tab and newline in a note are
// kept.
func TestAPITextFields(t *testing.T) {
	f := newFixture(t, filepath.Join(t.TempDir(), "csmm.db"))
	admin := f.members[csmm.RoleAdmin]
	org := "/api/v1/orgs/acme-corp"
	long := strings.Repeat("n", textfield.MaxName+1)
	longNote := strings.Repeat("n", textfield.MaxNote+1)
	answer := org + "/assessments/" + f.assessA + "/answers/IAM-2.1/default"
	tests := []struct {
		name, method, path, body, want string
	}{
		{"assessment name NUL", "POST", org + "/assessments", `{"name":"a\u0000b"}`, "the assessment name contains the control character U+0000"},
		{"assessment name long", "POST", org + "/assessments", `{"name":"` + long + `"}`, "the assessment name is 201 characters long; the limit is 200"},
		{"assessment name newline", "PATCH", org + "/assessments/" + f.assessA, `{"name":"a\nb","validity_days":180}`, "the assessment name contains the control character U+000A"},
		{"scope name", "POST", org + "/assessments", `{"name":"ok","scopes":[{"id":"prod","name":"P\u001b[31m"}]}`, `the name of scope "prod" contains the control character U+001B`},
		{"note NUL", "PUT", answer, `{"answer":"most","note":"x\u0000","version":0}`, "IAM-2.1: the note contains the control character U+0000"},
		{"note long", "PUT", answer, `{"answer":"most","note":"` + longNote + `","version":0}`, "IAM-2.1: the note is 10001 characters long; the limit is 10000"},
		{"justification", "PUT", answer, `{"answer":"na","justification":"\u0007","version":0}`, "IAM-2.1: the justification contains the control character U+0007"},
		{"answered by", "PUT", answer, `{"answer":"most","by":"A\tB","version":0}`, "IAM-2.1: the name of who answered contains the control character U+0009"},
		{"exemption reason", "POST", org + "/assessments/" + f.assessA + "/exemptions", `{"objective":"IAM-2.1","reason":"r\u0000","until":"2027-03-31"}`, "the reason contains the control character U+0000"},
		{"token name", "POST", org + "/tokens", `{"name":"CI\u0000","role":"viewer"}`, "the token name contains the control character U+0000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := admin.do(tt.method, tt.path, "application/json", []byte(tt.body))
			var body struct {
				Error struct{ Code, Message string }
			}
			r.json(t, &body)
			if r.StatusCode != http.StatusBadRequest || body.Error.Code != "invalid" || !strings.Contains(body.Error.Message, tt.want) {
				t.Errorf("got %d %s %q, want 400 invalid with %q", r.StatusCode, body.Error.Code, body.Error.Message, tt.want)
			}
		})
	}
	if as, _ := f.e.st.ListAssessments(t.Context(), f.a.ID, true); len(as) != 1 {
		t.Errorf("%d assessments after refused creations, want 1", len(as))
	}
	if _, err := f.e.st.GetAnswer(t.Context(), f.a.ID, f.assessA, "IAM-2.1", "default"); err == nil {
		t.Errorf("an answer was stored by a refused request")
	}
	r := admin.do("PUT", answer, "application/json", []byte(`{"answer":"most","note":"line one\n\tline two","version":0}`))
	if r.StatusCode != http.StatusOK {
		t.Fatalf("a note with tab and newline: %d %s", r.StatusCode, r.body)
	}
	if a, err := f.e.st.GetAnswer(t.Context(), f.a.ID, f.assessA, "IAM-2.1", "default"); err != nil || a.Note != "line one\n\tline two" {
		t.Errorf("stored note %q, %v", a.Note, err)
	}
}

// rawGet sends a GET with one extra header line written as is, bypassing
// the client's own checks, and returns the status, media type and body.
func rawGet(t *testing.T, e *env, path, header string) (int, string, string) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(e.ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: csmm.test\r\n%s\r\nConnection: close\r\n\r\n", path, header)
	r, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return r.StatusCode, r.Header.Get("Content-Type"), string(b)
}

// TestMalformedCookie sends session cookies the browser would never send.
// Control characters are refused by net/http itself before any handler
// (400, text/plain: documented in the README as outside the project's
// control); every other malformed value reaches the API, which answers its
// JSON error shape.
func TestMalformedCookie(t *testing.T) {
	f := newFixture(t, filepath.Join(t.TempDir(), "csmm.db"))
	tests := []struct {
		value  string
		status int
		ctype  string
	}{
		{"csmm_s_\x00x", 400, "text/plain; charset=utf-8"},
		{"csmm_s_\x01x", 400, "text/plain; charset=utf-8"},
		{"csmm_s_\x7fx", 400, "text/plain; charset=utf-8"},
		{"csmm_s_\"x", 401, "application/json"},
		{"csmm_s_\xffx", 401, "application/json"},
		{"csmm_s_x y", 401, "application/json"},
		{"csmm_s_\tx", 401, "application/json"},
		{"csmm_s_;;;=", 401, "application/json"},
	}
	for _, tt := range tests {
		status, ctype, body := rawGet(t, f.e, "/api/v1/orgs", "Cookie: csmm_session="+tt.value)
		if status != tt.status || ctype != tt.ctype {
			t.Errorf("cookie %q: %d %s, want %d %s", tt.value, status, ctype, tt.status, tt.ctype)
		}
		if tt.ctype == "application/json" && !strings.Contains(body, `"code":"unauthorized"`) {
			t.Errorf("cookie %q: body %s, want the JSON error shape", tt.value, body)
		}
	}
	if r := f.members[csmm.RoleViewer].get("/api/v1/orgs"); r.StatusCode != http.StatusOK {
		t.Errorf("after malformed cookies a signed-in member gets %d", r.StatusCode)
	}
}

// TestMetricsToken checks /metrics behind --metrics-token: 401 without the
// bearer token or with a wrong one, 200 with it.
func TestMetricsToken(t *testing.T) {
	cfg := testConfig()
	cfg.MetricsToken = "metrics-secret-0123456789"
	e := newEnvWith(t, filepath.Join(t.TempDir(), "csmm.db"), cfg, nil)
	c := e.client()
	if r := c.get("/metrics"); r.StatusCode != http.StatusUnauthorized || r.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("without the token: %d %v", r.StatusCode, r.Header)
	}
	if r := c.do("GET", "/metrics", "", nil, "Authorization", "Bearer wrong"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("with a wrong token: %d", r.StatusCode)
	}
	r := c.do("GET", "/metrics", "", nil, "Authorization", "Bearer "+cfg.MetricsToken)
	if r.StatusCode != http.StatusOK || !strings.Contains(string(r.body), "csmm_http_requests_total") {
		t.Errorf("with the token: %d %.200s", r.StatusCode, r.body)
	}
}

// TestMetricsAddr checks --metrics-addr: the main listener no longer serves
// /metrics, the metrics listener serves it (behind the token when set) and
// nothing else, and both stop with the server.
func TestMetricsAddr(t *testing.T) {
	cfg := testConfig()
	cfg.DatabaseURL = filepath.Join(t.TempDir(), "csmm.db")
	cfg.Addr, cfg.MetricsAddr = freeAddr(t), freeAddr(t)
	cfg.MetricsToken = "metrics-secret-0123456789"
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, slog.New(slog.DiscardHandler)) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	get := func(addr, path, token string) int {
		for range 100 {
			req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				time.Sleep(50 * time.Millisecond)
				continue
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		t.Fatalf("%s did not answer", addr)
		return 0
	}
	if got := get(cfg.Addr, "/readyz", ""); got != http.StatusOK {
		t.Fatalf("readyz: %d", got)
	}
	for _, tt := range []struct {
		addr, path, token string
		want              int
	}{
		{cfg.MetricsAddr, "/metrics", cfg.MetricsToken, http.StatusOK},
		{cfg.MetricsAddr, "/metrics", "", http.StatusUnauthorized},
		{cfg.MetricsAddr, "/readyz", "", http.StatusNotFound},
		{cfg.Addr, "/metrics", cfg.MetricsToken, http.StatusNotFound},
	} {
		if got := get(tt.addr, tt.path, tt.token); got != tt.want {
			t.Errorf("GET %s%s (token %v): %d, want %d", tt.addr, tt.path, tt.token != "", got, tt.want)
		}
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestMetricsConfig(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MetricsAddr, cfg.MetricsToken = cfg.Addr, "short"
	err := cfg.Validate()
	for _, want := range []string{"metrics-addr \"127.0.0.1:8080\": expected another address than addr", "metrics-token: expected at least 16 characters"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate: %v, want %q", err, want)
		}
	}
	got, err := ConfigFromEnv(func(k string) string {
		return map[string]string{EnvMetricsToken: "from-the-environment", EnvMetricsAddr: "127.0.0.1:9090"}[k]
	})
	if err != nil || got.MetricsToken != "from-the-environment" || got.MetricsAddr != "127.0.0.1:9090" {
		t.Errorf("ConfigFromEnv: %+v, %v", got, err)
	}
}
