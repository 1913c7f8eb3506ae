package spreadsheet_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/csmm/csmm/internal/spreadsheet"
)

// excelizeBook builds a workbook with excelize: fill sets its cells.
func excelizeBook(t *testing.T, fill func(f *excelize.File) error) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := fill(f); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestReadLikeExcelize reads workbooks written by excelize, with shared
// strings, rich text, inline strings, gaps, numbers, booleans and formulas,
// and compares the rows with what excelize itself reads.
func TestReadLikeExcelize(t *testing.T) {
	set := func(f *excelize.File, sheet string, cells map[string]any) error {
		for ref, v := range cells {
			if err := f.SetCellValue(sheet, ref, v); err != nil {
				return err
			}
		}
		return nil
	}
	tests := []struct {
		name  string
		sheet string // "" for the first
		fill  func(f *excelize.File) error
		want  [][]string
	}{
		{
			name: "gaps in rows and columns",
			fill: func(f *excelize.File) error {
				return set(f, "Sheet1", map[string]any{"A1": "ID", "C1": "Title", "B3": "x", "E3": "y", "A6": "last"})
			},
			want: [][]string{{"ID", "", "Title"}, nil, {"", "x", "", "", "y"}, nil, nil, {"last"}},
		},
		{
			name: "special characters",
			fill: func(f *excelize.File) error {
				return set(f, "Sheet1", map[string]any{"A1": `a&b<c>"d"'e'`, "B1": "tab\there\nline", "C1": "🙂 é 中", "D1": "_x0041_ stays", "E1": "  padded  "})
			},
			// excelize writes _x0041_ as it is, which reads as an escape.
			want: [][]string{{`a&b<c>"d"'e'`, "tab\there\nline", "🙂 é 中", "A stays", "  padded  "}},
		},
		{
			name: "numbers and booleans",
			fill: func(f *excelize.File) error {
				return set(f, "Sheet1", map[string]any{"A1": 2, "B1": 0.1 + 0.2, "C1": -1.5e-7, "D1": 123456789012345678, "E1": true, "F1": false, "G1": 1e21})
			},
			want: [][]string{{"2", "0.3", "-0.00000015", "1.23456789012346E+17", "TRUE", "FALSE", "1000000000000000000000"}},
		},
		{
			name: "rich text",
			fill: func(f *excelize.File) error {
				if err := f.SetCellRichText("Sheet1", "B2", []excelize.RichTextRun{
					{Text: "bold ", Font: &excelize.Font{Bold: true}}, {Text: "and plain"},
				}); err != nil {
					return err
				}
				return f.SetCellValue("Sheet1", "A2", "shared")
			},
			want: [][]string{nil, {"shared", "bold and plain"}},
		},
		{
			name: "formulas",
			fill: func(f *excelize.File) error {
				if err := f.SetCellFormula("Sheet1", "B1", "1+1"); err != nil {
					return err
				}
				return set(f, "Sheet1", map[string]any{"A1": "sum", "C1": "after"})
			},
			want: [][]string{{"sum", "", "after"}},
		},
		{
			name:  "inline strings of a stream writer, sheet by name whatever its case",
			sheet: "objectives",
			fill: func(f *excelize.File) error {
				if _, err := f.NewSheet("Objectives"); err != nil {
					return err
				}
				sw, err := f.NewStreamWriter("Objectives")
				if err != nil {
					return err
				}
				if err := sw.SetRow("A1", []any{"ID", "Level"}); err != nil {
					return err
				}
				if err := sw.SetRow("B3", []any{3, "x & y"}); err != nil {
					return err
				}
				return sw.Flush()
			},
			want: [][]string{{"ID", "Level"}, nil, {"", "3", "x & y"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			book := excelizeBook(t, tt.fill)
			sh, err := spreadsheet.ReadBytes("b.xlsx", book, tt.sheet)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, sh.Rows); d != "" {
				t.Errorf("rows (-want +got):\n%s", d)
			}
			f, err := excelize.OpenReader(bytes.NewReader(book))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			name := tt.sheet
			if name == "" {
				name = f.GetSheetName(0)
			}
			theirs, err := f.GetRows(name)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(theirs, sh.Rows, cmp.Comparer(func(a, b []string) bool { return len(a) == 0 && len(b) == 0 || cmp.Equal(a, b) })); d != "" {
				t.Errorf("rows differ from excelize's (-excelize +ours):\n%s", d)
			}
		})
	}
}

