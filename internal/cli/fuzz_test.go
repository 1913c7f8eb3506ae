package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/csmm/csmm/internal/bombs"
	"github.com/csmm/csmm/internal/model"
)

// FuzzModelImportCSV runs the spreadsheet import on any CSV file with the
// example mapping: it never panics, and a model it writes passes
// model.Parse.
func FuzzModelImportCSV(f *testing.F) {
	example, err := os.ReadFile("../../examples/model-import/objectives.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add(bombs.CSV(20, 300))
	f.Add([]byte("Category,Level,Objective,Question\nIAM,2,t,q\n"))
	dir := f.TempDir()
	data := filepath.Join(dir, "objectives.csv")
	mapPath := "../../examples/model-import/map.yaml"
	f.Fuzz(func(t *testing.T, csv []byte) {
		if err := os.WriteFile(data, csv, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := importModel(data, mapPath)
		if err != nil {
			return
		}
		if _, err := model.Parse("imported.yaml", out); err != nil {
			t.Fatalf("the import wrote a model that does not parse: %v", err)
		}
	})
}
