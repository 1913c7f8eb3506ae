package history_test

import (
	"fmt"
	"testing"

	"github.com/csmm/csmm/internal/history"
	"github.com/google/go-cmp/cmp"
)

func members(scores ...float64) []history.Member {
	var out []history.Member
	for i, s := range scores {
		s := s
		out = append(out, history.Member{OrgID: fmt.Sprint(i), Scores: []history.ScoreRow{
			{Kind: history.KindProgram, Score: &s}, {Kind: history.KindCategory, ID: "C", Score: &s},
		}})
	}
	return out
}

func TestAggregateAndPlace(t *testing.T) {
	tests := []struct {
		name    string
		scores  []float64
		yours   float64
		want    *history.Quartiles
		percent int
	}{
		{"under five is suppressed", []float64{1, 2, 3, 4}, 2, nil, 0},
		{"five", []float64{1, 2, 3, 4, 5}, 3, &history.Quartiles{P25: 2, P50: 3, P75: 4}, 50},
		{"interpolated", []float64{1, 1.5, 2, 2.5, 3, 3.5}, 3.6, &history.Quartiles{P25: 1.63, P50: 2.25, P75: 2.88}, 100},
		{"ties count half", []float64{2, 2, 2, 2, 2}, 2, &history.Quartiles{P25: 2, P50: 2, P75: 2}, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := members(tt.scores...)
			b := history.Aggregate(history.Benchmark{Source: history.SourceInstallation}, m, nil, []string{"C"})
			if tt.want == nil {
				if !b.Suppressed || b.Organizations != nil || b.Program != nil || b.Categories != nil {
					t.Fatalf("got %+v, want suppressed without figures", b)
				}
				return
			}
			if b.Suppressed || *b.Organizations != len(tt.scores) {
				t.Fatalf("got suppressed %v, %v organizations", b.Suppressed, b.Organizations)
			}
			if diff := cmp.Diff(*tt.want, *b.Program); diff != "" {
				t.Errorf("program quartiles (-want +got):\n%s", diff)
			}
			y := tt.yours
			history.Place(&b, []history.ScoreRow{{Kind: history.KindCategory, ID: "C", Score: &y}}, history.Distribute(m))
			if b.You == nil || len(b.You.Categories) != 1 || b.You.Categories[0].Percentile != tt.percent {
				t.Errorf("you = %+v, want percentile %d", b.You, tt.percent)
			}
		})
	}
}
