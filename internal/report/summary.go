package report

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/history"
)

// Summary is the one-page executive summary a CISO hands to a board: the
// program and domain scores against the scores the targets lead to, the
// three largest gaps, the next phase's investment and the trend.
type Summary struct {
	// Program and Domains are the scores now and once every category
	// reaches its target.
	Program ScoreAtTarget
	Domains []ScoreAtTarget
	// HasTargets is false when no category has a target: there is no score
	// at target, gap or roadmap.
	HasTargets bool
	// Gaps are the (at most three) largest gaps between a category's score
	// and its target, largest first, in model order among equals.
	Gaps []Category
	// NextPhase is the first phase of the roadmap with its effort and the
	// progress of its work; nil without a roadmap.
	NextPhase *NextPhase
	// Phases is the number of roadmap phases.
	Phases int
	// Trend is the program score at each snapshot, oldest first, then now;
	// nil without history.
	Trend []TrendPoint
	// TrendChange is the program score now minus at the first snapshot,
	// signed and truncated ("+0.4"); "" without history.
	TrendChange string
	// Overdue counts the roadmap objectives past their due date.
	Overdue int
	// Notes are the sentences of the highlights that the figures above do
	// not already say: completeness and exceptions.
	Notes []string
}

// ScoreAtTarget is a score now and once every category reaches its target.
type ScoreAtTarget struct {
	Name string
	// Display is the score now and AtTarget the score once every category
	// with a target reaches it ("–" when no category has a target).
	Display  string
	AtTarget string
	// Met is true when the score already is the score at target.
	Met bool
}

// NextPhase is the roadmap phase to do next: its objectives, effort and
// how far their work is.
type NextPhase struct {
	Number    int
	Count     int
	Display   string
	Floor     int
	FloorName string
	// Effort is the phase's effort estimate; HasEstimates is false when
	// the model estimates none of its objectives.
	Effort       Effort
	HasEstimates bool
	Progress     RoadmapProgress
}

// TrendPoint is the program score on one date.
type TrendPoint struct {
	Date    string
	Display string
}

// ExecutiveSummary builds the executive summary from the rest of the
// report, its Trend included.
func (r *Report) ExecutiveSummary() Summary {
	s := Summary{HasTargets: r.Program.TargetsSet > 0, Phases: len(r.Roadmap), Overdue: len(r.Overdue)}
	s.Notes = append(s.Notes, completenessSentence(r.Program))
	if e := exceptionsSentence(r); e != "" {
		s.Notes = append(s.Notes, e)
	}
	var last *Phase
	if n := len(r.Roadmap); n > 0 {
		last = &r.Roadmap[n-1]
	}
	s.Program = ScoreAtTarget{Name: "Program", Display: r.Program.Display, AtTarget: "–"}
	if s.HasTargets {
		s.Program.AtTarget = r.Program.Display
		if last != nil {
			s.Program.AtTarget = last.Display
		}
		s.Program.Met = s.Program.AtTarget == s.Program.Display
	}
	for i, d := range r.Domains {
		row := ScoreAtTarget{Name: d.Name, Display: d.Display, AtTarget: "–"}
		if s.HasTargets {
			row.AtTarget = d.Display
			if last != nil && i < len(last.Domains) {
				row.AtTarget = last.Domains[i].Display
			}
			row.Met = row.AtTarget == row.Display
		}
		s.Domains = append(s.Domains, row)
	}
	var below []Category
	for _, c := range r.Categories {
		if c.TargetMet != nil && !*c.TargetMet && c.Gap != nil {
			below = append(below, c)
		}
	}
	sort.SliceStable(below, func(i, j int) bool { return *below[i].Gap > *below[j].Gap+1e-12 })
	s.Gaps = below[:min(3, len(below))]
	if len(r.Roadmap) > 0 {
		ph := r.Roadmap[0]
		np := &NextPhase{Number: ph.Number, Count: ph.Count, Display: ph.Display, Floor: ph.Floor, FloorName: ph.FloorName, Progress: ph.Progress}
		for _, pi := range r.Investment.Phases {
			if pi.Phase == ph.Number {
				np.Effort = pi.Effort
				np.HasEstimates = pi.Effort.Objectives > pi.Effort.Unestimated
			}
		}
		s.NextPhase = np
	}
	if r.Trend != nil {
		for _, row := range r.Trend.Rows {
			if row.Kind != history.KindProgram {
				continue
			}
			for i, v := range row.Values {
				s.Trend = append(s.Trend, TrendPoint{Date: r.Trend.Dates[i], Display: v})
			}
			if len(row.Exact) > 0 && row.Exact[0] != nil && !r.Program.NA {
				s.TrendChange = signedDelta(r.Program.Score, *row.Exact[0])
			}
		}
		if n := len(s.Trend); n > maxTrendPoints {
			// The first snapshot and the latest ones: the summary stays one page.
			s.Trend = append(s.Trend[:1], s.Trend[n-maxTrendPoints+1:]...)
		}
		if len(s.Trend) > 0 {
			s.Trend = append(s.Trend, TrendPoint{Date: "now (" + r.AsOf.String() + ")", Display: r.Program.Display})
		}
	}
	return s
}

// signedDelta is now minus then as people read it: the difference of the
// displayed (truncated) scores, with its sign ("+0.4", "-0.2", "±0.0").
func signedDelta(now, then float64) string {
	tenths := int(math.Round(assess.Truncate(now)*10)) - int(math.Round(assess.Truncate(then)*10))
	sign := "+"
	switch {
	case tenths < 0:
		sign, tenths = "-", -tenths
	case tenths == 0:
		sign = "±"
	}
	return fmt.Sprintf("%s%d.%d", sign, tenths/10, tenths%10)
}

// maxTrendPoints is how many snapshots the summary's trend shows: the
// first and the latest ones.
const maxTrendPoints = 6

// maxBriefScopes is how many scopes the cover names before "and N more".
const maxBriefScopes = 4

// ScopesBrief names the scopes with their weights for the cover, the first
// four and how many more, so that the cover keeps its size: "Scopes:
// Production (weight 2) and Staging (weight 1)".
func (r *Report) ScopesBrief() string {
	var names []string
	for i, s := range r.Scopes {
		if i == maxBriefScopes {
			names = append(names, fmt.Sprintf("%d more", len(r.Scopes)-maxBriefScopes))
			break
		}
		names = append(names, fmt.Sprintf("%s (weight %s)", s.Name, strconv.FormatFloat(s.Weight, 'f', -1, 64)))
	}
	return plural(len(r.Scopes), "Scope: ", "Scopes: ") + join(names)
}
