package report

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
)

// revision2ModelYAML is a small model with the fields of model revision 2:
// category ladders, a binary objective, supporting checks, CCM references
// and effort estimates.
const revision2ModelYAML = `
id: rev2
version: 2.0.0
name: Revision Two Test Model
levels:
  - {level: 1, name: Ad Hoc}
  - {level: 2, name: Basic}
  - {level: 3, name: Scripted}
  - {level: 4, name: Guarded}
  - {level: 5, name: Automatic}
domains:
  - {id: base, name: Base}
categories:
  - id: IAM
    domain: base
    name: Identity
    levels:
      - {level: 2, description: "People sign in with MFA; root is locked away."}
      - {level: 3, description: "One identity provider for every account."}
      - {level: 4, description: "Guardrails stop permission sprawl."}
      - {level: 5, description: "Access is granted just in time."}
  - id: LOG
    domain: base
    name: Logging
    levels:
      - {level: 2, description: "Audit logs are on."}
      - {level: 3, description: "Logs are archived centrally."}
      - {level: 4, description: "Detection runs everywhere."}
      - {level: 5, description: "Response is automated."}
objectives:
  - {id: IAM-2.1, category: IAM, level: 2, title: Root locked, question: Is root locked, mode: manual, scale: binary,
     supporting_checks: ["prowler:aws:iam_root_mfa_enabled"], references: {ccm: [IAM-03]}, effort: {size: S, person_weeks: [1, 2], spend: none}}
  - {id: IAM-3.1, category: IAM, level: 3, title: Central identity provider, question: How many accounts, mode: either,
     checks: ["prowler:aws:iam_user_console_access_unused"], references: {ccm: [IAM-03, IAM-14]}, effort: {size: L, person_weeks: [4, 10], spend: license}}
  - {id: IAM-4.1, category: IAM, level: 4, title: Permission guardrails, question: How many accounts, mode: manual,
     references: {ccm: [IAM-05]}, effort: {size: M, person_weeks: [2, 6], spend: none}}
  - {id: IAM-5.1, category: IAM, level: 5, title: Just-in-time access, question: How many accounts, mode: manual,
     references: {ccm: [IAM-05]}, effort: {size: XL, person_weeks: [8, 20], spend: service}}
  - {id: LOG-2.1, category: LOG, level: 2, title: Audit logs on, question: How many accounts, mode: either,
     checks: ["prowler:aws:cloudtrail_multi_region_enabled"], references: {ccm: [LOG-02]}, effort: {size: S, person_weeks: [1, 1], spend: none}}
  - {id: LOG-3.1, category: LOG, level: 3, title: Central archive, question: How many accounts, mode: manual,
     references: {ccm: [LOG-02, LOG-10]}, effort: {size: M, person_weeks: [2, 4], spend: service}}
  - {id: LOG-4.1, category: LOG, level: 4, title: Detection everywhere, question: How many accounts, mode: manual,
     references: {ccm: [LOG-10]}}
  - {id: LOG-5.1, category: LOG, level: 5, title: Automated response, question: How many accounts, mode: manual,
     references: {ccm: [SEF-04]}, effort: {size: L, person_weeks: [6, 12], spend: none}}
`

