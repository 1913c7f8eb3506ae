package assess_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
	"github.com/google/go-cmp/cmp"
)

// rev2Model uses the revision-2 fields: a binary objective with a
// supporting check, coverage objectives with deciding and supporting checks.
// Domain one holds AAA and BBB, domain two holds CCC.
const rev2Model = `id: rtwo
version: 1.0.0
name: Revision 2 test model
levels:
  - {level: 1, name: L1}
  - {level: 2, name: L2}
  - {level: 3, name: L3}
  - {level: 4, name: L4}
  - {level: 5, name: L5}
domains:
  - {id: one, name: One}
  - {id: two, name: Two}
categories:
  - {id: AAA, domain: one, name: A}
  - {id: BBB, domain: one, name: B, weight: 3}
  - {id: CCC, domain: two, name: C}
objectives:
  - {id: AAA-2.1, category: AAA, level: 2, title: t, question: q, mode: manual, scale: binary, supporting_checks: ["x:sup"]}
  - {id: AAA-3.1, category: AAA, level: 3, title: t, question: q, mode: either, threshold: 0.9, checks: ["x:dec"], supporting_checks: ["x:sup2"]}
  - {id: AAA-4.1, category: AAA, level: 4, title: t, question: q, mode: automated, checks: ["x:auto"]}
  - {id: AAA-5.1, category: AAA, level: 5, title: t, question: q, mode: manual}
  - {id: BBB-2.1, category: BBB, level: 2, title: t, question: q, mode: manual}
  - {id: BBB-3.1, category: BBB, level: 3, title: t, question: q, mode: manual}
  - {id: BBB-4.1, category: BBB, level: 4, title: t, question: q, mode: manual}
  - {id: BBB-5.1, category: BBB, level: 5, title: t, question: q, mode: manual}
  - {id: CCC-2.1, category: CCC, level: 2, title: t, question: q, mode: manual}
  - {id: CCC-3.1, category: CCC, level: 3, title: t, question: q, mode: manual}
  - {id: CCC-4.1, category: CCC, level: 4, title: t, question: q, mode: manual}
  - {id: CCC-5.1, category: CCC, level: 5, title: t, question: q, mode: manual}
`

