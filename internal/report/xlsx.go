package report

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/xlsx"
)

// The sheets of the XLSX export, in order.
const (
	SheetSummary    = "Summary"
	SheetCategories = "Categories"
	SheetObjectives = "Objectives"
	SheetRoadmap    = "Roadmap"
)

// xlsxWriter fills one workbook, one sheet after the other; the first
// error stops every later write. The small sheets are composed in a page
// (cells by row, so that styles can be set on ranges after the values) and
// written when the next sheet begins; the Objectives sheet, one row per
// objective and scope, goes to the archive row by row.
type xlsxWriter struct {
	w                       *xlsx.Writer
	err                     error
	bold, title, score, pct xlsx.StyleID
	page                    *xlsxPage
}

// xlsxPage is a small sheet being composed.
type xlsxPage struct {
	name   string
	rows   map[int][]xlsx.Cell
	freeze int
	widths []float64
}

// WriteXLSX writes the report as an Excel workbook with the sheets Summary,
// Categories, Objectives (one row per objective and scope) and Roadmap, and
// the CCM crosswalk when the model references CCM controls.
// Scores are truncated to one decimal as everywhere people read them; every
// text is stored as a string, never as a formula.
func (r *Report) WriteXLSX(w io.Writer) error {
	x := &xlsxWriter{w: xlsx.NewWriter(w)}
	x.w.SetProperties(xlsx.Properties{Title: r.Title(), Creator: "csmm", Created: r.GeneratedAt})
	x.styles()
	x.summary(r)
	x.categories(r)
	x.objectives(r)
	x.roadmap(r)
	x.crosswalk(r)
	x.trend(r)
	x.flush()
	x.do(x.w.Close)
	if x.err != nil {
		return fmt.Errorf("write xlsx report: %w", x.err)
	}
	return nil
}

func (x *xlsxWriter) do(fn func() error) {
	if x.err == nil {
		x.err = fn()
	}
}

func (x *xlsxWriter) styles() {
	style := func(s xlsx.Style) xlsx.StyleID {
		var id xlsx.StyleID
		x.do(func() (err error) { id, err = x.w.AddStyle(s); return err })
		return id
	}
	x.bold = style(xlsx.Style{Bold: true, Fill: "EAF2F8"})
	x.title = style(xlsx.Style{Bold: true, Size: 16, Color: "1F4E79"})
	x.score = style(xlsx.Style{NumFmt: "0.0"})
	x.pct = style(xlsx.Style{NumFmt: "0%"})
}

// begin writes the page being composed and begins the small sheet name.
func (x *xlsxWriter) begin(name string) {
	x.flush()
	x.page = &xlsxPage{name: name, rows: map[int][]xlsx.Cell{}}
}

// flush writes the page being composed, if any, as a sheet.
func (x *xlsxWriter) flush() {
	p := x.page
	if p == nil {
		return
	}
	x.page = nil
	var sh *xlsx.Sheet
	x.do(func() (err error) {
		sh, err = x.w.NewSheet(p.name, xlsx.SheetOptions{ColWidths: p.widths, FreezeRows: p.freeze})
		return err
	})
	rows := slices.Sorted(maps.Keys(p.rows))
	for _, n := range rows {
		x.do(func() error { return sh.WriteRow(n, p.rows[n]...) })
	}
}

// xcell is the cell of a value; empty text is an empty cell.
func xcell(v any) xlsx.Cell {
	if s, ok := v.(string); ok && s == "" {
		return xlsx.Empty()
	}
	return xlsx.Value(v)
}

// on returns the page of sheet, which must be the one being composed.
func (x *xlsxWriter) on(sheet string) *xlsxPage {
	if x.page == nil || x.page.name != sheet {
		x.do(func() error { return fmt.Errorf("sheet %s is not the one being written", sheet) })
		return nil
	}
	return x.page
}

// row writes values from column A of the given row.
func (x *xlsxWriter) row(sheet string, row int, values ...any) {
	p := x.on(sheet)
	if p == nil {
		return
	}
	cells := p.rows[row]
	for len(cells) < len(values) {
		cells = append(cells, xlsx.Empty())
	}
	for i, v := range values {
		cells[i] = xcell(v).WithStyle(cells[i].Style())
	}
	p.rows[row] = cells
}

// header writes a bold header row and freezes the rows above it and it.
func (x *xlsxWriter) header(sheet string, row int, values ...any) {
	x.row(sheet, row, values...)
	x.styleRange(sheet, 1, row, len(values), row, x.bold)
	if p := x.on(sheet); p != nil {
		p.freeze = row
	}
}