// rawBook is a workbook of hand-written parts, for what excelize does not
// write: parts is name to contents, added to minimal workbook parts that
// name the sheets of sheets.
func rawBook(t *testing.T, sheets []string, parts map[string]string) []byte {
	t.Helper()
	var wb, rels strings.Builder
	wb.WriteString(`<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:rel="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>`)
	rels.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	for i, s := range sheets {
		fmt.Fprintf(&wb, `<sheet name="%s" sheetId="%d" rel:id="r%d"/>`, s, i+1, i+1)
		fmt.Fprintf(&rels, `<Relationship Id="r%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/s%d.xml"/>`, i+1, i+1)
	}
	wb.WriteString(`</sheets></workbook>`)
	rels.WriteString(`<Relationship Id="rS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="strings.xml"/></Relationships>`)
	all := map[string]string{
		"_rels/.rels":            `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/book.xml"/></Relationships>`,
		"xl/book.xml":            wb.String(),
		"xl/_rels/book.xml.rels": rels.String(),
		"[Content_Types].xml":    `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
	}
	for k, v := range parts {
		all[k] = v
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range all {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func worksheet(rows string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + rows + `</sheetData></worksheet>`
}

const sharedStrings = `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
	`<si><t>zero</t></si>` +
	`<si><r><rPr><b/></rPr><t xml:space="preserve">rich </t></r><r><t>text</t></r><rPh><t>PHONETIC</t></rPh></si>` +
	`<si><t>_x0041__x005F_x0042_&amp;</t></si>` +
	`<si><t/></si></sst>`

// TestReadRawParts reads hand-written worksheets: every cell type, rows and
// cells without references, relationships with absolute targets and
// another prefix for the relationships namespace.
func TestReadRawParts(t *testing.T) {
	tests := []struct {
		name, sheet, rows string
		want              [][]string
	}{
		{
			name: "cell types",
			rows: `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>0</v></c></row>` +
				`<row r="2"><c r="A2" t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r></is></c><c r="B2" t="str"><f>A1</f><v>zero</v></c>` +
				`<c r="C2" t="b"><v>1</v></c><c r="D2" t="e"><v>#N/A</v></c><c r="E2" t="n"><v>1.50</v></c><c r="F2"><v>7</v></c>` +
				`<c r="G2" t="d"><v>2026-10-01T12:00:00Z</v></c><c r="H2" s="3"><v>0.95</v></c></row>`,
			want: [][]string{{"zero", "rich text", "A_x0042_&", "", "zero"}, {"inline", "zero", "TRUE", "#N/A", "1.5", "7", "46296.5", "0.95"}},
		},
		{
			name: "no references",
			rows: `<row><c t="inlineStr"><is><t>a</t></is></c><c/><c><v>2</v></c></row><row/><row><c r="C3"><v>3</v></c><c><v>4</v></c></row><row><c><f>X</f></c></row>`,
			want: [][]string{{"a", "", "2"}, nil, {"", "", "3", "4"}, {""}},
		},
		{
			name:  "second sheet, blank rows at the end dropped",
			sheet: "Two",
			rows:  `<row r="1"><c r="$B$1"><v>1</v></c></row><row r="3"><c r="A3" t="s"/></row><row r="9"/>`,
			want:  [][]string{{"", "1"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			book := rawBook(t, []string{"One", "Two"}, map[string]string{
				"xl/worksheets/s1.xml": worksheet(tt.rows),
				"xl/worksheets/s2.xml": worksheet(tt.rows),
				"xl/strings.xml":       sharedStrings,
			})
			sh, err := spreadsheet.ReadBytes("raw.xlsm", book, tt.sheet)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, sh.Rows); d != "" {
				t.Errorf("rows (-want +got):\n%s", d)
			}
			want := "raw.xlsm (sheet One)"
			if tt.sheet != "" {
				want = "raw.xlsm (sheet " + tt.sheet + ")"
			}
			if sh.Name != want {
				t.Errorf("name %q, want %q", sh.Name, want)
			}
		})
	}
}

// TestReadErrors checks that malformed workbooks and each limit are
// refused with a message naming the file, the row and what is wrong.
func TestReadErrors(t *testing.T) {
	wide := `<row r="1"><c r="IW1"><v>1</v></c></row>`
	manyRows := strings.Repeat(`<row><c t="inlineStr"><is><t>x</t></is></c></row>`, spreadsheet.MaxRows+1)
	bigShared := `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>` +
		strings.Repeat("y", spreadsheet.MaxCellBytes+1) + `</t></si></sst>`
	tests := []struct {
		name  string
		parts map[string]string
		limit string // the LimitError's Limit, or "" for another error
		want  string
	}{
		{"columns", map[string]string{"xl/worksheets/s1.xml": worksheet(wide)}, "MaxColumns", "b.xlsx (sheet One): row 1 has 257 cells; the limit is 256 cells in a row"},
		{"rows", map[string]string{"xl/worksheets/s1.xml": worksheet(manyRows)}, "MaxRows", "b.xlsx (sheet One): more than 10000 rows; the limit is 10000 rows"},
		{"far row", map[string]string{"xl/worksheets/s1.xml": worksheet(`<row r="1048576"><c><v>1</v></c></row>`)}, "MaxRows", "more than 10000 rows"},
		{"shared cell", map[string]string{"xl/worksheets/s1.xml": worksheet(`<row><c t="s"><v>0</v></c></row>`), "xl/strings.xml": bigShared}, "MaxCellBytes",
			"b.xlsx (sheet One): row 1, cell 1 has 32769 bytes; the limit is 32768 bytes in a cell"},
		{"shared index", map[string]string{"xl/worksheets/s1.xml": worksheet(`<row><c r="B1" t="s"><v>7</v></c></row>`)}, "",
			`b.xlsx (sheet One): row 1: cell "B1": shared string "7": the workbook has 0 shared strings`},
		{"past XFD", map[string]string{"xl/worksheets/s1.xml": worksheet(`<row><c r="XFE1"><v>1</v></c></row>`)}, "",
			`b.xlsx (sheet One): row 1: cell "XFE1" is past the last column of a sheet, 16384`},
		{"bad reference", map[string]string{"xl/worksheets/s1.xml": worksheet(`<row><c r="12"><v>1</v></c></row>`)}, "",
			`row 1: cell reference "12": expected column letters and a row number, such as B7`},
		{"cells out of order", map[string]string{"xl/worksheets/s1.xml": worksheet(`<row><c r="C1"><v>1</v></c><c r="A1"><v>1</v></c></row>`)}, "",
			`row 1: cell "A1" comes after column 3; expected cells in column order`},
		{"rows out of order", map[string]string{"xl/worksheets/s1.xml": worksheet(`<row r="3"/><row r="2"/>`)}, "",
			`b.xlsx (sheet One): row 2 comes after row 3; expected rows in ascending order`},
		{"truncated XML", map[string]string{"xl/worksheets/s1.xml": worksheet(`<row><c><v>1`)[:120]}, "", "b.xlsx: xl/worksheets/s1.xml: XML syntax error on line 1: unexpected EOF"},
		{"truncated row", map[string]string{"xl/worksheets/s1.xml": worksheet(`<row><c><v>1`)[:len(worksheet(`<row><c><v>1`))-len(`</sheetData></worksheet>`)]}, "",
			"b.xlsx (sheet One): row 1: XML syntax error on line 1: unexpected EOF"},
		{"no worksheet part", nil, "", "b.xlsx (sheet One): the workbook has no part xl/worksheets/s1.xml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := spreadsheet.ReadBytes("b.xlsx", rawBook(t, []string{"One"}, tt.parts), "")
			var le *spreadsheet.LimitError
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			if isLimit := errors.As(err, &le); isLimit != (tt.limit != "") || isLimit && le.Limit != tt.limit {
				t.Errorf("got %#v, want a LimitError for %q", err, tt.limit)
			}
		})
	}
	if _, err := spreadsheet.ReadBytes("b.xlsx", []byte("not a zip"), ""); err == nil || !strings.HasPrefix(err.Error(), "read spreadsheet b.xlsx: ") {
		t.Errorf("not a zip: %v", err)
	}
	if _, err := spreadsheet.ReadBytes("b.xlsx", rawBook(t, nil, nil), ""); err == nil || err.Error() != `b.xlsx: no sheet named ""; the sheets are ` {
		t.Errorf("no sheets: %v", err)
	}
}

// TestUnzippedBudget checks that the parts' declared sizes are summed: a
// workbook of parts each under the limit but over it together is refused
// before anything is unpacked.
func TestUnzippedBudget(t *testing.T) {
	half := strings.Repeat(" ", spreadsheet.MaxUnzippedBytes/2+1)
	book := rawBook(t, []string{"One"}, map[string]string{
		"xl/worksheets/s1.xml": worksheet(`<row><c><v>1</v></c></row>`),
		"xl/pad1.xml":          half,
		"xl/pad2.xml":          half,
	})
	_, err := spreadsheet.ReadBytes("b.xlsx", book, "")
	var le *spreadsheet.LimitError
	if !errors.As(err, &le) || le.Limit != "MaxUnzippedBytes" || le.Error() != "b.xlsx: the workbook unpacks to more than the limit of 16 MiB" {
		t.Errorf("got %v, want the MaxUnzippedBytes limit", err)
	}
}
