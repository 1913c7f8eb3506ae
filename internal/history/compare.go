package history

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
)

// Live is the name of the live assessment where a snapshot ID is expected
// (compareSnapshots?to=live).
const Live = "live"

// Side is one side of a comparison: a snapshot, or the live assessment
// frozen for the occasion (SnapshotID Live).
type Side struct {
	SnapshotID string
	// Assessment is the ID of the assessment the side is of.
	Assessment string
	Finalized  time.Time
	Model      *model.Model
	Input      Input
	Result     assess.Result
	// Changes are the live assessment's answer changes in the order they
	// were made (saves and deletions, with who and when); nil for a
	// snapshot. A comparison with the live side names, for each changed
	// objective, the last change made after the other side was finalized.
	Changes []AnswerEvent
}

// AnswerEvent is one change to a live answer: saved, or deleted.
type AnswerEvent struct {
	Objective string
	Scope     string
	Deleted   bool
	UpdatedBy string
	Updated   time.Time
}

// SideOf returns the comparison side of a stored snapshot and its model.
func SideOf(s *Snapshot, m *model.Model) Side {
	return Side{SnapshotID: s.ID, Assessment: s.AssessmentID, Finalized: s.Finalized, Model: m, Input: s.Input, Result: s.Result}
}

// Comparison is what changed between two snapshots, or a snapshot and the
// live assessment: scores and levels before and after, the objectives whose
// value, status, source or answer changed (with who changed them and when),
// evidence and exemptions that appeared or went, and, across model
// versions, the objectives added, removed or changed in meaning, which are
// listed rather than paired.
type Comparison struct {
	From       SideInfo          `json:"from"`
	To         SideInfo          `json:"to"`
	Program    Move              `json:"program"`
	Domains    []Move            `json:"domains"`
	Categories []Move            `json:"categories"`
	Objectives []ObjectiveChange `json:"objectives"`
	Evidence   []EvidenceChange  `json:"evidence"`
	Exemptions []ExemptionChange `json:"exemptions"`
	// Model lists the objectives whose meaning differs between the two
	// models; nil when both sides use the same objectives alike.
	Model *ModelChange `json:"model"`
}

// SideInfo names one side of a comparison.
type SideInfo struct {
	SnapshotID string          `json:"snapshot"`
	Finalized  time.Time       `json:"finalized,omitzero"`
	AsOf       assess.Date     `json:"as_of"`
	Model      assess.ModelRef `json:"model"`
}

// Move is a score before and after, with the level (the floor for the
// program); nil where absent or not applicable on that side.
type Move struct {
	ID          string   `json:"id,omitempty"`
	Before      *float64 `json:"before"`
	After       *float64 `json:"after"`
	LevelBefore *int     `json:"level_before,omitempty"`
	LevelAfter  *int     `json:"level_after,omitempty"`
}

// Changed reports whether the score or level moved.
func (m Move) Changed() bool {
	return !eqFloat(m.Before, m.After) || !eqInt(m.LevelBefore, m.LevelAfter)
}

// ObjectiveState is an objective's value, status, source and answer in one scope.
type ObjectiveState struct {
	Value  *float64      `json:"value"`
	Status assess.Status `json:"status"`
	Source assess.Source `json:"source"`
	Answer string        `json:"answer,omitempty"`
}

// ObjectiveChange is an objective that changed in one scope. By and Date
// are the answer's author and date, UpdatedBy and Updated who saved it and
// when, taken from the later side (the earlier one when the answer went).
// Against the live assessment, UpdatedBy and Updated are the last change to
// the answer after the snapshot was finalized, from the answers' history;
// AnswerDeleted says that change deleted the answer (By and Date are then
// empty).
type ObjectiveChange struct {
	Objective string          `json:"objective"`
	Scope     string          `json:"scope"`
	Before    *ObjectiveState `json:"before"`
	After     *ObjectiveState `json:"after"`
	By        string          `json:"by,omitempty"`
	Date      assess.Date     `json:"date,omitzero"`
	UpdatedBy string          `json:"updated_by,omitempty"`
	Updated   time.Time       `json:"updated,omitzero"`
	// AnswerDeleted is set when the last change was the answer's deletion.
	AnswerDeleted bool `json:"answer_deleted,omitempty"`
}

