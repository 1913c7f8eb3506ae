package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/bombs"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/store"
	"github.com/csmm/csmm/internal/textfield"
	"github.com/csmm/csmm/internal/yamlguard"
)

// TestModelUploadBombs sends each YAML bomb through the settings page's
// upload form: each is refused with a located problem naming the limit,
// nothing is stored, and the server allocates less than
// bombs.MaxHeapGrowth doing so.
func TestModelUploadBombs(t *testing.T) {
	e := newEnv(t)
	admin := e.users[csmm.RoleAdmin]
	path := "/o/example/settings/models"
	tests := []struct {
		name   string
		data   []byte
		status int
		want   string
	}{
		{"billion laughs", bombs.BillionLaughs(), http.StatusUnprocessableEntity, "the anchor &amp;a is not allowed"},
		{"merge keys", bombs.MergeKeys(), http.StatusUnprocessableEntity, "the anchor &amp;l0 is not allowed"},
		{"deep", bombs.Deep(20_000), http.StatusUnprocessableEntity, "exceeded max depth"},
		{"wide", bombs.Deep(yamlguard.MaxNodes), http.StatusUnprocessableEntity, fmt.Sprintf("the limit is %d nodes", yamlguard.MaxNodes)},
		{"too large", []byte("id: " + strings.Repeat("x", yamlguard.MaxBytes) + "\n"), http.StatusBadRequest, "larger than 4 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r response
			grew := bombs.Allocated(func() { r = e.upload(admin, path, "model", "bomb.yaml", tt.data) })
			if r.status != tt.status || !strings.Contains(r.body, tt.want) {
				t.Errorf("status %d, want %d with %q\n%.2000s", r.status, tt.status, tt.want, r.body)
			}
			t.Logf("allocated %.1f MiB", float64(grew)/(1<<20))
			if grew > bombs.MaxHeapGrowth {
				t.Errorf("the upload allocated %d MiB, over the bound of %d MiB", grew>>20, bombs.MaxHeapGrowth>>20)
			}
			if ms, _ := e.store.ListModels(context.Background(), e.org.ID); len(ms) != 0 {
				t.Errorf("%d models stored after a refused upload", len(ms))
			}
		})
	}
}

// TestFormTextFields sends names and notes with control characters or over
// their limit through the forms: each is refused with a form error naming
// the field (422) and nothing is stored.
func TestFormTextFields(t *testing.T) {
	e := newEnv(t)
	owner := e.users[csmm.RoleOwner]
	newForm := func(name string) url.Values {
		return url.Values{"name": {name}, "preset": {"growing"}, "model": {store.BuiltinModel}, "validity_days": {"365"},
			"scope_id": {"production"}, "scope_name": {""}, "scope_weight": {"1"}}
	}
	path := e.create("Text", "production")
	obj := builtin(t).CategoryObjectives("IAM")[0].ID
	tests := []struct {
		name, path string
		form       url.Values
		sel, want  string
	}{
		{"assessment name NUL", "/o/example/assessments", newForm("a\x00b"), ".error", "the assessment name contains the control character U+0000"},
		{"assessment name long", "/o/example/assessments", newForm(strings.Repeat("x", textfield.MaxName+1)), ".error", "the assessment name is 201 characters long; the limit is 200"},
		{"note", path + "/objectives/" + obj + "/answer", url.Values{"answer-production": {"yes"}, "note-production": {"a\x1bb"}, "version-production": {"0"}},
			"fieldset.scope .field-error", "the note contains the control character U+001B"},
		{"justification long", path + "/objectives/" + obj + "/answer", url.Values{"answer-production": {"na"}, "justification-production": {strings.Repeat("j", textfield.MaxNote+1)}, "version-production": {"0"}},
			"fieldset.scope .field-error", "the justification is 10001 characters long; the limit is 10000"},
		{"token name", "/o/example/settings/tokens", url.Values{"name": {"CI\x00"}, "role": {"viewer"}, "expiry": {"30d"}}, ".error", "the token name contains the control character U+0000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.post(owner, tt.path, tt.form)
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%.3000s", r.status, r.body)
			}
			if got := r.doc(t).Find(tt.sel).Text(); !strings.Contains(got, tt.want) {
				t.Errorf("form error %q, want %q", got, tt.want)
			}
		})
	}
	ctx := context.Background()
	if as, _ := e.store.ListAssessments(ctx, e.org.ID, true); len(as) != 1 {
		t.Errorf("%d assessments after refused forms, want 1", len(as))
	}
	if toks, _ := e.store.ListAPITokens(ctx, e.org.ID); len(toks) != 0 {
		t.Errorf("%d tokens after a refused form, want 0", len(toks))
	}
}
