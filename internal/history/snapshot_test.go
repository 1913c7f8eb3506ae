package history

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
	"github.com/google/go-cmp/cmp"
)

// TestPackRoundTrip packs a snapshot's input and result and unpacks them:
// every field comes back, embedded answers and evidence included, and the
// result encodes exactly as before.
func TestPackRoundTrip(t *testing.T) {
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 2, 9, 30, 0, 123000, time.UTC)
	in := Input{AsOf: assess.Date{Year: 2026, Month: 11, Day: 3}, ValidityDays: 365, TargetDefault: 2,
		Scopes:  []assess.Scope{{ID: "production", Name: "Prod", Weight: 2}, {ID: "development", Weight: 1}},
		Targets: map[string]int{m.Categories[0].ID: 4},
		Answers: []Answer{
			{Objective: m.Objectives[0].ID, Scope: "production", Response: assess.Response{Answer: assess.Yes, Note: "n", By: "alice", Date: assess.Date{Year: 2026, Month: 10, Day: 1}}, UpdatedBy: "u1", Updated: at},
			{Objective: m.Objectives[1].ID, Scope: "development", Response: assess.Response{Measure: &assess.Measure{Measured: 87, Of: 120}, By: "bob", Date: assess.Date{Year: 2026, Month: 9, Day: 1}}},
			{Objective: m.Objectives[2].ID, Scope: "production", Response: assess.Response{Answer: assess.NA, Justification: "no such thing", Date: assess.Date{Year: 2026, Month: 9, Day: 2}}},
		},
		Evidence:   []Evidence{{Objective: m.Objectives[3].ID, Scope: "production", Evidence: assess.Evidence{Passed: 3, Failed: 1, Muted: 2, Source: "prowler"}, FileName: "p.json", Format: "ocsf", Imported: at, ImportedBy: "u2"}},
		Exemptions: []Exemption{{Objective: m.Objectives[4].ID, Exemption: assess.Exemption{Reason: "legacy", Approver: "ciso", Until: assess.Date{Year: 2027, Month: 1, Day: 1}}, RequestedBy: "u3", DecidedBy: "u4", Decided: at}},
	}
	res := assess.Score(in.Assess(m, assess.Date{}))
	for _, tc := range []struct {
		name string
		v    any
		into func() any
	}{
		{"input", in, func() any { return new(Input) }},
		{"result", res, func() any { return new(assess.Result) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			packed, err := Pack(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			out := tc.into()
			if err := Unpack(packed, out); err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(tc.v)
			got, _ := json.Marshal(out)
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("unpacked %s differs (-packed +unpacked):\n%s", tc.name, diff)
			}
			if in, ok := out.(*Input); ok {
				if diff := cmp.Diff(tc.v, *in); diff != "" {
					t.Errorf("unpacked input (-packed +unpacked):\n%s", diff)
				}
			}
		})
	}
	if err := Unpack([]byte("not gzip"), new(Input)); err == nil {
		t.Errorf("Unpack of data that is not gzip: no error")
	}
}
