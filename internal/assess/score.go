package assess

import (
	"math"
	"sort"

	"github.com/csmm/csmm/internal/model"
)

// Truncate cuts a score to one decimal, never rounding up, so that the integer
// part of a displayed score always equals the level (3.96 becomes 3.9).
func Truncate(score float64) float64 {
	// The small epsilon keeps values such as 2.7, stored as 2.6999…, at 2.7.
	return math.Floor(score*10+1e-12) / 10
}

// value is the effective value of one objective in one scope (or roll-up).
type value struct {
	v          float64
	applicable bool
	status     Status
	source     Source
}

// Score scores an assessment by the method of the project's scoring
// specification. It never fails: the input is validated where it is read.
func Score(in Input) Result {
	m := in.Model
	scopes := in.Scopes
	if len(scopes) == 0 {
		scopes = []Scope{{ID: DefaultScope, Weight: 1}}
	}
	validity := in.ValidityDays
	if validity <= 0 {
		validity = DefaultValidityDays
	}
	evValidity := in.EvidenceValidityDays
	if evValidity <= 0 {
		evValidity = DefaultEvidenceValidityDays
	}
	res := Result{
		Model: ModelRef{ID: m.ID, Version: m.Version},
		AsOf:  in.AsOf,
	}

	// Exemptions in force apply to every scope.
	exempt := make([]bool, len(m.Objectives))
	for i, o := range m.Objectives {
		if e, ok := in.Exemptions[o.ID]; ok && e.ValidOn(in.AsOf) {
			exempt[i] = true
		}
	}

	perScope := make([][]value, len(scopes))
	contradicted := make([][]Contradiction, len(m.Objectives))
	staleEv := make([][]CheckEvidence, len(m.Objectives))
	laterEv := make([][]CheckEvidence, len(m.Objectives))
	var rollupCount completeness
	rollupCount.init(m)
	for si, sc := range scopes {
		vals := make([]value, len(m.Objectives))
		var count completeness
		count.init(m)
		objs := make([]ObjectiveScore, len(m.Objectives))
		answers := make([]Response, len(m.Objectives)) // what objs[i].Answer points to
		for i := range m.Objectives {
			o := &m.Objectives[i]
			key := Key{Objective: o.ID, Scope: sc.ID}
			var ans *Response
			if a, ok := in.Answers[key]; ok {
				answers[i] = a
				ans = &answers[i]
			}
			var ev *Evidence
			if e, ok := in.Evidence[key]; ok {
				ev = &e
			}
			j := judge(o, ans, ev, sc.ID, in.AsOf, validity, evValidity)
			if exempt[i] {
				j.val = value{status: StatusExempt, source: SourceNone}
				j.contradicted = nil
			}
			vals[i] = j.val
			count.add(m, i, vals[i])
			rollupCount.add(m, i, vals[i])
			objs[i] = objectiveScore(o, vals[i])
			objs[i].Answer = ans
			objs[i].Evidence = j.evidence
			objs[i].Contradicted = j.contradicted
			objs[i].StaleEvidence = j.stale
			objs[i].LaterEvidence = j.later
			objs[i].AnswerAfterAsOf = j.future
			addExemption(&objs[i], &in, o.ID, exempt[i])
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
		sr := ScopeResult{ID: sc.ID, Weight: weight(sc.Weight), Objectives: objs}
		sr.Program, sr.Domains, sr.Categories = summarize(m, vals, &count, in.Targets)
		res.Scopes = append(res.Scopes, sr)
	}

	rollup := combine(m, scopes, perScope)
	res.Objectives = make([]ObjectiveScore, len(m.Objectives))
	for i := range m.Objectives {
		res.Objectives[i] = objectiveScore(&m.Objectives[i], rollup[i])
		addExemption(&res.Objectives[i], &in, m.Objectives[i].ID, exempt[i])
		// The roll-up lists what every scope found, each item naming its scope.
		res.Objectives[i].Contradicted = contradicted[i]
		res.Objectives[i].StaleEvidence = staleEv[i]
		res.Objectives[i].LaterEvidence = laterEv[i]
	}
	res.Program, res.Domains, res.Categories = summarize(m, rollup, &rollupCount, in.Targets)
	res.Roadmap = roadmap(m, rollup, res.Categories)
	return res
}

func weight(w float64) float64 {
	if w <= 0 {
		return 1
	}
	return w
}

func addExemption(os *ObjectiveScore, in *Input, id string, inForce bool) {
	if _, ok := in.Exemptions[id]; ok {
		e := in.Exemptions[id] // declared here, so that only an exemption found is allocated
		os.Exemption = &e
		os.ExemptionExpired = !inForce
	}
}

// judged is one objective judged in one scope: its value and what the
// report shows beside it.
type judged struct {
	val value
	// evidence is the evidence that counts (fresh, known on the as-of date);
	// nil when there was none at all.
	evidence     *Evidence
	stale, later []CheckEvidence
	contradicted []Contradiction
	future       bool
}

// judge applies the value rules and the source precedence of the mode to one
// objective in one scope.
func judge(o *model.Objective, ans *Response, ev *Evidence, scope string, asOf Date, validity, evValidity int) judged {
	var j judged
	manual := value{status: StatusUnanswered, source: SourceNone, applicable: true}
	validManual := false
	if ans != nil && (ans.Answer != "" || ans.Measure != nil) {
		v, applicable, ok := ans.Value()
		switch {
		case !ok, o.Binary() && !binaryAnswer(*ans):
			// Rejected where answers are read (an unknown word, an invalid
			// measure, or a binary objective answered on the coverage
			// scale); anything that gets here anyway counts as unanswered.
		case !ans.Date.IsZero() && ans.Date.After(asOf):
			// Not known on the as-of date: unanswered, and flagged so that
			// the command line can warn.
			j.future = true
		case !ans.Date.IsZero() && asOf.DaysSince(ans.Date) > validity:
			// Stale, na included: applicable with v = 0 until confirmed.
			manual = value{status: StatusStale, source: SourceManual, applicable: true}
		case !applicable:
			manual = value{status: StatusNA, source: SourceManual}
			validManual = true
		default:
			manual = value{v: v, status: StatusAnswered, source: SourceManual, applicable: true}
			validManual = true
		}
	}
	var auto *value
	if ev != nil {
		eff, stale, later := freshEvidence(*ev, asOf, evValidity)
		j.evidence, j.stale, j.later = &eff, stale, later
		if eff.Evaluated() {
			auto = &value{v: eff.Value(), status: StatusAnswered, source: SourceAutomated, applicable: true}
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
	if j.val.source == SourceManual && j.val.status == StatusAnswered && claimsMost(*ans) && j.evidence != nil {
		j.contradicted = contradictions(o, *j.evidence, scope)
	}
	return j
}

// binaryAnswer reports whether a response is one a binary objective accepts.
func binaryAnswer(r Response) bool {
	return r.Measure == nil && (r.Answer == No || r.Answer == Yes || r.Answer == NA)
}

// claimsMost reports whether a manual answer claims most or all of the
// scope: most, yes, or a measure of at least 0.75 (what most stands for), the
// answers that failing checks contradict.
func claimsMost(r Response) bool {
	if r.Measure != nil {
		return r.Measure.Valid() && r.Measure.Value() >= 0.75
	}
	return r.Answer == Most || r.Answer == Yes
}

// freshEvidence splits evidence into what counts on the as-of date and what
// does not: scans more than evValidity days before it (stale) and scans after
// it (not known then). Evidence without per-check counts counts as is.
func freshEvidence(ev Evidence, asOf Date, evValidity int) (fresh Evidence, stale, later []CheckEvidence) {
	if len(ev.Checks) == 0 {
		return ev, nil, nil
	}
	for _, c := range ev.Checks {
		switch {
		case !c.Scanned.IsZero() && c.Scanned.After(asOf):
			later = append(later, c)
			continue
		case !c.Scanned.IsZero() && asOf.DaysSince(c.Scanned) > evValidity:
			stale = append(stale, c)
			continue
		}
		fresh.Checks = append(fresh.Checks, c)
		fresh.Source = joinSource(fresh.Source, c.Source)
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

// contradictions lists, per check in the objective's order (deciding, then
// supporting), the resources that failed it in fresh evidence.
func contradictions(o *model.Objective, ev Evidence, scope string) []Contradiction {
	failed := map[string]int{}
	for _, c := range ev.Checks {
		failed[c.Check] += c.Failed
	}
	var out []Contradiction
	for _, c := range o.AllChecks() {
		if n := failed[c]; n > 0 {
			out = append(out, Contradiction{Check: c, Scope: scope, Failed: n})
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
		out = append(out, Contradiction{Check: c, Scope: scope, Failed: failed[c]})
	}
	return out
}

func objectiveScore(o *model.Objective, v value) ObjectiveScore {
	os := ObjectiveScore{
		ID: o.ID, Category: o.Category, Level: o.Level,
		Status: v.status, Source: v.source, Threshold: o.Threshold,
	}
	if v.applicable {
		x := v.v
		os.Value = &x
		os.Met = met(o, v)
	}
	return os
}

func met(o *model.Objective, v value) bool { return v.applicable && v.v >= o.Threshold-1e-12 }

// combine computes the roll-up: per objective, the weighted mean of v over the
// scopes where it is applicable; excluded where it is excluded in every scope.
func combine(m *model.Model, scopes []Scope, perScope [][]value) []value {
	out := make([]value, len(m.Objectives))
	for i := range m.Objectives {
		var sum, wsum float64
		allExempt := true
		unanswered, stale, manual, automated := false, false, false, false
		for si, sc := range scopes {
			v := perScope[si][i]
			if v.status != StatusExempt {
				allExempt = false
			}
			if !v.applicable {
				continue
			}
			w := weight(sc.Weight)
			sum += w * v.v
			wsum += w
			switch v.status {
			case StatusUnanswered:
				unanswered = true
			case StatusStale:
				stale = true
			}
			switch v.source {
			case SourceManual:
				manual = true
			case SourceAutomated:
				automated = true
			}
		}
		switch {
		case allExempt:
			out[i] = value{status: StatusExempt, source: SourceNone}
		case wsum == 0:
			out[i] = value{status: StatusNA, source: SourceManual}
		default:
			v := value{v: sum / wsum, applicable: true, status: StatusAnswered, source: SourceNone}
			switch {
			case unanswered:
				v.status = StatusUnanswered
			case stale:
				v.status = StatusStale
			}
			switch {
			case manual:
				v.source = SourceManual
			case automated:
				v.source = SourceAutomated
			}
			out[i] = v
		}
	}
	return out
}

// completeness counts applicable (objective, scope) pairs and those whose
// value comes from a valid answer or from evidence, per category.
type completeness struct {
	applicable map[string]int
	valued     map[string]int
}

func (c *completeness) init(m *model.Model) {
	c.applicable = make(map[string]int, len(m.Categories))
	c.valued = make(map[string]int, len(m.Categories))
}

func (c *completeness) add(m *model.Model, i int, v value) {
	if !v.applicable {
		return
	}
	cat := m.Objectives[i].Category
	c.applicable[cat]++
	if v.status == StatusAnswered {
		c.valued[cat]++
	}
}

func ratio(valued, applicable int) float64 {
	if applicable == 0 {
		return 1
	}
	return float64(valued) / float64(applicable)
}

// levels computes each category's level, score, blocking objectives and work
// above the gate from a table of values, in model order.
type categoryCalc struct {
	// na: no objective of the category is applicable.
	na        bool
	level     int
	score     float64
	blocking  []string
	aboveGate []string
}

func computeCategories(m *model.Model, vals []value) []categoryCalc {
	out := make([]categoryCalc, len(m.Categories))
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
			out[ci] = categoryCalc{na: true, blocking: []string{}, aboveGate: []string{}}
			continue
		}
		level := model.MinLevel
		for l := model.MinLevel + 1; l <= model.MaxLevel; l++ {
			ok := true
			for _, i := range byLevel[l] {
				if vals[i].applicable && !met(&m.Objectives[i], vals[i]) {
					ok = false
					break
				}
			}
			if !ok {
				break
			}
			level = l
		}
		calc := categoryCalc{level: level, score: float64(level), blocking: []string{}, aboveGate: []string{}}
		if level < model.MaxLevel {
			var sum float64
			n := 0
			for _, i := range byLevel[level+1] {
				if !vals[i].applicable {
					continue
				}
				sum += vals[i].v
				n++
				if !met(&m.Objectives[i], vals[i]) {
					calc.blocking = append(calc.blocking, m.Objectives[i].ID)
				}
			}
			if n > 0 {
				calc.score += sum / float64(n)
			}
			for l := level + 2; l <= model.MaxLevel; l++ {
				for _, i := range byLevel[l] {
					if met(&m.Objectives[i], vals[i]) {
						calc.aboveGate = append(calc.aboveGate, m.Objectives[i].ID)
					}
				}
			}
		}
		out[ci] = calc
	}
	return out
}

// aggregate computes domain scores, the program score and the floor from
// category scores, with the model's weights. Not-applicable categories are
// left out of their domain's mean (the others' weights are used); a domain
// with none applicable is not applicable and left out of the program's mean;
// the floor is over applicable categories; programNA is set when nothing at
// all is applicable (program and floor are then 0, shown as null).
func aggregate(m *model.Model, cats []categoryCalc) (domains []float64, domainNA []bool, program float64, floor int, programNA bool) {
	domains = make([]float64, len(m.Domains))
	domainNA = make([]bool, len(m.Domains))
	floor = model.MaxLevel
	var psum, pw float64
	for di, d := range m.Domains {
		var sum, w float64
		for ci, c := range m.Categories {
			if c.Domain == d.ID && !cats[ci].na {
				sum += weight(c.Weight) * cats[ci].score
				w += weight(c.Weight)
			}
		}
		if w > 0 {
			domains[di] = sum / w
			psum += weight(d.Weight) * domains[di]
			pw += weight(d.Weight)
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

func summarize(m *model.Model, vals []value, count *completeness, targets map[string]int) (Program, []DomainScore, []CategoryScore) {
	cats := computeCategories(m, vals)
	domainScores, domainNA, programScore, floor, programNA := aggregate(m, cats)
	prog := Program{Score: programScore, Floor: floor, NA: programNA}
	catOut := make([]CategoryScore, len(m.Categories))
	var totalA, totalV int
	for ci, c := range m.Categories {
		cs := CategoryScore{
			ID: c.ID, Domain: c.Domain, Level: cats[ci].level, Score: cats[ci].score,
			Completeness: ratio(count.valued[c.ID], count.applicable[c.ID]),
			Blocking:     cats[ci].blocking, AboveGate: cats[ci].aboveGate,
		}
		if cats[ci].na {
			// Not applicable: no level, score or target; the objectives
			// still count towards completeness (none applicable: 1).
			cs.Status = StatusNA
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
	prog.Completeness = ratio(totalV, totalA)
	domOut := make([]DomainScore, len(m.Domains))
	for di, d := range m.Domains {
		var a, v int
		for _, c := range m.Categories {
			if c.Domain == d.ID {
				a += count.applicable[c.ID]
				v += count.valued[c.ID]
			}
		}
		domOut[di] = DomainScore{ID: d.ID, Score: domainScores[di], Completeness: ratio(v, a), NA: domainNA[di]}
	}
	return prog, domOut, catOut
}

// roadmap lists, phase by phase, the unmet applicable objectives at level L+k
// of every category whose target is at least L+k, and projects the scores
// once every objective of phases 1..k is met.
func roadmap(m *model.Model, vals []value, cats []CategoryScore) []Phase {
	maxK := 0
	for _, c := range cats {
		if c.Target != nil && !c.NA() {
			maxK = max(maxK, *c.Target-c.Level)
		}
	}
	projected := append([]value(nil), vals...)
	phases := []Phase{}
	for k := 1; k <= maxK; k++ {
		items := []PhaseObjective{}
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
				if vals[i].applicable && !met(o, vals[i]) {
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
			items = append(items, PhaseObjective{ID: o.ID, Category: o.Category, Level: o.Level})
			projected[i] = value{v: 1, applicable: true, status: StatusAnswered, source: projected[i].source}
		}
		pc := computeCategories(m, projected)
		ds, dna, ps, floor, _ := aggregate(m, pc)
		p := Phase{Phase: k, Objectives: items, Projected: ProjectedScores{Program: ps, Floor: floor}}
		for di, d := range m.Domains {
			p.Projected.Domains = append(p.Projected.Domains, ProjectedDomain{ID: d.ID, Score: ds[di], NA: dna[di]})
		}
		for ci, c := range m.Categories {
			p.Projected.Categories = append(p.Projected.Categories, ProjectedCategory{ID: c.ID, Level: pc[ci].level, Score: pc[ci].score, NA: pc[ci].na})
		}
		phases = append(phases, p)
	}
	return phases
}
