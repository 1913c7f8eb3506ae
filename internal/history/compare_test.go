package history_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/csmm/csmm/internal/history"
	"github.com/csmm/csmm/internal/history/historytest"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (go test -update creates it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got; go test -update rewrites it):\n%s", name, diff)
	}
}

// TestCompareGolden compares the fixture pair: exactly the objectives the
// fixture changed, the score moves, evidence and exemptions, and the
// objective whose meaning changed listed apart rather than paired.
func TestCompareGolden(t *testing.T) {
	from, to, mf, mt, err := historytest.Pair()
	if err != nil {
		t.Fatal(err)
	}
	c := history.Compare(history.SideOf(from, mf), history.SideOf(to, mt))
	o := mf.Objectives
	if c.Model == nil || !cmp.Equal(c.Model.Changed, []string{o[0].ID}) || len(c.Model.Added) != 0 || len(c.Model.Removed) != 0 {
		t.Errorf("model change = %+v, want only %s changed", c.Model, o[0].ID)
	}
	type key struct{ id, scope string }
	var got []key
	for _, ch := range c.Objectives {
		got = append(got, key{ch.Objective, ch.Scope})
	}
	// Objective 0 changed meaning, so its changed answer is not paired; the
	// evidence of objectives 5 to 7 changed but their answers decide; the
	// exempt objective 30's exemption expired, 31's is new.
	want := []key{{o[2].ID, "production"}, {o[3].ID, "development"},
		{o[25].ID, "production"}, {o[30].ID, "development"}, {o[30].ID, "production"},
		{o[31].ID, "development"}, {o[31].ID, "production"}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(key{})); diff != "" {
		t.Errorf("changed objectives (-want +got):\n%s", diff)
	}
	var md, csv bytes.Buffer
	if err := c.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	js, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "compare.golden.md", md.Bytes())
	golden(t, "compare.golden.csv", csv.Bytes())
	golden(t, "compare.golden.json", append(js, '\n'))
}
