package assess

import "encoding/json"

// The decoders below read back what the MarshalJSON methods write, so that
// a result kept as JSON (a finalized snapshot) decodes to the same result:
// a null score marks the program, a domain or a projected score as not
// applicable.

// UnmarshalJSON reads a program score, null when nothing is applicable.
func (p *Program) UnmarshalJSON(b []byte) error {
	var in struct {
		Score        *float64 `json:"score"`
		Floor        *int     `json:"floor"`
		Completeness float64  `json:"completeness"`
		TargetsSet   int      `json:"targets_set"`
		TargetsMet   int      `json:"targets_met"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*p = Program{NA: in.Score == nil, Completeness: in.Completeness, TargetsSet: in.TargetsSet, TargetsMet: in.TargetsMet}
	if in.Score != nil {
		p.Score = *in.Score
	}
	if in.Floor != nil {
		p.Floor = *in.Floor
	}
	return nil
}

// UnmarshalJSON reads a domain score, null for a not-applicable domain.
func (d *DomainScore) UnmarshalJSON(b []byte) error {
	var in struct {
		ID           string   `json:"id"`
		Score        *float64 `json:"score"`
		Completeness float64  `json:"completeness"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*d = DomainScore{ID: in.ID, NA: in.Score == nil, Completeness: in.Completeness}
	if in.Score != nil {
		d.Score = *in.Score
	}
	return nil
}

// UnmarshalJSON reads a projected domain score.
func (d *ProjectedDomain) UnmarshalJSON(b []byte) error {
	var in struct {
		ID    string   `json:"id"`
		Score *float64 `json:"score"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*d = ProjectedDomain{ID: in.ID, NA: in.Score == nil}
	if in.Score != nil {
		d.Score = *in.Score
	}
	return nil
}

// UnmarshalJSON reads a projected category score.
func (c *ProjectedCategory) UnmarshalJSON(b []byte) error {
	var in struct {
		ID    string   `json:"id"`
		Level *int     `json:"level"`
		Score *float64 `json:"score"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*c = ProjectedCategory{ID: in.ID, NA: in.Score == nil}
	if in.Score != nil {
		c.Score = *in.Score
	}
	if in.Level != nil {
		c.Level = *in.Level
	}
	return nil
}
