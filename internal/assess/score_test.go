package assess_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
)

// updateGolden reports whether -update was given: rewrite golden files
// instead of comparing with them. The flag is shared with the package's other
// test files, whichever registers it first.
var updateGolden = boolFlag("update", "rewrite golden files under testdata")

func boolFlag(name, usage string) func() bool {
	if flag.Lookup(name) == nil {
		flag.Bool(name, false, usage)
	}
	return func() bool {
		f := flag.Lookup(name)
		return f != nil && f.Value.String() == "true"
	}
}

// objectivesSpec lists the objectives of the test models, in model order:
// CCC first, then BBB, then AAA, with AAA-3.2 before AAA-3.1, so that tests
// can tell model order from ID order. Every mode appears, and four
// objectives have a threshold below 1.
const objectivesSpec = `
CCC-2.1 manual
CCC-3.1 manual
CCC-4.1 manual
CCC-4.2 either
CCC-5.1 automated
BBB-2.1 manual
BBB-3.1 manual
BBB-3.2 manual 0.75
BBB-3.3 automated 0.95
BBB-4.1 either 0.5
BBB-5.1 manual
AAA-2.1 manual
AAA-2.2 automated 0.9
AAA-3.2 manual
AAA-3.1 either
AAA-4.1 manual
AAA-5.1 manual
`

// testModelSpec is the model most tests score: domain "found" (weight 2) with
// categories AAA (weight 3) and BBB (weight 1), domain "proc" (default weight)
// with CCC (default weight). Categories are listed AAA, CCC, BBB, so the
// category order of the model differs from the domain order.
const testModelSpec = `
domain found 2
domain proc
category AAA found 3
category CCC proc
category BBB found
` + objectivesSpec

// unweightedModelSpec is testModelSpec with every weight left to its default.
const unweightedModelSpec = `
domain found
domain proc
category AAA found
category CCC proc
category BBB found
` + objectivesSpec

// buildTestModel turns a compact description into a model through
// model.Parse, so that it is validated and indexed like any model file. Lines
// are "domain ID [WEIGHT]", "category ID DOMAIN [WEIGHT]" and
// "CAT-L.N MODE [THRESHOLD]".
func buildTestModel(tb testing.TB, spec string) *model.Model {
	tb.Helper()
	var domains, categories, objectives strings.Builder
	weight := func(f []string) string {
		if len(f) == 0 {
			return ""
		}
		return ", weight: " + f[0]
	}
	for _, line := range strings.Split(spec, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case f[0] == "domain":
			fmt.Fprintf(&domains, "  - {id: %s, name: Domain %s%s}\n", f[1], f[1], weight(f[2:]))
		case f[0] == "category":
			fmt.Fprintf(&categories, "  - {id: %s, domain: %s, name: Category %s%s}\n", f[1], f[2], f[1], weight(f[3:]))
		default:
			cat, level, _, ok := model.ParseObjectiveID(f[0])
			if !ok || len(f) < 2 {
				tb.Fatalf("test model line %q: expected CAT-L.N MODE [THRESHOLD]", line)
			}
			threshold := ""
			if len(f) > 2 {
				threshold = ", threshold: " + f[2]
			}
			fmt.Fprintf(&objectives, "  - {id: %s, category: %s, level: %d, title: Objective %s, question: Is it done, mode: %s%s}\n",
				f[0], cat, level, f[0], f[1], threshold)
		}
	}
	var b strings.Builder
	b.WriteString("id: test\nversion: 1.0.0\nname: Test model\nlevels:\n")
	for l := model.MinLevel; l <= model.MaxLevel; l++ {
		fmt.Fprintf(&b, "  - {level: %d, name: Level %d}\n", l, l)
	}
	b.WriteString("domains:\n" + domains.String())
	b.WriteString("categories:\n" + categories.String())
	b.WriteString("objectives:\n" + objectives.String())
	m, err := model.Parse("test-model.yaml", []byte(b.String()))
	if err != nil {
		tb.Fatalf("test model does not parse: %v\n%s", err, b.String())
	}
	return m
}

