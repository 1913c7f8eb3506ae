package assess_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
)

// propertyRuns is how many random assessments each property is checked on.
const propertyRuns = 400

// scale lists the answer words in increasing value.
var scale = []assess.Answer{assess.No, assess.Some, assess.Half, assess.Most, assess.Yes}

// randomInput returns a random assessment of m with the given number of
// scopes (random from 1 to 3 when scopes is 0): answers of every word,
// fresh and stale, evidence with muted findings, exemptions in force and
// expired, and random targets.
func randomInput(rng *rand.Rand, m *model.Model, scopes int) assess.Input {
	if scopes == 0 {
		scopes = 1 + rng.IntN(3)
	}
	weights := []float64{1, 2, 3, 0.5, 0.7}
	in := assess.Input{
		Model:        m,
		AsOf:         asOf,
		ValidityDays: []int{0, 30, 365}[rng.IntN(3)],
		Answers:      map[assess.Key]assess.Response{},
		Evidence:     map[assess.Key]assess.Evidence{},
		Exemptions:   map[string]assess.Exemption{},
		Targets:      map[string]int{},
	}
	for i := range scopes {
		in.Scopes = append(in.Scopes, assess.Scope{ID: fmt.Sprintf("s%d", i), Weight: weights[rng.IntN(len(weights))]})
	}
	for _, o := range m.Objectives {
		if rng.IntN(10) == 0 {
			in.Exemptions[o.ID] = assess.Exemption{Reason: "r", Approver: "a", Until: asOf.AddDays(rng.IntN(21) - 10)}
		}
		for _, sc := range in.Scopes {
			k := assess.Key{Objective: o.ID, Scope: sc.ID}
			if rng.IntN(5) > 0 {
				word := assess.Answers[rng.IntN(len(assess.Answers))]
				r := assess.Response{Answer: word, Date: asOf.AddDays(-rng.IntN(500))}
				if word == assess.NA {
					r.Justification = "does not apply"
				}
				in.Answers[k] = r
			}
			if rng.IntN(5) < 2 {
				in.Evidence[k] = assess.Evidence{Passed: rng.IntN(6), Failed: rng.IntN(4), Muted: rng.IntN(3)}
			}
		}
	}
	for _, c := range m.Categories {
		if rng.IntN(2) == 0 {
			in.Targets[c.ID] = 1 + rng.IntN(5)
		}
	}
	return in
}

// scores lists every category, domain and program score of a result (the
// roll-up, then each scope), named for messages.
func scores(r assess.Result) map[string]float64 {
	out := map[string]float64{}
	add := func(prefix string, p assess.Program, ds []assess.DomainScore, cs []assess.CategoryScore) {
		out[prefix+"program"] = p.Score
		for _, d := range ds {
			out[prefix+"domain "+d.ID] = d.Score
		}
		for _, c := range cs {
			out[prefix+"category "+c.ID] = c.Score
			out[prefix+"level "+c.ID] = float64(c.Level)
		}
	}
	add("roll-up ", r.Program, r.Domains, r.Categories)
	for _, s := range r.Scopes {
		add("scope "+s.ID+" ", s.Program, s.Domains, s.Categories)
	}
	return out
}

func TestPropertyRaisingAnAnswerNeverLowersAScore(t *testing.T) {
	m := buildTestModel(t, testModelSpec)
	rng := rand.New(rand.NewPCG(1, 2))
	for run := range propertyRuns {
		in := randomInput(rng, m, 0)
		before := scores(assess.Score(in))
		// Every answer on the scale below yes, in a fixed order.
		var keys []assess.Key
		for k, r := range in.Answers {
			if i := slices.Index(scale, r.Answer); i >= 0 && i < len(scale)-1 {
				keys = append(keys, k)
			}
		}
		slices.SortFunc(keys, func(a, b assess.Key) int {
			if a.Objective != b.Objective {
				return strings.Compare(a.Objective, b.Objective)
			}
			return strings.Compare(a.Scope, b.Scope)
		})
		for range min(3, len(keys)) {
			k := keys[rng.IntN(len(keys))]
			r := in.Answers[k]
			i := slices.Index(scale, r.Answer)
			raised := r
			raised.Answer = scale[i+1+rng.IntN(len(scale)-1-i)]
			in2 := in
			in2.Answers = merge(in.Answers, map[assess.Key]assess.Response{k: raised})
			after := scores(assess.Score(in2))
			for name, b := range before {
				if a := after[name]; a < b-1e-12 {
					t.Fatalf("run %d: raising %s in %s from %s to %s lowers the %s from %v to %v",
						run, k.Objective, k.Scope, r.Answer, raised.Answer, name, b, a)
				}
			}
		}
	}
}

