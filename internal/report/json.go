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
}

// WriteJSON writes the exact scores (the score JSON, not truncated) with the
// organization, assessment name, generation time and answer validity.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(jsonReport{
		Organization: r.Organization,
		Assessment:   r.Assessment,
		GeneratedAt:  r.GeneratedAt,
		ValidityDays: r.ValidityDays,
		Result:       r.Result,
	}); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}
