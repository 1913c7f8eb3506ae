package history

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"

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
// migration that wrote the summary rows of earlier snapshots, with
// SQLite's json_object or PostgreSQL's json_build_object). It is on the
// path of every trend and benchmark: the flat objects of those writers are
// read directly, anything else (escaped strings, other keys) by the JSON
// decoder.
func DecodeScores(s string) ([]ScoreRow, error) {
	if out, ok := decodeScoresFast(s); ok {
		return out, nil
	}
	out := []ScoreRow{}
	if err := jsonv2.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("decode the score rows: %w", err)
	}
	return out, nil
}

// scoreReader reads the JSON of score rows without a general decoder: an
// array of objects whose members are kind and id (strings without
// escapes), score (a number or null), level and target (integers or null).
type scoreReader struct {
	s string
	i int
	// floats and ints back the rows' pointers: one allocation each.
	floats []float64
	ints   []int
}

func (r *scoreReader) space() {
	for r.i < len(r.s) && (r.s[r.i] == ' ' || r.s[r.i] == '\n' || r.s[r.i] == '\t' || r.s[r.i] == '\r') {
		r.i++
	}
}

func (r *scoreReader) eat(c byte) bool {
	r.space()
	if r.i < len(r.s) && r.s[r.i] == c {
		r.i++
		return true
	}
	return false
}

func (r *scoreReader) str() (string, bool) {
	if !r.eat('"') {
		return "", false
	}
	start := r.i
	for r.i < len(r.s) {
		switch c := r.s[r.i]; {
		case c == '"':
			r.i++
			return r.s[start : r.i-1], true
		case c == '\\' || c < 0x20:
			return "", false
		}
		r.i++
	}
	return "", false
}

// token returns the next number or literal.
func (r *scoreReader) token() string {
	r.space()
	start := r.i
	for r.i < len(r.s) {
		c := r.s[r.i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '-' || c == '+' || c == '.' || c == 'E') {
			break
		}
		r.i++
	}
	return r.s[start:r.i]
}

// jsonNumber reports whether t is a JSON number: -?(0|[1-9][0-9]*), then
// an optional fraction and exponent unless integer.
func jsonNumber(t string, integer bool) bool {
	i := 0
	digits := func() int {
		n := 0
		for i < len(t) && t[i] >= '0' && t[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(t) && t[i] == '-' {
		i++
	}
	start := i
	if n := digits(); n == 0 || (n > 1 && t[start] == '0') {
		return false
	}
	if !integer && i < len(t) && t[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if !integer && i < len(t) && (t[i] == 'e' || t[i] == 'E') {
		i++
		if i < len(t) && (t[i] == '+' || t[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(t)
}

func (r *scoreReader) float() (*float64, bool) {
	t := r.token()
	if t == "null" {
		return nil, true
	}
	if !jsonNumber(t, false) {
		return nil, false
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return nil, false
	}
	r.floats = append(r.floats, v)
	return &r.floats[len(r.floats)-1], true
}

func (r *scoreReader) int() (*int, bool) {
	t := r.token()
	if t == "null" {
		return nil, true
	}
	if !jsonNumber(t, true) {
		return nil, false
	}
	v, err := strconv.Atoi(t)
	if err != nil {
		return nil, false
	}
	r.ints = append(r.ints, v)
	return &r.ints[len(r.ints)-1], true
}

func decodeScoresFast(s string) ([]ScoreRow, bool) {
	if !utf8.ValidString(s) {
		return nil, false
	}
	r := &scoreReader{s: s, floats: make([]float64, 0, 32), ints: make([]int, 0, 64)}
	if !r.eat('[') {
		return nil, false
	}
	out := make([]ScoreRow, 0, 24)
	if r.eat(']') {
		r.space()
		return out, r.i == len(r.s)
	}
	for {
		if !r.eat('{') {
			return nil, false
		}
		var row ScoreRow
		seen, members := 0, 0
		for !r.eat('}') {
			if members > 0 && !r.eat(',') {
				return nil, false
			}
			key, ok := r.str()
			if !ok || !r.eat(':') {
				return nil, false
			}
			bit := 0
			switch key {
			case "kind":
				row.Kind, ok = r.str()
				bit = 1
			case "id":
				row.ID, ok = r.str()
				bit = 2
			case "score":
				row.Score, ok = r.float()
				bit = 4
			case "level":
				row.Level, ok = r.int()
				bit = 8
			case "target":
				row.Target, ok = r.int()
				bit = 16
			default:
				ok = false
			}
			// A member twice is left to the decoder, which refuses it.
			if !ok || seen&bit != 0 {
				return nil, false
			}
			seen |= bit
			members++
		}
		out = append(out, row)
		if r.eat(',') {
			continue
		}
		if !r.eat(']') {
			return nil, false
		}
		r.space()
		return out, r.i == len(r.s)
	}
}