func TestPropertyScoreBounds(t *testing.T) {
	m := buildTestModel(t, testModelSpec)
	rng := rand.New(rand.NewPCG(3, 4))
	check := func(t *testing.T, where string, p assess.Program, ds []assess.DomainScore, cs []assess.CategoryScore) {
		t.Helper()
		floor := model.MaxLevel
		for _, c := range cs {
			floor = min(floor, c.Level)
			if c.Level < model.MinLevel || c.Level > model.MaxLevel {
				t.Errorf("%s: %s level %d outside 1..5", where, c.ID, c.Level)
			}
			if c.Score < float64(c.Level) || (c.Level < model.MaxLevel && c.Score >= float64(c.Level+1)) || c.Score > model.MaxLevel {
				t.Errorf("%s: %s score %v outside [L, L+1) for level %d, or above 5", where, c.ID, c.Score, c.Level)
			}
			if c.Level == model.MaxLevel && c.Score != model.MaxLevel {
				t.Errorf("%s: %s at level 5 scores %v, want 5", where, c.ID, c.Score)
			}
			if got := int(assess.Truncate(c.Score)); got != c.Level {
				t.Errorf("%s: %s score %v displays as %v, whose integer part is not level %d", where, c.ID, c.Score, assess.Truncate(c.Score), c.Level)
			}
			if c.Completeness < 0 || c.Completeness > 1 {
				t.Errorf("%s: %s completeness %v outside [0, 1]", where, c.ID, c.Completeness)
			}
			if c.Gap != nil && (*c.Gap < 0 || *c.Gap > 4) {
				t.Errorf("%s: %s gap %v outside [0, 4]", where, c.ID, *c.Gap)
			}
		}
		for _, d := range ds {
			if d.Score < 1 || d.Score > 5 || d.Completeness < 0 || d.Completeness > 1 {
				t.Errorf("%s: domain %s score %v completeness %v out of bounds", where, d.ID, d.Score, d.Completeness)
			}
		}
		if p.Score < 1 || p.Score > 5 || p.Completeness < 0 || p.Completeness > 1 {
			t.Errorf("%s: program score %v completeness %v out of bounds", where, p.Score, p.Completeness)
		}
		if p.Floor != floor {
			t.Errorf("%s: floor %d, want the lowest level %d", where, p.Floor, floor)
		}
	}
	for run := range propertyRuns {
		r := assess.Score(randomInput(rng, m, 0))
		where := fmt.Sprintf("run %d roll-up", run)
		check(t, where, r.Program, r.Domains, r.Categories)
		for _, s := range r.Scopes {
			check(t, fmt.Sprintf("run %d scope %s", run, s.ID), s.Program, s.Domains, s.Categories)
		}
		for _, o := range r.Objectives {
			excluded := o.Status == assess.StatusNA || o.Status == assess.StatusExempt
			if (o.Value == nil) != excluded || (o.Value != nil && (*o.Value < 0 || *o.Value > 1)) {
				t.Errorf("%s: %s has value %s with status %s", where, o.ID, fmtValue(o.Value), o.Status)
			}
			if o.Met && (o.Value == nil || *o.Value < o.Threshold-1e-9) {
				t.Errorf("%s: %s is met with value %s below threshold %v", where, o.ID, fmtValue(o.Value), o.Threshold)
			}
		}
		if t.Failed() {
			t.FailNow()
		}
	}
}

func TestPropertySingleScopeRollUpEqualsTheScope(t *testing.T) {
	m := buildTestModel(t, testModelSpec)
	rng := rand.New(rand.NewPCG(5, 6))
	type objectiveFacts struct {
		ID      string
		Value   *float64
		Met     bool
		Status  assess.Status
		Source  assess.Source
		Expired bool
	}
	facts := func(os []assess.ObjectiveScore) []objectiveFacts {
		out := make([]objectiveFacts, len(os))
		for i, o := range os {
			out[i] = objectiveFacts{o.ID, o.Value, o.Met, o.Status, o.Source, o.ExemptionExpired}
		}
		return out
	}
	for run := range propertyRuns {
		r := assess.Score(randomInput(rng, m, 1))
		s := r.Scopes[0]
		for _, c := range []struct {
			name      string
			want, got any
		}{
			{"program", s.Program, r.Program},
			{"domains", s.Domains, r.Domains},
			{"categories", s.Categories, r.Categories},
			{"objectives", facts(s.Objectives), facts(r.Objectives)},
		} {
			if diff := cmp.Diff(c.want, c.got, approx); diff != "" {
				t.Fatalf("run %d (scope weight %v): roll-up %s differ from the scope's (-scope +roll-up):\n%s", run, s.Weight, c.name, diff)
			}
		}
	}
}

// TestPropertyRollUpValueIsWeightedMean recomputes each objective's roll-up
// value from the scope values: the weighted mean over the scopes where it is
// applicable, excluded only where it is excluded in every scope.
func TestPropertyRollUpValueIsWeightedMean(t *testing.T) {
	m := buildTestModel(t, testModelSpec)
	rng := rand.New(rand.NewPCG(7, 8))
	for run := range propertyRuns {
		r := assess.Score(randomInput(rng, m, 0))
		for i, o := range r.Objectives {
			var sum, w float64
			for _, s := range r.Scopes {
				if v := s.Objectives[i].Value; v != nil {
					sum += s.Weight * *v
					w += s.Weight
				}
			}
			var want *float64
			if w > 0 {
				want = val(sum / w)
			}
			if !cmp.Equal(want, o.Value, approx) {
				t.Fatalf("run %d: roll-up %s = %s, want %s", run, o.ID, fmtValue(o.Value), fmtValue(want))
			}
		}
	}
}

// TestPropertyCompletenessCountsPairs recomputes the program completeness of
// the roll-up from every scope's objectives.
func TestPropertyCompletenessCountsPairs(t *testing.T) {
	m := buildTestModel(t, testModelSpec)
	rng := rand.New(rand.NewPCG(9, 10))
	for run := range propertyRuns {
		r := assess.Score(randomInput(rng, m, 0))
		applicable, valued := 0, 0
		for _, s := range r.Scopes {
			for _, o := range s.Objectives {
				if o.Value == nil {
					continue
				}
				applicable++
				if o.Status == assess.StatusAnswered {
					valued++
				}
			}
		}
		want := 1.0
		if applicable > 0 {
			want = float64(valued) / float64(applicable)
		}
		if math.Abs(r.Program.Completeness-want) > 1e-12 {
			t.Fatalf("run %d: completeness %v, want %d/%d", run, r.Program.Completeness, valued, applicable)
		}
	}
}
