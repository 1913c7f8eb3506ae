package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/csmm/csmm/internal/history/historytest"
	"github.com/google/go-cmp/cmp"
)

// TestDiffSnapshots runs csmm diff on two snapshot export files and checks
// that it prints exactly what package history's golden files hold: the
// same comparison in the CLI as in the API and the pages.
func TestDiffSnapshots(t *testing.T) {
	from, to, _, _, err := historytest.Pair()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, v any) string {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, b := write("from.json", from), write("to.json", to)
	for _, tc := range []struct{ format, golden string }{
		{"md", "compare.golden.md"},
		{"table", "compare.golden.md"},
		{"csv", "compare.golden.csv"},
		{"json", "compare.golden.json"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			got := run(t, "", "diff", "--format", tc.format, a, b).wantCode(t, 0).stdout
			want, err := os.ReadFile(filepath.Join("..", "history", "testdata", tc.golden))
			if err != nil {
				t.Fatal(err)
			}
			if tc.format == "json" {
				var g, w any
				if err := json.Unmarshal([]byte(got), &g); err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(want, &w); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(w, g); diff != "" {
					t.Errorf("csmm diff --format json differs from the comparison golden file (-want +got):\n%s", diff)
				}
				return
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("csmm diff --format %s differs from the comparison golden file (-want +got):\n%s", tc.format, diff)
			}
		})
	}
	t.Run("one of each", func(t *testing.T) {
		r := run(t, "", "diff", a, acme)
		if r.code == 0 {
			t.Errorf("diff of a snapshot and an answers file succeeded; want an error")
		}
	})
}
