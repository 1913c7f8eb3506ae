package report

import (
	"fmt"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
)

// testModelYAML is a small model: two domains, four categories, objectives
// at every level from 2 to 5.
const testModelYAML = `
id: test
version: 1.0.0
name: Test Maturity Model
description: A small model for the report tests.
levels:
  - {level: 1, name: Ad Hoc, description: Done by hand.}
  - {level: 2, name: Basic, description: The essentials exist.}
  - {level: 3, name: Scripted, description: Automation run by people.}
  - {level: 4, name: Guarded, description: Central guardrails.}
  - {level: 5, name: Automatic, description: Automation everywhere.}
domains:
  - {id: base, name: Base & Core, description: The foundation.}
  - {id: build, name: Build, description: What is deployed.}
categories:
  - {id: IAM, domain: base, name: Identity, description: Who can do what.}
  - {id: MON, domain: base, name: Monitoring}
  - {id: NET, domain: build, name: Network}
  - {id: DAT, domain: build, name: Data, weight: 2}
objectives:
  - {id: IAM-2.1, category: IAM, level: 2, title: Root account locked, question: Is it in place, mode: manual}
  - {id: IAM-2.2, category: IAM, level: 2, title: MFA for people, question: Is it in place, mode: either}
  - {id: IAM-3.1, category: IAM, level: 3, title: Central identity provider, question: Is it in place, mode: manual}
  - {id: IAM-3.2, category: IAM, level: 3, title: No long-lived keys, question: Is it in place, mode: manual}
  - {id: IAM-4.1, category: IAM, level: 4, title: Permission guardrails, question: Is it in place, mode: manual}
  - {id: IAM-5.1, category: IAM, level: 5, title: Just-in-time access, question: Is it in place, mode: manual}
  - {id: MON-2.1, category: MON, level: 2, title: Audit logs on, question: Is it in place, mode: manual}
  - {id: MON-3.1, category: MON, level: 3, title: Central log archive, question: Is it in place, mode: manual}
  - {id: MON-4.1, category: MON, level: 4, title: Threat detection everywhere, question: Is it in place, mode: manual}
  - {id: MON-5.1, category: MON, level: 5, title: Automated response, question: Is it in place, mode: manual}
  - {id: NET-2.1, category: NET, level: 2, title: No open admin ports, question: Is it in place, mode: manual}
  - {id: NET-3.1, category: NET, level: 3, title: Segmented networks, question: Is it in place, mode: automated, threshold: 1}
  - {id: NET-4.1, category: NET, level: 4, title: Egress control, question: Is it in place, mode: manual}
  - {id: NET-5.1, category: NET, level: 5, title: Network as code, question: Is it in place, mode: manual}
  - {id: DAT-2.1, category: DAT, level: 2, title: Storage not public, question: Is it in place, mode: manual}
  - {id: DAT-3.1, category: DAT, level: 3, title: Encryption at rest, question: Is it in place, mode: manual, threshold: 0.75}
  - {id: DAT-4.1, category: DAT, level: 4, title: Customer-managed keys, question: Is it in place, mode: manual}
  - {id: DAT-4.2, category: DAT, level: 4, title: Data classification, question: Is it in place, mode: manual}
  - {id: DAT-5.1, category: DAT, level: 5, title: Data loss prevention, question: Is it in place, mode: manual}
`

// fixtureOptions change the hand-made assessment of the tests.
type fixtureOptions struct {
	organization  string
	note          string
	justification string
	reason        string
}

func testModel(t testing.TB) *model.Model {
	t.Helper()
	m, err := model.Parse("test-model.yaml", []byte(testModelYAML))
	if err != nil {
		t.Fatalf("parse test model: %v", err)
	}
	return m
}

