package assess

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"sync"

	"github.com/csmm/csmm/internal/model"
)

// Truncate cuts a score to one decimal, never rounding up, so that the integer
// part of a displayed score always equals the level (3.96 becomes 3.9).
func Truncate(score float64) float64 {
	// The small epsilon keeps values such as 2.7, stored as 2.6999…, at 2.7.
	return math.Floor(score*10+1e-12) / 10
}

// value is the effective value of one objective in one scope (or roll-up).
// Its status and source are small codes (see statusOf and sourceOf), so that
// the tables of values scoring keeps are small and cheap to copy.
type value struct {
	v          float64
	applicable bool
	status     valueStatus
	source     valueSource
}

// valueStatus codes a Status in a value.
type valueStatus uint8

const (
	vsUnset valueStatus = iota
	vsAnswered
	vsUnanswered
	vsStale
	vsNA
	vsExempt
)

// statusOf is the Status of each code.
var statusOf = [...]Status{vsUnset: "", vsAnswered: StatusAnswered, vsUnanswered: StatusUnanswered, vsStale: StatusStale, vsNA: StatusNA, vsExempt: StatusExempt}

// valueSource codes a Source in a value.
type valueSource uint8

const (
	srcUnset valueSource = iota
	srcManual
	srcAutomated
	srcNone
)

// sourceOf is the Source of each code.
var sourceOf = [...]Source{srcUnset: "", srcManual: SourceManual, srcAutomated: SourceAutomated, srcNone: SourceNone}

// levelSlots is the size of a table indexed by level.
const levelSlots = model.MaxLevel + 1

// layout indexes a model for one scoring, so that the tables of values are
// read by position rather than by matching IDs: each objective's category,
// each category's domain, and each category's objectives per level.
type layout struct {
	// objCat is the index of each objective's category, -1 for none.
	objCat []int
	// catDom is the index of each category's domain, -1 for none.
	catDom []int
	// gate holds the objectives of levels MinLevel+1 to MaxLevel, by
	// category, then level, then model order: those of category ci at level
	// l are gate[start[ci*levelSlots+l]:start[ci*levelSlots+l+1]].
	gate  []int
	start []int
}

// init indexes m. Model IDs are unique (the model is validated where it
// is read), so each objective has at most one category and each category at
// most one domain.
func (lay *layout) init(m *model.Model) {
	n, nc := len(m.Objectives), len(m.Categories)
	buf := make([]int, n+nc+n+nc*levelSlots+1)
	*lay = layout{
		objCat: buf[:n:n],
		catDom: buf[n : n+nc : n+nc],
		gate:   buf[n+nc : 2*n+nc : 2*n+nc],
		start:  buf[2*n+nc:],
	}
	last := -1
	for i := range m.Objectives {
		id := m.Objectives[i].Category
		if last < 0 || m.Categories[last].ID != id {
			last = -1
			for ci := range m.Categories {
				if m.Categories[ci].ID == id {
					last = ci
					break
				}
			}
		}
		lay.objCat[i] = last
	}
	for ci := range m.Categories {
		lay.catDom[ci] = -1
		for di := range m.Domains {
			if m.Domains[di].ID == m.Categories[ci].Domain {
				lay.catDom[ci] = di
				break
			}
		}
	}
	// A counting sort of the objectives by category and level: count into
	// start[k+1], sum, then place each at start[k] (which moves it on to
	// the next slot's start; shifted back at the end).
	for i := range m.Objectives {
		if k := lay.slot(m, i); k >= 0 {
			lay.start[k+1]++
		}
	}
	for k := 1; k < len(lay.start); k++ {
		lay.start[k] += lay.start[k-1]
	}
	lay.gate = lay.gate[:lay.start[len(lay.start)-1]]
	for i := range m.Objectives {
		if k := lay.slot(m, i); k >= 0 {
			lay.gate[lay.start[k]] = i
			lay.start[k]++
		}
	}
	copy(lay.start[1:], lay.start[:len(lay.start)-1])
	lay.start[0] = 0
}

