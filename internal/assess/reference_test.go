package assess_test

// A frozen copy of the straightforward scoring code this package had before
// it was made to allocate less (2026-12), kept to check that Score still
// gives the same results: TestScoreAgreesWithReference.

import (
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
)

// refDaysSince is Date.DaysSince as it was, through package time.
func refDaysSince(d, e assess.Date) int {
	t := func(d assess.Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }
	return int(t(d).Sub(t(e)).Hours() / 24)
}

func refAfter(d, e assess.Date) bool { return refDaysSince(d, e) > 0 }

// refJoinSource is joinSource.
func refJoinSource(a, b string) string {
	switch {
	case b == "":
		return a
	case a == "":
		return b
	case !slices.Contains(strings.Split(a, ", "), b):
		return a + ", " + b
	}
	return a
}

// refValue is the effective refValue of one objective in one scope (or roll-up).
type refValue struct {
	v          float64
	applicable bool
	status     assess.Status
	source     assess.Source
}

// refScore scores an assessment by the method of the project's scoring
// specification. It never fails: the input is validated where it is read.
func refScore(in assess.Input) assess.Result {
	m := in.Model
	scopes := in.Scopes
	if len(scopes) == 0 {
		scopes = []assess.Scope{{ID: assess.DefaultScope, Weight: 1}}
	}
	validity := in.ValidityDays
	if validity <= 0 {
		validity = assess.DefaultValidityDays
	}
	evValidity := in.EvidenceValidityDays
	if evValidity <= 0 {
		evValidity = assess.DefaultEvidenceValidityDays
	}
	res := assess.Result{
		Model: assess.ModelRef{ID: m.ID, Version: m.Version},
		AsOf:  in.AsOf,
	}

	// Exemptions in force apply to every scope.
	exempt := make([]bool, len(m.Objectives))
	for i, o := range m.Objectives {
		if e, ok := in.Exemptions[o.ID]; ok && !refAfter(in.AsOf, e.Until) {
			exempt[i] = true
		}
	}

	perScope := make([][]refValue, len(scopes))
	contradicted := make([][]assess.Contradiction, len(m.Objectives))
	staleEv := make([][]assess.CheckEvidence, len(m.Objectives))
	laterEv := make([][]assess.CheckEvidence, len(m.Objectives))
	var rollupCount refCompleteness
	rollupCount.init(m)
	for si, sc := range scopes {
		vals := make([]refValue, len(m.Objectives))
		var count refCompleteness
		count.init(m)
		objs := make([]assess.ObjectiveScore, len(m.Objectives))
		answers := make([]assess.Response, len(m.Objectives)) // what objs[i].Answer points to
		for i := range m.Objectives {
			o := &m.Objectives[i]
			key := assess.Key{Objective: o.ID, Scope: sc.ID}
			var ans *assess.Response
			if a, ok := in.Answers[key]; ok {
				answers[i] = a
				ans = &answers[i]
			}
			var ev *assess.Evidence
			if e, ok := in.Evidence[key]; ok {
				ev = &e
			}
			j := refJudge(o, ans, ev, sc.ID, in.AsOf, validity, evValidity)
			if exempt[i] {
				j.val = refValue{status: assess.StatusExempt, source: assess.SourceNone}
				j.contradicted = nil
			}
			vals[i] = j.val
			count.add(m, i, vals[i])
			rollupCount.add(m, i, vals[i])
			objs[i] = refObjectiveScore(o, vals[i])
			objs[i].Answer = ans
			objs[i].Evidence = j.evidence
			objs[i].Contradicted = j.contradicted
			objs[i].StaleEvidence = j.stale
			objs[i].LaterEvidence = j.later
			objs[i].AnswerAfterAsOf = j.future
			refAddExemption(&objs[i], &in, o.ID, exempt[i])
			contradicted[i] = append(contradicted[i], j.contradicted...)
			for _, c := range j.stale {
				c.Scope = sc.ID
				staleEv[i] = append(staleEv[i], c)
			}
			for _, c := range j.later {
				c.Scope = sc.ID
				laterEv[i] = append(laterEv[i], c)
			}
		}
		perScope[si] = vals
		sr := assess.ScopeResult{ID: sc.ID, Weight: refWeight(sc.Weight), Objectives: objs}
		sr.Program, sr.Domains, sr.Categories = refSummarize(m, vals, &count, in.Targets)
		res.Scopes = append(res.Scopes, sr)
	}

	rollup := refCombine(m, scopes, perScope)
	res.Objectives = make([]assess.ObjectiveScore, len(m.Objectives))
	for i := range m.Objectives {
		res.Objectives[i] = refObjectiveScore(&m.Objectives[i], rollup[i])
		refAddExemption(&res.Objectives[i], &in, m.Objectives[i].ID, exempt[i])
		// The roll-up lists what every scope found, each item naming its scope.
		res.Objectives[i].Contradicted = contradicted[i]
		res.Objectives[i].StaleEvidence = staleEv[i]
		res.Objectives[i].LaterEvidence = laterEv[i]
	}
	res.Program, res.Domains, res.Categories = refSummarize(m, rollup, &rollupCount, in.Targets)
	res.Roadmap = refRoadmap(m, rollup, res.Categories)
	return res
}