func mustDate(s string) assess.Date {
	d, err := assess.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// asOf is the as-of date of most tests, and the date of their answers.
var asOf = mustDate("2026-11-20")

// answersIn returns manual answers in one scope, all dated d, from
// "OBJECTIVE=word" items.
func answersIn(scope string, d assess.Date, items ...string) map[assess.Key]assess.Response {
	out := make(map[assess.Key]assess.Response, len(items))
	for _, it := range items {
		id, word, ok := strings.Cut(it, "=")
		if !ok || !assess.Answer(word).Valid() {
			panic(fmt.Sprintf("answer item %q: expected OBJECTIVE=word", it))
		}
		r := assess.Response{Answer: assess.Answer(word), Date: d}
		if r.Answer == assess.NA {
			r.Justification = "does not apply here"
		}
		out[assess.Key{Objective: id, Scope: scope}] = r
	}
	return out
}

// answers returns manual answers in the default scope, dated on asOf.
func answers(items ...string) map[assess.Key]assess.Response {
	return answersIn(assess.DefaultScope, asOf, items...)
}

// evidenceIn returns evidence in one scope from "OBJECTIVE=passed/failed[/muted]" items.
func evidenceIn(scope string, items ...string) map[assess.Key]assess.Evidence {
	out := make(map[assess.Key]assess.Evidence, len(items))
	for _, it := range items {
		id, counts, ok := strings.Cut(it, "=")
		var e assess.Evidence
		if !ok {
			panic(fmt.Sprintf("evidence item %q: expected OBJECTIVE=passed/failed[/muted]", it))
		}
		if n, _ := fmt.Sscanf(counts, "%d/%d/%d", &e.Passed, &e.Failed, &e.Muted); n < 2 {
			panic(fmt.Sprintf("evidence item %q: expected OBJECTIVE=passed/failed[/muted]", it))
		}
		e.Source = "test-scanner"
		out[assess.Key{Objective: id, Scope: scope}] = e
	}
	return out
}

// evidence returns evidence in the default scope.
func evidence(items ...string) map[assess.Key]assess.Evidence {
	return evidenceIn(assess.DefaultScope, items...)
}

// merge combines maps; later maps win.
func merge[K comparable, V any](ms ...map[K]V) map[K]V {
	out := map[K]V{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func exemptUntil(until string, ids ...string) map[string]assess.Exemption {
	out := map[string]assess.Exemption{}
	for _, id := range ids {
		out[id] = assess.Exemption{Reason: "replaced next quarter", Approver: "CISO", Until: mustDate(until)}
	}
	return out
}

func objectiveIn(tb testing.TB, list []assess.ObjectiveScore, id string) assess.ObjectiveScore {
	tb.Helper()
	for _, o := range list {
		if o.ID == id {
			return o
		}
	}
	tb.Fatalf("objective %s not in result", id)
	return assess.ObjectiveScore{}
}

func categoryIn(tb testing.TB, list []assess.CategoryScore, id string) assess.CategoryScore {
	tb.Helper()
	for _, c := range list {
		if c.ID == id {
			return c
		}
	}
	tb.Fatalf("category %s not in result", id)
	return assess.CategoryScore{}
}

func domainIn(tb testing.TB, list []assess.DomainScore, id string) assess.DomainScore {
	tb.Helper()
	for _, d := range list {
		if d.ID == id {
			return d
		}
	}
	tb.Fatalf("domain %s not in result", id)
	return assess.DomainScore{}
}

func scopeIn(tb testing.TB, r assess.Result, id string) assess.ScopeResult {
	tb.Helper()
	for _, s := range r.Scopes {
		if s.ID == id {
			return s
		}
	}
	tb.Fatalf("scope %s not in result", id)
	return assess.ScopeResult{}
}

// approx compares floats to 1e-9: hand-computed fractions such as 2.0/3 are
// not bit-identical to a computed mean.
var approx = cmpopts.EquateApprox(0, 1e-9)

// objectiveView is what the value rules decide for one objective.
type objectiveView struct {
	Value  *float64
	Met    bool
	Status assess.Status
	Source assess.Source
}

func viewObjective(o assess.ObjectiveScore) objectiveView {
	return objectiveView{Value: o.Value, Met: o.Met, Status: o.Status, Source: o.Source}
}

func val(x float64) *float64 { return &x }

// Shorthands for expected objective views.
func answered(v float64, met bool) objectiveView {
	return objectiveView{val(v), met, assess.StatusAnswered, assess.SourceManual}
}

func automated(v float64, met bool) objectiveView {
	return objectiveView{val(v), met, assess.StatusAnswered, assess.SourceAutomated}
}

var (
	unanswered   = objectiveView{val(0), false, assess.StatusUnanswered, assess.SourceNone}
	stale        = objectiveView{val(0), false, assess.StatusStale, assess.SourceManual}
	notApplying  = objectiveView{nil, false, assess.StatusNA, assess.SourceManual}
	exemptObject = objectiveView{nil, false, assess.StatusExempt, assess.SourceNone}
)

// checkObjective compares an objective in the roll-up and in every scope.
func checkObjective(t *testing.T, r assess.Result, id string, want objectiveView) {
	t.Helper()
	if diff := cmp.Diff(want, viewObjective(objectiveIn(t, r.Objectives, id)), approx); diff != "" {
		t.Errorf("roll-up %s (-want +got):\n%s", id, diff)
	}
	for _, s := range r.Scopes {
		if diff := cmp.Diff(want, viewObjective(objectiveIn(t, s.Objectives, id)), approx); diff != "" {
			t.Errorf("scope %s %s (-want +got):\n%s", s.ID, id, diff)
		}
	}
}

func TestScoreAnswerWords(t *testing.T) {
	m := buildTestModel(t, testModelSpec)
	tests := []struct {
		name      string
		objective string
		answer    string
		want      objectiveView
	}{
		{"no is 0", "AAA-2.1", "no", answered(0, false)},
		{"some is 0.25", "AAA-2.1", "some", answered(0.25, false)},
		{"half is 0.5", "AAA-2.1", "half", answered(0.5, false)},
		{"most is 0.75", "AAA-2.1", "most", answered(0.75, false)},
		{"yes is 1 and meets the default threshold", "AAA-2.1", "yes", answered(1, true)},
		{"na is excluded", "AAA-2.1", "na", notApplying},
		{"most meets threshold 0.75", "BBB-3.2", "most", answered(0.75, true)},
		{"half misses threshold 0.75", "BBB-3.2", "half", answered(0.5, false)},
		{"yes meets threshold 0.75", "BBB-3.2", "yes", answered(1, true)},
		{"half meets threshold 0.5 of an either objective", "BBB-4.1", "half", answered(0.5, true)},
		{"some misses threshold 0.5 of an either objective", "BBB-4.1", "some", answered(0.25, false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := assess.Score(assess.Input{Model: m, AsOf: asOf, Answers: answers(tt.objective + "=" + tt.answer)})
			checkObjective(t, r, tt.objective, tt.want)
		})
	}
}

func TestScoreUnanswered(t *testing.T) {
	m := buildTestModel(t, testModelSpec)
	r := assess.Score(assess.Input{Model: m, AsOf: asOf})
	for _, o := range m.Objectives {
		checkObjective(t, r, o.ID, unanswered)
	}
	// An empty answer word is no answer either.
	in := assess.Input{Model: m, AsOf: asOf, Answers: map[assess.Key]assess.Response{
		{Objective: "AAA-2.1", Scope: assess.DefaultScope}: {Date: asOf},
	}}
	checkObjective(t, assess.Score(in), "AAA-2.1", unanswered)
}

func TestScoreStaleness(t *testing.T) {
	m := buildTestModel(t, testModelSpec)
	tests := []struct {
		name     string
		validity int
		asOf     string
		answered string
		want     objectiveView
	}{
		{"answered on the as-of date", 0, "2026-11-20", "2026-11-20", answered(1, true)},
		// 2025-11-20 to 2026-11-20 crosses no 29 February: 365 days.
		{"default validity, exactly 365 days old", 0, "2026-11-20", "2025-11-20", answered(1, true)},
		{"default validity, 366 days old", 0, "2026-11-20", "2025-11-19", stale},
		// 2027-03-02 to 2028-03-01 crosses 2028-02-29: 365 days; from 2027-03-01, 366.
		{"default validity across a leap day, 365 days old", 0, "2028-03-01", "2027-03-02", answered(1, true)},
		{"default validity across a leap day, 366 days old", 0, "2028-03-01", "2027-03-01", stale},
		// 2026-10-21 to 2026-11-20: 10 days of October + 20 of November = 30.
		{"configured 30 days, exactly 30 days old", 30, "2026-11-20", "2026-10-21", answered(1, true)},
		{"configured 30 days, 31 days old", 30, "2026-11-20", "2026-10-20", stale},
		{"configured 1 day, 1 day old", 1, "2026-11-20", "2026-11-19", answered(1, true)},
		{"configured 1 day, 2 days old", 1, "2026-11-20", "2026-11-18", stale},
		{"configured 400 days keeps a 366-day-old answer", 400, "2026-11-20", "2025-11-19", answered(1, true)},
		// Revision 2: an answer dated after the as-of date was not known then.
		{"answer dated after the as-of date is unanswered", 0, "2026-11-20", "2027-01-01", unanswered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			day := mustDate(tt.answered)
			in := assess.Input{
				Model: m, AsOf: mustDate(tt.asOf), ValidityDays: tt.validity,
				Answers: answersIn(assess.DefaultScope, day, "AAA-2.1=yes"),
			}
			r := assess.Score(in)
			checkObjective(t, r, "AAA-2.1", tt.want)
			// The old answer is kept and shown.
			kept := objectiveIn(t, r.Scopes[0].Objectives, "AAA-2.1").Answer
			if kept == nil || kept.Answer != assess.Yes || kept.Date != day {
				t.Errorf("scope answer = %+v, want the answer yes of %s", kept, day)
			}
		})
	}
}

func TestScoreExemption(t *testing.T) {
	m := buildTestModel(t, testModelSpec)
	tests := []struct {
		name        string
		objective   string
		until       string
		answers     []string
		evidence    []string
		want        objectiveView
		wantExpired bool
	}{
		{"in force before its expiry", "AAA-2.1", "2026-12-31", []string{"AAA-2.1=no"}, nil, exemptObject, false},
		{"in force on its expiry date", "AAA-2.1", "2026-11-20", []string{"AAA-2.1=no"}, nil, exemptObject, false},
		{"expired the day before falls back to the answer", "AAA-2.1", "2026-11-19", []string{"AAA-2.1=half"}, nil, answered(0.5, false), true},
		{"expired and unanswered", "AAA-2.1", "2026-11-19", nil, nil, unanswered, true},
		{"expired falls back to evidence", "AAA-2.2", "2025-01-01", nil, []string{"AAA-2.2=3/1"}, automated(0.75, false), true},
		{"exempt objective answered yes is not met", "AAA-2.1", "2027-06-30", []string{"AAA-2.1=yes"}, nil, exemptObject, false},
		{"exemption wins over passing evidence", "AAA-2.2", "2027-06-30", nil, []string{"AAA-2.2=10/0"}, exemptObject, false},
		{"exemption wins over na", "AAA-2.1", "2027-06-30", []string{"AAA-2.1=na"}, nil, exemptObject, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := assess.Input{
				Model: m, AsOf: asOf,
				Answers:    answers(tt.answers...),
				Evidence:   evidence(tt.evidence...),
				Exemptions: exemptUntil(tt.until, tt.objective),
			}
			r := assess.Score(in)
			checkObjective(t, r, tt.objective, tt.want)
			got := objectiveIn(t, r.Objectives, tt.objective)
			if got.Exemption == nil || got.Exemption.Until != mustDate(tt.until) {
				t.Errorf("exemption shown = %+v, want the exemption until %s", got.Exemption, tt.until)
			}
			if got.ExemptionExpired != tt.wantExpired {
				t.Errorf("exemption expired = %v, want %v", got.ExemptionExpired, tt.wantExpired)
			}
		})
	}
}

func TestScoreExemptionInEveryScope(t *testing.T) {
	m := buildTestModel(t, testModelSpec)
	in := assess.Input{
		Model: m, AsOf: asOf,
		Scopes: []assess.Scope{{ID: "prod", Weight: 2}, {ID: "dev", Weight: 1}},
		Answers: merge(
			answersIn("prod", asOf, "AAA-2.1=yes"),
			answersIn("dev", asOf, "AAA-2.1=no"),
		),
		Evidence:   merge(evidenceIn("prod", "AAA-2.2=10/0"), evidenceIn("dev", "AAA-2.2=9/1")),
		Exemptions: exemptUntil("2026-11-20", "AAA-2.1"),
	}
	r := assess.Score(in)
	checkObjective(t, r, "AAA-2.1", exemptObject)
	// AAA-2.1 is excluded from the level in every scope and in the roll-up:
	// AAA-2.2 alone decides level 2 (prod 1, dev 0.9, roll-up (2*1+0.9)/3,
	// all at least 0.9). Level 3 is unanswered: S = 2 + 0.
	for _, cats := range [][]assess.CategoryScore{r.Categories, r.Scopes[0].Categories, r.Scopes[1].Categories} {
		c := categoryIn(t, cats, "AAA")
		if c.Level != 2 || c.Score != 2 {
			t.Errorf("AAA level %d score %v, want level 2 score 2", c.Level, c.Score)
		}
	}
}

func TestScoreEvidence(t *testing.T) {
	m := buildTestModel(t, testModelSpec)
	// AAA-2.2 is automated with threshold 0.9.
	tests := []struct {
		name     string
		evidence string
		want     objectiveView
	}{
		{"9 passed 1 failed is 0.9, meeting 0.9", "AAA-2.2=9/1", automated(0.9, true)},
		{"8 passed 2 failed is 0.8", "AAA-2.2=8/2", automated(0.8, false)},
		// Muted findings count neither way: 3/(3+1), not 3/8 nor 7/8.
		{"muted findings are left out", "AAA-2.2=3/1/4", automated(0.75, false)},
		{"every resource failed is 0", "AAA-2.2=0/4", automated(0, false)},
		{"every resource passed is 1", "AAA-2.2=1000/0", automated(1, true)},
		{"only muted findings give no value", "AAA-2.2=0/0/7", unanswered},
		{"no evaluated resource gives no value", "AAA-2.2=0/0", unanswered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := assess.Input{Model: m, AsOf: asOf, Evidence: evidence(tt.evidence)}
			r := assess.Score(in)
			checkObjective(t, r, "AAA-2.2", tt.want)
			// The evidence is kept in the scope result, muted count included.
			ev := objectiveIn(t, r.Scopes[0].Objectives, "AAA-2.2").Evidence
			if ev == nil || !cmp.Equal(*ev, in.Evidence[assess.Key{Objective: "AAA-2.2", Scope: assess.DefaultScope}]) {
				t.Errorf("scope evidence = %+v, want %+v", ev, in.Evidence)
			}
		})
	}
}

