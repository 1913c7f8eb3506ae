package spreadsheet_test

import (
	"testing"

	"github.com/csmm/csmm/internal/bombs"
	"github.com/csmm/csmm/internal/spreadsheet"
)

// checkSheet fails when an accepted sheet breaks a limit.
func checkSheet(t *testing.T, sh *spreadsheet.Sheet) {
	if len(sh.Rows) > spreadsheet.MaxRows {
		t.Fatalf("accepted %d rows", len(sh.Rows))
	}
	for _, row := range sh.Rows {
		if len(row) > spreadsheet.MaxColumns {
			t.Fatalf("accepted a row of %d cells", len(row))
		}
		for _, c := range row {
			if len(c) > spreadsheet.MaxCellBytes {
				t.Fatalf("accepted a cell of %d bytes", len(c))
			}
		}
	}
}

// FuzzReadCSV checks that any CSV file is read within the limits or refused,
// never a panic.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("ID,Title\nIAM-2.1,\"a, \"\"b\"\"\"\n"))
	f.Add(bombs.CSV(30, 300))
	f.Add([]byte("\"unterminated\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if sh, err := spreadsheet.ReadBytes("f.csv", data, ""); err == nil {
			checkSheet(t, sh)
		}
	})
}

// FuzzReadXLSX checks that any workbook is read within the limits or
// refused, never a panic; the seeds include a zip bomb.
func FuzzReadXLSX(f *testing.F) {
	f.Add(workbook(f, [][]string{{"ID", "Title"}, {"IAM-2.1", "x"}}))
	bomb, err := bombs.XLSX(spreadsheet.MaxUnzippedBytes + 1)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(bomb)
	f.Fuzz(func(t *testing.T, data []byte) {
		if sh, err := spreadsheet.ReadBytes("f.xlsx", data, ""); err == nil {
			checkSheet(t, sh)
		}
	})
}
