// Package report turns a scored assessment into the individualized CSMM
// report: first as data (Build), then rendered as Markdown, HTML with inline
// SVG charts, JSON, CSV, XLSX or PDF. Every front end (CLI, API, web UI)
// builds the same Report and picks a renderer.
//
// Names of levels, domains, categories and objectives come from the model;
// none is written in this package. Scores that people read are truncated to
// one decimal with assess.Truncate; machine output (JSON) is exact.
package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
)

// Meta is what the report says about the assessment beyond its scores.
type Meta struct {
	// Organization is the assessed organization, as the user wrote it.
	Organization string
	// Assessment is the name of the assessment.
	Assessment string
	// Scopes gives the names and weights of the scopes; a scope of the result
	// that is missing here is shown by its ID.
	Scopes []assess.Scope
	// GeneratedAt is when the report is produced; passed in, never read from a clock.
	GeneratedAt time.Time
	// ValidityDays is how long a manual answer stays valid (0 means the default).
	ValidityDays int
	// Evidence are the links and files that back the objectives' answers,
	// oldest first; Reviews the reviewers' marks on answers by objective
	// and scope. Both are optional (an answers file has neither).
	Evidence []EvidenceItem
	Reviews  map[assess.Key]ReviewMark
	// Work is the work on the roadmap's objectives (owner, due date,
	// status, ticket); an objective of the roadmap without an item is planned.
	Work []WorkItem
}

// Report is the individualized report as data, ready for any renderer.
type Report struct {
	Organization string
	Assessment   string
	GeneratedAt  time.Time
	AsOf         assess.Date
	ValidityDays int
	Model        ModelInfo
	// Levels are the model's levels in order, with their names.
	Levels []LevelInfo
	// Program is the roll-up of every scope.
	Program Program
	// Highlights are the sentences of the executive summary, built from the data.
	Highlights []string
	Domains    []Domain
	Categories []Category
	Roadmap    []Phase
	// RoadmapProgress counts the roadmap's objectives whose work is done,
	// and Overdue lists those past their due date on the as-of date and
	// not done, oldest due date first.
	RoadmapProgress RoadmapProgress
	Overdue         []OverdueItem
	// Scopes are the scopes in the order of the result, each with its own
	// scores, exceptions and objective rows.
	Scopes []Scope
	// Trend is the scores over the assessment's snapshots, with the chosen
	// peer benchmark; nil when there is no history (see BuildTrend).
	Trend *Trend `json:"-"`
	// Result is the exact score result the report was built from; the JSON
	// renderer writes it unchanged.
	Result assess.Result

	// Ladders give each category's rung and the next one in its own words
	// (categories whose model describes its levels).
	Ladders []Ladder
	// Contradictions are the failing checks against manual most or yes
	// answers, per scope, and ContradictionCounts their sums per scope.
	Contradictions      []ContradictionRow
	ContradictionCounts []ContradictionCount
	// StaleEvidence lists scanner evidence too old to give a value.
	StaleEvidence []StaleEvidenceRow
	// Investment sums the effort of the roadmap per phase and category.
	Investment Investment
	// Crosswalk lists every CCM control the model references with the
	// objectives that serve it.
	Crosswalk []CCMControl

	// Evidence lists the links and files of each objective that has any,
	// in model order; Review counts the answers by review state.
	Evidence []ObjectiveEvidence
	Review   ReviewSummary
	// EvidenceTracked is false when the report was built without evidence
	// links and files (from an answers file): it then has no such section.
	EvidenceTracked bool
}

// ModelInfo names the model the assessment was scored with.
type ModelInfo struct {
	ID          string
	Version     string
	Name        string
	Description string
}

// LevelInfo is one maturity level of the model.
type LevelInfo struct {
	Level       int
	Name        string
	Description string
}

// Program is a program score with its display form.
type Program struct {
	// NA is set when nothing in the assessment is applicable: no score and
	// no floor (Display "n/a").
	NA    bool
	Score float64
	// Display is the score truncated to one decimal, as people read it.
	Display      string
	Floor        int
	FloorName    string
	Completeness float64
	// CompletenessDisplay is the completeness as a whole percentage, rounded down.
	CompletenessDisplay string
	TargetsSet          int
	TargetsMet          int
}

