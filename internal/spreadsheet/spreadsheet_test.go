package spreadsheet_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/bombs"
	"github.com/csmm/csmm/internal/spreadsheet"
	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// workbook returns an .xlsx with rows on sheet "Objectives".
func workbook(t testing.TB, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", "Objectives"); err != nil {
		t.Fatal(err)
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		values := make([]any, len(row))
		for j, v := range row {
			values[j] = v
		}
		if err := f.SetSheetRow("Objectives", cell, &values); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadBytes(t *testing.T) {
	rows := [][]string{{"ID", "Title"}, {"IAM-2.1", "Roles, \"quoted\""}, nil, {"IAM-2.2", "x"}}
	book := workbook(t, rows)
	sh, err := spreadsheet.ReadBytes("b.xlsx", book, "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]string{{"ID", "Title"}, {"IAM-2.1", "Roles, \"quoted\""}, nil, {"IAM-2.2", "x"}}, sh.Rows); diff != "" || sh.Name != "b.xlsx (sheet Objectives)" {
		t.Errorf("xlsx %q rows (-want +got):\n%s", sh.Name, diff)
	}
	if _, err := spreadsheet.ReadBytes("b.xlsx", book, "Nope"); err == nil || !strings.Contains(err.Error(), `no sheet named "Nope"; the sheets are Objectives`) {
		t.Errorf("unknown sheet: %v", err)
	}
	sh, err = spreadsheet.ReadBytes("c.csv", []byte("ID,Title\nIAM-2.1,\"Roles, \"\"quoted\"\"\"\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rows[:2], sh.Rows); diff != "" {
		t.Errorf("csv rows (-want +got):\n%s", diff)
	}
}

func TestLimits(t *testing.T) {
	zipBomb, err := bombs.XLSX(256 << 20)
	if err != nil {
		t.Fatal(err)
	}
	manyRows := make([][]string, spreadsheet.MaxRows+1)
	for i := range manyRows {
		manyRows[i] = []string{"x"}
	}
	tests := []struct {
		name, file string
		data       []byte
		limit      string
	}{
		{"zip bomb", "b.xlsx", zipBomb, "MaxUnzippedBytes"},
		{"xlsx rows", "r.xlsx", workbook(t, manyRows), "MaxRows"},
		{"xlsx far row", "f.xlsx", workbook(t, append(make([][]string, 20_000), []string{"x"})), "MaxRows"},
		{"xlsx cell", "c.xlsx", workbook(t, [][]string{{strings.Repeat("x", 32767)}, {"a"}}), ""},
		{"csv rows", "r.csv", bombs.CSV(spreadsheet.MaxRows+1, 1), "MaxRows"},
		{"csv columns", "c.csv", bombs.CSV(1, spreadsheet.MaxColumns+1), "MaxColumns"},
		{"csv cell", "c.csv", []byte(strings.Repeat("x", spreadsheet.MaxCellBytes+1)), "MaxCellBytes"},
		{"csv size", "s.csv", make([]byte, spreadsheet.MaxFileBytes+1), "MaxFileBytes"},
		{"csv at the limits", "ok.csv", bombs.CSV(spreadsheet.MaxRows, 2), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			grew := bombs.Allocated(func() { _, err = spreadsheet.ReadBytes(tt.file, tt.data, "") })
			var le *spreadsheet.LimitError
			if tt.limit == "" {
				if err != nil {
					t.Errorf("got %v, want no error", err)
				}
			} else if !errors.As(err, &le) || le.Limit != tt.limit || le.File != tt.file && !strings.HasPrefix(le.File, tt.file+" ") {
				t.Errorf("got %v, want a LimitError for %s in %s", err, tt.limit, tt.file)
			}
			t.Logf("allocated %.1f MiB", float64(grew)/(1<<20))
			if grew > bombs.MaxHeapGrowth {
				t.Errorf("reading allocated %d MiB, over the bound of %d MiB", grew>>20, bombs.MaxHeapGrowth>>20)
			}
		})
	}
}
