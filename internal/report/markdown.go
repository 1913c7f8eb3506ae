package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/lazy"
)

// mdEscaper backslash-escapes the characters that would make text into
// Markdown or raw HTML (CommonMark allows a backslash before any ASCII
// punctuation), and flattens line breaks so text stays in its table cell.
var mdEscaper = lazy.Value[*strings.Replacer]{New: func() *strings.Replacer {
	return strings.NewReplacer(
		`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
		`<`, `\<`, `>`, `\>`, `|`, `\|`, `&`, `\&`, `#`, `\#`, `!`, `\!`,
		"\r\n", " ", "\n", " ", "\r", " ",
	)
}}

// md escapes user or model text for Markdown.
func md(s string) string { return mdEscaper.Get().Replace(s) }

// WriteMarkdown writes the report as GitHub-flavoured Markdown. Every text
// from the model or the user is escaped, so it cannot inject markup.
func (r *Report) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }

	p("# %s\n\n", md(r.Title()))
	p("**%s** · %s %s\n\n", md(r.Organization), md(r.Model.Name), md(r.Model.Version))
	p("- As of: %s\n- Generated: %s\n- Scopes: %s\n\n", r.AsOf, r.GeneratedAt.UTC().Format(time.RFC3339), md(r.scopeList()))

	p("## Executive summary\n\n")
	p("| Program score | Floor | Targets met | Completeness |\n|---|---|---|---|\n")
	p("| **%s** / %d | %d (%s) | %d of %d | %s |\n\n", r.Program.Display, len(r.Levels), r.Program.Floor, md(r.Program.FloorName),
		r.Program.TargetsMet, r.Program.TargetsSet, r.Program.CompletenessDisplay)
	for _, h := range r.Highlights {
		p("- %s\n", md(h))
	}
	p("\n")
	r.markdownBoard(p)

	p("## How the score is computed\n\n")
	for _, para := range r.Method() {
		p("%s\n\n", md(para))
	}
	p("| Answer | Value |\n|---|---|\n")
	for _, a := range r.AnswerScale() {
		p("| %s | %s |\n", a.Answer, a.Value)
	}
	p("\n| Level | Name | Description |\n|---|---|---|\n")
	for _, l := range r.Levels {
		p("| %d | %s | %s |\n", l.Level, md(l.Name), md(l.Description))
	}
	p("\n")

	p("## Categories\n\n")
	p("| Domain | Category | Level | Score | Target | Gap | Target met | Completeness |\n|---|---|---|---|---|---|---|---|\n")
	for _, c := range r.Categories {
		p("| %s | %s (%s) | %d %s | %s | %s | %s | %s | %s |\n", md(c.DomainName), md(c.Name), c.ID, c.Level, md(c.LevelName),
			c.Display, mdTarget(c), dash(c.GapDisplay), yesNo(c.TargetMet), c.CompletenessDisplay)
	}
	p("\n| Domain | Score | Completeness |\n|---|---|---|\n")
	for _, d := range r.Domains {
		p("| %s | %s | %s |\n", md(d.Name), d.Display, d.CompletenessDisplay)
	}
	p("\n")

	p("## Why each category has its level\n\n")
	for _, c := range r.Categories {
		p("### %s (%s): level %d, score %s\n\n%s\n\n", md(c.Name), c.ID, c.Level, c.Display, md(c.Explanation))
	}

	r.markdownLadders(p)

	r.writeTrendMarkdown(p)
	p("## Roadmap\n\n")
	switch {
	case len(r.Roadmap) > 0:
	case r.Program.TargetsSet == 0:
		p("No category has a target level, so there is no roadmap. Set a target for each category to get one.\n\n")
	default:
		p("No phase: every category with a target already meets it.\n\n")
	}
	if len(r.Roadmap) > 0 {
		p("Work on the roadmap: %s (%s).\n\n", r.RoadmapProgress.Text(), r.RoadmapProgress.Percent())
	}
	if len(r.Overdue) > 0 {
		p("### Overdue\n\n| Objective | Phase | Owner | Due | Days late | Status |\n|---|---|---|---|---|---|\n")
		for _, o := range r.Overdue {
			p("| %s %s | %d | %s | %s | %d | %s |\n", o.Objective.ID, md(o.Objective.Title), o.Phase, dash(md(o.Work.Owner)), o.Work.DueText(), o.DaysLate, o.Work.StatusLabel())
		}
		p("\n")
	}
	for _, ph := range r.Roadmap {
		p("### Phase %d: %d %s\n\n", ph.Number, ph.Count, plural(ph.Count, "objective", "objectives"))
		for _, g := range ph.Groups {
			p("- **%s (%s)**\n", md(g.CategoryName), g.Category)
			for _, o := range g.Objectives {
				p("  - %s %s%s\n", o.ID, md(o.Title), mdWork(o.Work))
			}
		}
		p("\nWork: %s.\n", ph.Progress.Text())
		p("\nAfter phase %d: program %s, floor %d (%s).\n\n", ph.Number, ph.Display, ph.Floor, md(ph.FloorName))
	}
	if len(r.Roadmap) > 0 {
		p("| Category | Now |")
		for _, ph := range r.Roadmap {
			p(" After phase %d |", ph.Number)
		}
		p("\n|---|---|%s\n", strings.Repeat("---|", len(r.Roadmap)))
		for i, c := range r.Categories {
			p("| %s (%s) | %s |", md(c.Name), c.ID, c.Display)
			for _, ph := range r.Roadmap {
				p(" %s |", ph.Categories[i].Display)
			}
			p("\n")
		}
		p("| **Program** | %s |", r.Program.Display)
		for _, ph := range r.Roadmap {
			p(" %s |", ph.Display)
		}
		p("\n\n")
	}

	r.markdownInvestment(p)
	r.markdownContradictions(p)

	p("## Exceptions\n\n")
	for _, s := range r.Scopes {
		p("### %s\n\n", md(s.Name))
		if s.ExceptionCount() == 0 {
			p("No stale, not applicable or exempt objective.\n\n")
			continue
		}
		if len(s.Stale) > 0 {
			p("Stale answers (count as 0 until answered again):\n\n| Objective | Answer | By | Date | Note |\n|---|---|---|---|---|\n")
			for _, e := range s.Stale {
				p("| %s %s | %s | %s | %s | %s |\n", e.Objective.ID, md(e.Objective.Title), e.Answer, md(e.By), e.Date, md(e.Note))
			}
			p("\n")
		}
		if len(s.NA) > 0 {
			p("Not applicable:\n\n| Objective | Justification | By | Date |\n|---|---|---|---|\n")
			for _, e := range s.NA {
				p("| %s %s | %s | %s | %s |\n", e.Objective.ID, md(e.Objective.Title), md(e.Justification), md(e.By), e.Date)
			}
			p("\n")
		}
		if len(s.Exempt) > 0 {
			p("Exempt:\n\n| Objective | Reason | Requested by | Approver | Comment | Until |\n|---|---|---|---|---|---|\n")
			for _, e := range s.Exempt {
				p("| %s %s | %s | %s | %s | %s | %s |\n", e.Objective.ID, md(e.Objective.Title), md(e.Reason), md(e.RequestedBy), md(e.Approver), md(e.Comment), e.Until)
			}
			p("\n")
		}
		if len(s.ExpiredExemptions) > 0 {
			p("Expired exemptions (the answer applies again):\n\n| Objective | Reason | Requested by | Approver | Comment | Expired |\n|---|---|---|---|---|---|\n")
			for _, e := range s.ExpiredExemptions {
				p("| %s %s | %s | %s | %s | %s | %s |\n", e.Objective.ID, md(e.Objective.Title), md(e.Reason), md(e.RequestedBy), md(e.Approver), md(e.Comment), e.Until)
			}
			p("\n")
		}
	}

	p("## Scopes\n\n| | ")
	names := make([]string, len(r.Scopes))
	for i, s := range r.Scopes {
		names[i] = fmt.Sprintf("%s (weight %s)", md(s.Name), strconv.FormatFloat(s.Weight, 'f', -1, 64))
	}
	p("%s |\n|---|%s\n", strings.Join(names, " | "), strings.Repeat("---|", len(r.Scopes)))
	p("| **Program** |")
	for _, s := range r.Scopes {
		p(" %s |", s.Program.Display)
	}
	p("\n| Floor |")
	for _, s := range r.Scopes {
		p(" %d |", s.Program.Floor)
	}
	p("\n| Completeness |")
	for _, s := range r.Scopes {
		p(" %s |", s.Program.CompletenessDisplay)
	}
	p("\n")
	for i, c := range r.Categories {
		p("| %s (%s) |", md(c.Name), c.ID)
		for _, s := range r.Scopes {
			p(" %s |", s.Categories[i].Display)
		}
		p("\n")
	}
	r.markdownReview(p)
	r.markdownCrosswalk(p)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write markdown report: %w", err)
	}
	return nil
}