// Domain is one domain's score.
type Domain struct {
	// NA is set when no category of the domain is applicable (Display "n/a").
	NA                  bool
	ID                  string
	Name                string
	Description         string
	Score               float64
	Display             string
	Completeness        float64
	CompletenessDisplay string
	// Categories are the IDs of the domain's categories, in model order.
	Categories []string
}

// Category is one category's level, score, target and the reason for its level.
type Category struct {
	// NA is set when no objective of the category is applicable: no level,
	// score or target (Display "n/a", Level 0).
	NA          bool
	ID          string
	Name        string
	Description string
	Domain      string
	DomainName  string
	Level       int
	LevelName   string
	Score       float64
	Display     string
	// Target is nil when the category has no target.
	Target     *int
	TargetName string
	// Gap is max(0, target - score), exact; nil without a target.
	Gap *float64
	// GapDisplay is the target minus the displayed score, so that the figures
	// a reader sees add up; empty without a target.
	GapDisplay string
	// TargetMet is nil without a target.
	TargetMet           *bool
	Completeness        float64
	CompletenessDisplay string
	// Explanation says in one sentence why the category has its level.
	Explanation string
	// NextLevel is Level+1, or 0 at the top level.
	NextLevel     int
	NextLevelName string
	// Blocking are the objectives at the next level that are not met.
	Blocking []ObjectiveRef
	// AboveGate are objectives met above the next level: work that does not
	// count until the next level is reached.
	AboveGate []ObjectiveRef
	// Cells are the category's levels 2 to 5 as the heatmap shows them.
	Cells []LevelCell
}

// Cell states of the heatmap.
const (
	CellMet      = "met"
	CellPartial  = "partial"
	CellNotMet   = "notmet"
	CellExcluded = "excluded"
)

// LevelCell is one level of one category in the heatmap: how many of its
// applicable objectives are met.
type LevelCell struct {
	Level      int
	State      string
	Met        int
	Applicable int
}

// Label is the cell's state in words.
func (c LevelCell) Label() string {
	switch c.State {
	case CellMet:
		return "met"
	case CellPartial:
		return "partly met"
	case CellExcluded:
		return "not applicable"
	}
	return "not met"
}

// ObjectiveRef is an objective as the report names it, with its roll-up value.
type ObjectiveRef struct {
	ID        string
	Title     string
	Category  string
	Level     int
	Status    assess.Status
	Value     *float64
	Threshold float64
	// Work is the work on the objective, for the objectives of the roadmap.
	Work *WorkItem
}

// Phase is one roadmap phase: the objectives to meet, by category, and the
// scores once this and earlier phases are done.
type Phase struct {
	Number     int
	Count      int
	Groups     []PhaseGroup
	Program    float64
	Display    string
	Floor      int
	FloorName  string
	Domains    []Projected
	Categories []Projected
	// Progress counts the phase's objectives whose work is done.
	Progress RoadmapProgress
}

// PhaseGroup is the objectives of one category in a roadmap phase.
type PhaseGroup struct {
	Category     string
	CategoryName string
	DomainName   string
	Objectives   []ObjectiveRef
}

// Projected is a projected domain or category score after a roadmap phase.
type Projected struct {
	ID        string
	Name      string
	Level     int
	LevelName string
	Score     float64
	Display   string
	// Changed is true when the phase raised the level (categories) or score (domains).
	Changed bool
}

// Scope is one scope's own scores, exceptions and objectives.
type Scope struct {
	ID         string
	Name       string
	Weight     float64
	Program    Program
	Domains    []Domain
	Categories []ScopeCategory
	// Stale, NA and Exempt list the objectives that count as 0 for an old
	// answer, or are excluded, in this scope; ExpiredExemptions those whose
	// exemption has lapsed and fall back to the answer.
	Stale             []Exception
	NA                []Exception
	Exempt            []Exception
	ExpiredExemptions []Exception
	// Objectives has one row per objective of the model, in model order.
	Objectives []ObjectiveRow
	// Notes are the answers of the scope with a note or a justification.
	Notes []NoteRow
}

