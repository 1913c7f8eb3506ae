package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
)

// Ladder is one category's rung on its own ladder (model revision 2): the
// description of the level reached and of the next one, in the category's
// own words.
type Ladder struct {
	Category     string
	CategoryName string
	// NA is set for a category with no applicable objective.
	NA        bool
	Level     int
	LevelName string
	// Reached describes the category at its level; "" at level 1 (the
	// ladder describes levels 2 to 5) or when the model has no words for it.
	Reached string
	// Next is Level+1 (0 at level 5) and NextDescription its words.
	Next            int
	NextName        string
	NextDescription string
}

// ContradictionRow is one failing check against a manual most or yes
// answer in one scope.
type ContradictionRow struct {
	Scope     string
	ScopeName string
	Objective ObjectiveRef
	// Answer is the manual answer that gives the value ("yes", "87/120").
	Answer string
	Check  string
	Failed int
}

// ContradictionCount sums the contradictions of one scope.
type ContradictionCount struct {
	Scope     string
	ScopeName string
	// Objectives counts the contradicted objectives, Checks the failing
	// checks and Failed the failing resources.
	Objectives int
	Checks     int
	Failed     int
}

// StaleEvidenceRow is scanner evidence older than the evidence validity:
// it gives no value.
type StaleEvidenceRow struct {
	Scope      string
	ScopeName  string
	Objective  ObjectiveRef
	Check      string
	Supporting bool
	Scanned    assess.Date
	Passed     int
	Failed     int
	Source     string
}

// Effort sums the effort estimates of a set of objectives.
type Effort struct {
	// Objectives counts the objectives summed; Unestimated those of them
	// without an estimate (left out of the sums).
	Objectives  int
	Unestimated int
	// Sizes counts the objectives per size, in the order S, M, L, XL.
	Sizes []SizeCount
	// WeeksMin and WeeksMax sum the person-weeks ranges.
	WeeksMin, WeeksMax int
	// Spend counts the objectives per kind of spend (license, service);
	// objectives that need no spend are not listed.
	Spend []SpendCount
}

// SizeCount is how many objectives have one size.
type SizeCount struct {
	Size  model.Size
	Count int
}

// SpendCount is how many objectives need one kind of spend.
type SpendCount struct {
	Spend model.Spend
	Count int
}

// SizesText is the sizes as people read them: "2 S, 1 M".
func (e Effort) SizesText() string {
	var parts []string
	for _, s := range e.Sizes {
		parts = append(parts, fmt.Sprintf("%d %s", s.Count, s.Size))
	}
	if len(parts) == 0 {
		return "–"
	}
	return strings.Join(parts, ", ")
}

// WeeksText is the person-weeks range: "3–9".
func (e Effort) WeeksText() string {
	if e.Objectives == e.Unestimated {
		return "–"
	}
	if e.WeeksMin == e.WeeksMax {
		return fmt.Sprint(e.WeeksMin)
	}
	return fmt.Sprintf("%d–%d", e.WeeksMin, e.WeeksMax)
}