func refWeight(w float64) float64 {
	if w <= 0 {
		return 1
	}
	return w
}

func refAddExemption(os *assess.ObjectiveScore, in *assess.Input, id string, inForce bool) {
	if _, ok := in.Exemptions[id]; ok {
		e := in.Exemptions[id] // declared here, so that only an exemption found is allocated
		os.Exemption = &e
		os.ExemptionExpired = !inForce
	}
}

// refJudged is one objective refJudged in one scope: its refValue and what the
// report shows beside it.
type refJudged struct {
	val refValue
	// evidence is the evidence that counts (fresh, known on the as-of date);
	// nil when there was none at all.
	evidence     *assess.Evidence
	stale, later []assess.CheckEvidence
	contradicted []assess.Contradiction
	future       bool
}

// refJudge applies the refValue rules and the source precedence of the mode to one
// objective in one scope.
func refJudge(o *model.Objective, ans *assess.Response, ev *assess.Evidence, scope string, asOf assess.Date, validity, evValidity int) refJudged {
	var j refJudged
	manual := refValue{status: assess.StatusUnanswered, source: assess.SourceNone, applicable: true}
	validManual := false
	if ans != nil && (ans.Answer != "" || ans.Measure != nil) {
		v, applicable, ok := ans.Value()
		switch {
		case !ok, o.Binary() && !refBinaryAnswer(*ans):
			// Rejected where answers are read (an unknown word, an invalid
			// measure, or a binary objective answered on the coverage
			// scale); anything that gets here anyway counts as unanswered.
		case !ans.Date.IsZero() && refAfter(ans.Date, asOf):
			// Not known on the as-of date: unanswered, and flagged so that
			// the command line can warn.
			j.future = true
		case !ans.Date.IsZero() && refDaysSince(asOf, ans.Date) > validity:
			// Stale, na included: applicable with v = 0 until confirmed.
			manual = refValue{status: assess.StatusStale, source: assess.SourceManual, applicable: true}
		case !applicable:
			manual = refValue{status: assess.StatusNA, source: assess.SourceManual}
			validManual = true
		default:
			manual = refValue{v: v, status: assess.StatusAnswered, source: assess.SourceManual, applicable: true}
			validManual = true
		}
	}
	var auto *refValue
	if ev != nil {
		eff, stale, later := refFreshEvidence(*ev, asOf, evValidity)
		j.evidence, j.stale, j.later = &eff, stale, later
		if eff.Evaluated() {
			auto = &refValue{v: eff.Value(), status: assess.StatusAnswered, source: assess.SourceAutomated, applicable: true}
		}
	}
	switch o.Mode {
	case model.ModeAutomated:
		j.val = manual
		if auto != nil {
			j.val = *auto
		}
	case model.ModeEither:
		switch {
		case validManual:
			j.val = manual
		case auto != nil:
			j.val = *auto
		default:
			j.val = manual
		}
	default:
		j.val = manual
	}
	if j.val.source == assess.SourceManual && j.val.status == assess.StatusAnswered && refClaimsMost(*ans) && j.evidence != nil {
		j.contradicted = refContradictions(o, *j.evidence, scope)
	}
	return j
}

// refBinaryAnswer reports whether a response is one a binary objective accepts.
func refBinaryAnswer(r assess.Response) bool {
	return r.Measure == nil && (r.Answer == assess.No || r.Answer == assess.Yes || r.Answer == assess.NA)
}

// refClaimsMost reports whether a manual answer claims most or all of the
// scope: most, yes, or a measure of at least 0.75 (what most stands for), the
// answers that failing checks contradict.
func refClaimsMost(r assess.Response) bool {
	if r.Measure != nil {
		return r.Measure.Valid() && r.Measure.Value() >= 0.75
	}
	return r.Answer == assess.Most || r.Answer == assess.Yes
}