// ScopeCategory is a category's score in one scope.
type ScopeCategory struct {
	NA        bool
	ID        string
	Name      string
	Level     int
	LevelName string
	Score     float64
	Display   string
	TargetMet *bool
}

// Exception is an objective that is stale, not applicable or exempt in a scope.
type Exception struct {
	Objective    ObjectiveRef
	CategoryName string
	// Answer is the answer as people read it: the word or the measure (87/120, 72.5%).
	Answer        string
	By            string
	Date          assess.Date
	Note          string
	Justification string
	Reason        string
	Approver      string
	Until         assess.Date
	// RequestedBy requested the exemption; Comment came with its approval.
	RequestedBy string
	Comment     string
}

// ObjectiveRow is one objective in one scope, as the CSV and XLSX list it.
type ObjectiveRow struct {
	Scope        string
	ScopeName    string
	Domain       string
	DomainName   string
	Category     string
	CategoryName string
	ID           string
	Level        int
	Title        string
	// Answer is the answer as people read it: the word or the measure (87/120, 72.5%).
	Answer           string
	Value            *float64
	Met              bool
	Status           assess.Status
	Source           assess.Source
	Note             string
	Justification    string
	By               string
	Date             assess.Date
	Evidence         *assess.Evidence
	Exemption        *assess.Exemption
	ExemptionExpired bool
	// Review is the reviewer's mark on the answer; nil when none.
	Review *ReviewMark
	// reviewed is set when the report tracks review marks at all.
	reviewed bool
}

// Build assembles the report from the model, the score result and the
// metadata. It does no I/O and reads no clock. The result must come from
// scoring with the same model.
func Build(m *model.Model, res assess.Result, meta Meta) *Report {
	r := &Report{
		Organization: meta.Organization,
		Assessment:   meta.Assessment,
		GeneratedAt:  meta.GeneratedAt,
		AsOf:         res.AsOf,
		ValidityDays: meta.ValidityDays,
		Model:        ModelInfo{ID: m.ID, Version: m.Version, Name: m.Name, Description: m.Description},
		Result:       res,
	}
	if r.ValidityDays <= 0 {
		r.ValidityDays = assess.DefaultValidityDays
	}
	for _, l := range m.Levels {
		r.Levels = append(r.Levels, LevelInfo{Level: l.Level, Name: l.Name, Description: l.Description})
	}
	r.Program = program(m, res.Program)
	r.Domains = domains(m, res.Domains)

	rollup := make(map[string]assess.ObjectiveScore, len(res.Objectives))
	for _, o := range res.Objectives {
		rollup[o.ID] = o
	}
	ref := func(id string) ObjectiveRef { return objectiveRef(m, id, rollup) }
	for _, cs := range res.Categories {
		r.Categories = append(r.Categories, category(m, cs, res.Objectives, ref))
	}
	r.Roadmap = roadmap(m, res, ref)

	names := make(map[string]string, len(meta.Scopes))
	for _, s := range meta.Scopes {
		names[s.ID] = s.Name
	}
	for _, sr := range res.Scopes {
		r.Scopes = append(r.Scopes, scope(m, sr, names[sr.ID]))
	}
	r.revision2(m, res, names, ref)
	r.evidenceAndReview(m, meta, ref)
	r.attachWork(meta.Work)
	r.Highlights = highlights(r)
	return r
}

// Display formats a score for people: truncated, never rounded, to one decimal.
func Display(score float64) string {
	return strconv.FormatFloat(assess.Truncate(score), 'f', 1, 64)
}

// NotApplicable is what people read in place of the score of something not
// applicable.
const NotApplicable = "n/a"

// displayNA is Display, or NotApplicable when na.
func displayNA(na bool, score float64) string {
	if na {
		return NotApplicable
	}
	return Display(score)
}