func TestScorePrecedence(t *testing.T) {
	m := buildTestModel(t, testModelSpec)
	const (
		manualObj    = "AAA-2.1" // mode manual, threshold 1
		automatedObj = "CCC-5.1" // mode automated, threshold 1
		eitherObj    = "AAA-3.1" // mode either, threshold 1
	)
	old := mustDate("2025-11-19") // 366 days before asOf: stale
	tests := []struct {
		name      string
		objective string
		answer    string // "" for none
		stale     bool
		evidence  string // "passed/failed[/muted]", "" for none
		want      objectiveView
	}{
		{"manual ignores evidence", manualObj, "half", false, "5/0", answered(0.5, false)},
		{"manual without an answer ignores evidence", manualObj, "", false, "5/0", unanswered},
		{"manual stale ignores evidence", manualObj, "yes", true, "5/0", stale},
		{"automated prefers evidence to the answer", automatedObj, "yes", false, "1/3", automated(0.25, false)},
		{"automated uses the answer without evidence", automatedObj, "most", false, "", answered(0.75, false)},
		{"automated uses the answer when every finding is muted", automatedObj, "most", false, "0/0/5", answered(0.75, false)},
		{"automated with na and evidence uses evidence", automatedObj, "na", false, "3/1", automated(0.75, false)},
		{"automated with na and no evidence is excluded", automatedObj, "na", false, "", notApplying},
		{"automated with a stale answer and no evidence is stale", automatedObj, "yes", true, "", stale},
		{"automated with a stale answer uses evidence", automatedObj, "yes", true, "1/1", automated(0.5, false)},
		{"automated with nothing is unanswered", automatedObj, "", false, "", unanswered},
		{"either prefers a valid answer to evidence", eitherObj, "some", false, "4/0", answered(0.25, false)},
		{"either prefers a valid no to passing evidence", eitherObj, "no", false, "4/0", answered(0, false)},
		{"either uses evidence over a stale answer", eitherObj, "yes", true, "1/3", automated(0.25, false)},
		{"either uses evidence without an answer", eitherObj, "", false, "1/1", automated(0.5, false)},
		{"either with na is excluded despite evidence", eitherObj, "na", false, "1/0", notApplying},
		{"either with a stale answer and no evidence is stale", eitherObj, "yes", true, "", stale},
		{"either with a stale answer and muted findings only is stale", eitherObj, "yes", true, "0/0/3", stale},
		{"either with nothing is unanswered", eitherObj, "", false, "", unanswered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := assess.Input{Model: m, AsOf: asOf}
			if tt.answer != "" {
				d := asOf
				if tt.stale {
					d = old
				}
				in.Answers = answersIn(assess.DefaultScope, d, tt.objective+"="+tt.answer)
			}
			if tt.evidence != "" {
				in.Evidence = evidence(tt.objective + "=" + tt.evidence)
			}
			checkObjective(t, assess.Score(in), tt.objective, tt.want)
		})
	}
}

