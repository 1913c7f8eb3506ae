package assess_test

import (
	"errors"
	"os"
	"testing"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/bombs"
	"github.com/csmm/csmm/internal/model"
)

// FuzzParseFile checks that parsing any answers file never panics and
// either returns a file or a *assess.FileError whose problems name the file.
func FuzzParseFile(f *testing.F) {
	m, err := model.Builtin()
	if err != nil {
		f.Fatal(err)
	}
	if acme, err := os.ReadFile("../../examples/acme.yaml"); err == nil {
		f.Add(acme)
	} else {
		f.Fatal(err)
	}
	f.Add(bombs.BillionLaughs())
	f.Add(bombs.MergeKeys())
	f.Add([]byte("answers:\n  IAM-2.1: yes\n"))
	f.Add([]byte("scopes: [{id: prod}]\nanswers:\n  IAM-2.1: {prod: {answer: na, justification: \"x\"}}\n"))
	f.Add([]byte("exemptions:\n  IAM-2.1: {reason: r, until: 2027-01-01, approver: A}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = assess.ReferencedModel(data)
		file, err := assess.ParseFile("fuzz.yaml", data, m)
		if err == nil {
			if file == nil {
				t.Fatal("nil file without an error")
			}
			return
		}
		var fe *assess.FileError
		if !errors.As(err, &fe) || len(fe.Problems) == 0 {
			t.Fatalf("error %T %v, want a FileError with problems", err, err)
		}
		for _, p := range fe.Problems {
			if p.File != "fuzz.yaml" || p.Message == "" {
				t.Fatalf("problem without its file or message: %+v", p)
			}
		}
	})
}