// Percent formats a share in [0, 1] as a whole percentage rounded down, so
// that 99.9% never shows as 100%.
func Percent(share float64) string {
	return strconv.Itoa(int(math.Floor(share*100+1e-9))) + "%"
}

func program(m *model.Model, p assess.Program) Program {
	floorName := m.LevelName(p.Floor)
	if p.NA {
		floorName = "not applicable"
	}
	return Program{
		NA: p.NA, Score: p.Score, Display: displayNA(p.NA, p.Score),
		Floor: p.Floor, FloorName: floorName,
		Completeness: p.Completeness, CompletenessDisplay: Percent(p.Completeness),
		TargetsSet: p.TargetsSet, TargetsMet: p.TargetsMet,
	}
}

func domains(m *model.Model, ds []assess.DomainScore) []Domain {
	out := make([]Domain, 0, len(ds))
	for _, d := range ds {
		dom := Domain{
			NA: d.NA, ID: d.ID, Name: d.ID, Score: d.Score, Display: displayNA(d.NA, d.Score),
			Completeness: d.Completeness, CompletenessDisplay: Percent(d.Completeness),
		}
		if md, ok := m.Domain(d.ID); ok {
			dom.Name, dom.Description = md.Name, md.Description
		}
		for _, c := range m.DomainCategories(d.ID) {
			dom.Categories = append(dom.Categories, c.ID)
		}
		out = append(out, dom)
	}
	return out
}

func objectiveRef(m *model.Model, id string, rollup map[string]assess.ObjectiveScore) ObjectiveRef {
	ref := ObjectiveRef{ID: id, Title: id}
	if o, ok := m.Objective(id); ok {
		ref.Title, ref.Category, ref.Level, ref.Threshold = o.Title, o.Category, o.Level, o.Threshold
	}
	if s, ok := rollup[id]; ok {
		ref.Status, ref.Value, ref.Threshold = s.Status, s.Value, s.Threshold
	}
	return ref
}

func categoryName(m *model.Model, id string) string {
	if c, ok := m.Category(id); ok {
		return c.Name
	}
	return id
}

func domainName(m *model.Model, id string) string {
	if d, ok := m.Domain(id); ok {
		return d.Name
	}
	return id
}

func category(m *model.Model, cs assess.CategoryScore, objs []assess.ObjectiveScore, ref func(string) ObjectiveRef) Category {
	c := Category{
		NA: cs.NA(), ID: cs.ID, Name: categoryName(m, cs.ID), Domain: cs.Domain, DomainName: domainName(m, cs.Domain),
		Level: cs.Level, LevelName: m.LevelName(cs.Level),
		Score: cs.Score, Display: displayNA(cs.NA(), cs.Score),
		Target: cs.Target, Gap: cs.Gap, TargetMet: cs.TargetMet,
		Completeness: cs.Completeness, CompletenessDisplay: Percent(cs.Completeness),
	}
	if mc, ok := m.Category(cs.ID); ok {
		c.Description = mc.Description
	}
	if cs.Target != nil {
		c.TargetName = m.LevelName(*cs.Target)
		tenths := max(0, *cs.Target*10-int(math.Floor(cs.Score*10+1e-9)))
		c.GapDisplay = fmt.Sprintf("%d.%d", tenths/10, tenths%10)
	}
	if c.NA {
		c.LevelName = "not applicable"
		c.Cells = cells(m, cs.ID, objs)
		c.Explanation = "Not applicable: every objective of the category is excluded (answered na or exempt), so it has no level and is left out of its domain's score."
		return c
	}
	if cs.Level < model.MaxLevel {
		c.NextLevel = cs.Level + 1
		c.NextLevelName = m.LevelName(c.NextLevel)
	}
	for _, id := range cs.Blocking {
		c.Blocking = append(c.Blocking, ref(id))
	}
	for _, id := range cs.AboveGate {
		c.AboveGate = append(c.AboveGate, ref(id))
	}
	c.Cells = cells(m, cs.ID, objs)
	c.Explanation = explain(c)
	return c
}