// SpendText is the kinds of spend: "1 license, 2 service", or "none".
func (e Effort) SpendText() string {
	var parts []string
	for _, s := range e.Spend {
		parts = append(parts, fmt.Sprintf("%d %s", s.Count, s.Spend))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// PhaseInvestment is the effort of one roadmap phase.
type PhaseInvestment struct {
	Phase  int
	Effort Effort
}

// CategoryInvestment is the effort of the roadmap objectives of one category
// (every phase): what it costs to reach its target.
type CategoryInvestment struct {
	Category     string
	CategoryName string
	Effort       Effort
}

// Investment is the effort of the roadmap, per phase and per category.
type Investment struct {
	Phases     []PhaseInvestment
	Categories []CategoryInvestment
	Total      Effort
}

// CCMControl is one CSA Cloud Controls Matrix control that the model
// references, with the objectives that serve it and their status.
type CCMControl struct {
	ID string
	// Status is met (every applicable objective met), partial (some),
	// notmet (none) or na (no applicable objective).
	Status     string
	Met        int
	Applicable int
	Objectives []CCMObjective
}

// CCMObjective is one objective serving a CCM control, with its roll-up status.
type CCMObjective struct {
	ObjectiveRef
	Met bool
}

// The statuses of a CCM control.
const (
	CCMMet     = "met"
	CCMPartial = "partial"
	CCMNotMet  = "notmet"
	CCMNA      = "na"
)

// StatusLabel is a control's status in words.
func (c CCMControl) StatusLabel() string {
	switch c.Status {
	case CCMMet:
		return "met"
	case CCMPartial:
		return "partly met"
	case CCMNA:
		return "not applicable"
	}
	return "not met"
}

// revision2 adds the sections of model revision 2 to a report: category
// ladders, contradictions, stale evidence, investment and the CCM crosswalk.
func (r *Report) revision2(m *model.Model, res assess.Result, names map[string]string, ref func(string) ObjectiveRef) {
	r.Ladders = ladders(m, res)
	r.Contradictions, r.ContradictionCounts, r.StaleEvidence = contradictions(res, names, ref)
	r.Investment = investment(m, res)
	r.Crosswalk = crosswalk(m, res, ref)
}

func ladders(m *model.Model, res assess.Result) []Ladder {
	var out []Ladder
	for _, cs := range res.Categories {
		c, ok := m.Category(cs.ID)
		if !ok || len(c.Levels) == 0 {
			continue
		}
		l := Ladder{Category: c.ID, CategoryName: c.Name, NA: cs.NA(), Level: cs.Level}
		if !l.NA {
			l.LevelName = m.LevelName(cs.Level)
			l.Reached = c.Rung(cs.Level)
			if cs.Level < model.MaxLevel {
				l.Next = cs.Level + 1
				l.NextName = m.LevelName(l.Next)
				l.NextDescription = c.Rung(l.Next)
			}
		}
		out = append(out, l)
	}
	return out
}

func scopeName(names map[string]string, id string) string {
	if n := names[id]; n != "" {
		return n
	}
	return id
}

func contradictions(res assess.Result, names map[string]string, ref func(string) ObjectiveRef) ([]ContradictionRow, []ContradictionCount, []StaleEvidenceRow) {
	var rows []ContradictionRow
	var counts []ContradictionCount
	var stale []StaleEvidenceRow
	for _, sr := range res.Scopes {
		cnt := ContradictionCount{Scope: sr.ID, ScopeName: scopeName(names, sr.ID)}
		for _, o := range sr.Objectives {
			if len(o.Contradicted) > 0 {
				cnt.Objectives++
			}
			answer := ""
			if o.Answer != nil {
				answer = o.Answer.Label()
			}
			for _, c := range o.Contradicted {
				rows = append(rows, ContradictionRow{Scope: sr.ID, ScopeName: cnt.ScopeName, Objective: ref(o.ID), Answer: answer, Check: c.Check, Failed: c.Failed})
				cnt.Checks++
				cnt.Failed += c.Failed
			}
			for _, e := range o.StaleEvidence {
				stale = append(stale, StaleEvidenceRow{Scope: sr.ID, ScopeName: cnt.ScopeName, Objective: ref(o.ID), Check: e.Check,
					Supporting: e.Supporting, Scanned: e.Scanned, Passed: e.Passed, Failed: e.Failed, Source: e.Source})
			}
		}
		counts = append(counts, cnt)
	}
	return rows, counts, stale
}

var sizeOrder = []model.Size{model.SizeS, model.SizeM, model.SizeL, model.SizeXL}

// sumEffort sums the effort estimates of the given objectives.
func sumEffort(m *model.Model, ids []string) Effort {
	e := Effort{Objectives: len(ids)}
	sizes := map[model.Size]int{}
	spend := map[model.Spend]int{}
	for _, id := range ids {
		o, ok := m.Objective(id)
		if !ok || o.Effort == nil {
			e.Unestimated++
			continue
		}
		sizes[o.Effort.Size]++
		e.WeeksMin += o.Effort.PersonWeeks[0]
		e.WeeksMax += o.Effort.PersonWeeks[1]
		if o.Effort.Spend != "" && o.Effort.Spend != model.SpendNone {
			spend[o.Effort.Spend]++
		}
	}
	for _, s := range sizeOrder {
		if n := sizes[s]; n > 0 {
			e.Sizes = append(e.Sizes, SizeCount{s, n})
		}
	}
	for _, s := range []model.Spend{model.SpendLicense, model.SpendService} {
		if n := spend[s]; n > 0 {
			e.Spend = append(e.Spend, SpendCount{s, n})
		}
	}
	return e
}

func investment(m *model.Model, res assess.Result) Investment {
	var inv Investment
	var all []string
	byCat := map[string][]string{}
	for _, p := range res.Roadmap {
		ids := make([]string, len(p.Objectives))
		for i, o := range p.Objectives {
			ids[i] = o.ID
			byCat[o.Category] = append(byCat[o.Category], o.ID)
		}
		all = append(all, ids...)
		inv.Phases = append(inv.Phases, PhaseInvestment{Phase: p.Phase, Effort: sumEffort(m, ids)})
	}
	for _, c := range m.Categories {
		if ids := byCat[c.ID]; len(ids) > 0 {
			inv.Categories = append(inv.Categories, CategoryInvestment{Category: c.ID, CategoryName: c.Name, Effort: sumEffort(m, ids)})
		}
	}
	inv.Total = sumEffort(m, all)
	return inv
}

func crosswalk(m *model.Model, res assess.Result, ref func(string) ObjectiveRef) []CCMControl {
	met := make(map[string]assess.ObjectiveScore, len(res.Objectives))
	for _, o := range res.Objectives {
		met[o.ID] = o
	}
	byControl := map[string]*CCMControl{}
	for _, o := range m.Objectives {
		for _, id := range o.References.CCM {
			c := byControl[id]
			if c == nil {
				c = &CCMControl{ID: id}
				byControl[id] = c
			}
			s := met[o.ID]
			co := CCMObjective{ObjectiveRef: ref(o.ID), Met: s.Met}
			c.Objectives = append(c.Objectives, co)
			if s.Value != nil {
				c.Applicable++
				if s.Met {
					c.Met++
				}
			}
		}
	}
	out := make([]CCMControl, 0, len(byControl))
	for _, c := range byControl {
		switch {
		case c.Applicable == 0:
			c.Status = CCMNA
		case c.Met == c.Applicable:
			c.Status = CCMMet
		case c.Met > 0:
			c.Status = CCMPartial
		default:
			c.Status = CCMNotMet
		}
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return ccmLess(out[i].ID, out[j].ID) })
	return out
}

// ccmLess orders CCM control IDs by domain, then number: A&A-02 before A&A-10.
func ccmLess(a, b string) bool {
	da, na, _ := strings.Cut(a, "-")
	db, nb, _ := strings.Cut(b, "-")
	if da != db {
		return da < db
	}
	if len(na) != len(nb) {
		return len(na) < len(nb)
	}
	return na < nb
}
