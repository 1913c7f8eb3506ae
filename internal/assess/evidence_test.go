package assess

import "testing"

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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Plus(tt.b); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