// categoryView is what the level rules decide for one category.
type categoryView struct {
	Level     int
	Score     float64
	Blocking  []string
	AboveGate []string
}

func viewCategory(c assess.CategoryScore) categoryView {
	return categoryView{Level: c.Level, Score: c.Score, Blocking: c.Blocking, AboveGate: c.AboveGate}
}

func TestScoreLevelGate(t *testing.T) {
	m := buildTestModel(t, testModelSpec)
	// CCC: 2.1 manual, 3.1 manual, 4.1 manual, 4.2 either, 5.1 automated; all threshold 1.
	// BBB: 2.1, 3.1, 3.2 (0.75) manual, 3.3 automated (0.95), 4.1 either (0.5), 5.1 manual.
	// AAA: 2.1 manual, 2.2 automated (0.9), 3.x, 4.1, 5.1.
	tests := []struct {
		name     string
		category string
		answers  []string
		evidence []string
		exempt   []string
		want     categoryView
	}{
		{"nothing answered: level 1, S = 1 + 0", "CCC", nil, nil, nil,
			categoryView{1, 1, []string{"CCC-2.1"}, nil}},
		{"level 2 half done: S = 1 + 0.5", "CCC", []string{"CCC-2.1=half"}, nil, nil,
			categoryView{1, 1.5, []string{"CCC-2.1"}, nil}},
		{"level 2 met, level 3 most: S = 2 + 0.75", "CCC", []string{"CCC-2.1=yes", "CCC-3.1=most"}, nil, nil,
			categoryView{2, 2.75, []string{"CCC-3.1"}, nil}},
		{"one of two at level 4: S = 3 + (1 + 0.5)/2", "CCC",
			[]string{"CCC-2.1=yes", "CCC-3.1=yes", "CCC-4.1=yes", "CCC-4.2=half"}, nil, nil,
			categoryView{3, 3.75, []string{"CCC-4.2"}, nil}},
		{"evidence at level 5: S = 4 + 1/2", "CCC",
			[]string{"CCC-2.1=yes", "CCC-3.1=yes", "CCC-4.1=yes", "CCC-4.2=yes"}, []string{"CCC-5.1=1/1"}, nil,
			categoryView{4, 4.5, []string{"CCC-5.1"}, nil}},
		{"every level met: S = 5 + 0", "CCC",
			[]string{"CCC-2.1=yes", "CCC-3.1=yes", "CCC-4.1=yes", "CCC-4.2=yes"}, []string{"CCC-5.1=2/0"}, nil,
			categoryView{5, 5, nil, nil}},
		{"work above the gate does not raise S", "CCC",
			[]string{"CCC-2.1=no", "CCC-3.1=yes", "CCC-4.1=yes", "CCC-4.2=yes"}, []string{"CCC-5.1=3/0"}, nil,
			categoryView{1, 1, []string{"CCC-2.1"}, []string{"CCC-3.1", "CCC-4.1", "CCC-4.2", "CCC-5.1"}}},
		{"above the gate lists only met objectives two levels up or more", "CCC",
			[]string{"CCC-2.1=yes", "CCC-3.1=half", "CCC-4.1=yes", "CCC-4.2=most"}, []string{"CCC-5.1=1/0"}, nil,
			categoryView{2, 2.5, []string{"CCC-3.1"}, []string{"CCC-4.1", "CCC-5.1"}}},
		{"a level whose objectives are all na is met: S = 3 + (1 + 0)/2", "CCC",
			[]string{"CCC-2.1=yes", "CCC-3.1=na", "CCC-4.1=yes", "CCC-4.2=no"}, nil, nil,
			categoryView{3, 3.5, []string{"CCC-4.2"}, nil}},
		{"a level whose objectives are all exempt is met: S = 3 + (0.5 + 0.5)/2", "CCC",
			[]string{"CCC-2.1=yes", "CCC-3.1=no", "CCC-4.1=half", "CCC-4.2=half"}, nil, []string{"CCC-3.1"},
			categoryView{3, 3.5, []string{"CCC-4.1", "CCC-4.2"}, nil}},
		{"an excluded objective at the next level is left out of the mean: S = 3 + 0.5", "CCC",
			[]string{"CCC-2.1=yes", "CCC-3.1=yes", "CCC-4.1=na", "CCC-4.2=half"}, nil, nil,
			categoryView{3, 3.5, []string{"CCC-4.2"}, nil}},
		{"level 2 na and level 3 some: S = 2 + 0.25", "CCC", []string{"CCC-2.1=na", "CCC-3.1=some"}, nil, nil,
			categoryView{2, 2.25, []string{"CCC-3.1"}, nil}},
		// Revision 2: a category with nothing applicable is not applicable
		// (level and score null in JSON, 0 in Go), no longer level 5.
		{"everything excluded: not applicable", "CCC",
			[]string{"CCC-2.1=na", "CCC-3.1=na", "CCC-4.1=na", "CCC-4.2=na", "CCC-5.1=na"}, nil, nil,
			categoryView{0, 0, nil, nil}},
		{"an exempt objective answered yes is not work above the gate", "CCC",
			[]string{"CCC-2.1=no", "CCC-4.1=yes"}, nil, []string{"CCC-4.1"},
			categoryView{1, 1, []string{"CCC-2.1"}, nil}},
		{"thresholds below 1 pass the gate: S = 4 + 0", "BBB",
			[]string{"BBB-2.1=yes", "BBB-3.1=yes", "BBB-3.2=most", "BBB-4.1=half", "BBB-5.1=no"}, []string{"BBB-3.3=95/5"}, nil,
			categoryView{4, 4, []string{"BBB-5.1"}, nil}},
		// S = 2 + (1 + 0.5 + 0.94)/3 = 2 + 2.44/3.
		{"just below the thresholds: S = 2 + (1 + 0.5 + 0.94)/3", "BBB",
			[]string{"BBB-2.1=yes", "BBB-3.1=yes", "BBB-3.2=half"}, []string{"BBB-3.3=94/6"}, nil,
			categoryView{2, 2 + 2.44/3, []string{"BBB-3.2", "BBB-3.3"}, nil}},
		{"automated below its threshold blocks: S = 1 + (1 + 0.85)/2", "AAA",
			[]string{"AAA-2.1=yes"}, []string{"AAA-2.2=17/3"}, nil,
			categoryView{1, 1.925, []string{"AAA-2.2"}, nil}},
		{"blocking lists every unmet objective in model order", "AAA",
			[]string{"AAA-2.1=yes", "AAA-3.1=half", "AAA-3.2=no"}, []string{"AAA-2.2=9/1"}, nil,
			categoryView{2, 2.25, []string{"AAA-3.2", "AAA-3.1"}, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := assess.Input{
				Model: m, AsOf: asOf,
				Answers:    answers(tt.answers...),
				Evidence:   evidence(tt.evidence...),
				Exemptions: exemptUntil("2027-12-31", tt.exempt...),
			}
			r := assess.Score(in)
			for _, cats := range [][]assess.CategoryScore{r.Categories, r.Scopes[0].Categories} {
				got := viewCategory(categoryIn(t, cats, tt.category))
				if diff := cmp.Diff(tt.want, got, approx, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("%s (-want +got):\n%s", tt.category, diff)
				}
			}
		})
	}
}

