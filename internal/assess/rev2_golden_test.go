package assess_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
	"github.com/google/go-cmp/cmp"
)

// TestRevision2Golden scores every answers file of testdata/rev2 against
// the model there, as of 2026-11-20, with the evidence of NAME.evidence.json
// when there is one, and compares the outcome with NAME.golden: the file's
// errors, or its warnings and the score JSON. go test -update rewrites the
// golden files.
func TestRevision2Golden(t *testing.T) {
	dir := filepath.Join("testdata", "rev2")
	m, err := model.Load(filepath.Join(dir, "model.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cases, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	asOf := mustDate("2026-11-20")
	n := 0
	for _, path := range cases {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		if name == "model" {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			f, err := assess.ReadFile(path, m)
			var fe *assess.FileError
			switch {
			case errors.As(err, &fe):
				out.WriteString("error:\n" + filepath.ToSlash(err.Error()) + "\n")
			case err != nil:
				t.Fatal(err)
			default:
				in := f.Input(m, asOf)
				in.Evidence = readEvidence(t, filepath.Join(dir, name+".evidence.json"))
				for _, w := range f.AnswersAfter(asOf) {
					fmt.Fprintf(&out, "warning: %s\n", filepath.ToSlash(w.String()))
				}
				data, err := json.MarshalIndent(assess.Score(in), "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				out.Write(data)
				out.WriteString("\n")
			}
			compareGolden(t, filepath.Join(dir, name+".golden"), out.Bytes())
		})
	}
	if n < 8 {
		t.Errorf("only %d cases in %s", n, dir)
	}
}

// readEvidence reads [{objective, scope, evidence}] from a JSON file, or
// returns nil when there is none.
func readEvidence(t *testing.T, path string) map[assess.Key]assess.Evidence {
	t.Helper()
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var items []struct {
		Objective string          `json:"objective"`
		Scope     string          `json:"scope"`
		Evidence  assess.Evidence `json:"evidence"`
	}
	if err := json.Unmarshal(data, &items); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := map[assess.Key]assess.Evidence{}
	for _, it := range items {
		k := assess.Key{Objective: it.Objective, Scope: it.Scope}
		out[k] = out[k].Plus(it.Evidence)
	}
	return out
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if updateGolden() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; -update rewrites it):\n%s", path, diff)
	}
}
