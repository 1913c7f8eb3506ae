package history

import (
	"encoding/json"
	"fmt"

	"github.com/csmm/csmm/internal/assess"
	jsonv2 "github.com/go-json-experiment/json"
)

// The kinds of a score row.
const (
	KindProgram  = "program"
	KindDomain   = "domain"
	KindCategory = "category"
)

// ScoreRow is one score of a snapshot: the program's (ID ""), a domain's or
// a category's. Score and Level are nil where the category, domain or
// program is not applicable; Level is the floor for the program. Target is
// the category's target level, nil when it has none.
type ScoreRow struct {
	Kind   string   `json:"kind"`
	ID     string   `json:"id"`
	Score  *float64 `json:"score"`
	Level  *int     `json:"level,omitempty"`
	Target *int     `json:"target,omitempty"`
}

// Scores lists the roll-up scores of a result: the program first, then its
// domains and categories in model order. The store keeps them beside each
// snapshot, indexed, for trends and benchmarks.
func Scores(res *assess.Result) []ScoreRow {
	out := make([]ScoreRow, 0, 1+len(res.Domains)+len(res.Categories))
	out = append(out, ScoreRow{Kind: KindProgram, Score: programScore(res), Level: programFloor(res)})
	for _, d := range res.Domains {
		out = append(out, ScoreRow{Kind: KindDomain, ID: d.ID, Score: domainScore(d)})
	}
	for _, c := range res.Categories {
		out = append(out, ScoreRow{Kind: KindCategory, ID: c.ID, Score: categoryScore(c), Level: categoryLevel(c), Target: c.Target})
	}
	return out
}

// The accessors below read the scores of a result, nil where a category,
// domain or the program is not applicable.

func programScore(res *assess.Result) *float64 {
	if res.Program.NA {
		return nil
	}
	v := res.Program.Score
	return &v
}

func programFloor(res *assess.Result) *int {
	if res.Program.NA {
		return nil
	}
	v := res.Program.Floor
	return &v
}

func domainScore(d assess.DomainScore) *float64 {
	if d.NA {
		return nil
	}
	v := d.Score
	return &v
}

func categoryScore(c assess.CategoryScore) *float64 {
	if c.NA() {
		return nil
	}
	v := c.Score
	return &v
}

func categoryLevel(c assess.CategoryScore) *int {
	if c.NA() {
		return nil
	}
	v := c.Level
	return &v
}

// EncodeScores writes score rows as the JSON array that the store keeps in
// one summary row per snapshot.
func EncodeScores(rows []ScoreRow) (string, error) {
	b, err := json.Marshal(rows)
	if err != nil {
		return "", fmt.Errorf("encode the score rows: %w", err)
	}
	return string(b), nil
}

// DecodeScores reads score rows written by EncodeScores (or by the
// migration that wrote the summary rows of earlier snapshots). It is on
// the path of every trend and benchmark, so it uses the faster decoder.
func DecodeScores(s string) ([]ScoreRow, error) {
	out := []ScoreRow{}
	if err := jsonv2.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("decode the score rows: %w", err)
	}
	return out, nil
}
