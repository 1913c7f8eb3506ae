package history

import (
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/google/go-cmp/cmp"
)

func ptr[T any](v T) *T { return &v }

// TestDecodeScores reads the score rows as each writer writes them: Go's
// encoder (EncodeScores), SQLite's json_object and PostgreSQL's
// json_build_object (spaces, nulls); escaped strings and other shapes go
// through the JSON decoder; malformed rows are errors.
func TestDecodeScores(t *testing.T) {
	rows := []ScoreRow{
		{Kind: KindProgram, Score: ptr(2.7333333333333334), Level: ptr(2)},
		{Kind: KindDomain, ID: "foundational", Score: ptr(3.0)},
		{Kind: KindCategory, ID: "IAM", Score: nil, Level: nil, Target: ptr(4)},
		{Kind: KindCategory, ID: "LOG", Score: ptr(1e-05), Level: ptr(1), Target: ptr(3)},
	}
	encoded, err := EncodeScores(rows)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		in   string
		want []ScoreRow
		fast bool
	}{
		{"EncodeScores", encoded, rows, true},
		{"empty", "[]", []ScoreRow{}, true},
		{"sqlite json_object", `[{"kind":"program","id":"","score":2.7333333333333334,"level":2,"target":null},{"kind":"domain","id":"foundational","score":3.0,"level":null,"target":null},{"kind":"category","id":"IAM","score":null,"level":null,"target":4},{"kind":"category","id":"LOG","score":1.0e-05,"level":1,"target":3}]`, rows, true},
		{"postgres json_build_object", "[{\"kind\" : \"program\", \"id\" : \"\", \"score\" : 2.7333333333333334, \"level\" : 2, \"target\" : null}, \n {\"kind\" : \"domain\", \"id\" : \"foundational\", \"score\" : 3, \"level\" : null, \"target\" : null}, \n {\"kind\" : \"category\", \"id\" : \"IAM\", \"score\" : null, \"level\" : null, \"target\" : 4}, \n {\"kind\" : \"category\", \"id\" : \"LOG\", \"score\" : 1e-05, \"level\" : 1, \"target\" : 3}]", rows, true},
		{"escaped id", `[{"kind":"category","id":"I\u0041M","score":1}]`, []ScoreRow{{Kind: KindCategory, ID: "IAM", Score: ptr(1.0)}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeScores(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("DecodeScores (-want +got):\n%s", diff)
			}
			if _, fast := decodeScoresFast(tc.in); fast != tc.fast {
				t.Errorf("read directly = %v, want %v", fast, tc.fast)
			}
		})
	}
	for _, bad := range []string{``, `[`, `{}`, `[{"kind":"program","score":01}]`, `[{"kind":"program","score":-inf}]`, `[{"kind":1}]`,
		`[{"kind":"a","kind":"b"}]`, `[{"level":2.5}]`, `[{"kind":"a"}] x`, `[{"kind":"a",}]`} {
		if got, err := DecodeScores(bad); err == nil {
			t.Errorf("DecodeScores(%q) = %+v, want an error", bad, got)
		}
	}
}

// FuzzDecodeScores checks that whatever the direct reader accepts, the JSON
// decoder reads the same.
func FuzzDecodeScores(f *testing.F) {
	f.Add(`[{"kind":"program","id":"","score":2.5,"level":2}]`)
	f.Add(`[{"kind" : "category", "id" : "IAM", "score" : null, "level" : null, "target" : 4}]`)
	f.Add(`[]`)
	f.Add(`[{"score":-0.5e+3}]`)
	f.Fuzz(func(t *testing.T, s string) {
		fast, ok := decodeScoresFast(s)
		if !ok {
			return
		}
		var want []ScoreRow
		if err := jsonv2.Unmarshal([]byte(s), &want); err != nil {
			t.Fatalf("read directly %q as %+v, but the decoder refuses it: %v", s, fast, err)
		}
		if want == nil {
			want = []ScoreRow{}
		}
		if diff := cmp.Diff(want, fast); diff != "" {
			t.Fatalf("%q: direct reading differs from the decoder (-decoder +direct):\n%s", s, diff)
		}
	})
}