func rev2(t testing.TB) *model.Model {
	t.Helper()
	m, err := model.Parse("rev2.yaml", []byte(rev2Model))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func key(id string) assess.Key { return assess.Key{Objective: id, Scope: assess.DefaultScope} }

func word(a assess.Answer, date string) assess.Response {
	r := assess.Response{Answer: a, Date: mustDate(date)}
	if a == assess.NA {
		r.Justification = "does not apply"
	}
	return r
}

func measure(measured, of float64) assess.Response {
	return assess.Response{Measure: &assess.Measure{Measured: measured, Of: of}, Date: asOf}
}

// scan is per-check evidence: check, role, scan date and counts.
func scan(check string, supporting bool, date string, passed, failed int) assess.CheckEvidence {
	c := assess.CheckEvidence{Check: check, Supporting: supporting, Passed: passed, Failed: failed, Source: "scan.json"}
	if date != "" {
		c.Scanned = mustDate(date)
	}
	return c
}

// ev builds evidence from per-check counts, totals over the deciding ones,
// as the evidence package does.
func ev(checks ...assess.CheckEvidence) assess.Evidence {
	var e assess.Evidence
	for _, c := range checks {
		e = e.Plus(assess.Evidence{Checks: []assess.CheckEvidence{c}})
		if !c.Supporting {
			e.Passed += c.Passed
			e.Failed += c.Failed
		}
	}
	return e
}

func TestScoreRevision2Values(t *testing.T) {
	m := rev2(t)
	tests := []struct {
		name     string
		id       string
		answer   assess.Response
		evidence *assess.Evidence
		want     objectiveView
		future   bool
	}{
		{"measured 87 of 120", "AAA-3.1", measure(87, 120), nil, answered(87.0/120, false), false},
		{"measured at the threshold is met", "AAA-3.1", measure(108, 120), nil, answered(0.9, true), false},
		{"percentage", "AAA-3.1", assess.Response{Measure: &assess.Measure{Measured: 72.5, Of: 100, Percent: true}, Date: asOf}, nil, answered(0.725, false), false},
		{"measured zero of zero counts as unanswered", "AAA-3.1", measure(0, 0), nil, unanswered, false},
		{"measured above of counts as unanswered", "AAA-3.1", measure(5, 4), nil, unanswered, false},
		{"binary yes", "AAA-2.1", word(assess.Yes, "2026-11-20"), nil, answered(1, true), false},
		{"binary answered half counts as unanswered", "AAA-2.1", word(assess.Half, "2026-11-20"), nil, unanswered, false},
		{"binary given a measure counts as unanswered", "AAA-2.1", measure(1, 2), nil, unanswered, false},
		{"stale na is applicable with v = 0", "BBB-2.1", word(assess.NA, "2025-11-19"), nil, stale, false},
		{"na within validity is excluded", "BBB-2.1", word(assess.NA, "2025-11-20"), nil, notApplying, false},
		{"answer dated after the as-of date is unanswered", "BBB-2.1", word(assess.Yes, "2026-11-21"), nil, unanswered, true},
		{"a future na does not exclude", "BBB-2.1", word(assess.NA, "2027-01-01"), nil, unanswered, true},
		{"future answer falls back to evidence", "AAA-3.1", word(assess.Yes, "2026-12-01"),
			ptr(ev(scan("x:dec", false, "2026-11-19", 3, 1))), automated(0.75, false), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := assess.Input{Model: m, AsOf: asOf, Answers: map[assess.Key]assess.Response{key(tt.id): tt.answer}}
			if tt.evidence != nil {
				in.Evidence = map[assess.Key]assess.Evidence{key(tt.id): *tt.evidence}
			}
			r := assess.Score(in)
			checkObjective(t, r, tt.id, tt.want)
			o := objectiveIn(t, r.Scopes[0].Objectives, tt.id)
			if o.AnswerAfterAsOf != tt.future {
				t.Errorf("answer_after_as_of: got %v, want %v", o.AnswerAfterAsOf, tt.future)
			}
			if o.Answer == nil || !o.Answer.Equal(tt.answer) {
				t.Errorf("the answer is not kept and shown: got %+v", o.Answer)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestScoreStaleEvidence(t *testing.T) {
	m := rev2(t)
	tests := []struct {
		name     string
		validity int
		evidence assess.Evidence
		want     objectiveView
		stale    []string // checks listed as stale
		later    []string
	}{
		{"fresh scan gives the value", 0, ev(scan("x:auto", false, "2026-11-01", 3, 1)), automated(0.75, false), nil, nil},
		{"scan 90 days old is still valid", 0, ev(scan("x:auto", false, "2026-08-22", 3, 1)), automated(0.75, false), nil, nil},
		{"scan 91 days old is stale", 0, ev(scan("x:auto", false, "2026-08-21", 3, 1)), unanswered, []string{"x:auto"}, nil},
		{"validity is configurable", 120, ev(scan("x:auto", false, "2026-08-21", 3, 1)), automated(0.75, false), nil, nil},
		{"only fresh scans count", 0, ev(scan("x:auto", false, "2026-11-01", 1, 0), scan("x:auto", false, "2026-01-01", 0, 9)), automated(1, true), []string{"x:auto"}, nil},
		{"scan after the as-of date is not known then", 0, ev(scan("x:auto", false, "2026-11-21", 1, 0)), unanswered, nil, []string{"x:auto"}},
		{"scan of unknown date never goes stale", 0, ev(scan("x:auto", false, "", 2, 2)), automated(0.5, false), nil, nil},
		{"totals without per-check counts are used as is", 0, assess.Evidence{Passed: 1, Failed: 1}, automated(0.5, false), nil, nil},
		{"supporting checks never give a value", 0, ev(scan("x:sup", true, "2026-11-01", 5, 0)), unanswered, nil, nil},
		{"totals without per-check counts added to dated ones count as is", 0,
			assess.Evidence{Passed: 1}.Plus(ev(scan("x:auto", false, "2026-01-01", 0, 5))), automated(1, true), []string{"x:auto"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := assess.Input{Model: m, AsOf: asOf, EvidenceValidityDays: tt.validity,
				Evidence: map[assess.Key]assess.Evidence{key("AAA-4.1"): tt.evidence}}
			r := assess.Score(in)
			checkObjective(t, r, "AAA-4.1", tt.want)
			names := func(l []assess.CheckEvidence) []string {
				var out []string
				for _, c := range l {
					out = append(out, c.Check)
				}
				return out
			}
			o := objectiveIn(t, r.Scopes[0].Objectives, "AAA-4.1")
			if diff := cmp.Diff(tt.stale, names(o.StaleEvidence)); diff != "" {
				t.Errorf("stale evidence (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.later, names(o.LaterEvidence)); diff != "" {
				t.Errorf("later evidence (-want +got):\n%s", diff)
			}
			ro := objectiveIn(t, r.Objectives, "AAA-4.1")
			for _, c := range ro.StaleEvidence {
				if c.Scope != assess.DefaultScope {
					t.Errorf("roll-up stale evidence does not name its scope: %+v", c)
				}
			}
		})
	}
}

func TestScoreContradictions(t *testing.T) {
	m := rev2(t)
	tests := []struct {
		name     string
		id       string
		answer   assess.Response
		evidence assess.Evidence
		want     []assess.Contradiction
	}{
		{"binary yes against a failing supporting check", "AAA-2.1", word(assess.Yes, "2026-11-20"),
			ev(scan("x:sup", true, "2026-11-10", 3, 14)), []assess.Contradiction{{Check: "x:sup", Scope: "default", Failed: 14}}},
		{"most against deciding and supporting checks, counts summed per check", "AAA-3.1", word(assess.Most, "2026-11-20"),
			ev(scan("x:sup2", true, "2026-11-10", 0, 2), scan("x:dec", false, "2026-11-10", 1, 1), scan("x:dec", false, "2026-11-12", 0, 3)),
			[]assess.Contradiction{{Check: "x:dec", Scope: "default", Failed: 4}, {Check: "x:sup2", Scope: "default", Failed: 2}}},
		{"a measure of 0.8 claims most", "AAA-3.1", measure(8, 10), ev(scan("x:dec", false, "2026-11-10", 0, 1)),
			[]assess.Contradiction{{Check: "x:dec", Scope: "default", Failed: 1}}},
		{"a measure of 0.7 does not", "AAA-3.1", measure(7, 10), ev(scan("x:dec", false, "2026-11-10", 0, 1)), nil},
		{"half is not contradicted", "AAA-3.1", word(assess.Half, "2026-11-20"), ev(scan("x:dec", false, "2026-11-10", 0, 1)), nil},
		{"nothing failed", "AAA-2.1", word(assess.Yes, "2026-11-20"), ev(scan("x:sup", true, "2026-11-10", 4, 0)), nil},
		{"stale evidence contradicts nothing", "AAA-2.1", word(assess.Yes, "2026-11-20"), ev(scan("x:sup", true, "2026-01-10", 0, 4)), nil},
		{"a stale answer gives no value to contradict", "AAA-2.1", word(assess.Yes, "2025-01-01"), ev(scan("x:sup", true, "2026-11-10", 0, 4)), nil},
		{"automated value: the answer is not used", "AAA-4.1", word(assess.Yes, "2026-11-20"), ev(scan("x:auto", false, "2026-11-10", 0, 4)), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := assess.Input{Model: m, AsOf: asOf,
				Answers:  map[assess.Key]assess.Response{key(tt.id): tt.answer},
				Evidence: map[assess.Key]assess.Evidence{key(tt.id): tt.evidence}}
			r := assess.Score(in)
			before := objectiveIn(t, assess.Score(assess.Input{Model: m, AsOf: asOf, Answers: in.Answers}).Objectives, tt.id)
			for _, o := range []assess.ObjectiveScore{objectiveIn(t, r.Objectives, tt.id), objectiveIn(t, r.Scopes[0].Objectives, tt.id)} {
				if diff := cmp.Diff(tt.want, o.Contradicted); diff != "" {
					t.Errorf("contradicted (-want +got):\n%s", diff)
				}
				if tt.want != nil && !cmp.Equal(o.Value, before.Value) {
					t.Errorf("a contradiction changed the value: %v, without evidence %v", *o.Value, *before.Value)
				}
			}
		})
	}
}

func TestScoreContradictionsPerScope(t *testing.T) {
	m := rev2(t)
	in := assess.Input{Model: m, AsOf: asOf,
		Scopes: []assess.Scope{{ID: "prod", Weight: 2}, {ID: "dev", Weight: 1}},
		Answers: map[assess.Key]assess.Response{
			{Objective: "AAA-2.1", Scope: "prod"}: word(assess.Yes, "2026-11-20"),
			{Objective: "AAA-2.1", Scope: "dev"}:  word(assess.Yes, "2026-11-20"),
		},
		Evidence: map[assess.Key]assess.Evidence{
			{Objective: "AAA-2.1", Scope: "prod"}: ev(scan("x:sup", true, "2026-11-10", 1, 14)),
			{Objective: "AAA-2.1", Scope: "dev"}:  ev(scan("x:sup", true, "2026-11-10", 2, 3)),
		}}
	r := assess.Score(in)
	want := []assess.Contradiction{{Check: "x:sup", Scope: "prod", Failed: 14}, {Check: "x:sup", Scope: "dev", Failed: 3}}
	if diff := cmp.Diff(want, objectiveIn(t, r.Objectives, "AAA-2.1").Contradicted); diff != "" {
		t.Errorf("roll-up (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[1:], objectiveIn(t, scopeIn(t, r, "dev").Objectives, "AAA-2.1").Contradicted); diff != "" {
		t.Errorf("dev (-want +got):\n%s", diff)
	}
}

func naAll(m *model.Model, categories ...string) map[assess.Key]assess.Response {
	out := map[assess.Key]assess.Response{}
	for _, o := range m.Objectives {
		for _, c := range categories {
			if o.Category == c {
				out[key(o.ID)] = word(assess.NA, "2026-11-20")
			}
		}
	}
	return out
}

func TestScoreNotApplicable(t *testing.T) {
	m := rev2(t)
	yes := func(ids ...string) map[assess.Key]assess.Response {
		out := map[assess.Key]assess.Response{}
		for _, id := range ids {
			out[key(id)] = word(assess.Yes, "2026-11-20")
		}
		return out
	}
	t.Run("a category with nothing applicable is left out of its domain", func(t *testing.T) {
		in := assess.Input{Model: m, AsOf: asOf, Targets: map[string]int{"AAA": 3, "BBB": 4},
			Answers: merge(naAll(m, "AAA"), yes("BBB-2.1", "BBB-3.1"), yes("CCC-2.1"))}
		r := assess.Score(in)
		aaa := categoryIn(t, r.Categories, "AAA")
		if !aaa.NA() || aaa.Target != nil || aaa.Gap != nil || aaa.TargetMet != nil || aaa.Completeness != 1 {
			t.Errorf("AAA: got %+v, want not applicable with no target, gap or target_met", aaa)
		}
		// Domain one is BBB alone (3.0), not the weighted mean with AAA.
		if d := domainIn(t, r.Domains, "one"); d.NA || d.Score != 3 {
			t.Errorf("domain one: got %+v, want 3 from BBB alone", d)
		}
		// Floor over applicable categories: CCC at 2, BBB at 3.
		if r.Program.Floor != 2 || r.Program.Score != 2.5 || r.Program.TargetsSet != 1 {
			t.Errorf("program: got %+v, want floor 2, score (3+2)/2, one target set", r.Program)
		}
		if len(r.Roadmap) == 0 {
			t.Fatal("no roadmap")
		}
		for _, p := range r.Roadmap {
			for _, o := range p.Objectives {
				if o.Category == "AAA" {
					t.Errorf("roadmap phase %d lists %s of a not-applicable category", p.Phase, o.ID)
				}
			}
		}
	})
	t.Run("a domain with nothing applicable is left out of the program", func(t *testing.T) {
		r := assess.Score(assess.Input{Model: m, AsOf: asOf, Answers: merge(naAll(m, "AAA", "BBB"), yes("CCC-2.1"))})
		if d := domainIn(t, r.Domains, "one"); !d.NA {
			t.Errorf("domain one: got %+v, want not applicable", d)
		}
		if r.Program.NA || r.Program.Score != 2 || r.Program.Floor != 2 {
			t.Errorf("program: got %+v, want CCC's 2", r.Program)
		}
	})
	t.Run("na everywhere never scores 5", func(t *testing.T) {
		r := assess.Score(assess.Input{Model: m, AsOf: asOf, Targets: map[string]int{"CCC": 4}, Answers: naAll(m, "AAA", "BBB", "CCC")})
		if !r.Program.NA || r.Program.Score == 5 || r.Program.Completeness != 1 || r.Program.TargetsSet != 0 {
			t.Errorf("program: got %+v, want not applicable", r.Program)
		}
		if len(r.Roadmap) != 0 {
			t.Errorf("roadmap: got %d phases, want none", len(r.Roadmap))
		}
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			`"program":{"score":null,"floor":null,`,
			`{"id":"one","score":null,"completeness":1}`,
			`{"id":"AAA","status":"na","domain":"one","level":null,"score":null,"target":null,"gap":null,"target_met":null,`,
		} {
			if !strings.Contains(string(data), want) {
				t.Errorf("JSON lacks %s:\n%s", want, data)
			}
		}
	})
	t.Run("an exempt category is not applicable either", func(t *testing.T) {
		ex := map[string]assess.Exemption{}
		for _, o := range m.CategoryObjectives("CCC") {
			ex[o.ID] = assess.Exemption{Reason: "r", Approver: "a", Until: mustDate("2027-01-01")}
		}
		r := assess.Score(assess.Input{Model: m, AsOf: asOf, Exemptions: ex, Answers: yes("AAA-2.1")})
		if c := categoryIn(t, r.Categories, "CCC"); !c.NA() {
			t.Errorf("CCC: got %+v", c)
		}
		if d := domainIn(t, r.Domains, "two"); !d.NA {
			t.Errorf("domain two: got %+v", d)
		}
	})
}
