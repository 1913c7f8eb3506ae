package server

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/report"
)

// TestReportFormats fetches an assessment's report in every format of
// getReport and checks the media type, the file name (from the assessment's
// name) and the first bytes of each: a zip for XLSX, a PDF printed by
// Chromium for PDF.
func TestReportFormats(t *testing.T) {
	f := newFixture(t, newDSN(t, "sqlite"))
	viewer := f.members[csmm.RoleViewer]
	r := f.members[csmm.RoleAdmin].do("POST", "/api/v1/orgs/acme-corp/assessments/import?name="+url.QueryEscape(`Q4 "review" / EU`), "application/yaml", []byte(exampleAnswers))
	var as struct{ ID string }
	r.json(t, &as)
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("import: %d %s", r.StatusCode, r.body)
	}
	base := "/api/v1/orgs/acme-corp/assessments/" + as.ID + "/report?as_of=2026-11-20&format="
	_, chromiumErr := report.FindChromium(os.Getenv)

	tests := []struct {
		format, ctype, disposition, file, prefix string
	}{
		{"html", "text/html; charset=utf-8", "inline", "Q4-review-EU.html", "<!DOCTYPE html>"},
		{"pdf", "application/pdf", "attachment", "Q4-review-EU.pdf", "%PDF-"},
		{"md", "text/markdown; charset=utf-8", "attachment", "Q4-review-EU.md", "# "},
		{"json", "application/json", "attachment", "Q4-review-EU.json", "{"},
		{"csv", "text/csv; charset=utf-8", "attachment", "Q4-review-EU.csv", ""},
		{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "attachment", "Q4-review-EU.xlsx", "PK\x03\x04"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			if tt.format == "pdf" && chromiumErr != nil {
				if os.Getenv("CI") == "true" {
					t.Fatalf("CI must print PDF reports: %v", chromiumErr)
				}
				t.Skipf("no Chromium: %v", chromiumErr)
			}
			r := viewer.get(base + tt.format)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %.300s", r.StatusCode, r.body)
			}
			if got := r.Header.Get("Content-Type"); got != tt.ctype {
				t.Errorf("Content-Type %q, want %q", got, tt.ctype)
			}
			disp, params, err := mime.ParseMediaType(r.Header.Get("Content-Disposition"))
			if err != nil || disp != tt.disposition || params["filename"] != tt.file {
				t.Errorf("Content-Disposition %q (%v), want %s with filename %q", r.Header.Get("Content-Disposition"), err, tt.disposition, tt.file)
			}
			if len(r.body) < 100 || !strings.HasPrefix(string(r.body), tt.prefix) {
				t.Errorf("%d bytes starting %q, want more than 100 starting %q", len(r.body), r.body[:min(len(r.body), 20)], tt.prefix)
			}
		})
	}
	t.Run("csv has the header row", func(t *testing.T) {
		r := viewer.get(base + "csv")
		first, _, _ := strings.Cut(string(r.body), "\n")
		if !strings.Contains(first, ",") || strings.ContainsAny(first, "0123456789") {
			t.Errorf("first CSV line %q is not a header row", first)
		}
	})
	t.Run("unknown format", func(t *testing.T) {
		r := viewer.get(base + "docx")
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(string(r.body), "pdf") || !strings.Contains(string(r.body), "xlsx") {
			t.Errorf("format=docx: %d %s, want 400 listing the formats", r.StatusCode, r.body)
		}
	})
	t.Run("pdf without Chromium", func(t *testing.T) {
		t.Setenv("CSMM_CHROMIUM", t.TempDir()+"/no-such-browser")
		r := viewer.get(base + "pdf")
		if r.StatusCode != http.StatusServiceUnavailable || r.errorCode() != "unavailable" {
			t.Fatalf("status %d, code %q; want 503 unavailable: %s", r.StatusCode, r.errorCode(), r.body)
		}
		var body struct{ Error struct{ Message string } }
		r.json(t, &body)
		if !strings.Contains(body.Error.Message, "install it with") || !strings.Contains(body.Error.Message, "CSMM_CHROMIUM") {
			t.Errorf("message %q does not say how to install Chromium", body.Error.Message)
		}
	})
	t.Run("openapi lists every format", func(t *testing.T) {
		var doc struct {
			Paths map[string]map[string]struct {
				Parameters []struct {
					Name, In string
					Schema   struct{ Enum []string }
				}
				Responses map[string]struct {
					Content map[string]any
				}
			}
		}
		f.e.client().get("/api/v1/openapi.json").json(t, &doc)
		op := doc.Paths["/orgs/{org}/assessments/{id}/report"]["get"]
		var enum []string
		for _, p := range op.Parameters {
			if p.Name == "format" && p.In == "query" {
				enum = p.Schema.Enum
			}
		}
		slices.Sort(enum)
		if diff := cmp.Diff([]string{"ccm-csv", "csv", "html", "json", "md", "pdf", "xlsx"}, enum); diff != "" {
			t.Errorf("format enum (-want +got):\n%s", diff)
		}
		for _, mt := range []string{"application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/html"} {
			if _, ok := op.Responses["200"].Content[mt]; !ok {
				b, _ := json.Marshal(op.Responses)
				t.Errorf("getReport does not document %s: %s", mt, b)
			}
		}
	})
}
