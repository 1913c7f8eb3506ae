// Package historytest builds a pair of snapshots for tests of comparison:
// the same assessment half a year apart, the later one scored with a
// revised model in which one objective changed meaning. Every front end
// (package history, the command line) compares the same pair against the
// same golden files.
package historytest

import (
	"fmt"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/history"
	"github.com/csmm/csmm/internal/model"
)

// Pair returns the earlier and the later snapshot, each with its model's
// YAML (as an export file has it), and their models.
func Pair() (from, to *history.Snapshot, fromModel, toModel *model.Model, err error) {
	yamlA := model.BuiltinYAML()
	mA, err := model.Parse("builtin", yamlA)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	o := mA.Objectives
	// The revised model: another version, and the first objective reworded.
	yamlB := strings.Replace(string(yamlA), "\nversion: "+mA.Version+"\n", "\nversion: "+mA.Version+"-rev\n", 1)
	yamlB = strings.Replace(yamlB, "title: "+o[0].Title+"\n", "title: "+o[0].Title+" and reviewed yearly\n", 1)
	mB, err := model.Parse("revised", []byte(yamlB))
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if b, _ := mB.Objective(o[0].ID); b.Title == o[0].Title || mB.Version == mA.Version {
		return nil, nil, nil, nil, fmt.Errorf("the revised model did not change: the built-in model's YAML has another layout")
	}
	d := func(s string) assess.Date { v, _ := assess.ParseDate(s); return v }
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	scopes := []assess.Scope{{ID: "production", Weight: 2}, {ID: "development", Weight: 1}}
	targets := map[string]int{}
	for _, c := range mA.Categories {
		targets[c.ID] = 3
	}
	ans := func(obj, scope string, a assess.Answer, by, date string) history.Answer {
		return history.Answer{Objective: obj, Scope: scope, Response: assess.Response{Answer: a, By: by, Date: d(date)}, UpdatedBy: by, Updated: at(date + "T10:00:00Z")}
	}
	var before []history.Answer
	for _, ob := range o[:20] {
		before = append(before, ans(ob.ID, "production", assess.Yes, "alice", "2026-06-01"), ans(ob.ID, "development", assess.Half, "alice", "2026-06-01"))
	}
	ev := func(obj, scope, source string, passed, failed int) history.Evidence {
		return history.Evidence{Objective: obj, Scope: scope, Evidence: assess.Evidence{Passed: passed, Failed: failed, Source: source}}
	}
	ex := func(obj, until string) history.Exemption {
		return history.Exemption{Objective: obj, Exemption: assess.Exemption{Reason: "legacy system", Approver: "CISO", Until: d(until)}}
	}
	fromIn := history.Input{AsOf: d("2026-06-30"), ValidityDays: 365, Scopes: scopes, Targets: targets,
		Answers:    before,
		Evidence:   []history.Evidence{ev(o[5].ID, "production", "prowler-ocsf:scan.json", 3, 1), ev(o[6].ID, "development", "asff:hub.json", 10, 0)},
		Exemptions: []history.Exemption{ex(o[30].ID, "2026-09-30")}}
	after := make([]history.Answer, 0, len(before)+2)
	for _, a := range before {
		switch {
		case a.Objective == o[0].ID && a.Scope == "production":
			a = ans(a.Objective, a.Scope, assess.No, "bob", "2026-11-15")
		case a.Objective == o[2].ID && a.Scope == "production":
			a = ans(a.Objective, a.Scope, assess.No, "bob", "2026-11-15")
		case a.Objective == o[3].ID && a.Scope == "development":
			a = ans(a.Objective, a.Scope, assess.Yes, "carol", "2026-11-20")
		}
		after = append(after, a)
	}
	after = append(after, ans(o[25].ID, "production", assess.Yes, "bob", "2026-11-15"))
	toIn := history.Input{AsOf: d("2026-12-01"), ValidityDays: 365, Scopes: scopes, Targets: targets,
		Answers:    after,
		Evidence:   []history.Evidence{ev(o[5].ID, "production", "prowler-ocsf:scan.json", 4, 0), ev(o[7].ID, "production", "prowler-ocsf:scan.json", 1, 1)},
		Exemptions: []history.Exemption{ex(o[30].ID, "2026-09-30"), ex(o[31].ID, "2027-06-30")}}
	fromIn.Sort()
	toIn.Sort()
	snap := func(id, finalized string, m *model.Model, yaml []byte, in history.Input) *history.Snapshot {
		return &history.Snapshot{Format: history.FileFormat, Version: history.FileVersion, ID: id, OrgID: "org", Organization: "Example Corp",
			AssessmentID: "assessment", Assessment: "Cloud programme", Finalized: at(finalized), FinalizedBy: "Owner",
			Model: assess.ModelRef{ID: m.ID, Version: m.Version}, ModelSHA256: history.ModelHash(yaml), ModelYAML: string(yaml),
			Input: in, Result: assess.Score(in.Assess(m, assess.Date{}))}
	}
	return snap("s-june", "2026-06-30T16:00:00Z", mA, yamlA, fromIn), snap("s-december", "2026-12-01T16:00:00Z", mB, []byte(yamlB), toIn), mA, mB, nil
}
