package report

import (
	"fmt"
	"html/template"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/history"
	"github.com/csmm/csmm/internal/model"
)

// Trend is the "Trend" section of the report: the program, domain and
// category scores over the assessment's snapshots, oldest first, with the
// category targets of the latest one, and the chosen peer benchmark.
type Trend struct {
	// Dates label the snapshots (their as-of dates).
	Dates []string
	Rows  []TrendRow
	// Peers is the benchmark shown beside the targets; nil when none.
	Peers *history.Benchmark
	// PeerNotes say where peers at the median are ("peers at the median
	// are at level 3 in IAM"), one per category with figures.
	PeerNotes []string
	trend     *history.Trend
}

// TrendRow is one score over the snapshots.
type TrendRow struct {
	Kind string
	ID   string
	Name string
	// Values are the displayed scores, "n/a" where not applicable.
	Values []string
	// Exact are the scores, nil where not applicable.
	Exact  []*float64
	Target string
}

// BuildTrend builds the Trend section from a trend and, optionally, a
// benchmark; it returns nil when there is no snapshot (no history yet).
func BuildTrend(m *model.Model, t *history.Trend, peers *history.Benchmark) *Trend {
	if t == nil || len(t.Points) == 0 {
		return nil
	}
	out := &Trend{trend: t}
	for _, p := range t.Points {
		out.Dates = append(out.Dates, p.AsOf.String())
	}
	last := t.Points[len(t.Points)-1]
	for _, r := range last.Scores {
		row := TrendRow{Kind: r.Kind, ID: r.ID, Name: trendName(m, r), Exact: t.Series(r.Kind, r.ID)}
		for _, v := range row.Exact {
			row.Values = append(row.Values, displayPtr(v))
		}
		if r.Target != nil {
			row.Target = fmt.Sprint(*r.Target)
		}
		out.Rows = append(out.Rows, row)
	}
	if peers != nil && !peers.Suppressed {
		out.Peers = peers
		for _, q := range peers.Categories {
			out.PeerNotes = append(out.PeerNotes, PeerNote(m, q))
		}
	}
	return out
}

// PeerNote says where the peers at the median are in a category.
func PeerNote(m *model.Model, q history.Quartiles) string {
	name := q.ID
	if m != nil {
		if c, ok := m.Category(q.ID); ok {
			name = c.Name + " (" + c.ID + ")"
		}
	}
	return fmt.Sprintf("Peers at the median are at level %d in %s (score %s; middle half %s to %s).",
		int(q.P50), name, Display(q.P50), Display(q.P25), Display(q.P75))
}

func trendName(m *model.Model, r history.ScoreRow) string {
	switch r.Kind {
	case history.KindProgram:
		return "Program"
	case history.KindDomain:
		if m != nil {
			if d, ok := m.Domain(r.ID); ok {
				return d.Name
			}
		}
	case history.KindCategory:
		if m != nil {
			if c, ok := m.Category(r.ID); ok {
				return c.Name
			}
		}
	}
	return r.ID
}

func displayPtr(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return Display(*v)
}

// trendColors tell the lines of the trend chart apart: the program first.
var trendColors = [...]string{colorCurrent, "#2e86c1", "#a04000", "#117a65", "#7d3c98", "#b7950b"}

// Chart draws the program and domain scores over the snapshots as lines,
// with the scale of levels 1 to 5.
func (t *Trend) Chart() template.HTML {
	const w, h, left, right, top, bottom = 640.0, 300.0, 40.0, 150.0, 20.0, 40.0
	s := newSVG(int(w), int(h), "Program and domain scores over the snapshots")
	n := len(t.Dates)
	x := func(i int) float64 {
		if n == 1 {
			return left + (w-left-right)/2
		}
		return left + (w-left-right)*float64(i)/float64(n-1)
	}
	y := func(v float64) float64 { return top + (h-top-bottom)*(maxScore-v)/(maxScore-1) }
	for l := 1; l <= model.MaxLevel; l++ {
		s.raw(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1"/>`, left, y(float64(l)), w-right, y(float64(l)), colorGrid)
		s.text(left-8, y(float64(l))+4, "end", 11, colorMuted, "normal", fmt.Sprint(l))
	}
	for i, d := range t.Dates {
		if n <= 8 || i%((n+7)/8) == 0 || i == n-1 {
			s.text(x(i), h-bottom+18, "middle", 10, colorMuted, "normal", d)
		}
	}
	line := 0
	for _, r := range t.Rows {
		if r.Kind == history.KindCategory {
			continue
		}
		color := trendColors[line%len(trendColors)]
		width := 2.0
		if r.Kind == history.KindProgram {
			width = 3
		}
		var pts []string
		for i, v := range r.Exact {
			if v == nil {
				continue
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(assess.Truncate(*v))))
			s.raw(`<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s</title></circle>`, x(i), y(assess.Truncate(*v)), color,
				esc(fmt.Sprintf("%s on %s: %s", r.Name, t.Dates[i], Display(*v))))
		}
		if len(pts) > 1 {
			s.raw(`<polyline points="%s" fill="none" stroke="%s" stroke-width="%.1f"/>`, joinSpace(pts), color, width)
		}
		ly := top + 16*float64(line)
		s.raw(`<rect x="%.1f" y="%.1f" width="12" height="4" fill="%s"/>`, w-right+12, ly+4, color)
		s.text(w-right+30, ly+10, "start", 11, colorText, "normal", r.Name)
		line++
	}
	return s.html()
}

func joinSpace(l []string) string {
	out := ""
	for i, v := range l {
		if i > 0 {
			out += " "
		}
		out += v
	}
	return out
}

// SheetTrend is the XLSX sheet of the Trend section, present when there is history.
const SheetTrend = "Trend"

// writeTrendMarkdown writes the Trend section, when there is history.
func (r *Report) writeTrendMarkdown(p func(string, ...any)) {
	t := r.Trend
	if t == nil {
		return
	}
	p("## Trend\n\n| |")
	for _, d := range t.Dates {
		p(" %s |", d)
	}
	p(" Target |\n|---|")
	for range t.Dates {
		p("---|")
	}
	p("---|\n")
	for _, row := range t.Rows {
		p("| %s |", md(row.Name))
		for _, v := range row.Values {
			p(" %s |", v)
		}
		p(" %s |\n", dash(row.Target))
	}
	p("\n")
	if t.Peers != nil {
		p("Peers: %s, as of %s.\n\n", md(t.Peers.Source), t.Peers.AsOf)
		for _, n := range t.PeerNotes {
			p("- %s\n", md(n))
		}
		p("\n")
	}
}

// trend writes the Trend sheet: one row per score, one column per snapshot.
func (x *xlsxWriter) trend(r *Report) {
	t := r.Trend
	if t == nil {
		return
	}
	const s = SheetTrend
	x.begin(s)
	head := []any{"Score", "ID"}
	for _, d := range t.Dates {
		head = append(head, d)
	}
	head = append(head, "Target")
	x.header(s, 1, head...)
	for i, row := range t.Rows {
		vals := []any{row.Name, row.ID}
		for _, v := range row.Exact {
			if v == nil {
				vals = append(vals, "n/a")
			} else {
				vals = append(vals, num(*v))
			}
		}
		vals = append(vals, row.Target)
		x.row(s, i+2, vals...)
	}
	if t.Peers != nil {
		n := len(t.Rows) + 3
		x.row(s, n, "Peers", t.Peers.Source, t.Peers.AsOf.String())
		for i, note := range t.PeerNotes {
			x.row(s, n+1+i, note)
		}
	}
}
