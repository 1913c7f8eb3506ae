package history

import (
	"encoding/csv"
	"io"
	"strconv"
	"time"

	"github.com/csmm/csmm/internal/assess"
)

// Trend is the scores of an organization's or an assessment's snapshots,
// oldest first.
type Trend struct {
	OrgID string `json:"org_id"`
	// AssessmentID is set for the trend of one assessment.
	AssessmentID string       `json:"assessment_id,omitempty"`
	Points       []TrendPoint `json:"points"`
}

// TrendPoint is one snapshot's scores: the program first, then domains and
// categories (with their targets), as Scores lists them.
type TrendPoint struct {
	SnapshotID   string          `json:"snapshot_id"`
	AssessmentID string          `json:"assessment_id"`
	Assessment   string          `json:"assessment"`
	Finalized    time.Time       `json:"finalized"`
	AsOf         assess.Date     `json:"as_of"`
	Model        assess.ModelRef `json:"model"`
	Scores       []ScoreRow      `json:"scores"`
}

// Program returns the point's program score row.
func (p *TrendPoint) Program() ScoreRow {
	for _, s := range p.Scores {
		if s.Kind == KindProgram {
			return s
		}
	}
	return ScoreRow{Kind: KindProgram}
}

// Series returns, for every score of the given kind and ID, its value at
// each point (nil where absent or not applicable).
func (t *Trend) Series(kind, id string) []*float64 {
	out := make([]*float64, len(t.Points))
	for i, p := range t.Points {
		for _, s := range p.Scores {
			if s.Kind == kind && s.ID == id {
				out[i] = s.Score
			}
		}
	}
	return out
}

// TrendCSVHeader is the header row of a trend's CSV.
var TrendCSVHeader = []string{"snapshot", "assessment_id", "assessment", "finalized", "as_of", "model", "model_version", "kind", "id", "score", "level", "target"}

// WriteCSV writes the trend as CSV, one row per point and score.
func (t *Trend) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(TrendCSVHeader)
	for _, p := range t.Points {
		for _, s := range p.Scores {
			cw.Write([]string{p.SnapshotID, p.AssessmentID, p.Assessment, p.Finalized.UTC().Format(time.RFC3339), p.AsOf.String(),
				p.Model.ID, p.Model.Version, s.Kind, s.ID, floatCell(s.Score), intCell(s.Level), intCell(s.Target)})
		}
	}
	cw.Flush()
	return cw.Error()
}

func floatCell(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

func intCell(v *int) string {
	if v == nil {
		return ""
	}
	return strconv.Itoa(*v)
}