// refFreshEvidence splits evidence into what counts on the as-of date and what
// does not: scans more than evValidity days before it (stale) and scans after
// it (not known then). assess.Evidence without per-check counts counts as is.
func refFreshEvidence(ev assess.Evidence, asOf assess.Date, evValidity int) (fresh assess.Evidence, stale, later []assess.CheckEvidence) {
	if len(ev.Checks) == 0 {
		return ev, nil, nil
	}
	for _, c := range ev.Checks {
		switch {
		case !c.Scanned.IsZero() && refAfter(c.Scanned, asOf):
			later = append(later, c)
			continue
		case !c.Scanned.IsZero() && refDaysSince(asOf, c.Scanned) > evValidity:
			stale = append(stale, c)
			continue
		}
		fresh.Checks = append(fresh.Checks, c)
		fresh.Source = refJoinSource(fresh.Source, c.Source)
		if !c.Supporting {
			fresh.Passed += c.Passed
			fresh.Failed += c.Failed
			fresh.Muted += c.Muted
		}
	}
	if fresh.Source == "" && len(fresh.Checks) > 0 {
		fresh.Source = ev.Source
	}
	// Totals beyond those of the per-check counts come from evidence that
	// had no per-check counts (added with Plus): undated, they count as is.
	var p, f, mu int
	for _, c := range ev.Checks {
		if !c.Supporting {
			p, f, mu = p+c.Passed, f+c.Failed, mu+c.Muted
		}
	}
	if ev.Passed >= p && ev.Failed >= f && ev.Muted >= mu {
		fresh.Passed += ev.Passed - p
		fresh.Failed += ev.Failed - f
		fresh.Muted += ev.Muted - mu
	}
	return fresh, stale, later
}

// refContradictions lists, per check in the objective's order (deciding, then
// supporting), the resources that failed it in fresh evidence.
func refContradictions(o *model.Objective, ev assess.Evidence, scope string) []assess.Contradiction {
	failed := map[string]int{}
	for _, c := range ev.Checks {
		failed[c.Check] += c.Failed
	}
	var out []assess.Contradiction
	for _, c := range o.AllChecks() {
		if n := failed[c]; n > 0 {
			out = append(out, assess.Contradiction{Check: c, Scope: scope, Failed: n})
			delete(failed, c)
		}
	}
	// Checks the model no longer lists (evidence built for another version)
	// still count, after the listed ones, by name.
	rest := make([]string, 0, len(failed))
	for c, n := range failed {
		if n > 0 {
			rest = append(rest, c)
		}
	}
	sort.Strings(rest)
	for _, c := range rest {
		out = append(out, assess.Contradiction{Check: c, Scope: scope, Failed: failed[c]})
	}
	return out
}

func refObjectiveScore(o *model.Objective, v refValue) assess.ObjectiveScore {
	os := assess.ObjectiveScore{
		ID: o.ID, Category: o.Category, Level: o.Level,
		Status: v.status, Source: v.source, Threshold: o.Threshold,
	}
	if v.applicable {
		x := v.v
		os.Value = &x
		os.Met = refMet(o, v)
	}
	return os
}

func refMet(o *model.Objective, v refValue) bool { return v.applicable && v.v >= o.Threshold-1e-12 }

// refCombine computes the roll-up: per objective, the weighted mean of v over the
// scopes where it is applicable; excluded where it is excluded in every scope.
func refCombine(m *model.Model, scopes []assess.Scope, perScope [][]refValue) []refValue {
	out := make([]refValue, len(m.Objectives))
	for i := range m.Objectives {
		var sum, wsum float64
		allExempt := true
		unanswered, stale, manual, automated := false, false, false, false
		for si, sc := range scopes {
			v := perScope[si][i]
			if v.status != assess.StatusExempt {
				allExempt = false
			}
			if !v.applicable {
				continue
			}
			w := refWeight(sc.Weight)
			sum += w * v.v
			wsum += w
			switch v.status {
			case assess.StatusUnanswered:
				unanswered = true
			case assess.StatusStale:
				stale = true
			}
			switch v.source {
			case assess.SourceManual:
				manual = true
			case assess.SourceAutomated:
				automated = true
			}
		}
		switch {
		case allExempt:
			out[i] = refValue{status: assess.StatusExempt, source: assess.SourceNone}
		case wsum == 0:
			out[i] = refValue{status: assess.StatusNA, source: assess.SourceManual}
		default:
			v := refValue{v: sum / wsum, applicable: true, status: assess.StatusAnswered, source: assess.SourceNone}
			switch {
			case unanswered:
				v.status = assess.StatusUnanswered
			case stale:
				v.status = assess.StatusStale
			}
			switch {
			case manual:
				v.source = assess.SourceManual
			case automated:
				v.source = assess.SourceAutomated
			}
			out[i] = v
		}
	}
	return out
}