func date(t testing.TB, s string) assess.Date {
	t.Helper()
	d, err := assess.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// fixture scores a hand-made assessment with two scopes, stale, not
// applicable and exempt objectives, evidence and targets, and builds its report.
func fixture(t testing.TB, opt fixtureOptions) *Report {
	t.Helper()
	if opt.organization == "" {
		opt.organization = "Example Corp"
	}
	if opt.note == "" {
		opt.note = "prod only, dev next quarter"
	}
	if opt.reason == "" {
		opt.reason = "keys move to the new HSM in Q1"
	}
	if opt.justification == "" {
		opt.justification = "no customer data in development"
	}
	m := testModel(t)
	asOf := date(t, "2026-11-20")
	answered := date(t, "2026-10-01")
	old := date(t, "2025-06-01")
	scopes := []assess.Scope{{ID: "production", Name: "Production", Weight: 2}, {ID: "development", Name: "Development", Weight: 1}}
	answers := map[assess.Key]assess.Response{}
	both := func(id string, a assess.Answer) {
		for _, s := range scopes {
			answers[assess.Key{Objective: id, Scope: s.ID}] = assess.Response{Answer: a, By: "alice", Date: answered}
		}
	}
	one := func(id, scope string, r assess.Response) {
		if r.Date.IsZero() {
			r.Date = answered
		}
		answers[assess.Key{Objective: id, Scope: scope}] = r
	}
	// IAM: level 2, blocked at 3 by IAM-3.1 (unanswered in dev) and IAM-3.2 (some);
	// IAM-4.1 met above the gate.
	both("IAM-2.1", assess.Yes)
	both("IAM-2.2", assess.Yes)
	one("IAM-3.1", "production", assess.Response{Answer: assess.Yes, By: "bob", Note: opt.note})
	both("IAM-3.2", assess.Some)
	both("IAM-4.1", assess.Yes)
	// MON: level 3 with a stale answer at level 4 in production.
	both("MON-2.1", assess.Yes)
	both("MON-3.1", assess.Yes)
	one("MON-4.1", "production", assess.Response{Answer: assess.Yes, By: "carol", Date: old, Note: opt.note})
	one("MON-4.1", "development", assess.Response{Answer: assess.Half})
	both("MON-5.1", assess.Most)
	// NET: level 2 and 0.96 of level 3 from evidence, so 2.96, shown as 2.9.
	both("NET-2.1", assess.Yes)
	// DAT: level 3; DAT-2.1 not applicable in development; DAT-4.1 exempt.
	one("DAT-2.1", "production", assess.Response{Answer: assess.Yes})
	one("DAT-2.1", "development", assess.Response{Answer: assess.NA, Justification: opt.justification, By: "dave"})
	both("DAT-3.1", assess.Most)
	both("DAT-4.2", assess.Half)
	evidence := map[assess.Key]assess.Evidence{
		{Objective: "NET-3.1", Scope: "production"}:  {Passed: 48, Failed: 2, Muted: 1, Source: "prowler"},
		{Objective: "NET-3.1", Scope: "development"}: {Passed: 24, Failed: 1, Source: "prowler"},
	}
	in := assess.Input{
		Model:   m,
		Scopes:  scopes,
		Answers: answers, Evidence: evidence,
		Exemptions: map[string]assess.Exemption{
			"DAT-4.1": {Reason: opt.reason, Approver: "CISO", Until: date(t, "2027-03-31"), RequestedBy: "Dana Data", Comment: "until the archive moves"},
			"MON-5.1": {Reason: "old exemption", Approver: "CISO", Until: date(t, "2026-01-31")},
		},
		Targets:      map[string]int{"IAM": 4, "MON": 3, "NET": 4},
		ValidityDays: 365,
		AsOf:         asOf,
	}
	res := assess.Score(in)
	return Build(m, res, Meta{
		Organization: opt.organization,
		Assessment:   "Cloud security review 2026",
		Scopes:       scopes,
		GeneratedAt:  time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC),
		ValidityDays: 365,
		Evidence: []EvidenceItem{
			{Objective: "IAM-3.1", Kind: "link", Title: "IAM runbook <v2>", URL: "https://wiki.example.com/iam?a=1&b=2", By: "bob", Added: time.Date(2026, 10, 2, 8, 0, 0, 0, time.UTC)},
			{Objective: "IAM-3.1", Kind: "file", Title: "mfa-export.pdf", Size: 123456, By: "bob", Added: time.Date(2026, 10, 3, 8, 0, 0, 0, time.UTC)},
			{Objective: "DAT-2.1", Kind: "file", Title: "data-map.png", Size: 900, By: "dave", Added: time.Date(2026, 10, 4, 8, 0, 0, 0, time.UTC)},
		},
		Reviews: map[assess.Key]ReviewMark{
			{Objective: "IAM-3.1", Scope: "production"}:  {By: "Rita Reviewer", At: time.Date(2026, 10, 5, 8, 0, 0, 0, time.UTC)},
			{Objective: "DAT-2.1", Scope: "development"}: {By: "Rita Reviewer", At: time.Date(2026, 10, 5, 8, 0, 0, 0, time.UTC), Changed: true},
			{Objective: "IAM-2.1", Scope: "production"}:  {By: "Rita Reviewer", At: time.Date(2026, 10, 5, 8, 0, 0, 0, time.UTC)},
		},
	})
}

// builtinReport builds the report of a fully answered assessment of the
// built-in model with three scopes.
func builtinReport(t testing.TB) *Report {
	t.Helper()
	m := builtinModel(t)
	scopes := []assess.Scope{
		{ID: "production", Name: "Production", Weight: 3},
		{ID: "staging", Name: "Staging", Weight: 1},
		{ID: "development", Name: "Development", Weight: 1},
	}
	asOf := assess.Date{Year: 2026, Month: time.November, Day: 20}
	// Lower levels are answered better than higher ones, as in a real program.
	byLevel := map[int][]assess.Answer{
		2: {assess.Yes},
		3: {assess.Yes, assess.Yes, assess.Yes, assess.Yes, assess.Yes, assess.Yes, assess.Most},
		4: {assess.Half, assess.Yes, assess.Some, assess.Most, assess.No},
		5: {assess.No, assess.Some, assess.No, assess.Half},
	}
	answers := map[assess.Key]assess.Response{}
	for i, o := range m.Objectives {
		for si, s := range scopes {
			words := byLevel[o.Level]
			answers[assess.Key{Objective: o.ID, Scope: s.ID}] = assess.Response{
				Answer: words[(i*3+si)%len(words)], By: "assessor", Date: asOf.AddDays(-30), Note: fmt.Sprintf("reviewed %s", o.ID),
			}
		}
	}
	targets := map[string]int{}
	for i, c := range m.Categories {
		targets[c.ID] = 3 + i%2
	}
	res := assess.Score(assess.Input{Model: m, Scopes: scopes, Answers: answers, Targets: targets, AsOf: asOf})
	return Build(m, res, Meta{
		Organization: "Example Corp", Assessment: "Annual review", Scopes: scopes,
		GeneratedAt: time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC),
	})
}

func builtinModel(t testing.TB) *model.Model {
	t.Helper()
	m, err := model.Builtin()
	if err != nil {
		t.Fatalf("built-in model: %v", err)
	}
	return m
}