// styleRange sets the style of the cells from column col1 of row row1 to
// column col2 of row row2, empty ones included.
func (x *xlsxWriter) styleRange(sheet string, col1, row1, col2, row2 int, style xlsx.StyleID) {
	p := x.on(sheet)
	if p == nil {
		return
	}
	for r := row1; r <= row2; r++ {
		cells := p.rows[r]
		for len(cells) < col2 {
			cells = append(cells, xlsx.Empty())
		}
		for c := col1; c <= col2; c++ {
			cells[c-1] = cells[c-1].WithStyle(style)
		}
		p.rows[r] = cells
	}
}

func (x *xlsxWriter) widths(sheet string, widths ...float64) {
	if p := x.on(sheet); p != nil {
		p.widths = widths
	}
}

// num is a score as people read it: truncated to one decimal.
func num(score float64) float64 { return assess.Truncate(score) }

// share is a share truncated to whole percent, so 99.9% never shows as 100%.
func share(v float64) float64 { return math.Floor(v*100+1e-9) / 100 }

func optInt(p *int) any {
	if p == nil {
		return ""
	}
	return *p
}

func (x *xlsxWriter) summary(r *Report) {
	const s = SheetSummary
	x.begin(s)
	x.row(s, 1, r.Title())
	x.styleRange(s, 1, 1, 1, 1, x.title)
	rows := [][]any{
		{"Organization", r.Organization},
		{"Assessment", r.Assessment},
		{"Model", r.Model.Name + " " + r.Model.Version},
		{"As of", r.AsOf.String()},
		{"Generated", r.GeneratedAt.UTC().Format("2006-01-02 15:04 MST")},
		{"Program score", num(r.Program.Score)},
		{"Floor", r.Program.Floor},
		{"Floor level", r.Program.FloorName},
		{"Targets met", fmt.Sprintf("%d of %d", r.Program.TargetsMet, r.Program.TargetsSet)},
		{"Completeness", share(r.Program.Completeness)},
	}
	for i, v := range rows {
		x.row(s, 3+i, v...)
	}
	x.styleRange(s, 1, 3, 1, 2+len(rows), x.bold)
	x.styleRange(s, 2, 8, 2, 8, x.score)
	x.styleRange(s, 2, 12, 2, 12, x.pct)

	n := 3 + len(rows) + 1
	x.header(s, n, "Domain", "Score", "Completeness")
	for i, d := range r.Domains {
		x.row(s, n+1+i, d.Name, num(d.Score), share(d.Completeness))
	}
	x.styleRange(s, 2, n+1, 2, n+len(r.Domains), x.score)
	x.styleRange(s, 3, n+1, 3, n+len(r.Domains), x.pct)

	n += len(r.Domains) + 2
	head := []any{"Scope", "Weight", "Program score", "Floor", "Targets met", "Completeness"}
	x.row(s, n, head...)
	x.styleRange(s, 1, n, len(head), n, x.bold)
	for i, sc := range r.Scopes {
		x.row(s, n+1+i, sc.Name, sc.Weight, num(sc.Program.Score), sc.Program.Floor,
			fmt.Sprintf("%d of %d", sc.Program.TargetsMet, sc.Program.TargetsSet), share(sc.Program.Completeness))
	}
	x.styleRange(s, 3, n+1, 3, n+len(r.Scopes), x.score)
	x.styleRange(s, 6, n+1, 6, n+len(r.Scopes), x.pct)

	n += len(r.Scopes) + 2
	x.row(s, n, "Highlights")
	x.styleRange(s, 1, n, 1, n, x.bold)
	for i, h := range r.Highlights {
		x.row(s, n+1+i, h)
	}
	x.widths(s, 22, 40, 16, 10, 14, 14)
}

func (x *xlsxWriter) categories(r *Report) {
	const s = SheetCategories
	x.begin(s)
	head := []any{"Domain", "Category", "Name", "Level", "Level name", "Score", "Target", "Gap", "Target met", "Completeness", "Why this level"}
	x.header(s, 1, head...)
	for i, c := range r.Categories {
		gap := any("")
		if c.GapDisplay != "" {
			g, _ := strconv.ParseFloat(c.GapDisplay, 64)
			gap = g
		}
		x.row(s, 2+i, c.DomainName, c.ID, c.Name, c.Level, c.LevelName, num(c.Score), optInt(c.Target), gap,
			c.TargetStatus(), share(c.Completeness), c.Explanation)
	}
	last := 1 + len(r.Categories)
	x.styleRange(s, 6, 2, 6, last, x.score)
	x.styleRange(s, 8, 2, 8, last, x.score)
	x.styleRange(s, 10, 2, 10, last, x.pct)
	x.widths(s, 16, 10, 30, 7, 22, 8, 8, 8, 11, 13, 100)
}

