package assess_test

import (
	"fmt"
	"testing"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
)

// BenchmarkScoreBuiltinTenScopes scores the built-in model in ten scopes,
// every objective answered with a mix of words (some stale, some na), evidence
// on a third of the pairs, a few exemptions and a target on every category.
func BenchmarkScoreBuiltinTenScopes(b *testing.B) {
	m, err := model.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	in := tenScopeInput(m)
	b.ReportAllocs()
	for b.Loop() {
		r := assess.Score(in)
		if len(r.Scopes) != 10 {
			b.Fatalf("scored %d scopes, want 10", len(r.Scopes))
		}
	}
}

func tenScopeInput(m *model.Model) assess.Input {
	in := assess.Input{
		Model:      m,
		AsOf:       asOf,
		Answers:    map[assess.Key]assess.Response{},
		Evidence:   map[assess.Key]assess.Evidence{},
		Exemptions: map[string]assess.Exemption{},
		Targets:    map[string]int{},
	}
	for s := range 10 {
		in.Scopes = append(in.Scopes, assess.Scope{ID: fmt.Sprintf("scope-%d", s), Weight: float64(1 + s%3)})
	}
	words := []assess.Answer{assess.Yes, assess.Most, assess.Yes, assess.Half, assess.Some, assess.Yes, assess.No, assess.NA}
	for oi, o := range m.Objectives {
		if oi%25 == 7 {
			in.Exemptions[o.ID] = assess.Exemption{Reason: "replaced this year", Approver: "CISO", Until: asOf.AddDays(oi%3 - 1)}
		}
		for si, sc := range in.Scopes {
			k := assess.Key{Objective: o.ID, Scope: sc.ID}
			r := assess.Response{Answer: words[(oi*3+si)%len(words)], Date: asOf.AddDays(-((oi*37 + si*53) % 450))}
			if r.Answer == assess.NA {
				r.Justification = "not used in this scope"
			}
			in.Answers[k] = r
			if (oi+si)%3 == 0 {
				in.Evidence[k] = assess.Evidence{Passed: (oi*13 + si) % 40, Failed: (oi + si*7) % 5, Muted: si % 3}
			}
		}
	}
	for ci, c := range m.Categories {
		in.Targets[c.ID] = 3 + ci%2
	}
	return in
}

// BenchmarkScoreBuiltinTwoScopes scores an assessment like those the API
// load benchmark seeds (bench/api): the built-in model in two scopes
// (production weight 2, development weight 1), about nine objectives in ten
// answered with a word in both scopes, a target of 3 on every category, no
// evidence and no exemption. The server scores one after each saved answer.
func BenchmarkScoreBuiltinTwoScopes(b *testing.B) {
	benchTwoScopes(b, func(in assess.Input) (assess.Result, func()) { return assess.Score(in), func() {} })
}

// BenchmarkScoreTransientTwoScopes scores the input of
// BenchmarkScoreBuiltinTwoScopes as getScore does, with ScoreTransient
// and its buffers released after each result.
func BenchmarkScoreTransientTwoScopes(b *testing.B) {
	benchTwoScopes(b, assess.ScoreTransient)
}

// benchTwoScopes times score, releasing each result, on twoScopeInput.
func benchTwoScopes(b *testing.B, score func(assess.Input) (assess.Result, func())) {
	m, err := model.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	in := twoScopeInput(m)
	b.ReportAllocs()
	for b.Loop() {
		r, release := score(in)
		if len(r.Scopes) != 2 {
			b.Fatalf("scored %d scopes, want 2", len(r.Scopes))
		}
		release()
	}
}

func twoScopeInput(m *model.Model) assess.Input {
	in := assess.Input{
		Model:        m,
		AsOf:         asOf,
		Scopes:       []assess.Scope{{ID: "production", Name: "Production", Weight: 2}, {ID: "development", Name: "Development", Weight: 1}},
		Answers:      map[assess.Key]assess.Response{},
		Targets:      map[string]int{},
		ValidityDays: 365,
	}
	words := []assess.Answer{assess.No, assess.Some, assess.Half, assess.Most, assess.Yes}
	binary := []assess.Answer{assess.No, assess.Yes}
	for oi, o := range m.Objectives {
		if oi%10 == 3 {
			continue
		}
		for si, sc := range in.Scopes {
			w := words[(oi*7+si*3)%len(words)]
			if o.Binary() {
				w = binary[(oi+si)%2]
			}
			in.Answers[assess.Key{Objective: o.ID, Scope: sc.ID}] = assess.Response{Answer: w, Date: asOf.AddDays(-(oi % 30))}
		}
	}
	for _, c := range m.Categories {
		in.Targets[c.ID] = 3
	}
	return in
}