// The changes of evidence and exemptions.
const (
	ChangeNew     = "new"
	ChangeExpired = "expired"
	ChangeChanged = "changed"
)

// EvidenceChange is a scanner source's evidence for an objective in a
// scope that is new, changed or gone (expired) in the later side.
type EvidenceChange struct {
	Change    string           `json:"change"`
	Objective string           `json:"objective"`
	Scope     string           `json:"scope"`
	Source    string           `json:"source"`
	Before    *assess.Evidence `json:"before"`
	After     *assess.Evidence `json:"after"`
}

// ExemptionChange is an exemption in force on the later side only (new) or
// on the earlier side only (expired).
type ExemptionChange struct {
	Change    string    `json:"change"`
	Exemption Exemption `json:"exemption"`
}

// ModelChange lists the objectives only the earlier model has (removed),
// only the later one has (added), and those both have but with another
// meaning (changed: title, KPI, question, level, category, threshold, mode,
// scale or checks differ).
type ModelChange struct {
	From    assess.ModelRef `json:"from"`
	To      assess.ModelRef `json:"to"`
	Added   []string        `json:"added"`
	Removed []string        `json:"removed"`
	Changed []string        `json:"changed"`
}

// Empty reports whether the two models have the same objectives alike.
func (m *ModelChange) Empty() bool {
	return len(m.Added) == 0 && len(m.Removed) == 0 && len(m.Changed) == 0
}

// Compare returns what changed from one side to the other.
func Compare(from, to Side) *Comparison {
	c := &Comparison{
		From: SideInfo{SnapshotID: from.SnapshotID, Finalized: from.Finalized, AsOf: from.Result.AsOf, Model: from.Result.Model},
		To:   SideInfo{SnapshotID: to.SnapshotID, Finalized: to.Finalized, AsOf: to.Result.AsOf, Model: to.Result.Model},
	}
	mc := compareModels(from, to)
	unpaired := map[string]bool{}
	if !mc.Empty() {
		c.Model = mc
		for _, l := range [][]string{mc.Added, mc.Removed, mc.Changed} {
			for _, id := range l {
				unpaired[id] = true
			}
		}
	}
	before, after := Scores(&from.Result), Scores(&to.Result)
	for _, kind := range []string{KindProgram, KindDomain, KindCategory} {
		for _, id := range unionIDs(before, after, kind) {
			m := Move{ID: id}
			if b, ok := findRow(before, kind, id); ok {
				m.Before, m.LevelBefore = b.Score, b.Level
			}
			if a, ok := findRow(after, kind, id); ok {
				m.After, m.LevelAfter = a.Score, a.Level
			}
			switch kind {
			case KindProgram:
				c.Program = m
			case KindDomain:
				c.Domains = append(c.Domains, m)
			default:
				c.Categories = append(c.Categories, m)
			}
		}
	}
	c.Objectives = compareObjectives(from, to, unpaired)
	c.Evidence = compareEvidence(from.Input.Evidence, to.Input.Evidence)
	c.Exemptions = compareExemptions(from, to)
	return c
}

func findRow(rows []ScoreRow, kind, id string) (ScoreRow, bool) {
	for _, r := range rows {
		if r.Kind == kind && r.ID == id {
			return r, true
		}
	}
	return ScoreRow{}, false
}

// unionIDs lists the IDs of a kind in the later side's order, then those
// only the earlier side has.
func unionIDs(before, after []ScoreRow, kind string) []string {
	var out []string
	seen := map[string]bool{}
	for _, rows := range [][]ScoreRow{after, before} {
		for _, r := range rows {
			if r.Kind == kind && !seen[r.ID] {
				seen[r.ID] = true
				out = append(out, r.ID)
			}
		}
	}
	return out
}