// objectives writes the Objectives sheet, one row per objective and scope,
// straight to the archive row by row, which keeps the memory of a report of
// hundreds of scopes flat.
func (x *xlsxWriter) objectives(r *Report) {
	const s = SheetObjectives
	x.flush()
	head := []string{"Scope", "Domain", "Category", "Objective", "Level", "Title", "Answer", "Value", "Met", "Status", "Source",
		"Note / justification", "Answered by", "Date", "Evidence", "Exemption"}
	widths := []float64{14, 14, 9, 10, 6, 40, 8, 8, 7, 11, 10, 40, 14, 11, 24, 40}
	if r.Review.Tracked {
		head, widths = append(head, "Review"), append(widths, 30)
	}
	var sh *xlsx.Sheet
	x.do(func() (err error) {
		sh, err = x.w.NewSheet(s, xlsx.SheetOptions{ColWidths: widths, FreezeRows: 1})
		return err
	})
	cells := make([]xlsx.Cell, len(head))
	for i, h := range head {
		cells[i] = xlsx.String(h).WithStyle(x.bold)
	}
	x.do(func() error { return sh.WriteRow(1, cells...) })
	n := 2
	for _, sc := range r.Scopes {
		for _, o := range sc.Objectives {
			if x.err != nil {
				return
			}
			v := xlsx.Empty()
			if o.Value != nil {
				v = xlsx.Number(*o.Value)
			}
			cells = append(cells[:0], xcell(sc.Name), xcell(o.DomainName), xcell(o.Category), xcell(o.ID), xlsx.Int(o.Level),
				xcell(o.Title), xcell(string(o.Answer)), v.WithStyle(x.pct), xlsx.Bool(o.Met), xcell(string(o.Status)),
				xcell(string(o.Source)), xcell(noteText(o)), xcell(o.By), xcell(o.Date.String()), xcell(evidenceText(o)), xcell(exemptionText(o)))
			if r.Review.Tracked {
				cells = append(cells, xcell(o.ReviewText()))
			}
			x.do(func() error { return sh.WriteRow(n, cells...) })
			n++
		}
	}
	if n == 2 {
		x.do(func() error {
			return sh.WriteRow(2, xlsx.Empty(), xlsx.Empty(), xlsx.Empty(), xlsx.Empty(), xlsx.Empty(), xlsx.Empty(), xlsx.Empty(), xlsx.Empty().WithStyle(x.pct))
		})
	}
	x.do(func() error { return sh.SetAutoFilter(1, 1, len(head), max(2, n-1)) })
}

func (x *xlsxWriter) roadmap(r *Report) {
	const s = SheetRoadmap
	x.begin(s)
	x.header(s, 1, "Phase", "Domain", "Category", "Category name", "Objective", "Level", "Title")
	n := 2
	for _, ph := range r.Roadmap {
		for _, g := range ph.Groups {
			for _, o := range g.Objectives {
				x.row(s, n, ph.Number, g.DomainName, g.Category, g.CategoryName, o.ID, o.Level, o.Title)
				n++
			}
		}
	}
	if len(r.Roadmap) == 0 {
		msg := "No phase: every category with a target already meets it."
		if r.Program.TargetsSet == 0 {
			msg = "No category has a target level, so there is no roadmap."
		}
		x.row(s, n, msg)
		n++
	}
	n++
	head := []any{"Projected", "Now"}
	for _, ph := range r.Roadmap {
		head = append(head, fmt.Sprintf("After phase %d", ph.Number))
	}
	x.row(s, n, head...)
	x.styleRange(s, 1, n, len(head), n, x.bold)
	first := n + 1
	for i, c := range r.Categories {
		vals := []any{c.Name + " (" + c.ID + ")", num(c.Score)}
		for _, ph := range r.Roadmap {
			vals = append(vals, num(ph.Categories[i].Score))
		}
		n++
		x.row(s, n, vals...)
	}
	prog := []any{"Program", num(r.Program.Score)}
	floor := []any{"Floor", r.Program.Floor}
	for _, ph := range r.Roadmap {
		prog = append(prog, num(ph.Program))
		floor = append(floor, ph.Floor)
	}
	x.row(s, n+1, prog...)
	x.row(s, n+2, floor...)
	x.styleRange(s, 2, first, len(head), n+1, x.score)
	x.widths(s, 28, 16, 10, 30, 10, 6, 50)
}