// scenario is a whole assessment of the test model in the default scope:
//
//	AAA: 2.1 yes, 2.2 evidence 9/1 = 0.9 (threshold 0.9, met), 3.1 half,
//	     3.2 half, 4.1 and 5.1 unanswered: L = 2, S = 2 + (0.5+0.5)/2 = 2.5.
//	BBB: 2.1 yes, 3.1 yes, 3.2 most (threshold 0.75, met), 3.3 evidence
//	     19/1 = 0.95 (threshold 0.95, met), 4.1 some (threshold 0.5, not
//	     met), 5.1 yes: L = 3, S = 3 + 0.25 = 3.25, BBB-5.1 above the gate.
//	CCC: 2.1, 3.1, 4.1, 4.2 yes, 5.1 unanswered: L = 4, S = 4 + 0 = 4.
func scenario(m *model.Model) assess.Input {
	return assess.Input{
		Model: m, AsOf: asOf,
		Answers: answers(
			"AAA-2.1=yes", "AAA-3.1=half", "AAA-3.2=half",
			"BBB-2.1=yes", "BBB-3.1=yes", "BBB-3.2=most", "BBB-4.1=some", "BBB-5.1=yes",
			"CCC-2.1=yes", "CCC-3.1=yes", "CCC-4.1=yes", "CCC-4.2=yes",
		),
		Evidence: evidence("AAA-2.2=9/1", "BBB-3.3=19/1"),
	}
}

func TestScoreScenarioCategories(t *testing.T) {
	m := buildTestModel(t, testModelSpec)
	r := assess.Score(scenario(m))
	want := []categoryView{ // model order: AAA, CCC, BBB
		{2, 2.5, []string{"AAA-3.2", "AAA-3.1"}, nil},
		{4, 4, []string{"CCC-5.1"}, nil},
		{3, 3.25, []string{"BBB-4.1"}, []string{"BBB-5.1"}},
	}
	var got []categoryView
	for _, c := range r.Categories {
		got = append(got, viewCategory(c))
	}
	if diff := cmp.Diff(want, got, approx, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("categories (-want +got):\n%s", diff)
	}
	var ids []string
	for _, c := range r.Categories {
		ids = append(ids, c.ID+"/"+c.Domain)
	}
	if diff := cmp.Diff([]string{"AAA/found", "CCC/proc", "BBB/found"}, ids); diff != "" {
		t.Errorf("categories are not in model order (-want +got):\n%s", diff)
	}
}

func TestScoreDomainsAndProgram(t *testing.T) {
	everything := func(m *model.Model) assess.Input {
		in := assess.Input{Model: m, AsOf: asOf, Answers: map[assess.Key]assess.Response{}}
		for _, o := range m.Objectives {
			in.Answers[assess.Key{Objective: o.ID, Scope: assess.DefaultScope}] = assess.Response{Answer: assess.Yes, Date: asOf}
		}
		return in
	}
	tests := []struct {
		name    string
		spec    string
		input   func(*model.Model) assess.Input
		domains map[string]float64
		program float64
		floor   int
	}{
		// found = (3*2.5 + 1*3.25)/(3+1) = 10.75/4 = 2.6875; proc = 4.
		// program = (2*2.6875 + 1*4)/(2+1) = 9.375/3 = 3.125; floor = min(2, 4, 3).
		{"model weights", testModelSpec, scenario, map[string]float64{"found": 2.6875, "proc": 4}, 3.125, 2},
		// found = (2.5 + 3.25)/2 = 2.875; program = (2.875 + 4)/2 = 3.4375.
		{"default weights", unweightedModelSpec, scenario, map[string]float64{"found": 2.875, "proc": 4}, 3.4375, 2},
		{"nothing answered", testModelSpec, func(m *model.Model) assess.Input { return assess.Input{Model: m, AsOf: asOf} },
			map[string]float64{"found": 1, "proc": 1}, 1, 1},
		{"everything met", testModelSpec, everything, map[string]float64{"found": 5, "proc": 5}, 5, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := buildTestModel(t, tt.spec)
			r := assess.Score(tt.input(m))
			got := map[string]float64{}
			for _, d := range r.Domains {
				got[d.ID] = d.Score
			}
			if diff := cmp.Diff(tt.domains, got, approx); diff != "" {
				t.Errorf("domain scores (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.program, r.Program.Score, approx); diff != "" {
				t.Errorf("program score (-want +got):\n%s", diff)
			}
			if r.Program.Floor != tt.floor {
				t.Errorf("floor = %d, want %d", r.Program.Floor, tt.floor)
			}
			if got := []string{r.Domains[0].ID, r.Domains[1].ID}; got[0] != "found" || got[1] != "proc" {
				t.Errorf("domains in order %v, want model order [found proc]", got)
			}
		})
	}
}

// scopeScenario assesses CCC in two scopes, prod (weight 3) and dev (weight 1):
//
//	         prod     dev       roll-up v
//	CCC-2.1  yes      no        (3*1 + 1*0)/4 = 0.75
//	CCC-3.1  half     na        0.5 (prod only)
//	CCC-4.1  na       yes       1 (dev only)
//	CCC-4.2  na       -         0 (dev only, unanswered)
//	CCC-5.1  1/1      -         (3*0.5 + 1*0)/4 = 0.375
//	AAA-5.1  na       na        excluded
//
// Every other objective is unanswered in both scopes.
func scopeScenario(m *model.Model) assess.Input {
	return assess.Input{
		Model: m, AsOf: asOf,
		Scopes: []assess.Scope{{ID: "prod", Weight: 3}, {ID: "dev", Weight: 1}},
		Answers: merge(
			answersIn("prod", asOf, "CCC-2.1=yes", "CCC-3.1=half", "CCC-4.1=na", "CCC-4.2=na", "AAA-5.1=na"),
			answersIn("dev", asOf, "CCC-2.1=no", "CCC-3.1=na", "CCC-4.1=yes", "AAA-5.1=na"),
		),
		Evidence: evidenceIn("prod", "CCC-5.1=1/1"),
	}
}

func TestScoreScopes(t *testing.T) {
	m := buildTestModel(t, testModelSpec)
	r := assess.Score(scopeScenario(m))

	var ids []string
	for _, s := range r.Scopes {
		ids = append(ids, fmt.Sprintf("%s:%g", s.ID, s.Weight))
	}
	if diff := cmp.Diff([]string{"prod:3", "dev:1"}, ids); diff != "" {
		t.Errorf("scopes (-want +got):\n%s", diff)
	}

	// Which status and source a mix of scopes shows is not part of the
	// method; the value, met and exclusion are.
	objectives := []struct {
		id    string
		value *float64
		met   bool
	}{
		{"CCC-2.1", val(0.75), false},
		{"CCC-3.1", val(0.5), false},
		{"CCC-4.1", val(1), true},
		{"CCC-4.2", val(0), false},
		{"CCC-5.1", val(0.375), false},
		{"AAA-5.1", nil, false},
	}
	for _, o := range objectives {
		t.Run("roll-up value of "+o.id, func(t *testing.T) {
			got := objectiveIn(t, r.Objectives, o.id)
			if !cmp.Equal(o.value, got.Value, approx) || got.Met != o.met {
				t.Errorf("value %v met %v, want %v %v", fmtValue(got.Value), got.Met, fmtValue(o.value), o.met)
			}
			if o.value == nil && got.Status != assess.StatusNA {
				t.Errorf("status %s, want na", got.Status)
			}
		})
	}

	tests := []struct {
		name    string
		cats    []assess.CategoryScore
		domains []assess.DomainScore
		program assess.Program
		want    categoryView
		proc    float64
		score   float64
	}{
		// Roll-up: CCC-2.1 0.75 blocks level 2: S = 1 + 0.75; CCC-4.1 (1) is above the gate.
		// program = (2*1 + 1*1.75)/3 = 1.25.
		{"roll-up", r.Categories, r.Domains, r.Program, categoryView{1, 1.75, []string{"CCC-2.1"}, []string{"CCC-4.1"}}, 1.75, 1.25},
		// prod: level 2 met, CCC-3.1 half: S = 2.5; program = (2*1 + 2.5)/3 = 1.5.
		{"prod", r.Scopes[0].Categories, r.Scopes[0].Domains, r.Scopes[0].Program, categoryView{2, 2.5, []string{"CCC-3.1"}, nil}, 2.5, 1.5},
		// dev: CCC-2.1 no: S = 1 + 0; CCC-4.1 yes is above the gate.
		{"dev", r.Scopes[1].Categories, r.Scopes[1].Domains, r.Scopes[1].Program, categoryView{1, 1, []string{"CCC-2.1"}, []string{"CCC-4.1"}}, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, viewCategory(categoryIn(t, tt.cats, "CCC")), approx, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("CCC (-want +got):\n%s", diff)
			}
			if got := domainIn(t, tt.domains, "proc").Score; !approxEqual(got, tt.proc) {
				t.Errorf("proc = %v, want %v", got, tt.proc)
			}
			if !approxEqual(tt.program.Score, tt.score) {
				t.Errorf("program = %v, want %v", tt.program.Score, tt.score)
			}
		})
	}
}

