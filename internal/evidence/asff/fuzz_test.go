package asff_test

import (
	"testing"

	"github.com/csmm/csmm/internal/evidence/asff"
	"github.com/csmm/csmm/internal/evidence/evidencetest"
)

func FuzzRead(f *testing.F) {
	evidencetest.FuzzReader(f, asff.Read, "securityhub.json", "prowler.asff.json")
}
