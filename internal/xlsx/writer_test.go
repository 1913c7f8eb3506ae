package xlsx_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/csmm/csmm/internal/xlsx"
)

// special is text with every kind of character the writer must escape,
// drop or keep.
const special = "a&b<c>d\"e'f\ttab\nline\r\nwin 🙂 é _x0041_ \x01\x0b\x1f\uFFFE end"

// specialRead is special as a reader shows it: the characters XML cannot
// hold are gone, the rest as written.
const specialRead = "a&b<c>d\"e'f\ttab\nline\r\nwin 🙂 é _x0041_  end"

type kind int

const (
	bold kind = iota
	title
	score
	pct
)

// build writes a workbook of every feature the writer has and returns it
// with the style ids.
func build(t *testing.T) ([]byte, map[kind]xlsx.StyleID) {
	t.Helper()
	var buf bytes.Buffer
	w := xlsx.NewWriter(&buf)
	w.SetProperties(xlsx.Properties{Title: "Report <1>", Creator: "csmm", Created: time.Date(2026, 10, 1, 9, 30, 0, 0, time.UTC)})
	ids := map[kind]xlsx.StyleID{}
	for k, s := range map[kind]xlsx.Style{
		bold:  {Bold: true, Fill: "EAF2F8"},
		title: {Bold: true, Size: 16, Color: "1f4e79"},
		score: {NumFmt: "0.0"},
		pct:   {NumFmt: "0%"},
	} {
		id, err := w.AddStyle(s)
		if err != nil {
			t.Fatal(err)
		}
		ids[k] = id
	}
	if again, err := w.AddStyle(xlsx.Style{Bold: true, Fill: "eaf2f8"}); err != nil || again != ids[bold] {
		t.Errorf("the same style again: %d, %v; want %d", again, err, ids[bold])
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	s, err := w.NewSheet("Summary", xlsx.SheetOptions{ColWidths: []float64{22, 0, 16.5}})
	must(err)
	must(s.WriteRow(1, xlsx.String("Title").WithStyle(ids[title])))
	must(s.WriteRow(3, xlsx.String("Score").WithStyle(ids[bold]), xlsx.Number(2.75).WithStyle(ids[score])))
	must(s.WriteRow(4, xlsx.String("Share").WithStyle(ids[bold]), xlsx.Number(0.734).WithStyle(ids[pct])))
	must(s.WriteRow(5, xlsx.Values("Formula", "=1+1", "+cmd", "-2", "@SUM(A1)")...))
	must(s.WriteRow(6, xlsx.String(special), xlsx.String("  padded  ")))
	must(s.WriteRow(7, xlsx.Values(true, false, nil, 42, int64(-7), float32(1.5), 1e-9, 1e22, math.NaN(), time.Second)...))
	must(s.WriteRow(8, xlsx.Empty(), xlsx.Empty(), xlsx.String("C only"), xlsx.Empty().WithStyle(ids[pct])))

	o, err := w.NewSheet("Objectives & <more>", xlsx.SheetOptions{FreezeRows: 1, ColWidths: []float64{10, 20}})
	must(err)
	must(o.WriteRow(1, xlsx.String("ID").WithStyle(ids[bold]), xlsx.String("Value").WithStyle(ids[bold]), xlsx.String("Met").WithStyle(ids[bold])))
	for i := 2; i <= 30; i++ {
		must(o.WriteRow(i, xlsx.String("O-"+xlsx.ColumnName(i)), xlsx.Number(float64(i)/100).WithStyle(ids[pct]), xlsx.Bool(i%2 == 0)))
	}
	must(o.SetAutoFilter(1, 1, 3, 30))
	_, err = w.NewSheet("Both", xlsx.SheetOptions{FreezeRows: 2, FreezeCols: 1})
	must(err)
	must(w.Close())
	return buf.Bytes(), ids
}

// part returns the contents of the part name of the archive book.
func part(t *testing.T, book []byte, name string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestWellFormed parses every part of the archive as XML.
func TestWellFormed(t *testing.T) {
	book, _ := build(t)
	zr, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(rc)
		for {
			_, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
		}
		rc.Close()
	}
	want := []string{"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml",
		"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "docProps/core.xml", "docProps/app.xml",
		"_rels/.rels", "[Content_Types].xml"}
	if d := cmp.Diff(want, names); d != "" {
		t.Errorf("parts (-want +got):\n%s", d)
	}
}

// TestReadBackWithExcelize opens the workbook with an independent reader
// and checks every cell, style, pane, width, filter and property.
func TestReadBackWithExcelize(t *testing.T) {
	book, ids := build(t)
	f, err := excelize.OpenReader(bytes.NewReader(book))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if d := cmp.Diff([]string{"Summary", "Objectives & <more>", "Both"}, f.GetSheetList()); d != "" {
		t.Errorf("sheets (-want +got):\n%s", d)
	}
	if got := f.GetActiveSheetIndex(); got != 0 {
		t.Errorf("active sheet %d, want 0", got)
	}
	rows, err := f.GetRows("Summary", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Title"},
		nil,
		{"Score", "2.75"},
		{"Share", "0.734"},
		{"Formula", "=1+1", "+cmd", "-2", "@SUM(A1)"},
		{specialRead, "  padded  "},
		{"1", "0", "", "42", "-7", "1.5", "1E-09", "1E+22", "NaN", "1s"},
		{"", "", "C only"},
	}
	if d := cmp.Diff(want, rows); d != "" {
		t.Errorf("Summary rows (-want +got):\n%s", d)
	}
	for _, c := range []struct{ cell, want string }{
		{"B3", "2.8"}, {"B4", "73%"}, {"A7", "TRUE"}, {"B7", "FALSE"}, {"D7", "42"},
	} {
		if got, err := f.GetCellValue("Summary", c.cell); err != nil || got != c.want {
			t.Errorf("formatted %s = %q, %v; want %q", c.cell, got, err, c.want)
		}
	}
	for _, c := range []struct {
		cell string
		typ  excelize.CellType
	}{{"A1", excelize.CellTypeInlineString}, {"B3", excelize.CellTypeUnset}, {"A7", excelize.CellTypeBool}, {"B5", excelize.CellTypeInlineString}} {
		if got, err := f.GetCellType("Summary", c.cell); err != nil || got != c.typ {
			t.Errorf("type of %s = %v, %v; want %v", c.cell, got, err, c.typ)
		}
	}
	for _, cell := range []string{"B5", "C5", "D5", "E5"} {
		if formula, err := f.GetCellFormula("Summary", cell); err != nil || formula != "" {
			t.Errorf("%s has the formula %q (%v); text must stay text", cell, formula, err)
		}
	}

	styles := map[string]xlsx.StyleID{"A1": ids[title], "A3": ids[bold], "B3": ids[score], "B4": ids[pct], "D8": ids[pct], "C8": 0}
	for cell, id := range styles {
		if got, err := f.GetCellStyle("Summary", cell); err != nil || got != int(id) {
			t.Errorf("style of %s = %d, %v; want %d", cell, got, err, id)
		}
	}
	style := func(id xlsx.StyleID) *excelize.Style {
		s, err := f.GetStyle(int(id))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// excelize gives fill colors only of workbooks with a theme, so the
	// color is looked for in the styles part itself.
	if s := style(ids[bold]); s.Font == nil || !s.Font.Bold || s.Fill.Type != "pattern" || s.Fill.Pattern != 1 ||
		!strings.Contains(part(t, book, "xl/styles.xml"), `<patternFill patternType="solid"><fgColor rgb="FFEAF2F8"/>`) {
		t.Errorf("bold style: font %+v, fill %+v", s.Font, s.Fill)
	}
	if s := style(ids[title]); s.Font == nil || !s.Font.Bold || s.Font.Size != 16 || s.Font.Color != "1F4E79" {
		t.Errorf("title font %+v", s.Font)
	}
	if s := style(ids[score]); s.CustomNumFmt == nil || *s.CustomNumFmt != "0.0" {
		t.Errorf("score number format %v (%d)", s.CustomNumFmt, s.NumFmt)
	}
	if s := style(ids[pct]); s.NumFmt != 9 {
		t.Errorf("share number format %d, want 9", s.NumFmt)
	}

	for col, want := range map[string]float64{"A": 22, "C": 16.5} {
		if got, err := f.GetColWidth("Summary", col); err != nil || got != want {
			t.Errorf("width of column %s = %g, %v; want %g", col, got, err, want)
		}
	}
	const obj = "Objectives & <more>"
	if got, err := f.GetColWidth(obj, "B"); err != nil || got != 20 {
		t.Errorf("width of %s B = %g, %v", obj, got, err)
	}
	for sheet, want := range map[string]excelize.Panes{
		obj:    {Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"},
		"Both": {Freeze: true, XSplit: 1, YSplit: 2, TopLeftCell: "B3", ActivePane: "bottomRight"},
	} {
		p, err := f.GetPanes(sheet)
		if err != nil {
			t.Fatal(err)
		}
		got := excelize.Panes{Freeze: p.Freeze, XSplit: p.XSplit, YSplit: p.YSplit, TopLeftCell: p.TopLeftCell, ActivePane: p.ActivePane}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("panes of %s (-want +got):\n%s", sheet, d)
		}
	}
	if p, err := f.GetPanes("Summary"); err != nil || p.Freeze {
		t.Errorf("Summary panes %+v, %v; want none frozen", p, err)
	}
	var filters []string
	for _, d := range f.GetDefinedName() {
		filters = append(filters, d.Name+" "+d.Scope+" "+d.RefersTo)
	}
	if d := cmp.Diff([]string{"_xlnm._FilterDatabase " + obj + " '" + obj + "'!$A$1:$C$30"}, filters); d != "" {
		t.Errorf("defined names (-want +got):\n%s", d)
	}
	orows, err := f.GetRows(obj)
	if err != nil {
		t.Fatal(err)
	}
	if len(orows) != 30 || orows[29][0] != "O-AD" || orows[29][1] != "30%" || orows[29][2] != "TRUE" || orows[28][2] != "FALSE" {
		t.Errorf("%s: %d rows, last two %v", obj, len(orows), orows[len(orows)-2:])
	}
	props, err := f.GetDocProps()
	if err != nil || props.Title != "Report <1>" || props.Creator != "csmm" || props.Created != "2026-10-01T09:30:00Z" {
		t.Errorf("properties %+v, %v", props, err)
	}
}

func TestCellName(t *testing.T) {
	for _, c := range []struct {
		col, row int
		want     string
	}{{1, 1, "A1"}, {26, 2, "Z2"}, {27, 3, "AA3"}, {52, 1, "AZ1"}, {53, 1, "BA1"}, {702, 9, "ZZ9"}, {703, 1, "AAA1"}, {xlsx.MaxColumns, xlsx.MaxRows, "XFD1048576"}} {
		if got := xlsx.CellName(c.col, c.row); got != c.want {
			t.Errorf("CellName(%d, %d) = %q, want %q", c.col, c.row, got, c.want)
		}
		if ref, err := excelize.CoordinatesToCellName(c.col, c.row); err != nil || ref != c.want {
			t.Errorf("excelize names (%d, %d) %q, %v", c.col, c.row, ref, err)
		}
	}
}

func TestAppendText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain", "plain"},
		{`a&b<c>"d"'e'`, `a&amp;b&lt;c&gt;"d"'e'`},
		{"cr\r\nlf\ttab", "cr&#xD;\nlf\ttab"},
		{"nul\x00bell\x07vt\x0bff\x0cesc\x1b", "nulbellvtffesc"},
		{"\uFFFE\uFFFF\uFFFD", "\uFFFD"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{"🙂 é ñ 中", "🙂 é ñ 中"},
		{"_x0041_ and _x00e9_ and _x12G4_ and _x", "_x005F_x0041_ and _x005F_x00e9_ and _x12G4_ and _x"},
	} {
		if got := string(xlsx.AppendText(nil, c.in)); got != c.want {
			t.Errorf("AppendText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := strings.Repeat("é", xlsx.MaxCellChars-1) + "🙂"
	if got := string(xlsx.AppendText(nil, long)); got != strings.Repeat("é", xlsx.MaxCellChars-1) {
		t.Errorf("text of %d UTF-16 units is not cut before the emoji that does not fit: %d runes", xlsx.MaxCellChars+1, len([]rune(got)))
	}
}

// TestErrors checks that each misuse is refused with an error naming it,
// and that the error sticks.
func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		do   func(w *xlsx.Writer) error
		want string
	}{
		{"empty name", func(w *xlsx.Writer) error { _, err := w.NewSheet("", xlsx.SheetOptions{}); return err }, "cannot be empty"},
		{"long name", func(w *xlsx.Writer) error {
			_, err := w.NewSheet(strings.Repeat("x", 32), xlsx.SheetOptions{})
			return err
		}, "has 32 characters; the limit is 31"},
		{"31 characters", func(w *xlsx.Writer) error {
			_, err := w.NewSheet(strings.Repeat("é", 31), xlsx.SheetOptions{})
			return err
		}, ""},
		{"bracket", func(w *xlsx.Writer) error { _, err := w.NewSheet("a[1]", xlsx.SheetOptions{}); return err }, `cannot contain any of []:*?/\`},
		{"slash", func(w *xlsx.Writer) error { _, err := w.NewSheet("a/b", xlsx.SheetOptions{}); return err }, `cannot contain`},
		{"apostrophe", func(w *xlsx.Writer) error { _, err := w.NewSheet("'a", xlsx.SheetOptions{}); return err }, "apostrophe"},
		{"control", func(w *xlsx.Writer) error { _, err := w.NewSheet("a\x01", xlsx.SheetOptions{}); return err }, "XML cannot hold"},
		{"duplicate", func(w *xlsx.Writer) error {
			if _, err := w.NewSheet("Data", xlsx.SheetOptions{}); err != nil {
				return err
			}
			_, err := w.NewSheet("DATA", xlsx.SheetOptions{})
			return err
		}, `already has a sheet "Data"`},
		{"rows out of order", func(w *xlsx.Writer) error {
			s, _ := w.NewSheet("S", xlsx.SheetOptions{})
			_ = s.WriteRow(2, xlsx.String("x"))
			return s.WriteRow(2, xlsx.String("y"))
		}, "row 2 after row 2"},
		{"row 0", func(w *xlsx.Writer) error {
			s, _ := w.NewSheet("S", xlsx.SheetOptions{})
			return s.WriteRow(0)
		}, "row 0 after row 0"},
		{"finished sheet", func(w *xlsx.Writer) error {
			s, _ := w.NewSheet("S", xlsx.SheetOptions{})
			_, _ = w.NewSheet("T", xlsx.SheetOptions{})
			return s.WriteRow(1, xlsx.String("late"))
		}, `sheet "S" is finished`},
		{"unknown style", func(w *xlsx.Writer) error {
			s, _ := w.NewSheet("S", xlsx.SheetOptions{})
			return s.WriteRow(1, xlsx.Int(1).WithStyle(3))
		}, "cell A1: no style 3"},
		{"bad color", func(w *xlsx.Writer) error { _, err := w.AddStyle(xlsx.Style{Color: "red"}); return err }, `font color "red"`},
		{"bad filter", func(w *xlsx.Writer) error {
			s, _ := w.NewSheet("S", xlsx.SheetOptions{})
			return s.SetAutoFilter(2, 1, 1, 5)
		}, "is not a range"},
		{"no sheet", func(w *xlsx.Writer) error { return w.Close() }, "at least one sheet"},
		{"active sheet past the end", func(w *xlsx.Writer) error {
			_ = w.SetActiveSheet(3)
			_, _ = w.NewSheet("S", xlsx.SheetOptions{})
			return w.Close()
		}, "active sheet 3: the workbook has 1 sheets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := xlsx.NewWriter(io.Discard)
			err := tt.do(w)
			if tt.want == "" {
				if err != nil {
					t.Errorf("got %v, want no error", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			if again := w.Close(); again == nil || again.Error() != err.Error() {
				t.Errorf("Close after the error: %v; want the first error again", again)
			}
		})
	}
}