func fmtValue(v *float64) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprint(*v)
}

func approxEqual(a, b float64) bool { return cmp.Equal(a, b, approx) }

// completenessView is the completeness of the program, each domain and each category.
type completenessView struct {
	Program    float64
	Domains    map[string]float64
	Categories map[string]float64
}

func viewCompleteness(p assess.Program, ds []assess.DomainScore, cs []assess.CategoryScore) completenessView {
	v := completenessView{Program: p.Completeness, Domains: map[string]float64{}, Categories: map[string]float64{}}
	for _, d := range ds {
		v.Domains[d.ID] = d.Completeness
	}
	for _, c := range cs {
		v.Categories[c.ID] = c.Completeness
	}
	return v
}

func TestScoreCompleteness(t *testing.T) {
	m := buildTestModel(t, testModelSpec)
	allNA := func(m *model.Model) assess.Input {
		in := assess.Input{Model: m, AsOf: asOf, Answers: map[assess.Key]assess.Response{}}
		for _, o := range m.Objectives {
			in.Answers[assess.Key{Objective: o.ID, Scope: assess.DefaultScope}] = assess.Response{Answer: assess.NA, Justification: "none", Date: asOf}
		}
		return in
	}
	mixed := func(m *model.Model) assess.Input {
		in := allNA(m)
		in.Answers = merge(in.Answers,
			answers("CCC-2.1=yes", "CCC-3.1=na"),
			answersIn(assess.DefaultScope, mustDate("2025-01-01"), "CCC-4.1=yes"),
		)
		for _, id := range []string{"CCC-4.2", "CCC-5.1", "AAA-2.2"} {
			delete(in.Answers, assess.Key{Objective: id, Scope: assess.DefaultScope})
		}
		in.Evidence = evidence("CCC-4.2=1/1", "AAA-2.2=0/0/3")
		in.Exemptions = exemptUntil("2027-01-01", "AAA-2.1")
		return in
	}
	tests := []struct {
		name   string
		input  func(*model.Model) assess.Input
		rollup completenessView
		scopes map[string]completenessView
	}{
		// AAA: 2.1, 2.2, 3.1, 3.2 valued of 6; CCC: 4 of 5; BBB: 6 of 6.
		// found: (4+6)/12; proc: 4/5; program: 14/17.
		{"scenario", scenario, completenessView{14.0 / 17, map[string]float64{"found": 10.0 / 12, "proc": 0.8}, map[string]float64{"AAA": 4.0 / 6, "CCC": 0.8, "BBB": 1}}, nil},
		// CCC: applicable 2.1 (yes), 4.1 (stale), 4.2 (evidence), 5.1 (unanswered): 2 of 4.
		// AAA: 2.1 exempt, 2.2 muted findings only (no value) is the one applicable pair: 0 of 1.
		// BBB: everything na: 1. found: 0 of 1; proc 2 of 4; program 2 of 5.
		{"na, exempt, stale and muted", mixed, completenessView{0.4, map[string]float64{"found": 0, "proc": 0.5}, map[string]float64{"AAA": 0, "CCC": 0.5, "BBB": 1}}, nil},
		{"nothing applicable is complete", allNA, completenessView{1, map[string]float64{"found": 1, "proc": 1}, map[string]float64{"AAA": 1, "CCC": 1, "BBB": 1}}, nil},
		// prod: CCC applicable 2.1, 3.1, 5.1, all valued: 3/3; AAA 0 of 5 (5.1 na); BBB 0 of 6.
		// dev: CCC applicable 2.1, 4.1 valued, 4.2, 5.1 unanswered: 2/4; AAA 0/5; BBB 0/6.
		// roll-up counts every scope's pairs: CCC (3+2)/(3+4) = 5/7 (not the
		// mean of 1 and 0.5), program 5/(14+15) = 5/29.
		{"scopes", scopeScenario, completenessView{5.0 / 29, map[string]float64{"found": 0, "proc": 5.0 / 7}, map[string]float64{"AAA": 0, "CCC": 5.0 / 7, "BBB": 0}},
			map[string]completenessView{
				"prod": {3.0 / 14, map[string]float64{"found": 0, "proc": 1}, map[string]float64{"AAA": 0, "CCC": 1, "BBB": 0}},
				"dev":  {2.0 / 15, map[string]float64{"found": 0, "proc": 0.5}, map[string]float64{"AAA": 0, "CCC": 0.5, "BBB": 0}},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := assess.Score(tt.input(m))
			if diff := cmp.Diff(tt.rollup, viewCompleteness(r.Program, r.Domains, r.Categories), approx); diff != "" {
				t.Errorf("roll-up completeness (-want +got):\n%s", diff)
			}
			for id, want := range tt.scopes {
				s := scopeIn(t, r, id)
				if diff := cmp.Diff(want, viewCompleteness(s.Program, s.Domains, s.Categories), approx); diff != "" {
					t.Errorf("scope %s completeness (-want +got):\n%s", id, diff)
				}
			}
		})
	}
}

// times multiplies at run time, with float64 rounding (constant expressions
// would be exact).
func times(a, b float64) float64 { return a * b }

func TestTruncate(t *testing.T) {
	tests := []struct {
		name  string
		score float64
		want  float64
	}{
		{"3.96 shows as 3.9", 3.96, 3.9},
		{"3.99 shows as 3.9", 3.99, 3.9},
		{"2.7 stays 2.7", 2.7, 2.7},
		{"2.7 computed as 0.3*9 stays 2.7", times(0.3, 9), 2.7},
		{"2.75 shows as 2.7", 2.75, 2.7},
		{"4.0 stays 4.0", 4.0, 4.0},
		{"1 stays 1", 1, 1},
		{"5 stays 5", 5, 5},
		{"3.125 shows as 3.1", 3.125, 3.1},
		{"2.6875 shows as 2.6", 2.6875, 2.6},
		{"3.3 computed as 3*1.1 stays 3.3", times(3, 1.1), 3.3},
		{"2.1 computed as 0.7*3 stays 2.1", times(0.7, 3), 2.1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := assess.Truncate(tt.score)
			if got != tt.want {
				t.Errorf("Truncate(%v) = %v, want %v", tt.score, got, tt.want)
			}
		})
	}
}