// slot is objective i's slot in start, or -1 when it has no category or a
// level that no gate counts.
func (lay *layout) slot(m *model.Model, i int) int {
	ci, l := lay.objCat[i], m.Objectives[i].Level
	if ci < 0 || l <= model.MinLevel || l > model.MaxLevel {
		return -1
	}
	return ci*levelSlots + l
}

// at lists the objectives of category ci at level l (MinLevel < l <= MaxLevel).
func (lay *layout) at(ci, l int) []int {
	k := ci*levelSlots + l
	return lay.gate[lay.start[k]:lay.start[k+1]]
}

// scratch is memory that one scoring reuses from scope to scope and from
// phase to phase of the roadmap; nothing in it goes into the result.
type scratch struct {
	cats      []categoryCalc
	domains   []float64
	domainW   []float64
	domainNA  []bool
	sel       []int
	selBounds []int
}

func (s *scratch) init(m *model.Model) {
	n, nc, nd := len(m.Objectives), len(m.Categories), len(m.Domains)
	f := make([]float64, 2*nd)
	ints := make([]int, n+2*nc)
	*s = scratch{
		cats:      make([]categoryCalc, nc),
		domains:   f[:nd:nd],
		domainW:   f[nd:],
		domainNA:  make([]bool, nd),
		sel:       ints[:0:n],
		selBounds: ints[n:],
	}
}

// Score scores an assessment by the method of the project's scoring
// specification. It never fails: the input is validated where it is read.
func Score(in Input) Result { return score(in, nil) }

// ScoreTransient scores in as Score does, with the result's objective
// scores, the answers they point to and their values in buffers that
// earlier transient results released: for a result that is read once
// (encoded) and dropped. release returns the buffers; nothing of the
// result may be read after it, and it must be called once only.
func ScoreTransient(in Input) (res Result, release func()) {
	buf, _ := resultBuffers.Get().(*buffers)
	if buf == nil {
		buf = new(buffers)
	}
	res = score(in, buf)
	return res, func() {
		// Nothing pooled keeps what the result pointed to alive.
		clear(buf.objs[:cap(buf.objs)])
		clear(buf.answers[:cap(buf.answers)])
		if cap(buf.objs) <= maxBufferedObjectives {
			resultBuffers.Put(buf)
		}
	}
}

// buffers holds the largest parts of a transient result: its objective
// scores (every scope's, then the roll-up's), the answers and the values
// they point to.
type buffers struct {
	objs    []ObjectiveScore
	answers []Response
	floats  []float64
}

// resultBuffers pools the buffers of released transient results; those of
// an assessment of hundreds of scopes are not kept.
var resultBuffers sync.Pool

const maxBufferedObjectives = 4096

// The buffers' methods allocate anew on a nil *buffers (Score's).

// objectives returns the objective scores of scope si of a result of
// ns scopes of n objectives each (si == ns: the roll-up), zeroed. From
// buffers, every scope's are taken from one array, set up when si is 0;
// else each is an allocation of its own (one of them all would be a large
// object, rounded up to whole pages).
func (b *buffers) objectives(si, n, ns int) []ObjectiveScore {
	if b == nil {
		return make([]ObjectiveScore, n)
	}
	if si == 0 {
		b.objs = zeroed(b.objs, n*(ns+1))
	}
	return b.objs[si*n : (si+1)*n : (si+1)*n]
}

// responses returns room for n answers, empty.
func (b *buffers) responses(n int) []Response {
	if b == nil {
		return make([]Response, 0, n)
	}
	if cap(b.answers) < n {
		b.answers = make([]Response, 0, n)
	}
	return b.answers[:0]
}

// values returns n values, zeroed.
func (b *buffers) values(n int) []float64 {
	if b == nil {
		return make([]float64, n)
	}
	b.floats = zeroed(b.floats, n)
	return b.floats
}