// revision2Report scores an assessment of the revision-2 model in two
// scopes with a measured answer, a contradiction in each scope and stale
// evidence, and builds its report.
func revision2Report(t testing.TB) *Report {
	t.Helper()
	m, err := model.Parse("rev2-model.yaml", []byte(revision2ModelYAML))
	if err != nil {
		t.Fatalf("parse revision-2 test model: %v", err)
	}
	asOf := date(t, "2026-11-20")
	answered := date(t, "2026-10-01")
	scopes := []assess.Scope{{ID: "production", Name: "Production", Weight: 2}, {ID: "development", Name: "Development", Weight: 1}}
	answers := map[assess.Key]assess.Response{}
	for _, s := range scopes {
		answers[assess.Key{Objective: "IAM-2.1", Scope: s.ID}] = assess.Response{Answer: assess.Yes, By: "alice", Date: answered}
		answers[assess.Key{Objective: "LOG-3.1", Scope: s.ID}] = assess.Response{Answer: assess.Yes, By: "alice", Date: answered}
	}
	answers[assess.Key{Objective: "IAM-3.1", Scope: "production"}] = assess.Response{Measure: &assess.Measure{Measured: 87, Of: 120}, By: "bob", Date: answered}
	answers[assess.Key{Objective: "IAM-3.1", Scope: "development"}] = assess.Response{Answer: assess.Most, By: "bob", Date: answered}
	answers[assess.Key{Objective: "LOG-2.1", Scope: "production"}] = assess.Response{Answer: assess.Yes, By: "carol", Date: answered}
	answers[assess.Key{Objective: "LOG-2.1", Scope: "development"}] = assess.Response{Answer: assess.Yes, By: "carol", Date: answered}
	recent := date(t, "2026-11-15")
	old := date(t, "2026-06-01")
	ev := func(check string, supporting bool, scanned assess.Date, passed, failed int) assess.Evidence {
		c := assess.CheckEvidence{Check: check, Supporting: supporting, Scanned: scanned, Passed: passed, Failed: failed, Source: "prowler-ocsf:scan.json"}
		e := assess.Evidence{Source: c.Source, Checks: []assess.CheckEvidence{c}}
		if !supporting {
			e.Passed, e.Failed = passed, failed
		}
		return e
	}
	evidence := map[assess.Key]assess.Evidence{
		// Root answered yes in both scopes, but its supporting check fails in production.
		{Objective: "IAM-2.1", Scope: "production"}: ev("prowler:aws:iam_root_mfa_enabled", true, recent, 3, 2),
		// Audit logs answered yes, the deciding check fails in development.
		{Objective: "LOG-2.1", Scope: "development"}: ev("prowler:aws:cloudtrail_multi_region_enabled", false, recent, 4, 1),
		// A scan of June is stale on 2026-11-20 (90 days).
		{Objective: "IAM-3.1", Scope: "development"}: ev("prowler:aws:iam_user_console_access_unused", false, old, 10, 5),
	}
	res := assess.Score(assess.Input{Model: m, Scopes: scopes, Answers: answers, Evidence: evidence,
		Targets: map[string]int{"IAM": 4, "LOG": 5}, ValidityDays: 365, AsOf: asOf})
	return Build(m, res, Meta{Organization: "Example Corp", Assessment: "Revision 2 review", Scopes: scopes,
		GeneratedAt: time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC), ValidityDays: 365})
}

// TestRevision2Golden renders the revision-2 sections in every text format
// and compares them with testdata/revision2.*; -update rewrites them.
func TestRevision2Golden(t *testing.T) {
	r := revision2Report(t)
	for _, tt := range []struct {
		file  string
		write func(io.Writer) error
	}{
		{"revision2.md", r.WriteMarkdown},
		{"revision2.html", r.WriteHTML},
		{"revision2.json", r.WriteJSON},
		{"revision2.ccm.csv", r.WriteCCMCSV},
	} {
		t.Run(tt.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tt.write(&buf); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tt.file)
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden file (run go test -update to create it): %v", err)
			}
			if d := cmp.Diff(string(want), buf.String()); d != "" {
				t.Errorf("%s differs from the golden file (-want +got):\n%s", tt.file, d)
			}
		})
	}
}