func TestScoreTargets(t *testing.T) {
	m := buildTestModel(t, testModelSpec)
	type targetView struct {
		Target *int
		Gap    *float64
		Met    *bool
	}
	intp := func(i int) *int { return &i }
	boolp := func(b bool) *bool { return &b }
	tests := []struct {
		name       string
		targets    map[string]int
		want       map[string]targetView // AAA L2 S2.5, CCC L4 S4, BBB L3 S3.25
		set, metOK int
	}{
		{"no targets", nil, map[string]targetView{"AAA": {}, "CCC": {}, "BBB": {}}, 0, 0},
		// AAA: gap 4 - 2.5 = 1.5, not met. BBB: gap max(0, 3 - 3.25) = 0, met (L 3 >= 3). CCC: none.
		{"targets on two categories", map[string]int{"AAA": 4, "BBB": 3},
			map[string]targetView{
				"AAA": {intp(4), val(1.5), boolp(false)},
				"CCC": {},
				"BBB": {intp(3), val(0), boolp(true)},
			}, 2, 1},
		// AAA: gap 3 - 2.5 = 0.5, not met (L 2 < 3). CCC: gap 5 - 4 = 1. BBB: gap 0, target 1 met.
		{"target above the score within a level", map[string]int{"AAA": 3, "CCC": 5, "BBB": 1},
			map[string]targetView{
				"AAA": {intp(3), val(0.5), boolp(false)},
				"CCC": {intp(5), val(1), boolp(false)},
				"BBB": {intp(1), val(0), boolp(true)},
			}, 3, 1},
		{"target equal to the level is met with gap 0", map[string]int{"CCC": 4},
			map[string]targetView{"AAA": {}, "CCC": {intp(4), val(0), boolp(true)}, "BBB": {}}, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := scenario(m)
			in.Targets = tt.targets
			r := assess.Score(in)
			got := map[string]targetView{}
			for _, c := range r.Categories {
				got[c.ID] = targetView{c.Target, c.Gap, c.TargetMet}
			}
			if diff := cmp.Diff(tt.want, got, approx); diff != "" {
				t.Errorf("targets (-want +got):\n%s", diff)
			}
			if r.Program.TargetsSet != tt.set || r.Program.TargetsMet != tt.metOK {
				t.Errorf("targets set/met = %d/%d, want %d/%d", r.Program.TargetsSet, r.Program.TargetsMet, tt.set, tt.metOK)
			}
		})
	}
}

func TestScoreRoadmap(t *testing.T) {
	m := buildTestModel(t, testModelSpec)
	type phaseView struct {
		Objectives []string // ID@level
		Program    float64
		Floor      int
		Domains    map[string]float64
		Categories map[string]string // level/score
	}
	view := func(p assess.Phase) phaseView {
		v := phaseView{Program: p.Projected.Program, Floor: p.Projected.Floor, Domains: map[string]float64{}, Categories: map[string]string{}}
		for _, o := range p.Objectives {
			v.Objectives = append(v.Objectives, fmt.Sprintf("%s@%s/%d", o.ID, o.Category, o.Level))
		}
		for _, d := range p.Projected.Domains {
			v.Domains[d.ID] = d.Score
		}
		for _, c := range p.Projected.Categories {
			v.Categories[c.ID] = fmt.Sprintf("L%d S%.6f", c.Level, c.Score)
		}
		return v
	}
	tests := []struct {
		name    string
		extra   []string
		targets map[string]int
		want    []phaseView
	}{
		{"no targets, no roadmap", nil, nil, nil},
		{"targets met, no roadmap", nil, map[string]int{"AAA": 2, "CCC": 4, "BBB": 3}, nil},
		{"target below the level, no roadmap", nil, map[string]int{"CCC": 1}, nil},
		// Scenario: AAA L2, CCC L4, BBB L3. Targets AAA 4, CCC 5, BBB 5.
		// Phase 1 (level L+1): AAA-3.2, AAA-3.1 (AAA, model order), BBB-4.1
		// (domain found before proc, though CCC comes before BBB in the
		// model), CCC-5.1.
		// Projected 1: AAA L3 S3 + 0 (AAA-4.1 unanswered); BBB L5 (BBB-5.1
		// already met) S5; CCC L5 S5. found = (3*3 + 5)/4 = 3.5; proc 5;
		// program = (2*3.5 + 5)/3 = 4; floor 3.
		// Phase 2 (level L+2): AAA-4.1 (AAA T4 >= 2+2); BBB-5.1 is met and
		// left out; CCC T5 < 4+2.
		// Projected 2: AAA L4 S4 + 0 (AAA-5.1); found = (3*4 + 5)/4 = 4.25;
		// program = (2*4.25 + 5)/3 = 4.5; floor 4.
		{"two phases", nil, map[string]int{"AAA": 4, "CCC": 5, "BBB": 5}, []phaseView{
			{
				Objectives: []string{"AAA-3.2@AAA/3", "AAA-3.1@AAA/3", "BBB-4.1@BBB/4", "CCC-5.1@CCC/5"},
				Program:    4, Floor: 3,
				Domains:    map[string]float64{"found": 3.5, "proc": 5},
				Categories: map[string]string{"AAA": "L3 S3.000000", "CCC": "L5 S5.000000", "BBB": "L5 S5.000000"},
			},
			{
				Objectives: []string{"AAA-4.1@AAA/4"},
				Program:    4.5, Floor: 4,
				Domains:    map[string]float64{"found": 4.25, "proc": 5},
				Categories: map[string]string{"AAA": "L4 S4.000000", "CCC": "L5 S5.000000", "BBB": "L5 S5.000000"},
			},
		}},
		// AAA-3.2 na: AAA still L2, S = 2 + 0.5. Phase 1 lists AAA-3.1 only.
		// Projected: AAA L3 S3; CCC 4 and BBB 3.25 unchanged.
		// found = (3*3 + 3.25)/4 = 3.0625; program = (2*3.0625 + 4)/3 = 3.375.
		{"excluded objectives are left out", []string{"AAA-3.2=na"}, map[string]int{"AAA": 3}, []phaseView{
			{
				Objectives: []string{"AAA-3.1@AAA/3"},
				Program:    3.375, Floor: 3,
				Domains:    map[string]float64{"found": 3.0625, "proc": 4},
				Categories: map[string]string{"AAA": "L3 S3.000000", "CCC": "L4 S4.000000", "BBB": "L3 S3.250000"},
			},
		}},
		// Target AAA 5 from L2: three phases; each is the next level of AAA.
		// Phase 3 projected: AAA L5 S5; found = (15 + 3.25)/4 = 4.5625;
		// program = (2*4.5625 + 4)/3 = 4.375.
		{"a phase per level up to the target", nil, map[string]int{"AAA": 5}, []phaseView{
			{
				Objectives: []string{"AAA-3.2@AAA/3", "AAA-3.1@AAA/3"},
				// found = (9 + 3.25)/4 = 3.0625; program = (6.125 + 4)/3 = 3.375.
				Program: 3.375, Floor: 3,
				Domains:    map[string]float64{"found": 3.0625, "proc": 4},
				Categories: map[string]string{"AAA": "L3 S3.000000", "CCC": "L4 S4.000000", "BBB": "L3 S3.250000"},
			},
			{
				Objectives: []string{"AAA-4.1@AAA/4"},
				// found = (12 + 3.25)/4 = 3.8125; program = (7.625 + 4)/3 = 3.875; floor BBB 3.
				Program: 3.875, Floor: 3,
				Domains:    map[string]float64{"found": 3.8125, "proc": 4},
				Categories: map[string]string{"AAA": "L4 S4.000000", "CCC": "L4 S4.000000", "BBB": "L3 S3.250000"},
			},
			{
				Objectives: []string{"AAA-5.1@AAA/5"},
				Program:    4.375, Floor: 3,
				Domains:    map[string]float64{"found": 4.5625, "proc": 4},
				Categories: map[string]string{"AAA": "L5 S5.000000", "CCC": "L4 S4.000000", "BBB": "L3 S3.250000"},
			},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := scenario(m)
			in.Answers = merge(in.Answers, answers(tt.extra...))
			in.Targets = tt.targets
			r := assess.Score(in)
			var got []phaseView
			for i, p := range r.Roadmap {
				if p.Phase != i+1 {
					t.Errorf("phase %d is numbered %d", i+1, p.Phase)
				}
				got = append(got, view(p))
			}
			if diff := cmp.Diff(tt.want, got, approx, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("roadmap (-want +got):\n%s", diff)
			}
		})
	}
}

