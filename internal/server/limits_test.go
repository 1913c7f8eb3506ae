package server

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/bombs"
	"github.com/csmm/csmm/internal/csmm"
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