// TestRevision2Sections checks the figures of the revision-2 sections
// against values worked out by hand from the fixture.
func TestRevision2Sections(t *testing.T) {
	r := revision2Report(t)

	var contra []string
	for _, c := range r.Contradictions {
		contra = append(contra, c.Scope+" "+c.Objective.ID+" "+c.Answer+" "+c.Check)
	}
	if d := cmp.Diff([]string{
		"production IAM-2.1 yes prowler:aws:iam_root_mfa_enabled",
		"development LOG-2.1 yes prowler:aws:cloudtrail_multi_region_enabled",
	}, contra); d != "" {
		t.Errorf("contradictions (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]ContradictionCount{
		{Scope: "production", ScopeName: "Production", Objectives: 1, Checks: 1, Failed: 2},
		{Scope: "development", ScopeName: "Development", Objectives: 1, Checks: 1, Failed: 1},
	}, r.ContradictionCounts); d != "" {
		t.Errorf("contradiction counts (-want +got):\n%s", d)
	}
	if len(r.StaleEvidence) != 1 || r.StaleEvidence[0].Objective.ID != "IAM-3.1" || r.StaleEvidence[0].Scope != "development" {
		t.Errorf("stale evidence = %+v, want the June scan of IAM-3.1 in development", r.StaleEvidence)
	}

	// IAM: level 2 (IAM-3.1 is 87/120 in production), next rung 3.
	// LOG: level 3 (LOG-4.1 unanswered), next rung 4.
	var rungs []string
	for _, l := range r.Ladders {
		rungs = append(rungs, l.Category+" "+l.Reached+" -> "+l.NextDescription)
	}
	if d := cmp.Diff([]string{
		"IAM People sign in with MFA; root is locked away. -> One identity provider for every account.",
		"LOG Logs are archived centrally. -> Detection runs everywhere.",
	}, rungs); d != "" {
		t.Errorf("ladders (-want +got):\n%s", d)
	}

	// Roadmap: phase 1 IAM-3.1 (L, 4-10, license) and LOG-4.1 (no estimate);
	// phase 2 IAM-4.1 (M, 2-6) and LOG-5.1 (L, 6-12).
	inv := r.Investment
	if len(inv.Phases) != 2 {
		t.Fatalf("investment phases = %+v, want 2", inv.Phases)
	}
	p1, p2 := inv.Phases[0].Effort, inv.Phases[1].Effort
	if p1.Objectives != 2 || p1.Unestimated != 1 || p1.WeeksMin != 4 || p1.WeeksMax != 10 || p1.SizesText() != "1 L" || p1.SpendText() != "1 license" {
		t.Errorf("phase 1 effort = %+v", p1)
	}
	if p2.Objectives != 2 || p2.WeeksMin != 8 || p2.WeeksMax != 18 || p2.SizesText() != "1 M, 1 L" || p2.SpendText() != "none" {
		t.Errorf("phase 2 effort = %+v", p2)
	}
	if inv.Total.WeeksText() != "12–28" {
		t.Errorf("total person-weeks = %s, want 12–28", inv.Total.WeeksText())
	}

	status := map[string]string{}
	for _, c := range r.Crosswalk {
		status[c.ID] = c.Status
	}
	if d := cmp.Diff(map[string]string{
		"IAM-03": CCMPartial, "IAM-05": CCMNotMet, "IAM-14": CCMNotMet, "LOG-02": CCMMet, "LOG-10": CCMPartial, "SEF-04": CCMNotMet,
	}, status); d != "" {
		t.Errorf("crosswalk statuses (-want +got):\n%s", d)
	}
	var csvOut bytes.Buffer
	if err := r.Write(t.Context(), &csvOut, FormatCCMCSV); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(csvOut.String(), "\r\n"); lines != 1+10 {
		t.Errorf("ccm-csv has %d lines, want a header and 10 control-objective rows", lines)
	}
}

// TestRevision2XLSX checks that the workbook of a model with CCM references
// has the crosswalk sheet, one row per control and objective.
func TestRevision2XLSX(t *testing.T) {
	r := revision2Report(t)
	var buf bytes.Buffer
	if err := r.WriteXLSX(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if d := cmp.Diff([]string{SheetSummary, SheetCategories, SheetObjectives, SheetRoadmap, SheetCCM}, f.GetSheetList()); d != "" {
		t.Errorf("sheets (-want +got):\n%s", d)
	}
	rows, err := f.GetRows(SheetCCM)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 11 || rows[1][0] != "IAM-03" || rows[1][4] != "IAM-2.1" || rows[1][1] != "partly met" {
		t.Errorf("crosswalk sheet: %d rows, first %v; want a header and 10 rows starting with IAM-03 / IAM-2.1", len(rows), rows[1])
	}
}
