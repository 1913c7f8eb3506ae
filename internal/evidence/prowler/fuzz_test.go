package prowler_test

import (
	"testing"

	"github.com/csmm/csmm/internal/evidence/evidencetest"
	"github.com/csmm/csmm/internal/evidence/prowler"
)

func FuzzReadOCSF(f *testing.F) { evidencetest.FuzzReader(f, prowler.ReadOCSF, "ocsf.json") }
func FuzzReadCSV(f *testing.F) {
	evidencetest.FuzzReader(f, prowler.ReadCSV, "v5.csv", "v3.csv", "v2.csv")
}
func FuzzReadJSON(f *testing.F) { evidencetest.FuzzReader(f, prowler.ReadJSON, "v3.json", "v2.jsonl") }
