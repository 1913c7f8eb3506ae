package assess_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
)

// interleavedModelSpec lists objectives of different categories in turn and
// has a domain without categories (none), so that nothing may assume
// objectives grouped by category.
const interleavedModelSpec = `
domain none 2
domain found 2
domain proc 0.5
category BBB proc 2
category AAA found 3
category CCC proc
AAA-2.1 manual
BBB-2.1 either 0.5
AAA-3.1 automated 0.8
CCC-2.1 manual
BBB-3.1 manual
AAA-2.2 either
CCC-3.1 automated
AAA-4.1 manual 0.6
BBB-4.1 manual
CCC-5.1 manual
AAA-5.1 either
BBB-5.1 automated 0.9
CCC-4.1 manual
BBB-3.2 manual 0.75
`

// agreementModels are the models TestScoreAgreesWithReference scores.
func agreementModels(t *testing.T) map[string]*model.Model {
	t.Helper()
	out := map[string]*model.Model{
		"test":        buildTestModel(t, testModelSpec),
		"unweighted":  buildTestModel(t, unweightedModelSpec),
		"interleaved": buildTestModel(t, interleavedModelSpec),
	}
	for _, ref := range model.BuiltinRefs() {
		m, err := model.BuiltinRef(ref)
		if err != nil {
			t.Fatal(err)
		}
		out[ref] = m
	}
	m, err := model.Load("testdata/rev2/model.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out["rev2"] = m
	return out
}

// wildInput returns a random assessment of m that goes beyond what files
// allow where Score still takes it: unknown answer words, invalid measures,
// coverage words for binary objectives, zero, far and future dates,
// evidence with per-check counts of listed, unlisted and supporting
// checks, exemptions of unknown objectives, targets out of range.
func wildInput(rng *rand.Rand, m *model.Model) assess.Input {
	pick := func(n int) int { return rng.IntN(n) }
	asOf := assess.Date{Year: 2020 + pick(8), Month: time.Month(1 + pick(12)), Day: 1 + pick(28)}
	date := func() assess.Date {
		switch pick(12) {
		case 0:
			return assess.Date{}
		case 1:
			return assess.Date{Year: 1 + pick(3), Month: time.Month(1 + pick(12)), Day: 1 + pick(28)}
		case 2:
			return assess.Date{Year: 9990 + pick(9), Month: time.Month(1 + pick(12)), Day: 1 + pick(28)}
		case 3:
			return asOf.AddDays(pick(40))
		case 4:
			return asOf
		}
		return asOf.AddDays(-pick(600))
	}
	in := assess.Input{
		Model:                m,
		AsOf:                 asOf,
		ValidityDays:         []int{0, -3, 30, 365, 200000, 1 << 20}[pick(6)],
		EvidenceValidityDays: []int{0, 10, 90, 200000, 1 << 20}[pick(5)],
	}
	scopes := pick(5)
	weights := []float64{1, 2, 3, 0, -1, 0.5, 0.7}
	for i := range scopes {
		in.Scopes = append(in.Scopes, assess.Scope{ID: fmt.Sprintf("s%d", i), Weight: weights[pick(len(weights))]})
	}
	scopeIDs := []string{assess.DefaultScope}
	if scopes > 0 {
		scopeIDs = nil
		for _, s := range in.Scopes {
			scopeIDs = append(scopeIDs, s.ID)
		}
		if pick(4) == 0 {
			scopeIDs = append(scopeIDs, "elsewhere")
		}
	}
	density := 1 + pick(10)
	if pick(3) > 0 {
		in.Answers = map[assess.Key]assess.Response{}
	}
	if pick(3) > 0 {
		in.Evidence = map[assess.Key]assess.Evidence{}
	}
	if pick(3) > 0 {
		in.Exemptions = map[string]assess.Exemption{}
	}
	if pick(4) > 0 {
		in.Targets = map[string]int{}
	}
	words := []assess.Answer{assess.No, assess.Some, assess.Half, assess.Most, assess.Yes, assess.NA, "", "maybe"}
	checkEvidence := func(o *model.Objective) []assess.CheckEvidence {
		names := append(o.AllChecks(), "unlisted:a", "unlisted:b")
		var out []assess.CheckEvidence
		for range pick(5) {
			c := assess.CheckEvidence{
				Check:   names[pick(len(names))],
				Scanned: date(),
				Passed:  pick(5), Failed: pick(4), Muted: pick(3),
				Source: []string{"", "prowler", "trivy", "prowler, trivy"}[pick(4)],
			}
			c.Supporting = pick(3) == 0
			out = append(out, c)
		}
		return out
	}
	for oi := range m.Objectives {
		o := &m.Objectives[oi]
		if in.Exemptions != nil && pick(8) == 0 {
			in.Exemptions[o.ID] = assess.Exemption{Reason: "r", Approver: "a", Until: []assess.Date{{}, asOf, asOf.AddDays(pick(21) - 10)}[pick(3)], Comment: "c"}
		}
		for _, sc := range scopeIDs {
			k := assess.Key{Objective: o.ID, Scope: sc}
			if in.Answers != nil && pick(10) < density {
				r := assess.Response{Answer: words[pick(len(words))], Date: date(), Note: "n"}
				switch pick(6) {
				case 0:
					r.Answer = ""
					r.Measure = &assess.Measure{Measured: float64(pick(130)), Of: float64(pick(121))}
				case 1:
					r.Answer = ""
					r.Measure = &assess.Measure{Measured: float64(pick(1000)) / 10, Of: 100, Percent: true}
				}
				in.Answers[k] = r
			}
			if in.Evidence != nil && pick(10) < density/2 {
				var ev assess.Evidence
				for range 1 + pick(2) {
					e := assess.Evidence{Source: []string{"", "prowler", "trivy"}[pick(3)]}
					if pick(3) == 0 {
						e.Passed, e.Failed, e.Muted = pick(6), pick(4), pick(3)
					} else {
						e.Checks = checkEvidence(o)
						for _, c := range e.Checks {
							if !c.Supporting {
								e.Passed, e.Failed, e.Muted = e.Passed+c.Passed, e.Failed+c.Failed, e.Muted+c.Muted
							}
						}
					}
					ev = ev.Plus(e)
				}
				in.Evidence[k] = ev
			}
		}
	}
	if in.Exemptions != nil && pick(4) == 0 {
		in.Exemptions["ZZZ-9.9"] = assess.Exemption{Reason: "gone", Until: asOf}
	}
	if in.Targets != nil {
		for _, c := range m.Categories {
			if pick(3) > 0 {
				in.Targets[c.ID] = pick(8) - 1
			}
		}
		in.Targets["ZZZ"] = 4
	}
	return in
}

// TestScoreAgreesWithReference scores random assessments of several models
// with Score and with the frozen copy of the earlier implementation, and
// requires the same results (every field) and, one run in ten, the same JSON.
func TestScoreAgreesWithReference(t *testing.T) {
	runs := 120
	if testing.Short() {
		runs = 30
	}
	for name, m := range agreementModels(t) {
		rng := rand.New(rand.NewPCG(uint64(len(m.Objectives)), 0x61677265))
		for run := range runs {
			in := wildInput(rng, m)
			got, want := assess.Score(in), refScore(in)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s, run %d: Score differs from the reference (-want +got):\n%s", name, run, cmp.Diff(want, got))
			}
			if run%10 != 0 {
				continue
			}
			gj, err := got.AppendJSON(nil)
			if err != nil {
				t.Fatal(err)
			}
			wj, err := json.Marshal(want)
			if err != nil {
				t.Fatal(err)
			}
			if string(gj) != string(wj) {
				t.Fatalf("%s, run %d: JSON differs from the reference's", name, run)
			}
		}
	}
}

