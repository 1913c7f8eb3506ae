package history

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"

	"github.com/csmm/csmm/internal/assess"
)

// MinGroup is the fewest organizations a benchmark group may have: a
// smaller group is suppressed, so no figure can be traced to one organization.
const MinGroup = 5

// SourceInstallation is the source of the benchmark computed over this
// installation's opted-in organizations.
const SourceInstallation = "installation"

// Benchmark is formats.md's "Benchmark": the 25th, 50th and 75th
// percentiles of program, domain and category scores over a group of
// organizations (the latest snapshot of each), and where the asking
// organization stands. A group under MinGroup organizations is suppressed:
// Organizations is nil and there are no figures.
type Benchmark struct {
	Source        string          `json:"source"`
	Model         assess.ModelRef `json:"model"`
	AsOf          assess.Date     `json:"as_of"`
	Group         Group           `json:"group"`
	Organizations *int            `json:"organizations"`
	Suppressed    bool            `json:"suppressed"`
	Program       *Quartiles      `json:"program,omitempty"`
	Domains       []Quartiles     `json:"domains,omitempty"`
	Categories    []Quartiles     `json:"categories,omitempty"`
	You           *You            `json:"you,omitempty"`
}

// Group is the filter a benchmark is computed over; empty fields do not filter.
type Group struct {
	Industry string `json:"industry,omitempty"`
	SizeBand string `json:"size_band,omitempty"`
	Provider string `json:"provider,omitempty"`
}

// Quartiles are the 25th, 50th and 75th percentiles of one score.
type Quartiles struct {
	ID  string  `json:"id,omitempty"`
	P25 float64 `json:"p25"`
	P50 float64 `json:"p50"`
	P75 float64 `json:"p75"`
}

// You is where the asking organization stands in the group.
type You struct {
	Program    *float64   `json:"program"`
	Categories []YouScore `json:"categories"`
}

// YouScore is one category's score and its percentile in the group: the
// share of the group below it, ties counted half.
type YouScore struct {
	ID         string  `json:"id"`
	Score      float64 `json:"score"`
	Percentile int     `json:"percentile"`
}

// Member is one organization's latest scores, as a benchmark takes them.
type Member struct {
	OrgID  string
	Scores []ScoreRow
}

// Aggregate computes the benchmark of a group of members (each counted
// once). A group under MinGroup members is suppressed; so is any single
// score that fewer than MinGroup members have. Figures are rounded to two
// decimals; no minimum or maximum is given. order lists domain and category
// IDs in model order.
func Aggregate(b Benchmark, members []Member, domains, categories []string) Benchmark {
	b.Organizations, b.Suppressed, b.Program, b.Domains, b.Categories, b.You = nil, true, nil, nil, nil, nil
	if len(members) < MinGroup {
		return b
	}
	n := len(members)
	b.Organizations, b.Suppressed = &n, false
	values := map[[2]string][]float64{}
	for _, m := range members {
		for _, s := range m.Scores {
			if s.Score != nil {
				k := [2]string{s.Kind, s.ID}
				values[k] = append(values[k], *s.Score)
			}
		}
	}
	quart := func(kind, id string) (Quartiles, bool) {
		v := values[[2]string{kind, id}]
		if len(v) < MinGroup {
			return Quartiles{}, false
		}
		sort.Float64s(v)
		return Quartiles{ID: id, P25: round2(percentile(v, 0.25)), P50: round2(percentile(v, 0.5)), P75: round2(percentile(v, 0.75))}, true
	}
	if q, ok := quart(KindProgram, ""); ok {
		b.Program = &q
	}
	for _, id := range domains {
		if q, ok := quart(KindDomain, id); ok {
			b.Domains = append(b.Domains, q)
		}
	}
	for _, id := range categories {
		if q, ok := quart(KindCategory, id); ok {
			b.Categories = append(b.Categories, q)
		}
	}
	return b
}

// Distribution is every member's category scores, sorted, by category:
// what Place ranks the asking organization against.
type Distribution map[string][]float64

// Distribute returns the sorted category scores of the members.
func Distribute(members []Member) Distribution {
	d := Distribution{}
	for _, m := range members {
		for _, s := range m.Scores {
			if s.Kind == KindCategory && s.Score != nil {
				d[s.ID] = append(d[s.ID], *s.Score)
			}
		}
	}
	for _, v := range d {
		sort.Float64s(v)
	}
	return d
}

