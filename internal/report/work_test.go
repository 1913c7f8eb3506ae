package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/history"
)

// roadmapIDs lists the objectives of the report's roadmap, phase by phase.
func roadmapIDs(r *Report) [][]string {
	var out [][]string
	for _, ph := range r.Roadmap {
		var ids []string
		for _, g := range ph.Groups {
			for _, o := range g.Objectives {
				ids = append(ids, o.ID)
			}
		}
		out = append(out, ids)
	}
	return out
}

// TestWorkOnTheRoadmap checks that work items reach the roadmap's
// objectives, that each phase counts its done work, and that the overdue
// list holds what is past due on the as-of date and not done, oldest first.
func TestWorkOnTheRoadmap(t *testing.T) {
	r := fixture(t, fixtureOptions{})
	phases := roadmapIDs(r)
	if len(phases) < 2 || len(phases[0]) < 2 {
		t.Fatalf("the fixture's roadmap %v needs two phases, the first with two objectives", phases)
	}
	first, second, later := phases[0][0], phases[0][1], phases[1][0]
	asOf := r.AsOf
	r.SetWork([]WorkItem{
		{Objective: first, Owner: "Ana", Due: asOf.AddDays(-3), Status: WorkDone, Ticket: "https://tracker.example/1"},
		{Objective: second, Owner: "Ben", Due: asOf.AddDays(-10), Status: WorkInProgress},
		{Objective: later, Due: asOf.AddDays(-1)},
		{Objective: "NOT-ON-ROADMAP", Due: asOf.AddDays(-30)},
	})
	if got, want := r.Roadmap[0].Progress, (RoadmapProgress{Done: 1, InProgress: 1, Total: len(phases[0])}); got != want {
		t.Errorf("phase 1 progress %+v, want %+v", got, want)
	}
	if got, want := r.RoadmapProgress.Done, 1; got != want {
		t.Errorf("roadmap done %d, want %d", got, want)
	}
	total := 0
	for _, p := range phases {
		total += len(p)
	}
	if r.RoadmapProgress.Total != total {
		t.Errorf("roadmap total %d, want %d", r.RoadmapProgress.Total, total)
	}
	type overdue struct {
		ID       string
		Phase    int
		DaysLate int
		Status   string
	}
	var got []overdue
	for _, o := range r.Overdue {
		got = append(got, overdue{o.Objective.ID, o.Phase, o.DaysLate, o.Work.Status})
	}
	want := []overdue{{second, 1, 10, WorkInProgress}, {later, 2, 1, WorkPlanned}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("overdue (-want +got):\n%s", diff)
	}
	// Every objective of the roadmap has its work, planned by default.
	for _, ph := range r.Roadmap {
		for _, g := range ph.Groups {
			for _, o := range g.Objectives {
				if o.Work == nil || o.Work.Status == "" {
					t.Errorf("%s has no work status", o.ID)
				}
			}
		}
	}
	if s := r.ExecutiveSummary(); s.Overdue != 2 || s.NextPhase == nil || s.NextPhase.Progress.Done != 1 {
		t.Errorf("summary overdue %d, next phase %+v: want 2 overdue and 1 done", s.Overdue, s.NextPhase)
	}

	var md strings.Builder
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	html, err := r.HTML()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Work on the roadmap: 1 of " + fmt.Sprint(total) + " done", "owner Ana", "https://tracker.example/1", "### Overdue"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	for _, want := range []string{`<a href="https://tracker.example/1">`, `id="overdue"`, "work 1 of " + fmt.Sprint(len(phases[0])) + " done", "in progress"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

// TestExecutiveSummary checks the board's figures against the report's
// own: scores at target are the last phase's, the gaps the largest three,
// the next phase's investment the first phase's, and the trend the
// program score at each snapshot, then now.
func TestExecutiveSummary(t *testing.T) {
	r := builtinReport(t)
	s := r.ExecutiveSummary()
	last := r.Roadmap[len(r.Roadmap)-1]
	if s.Program.Display != r.Program.Display || s.Program.AtTarget != last.Display {
		t.Errorf("program %+v, want now %s and at target %s", s.Program, r.Program.Display, last.Display)
	}
	for i, d := range s.Domains {
		if d.AtTarget != last.Domains[i].Display || d.Display != r.Domains[i].Display {
			t.Errorf("domain %s: %+v, want now %s and at target %s", d.Name, d, r.Domains[i].Display, last.Domains[i].Display)
		}
	}
	if len(s.Gaps) != 3 {
		t.Fatalf("%d gaps, want 3", len(s.Gaps))
	}
	for _, c := range r.Categories {
		if c.Gap == nil || (c.TargetMet != nil && *c.TargetMet) {
			continue
		}
		if *c.Gap > *s.Gaps[2].Gap+1e-12 && c.ID != s.Gaps[0].ID && c.ID != s.Gaps[1].ID && c.ID != s.Gaps[2].ID {
			t.Errorf("category %s has a gap of %v, larger than the third listed %v", c.ID, *c.Gap, *s.Gaps[2].Gap)
		}
	}
	if *s.Gaps[0].Gap < *s.Gaps[1].Gap || *s.Gaps[1].Gap < *s.Gaps[2].Gap {
		t.Errorf("gaps not largest first: %v %v %v", *s.Gaps[0].Gap, *s.Gaps[1].Gap, *s.Gaps[2].Gap)
	}
	if s.NextPhase == nil || s.NextPhase.Count != r.Roadmap[0].Count || s.NextPhase.Effort.WeeksText() != r.Investment.Phases[0].Effort.WeeksText() {
		t.Errorf("next phase %+v, want phase 1 with %d objectives and %s person-weeks", s.NextPhase, r.Roadmap[0].Count, r.Investment.Phases[0].Effort.WeeksText())
	}
	if s.Trend != nil {
		t.Errorf("trend %v without snapshots", s.Trend)
	}

	first, second := 1.9, 2.35
	r.Trend = BuildTrend(builtinModel(t), &history.Trend{Points: []history.TrendPoint{
		{AsOf: assess.Date{Year: 2026, Month: 1, Day: 15}, Scores: []history.ScoreRow{{Kind: history.KindProgram, Score: &first}}},
		{AsOf: assess.Date{Year: 2026, Month: 6, Day: 30}, Scores: []history.ScoreRow{{Kind: history.KindProgram, Score: &second}}},
	}}, nil)
	s = r.ExecutiveSummary()
	want := []TrendPoint{{"2026-01-15", "1.9"}, {"2026-06-30", "2.3"}, {"now (" + r.AsOf.String() + ")", r.Program.Display}}
	if diff := cmp.Diff(want, s.Trend); diff != "" {
		t.Errorf("trend (-want +got):\n%s", diff)
	}
	if wantChange := signedDelta(r.Program.Score, first); s.TrendChange != wantChange || !strings.HasPrefix(wantChange, "+") {
		t.Errorf("trend change %q, want %q (a rise)", s.TrendChange, wantChange)
	}
}

func TestSignedDelta(t *testing.T) {
	for _, tc := range []struct {
		now, then float64
		want      string
	}{
		{2.7, 2.3, "+0.4"},
		{2.39, 2.31, "±0.0"},
		{1.96, 2.31, "-0.4"},
		{3.0, 1.0, "+2.0"},
	} {
		if got := signedDelta(tc.now, tc.then); got != tc.want {
			t.Errorf("signedDelta(%v, %v) = %q, want %q", tc.now, tc.then, got, tc.want)
		}
	}
}

func TestScopesBrief(t *testing.T) {
	r := &Report{}
	for i := range 6 {
		r.Scopes = append(r.Scopes, Scope{Name: fmt.Sprintf("s%d", i+1), Weight: 1})
	}
	if got, want := r.ScopesBrief(), "Scopes: s1 (weight 1), s2 (weight 1), s3 (weight 1), s4 (weight 1) and 2 more"; got != want {
		t.Errorf("ScopesBrief = %q, want %q", got, want)
	}
	r.Scopes = r.Scopes[:1]
	r.Scopes[0].Weight = 2.5
	if got, want := r.ScopesBrief(), "Scope: s1 (weight 2.5)"; got != want {
		t.Errorf("ScopesBrief = %q, want %q", got, want)
	}
}

// TestExecutiveSummaryTrendIsShort checks that a long history shows its
// first snapshot and the latest ones, so that the summary keeps to a page.
func TestExecutiveSummaryTrendIsShort(t *testing.T) {
	r := builtinReport(t)
	var points []history.TrendPoint
	for i := range 20 {
		v := 1 + float64(i)/10
		points = append(points, history.TrendPoint{AsOf: assess.Date{Year: 2025, Month: 1, Day: 1}.AddDays(7 * i), Scores: []history.ScoreRow{{Kind: history.KindProgram, Score: &v}}})
	}
	r.Trend = BuildTrend(builtinModel(t), &history.Trend{Points: points}, nil)
	got := r.ExecutiveSummary().Trend
	if len(got) != maxTrendPoints+1 {
		t.Fatalf("%d trend points, want %d: %v", len(got), maxTrendPoints+1, got)
	}
	if got[0].Date != "2025-01-01" || got[0].Display != "1.0" || got[len(got)-2].Display != "2.9" {
		t.Errorf("trend %v: want the first snapshot (1.0), the latest ones up to 2.9, then now", got)
	}
	if want := signedDelta(r.Program.Score, 1); r.ExecutiveSummary().TrendChange != want {
		t.Errorf("trend change %q, want %q from the first snapshot", r.ExecutiveSummary().TrendChange, want)
	}
}