func compareModels(from, to Side) *ModelChange {
	mc := &ModelChange{From: from.Result.Model, To: to.Result.Model, Added: []string{}, Removed: []string{}, Changed: []string{}}
	if from.Model == nil || to.Model == nil {
		return mc
	}
	for _, o := range to.Model.Objectives {
		p, ok := from.Model.Objective(o.ID)
		switch {
		case !ok:
			mc.Added = append(mc.Added, o.ID)
		case !sameMeaning(p, &o):
			mc.Changed = append(mc.Changed, o.ID)
		}
	}
	for _, o := range from.Model.Objectives {
		if _, ok := to.Model.Objective(o.ID); !ok {
			mc.Removed = append(mc.Removed, o.ID)
		}
	}
	return mc
}

// sameMeaning reports whether two models' objectives of the same ID ask the
// same thing and are judged alike.
func sameMeaning(a, b *model.Objective) bool {
	return a.Title == b.Title && a.KPI == b.KPI && a.Question == b.Question && a.Level == b.Level &&
		a.Category == b.Category && a.Threshold == b.Threshold && a.Mode == b.Mode && a.Scale == b.Scale &&
		slices.Equal(a.Checks, b.Checks)
}

type objKey struct{ objective, scope string }

func compareObjectives(from, to Side, unpaired map[string]bool) []ObjectiveChange {
	states := func(s Side) (map[objKey]ObjectiveState, map[objKey]Answer) {
		st := map[objKey]ObjectiveState{}
		for _, sc := range s.Result.Scopes {
			for _, o := range sc.Objectives {
				st[objKey{o.ID, sc.ID}] = ObjectiveState{Value: o.Value, Status: o.Status, Source: o.Source}
			}
		}
		ans := map[objKey]Answer{}
		for _, a := range s.Input.Answers {
			k := objKey{a.Objective, a.Scope}
			ans[k] = a
			if v, ok := st[k]; ok {
				v.Answer = answerText(a.Response)
				st[k] = v
			}
		}
		return st, ans
	}
	bs, ba := states(from)
	as, aa := states(to)
	lastChanges := lastAnswerChanges(from, to)
	keys := map[objKey]bool{}
	for k := range bs {
		keys[k] = true
	}
	for k := range as {
		keys[k] = true
	}
	list := make([]objKey, 0, len(keys))
	for k := range keys {
		if !unpaired[k.objective] {
			list = append(list, k)
		}
	}
	order := func(id string) int {
		if to.Model != nil {
			if _, ok := to.Model.Objective(id); ok {
				return to.Model.ObjectiveOrder(id)
			}
		}
		if from.Model != nil {
			return from.Model.ObjectiveOrder(id)
		}
		return 0
	}
	sort.Slice(list, func(i, j int) bool {
		oi, oj := order(list[i].objective), order(list[j].objective)
		if oi != oj {
			return oi < oj
		}
		if list[i].objective != list[j].objective {
			return list[i].objective < list[j].objective
		}
		return list[i].scope < list[j].scope
	})
	var out []ObjectiveChange
	for _, k := range list {
		b, bok := bs[k]
		a, aok := as[k]
		if bok && aok && eqFloat(b.Value, a.Value) && b.Status == a.Status && b.Source == a.Source && b.Answer == a.Answer {
			continue
		}
		ch := ObjectiveChange{Objective: k.objective, Scope: k.scope}
		if bok {
			ch.Before = &b
		}
		if aok {
			ch.After = &a
		}
		who, ok := aa[k]
		if !ok {
			who = ba[k]
		}
		ch.By, ch.Date, ch.UpdatedBy, ch.Updated = who.By, who.Date, who.UpdatedBy, who.Updated
		if ev, ok := lastChanges[k]; ok {
			ch.UpdatedBy, ch.Updated, ch.AnswerDeleted = ev.UpdatedBy, ev.Updated, ev.Deleted
			if ev.Deleted {
				ch.By, ch.Date = "", assess.Date{}
			}
		}
		out = append(out, ch)
	}
	return out
}