// cells computes the heatmap row of a category from the roll-up values.
func cells(m *model.Model, cat string, objs []assess.ObjectiveScore) []LevelCell {
	out := make([]LevelCell, 0, model.MaxLevel-model.MinLevel)
	for l := model.MinLevel + 1; l <= model.MaxLevel; l++ {
		cell := LevelCell{Level: l}
		var sum float64
		for _, o := range objs {
			if o.Category != cat || o.Level != l || o.Value == nil {
				continue
			}
			cell.Applicable++
			sum += *o.Value
			if o.Met {
				cell.Met++
			}
		}
		switch {
		case cell.Applicable == 0:
			cell.State = CellExcluded
		case cell.Met == cell.Applicable:
			cell.State = CellMet
		case cell.Met > 0 || sum > 0:
			cell.State = CellPartial
		default:
			cell.State = CellNotMet
		}
		out = append(out, cell)
	}
	return out
}

// Describe names an objective with its title and, when it is not met, why:
// `IAM-3.1 (Title; unanswered)`.
func (o ObjectiveRef) Describe() string {
	var why string
	switch {
	case o.Status == assess.StatusUnanswered && (o.Value == nil || *o.Value == 0):
		why = "unanswered"
	case o.Status == assess.StatusStale && (o.Value == nil || *o.Value == 0):
		why = "stale answer"
	case o.Value != nil && *o.Value < o.Threshold-1e-12:
		why = Percent(*o.Value) + ", needs " + Percent(o.Threshold)
	}
	if why == "" {
		return fmt.Sprintf("%s (%s)", o.ID, o.Title)
	}
	return fmt.Sprintf("%s (%s; %s)", o.ID, o.Title, why)
}

