package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/csmm/csmm/internal/assess"
)

func findCategory(t *testing.T, r *Report, id string) Category {
	t.Helper()
	for _, c := range r.Categories {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no category %s in the report", id)
	return Category{}
}

func TestBuildCategories(t *testing.T) {
	r := fixture(t, fixtureOptions{})
	tests := []struct {
		id          string
		level       int
		levelName   string
		display     string
		gap         string
		status      string
		explanation string
		cells       []string
	}{
		{
			id: "IAM", level: 2, levelName: "Basic", display: "2.4", gap: "1.6", status: "not met",
			explanation: "Level 2 (Basic): IAM-3.1 (Central identity provider; 66%, needs 100%) and IAM-3.2 (No long-lived keys; 25%, needs 100%) are not met, so level 3 (Scripted) is not reached. Work above the gate: IAM-4.1 (Permission guardrails) is already met but does not count until level 3 is reached.",
			cells:       []string{CellMet, CellPartial, CellMet, CellNotMet},
		},
		{
			id: "MON", level: 3, levelName: "Scripted", display: "3.1", gap: "0.0", status: "met",
			explanation: "Level 3 (Scripted): MON-4.1 (Threat detection everywhere; 16%, needs 100%) is not met, so level 4 (Guarded) is not reached.",
			cells:       []string{CellMet, CellMet, CellPartial, CellPartial},
		},
		{
			id: "NET", level: 2, levelName: "Basic", display: "2.9", gap: "1.1", status: "not met",
			explanation: "Level 2 (Basic): NET-3.1 (Segmented networks; 96%, needs 100%) is not met, so level 3 (Scripted) is not reached.",
			cells:       []string{CellMet, CellPartial, CellNotMet, CellNotMet},
		},
		{
			id: "DAT", level: 3, levelName: "Scripted", display: "3.5", gap: "", status: "",
			explanation: "Level 3 (Scripted): DAT-4.2 (Data classification; 50%, needs 100%) is not met, so level 4 (Guarded) is not reached.",
			cells:       []string{CellMet, CellMet, CellPartial, CellNotMet},
		},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			c := findCategory(t, r, tt.id)
			if c.Level != tt.level || c.LevelName != tt.levelName {
				t.Errorf("level = %d %q, want %d %q", c.Level, c.LevelName, tt.level, tt.levelName)
			}
			if c.Display != tt.display {
				t.Errorf("display = %q, want %q", c.Display, tt.display)
			}
			if c.GapDisplay != tt.gap {
				t.Errorf("gap display = %q, want %q", c.GapDisplay, tt.gap)
			}
			if c.TargetStatus() != tt.status {
				t.Errorf("target status = %q, want %q", c.TargetStatus(), tt.status)
			}
			if diff := cmp.Diff(tt.explanation, c.Explanation); diff != "" {
				t.Errorf("explanation (-want +got):\n%s", diff)
			}
			var states []string
			for _, cell := range c.Cells {
				states = append(states, cell.State)
			}
			if diff := cmp.Diff(tt.cells, states); diff != "" {
				t.Errorf("heatmap cells (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildProgramAndRoadmap(t *testing.T) {
	r := fixture(t, fixtureOptions{})
	if r.Program.Score != r.Result.Program.Score || r.Program.Display != Display(r.Result.Program.Score) {
		t.Errorf("program = %+v, result %+v", r.Program, r.Result.Program)
	}
	if r.Program.Floor != 2 || r.Program.FloorName != "Basic" || r.Program.TargetsMet != 1 || r.Program.TargetsSet != 3 {
		t.Errorf("program = %+v, want floor 2 Basic, 1 of 3 targets met", r.Program)
	}
	type group struct {
		Category string
		IDs      []string
	}
	var got [][]group
	for _, ph := range r.Roadmap {
		var gs []group
		for _, g := range ph.Groups {
			var ids []string
			for _, o := range g.Objectives {
				ids = append(ids, o.ID+" "+o.Title)
			}
			gs = append(gs, group{g.CategoryName, ids})
		}
		got = append(got, gs)
	}
	want := [][]group{
		{{"Identity", []string{"IAM-3.1 Central identity provider", "IAM-3.2 No long-lived keys"}}, {"Network", []string{"NET-3.1 Segmented networks"}}},
		{{"Network", []string{"NET-4.1 Egress control"}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("roadmap (-want +got):\n%s", diff)
	}
	last := r.Roadmap[len(r.Roadmap)-1]
	if last.Floor != 3 || last.Display != Display(r.Result.Roadmap[1].Projected.Program) {
		t.Errorf("after phase 2: floor %d, program %s", last.Floor, last.Display)
	}
	iam := last.Categories[0]
	if iam.ID != "IAM" || iam.Level != 4 || iam.Display != "4.0" {
		t.Errorf("IAM after phase 2 = %+v, want level 4, 4.0", iam)
	}
	if !r.Roadmap[0].Categories[0].Changed || r.Roadmap[1].Categories[0].Changed {
		t.Error("IAM should change in phase 1 only")
	}
}

func TestBuildExceptionsPerScope(t *testing.T) {
	r := fixture(t, fixtureOptions{})
	type entry struct{ Kind, Scope, ID, Detail string }
	var got []entry
	for _, s := range r.Scopes {
		for _, e := range s.Stale {
			got = append(got, entry{"stale", s.Name, e.Objective.ID, string(e.Answer) + " " + e.Date.String()})
		}
		for _, e := range s.NA {
			got = append(got, entry{"na", s.Name, e.Objective.ID, e.Justification})
		}
		for _, e := range s.Exempt {
			got = append(got, entry{"exempt", s.Name, e.Objective.ID, e.Reason + "/" + e.RequestedBy + "/" + e.Approver + "/" + e.Comment + "/" + e.Until.String()})
		}
		for _, e := range s.ExpiredExemptions {
			got = append(got, entry{"expired", s.Name, e.Objective.ID, e.Until.String()})
		}
	}
	want := []entry{
		{"stale", "Production", "MON-4.1", "yes 2025-06-01"},
		{"exempt", "Production", "DAT-4.1", "keys move to the new HSM in Q1/Dana Data/CISO/until the archive moves/2027-03-31"},
		{"expired", "Production", "MON-5.1", "2026-01-31"},
		{"na", "Development", "DAT-2.1", "no customer data in development"},
		{"exempt", "Development", "DAT-4.1", "keys move to the new HSM in Q1/Dana Data/CISO/until the archive moves/2027-03-31"},
		{"expired", "Development", "MON-5.1", "2026-01-31"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("exceptions (-want +got):\n%s", diff)
	}
}

func TestBuildScopes(t *testing.T) {
	r := fixture(t, fixtureOptions{})
	var got []string
	for _, s := range r.Scopes {
		line := s.ID + " " + s.Name + " " + s.Program.Display
		for _, c := range s.Categories {
			line += " " + c.ID + "=" + c.Display
		}
		got = append(got, line)
	}
	want := []string{
		"production Production 3.0 IAM=2.6 MON=3.0 NET=2.9 DAT=3.5",
		"development Development 3.0 IAM=2.1 MON=3.5 NET=2.9 DAT=3.5",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("scopes (-want +got):\n%s", diff)
	}
	t.Run("unnamed scope shows its ID", func(t *testing.T) {
		m := testModel(t)
		res := assess.Score(assess.Input{Model: m, AsOf: date(t, "2026-11-20")})
		r := Build(m, res, Meta{})
		if len(r.Scopes) != 1 || r.Scopes[0].Name != assess.DefaultScope {
			t.Errorf("scopes = %+v, want one named %q", r.Scopes, assess.DefaultScope)
		}
		if r.Roadmap != nil || r.Program.TargetsSet != 0 {
			t.Errorf("no targets: roadmap %v, targets set %d", r.Roadmap, r.Program.TargetsSet)
		}
		for _, f := range []Format{FormatMarkdown, FormatHTML, FormatJSON, FormatCSV, FormatXLSX} {
			var buf bytes.Buffer
			if err := r.Write(t.Context(), &buf, f); err != nil {
				t.Errorf("%s of an unanswered assessment without targets: %v", f, err)
			}
			if f == FormatHTML && !strings.Contains(buf.String(), "No category has a target level, so there is no roadmap.") {
				t.Error("the HTML report does not say why there is no roadmap")
			}
		}
	})
}

func TestDisplayAndPercent(t *testing.T) {
	tests := []struct {
		in          float64
		display     string
		percent     string
		description string
	}{
		{2.96, "2.9", "296%", "truncated, not rounded"},
		{2.7, "2.7", "270%", "a value stored just below its decimal"},
		{5, "5.0", "500%", "the top"},
		{0.999, "0.9", "99%", "never shows 100% when below"},
		{0.29, "0.2", "29%", "a share stored just below its decimal"},
	}
	for _, tt := range tests {
		t.Run(tt.description, func(t *testing.T) {
			if got := Display(tt.in); got != tt.display {
				t.Errorf("Display(%v) = %q, want %q", tt.in, got, tt.display)
			}
			if got := Percent(tt.in); got != tt.percent {
				t.Errorf("Percent(%v) = %q, want %q", tt.in, got, tt.percent)
			}
		})
	}
}

func TestWriteJSON(t *testing.T) {
	r := fixture(t, fixtureOptions{})
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"organization", "assessment", "generated_at", "model", "as_of", "program", "domains", "categories", "objectives", "scopes", "roadmap"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("top-level field %q missing", k)
		}
	}
	var res assess.Result
	if err := json.Unmarshal(buf.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	net := res.Categories[2]
	if net.ID != "NET" || net.Score < 2.9599 || net.Score > 2.9601 {
		t.Errorf("NET score in JSON = %v, want the exact 2.96", net.Score)
	}
	if diff := cmp.Diff(r.Result.Program, res.Program); diff != "" {
		t.Errorf("program (-report +json):\n%s", diff)
	}
}

func TestWriteCSV(t *testing.T) {
	r := fixture(t, fixtureOptions{note: "=HYPERLINK(\"http://x\")", justification: "line one\nline two, \"quoted\""})
	var buf bytes.Buffer
	if err := r.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(buf.String(), "\r\n") {
		t.Error("rows do not end with CRLF")
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v", err)
	}
	if diff := cmp.Diff(csvHeader, rows[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	nObj := len(testModel(t).Objectives)
	if got, want := len(rows)-1, nObj*2; got != want {
		t.Fatalf("%d rows, want %d (objectives × scopes)", got, want)
	}
	find := func(scope, id string) []string {
		for _, row := range rows[1:] {
			if row[0] == scope && row[3] == id {
				return row
			}
		}
		t.Fatalf("no row for %s %s", scope, id)
		return nil
	}
	tests := []struct {
		name, scope, id string
		col             int
		want            string
	}{
		{"formula is defused", "production", "MON-4.1", 11, "'=HYPERLINK(\"http://x\")"},
		{"justification with newline and quotes", "development", "DAT-2.1", 11, "line one\nline two, \"quoted\""},
		{"na value is empty", "development", "DAT-2.1", 7, ""},
		{"exact evidence value", "production", "NET-3.1", 7, "0.96"},
		{"evidence", "production", "NET-3.1", 14, "48 passed, 2 failed, 1 muted (prowler)"},
		{"stale status", "production", "MON-4.1", 9, "stale"},
		{"exemption", "development", "DAT-4.1", 15, "keys move to the new HSM in Q1; approved by CISO until 2027-03-31"},
		{"expired exemption", "development", "MON-5.1", 15, "expired: old exemption; approved by CISO until 2026-01-31"},
		{"met", "production", "IAM-2.1", 8, "true"},
		{"answered by", "production", "IAM-3.1", 12, "bob"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := find(tt.scope, tt.id)[tt.col]; got != tt.want {
				t.Errorf("%s column %s = %q, want %q", tt.id, csvHeader[tt.col], got, tt.want)
			}
		})
	}
}

func TestWriteXLSX(t *testing.T) {
	r := fixture(t, fixtureOptions{organization: "=cmd|' /C calc'!A0"})
	var buf bytes.Buffer
	if err := r.WriteXLSX(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("open workbook: %v", err)
	}
	defer f.Close()
	if diff := cmp.Diff([]string{SheetSummary, SheetCategories, SheetObjectives, SheetRoadmap}, f.GetSheetList()); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
	tests := []struct {
		sheet, cell, want string
	}{
		{SheetSummary, "A1", "Cloud security review 2026"},
		{SheetSummary, "B3", "=cmd|' /C calc'!A0"},
		{SheetSummary, "A8", "Program score"},
		{SheetSummary, "B9", "2"},
		{SheetSummary, "B11", "1 of 3"},
		{SheetCategories, "B1", "Category"},
		{SheetCategories, "B4", "NET"},
		{SheetCategories, "F4", "2.9"},
		{SheetCategories, "H4", "1.1"},
		{SheetCategories, "I4", "not met"},
		{SheetObjectives, "D1", "Objective"},
		{SheetObjectives, "A2", "Production"},
		{SheetObjectives, "D2", "IAM-2.1"},
		{SheetObjectives, "Q1", "Review"},
		{SheetObjectives, "Q2", "reviewed by Rita Reviewer on 2026-10-05"},
		{SheetObjectives, "Q3", "not reviewed"},
		{SheetRoadmap, "E2", "IAM-3.1"},
		{SheetRoadmap, "G2", "Central identity provider"},
		{SheetRoadmap, "A5", "2"},
	}
	for _, tt := range tests {
		t.Run(tt.sheet+"!"+tt.cell, func(t *testing.T) {
			got, err := f.GetCellValue(tt.sheet, tt.cell)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("%s!%s = %q, want %q", tt.sheet, tt.cell, got, tt.want)
			}
		})
	}
	t.Run("no formula from user text", func(t *testing.T) {
		formula, err := f.GetCellFormula(SheetSummary, "B3")
		if err != nil || formula != "" {
			t.Errorf("B3 formula = %q, %v; want none", formula, err)
		}
	})
	t.Run("objectives sheet frozen, filtered and styled", func(t *testing.T) {
		panes, err := f.GetPanes(SheetObjectives)
		if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
			t.Errorf("panes = %+v, %v; want the header row frozen", panes, err)
		}
		rows := len(testModel(t).Objectives)*2 + 1
		found := false
		for _, d := range f.GetDefinedName() {
			if d.Name == "_xlnm._FilterDatabase" && d.Scope == SheetObjectives {
				found = true
				// The filter spans every column, the Review column (Q) included.
				if want := fmt.Sprintf("'%s'!$A$1:$Q$%d", SheetObjectives, rows); d.RefersTo != want {
					t.Errorf("filter range %q, want %q", d.RefersTo, want)
				}
			}
		}
		if !found {
			t.Errorf("no autofilter on %s; defined names %+v", SheetObjectives, f.GetDefinedName())
		}
		for _, c := range []struct{ sheet, cell, like string }{
			{SheetObjectives, "D1", "Summary!A8"},  // bold header
			{SheetObjectives, "H2", "Summary!B12"}, // percentage
		} {
			got, err := f.GetCellStyle(c.sheet, c.cell)
			if err != nil {
				t.Fatal(err)
			}
			want, err := f.GetCellStyle(strings.Split(c.like, "!")[0], strings.Split(c.like, "!")[1])
			if err != nil {
				t.Fatal(err)
			}
			if got == 0 || got != want {
				t.Errorf("style of %s!%s = %d, want %d (as %s)", c.sheet, c.cell, got, want, c.like)
			}
		}
	})
	t.Run("one objective row per objective and scope", func(t *testing.T) {
		rows, err := f.GetRows(SheetObjectives)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(rows)-1, len(testModel(t).Objectives)*2; got != want {
			t.Errorf("%d rows, want %d", got, want)
		}
	})
}

// TestBuildReviewAndEvidence checks the review counts, the notes of each
// scope and the evidence of each objective that Build takes from Meta.
func TestBuildReviewAndEvidence(t *testing.T) {
	r := fixture(t, fixtureOptions{})
	want := map[string]ReviewCount{
		"IAM": {Category: "IAM", Name: "Identity", Answered: 9, Reviewed: 2},
		"DAT": {Category: "DAT", Name: "Data", Answered: 6, Changed: 1},
	}
	for _, c := range r.Review.Categories {
		if w, ok := want[c.Category]; ok {
			if diff := cmp.Diff(w, c); diff != "" {
				t.Errorf("review count of %s (-want +got):\n%s", c.Category, diff)
			}
		}
	}
	if got := r.Review.Total; got.Answered != 25 || got.Reviewed != 2 || got.Changed != 1 || got.Unreviewed() != 22 {
		t.Errorf("total %+v, want 25 answered, 2 reviewed, 1 changed", got)
	}
	var notes []string
	for _, s := range r.Scopes {
		for _, n := range s.Notes {
			notes = append(notes, s.ID+" "+n.Objective.ID+": "+n.Review)
		}
	}
	if diff := cmp.Diff([]string{
		"production IAM-3.1: reviewed by Rita Reviewer on 2026-10-05",
		"production MON-4.1: not reviewed",
		"development DAT-2.1: changed since review by Rita Reviewer on 2026-10-05",
	}, notes); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
	var ev []string
	for _, oe := range r.Evidence {
		for _, e := range oe.Items {
			ev = append(ev, oe.Objective.ID+" "+e.Kind+" "+e.Title+" "+e.SizeText())
		}
	}
	if diff := cmp.Diff([]string{"IAM-3.1 link IAM runbook <v2> ", "IAM-3.1 file mfa-export.pdf 120.6 KiB", "DAT-2.1 file data-map.png 900 B"}, ev); diff != "" {
		t.Errorf("evidence in model order (-want +got):\n%s", diff)
	}
}
