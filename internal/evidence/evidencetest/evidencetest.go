// Package evidencetest holds what the tests of every evidence reader share.
package evidencetest

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/evidence"
)

// FuzzReader fuzzes a reader, seeded with files of the caller's testdata
// folder: no input may make it panic, an error must start with the file's
// name, and every finding must have a check ID and a known outcome.
func FuzzReader(f *testing.F, read func(string, io.Reader, evidence.Emit) error, seeds ...string) {
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
