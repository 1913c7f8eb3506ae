package evidencetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/go-cmp/cmp"

	"github.com/csmm/csmm/internal/evidence"
)

// MalformedRecords are inputs that are no record: empty, not JSON, cut
// short, not an object, a name with an escape that makes invalid UTF-8.
var MalformedRecords = []string{``, `A0`, `"0`, `{{`, `null`, `[]`, `"finding"`, "{\"\\b\xff\":0}"}

// Records returns the records of a JSON file of the caller's testdata: the
// elements of its list, or of the list under its key Findings.
func Records(t testing.TB, path string) [][]byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Findings []json.RawMessage }
	if err := json.Unmarshal(data, &file.Findings); err != nil {
		if err := json.Unmarshal(data, &file); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	records := make([][]byte, len(file.Findings))
	for i, r := range file.Findings {
		records[i] = r
	}
	return records
}

// decoded is what one decoding of a record gives: the fields a test looks
// at, or the error as a reader reports it.
type decoded[V any] struct {
	Fields V
	Err    string
}

// SameAsDecodeRecord decodes data with walk into prev, which holds the
// previous record's values (a reader reuses its storage), and with
// evidence.DecodeRecord into a new T (whose struct tags name the same
// members), and fails when view gives different fields or the errors
// differ as a reader reports them. Invalid JSON must be invalid to both;
// where and in which words it is reported may differ (one decoder meets it
// reading a value whole, the other token by token).
func SameAsDecodeRecord[T, V any](t *testing.T, prev *T, data []byte, walk func(*evidence.Scanner, *T) error, view func(*T) V) {
	t.Helper()
	of := func(f *T, err error) decoded[V] {
		if err == nil {
			return decoded[V]{Fields: view(f)}
		}
		d := decoded[V]{Err: evidence.JSONError("f.json", 0, 1, err).Error()}
		if _, ok := errors.AsType[*jsontext.SyntacticError](err); ok {
			d.Err = "invalid JSON"
		}
		return d
	}
	got := of(prev, walk(evidence.NewScanner(bytes.NewReader(data)), prev))
	var ref T
	want := of(&ref, evidence.DecodeRecord(evidence.NewJSONDecoder(bytes.NewReader(data)), &ref))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s\nthe reader's decoding differs from DecodeRecord (-DecodeRecord +reader):\n%s", data, diff)
	}
}

// TestSameAsDecodeRecord runs SameAsDecodeRecord on every seed in turn,
// each decoded by walk into the storage of the one before.
func TestSameAsDecodeRecord[T, V any](t *testing.T, seeds [][]byte, walk func(*evidence.Scanner, *T) error, view func(*T) V) {
	var prev T
	for _, s := range seeds {
		SameAsDecodeRecord(t, &prev, s, walk, view)
	}
}

// FuzzSameAsDecodeRecord fuzzes SameAsDecodeRecord from seeds.
func FuzzSameAsDecodeRecord[T, V any](f *testing.F, seeds [][]byte, walk func(*evidence.Scanner, *T) error, view func(*T) V) {
	for _, s := range seeds {
		f.Add(s)
	}
	var prev T
	f.Fuzz(func(t *testing.T, data []byte) {
		SameAsDecodeRecord(t, &prev, data, walk, view)
	})
}