// explain builds the sentence that says why a category has its level.
func explain(c Category) string {
	head := fmt.Sprintf("Level %d (%s): ", c.Level, c.LevelName)
	if c.NextLevel == 0 {
		return head + fmt.Sprintf("every applicable objective at levels %d to %d is met.", model.MinLevel+1, model.MaxLevel)
	}
	var b strings.Builder
	b.WriteString(head)
	if len(c.Blocking) == 0 {
		fmt.Fprintf(&b, "level %d (%s) is not reached.", c.NextLevel, c.NextLevelName)
	} else {
		names := make([]string, len(c.Blocking))
		for i, o := range c.Blocking {
			names[i] = o.Describe()
		}
		fmt.Fprintf(&b, "%s %s not met, so level %d (%s) is not reached.",
			join(names), plural(len(names), "is", "are"), c.NextLevel, c.NextLevelName)
	}
	if len(c.AboveGate) > 0 {
		names := make([]string, len(c.AboveGate))
		for i, o := range c.AboveGate {
			names[i] = o.Describe()
		}
		fmt.Fprintf(&b, " Work above the gate: %s %s already met but %s not count until level %d is reached.",
			join(names), plural(len(names), "is", "are"), plural(len(names), "does", "do"), c.NextLevel)
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// join lists items as "a", "a and b" or "a, b and c".
func join(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func roadmap(m *model.Model, res assess.Result, ref func(string) ObjectiveRef) []Phase {
	var out []Phase
	prevCat := make(map[string]int, len(res.Categories))
	for _, c := range res.Categories {
		prevCat[c.ID] = c.Level
	}
	prevDom := make(map[string]float64, len(res.Domains))
	for _, d := range res.Domains {
		prevDom[d.ID] = d.Score
	}
	for _, p := range res.Roadmap {
		ph := Phase{
			Number: p.Phase, Count: len(p.Objectives),
			Program: p.Projected.Program, Display: Display(p.Projected.Program),
			Floor: p.Projected.Floor, FloorName: m.LevelName(p.Projected.Floor),
		}
		for _, po := range p.Objectives {
			n := len(ph.Groups)
			if n == 0 || ph.Groups[n-1].Category != po.Category {
				ph.Groups = append(ph.Groups, PhaseGroup{
					Category: po.Category, CategoryName: categoryName(m, po.Category),
					DomainName: domainName(m, domainOf(m, po.Category)),
				})
				n++
			}
			ph.Groups[n-1].Objectives = append(ph.Groups[n-1].Objectives, ref(po.ID))
		}
		for _, d := range p.Projected.Domains {
			ph.Domains = append(ph.Domains, Projected{
				ID: d.ID, Name: domainName(m, d.ID), Score: d.Score, Display: displayNA(d.NA, d.Score),
				Changed: !d.NA && Display(d.Score) != Display(prevDom[d.ID]),
			})
			prevDom[d.ID] = d.Score
		}
		for _, c := range p.Projected.Categories {
			ph.Categories = append(ph.Categories, Projected{
				ID: c.ID, Name: categoryName(m, c.ID), Level: c.Level, LevelName: m.LevelName(c.Level),
				Score: c.Score, Display: displayNA(c.NA, c.Score), Changed: c.Level != prevCat[c.ID],
			})
			prevCat[c.ID] = c.Level
		}
		out = append(out, ph)
	}
	return out
}

func domainOf(m *model.Model, cat string) string {
	if c, ok := m.Category(cat); ok {
		return c.Domain
	}
	return ""
}

func scope(m *model.Model, sr assess.ScopeResult, name string) Scope {
	s := Scope{
		ID: sr.ID, Name: name, Weight: sr.Weight,
		Program: program(m, sr.Program), Domains: domains(m, sr.Domains),
	}
	if s.Name == "" {
		s.Name = sr.ID
	}
	for _, cs := range sr.Categories {
		sc := ScopeCategory{
			NA: cs.NA(), ID: cs.ID, Name: categoryName(m, cs.ID), Level: cs.Level, LevelName: m.LevelName(cs.Level),
			Score: cs.Score, Display: displayNA(cs.NA(), cs.Score), TargetMet: cs.TargetMet,
		}
		if sc.NA {
			sc.LevelName = "not applicable"
		}
		s.Categories = append(s.Categories, sc)
	}
	local := make(map[string]assess.ObjectiveScore, len(sr.Objectives))
	for _, o := range sr.Objectives {
		local[o.ID] = o
	}
	for _, o := range sr.Objectives {
		row := ObjectiveRow{
			Scope: sr.ID, ScopeName: s.Name, Category: o.Category, CategoryName: categoryName(m, o.Category),
			ID: o.ID, Level: o.Level, Title: o.ID,
			Value: o.Value, Met: o.Met, Status: o.Status, Source: o.Source,
			Evidence: o.Evidence, Exemption: o.Exemption, ExemptionExpired: o.ExemptionExpired,
		}
		row.Domain = domainOf(m, o.Category)
		row.DomainName = domainName(m, row.Domain)
		if mo, ok := m.Objective(o.ID); ok {
			row.Title = mo.Title
		}
		if a := o.Answer; a != nil {
			row.Answer, row.Note, row.Justification, row.By, row.Date = a.Label(), a.Note, a.Justification, a.By, a.Date
		}
		s.Objectives = append(s.Objectives, row)

		ex := Exception{Objective: objectiveRef(m, o.ID, local), CategoryName: row.CategoryName,
			Answer: row.Answer, By: row.By, Date: row.Date, Note: row.Note, Justification: row.Justification}
		if o.Exemption != nil {
			ex.Reason, ex.Approver, ex.Until = o.Exemption.Reason, o.Exemption.Approver, o.Exemption.Until
			ex.RequestedBy, ex.Comment = o.Exemption.RequestedBy, o.Exemption.Comment
		}
		switch o.Status {
		case assess.StatusStale:
			s.Stale = append(s.Stale, ex)
		case assess.StatusNA:
			s.NA = append(s.NA, ex)
		case assess.StatusExempt:
			s.Exempt = append(s.Exempt, ex)
		}
		if o.Exemption != nil && o.ExemptionExpired {
			s.ExpiredExemptions = append(s.ExpiredExemptions, ex)
		}
	}
	return s
}

// DomainCategories returns the categories of a domain, in model order.
func (r *Report) DomainCategories(domain string) []Category {
	var out []Category
	for _, c := range r.Categories {
		if c.Domain == domain {
			out = append(out, c)
		}
	}
	return out
}

// TargetStatus is "met" or "not met" for a category with a target, else "".
func (c Category) TargetStatus() string {
	switch {
	case c.TargetMet == nil:
		return ""
	case *c.TargetMet:
		return "met"
	}
	return "not met"
}

// BelowTarget reports whether the category has a target it does not meet in this scope.
func (c ScopeCategory) BelowTarget() bool { return c.TargetMet != nil && !*c.TargetMet }

// ExceptionCount is the number of stale, not applicable, exempt and expired
// exemption entries in the scope.
func (s Scope) ExceptionCount() int {
	return len(s.Stale) + len(s.NA) + len(s.Exempt) + len(s.ExpiredExemptions)
}

// highlights writes the executive summary's sentences from the data.
func highlights(r *Report) []string {
	var out []string
	p := r.Program
	if p.NA {
		out = append(out, "Nothing in the assessment is applicable (every objective is answered na or exempt), so the program has no score.")
	} else {
		out = append(out, fmt.Sprintf("The program scores %s on a scale of %d to %d. Its floor, the lowest level of any category, is level %d (%s).",
			p.Display, model.MinLevel, model.MaxLevel, p.Floor, p.FloorName))
	}

	if p.TargetsSet > 0 {
		var below []Category
		for _, c := range r.Categories {
			if c.TargetMet != nil && !*c.TargetMet {
				below = append(below, c)
			}
		}
		s := fmt.Sprintf("%d of %d categories with a target meet it.", p.TargetsMet, p.TargetsSet)
		if len(below) > 0 {
			// The largest gaps first, in model order among equals.
			sorted := append([]Category(nil), below...)
			for i := 1; i < len(sorted); i++ {
				for j := i; j > 0 && *sorted[j].Gap > *sorted[j-1].Gap+1e-12; j-- {
					sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
				}
			}
			n := min(3, len(sorted))
			names := make([]string, n)
			for i, c := range sorted[:n] {
				names[i] = fmt.Sprintf("%s (level %d, target %d)", c.Name, c.Level, *c.Target)
			}
			s += fmt.Sprintf(" The largest %s %s.", plural(n, "gap is in", "gaps are in"), join(names))
		}
		out = append(out, s)
	} else {
		out = append(out, "No category has a target level; set targets to get gaps and a roadmap.")
	}

	out = append(out, completenessSentence(p))

	if n := len(r.Roadmap); n > 0 {
		last := r.Roadmap[n-1]
		total := 0
		for _, ph := range r.Roadmap {
			total += ph.Count
		}
		out = append(out, fmt.Sprintf("The roadmap reaches every target in %d %s and %d %s, raising the program score to %s and the floor to level %d (%s).",
			n, plural(n, "phase", "phases"), total, plural(total, "objective", "objectives"), last.Display, last.Floor, last.FloorName))
	}

	if e := exceptionsSentence(r); e != "" {
		out = append(out, e)
	}
	return out
}

// completenessSentence says how complete the assessment is.
func completenessSentence(p Program) string {
	if p.Completeness < 1 {
		return fmt.Sprintf("The assessment is %s complete: the remaining applicable objectives are unanswered or have stale answers and count as not in place.", p.CompletenessDisplay)
	}
	return "The assessment is complete: every applicable objective has a current answer or automated evidence."
}

// exceptionsSentence counts the exceptions of every scope; "" when there is none.
func exceptionsSentence(r *Report) string {
	var stale, na, exempt int
	for _, s := range r.Scopes {
		stale += len(s.Stale)
		na += len(s.NA)
		exempt += len(s.Exempt)
	}
	if stale+na+exempt == 0 {
		return ""
	}
	return fmt.Sprintf("Exceptions, counted per scope: %d stale %s, %d not applicable and %d exempt; each is listed with its justification in the exceptions section.",
		stale, plural(stale, "answer", "answers"), na, exempt)
}