// Place sets You: the asking organization's program score and, for every
// category the group has figures for, its score and percentile (the share
// of the group below it, ties counted half). It does nothing to a
// suppressed benchmark. d must be the distribution of the group Aggregate
// was given.
func Place(b *Benchmark, yours []ScoreRow, d Distribution) {
	if b.Suppressed {
		return
	}
	you := &You{Categories: []YouScore{}}
	if r, ok := findRow(yours, KindProgram, ""); ok && r.Score != nil {
		v := round2(*r.Score)
		you.Program = &v
	}
	for _, q := range b.Categories {
		r, ok := findRow(yours, KindCategory, q.ID)
		if !ok || r.Score == nil {
			continue
		}
		v := d[q.ID]
		below := sort.SearchFloat64s(v, *r.Score)
		equal := sort.SearchFloat64s(v, math.Nextafter(*r.Score, math.Inf(1))) - below
		pct := 0
		if len(v) > 0 {
			pct = int(math.Round(100 * (float64(below) + float64(equal)/2) / float64(len(v))))
		}
		you.Categories = append(you.Categories, YouScore{ID: q.ID, Score: round2(*r.Score), Percentile: pct})
	}
	b.You = you
}

// percentile is the linearly interpolated percentile p (0..1) of sorted v.
func percentile(v []float64, p float64) float64 {
	pos := p * float64(len(v)-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	return v[lo] + (v[hi]-v[lo])*(pos-float64(lo))
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// Category returns the group's quartiles of a category.
func (b *Benchmark) Category(id string) (Quartiles, bool) {
	for _, q := range b.Categories {
		if q.ID == id {
			return q, true
		}
	}
	return Quartiles{}, false
}

// BenchmarkCSVHeader is the header row of a benchmark's CSV.
var BenchmarkCSVHeader = []string{"source", "model", "model_version", "as_of", "industry", "size_band", "provider", "organizations", "suppressed", "kind", "id", "p25", "p50", "p75"}

// WriteBenchmarksCSV writes benchmarks as CSV, one row per figure (one row
// without figures for a suppressed group).
func WriteBenchmarksCSV(w io.Writer, list []Benchmark) error {
	cw := csv.NewWriter(w)
	cw.Write(BenchmarkCSVHeader)
	for _, b := range list {
		head := []string{b.Source, b.Model.ID, b.Model.Version, b.AsOf.String(), b.Group.Industry, b.Group.SizeBand, b.Group.Provider, intCell(b.Organizations), strconv.FormatBool(b.Suppressed)}
		if b.Suppressed {
			cw.Write(append(head, "", "", "", "", ""))
			continue
		}
		q := func(kind string, x Quartiles) {
			cw.Write(append(append([]string(nil), head...), kind, x.ID, ff(x.P25), ff(x.P50), ff(x.P75)))
		}
		if b.Program != nil {
			q(KindProgram, *b.Program)
		}
		for _, x := range b.Domains {
			q(KindDomain, x)
		}
		for _, x := range b.Categories {
			q(KindCategory, x)
		}
	}
	cw.Flush()
	return cw.Error()
}

func ff(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// ParseBenchmarks reads an exported benchmark: one Benchmark object or an
// array of them, as `csmm benchmark export` and exportBenchmark write.
func ParseBenchmarks(data []byte) ([]Benchmark, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, fmt.Errorf("the benchmark file is empty")
	}
	var list []Benchmark
	if data[0] == '{' {
		var b Benchmark
		if err := json.Unmarshal(data, &b); err != nil {
			return nil, fmt.Errorf("not a benchmark: %w", err)
		}
		list = []Benchmark{b}
	} else if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("not a benchmark or a list of benchmarks: %w", err)
	}
	for i, b := range list {
		if b.Model.ID == "" || b.Model.Version == "" {
			return nil, fmt.Errorf("benchmark %d: field model: expected its id and version", i+1)
		}
		if b.AsOf.IsZero() {
			return nil, fmt.Errorf("benchmark %d: field as_of: expected a date", i+1)
		}
	}
	return list, nil
}