func mdTarget(c Category) string {
	if c.Target == nil {
		return "–"
	}
	return fmt.Sprintf("%d %s", *c.Target, md(c.TargetName))
}

func dash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func yesNo(b *bool) string {
	switch {
	case b == nil:
		return "–"
	case *b:
		return "yes"
	}
	return "no"
}

// Title is the report's title: the assessment name, or a generic one.
func (r *Report) Title() string {
	if r.Assessment != "" {
		return r.Assessment
	}
	return r.Model.Name + " assessment"
}

func (r *Report) scopeList() string {
	names := make([]string, len(r.Scopes))
	for i, s := range r.Scopes {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}

// ScaleEntry is one answer word and the value it gives.
type ScaleEntry struct {
	Answer assess.Answer
	Value  string
}

// AnswerScale lists the answer words with their values, as the scoring
// engine defines them.
func (r *Report) AnswerScale() []ScaleEntry {
	out := make([]ScaleEntry, 0, len(assess.Answers))
	for _, a := range assess.Answers {
		v, applicable, _ := a.Value()
		e := ScaleEntry{Answer: a, Value: "excluded (justification required)"}
		if applicable {
			e.Value = strconv.FormatFloat(v, 'f', -1, 64)
		}
		out = append(out, e)
	}
	return out
}

// Method explains the scoring method in a few paragraphs, with the report's
// own figures where they help.
func (r *Report) Method() []string {
	top := len(r.Levels)
	return []string{
		fmt.Sprintf("Every control objective in a scope gets a value from 0 to 1: a manual answer on the five-point coverage scale below, or the share of resources that passed the mapped automated checks. An objective is met when its value reaches its threshold (100%% unless the model says otherwise). Unanswered objectives count as 0, and so do answers older than %d days (stale). Objectives answered not applicable (with a justification) and objectives under a valid exemption are excluded, never counted as met.", r.ValidityDays),
		fmt.Sprintf("A category is at level L, the highest level from 1 to %d at which every applicable objective of every level up to L is met. Level 1 has no objectives: every category starts there. Its score is L plus the average value of the objectives of the next level, so a category at level 2 with half of its level-3 work in place scores 2.5. Work at higher levels does not raise the score until the next level is reached; the report lists it as work above the gate.", top),
		"A domain's score is the weighted average of its categories; the program score is the weighted average of the domains. The floor is the lowest level of any category. Completeness is the share of applicable objectives, over every scope, that have a current answer or automated evidence.",
		"Each scope is scored on its own; the program as a whole combines, objective by objective, the weighted average of the scopes' values. A category meets its target when its level reaches the target level. The roadmap lists, phase by phase, the objectives of the next level of every category below its target, and the scores once the phase is done.",
		"Scores shown to people are cut, not rounded, to one decimal, so the whole number shown is always the level: 2.96 is shown as 2.9. The JSON export carries the exact values.",
	}
}

// mdWork is the work on a roadmap objective as a Markdown suffix:
// " (owner Ana, due 2026-03-31, in progress, overdue, https://…)".
func mdWork(w *WorkItem) string {
	if w == nil {
		return ""
	}
	parts := []string{}
	if w.Owner != "" {
		parts = append(parts, "owner "+md(w.Owner))
	}
	if !w.Due.IsZero() {
		parts = append(parts, "due "+w.Due.String())
	}
	parts = append(parts, w.StatusLabel())
	if w.Overdue {
		parts = append(parts, "**overdue**")
	}
	if w.Ticket != "" {
		parts = append(parts, "<"+strings.NewReplacer("<", "%3C", ">", "%3E", " ", "%20").Replace(w.Ticket)+">")
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// markdownBoard writes the board's figures of the executive summary: the
// scores against targets, the largest gaps, the next phase and the trend.
func (r *Report) markdownBoard(p func(string, ...any)) {
	s := r.ExecutiveSummary()
	p("| Domain | Now | At target |\n|---|---|---|\n")
	for _, d := range s.Domains {
		p("| %s | %s | %s |\n", md(d.Name), d.Display, d.AtTarget)
	}
	p("| **Program** | **%s** | %s |\n\n", s.Program.Display, s.Program.AtTarget)
	if s.HasTargets {
		p("At target: the score once every category reaches its target level.\n\n")
	}
	if len(s.Gaps) > 0 {
		p("Largest gaps:\n\n| Category | Now | Target | Gap |\n|---|---|---|---|\n")
		for _, c := range s.Gaps {
			p("| %s (%s) | %s (level %d) | %d | %s |\n", md(c.Name), c.ID, c.Display, c.Level, *c.Target, c.GapDisplay)
		}
		p("\n")
	}
	if np := s.NextPhase; np != nil {
		p("Next phase: phase %d of %d, %d %s, raising the program score to %s and the floor to level %d (%s).", np.Number, s.Phases, np.Count,
			plural(np.Count, "objective", "objectives"), np.Display, np.Floor, md(np.FloorName))
		if np.HasEstimates {
			p(" Investment: %s person-weeks (%s); spend: %s.", np.Effort.WeeksText(), np.Effort.SizesText(), np.Effort.SpendText())
		}
		p(" Work: %s.", np.Progress.Text())
		if s.Overdue > 0 {
			p(" %d roadmap %s overdue.", s.Overdue, plural(s.Overdue, "objective is", "objectives are"))
		}
		p("\n\n")
	}
	if len(s.Trend) > 0 {
		pts := make([]string, len(s.Trend))
		for i, t := range s.Trend {
			pts[i] = t.Display + " (" + t.Date + ")"
		}
		p("Trend of the program score: %s", strings.Join(pts, " → "))
		if s.TrendChange != "" {
			p(", %s since the first snapshot", s.TrendChange)
		}
		p(".\n\n")
	}
}
