package report

import (
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/csmm/csmm/internal/assess"
)

// The sheets of the XLSX export, in order.
const (
	SheetSummary    = "Summary"
	SheetCategories = "Categories"
	SheetObjectives = "Objectives"
	SheetRoadmap    = "Roadmap"
)

// xlsxWriter fills one workbook; the first error stops every later write.
type xlsxWriter struct {
	f                       *excelize.File
	err                     error
	bold, title, score, pct int
}

// WriteXLSX writes the report as an Excel workbook with the sheets Summary,
// Categories, Objectives (one row per objective and scope) and Roadmap, and
// the CCM crosswalk when the model references CCM controls.
// Scores are truncated to one decimal as everywhere people read them; every
// text is stored as a string, never as a formula.
func (r *Report) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	x := &xlsxWriter{f: f}
	x.styles()
	x.do(func() error { return f.SetSheetName("Sheet1", SheetSummary) })
	for _, name := range []string{SheetCategories, SheetObjectives, SheetRoadmap} {
		x.do(func() error { _, err := f.NewSheet(name); return err })
	}
	x.summary(r)
	x.categories(r)
	x.objectives(r)
	x.roadmap(r)
	x.crosswalk(r)
	x.trend(r)
	x.do(func() error { f.SetActiveSheet(0); return nil })
	if x.err != nil {
		return fmt.Errorf("write xlsx report: %w", x.err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write xlsx report: %w", err)
	}
	return nil
}

func (x *xlsxWriter) do(fn func() error) {
	if x.err == nil {
		x.err = fn()
	}
}

func (x *xlsxWriter) styles() {
	style := func(s *excelize.Style) int {
		var id int
		x.do(func() (err error) { id, err = x.f.NewStyle(s); return err })
		return id
	}
	x.bold = style(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EAF2F8"}}})
	x.title = style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16, Color: "1F4E79"}})
	x.score = style(&excelize.Style{CustomNumFmt: ptr("0.0")})
	x.pct = style(&excelize.Style{NumFmt: 9})
}

func ptr[T any](v T) *T { return &v }

// row writes values from column A of the given row.
func (x *xlsxWriter) row(sheet string, row int, values ...any) {
	x.do(func() error {
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		return x.f.SetSheetRow(sheet, cell, &values)
	})
}

// header writes a bold header row and freezes the rows above it and it.
func (x *xlsxWriter) header(sheet string, row int, values ...any) {
	x.row(sheet, row, values...)
	x.styleRange(sheet, 1, row, len(values), row, x.bold)
	x.do(func() error {
		cell, err := excelize.CoordinatesToCellName(1, row+1)
		if err != nil {
			return err
		}
		return x.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: row, TopLeftCell: cell, ActivePane: "bottomLeft"})
	})
}

func (x *xlsxWriter) styleRange(sheet string, col1, row1, col2, row2, style int) {
	x.do(func() error {
		from, err := excelize.CoordinatesToCellName(col1, row1)
		if err != nil {
			return err
		}
		to, err := excelize.CoordinatesToCellName(col2, row2)
		if err != nil {
			return err
		}
		return x.f.SetCellStyle(sheet, from, to, style)
	})
}

func (x *xlsxWriter) widths(sheet string, widths ...float64) {
	for i, wd := range widths {
		x.do(func() error {
			col, err := excelize.ColumnNumberToName(i + 1)
			if err != nil {
				return err
			}
			return x.f.SetColWidth(sheet, col, col, wd)
		})
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
// with excelize's StreamWriter: rows go to a buffer (a temporary file past
// 16 MiB) as XML instead of one cell object each, which keeps the memory of
// a report of hundreds of scopes flat.
func (x *xlsxWriter) objectives(r *Report) {
	const s = SheetObjectives
	head := []any{"Scope", "Domain", "Category", "Objective", "Level", "Title", "Answer", "Value", "Met", "Status", "Source",
		"Note / justification", "Answered by", "Date", "Evidence", "Exemption"}
	last := "P"
	widths := []float64{14, 14, 9, 10, 6, 40, 8, 8, 7, 11, 10, 40, 14, 11, 24, 40}
	if r.Review.Tracked {
		head, last, widths = append(head, "Review"), "Q", append(widths, 30)
	}
	rows := 0
	for _, sc := range r.Scopes {
		rows += len(sc.Objectives)
	}
	// The filter is set on the empty sheet: the stream writer keeps it.
	x.do(func() error { return x.f.AutoFilter(s, fmt.Sprintf("A1:%s%d", last, max(2, rows+1)), nil) })
	if x.err != nil {
		return
	}
	sw, err := x.f.NewStreamWriter(s)
	if err != nil {
		x.err = err
		return
	}
	for i, wd := range widths {
		x.do(func() error { return sw.SetColWidth(i+1, i+1, wd) })
	}
	x.do(func() error {
		return sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	})
	cells := make([]any, len(head))
	for i, h := range head {
		cells[i] = excelize.Cell{StyleID: x.bold, Value: h}
	}
	x.do(func() error { return sw.SetRow("A1", cells) })
	n := 2
	for _, sc := range r.Scopes {
		for _, o := range sc.Objectives {
			if x.err != nil {
				return
			}
			var v any = ""
			if o.Value != nil {
				v = *o.Value
			}
			cells = append(cells[:0], sc.Name, o.DomainName, o.Category, o.ID, o.Level, o.Title, string(o.Answer),
				excelize.Cell{StyleID: x.pct, Value: v}, o.Met, string(o.Status), string(o.Source), noteText(o), o.By,
				o.Date.String(), evidenceText(o), exemptionText(o))
			if r.Review.Tracked {
				cells = append(cells, o.ReviewText())
			}
			x.do(func() error { return sw.SetRow("A"+strconv.Itoa(n), cells) })
			n++
		}
	}
	if rows == 0 {
		x.do(func() error {
			return sw.SetRow("A2", []any{nil, nil, nil, nil, nil, nil, nil, excelize.Cell{StyleID: x.pct}})
		})
	}
	x.do(sw.Flush)
}

func (x *xlsxWriter) roadmap(r *Report) {
	const s = SheetRoadmap
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
