package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// HasEstimates reports whether any roadmap objective has an effort
// estimate; without one the investment section is left out.
func (inv Investment) HasEstimates() bool { return inv.Total.Objectives > inv.Total.Unestimated }

// markdownLadders writes the ladder section (categories whose model
// describes their levels).
func (r *Report) markdownLadders(p func(string, ...any)) {
	if len(r.Ladders) == 0 {
		return
	}
	p("## Where each category stands on its ladder\n\n| Category | Level reached | Next level |\n|---|---|---|\n")
	for _, l := range r.Ladders {
		if l.NA {
			p("| %s (%s) | not applicable | |\n", md(l.CategoryName), l.Category)
			continue
		}
		next := "top level reached"
		if l.Next > 0 {
			next = fmt.Sprintf("**%d %s**: %s", l.Next, md(l.NextName), md(l.NextDescription))
		}
		reached := fmt.Sprintf("**%d %s**", l.Level, md(l.LevelName))
		if l.Reached != "" {
			reached += ": " + md(l.Reached)
		}
		p("| %s (%s) | %s | %s |\n", md(l.CategoryName), l.Category, reached, next)
	}
	p("\n")
}

// markdownInvestment writes the effort of the roadmap per phase and category.
func (r *Report) markdownInvestment(p func(string, ...any)) {
	inv := r.Investment
	if !inv.HasEstimates() {
		return
	}
	p("## Investment\n\n| Phase | Objectives | Sizes | Person-weeks | Spend |\n|---|---|---|---|---|\n")
	for _, ph := range inv.Phases {
		p("| Phase %d | %d | %s | %s | %s |\n", ph.Phase, ph.Effort.Objectives, ph.Effort.SizesText(), ph.Effort.WeeksText(), ph.Effort.SpendText())
	}
	p("| **Roadmap** | %d | %s | %s | %s |\n\n", inv.Total.Objectives, inv.Total.SizesText(), inv.Total.WeeksText(), inv.Total.SpendText())
	p("| Category | Objectives | Sizes | Person-weeks | Spend |\n|---|---|---|---|---|\n")
	for _, c := range inv.Categories {
		p("| %s (%s) | %d | %s | %s | %s |\n", md(c.CategoryName), c.Category, c.Effort.Objectives, c.Effort.SizesText(), c.Effort.WeeksText(), c.Effort.SpendText())
	}
	p("\n")
	if inv.Total.Unestimated > 0 {
		p("%d objective(s) of the roadmap have no estimate and are left out of the sums.\n\n", inv.Total.Unestimated)
	}
}

// markdownContradictions writes the contradictions and the stale evidence.
func (r *Report) markdownContradictions(p func(string, ...any)) {
	p("## Contradictions\n\n")
	if len(r.Contradictions) == 0 {
		p("No manual answer of most or yes is contradicted by a failing check.\n\n")
	} else {
		p("These objectives are answered most or yes while scanner checks found failing resources in the same scope. The value stays the answer's; a reviewer should challenge each one.\n\n")
		p("| Scope | Objectives | Failing checks | Failing resources |\n|---|---|---|---|\n")
		for _, c := range r.ContradictionCounts {
			p("| %s | %d | %d | %d |\n", md(c.ScopeName), c.Objectives, c.Checks, c.Failed)
		}
		p("\n| Objective | Scope | Answer | Failing check | Failed |\n|---|---|---|---|---|\n")
		for _, c := range r.Contradictions {
			p("| %s %s | %s | %s | %s | %d |\n", c.Objective.ID, md(c.Objective.Title), md(c.ScopeName), md(c.Answer), md(c.Check), c.Failed)
		}
		p("\n")
	}
	if len(r.StaleEvidence) > 0 {
		p("## Stale evidence\n\nScans older than the evidence validity give no value until the scanner runs again.\n\n")
		p("| Objective | Scope | Check | Scanned | Passed | Failed | Source |\n|---|---|---|---|---|---|---|\n")
		for _, e := range r.StaleEvidence {
			check := md(e.Check)
			if e.Supporting {
				check += " (supporting)"
			}
			p("| %s %s | %s | %s | %s | %d | %d | %s |\n", e.Objective.ID, md(e.Objective.Title), md(e.ScopeName), check, e.Scanned, e.Passed, e.Failed, md(e.Source))
		}
		p("\n")
	}
}

// markdownCrosswalk writes the CCM crosswalk.
func (r *Report) markdownCrosswalk(p func(string, ...any)) {
	if len(r.Crosswalk) == 0 {
		return
	}
	p("## CSA Cloud Controls Matrix crosswalk\n\n| CCM control | Status | Objectives |\n|---|---|---|\n")
	for _, c := range r.Crosswalk {
		p("| %s | %s (%d of %d) | %s |\n", md(c.ID), c.StatusLabel(), c.Met, c.Applicable, md(c.objectivesText()))
	}
	p("\n")
}

// objectivesText lists a control's objectives with their status.
func (c CCMControl) objectivesText() string {
	parts := make([]string, len(c.Objectives))
	for i, o := range c.Objectives {
		parts[i] = fmt.Sprintf("%s %s (%s)", o.ID, o.Title, o.StatusText())
	}
	return strings.Join(parts, "; ")
}

// StatusText is the objective's status in words: met, not met, or its status.
func (o CCMObjective) StatusText() string {
	switch {
	case o.Met:
		return "met"
	case o.Status == "answered":
		return "not met"
	}
	return string(o.Status)
}

