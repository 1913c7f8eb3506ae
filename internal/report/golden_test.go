package report

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden renders the fixture report in every text format and compares it
// with the files in testdata; -update rewrites them.
func TestGolden(t *testing.T) {
	r := fixture(t, fixtureOptions{})
	tests := []struct {
		name  string
		file  string
		write func(io.Writer) error
	}{
		{"markdown", "report.md", r.WriteMarkdown},
		{"html", "report.html", r.WriteHTML},
		{"json", "report.json", r.WriteJSON},
		{"csv", "report.csv", r.WriteCSV},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tt.write(&buf); err != nil {
				t.Fatalf("write: %v", err)
			}
			path := filepath.Join("testdata", tt.file)
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden file (run go test -update to create it): %v", err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("%s differs from the golden file (-want +got):\n%s", tt.file, diff)
			}
		})
	}
}