// zeroed returns s resliced to n zero values, or a new slice when s has
// not the room.
func zeroed[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// scopeListMax is the most scopes for which score finds an answer's scope
// by going through the list; past it, through a map of the scopes' IDs.
var scopeListMax = 8

func score(in Input, buf *buffers) Result {
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
	var lay layout
	lay.init(m)
	var s scratch
	s.init(m)
	n, ns, nc := len(m.Objectives), len(scopes), len(m.Categories)

	// The exemption of each objective, if any (exempt: in force; it applies
	// to every scope): exemptions[exemptionAt[i]-1], exemptionAt[i] 0 for
	// none. Each objective score gets its own copy.
	var exemptions []Exemption
	var exemptionAt []int32
	var exempt []bool
	if len(in.Exemptions) > 0 {
		exemptions = make([]Exemption, 0, min(len(in.Exemptions), n))
		exemptionAt = make([]int32, n)
		exempt = make([]bool, n)
		for i := range m.Objectives {
			if e, ok := in.Exemptions[m.Objectives[i].ID]; ok {
				exemptions = append(exemptions, e)
				exemptionAt[i] = int32(len(exemptions))
				exempt[i] = e.ValidOn(in.AsOf)
			}
		}
	}
	copies := make([]Exemption, 0, len(exemptions)*(ns+1))
	addExemption := func(os *ObjectiveScore, i int) {
		if exemptionAt != nil && exemptionAt[i] > 0 {
			copies = append(copies, exemptions[exemptionAt[i]-1])
			os.Exemption = &copies[len(copies)-1]
			os.ExemptionExpired = !exempt[i]
		}
	}

	// Values of every scope, then of the roll-up; the value each objective
	// score points to; the completeness counts of every scope, then of the
	// roll-up (applicable then valued, per category).
	vals := make([]value, n*(ns+1))
	floats := buf.values(n * (ns + 1))
	counts := make([]int, 2*nc*(ns+1))
	rollupCount := counts[2*nc*ns:]
	// What objective scores' Answer point to: one per answer found, that
	// of objective i in scope si at answerAt[si*n+i]-1 (0 for none). The
	// maps are gone through once (Saved's answers replace Answers'):
	// looking every objective up in each map for each scope took half of
	// the scoring.
	answers := buf.responses(min(len(in.Answers)+len(in.Saved), n*ns))
	answerAt := make([]int32, n*ns)
	put := func(si, i int, a Response) {
		if p := answerAt[si*n+i]; p > 0 {
			answers[p-1] = a
			return
		}
		answers = append(answers, a)
		answerAt[si*n+i] = int32(len(answers))
	}
	// The scopes of an answer's ID: found by going through the scopes
	// when they are few, else through firstScope and nextScope, so that
	// placing the answers of hundreds of scopes stays linear.
	var firstScope map[string]int
	var nextScope []int
	if ns > scopeListMax {
		firstScope, nextScope = make(map[string]int, ns), make([]int, ns)
		for si := ns - 1; si >= 0; si-- {
			nextScope[si] = -1
			if f, ok := firstScope[scopes[si].ID]; ok {
				nextScope[si] = f
			}
			firstScope[scopes[si].ID] = si
		}
	}
	place := func(k Key, a Response) {
		i, ok := m.ObjectiveIndex(k.Objective)
		if !ok {
			return
		}
		if firstScope == nil {
			for si := range scopes {
				if scopes[si].ID == k.Scope {
					put(si, i, a)
				}
			}
			return
		}
		si, ok := firstScope[k.Scope]
		for ok && si >= 0 {
			put(si, i, a)
			si = nextScope[si]
		}
	}
	for k, a := range in.Answers {
		place(k, a)
	}
	for k, a := range in.Saved {
		place(k, a)
	}
	// What objective scores' Evidence point to: one per evidence found.
	evidences := make([]Evidence, 0, min(len(in.Evidence), n*ns))
	// What the roll-up lists of every scope, allocated when there is any.
	var contradicted [][]Contradiction
	var staleEv, laterEv [][]CheckEvidence
	res.Scopes = make([]ScopeResult, ns)
	for si, sc := range scopes {
		sv := vals[si*n : (si+1)*n]
		count := counts[2*nc*si : 2*nc*(si+1)]
		objs := buf.objectives(si, n, ns)
		for i := range m.Objectives {
			o := &m.Objectives[i]
			key := Key{Objective: o.ID, Scope: sc.ID}
			var ans *Response
			if p := answerAt[si*n+i]; p > 0 {
				ans = &answers[p-1]
			}
			var ev, fresh *Evidence
			if len(in.Evidence) > 0 {
				if e, ok := in.Evidence[key]; ok {
					ev = &e
					evidences = append(evidences, Evidence{})
					fresh = &evidences[len(evidences)-1]
				}
			}
			j := judge(o, ans, ev, fresh, sc.ID, in.AsOf, validity, evValidity)
			if exempt != nil && exempt[i] {
				j.val = value{status: vsExempt, source: srcNone}
				j.contradicted = nil
			}
			sv[i] = j.val
			countValue(count, lay.objCat[i], j.val)
			countValue(rollupCount, lay.objCat[i], j.val)
			os := &objs[i]
			setObjectiveScore(os, o, j.val, &floats[si*n+i])
			os.Answer = ans
			os.Evidence = j.evidence
			os.Contradicted = j.contradicted
			os.StaleEvidence = j.stale
			os.LaterEvidence = j.later
			os.AnswerAfterAsOf = j.future
			addExemption(os, i)
			if len(j.contradicted) > 0 {
				if contradicted == nil {
					contradicted = make([][]Contradiction, n)
				}
				contradicted[i] = append(contradicted[i], j.contradicted...)
			}
			staleEv = appendScoped(staleEv, n, i, j.stale, sc.ID)
			laterEv = appendScoped(laterEv, n, i, j.later, sc.ID)
		}
		sr := &res.Scopes[si]
		*sr = ScopeResult{ID: sc.ID, Weight: weight(sc.Weight), Objectives: objs}
		sr.Program, sr.Domains, sr.Categories = summarize(&lay, m, sv, count, in.Targets, &s)
	}

	rollup := vals[n*ns:]
	combine(m, scopes, vals, rollup)
	res.Objectives = buf.objectives(ns, n, ns)
	for i := range m.Objectives {
		os := &res.Objectives[i]
		setObjectiveScore(os, &m.Objectives[i], rollup[i], &floats[n*ns+i])
		addExemption(os, i)
		// The roll-up lists what every scope found, each item naming its scope.
		if contradicted != nil {
			os.Contradicted = contradicted[i]
		}
		if staleEv != nil {
			os.StaleEvidence = staleEv[i]
		}
		if laterEv != nil {
			os.LaterEvidence = laterEv[i]
		}
	}
	res.Program, res.Domains, res.Categories = summarize(&lay, m, rollup, rollupCount, in.Targets, &s)
	res.Roadmap = roadmap(&lay, m, rollup, res.Categories, &s)
	return res
}

func weight(w float64) float64 {
	if w <= 0 {
		return 1
	}
	return w
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
// When there is evidence, fresh is where the evidence that counts is written
// (j.evidence points to it).
func judge(o *model.Objective, ans *Response, ev, fresh *Evidence, scope string, asOf Date, validity, evValidity int) judged {
	var j judged
	manual := value{status: vsUnanswered, source: srcNone, applicable: true}
	validManual := false
	if ans != nil && (ans.Answer != "" || ans.Measure != nil) {
		v, applicable, ok := ans.Value()
		switch {
		case !ok, o.Binary() && !binaryAnswer(ans):
			// Rejected where answers are read (an unknown word, an invalid
			// measure, or a binary objective answered on the coverage
			// scale); anything that gets here anyway counts as unanswered.
		case !ans.Date.IsZero() && ans.Date.After(asOf):
			// Not known on the as-of date: unanswered, and flagged so that
			// the command line can warn.
			j.future = true
		case !ans.Date.IsZero() && asOf.DaysSince(ans.Date) > validity:
			// Stale, na included: applicable with v = 0 until confirmed.
			manual = value{status: vsStale, source: srcManual, applicable: true}
		case !applicable:
			manual = value{status: vsNA, source: srcManual}
			validManual = true
		default:
			manual = value{v: v, status: vsAnswered, source: srcManual, applicable: true}
			validManual = true
		}
	}
	var auto value
	hasAuto := false
	if ev != nil {
		j.stale, j.later = freshEvidence(fresh, ev, asOf, evValidity)
		j.evidence = fresh
		if fresh.Evaluated() {
			auto = value{v: fresh.Value(), status: vsAnswered, source: srcAutomated, applicable: true}
			hasAuto = true
		}
	}
	switch o.Mode {
	case model.ModeAutomated:
		j.val = manual
		if hasAuto {
			j.val = auto
		}
	case model.ModeEither:
		switch {
		case validManual:
			j.val = manual
		case hasAuto:
			j.val = auto
		default:
			j.val = manual
		}
	default:
		j.val = manual
	}
	if j.val.source == srcManual && j.val.status == vsAnswered && claimsMost(ans) && j.evidence != nil {
		j.contradicted = contradictions(o, j.evidence, scope)
	}
	return j
}

// binaryAnswer reports whether a response is one a binary objective accepts.
func binaryAnswer(r *Response) bool {
	return r.Measure == nil && (r.Answer == No || r.Answer == Yes || r.Answer == NA)
}

// claimsMost reports whether a manual answer claims most or all of the
// scope: most, yes, or a measure of at least 0.75 (what most stands for), the
// answers that failing checks contradict.
func claimsMost(r *Response) bool {
	if r.Measure != nil {
		return r.Measure.Valid() && r.Measure.Value() >= 0.75
	}
	return r.Answer == Most || r.Answer == Yes
}

// freshEvidence splits evidence into what counts on the as-of date (written
// to fresh) and what does not: scans more than evValidity days before it
// (stale) and scans after it (not known then). Evidence without per-check
// counts counts as is.
func freshEvidence(fresh, ev *Evidence, asOf Date, evValidity int) (stale, later []CheckEvidence) {
	if len(ev.Checks) == 0 {
		*fresh = *ev
		return nil, nil
	}
	*fresh = Evidence{}
	// Each scan's kind, counted first so that each list is allocated once.
	const (
		isFresh = iota
		isStale
		isLater
	)
	kind := func(c *CheckEvidence) int {
		switch {
		case !c.Scanned.IsZero() && c.Scanned.After(asOf):
			return isLater
		case !c.Scanned.IsZero() && asOf.DaysSince(c.Scanned) > evValidity:
			return isStale
		}
		return isFresh
	}
	var counts [3]int
	for i := range ev.Checks {
		counts[kind(&ev.Checks[i])]++
	}
	if counts[isFresh] > 0 {
		fresh.Checks = make([]CheckEvidence, 0, counts[isFresh])
	}
	if counts[isStale] > 0 {
		stale = make([]CheckEvidence, 0, counts[isStale])
	}
	if counts[isLater] > 0 {
		later = make([]CheckEvidence, 0, counts[isLater])
	}
	for i := range ev.Checks {
		c := &ev.Checks[i]
		switch kind(c) {
		case isLater:
			later = append(later, *c)
			continue
		case isStale:
			stale = append(stale, *c)
			continue
		}
		fresh.Checks = append(fresh.Checks, *c)
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
	return stale, later
}

// contradictions lists, per check in the objective's order (deciding, then
// supporting), the resources that failed it in fresh evidence.
func contradictions(o *model.Objective, ev *Evidence, scope string) []Contradiction {
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

// setObjectiveScore sets what an objective score takes from the objective
// and its value; x is where the score's Value points when it has one.
func setObjectiveScore(os *ObjectiveScore, o *model.Objective, v value, x *float64) {
	os.ID, os.Category, os.Level = o.ID, o.Category, o.Level
	os.Status, os.Source, os.Threshold = statusOf[v.status], sourceOf[v.source], o.Threshold
	if v.applicable {
		*x = v.v
		os.Value = x
		os.Met = met(o, v)
	}
}

func met(o *model.Objective, v value) bool { return v.applicable && v.v >= o.Threshold-1e-12 }

// combine computes the roll-up into out: per objective, the weighted mean of
// v over the scopes where it is applicable; excluded where it is excluded in
// every scope. vals holds the values of each scope in turn.
func combine(m *model.Model, scopes []Scope, vals, out []value) {
	n := len(m.Objectives)
	for i := range m.Objectives {
		var sum, wsum float64
		allExempt := true
		unanswered, stale, manual, automated := false, false, false, false
		for si, sc := range scopes {
			v := vals[si*n+i]
			if v.status != vsExempt {
				allExempt = false
			}
			if !v.applicable {
				continue
			}
			w := weight(sc.Weight)
			sum += w * v.v
			wsum += w
			switch v.status {
			case vsUnanswered:
				unanswered = true
			case vsStale:
				stale = true
			}
			switch v.source {
			case srcManual:
				manual = true
			case srcAutomated:
				automated = true
			}
		}
		switch {
		case allExempt:
			out[i] = value{status: vsExempt, source: srcNone}
		case wsum == 0:
			out[i] = value{status: vsNA, source: srcManual}
		default:
			v := value{v: sum / wsum, applicable: true, status: vsAnswered, source: srcNone}
			switch {
			case unanswered:
				v.status = vsUnanswered
			case stale:
				v.status = vsStale
			}
			switch {
			case manual:
				v.source = srcManual
			case automated:
				v.source = srcAutomated
			}
			out[i] = v
		}
	}
}

// countValue adds a value of an objective of category ci (-1 for none) to
// completeness counts: applicable (objective, scope) pairs in count[2*ci],
// those whose value comes from a valid answer or from evidence in
// count[2*ci+1].
func countValue(count []int, ci int, v value) {
	if !v.applicable || ci < 0 {
		return
	}
	count[2*ci]++
	if v.status == vsAnswered {
		count[2*ci+1]++
	}
}

func ratio(valued, applicable int) float64 {
	if applicable == 0 {
		return 1
	}
	return float64(valued) / float64(applicable)
}

// categoryCalc is a category's level and score from a table of values.
type categoryCalc struct {
	// na: no objective of the category is applicable.
	na    bool
	level int
	score float64
}

// computeCategories computes each category's level and score from a table
// of values into out, in model order.
func computeCategories(lay *layout, m *model.Model, vals []value, out []categoryCalc) {
	for ci := range m.Categories {
		na := true
		for l := model.MinLevel + 1; l <= model.MaxLevel && na; l++ {
			for _, i := range lay.at(ci, l) {
				if vals[i].applicable {
					na = false
					break
				}
			}
		}
		if na {
			out[ci] = categoryCalc{na: true}
			continue
		}
		level := model.MinLevel
	levels:
		for l := model.MinLevel + 1; l <= model.MaxLevel; l++ {
			for _, i := range lay.at(ci, l) {
				if vals[i].applicable && !met(&m.Objectives[i], vals[i]) {
					break levels
				}
			}
			level = l
		}
		calc := categoryCalc{level: level, score: float64(level)}
		if level < model.MaxLevel {
			var sum float64
			n := 0
			for _, i := range lay.at(ci, level+1) {
				if vals[i].applicable {
					sum += vals[i].v
					n++
				}
			}
			if n > 0 {
				calc.score += sum / float64(n)
			}
		}
		out[ci] = calc
	}
}

// gateLists sets each category's Blocking (the applicable objectives at
// level+1 that are not met) and AboveGate (objectives met at levels above
// level+1), both empty for a not-applicable category or one at the top
// level. The lists share one array, each capped at its length.
func gateLists(lay *layout, m *model.Model, vals []value, cats []categoryCalc, out []CategoryScore, s *scratch) {
	sel, bounds := s.sel[:0], s.selBounds
	for ci, c := range cats {
		if !c.na && c.level < model.MaxLevel {
			for _, i := range lay.at(ci, c.level+1) {
				if vals[i].applicable && !met(&m.Objectives[i], vals[i]) {
					sel = append(sel, i)
				}
			}
			bounds[2*ci] = len(sel)
			for l := c.level + 2; l <= model.MaxLevel; l++ {
				for _, i := range lay.at(ci, l) {
					if met(&m.Objectives[i], vals[i]) {
						sel = append(sel, i)
					}
				}
			}
		} else {
			bounds[2*ci] = len(sel)
		}
		bounds[2*ci+1] = len(sel)
	}
	names := make([]string, len(sel))
	for k, i := range sel {
		names[k] = m.Objectives[i].ID
	}
	from := 0
	for ci := range cats {
		mid, to := bounds[2*ci], bounds[2*ci+1]
		out[ci].Blocking = names[from:mid:mid]
		out[ci].AboveGate = names[mid:to:to]
		from = to
	}
	s.sel = sel
}

// aggregate computes domain scores into s.domains and s.domainNA, and the
// program score and the floor, from category scores, with the model's
// weights. Not-applicable categories are left out of their domain's mean
// (the others' weights are used); a domain with none applicable is not
// applicable and left out of the program's mean; the floor is over
// applicable categories; programNA is set when nothing at all is applicable
// (program and floor are then 0, shown as null).
func aggregate(lay *layout, m *model.Model, cats []categoryCalc, s *scratch) (program float64, floor int, programNA bool) {
	domains, w := s.domains, s.domainW
	clear(domains)
	clear(w)
	floor = model.MaxLevel
	applicable := 0
	for ci := range m.Categories {
		if cats[ci].na {
			continue
		}
		floor = min(floor, cats[ci].level)
		applicable++
		if di := lay.catDom[ci]; di >= 0 {
			cw := weight(m.Categories[ci].Weight)
			domains[di] += cw * cats[ci].score
			w[di] += cw
		}
	}
	var psum, pw float64
	for di := range m.Domains {
		if w[di] > 0 {
			domains[di] /= w[di]
			dw := weight(m.Domains[di].Weight)
			psum += dw * domains[di]
			pw += dw
			s.domainNA[di] = false
		} else {
			domains[di] = 0
			s.domainNA[di] = true
		}
	}
	if pw > 0 {
		program = psum / pw
	}
	if applicable == 0 {
		return 0, 0, true
	}
	return program, floor, false
}

func summarize(lay *layout, m *model.Model, vals []value, count []int, targets map[string]int, s *scratch) (Program, []DomainScore, []CategoryScore) {
	cats := s.cats
	computeCategories(lay, m, vals, cats)
	programScore, floor, programNA := aggregate(lay, m, cats, s)
	prog := Program{Score: programScore, Floor: floor, NA: programNA}
	catOut := make([]CategoryScore, len(m.Categories))
	gateLists(lay, m, vals, cats, catOut, s)
	// What targets' pointers point to, allocated at the first target.
	var targetOf []int
	var gapOf []float64
	var metOf []bool
	var totalA, totalV int
	for ci := range m.Categories {
		c := &m.Categories[ci]
		a, v := count[2*ci], count[2*ci+1]
		cs := &catOut[ci]
		cs.ID, cs.Domain, cs.Level, cs.Score = c.ID, c.Domain, cats[ci].level, cats[ci].score
		cs.Completeness = ratio(v, a)
		if cats[ci].na {
			// Not applicable: no level, score or target; the objectives
			// still count towards completeness (none applicable: 1).
			cs.Status = StatusNA
		} else if t, ok := targets[c.ID]; ok && t >= model.MinLevel && t <= model.MaxLevel {
			if targetOf == nil {
				targetOf = make([]int, len(m.Categories))
				gapOf = make([]float64, len(m.Categories))
				metOf = make([]bool, len(m.Categories))
			}
			targetOf[ci] = t
			gapOf[ci] = math.Max(0, float64(t)-cs.Score)
			metOf[ci] = cs.Level >= t
			cs.Target, cs.Gap, cs.TargetMet = &targetOf[ci], &gapOf[ci], &metOf[ci]
			prog.TargetsSet++
			if metOf[ci] {
				prog.TargetsMet++
			}
		}
		totalA += a
		totalV += v
	}
	prog.Completeness = ratio(totalV, totalA)
	domOut := make([]DomainScore, len(m.Domains))
	for di, d := range m.Domains {
		var a, v int
		for ci := range m.Categories {
			if lay.catDom[ci] == di {
				a += count[2*ci]
				v += count[2*ci+1]
			}
		}
		domOut[di] = DomainScore{ID: d.ID, Score: s.domains[di], Completeness: ratio(v, a), NA: s.domainNA[di]}
	}
	return prog, domOut, catOut
}

// roadmap lists, phase by phase, the unmet applicable objectives at level L+k
// of every category whose target is at least L+k, and projects the scores
// once every objective of phases 1..k is met.
func roadmap(lay *layout, m *model.Model, vals []value, cats []CategoryScore, s *scratch) []Phase {
	maxK := 0
	for _, c := range cats {
		if c.Target != nil && !c.NA() {
			maxK = max(maxK, *c.Target-c.Level)
		}
	}
	phases := make([]Phase, 0, maxK)
	if maxK == 0 {
		return phases
	}
	// The objectives of a phase are listed by domain, then category, then
	// in model order.
	order := make([]int, len(m.Categories))
	for ci := range order {
		order[ci] = ci
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ca, cb := &m.Categories[a], &m.Categories[b]
		if c := cmp.Compare(m.DomainOrder(ca.Domain), m.DomainOrder(cb.Domain)); c != 0 {
			return c
		}
		return cmp.Compare(m.CategoryOrder(ca.ID), m.CategoryOrder(cb.ID))
	})
	projected := append([]value(nil), vals...)
	nd, nc := len(m.Domains), len(m.Categories)
	domains := make([]ProjectedDomain, maxK*nd)
	categories := make([]ProjectedCategory, maxK*nc)
	for k := 1; k <= maxK; k++ {
		idx := s.sel[:0]
		for _, ci := range order {
			c := &cats[ci]
			if c.Target == nil || c.NA() || *c.Target < c.Level+k {
				continue
			}
			for _, i := range lay.at(ci, c.Level+k) {
				if vals[i].applicable && !met(&m.Objectives[i], vals[i]) {
					idx = append(idx, i)
				}
			}
		}
		items := make([]PhaseObjective, len(idx))
		for n, i := range idx {
			o := &m.Objectives[i]
			items[n] = PhaseObjective{ID: o.ID, Category: o.Category, Level: o.Level}
			projected[i] = value{v: 1, applicable: true, status: vsAnswered, source: projected[i].source}
		}
		s.sel = idx
		pc := s.cats
		computeCategories(lay, m, projected, pc)
		ps, floor, _ := aggregate(lay, m, pc, s)
		p := Phase{Phase: k, Objectives: items, Projected: ProjectedScores{Program: ps, Floor: floor}}
		if nd > 0 {
			p.Projected.Domains = domains[(k-1)*nd : k*nd : k*nd]
			for di := range m.Domains {
				p.Projected.Domains[di] = ProjectedDomain{ID: m.Domains[di].ID, Score: s.domains[di], NA: s.domainNA[di]}
			}
		}
		if nc > 0 {
			p.Projected.Categories = categories[(k-1)*nc : k*nc : k*nc]
			for ci := range m.Categories {
				p.Projected.Categories[ci] = ProjectedCategory{ID: m.Categories[ci].ID, Level: pc[ci].level, Score: pc[ci].score, NA: pc[ci].na}
			}
		}
		phases = append(phases, p)
	}
	return phases
}

// appendScoped appends list to per[i], each check marked with scope, making
// per (one list for each of n objectives) on the first check.
func appendScoped(per [][]CheckEvidence, n, i int, list []CheckEvidence, scope string) [][]CheckEvidence {
	if len(list) == 0 {
		return per
	}
	if per == nil {
		per = make([][]CheckEvidence, n)
	}
	for _, c := range list {
		c.Scope = scope
		per[i] = append(per[i], c)
	}
	return per
}