// ccmCSVHeader names the columns of the CCM crosswalk CSV.
var ccmCSVHeader = []string{"ccm_control", "control_status", "objectives_met", "objectives_applicable", "objective", "title", "category", "level", "status", "value", "met"}

// WriteCCMCSV writes the CCM crosswalk as CSV (RFC 4180): one row per CCM
// control and objective serving it, with the control's status and the
// objective's roll-up status, value (exact) and whether it is met.
func (r *Report) WriteCCMCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(ccmCSVHeader); err != nil {
		return fmt.Errorf("write ccm csv: %w", err)
	}
	for _, c := range r.Crosswalk {
		for _, o := range c.Objectives {
			if err := cw.Write([]string{cell(c.ID), c.Status, strconv.Itoa(c.Met), strconv.Itoa(c.Applicable),
				o.ID, cell(o.Title), o.Category, strconv.Itoa(o.Level), string(o.Status), value(o.Value), strconv.FormatBool(o.Met)}); err != nil {
				return fmt.Errorf("write ccm csv: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write ccm csv: %w", err)
	}
	return nil
}

// SheetCCM is the XLSX sheet of the CCM crosswalk, present when the model
// references CCM controls.
const SheetCCM = "CCM crosswalk"

func (x *xlsxWriter) crosswalk(r *Report) {
	if len(r.Crosswalk) == 0 {
		return
	}
	const s = SheetCCM
	x.begin(s)
	header := make([]any, len(ccmCSVHeader))
	for i, h := range ccmCSVHeader {
		header[i] = h
	}
	x.header(s, 1, header...)
	row := 2
	for _, c := range r.Crosswalk {
		for _, o := range c.Objectives {
			var v any = ""
			if o.Value != nil {
				v = *o.Value
			}
			x.row(s, row, c.ID, c.StatusLabel(), c.Met, c.Applicable, o.ID, o.Title, o.Category, o.Level, string(o.Status), v, o.Met)
			row++
		}
	}
	x.widths(s, 14, 16, 10, 12, 12, 48, 10, 8, 12, 8, 8)
}

// jsonLadder is a category's rung in the JSON report.
type jsonLadder struct {
	Category        string `json:"category"`
	Level           *int   `json:"level"`
	Reached         string `json:"reached,omitempty"`
	Next            int    `json:"next,omitempty"`
	NextDescription string `json:"next_description,omitempty"`
}

// jsonEffort is summed effort in the JSON report.
type jsonEffort struct {
	Objectives  int            `json:"objectives"`
	Unestimated int            `json:"unestimated"`
	Sizes       map[string]int `json:"sizes"`
	PersonWeeks [2]int         `json:"person_weeks"`
	Spend       map[string]int `json:"spend"`
}

func effortJSON(e Effort) jsonEffort {
	out := jsonEffort{Objectives: e.Objectives, Unestimated: e.Unestimated, Sizes: map[string]int{}, Spend: map[string]int{},
		PersonWeeks: [2]int{e.WeeksMin, e.WeeksMax}}
	for _, s := range e.Sizes {
		out.Sizes[string(s.Size)] = s.Count
	}
	for _, s := range e.Spend {
		out.Spend[string(s.Spend)] = s.Count
	}
	return out
}

// jsonInvestment is the investment section of the JSON report.
type jsonInvestment struct {
	Phases []struct {
		Phase  int        `json:"phase"`
		Effort jsonEffort `json:"effort"`
	} `json:"phases"`
	Categories []struct {
		Category string     `json:"category"`
		Effort   jsonEffort `json:"effort"`
	} `json:"categories"`
	Total jsonEffort `json:"total"`
}

// jsonCCM is one CCM control of the crosswalk in the JSON report.
type jsonCCM struct {
	Control    string `json:"control"`
	Status     string `json:"status"`
	Met        int    `json:"met"`
	Applicable int    `json:"applicable"`
	Objectives []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Met    bool   `json:"met"`
	} `json:"objectives"`
}

// revision2JSON fills the revision-2 sections of the JSON report.
func (r *Report) revision2JSON(j *jsonReport) {
	for _, l := range r.Ladders {
		jl := jsonLadder{Category: l.Category, Reached: l.Reached, Next: l.Next, NextDescription: l.NextDescription}
		if !l.NA {
			jl.Level = &l.Level
		}
		j.Ladders = append(j.Ladders, jl)
	}
	if r.Investment.HasEstimates() {
		inv := &jsonInvestment{Total: effortJSON(r.Investment.Total)}
		for _, p := range r.Investment.Phases {
			inv.Phases = append(inv.Phases, struct {
				Phase  int        `json:"phase"`
				Effort jsonEffort `json:"effort"`
			}{p.Phase, effortJSON(p.Effort)})
		}
		for _, c := range r.Investment.Categories {
			inv.Categories = append(inv.Categories, struct {
				Category string     `json:"category"`
				Effort   jsonEffort `json:"effort"`
			}{c.Category, effortJSON(c.Effort)})
		}
		j.Investment = inv
	}
	for _, c := range r.Crosswalk {
		jc := jsonCCM{Control: c.ID, Status: c.Status, Met: c.Met, Applicable: c.Applicable}
		for _, o := range c.Objectives {
			jc.Objectives = append(jc.Objectives, struct {
				ID     string `json:"id"`
				Status string `json:"status"`
				Met    bool   `json:"met"`
			}{o.ID, string(o.Status), o.Met})
		}
		j.CCM = append(j.CCM, jc)
	}
}