// TestScoreJSON checks the score JSON against the contract of formats.md:
// every field it names is there under that name, with null where it says.
// The whole result is also kept as a golden file, to review any change.
func TestScoreJSON(t *testing.T) {
	m := buildTestModel(t, testModelSpec)
	in := scenario(m)
	in.Answers = merge(in.Answers, answers("AAA-5.1=na"))
	in.Targets = map[string]int{"AAA": 4, "BBB": 5}
	data, err := json.MarshalIndent(assess.Score(in), "", "  ")
	if err != nil {
		t.Fatal(err)
	}

	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	const (
		str    = "string"
		num    = "number"
		boolT  = "bool"
		object = "object"
		array  = "array"
		null   = "null"
	)
	kind := func(v any) string {
		switch v.(type) {
		case string:
			return str
		case float64:
			return num
		case bool:
			return boolT
		case map[string]any:
			return object
		case []any:
			return array
		case nil:
			return null
		}
		return fmt.Sprintf("%T", v)
	}
	// has checks that obj has every field with one of the kinds given.
	has := func(where string, v any, fields map[string]string) map[string]any {
		t.Helper()
		obj, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s is %s, want an object", where, kind(v))
		}
		for name, kinds := range fields {
			got, ok := obj[name]
			if !ok {
				t.Errorf("%s has no field %q", where, name)
				continue
			}
			if !strings.Contains("|"+kinds+"|", "|"+kind(got)+"|") {
				t.Errorf("%s.%s is %s (%v), want %s", where, name, kind(got), got, kinds)
			}
		}
		return obj
	}
	list := func(where string, v any) []any {
		t.Helper()
		l, ok := v.([]any)
		if !ok || len(l) == 0 {
			t.Fatalf("%s is %s, want a non-empty array", where, kind(v))
		}
		return l
	}
	programFields := map[string]string{"score": num, "floor": num, "completeness": num}
	domainFields := map[string]string{"id": str, "score": num, "completeness": num}
	categoryFields := map[string]string{"id": str, "domain": str, "level": num, "score": num,
		"target": num + "|" + null, "gap": num + "|" + null, "completeness": num}
	objectiveFields := map[string]string{"id": str, "value": num + "|" + null, "met": boolT, "status": str, "source": str}

	has("result", doc, map[string]string{"model": object, "as_of": str, "program": object,
		"domains": array, "categories": array, "objectives": array, "scopes": array})
	ref := has("model", doc["model"], map[string]string{"id": str, "version": str})
	if ref["id"] != "test" || ref["version"] != "1.0.0" {
		t.Errorf("model = %v, want test 1.0.0", ref)
	}
	if doc["as_of"] != "2026-11-20" {
		t.Errorf("as_of = %v, want 2026-11-20", doc["as_of"])
	}
	prog := has("program", doc["program"], programFields)
	if prog["score"] != 3.125 || prog["floor"] != 2.0 {
		t.Errorf("program = %v, want the exact score 3.125 and floor 2", prog)
	}
	for i, d := range list("domains", doc["domains"]) {
		has(fmt.Sprintf("domains[%d]", i), d, domainFields)
	}
	cats := map[string]map[string]any{}
	for i, c := range list("categories", doc["categories"]) {
		obj := has(fmt.Sprintf("categories[%d]", i), c, categoryFields)
		cats[fmt.Sprint(obj["id"])] = obj
	}
	if c := cats["CCC"]; c["target"] != nil || c["gap"] != nil {
		t.Errorf("CCC without a target has target %v gap %v, want null and null", c["target"], c["gap"])
	}
	if c := cats["AAA"]; c["target"] != 4.0 || c["gap"] != 1.5 {
		t.Errorf("AAA has target %v gap %v, want 4 and 1.5", c["target"], c["gap"])
	}
	statuses := map[string]bool{"answered": true, "unanswered": true, "stale": true, "na": true, "exempt": true}
	sources := map[string]bool{"manual": true, "automated": true, "none": true}
	objs := map[string]map[string]any{}
	for i, o := range list("objectives", doc["objectives"]) {
		obj := has(fmt.Sprintf("objectives[%d]", i), o, objectiveFields)
		objs[fmt.Sprint(obj["id"])] = obj
		if !statuses[fmt.Sprint(obj["status"])] || !sources[fmt.Sprint(obj["source"])] {
			t.Errorf("objectives[%d] has status %v source %v", i, obj["status"], obj["source"])
		}
	}
	if o := objs["AAA-5.1"]; o["value"] != nil || o["status"] != "na" {
		t.Errorf("excluded AAA-5.1 has value %v status %v, want null and na", o["value"], o["status"])
	}
	if o := objs["AAA-2.2"]; o["value"] != 0.9 || o["source"] != "automated" || o["met"] != true {
		t.Errorf("AAA-2.2 = %v, want value 0.9, automated, met", o)
	}
	for i, s := range list("scopes", doc["scopes"]) {
		where := fmt.Sprintf("scopes[%d]", i)
		sc := has(where, s, map[string]string{"id": str, "program": object, "domains": array, "categories": array})
		if sc["id"] != assess.DefaultScope {
			t.Errorf("%s.id = %v, want %s", where, sc["id"], assess.DefaultScope)
		}
		has(where+".program", sc["program"], programFields)
		for j, d := range list(where+".domains", sc["domains"]) {
			has(fmt.Sprintf("%s.domains[%d]", where, j), d, domainFields)
		}
		for j, c := range list(where+".categories", sc["categories"]) {
			has(fmt.Sprintf("%s.categories[%d]", where, j), c, categoryFields)
		}
	}

	golden := filepath.Join("testdata", "scoring", "scenario.json")
	data = append(data, '\n')
	if updateGolden() {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(want, data) {
		t.Errorf("score JSON differs from %s (-want +got):\n%s\nrun the test with -update if the change is intended", golden, cmp.Diff(string(want), string(data)))
	}
}
