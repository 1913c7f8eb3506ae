package assess

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEvidencePlus(t *testing.T) {
	tests := []struct {
		name string
		a, b Evidence
		want Evidence
	}{
		{"counts add up", Evidence{Passed: 3, Failed: 1, Muted: 2, Source: "a.json"}, Evidence{Passed: 1, Failed: 4, Source: "b.csv"},
			Evidence{Passed: 4, Failed: 5, Muted: 2, Source: "a.json, b.csv"}},
		{"a source is named once", Evidence{Passed: 1, Source: "a.json, b.csv"}, Evidence{Failed: 1, Source: "b.csv"},
			Evidence{Passed: 1, Failed: 1, Source: "a.json, b.csv"}},
		{"into nothing", Evidence{}, Evidence{Passed: 2, Source: "a.json"}, Evidence{Passed: 2, Source: "a.json"}},
		{"no source", Evidence{Passed: 1, Source: "a.json"}, Evidence{Passed: 1}, Evidence{Passed: 2, Source: "a.json"}},
		{"per-check counts of the same check and day add up, others are kept apart",
			Evidence{Passed: 1, Checks: []CheckEvidence{{Check: "x", Scanned: d("2026-11-01"), Passed: 1, Source: "a"}}},
			Evidence{Passed: 2, Failed: 1, Checks: []CheckEvidence{
				{Check: "x", Scanned: d("2026-11-01"), Passed: 1, Failed: 1, Source: "b"},
				{Check: "x", Scanned: d("2026-11-02"), Passed: 1},
				{Check: "y", Supporting: true, Scanned: d("2026-11-01"), Failed: 3},
			}},
			Evidence{Passed: 3, Failed: 1, Checks: []CheckEvidence{
				{Check: "x", Scanned: d("2026-11-01"), Passed: 2, Failed: 1, Source: "a, b"},
				{Check: "x", Scanned: d("2026-11-02"), Passed: 1},
				{Check: "y", Supporting: true, Scanned: d("2026-11-01"), Failed: 3},
			}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := Evidence{Checks: append([]CheckEvidence(nil), tt.a.Checks...)}
			if diff := cmp.Diff(tt.want, tt.a.Plus(tt.b)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(orig.Checks, tt.a.Checks); diff != "" {
				t.Errorf("Plus changed its receiver's checks: %s", diff)
			}
		})
	}
}

func d(s string) Date {
	v, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}
