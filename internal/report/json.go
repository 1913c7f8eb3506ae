package report

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/csmm/csmm/internal/assess"
)

// jsonReport is the score JSON of the interchange formats with the
// assessment's metadata beside it; the embedded result keeps every score
// field at the top level.
type jsonReport struct {
	Organization string    `json:"organization"`
	Assessment   string    `json:"assessment"`
	GeneratedAt  time.Time `json:"generated_at"`
	ValidityDays int       `json:"validity_days"`
	assess.Result
	// Ladders, Investment and CCM are the revision-2 sections: each
	// category's rung in its own words, the effort of the roadmap and the
	// CSA CCM crosswalk; absent when the model has none of them.
	Ladders    []jsonLadder    `json:"ladders,omitempty"`
	Investment *jsonInvestment `json:"investment,omitempty"`
	CCM        []jsonCCM       `json:"ccm_crosswalk,omitempty"`
}

// WriteJSON writes the exact scores (the score JSON, not truncated) with the
// organization, assessment name, generation time and answer validity.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	j := jsonReport{
		Organization: r.Organization,
		Assessment:   r.Assessment,
		GeneratedAt:  r.GeneratedAt,
		ValidityDays: r.ValidityDays,
		Result:       r.Result,
	}
	r.revision2JSON(&j)
	if err := enc.Encode(j); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}