// refCompleteness counts applicable (objective, scope) pairs and those whose
// refValue comes from a valid answer or from evidence, per category.
type refCompleteness struct {
	applicable map[string]int
	valued     map[string]int
}

func (c *refCompleteness) init(m *model.Model) {
	c.applicable = make(map[string]int, len(m.Categories))
	c.valued = make(map[string]int, len(m.Categories))
}

func (c *refCompleteness) add(m *model.Model, i int, v refValue) {
	if !v.applicable {
		return
	}
	cat := m.Objectives[i].Category
	c.applicable[cat]++
	if v.status == assess.StatusAnswered {
		c.valued[cat]++
	}
}

func refRatio(valued, applicable int) float64 {
	if applicable == 0 {
		return 1
	}
	return float64(valued) / float64(applicable)
}

// levels computes each category's level, score, blocking objectives and work
// above the gate from a table of values, in model order.
type refCategoryCalc struct {
	// na: no objective of the category is applicable.
	na        bool
	level     int
	score     float64
	blocking  []string
	aboveGate []string
}

func refComputeCategories(m *model.Model, vals []refValue) []refCategoryCalc {
	out := make([]refCategoryCalc, len(m.Categories))
	for ci, c := range m.Categories {
		var byLevel [model.MaxLevel + 1][]int
		for i := range m.Objectives {
			if m.Objectives[i].Category == c.ID {
				l := m.Objectives[i].Level
				if l > model.MinLevel && l <= model.MaxLevel {
					byLevel[l] = append(byLevel[l], i)
				}
			}
		}
		na := true
		for l := range byLevel {
			for _, i := range byLevel[l] {
				if vals[i].applicable {
					na = false
				}
			}
		}
		if na {
			out[ci] = refCategoryCalc{na: true, blocking: []string{}, aboveGate: []string{}}
			continue
		}
		level := model.MinLevel
		for l := model.MinLevel + 1; l <= model.MaxLevel; l++ {
			ok := true
			for _, i := range byLevel[l] {
				if vals[i].applicable && !refMet(&m.Objectives[i], vals[i]) {
					ok = false
					break
				}
			}
			if !ok {
				break
			}
			level = l
		}
		calc := refCategoryCalc{level: level, score: float64(level), blocking: []string{}, aboveGate: []string{}}
		if level < model.MaxLevel {
			var sum float64
			n := 0
			for _, i := range byLevel[level+1] {
				if !vals[i].applicable {
					continue
				}
				sum += vals[i].v
				n++
				if !refMet(&m.Objectives[i], vals[i]) {
					calc.blocking = append(calc.blocking, m.Objectives[i].ID)
				}
			}
			if n > 0 {
				calc.score += sum / float64(n)
			}
			for l := level + 2; l <= model.MaxLevel; l++ {
				for _, i := range byLevel[l] {
					if refMet(&m.Objectives[i], vals[i]) {
						calc.aboveGate = append(calc.aboveGate, m.Objectives[i].ID)
					}
				}
			}
		}
		out[ci] = calc
	}
	return out
}

// refAggregate computes domain scores, the program score and the floor from
// category scores, with the model's weights. Not-applicable categories are
// left out of their domain's mean (the others' weights are used); a domain
// with none applicable is not applicable and left out of the program's mean;
// the floor is over applicable categories; programNA is set when nothing at
// all is applicable (program and floor are then 0, shown as null).
func refAggregate(m *model.Model, cats []refCategoryCalc) (domains []float64, domainNA []bool, program float64, floor int, programNA bool) {
	domains = make([]float64, len(m.Domains))
	domainNA = make([]bool, len(m.Domains))
	floor = model.MaxLevel
	var psum, pw float64
	for di, d := range m.Domains {
		var sum, w float64
		for ci, c := range m.Categories {
			if c.Domain == d.ID && !cats[ci].na {
				sum += refWeight(c.Weight) * cats[ci].score
				w += refWeight(c.Weight)
			}
		}
		if w > 0 {
			domains[di] = sum / w
			psum += refWeight(d.Weight) * domains[di]
			pw += refWeight(d.Weight)
		} else {
			domainNA[di] = true
		}
	}
	applicable := 0
	for _, c := range cats {
		if !c.na {
			floor = min(floor, c.level)
			applicable++
		}
	}
	if pw > 0 {
		program = psum / pw
	}
	if applicable == 0 {
		return domains, domainNA, 0, 0, true
	}
	return domains, domainNA, program, floor, false
}

