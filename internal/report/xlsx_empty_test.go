package report

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestWriteXLSXEmpty writes a report without scopes, categories or
// roadmap: every sheet is still there, the Objectives filter spans its
// header and one blank row, and the workbook opens.
func TestWriteXLSXEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := (&Report{}).WriteXLSX(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 4 || got[2] != SheetObjectives {
		t.Errorf("sheets %v", got)
	}
	var filter string
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm._FilterDatabase" {
			filter = d.Scope + " " + d.RefersTo
		}
	}
	if filter != "Objectives 'Objectives'!$A$1:$P$2" {
		t.Errorf("filter %q", filter)
	}
	if s, err := f.GetCellStyle(SheetObjectives, "H2"); err != nil || s == 0 {
		t.Errorf("H2 of an empty Objectives sheet has style %d, %v; want the share format", s, err)
	}
	if v, err := f.GetCellValue(SheetRoadmap, "A2"); err != nil || v != "No category has a target level, so there is no roadmap." {
		t.Errorf("Roadmap A2 = %q, %v", v, err)
	}
}