// lastAnswerChanges returns, when one side is live with its answers'
// history, the last change of each objective and scope made after the
// other side (a snapshot) was finalized.
func lastAnswerChanges(from, to Side) map[objKey]AnswerEvent {
	live, other := to, from
	if from.SnapshotID == Live {
		live, other = from, to
	}
	if live.SnapshotID != Live || other.SnapshotID == Live || live.Changes == nil {
		return nil
	}
	out := map[objKey]AnswerEvent{}
	for _, ev := range live.Changes {
		if ev.Updated.After(other.Finalized) {
			out[objKey{ev.Objective, ev.Scope}] = ev
		}
	}
	return out
}

// answerText is an answer as a person reads it: the word, or measured/of.
func answerText(r assess.Response) string {
	if r.Measure != nil {
		return r.Measure.String()
	}
	return string(r.Answer)
}

type evKey struct{ objective, scope, source string }

func compareEvidence(before, after []Evidence) []EvidenceChange {
	index := func(l []Evidence) map[evKey]assess.Evidence {
		m := make(map[evKey]assess.Evidence, len(l))
		for _, e := range l {
			m[evKey{e.Objective, e.Scope, e.Source}] = e.Evidence
		}
		return m
	}
	b, a := index(before), index(after)
	var out []EvidenceChange
	for k, av := range a {
		av := av
		bv, ok := b[k]
		switch {
		case !ok:
			out = append(out, EvidenceChange{Change: ChangeNew, Objective: k.objective, Scope: k.scope, Source: k.source, After: &av})
		case bv.Passed != av.Passed || bv.Failed != av.Failed || bv.Muted != av.Muted:
			out = append(out, EvidenceChange{Change: ChangeChanged, Objective: k.objective, Scope: k.scope, Source: k.source, Before: &bv, After: &av})
		}
	}
	for k, bv := range b {
		bv := bv
		if _, ok := a[k]; !ok {
			out = append(out, EvidenceChange{Change: ChangeExpired, Objective: k.objective, Scope: k.scope, Source: k.source, Before: &bv})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		x, y := out[i], out[j]
		if x.Objective != y.Objective {
			return x.Objective < y.Objective
		}
		if x.Scope != y.Scope {
			return x.Scope < y.Scope
		}
		return x.Source < y.Source
	})
	return out
}

func compareExemptions(from, to Side) []ExemptionChange {
	inForce := func(s Side) map[string]Exemption {
		m := map[string]Exemption{}
		for _, e := range s.Input.Exemptions {
			if e.ValidOn(s.Result.AsOf) {
				m[e.Objective] = e
			}
		}
		return m
	}
	b, a := inForce(from), inForce(to)
	var out []ExemptionChange
	for id, e := range a {
		if p, ok := b[id]; !ok || p.Exemption != e.Exemption {
			out = append(out, ExemptionChange{Change: ChangeNew, Exemption: e})
		}
	}
	for id, e := range b {
		if _, ok := a[id]; !ok {
			out = append(out, ExemptionChange{Change: ChangeExpired, Exemption: e})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Exemption.Objective != out[j].Exemption.Objective {
			return out[i].Exemption.Objective < out[j].Exemption.Objective
		}
		return out[i].Change < out[j].Change
	})
	return out
}

func eqFloat(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func eqInt(a, b *int) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// fmtScore writes a score truncated to one decimal (as scoring.md says
// scores are shown), or "n/a".
func fmtScore(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.1f", float64(int(*v*10))/10)
}

func fmtInt(v *int) string {
	if v == nil {
		return "n/a"
	}
	return fmt.Sprint(*v)
}