func refSummarize(m *model.Model, vals []refValue, count *refCompleteness, targets map[string]int) (assess.Program, []assess.DomainScore, []assess.CategoryScore) {
	cats := refComputeCategories(m, vals)
	domainScores, domainNA, programScore, floor, programNA := refAggregate(m, cats)
	prog := assess.Program{Score: programScore, Floor: floor, NA: programNA}
	catOut := make([]assess.CategoryScore, len(m.Categories))
	var totalA, totalV int
	for ci, c := range m.Categories {
		cs := assess.CategoryScore{
			ID: c.ID, Domain: c.Domain, Level: cats[ci].level, Score: cats[ci].score,
			Completeness: refRatio(count.valued[c.ID], count.applicable[c.ID]),
			Blocking:     cats[ci].blocking, AboveGate: cats[ci].aboveGate,
		}
		if cats[ci].na {
			// Not applicable: no level, score or target; the objectives
			// still count towards refCompleteness (none applicable: 1).
			cs.Status = assess.StatusNA
		} else if t, ok := targets[c.ID]; ok && t >= model.MinLevel && t <= model.MaxLevel {
			target := t
			gap := math.Max(0, float64(t)-cs.Score)
			metT := cs.Level >= t
			cs.Target, cs.Gap, cs.TargetMet = &target, &gap, &metT
			prog.TargetsSet++
			if metT {
				prog.TargetsMet++
			}
		}
		totalA += count.applicable[c.ID]
		totalV += count.valued[c.ID]
		catOut[ci] = cs
	}
	prog.Completeness = refRatio(totalV, totalA)
	domOut := make([]assess.DomainScore, len(m.Domains))
	for di, d := range m.Domains {
		var a, v int
		for _, c := range m.Categories {
			if c.Domain == d.ID {
				a += count.applicable[c.ID]
				v += count.valued[c.ID]
			}
		}
		domOut[di] = assess.DomainScore{ID: d.ID, Score: domainScores[di], Completeness: refRatio(v, a), NA: domainNA[di]}
	}
	return prog, domOut, catOut
}

// refRoadmap lists, phase by phase, the unmet applicable objectives at level L+k
// of every category whose target is at least L+k, and projects the scores
// once every objective of phases 1..k is refMet.
func refRoadmap(m *model.Model, vals []refValue, cats []assess.CategoryScore) []assess.Phase {
	maxK := 0
	for _, c := range cats {
		if c.Target != nil && !c.NA() {
			maxK = max(maxK, *c.Target-c.Level)
		}
	}
	projected := append([]refValue(nil), vals...)
	phases := []assess.Phase{}
	for k := 1; k <= maxK; k++ {
		items := []assess.PhaseObjective{}
		var idx []int
		for ci, c := range cats {
			if c.Target == nil || c.NA() || *c.Target < c.Level+k {
				continue
			}
			for i := range m.Objectives {
				o := &m.Objectives[i]
				if o.Category != m.Categories[ci].ID || o.Level != c.Level+k {
					continue
				}
				if vals[i].applicable && !refMet(o, vals[i]) {
					idx = append(idx, i)
				}
			}
		}
		sort.SliceStable(idx, func(a, b int) bool {
			oa, ob := &m.Objectives[idx[a]], &m.Objectives[idx[b]]
			ca, _ := m.Category(oa.Category)
			cb, _ := m.Category(ob.Category)
			if da, db := m.DomainOrder(ca.Domain), m.DomainOrder(cb.Domain); da != db {
				return da < db
			}
			if x, y := m.CategoryOrder(oa.Category), m.CategoryOrder(ob.Category); x != y {
				return x < y
			}
			return idx[a] < idx[b]
		})
		for _, i := range idx {
			o := &m.Objectives[i]
			items = append(items, assess.PhaseObjective{ID: o.ID, Category: o.Category, Level: o.Level})
			projected[i] = refValue{v: 1, applicable: true, status: assess.StatusAnswered, source: projected[i].source}
		}
		pc := refComputeCategories(m, projected)
		ds, dna, ps, floor, _ := refAggregate(m, pc)
		p := assess.Phase{Phase: k, Objectives: items, Projected: assess.ProjectedScores{Program: ps, Floor: floor}}
		for di, d := range m.Domains {
			p.Projected.Domains = append(p.Projected.Domains, assess.ProjectedDomain{ID: d.ID, Score: ds[di], NA: dna[di]})
		}
		for ci, c := range m.Categories {
			p.Projected.Categories = append(p.Projected.Categories, assess.ProjectedCategory{ID: c.ID, Level: pc[ci].level, Score: pc[ci].score, NA: pc[ci].na})
		}
		phases = append(phases, p)
	}
	return phases
}
