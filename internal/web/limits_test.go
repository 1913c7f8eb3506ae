package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/bombs"
	"github.com/csmm/csmm/internal/csmm"
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
		{"wide", bombs.Deep(100_000), http.StatusUnprocessableEntity, "the limit is 100000 nodes"},
		{"too large", []byte("id: " + strings.Repeat("x", yamlguard.MaxBytes) + "\n"), http.StatusBadRequest, "larger than 4 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r response
			grew := bombs.Allocated(func() { r = e.upload(admin, path, "model", "bomb.yaml", tt.data) })
			if r.status != tt.status || !strings.Contains(r.body, tt.want) {
				t.Errorf("status %d, want %d with %q\n%.2000s", r.status, tt.status, tt.want, r.body)
			}
			if grew > bombs.MaxHeapGrowth {
				t.Errorf("the upload allocated %d MiB, over the bound of %d MiB", grew>>20, bombs.MaxHeapGrowth>>20)
			}
			if ms, _ := e.store.ListModels(context.Background(), e.org.ID); len(ms) != 0 {
				t.Errorf("%d models stored after a refused upload", len(ms))
			}
		})
	}
}