// TestScoreAgreesWithReferenceOnBenchmarks checks the benchmarks' inputs too.
func TestScoreAgreesWithReferenceOnBenchmarks(t *testing.T) {
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]assess.Input{"ten scopes": tenScopeInput(m), "two scopes": twoScopeInput(m)} {
		if got, want := assess.Score(in), refScore(in); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Score differs from the reference (-want +got):\n%s", name, cmp.Diff(want, got))
		}
	}
}

// TestScoreResultsShareNothingMutable checks that two results of the same
// input have no slice or pointer in common, so that a caller changing one
// (or a cache handing it out) never changes the other.
func TestScoreResultsShareNothingMutable(t *testing.T) {
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	in := tenScopeInput(m)
	a, b := assess.Score(in), assess.Score(in)
	seen := map[uintptr]string{}
	var walk func(v reflect.Value, path string, record bool)
	walk = func(v reflect.Value, path string, record bool) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() {
				return
			}
			check(t, seen, v.Pointer(), path, record)
			walk(v.Elem(), path, record)
		case reflect.Slice:
			if v.Cap() == 0 {
				return
			}
			check(t, seen, v.Pointer(), path, record)
			for i := range v.Len() {
				walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i), record)
			}
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i), path+"."+v.Type().Field(i).Name, record)
			}
		}
	}
	walk(reflect.ValueOf(a), "a", true)
	walk(reflect.ValueOf(b), "b", false)
}

func check(t *testing.T, seen map[uintptr]string, p uintptr, path string, record bool) {
	t.Helper()
	if record {
		seen[p] = path
		return
	}
	if other, ok := seen[p]; ok {
		t.Fatalf("%s shares memory with %s", path, other)
	}
}
