package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/service"
	"github.com/csmm/csmm/internal/store"
)

func TestStatus(t *testing.T) {
	tests := map[string]int{
		csmm.EINVALID: 400, csmm.EUNAUTHORIZED: 401, csmm.EFORBIDDEN: 403, csmm.ENOTFOUND: 404,
		csmm.ECONFLICT: 409, csmm.ERATELIMITED: 429, csmm.EINTERNAL: 500, ESETUP: 503, EUNAVAILABLE: 503, "something else": 500,
	}
	for code, want := range tests {
		t.Run(code, func(t *testing.T) {
			if got := Status(code); got != want {
				t.Errorf("Status(%q) = %d, want %d", code, got, want)
			}
		})
	}
}

func TestWriteError(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		status   int
		want     ErrorDetail
		wantLogs string
	}{
		{"application error", fmt.Errorf("op: %w", csmm.Errorf(csmm.ENOTFOUND, "assessment %q not found", "x")), 404,
			ErrorDetail{Code: "not_found", Message: `assessment "x" not found`}, ""},
		{"internal error hidden", errors.New("pq: password authentication failed for db at 10.0.0.5"), 500,
			ErrorDetail{Code: "internal", Message: "internal error"}, "10.0.0.5"},
		{"problems", withProblems("the model has 1 problem(s)", []service.Problem{{File: "a.yaml", Line: 3, Message: "bad"}}), 400,
			ErrorDetail{Code: "invalid", Message: "the model has 1 problem(s)", Problems: []service.Problem{{File: "a.yaml", Line: 3, Message: "bad"}}}, ""},
		{"unavailable, logged for the operator", fmt.Errorf("render: %w", csmm.Errorf(EUNAVAILABLE, "install chromium")), 503,
			ErrorDetail{Code: "unavailable", Message: "install chromium"}, "level=WARN"},
		{"too large", fmt.Errorf("import: %w", csmm.Errorf(ETOOLARGE, "the scanner file is larger than 32 MiB")), 413,
			ErrorDetail{Code: "too_large", Message: "the scanner file is larger than 32 MiB"}, ""},
		{"current", withCurrent(csmm.Errorf(csmm.ECONFLICT, "changed"), &store.Answer{Objective: "IAM-2.1", Scope: "default", Answer: "yes", Version: 2}), 409,
			ErrorDetail{Code: "conflict", Message: "changed", Current: &store.Answer{Objective: "IAM-2.1", Scope: "default", Answer: "yes", Version: 2}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			w := httptest.NewRecorder()
			WriteError(w, httptest.NewRequest("GET", "/api/v1/x", nil), slog.New(slog.NewTextHandler(&logs, nil)), tt.err)
			if w.Code != tt.status {
				t.Errorf("status %d, want %d", w.Code, tt.status)
			}
			var got ErrorBody
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got.Error); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			if strings.Contains(w.Body.String(), "10.0.0.5") {
				t.Error("an internal detail reached the response")
			}
			if tt.wantLogs != "" && !strings.Contains(logs.String(), tt.wantLogs) {
				t.Errorf("the log lacks %q: %s", tt.wantLogs, logs.String())
			}
			if tt.status == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
				t.Error("no WWW-Authenticate on 401")
			}
		})
	}
}

func TestTableIsConsistent(t *testing.T) {
	a := New(Options{})
	seen := map[string]bool{}
	for _, rt := range a.routes {
		if rt.OperationID == "" || seen[rt.OperationID] {
			t.Errorf("route %s %s: operation ID %q is empty or repeated", rt.Method, rt.Path, rt.OperationID)
		}
		seen[rt.OperationID] = true
		inOrg := strings.HasPrefix(rt.Path, "/orgs/{org}")
		if inOrg != (rt.Perm != "") {
			t.Errorf("route %s %s: permission %q, but in an organization = %v", rt.Method, rt.Path, rt.Perm, inOrg)
		}
		if rt.Handle == nil {
			t.Errorf("route %s %s has no handler", rt.Method, rt.Path)
		}
	}
}

func TestWriteJSON(t *testing.T) {
	v := map[string]any{"items": []any{map[string]any{"id": "a", "tag": "<b>"}}}
	compact := `{"items":[{"id":"a","tag":"\u003cb\u003e"}]}` + "\n"
	indented := "{\n  \"items\": [\n    {\n      \"id\": \"a\",\n      \"tag\": \"\\u003cb\\u003e\"\n    }\n  ]\n}\n"
	tests := []struct {
		name  string
		query string
		want  string
	}{
		{"compact by default", "", compact},
		{"pretty=1", "?pretty=1", indented},
		{"pretty=true among others", "?as_of=2026-11-20&pretty=true", indented},
		{"pretty=0", "?pretty=0", compact},
		{"pretty not a boolean", "?pretty=yes%20please", compact},
	}
	// The same JSON given to writeJSONLine (as getScore keeps it) gives
	// the same response.
	line := []byte(compact)
	for _, tt := range tests {
		for _, how := range []string{"writeJSON", "writeJSONLine"} {
			t.Run(tt.name+"/"+how, func(t *testing.T) {
				w := httptest.NewRecorder()
				r := httptest.NewRequest("GET", "/api/v1/x"+tt.query, nil)
				if how == "writeJSON" {
					writeJSON(w, r, http.StatusCreated, v)
				} else {
					writeJSONLine(w, r, http.StatusCreated, bytes.Clone(line))
				}
				if w.Code != http.StatusCreated {
					t.Errorf("status %d, want 201", w.Code)
				}
				if diff := cmp.Diff(tt.want, w.Body.String()); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
				if got, want := w.Header().Get("Content-Length"), fmt.Sprint(len(tt.want)); got != want {
					t.Errorf("Content-Length %s, want %s", got, want)
				}
				if ct := w.Header().Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type %q", ct)
				}
			})
		}
	}
}
