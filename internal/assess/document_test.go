package assess

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestDocumentParsesOnce checks that a Document gives the model reference
// and, read against models, the same file as ParseFile, as often as it is
// read; and that a YAML problem waits for Read and keeps its line.
func TestDocumentParsesOnce(t *testing.T) {
	m := builtin(t)
	want, err := ParseFile("example.yaml", []byte(formatsExample), m)
	if err != nil {
		t.Fatal(err)
	}
	doc := ParseDocument("example.yaml", []byte(formatsExample))
	if got := doc.ReferencedModel(); got != "csmm@2.0.0" {
		t.Errorf("ReferencedModel: got %q, want csmm@2.0.0", got)
	}
	for i := range 2 {
		got, err := doc.Read(m)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(File{})); diff != "" {
			t.Errorf("read %d (-ParseFile +Document):\n%s", i+1, diff)
		}
	}

	bad := ParseDocument("bad.yaml", []byte("model: csmm@2.0.0\nanswers:\n  IAM-2.1: [yes\n"))
	if got := bad.ReferencedModel(); got != "" {
		t.Errorf("ReferencedModel of a file that does not parse: got %q, want \"\"", got)
	}
	_, err = bad.Read(m)
	var fe *FileError
	if !errors.As(err, &fe) || len(fe.Problems) != 1 || fe.Problems[0].File != "bad.yaml" || fe.Problems[0].Line == 0 {
		t.Fatalf("got %v, want one problem of bad.yaml with its line", err)
	}
	if got := ParseDocument("none.yaml", []byte("answers: {}\n")).ReferencedModel(); got != "" {
		t.Errorf("ReferencedModel of a file naming none: got %q", got)
	}
}
