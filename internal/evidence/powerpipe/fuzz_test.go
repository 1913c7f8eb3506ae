package powerpipe_test

import (
	"testing"

	"github.com/csmm/csmm/internal/evidence/evidencetest"
	"github.com/csmm/csmm/internal/evidence/powerpipe"
)

func FuzzReadJSON(f *testing.F) { evidencetest.FuzzReader(f, powerpipe.ReadJSON, "benchmark.json") }
func FuzzReadCSV(f *testing.F)  { evidencetest.FuzzReader(f, powerpipe.ReadCSV, "results.csv") }
