package server

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

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
		{"model: wide", "POST", models, "application/yaml", bombs.Deep(100_000), 400, "invalid", "the limit is 100000 nodes"},
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
			var body struct{ Error struct{ Code, Message string } }
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
