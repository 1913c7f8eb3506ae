package genericcsv_test

import (
	"testing"

	"github.com/csmm/csmm/internal/evidence/evidencetest"
	"github.com/csmm/csmm/internal/evidence/genericcsv"
)

func FuzzRead(f *testing.F) {
	evidencetest.FuzzReader(f, genericcsv.Read, "findings.csv", "semicolon.csv")
}
