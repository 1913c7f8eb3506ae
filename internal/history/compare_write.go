package history

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/csmm/csmm/internal/assess"
)

// WriteMarkdown writes the comparison as a Markdown document: score moves,
// changed objectives with who and when, evidence and exemptions, and the
// model's changed objectives.
func (c *Comparison) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# Comparison: %s to %s\n\n", c.From.label(), c.To.label())
	if c.Model != nil {
		fmt.Fprintf(bw, "## Model changes (%s@%s to %s@%s)\n\n", c.Model.From.ID, c.Model.From.Version, c.Model.To.ID, c.Model.To.Version)
		fmt.Fprintf(bw, "These objectives are not compared, because their meaning is not the same on both sides.\n\n")
		fmt.Fprintf(bw, "- Added: %s\n- Removed: %s\n- Changed meaning: %s\n\n", list(c.Model.Added), list(c.Model.Removed), list(c.Model.Changed))
	}
	fmt.Fprintf(bw, "## Scores\n\n| | Before | After | Level before | Level after |\n|---|---|---|---|---|\n")
	fmt.Fprintf(bw, "| Program | %s | %s | %s | %s |\n", fmtScore(c.Program.Before), fmtScore(c.Program.After), fmtInt(c.Program.LevelBefore), fmtInt(c.Program.LevelAfter))
	for _, m := range c.Domains {
		fmt.Fprintf(bw, "| %s | %s | %s | | |\n", m.ID, fmtScore(m.Before), fmtScore(m.After))
	}
	for _, m := range c.Categories {
		fmt.Fprintf(bw, "| %s | %s | %s | %s | %s |\n", m.ID, fmtScore(m.Before), fmtScore(m.After), fmtInt(m.LevelBefore), fmtInt(m.LevelAfter))
	}
	fmt.Fprintf(bw, "\n## Objectives that changed (%d)\n\n", len(c.Objectives))
	if len(c.Objectives) > 0 {
		fmt.Fprintf(bw, "| Objective | Scope | Before | After | By | Date |\n|---|---|---|---|---|---|\n")
		for _, o := range c.Objectives {
			fmt.Fprintf(bw, "| %s | %s | %s | %s | %s | %s |\n", o.Objective, o.Scope, o.Before.text(), o.After.text(), o.who(), o.Date)
		}
	}
	fmt.Fprintf(bw, "\n## Evidence (%d)\n\n", len(c.Evidence))
	for _, e := range c.Evidence {
		fmt.Fprintf(bw, "- %s: %s in %s from %s (%s to %s)\n", e.Change, e.Objective, e.Scope, e.Source, evText(e.Before), evText(e.After))
	}
	fmt.Fprintf(bw, "\n## Exemptions (%d)\n\n", len(c.Exemptions))
	for _, e := range c.Exemptions {
		fmt.Fprintf(bw, "- %s: %s until %s, approved by %s: %s\n", e.Change, e.Exemption.Objective, e.Exemption.Until, e.Exemption.Approver, e.Exemption.Reason)
	}
	return bw.Flush()
}

// CompareCSVHeader is the header row of a comparison's CSV.
var CompareCSVHeader = []string{"section", "id", "scope", "before", "after", "level_before", "level_after", "status_before", "status_after", "source_before", "source_after", "by", "date"}

// WriteCSV writes the comparison as CSV: one row per score, changed
// objective, evidence and exemption change, and model change.
func (c *Comparison) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(CompareCSVHeader)
	row := func(section string, m Move) {
		cw.Write([]string{section, m.ID, "", floatCell(m.Before), floatCell(m.After), intCell(m.LevelBefore), intCell(m.LevelAfter), "", "", "", "", "", ""})
	}
	row(KindProgram, c.Program)
	for _, m := range c.Domains {
		row(KindDomain, m)
	}
	for _, m := range c.Categories {
		row(KindCategory, m)
	}
	for _, o := range c.Objectives {
		var b, a ObjectiveState
		if o.Before != nil {
			b = *o.Before
		}
		if o.After != nil {
			a = *o.After
		}
		cw.Write([]string{"objective", o.Objective, o.Scope, stateCell(o.Before), stateCell(o.After), "", "",
			string(b.Status), string(a.Status), string(b.Source), string(a.Source), o.who(), o.Date.String()})
	}
	for _, e := range c.Evidence {
		cw.Write([]string{"evidence_" + e.Change, e.Objective, e.Scope, evText(e.Before), evText(e.After), "", "", "", "", e.Source, e.Source, "", ""})
	}
	for _, e := range c.Exemptions {
		cw.Write([]string{"exemption_" + e.Change, e.Exemption.Objective, "", "", e.Exemption.Until.String(), "", "", "", "", "", "", e.Exemption.Approver, e.Exemption.Until.String()})
	}
	if c.Model != nil {
		for _, l := range []struct {
			name string
			ids  []string
		}{{"model_added", c.Model.Added}, {"model_removed", c.Model.Removed}, {"model_changed", c.Model.Changed}} {
			for _, id := range l.ids {
				cw.Write([]string{l.name, id, "", "", "", "", "", "", "", "", "", "", ""})
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func (s SideInfo) label() string {
	if s.SnapshotID == Live {
		return "live assessment (as of " + s.AsOf.String() + ")"
	}
	return "snapshot " + s.SnapshotID + " (as of " + s.AsOf.String() + ")"
}

// Label names the side for a person: "snapshot ID (as of DATE)" or the live assessment.
func (s SideInfo) Label() string { return s.label() }

func (o ObjectiveChange) who() string {
	if o.By != "" {
		return o.By
	}
	return o.UpdatedBy
}

// Who names the person who gave the later answer, or who saved it.
func (o ObjectiveChange) Who() string { return o.who() }

// Text describes the state for a person: "yes, 1 (answered, manual)".
func (s *ObjectiveState) Text() string { return s.text() }

func (s *ObjectiveState) text() string {
	if s == nil {
		return "absent"
	}
	var b strings.Builder
	if s.Answer != "" {
		b.WriteString(s.Answer + ", ")
	}
	if s.Value == nil {
		b.WriteString("excluded")
	} else {
		fmt.Fprintf(&b, "%g", *s.Value)
	}
	fmt.Fprintf(&b, " (%s, %s)", s.Status, s.Source)
	return b.String()
}

func stateCell(s *ObjectiveState) string {
	if s == nil || s.Value == nil {
		return ""
	}
	return floatCell(s.Value)
}

func evText(e *assess.Evidence) string {
	if e == nil {
		return "none"
	}
	return fmt.Sprintf("%d passed, %d failed", e.Passed, e.Failed)
}

func list(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}
