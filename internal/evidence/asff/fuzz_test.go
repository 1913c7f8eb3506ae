package asff_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/evidence"
	"github.com/csmm/csmm/internal/evidence/asff"
)

// fuzzReader checks that no input makes a reader panic, that an error names
// the file and is a *evidence.ParseError, and that every finding has a
// check ID and a known outcome.
func fuzzReader(f *testing.F, read func(string, io.Reader, evidence.Emit) error, seeds ...string) {
	for _, s := range seeds {
		data, err := os.ReadFile(filepath.Join("testdata", s))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		err := read("fuzz.in", bytes.NewReader(data), func(fd evidence.Finding) error {
			n++
			if fd.CheckID == "" {
				t.Errorf("finding %d has no check ID", n)
			}
			switch fd.Status {
			case evidence.Pass, evidence.Fail, evidence.Manual, evidence.Other:
			default:
				t.Errorf("finding %d has status %q", n, fd.Status)
			}
			return nil
		})
		if err != nil && !strings.HasPrefix(err.Error(), "fuzz.in") {
			t.Errorf("error does not start with the file name: %v", err)
		}
	})
}

func FuzzRead(f *testing.F) { fuzzReader(f, asff.Read, "securityhub.json", "prowler.asff.json") }
