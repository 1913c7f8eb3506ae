package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/history"
	"github.com/csmm/csmm/internal/model"
	"github.com/google/go-cmp/cmp"
)

// customYAML is the built-in model renamed, so an assessment can use it as
// a custom model.
func customYAML(t *testing.T) string {
	t.Helper()
	y := string(model.BuiltinYAML())
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Replace(y, "\nid: "+m.ID+"\n", "\nid: custom\n", 1)
}

func TestSnapshotNeverChanges(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		f := newFixture(t, s, "frozen")
		cm, err := s.CreateModel(ctx, f.org.ID, f.actor, CustomModel{Name: "custom", Version: "1.0.0", YAML: customYAML(t)})
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.CreateAssessment(ctx, f.org.ID, f.actor, AssessmentInput{Name: "on custom", ModelRef: cm.ID,
			Scopes: []Scope{{ID: "production", Weight: 2}, {ID: "development"}}, TargetDefault: 3})
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.LoadModel(ctx, f.org.ID, cm.ID)
		if err != nil {
			t.Fatal(err)
		}
		objs := m.Objectives
		for i, o := range objs[:12] {
			ans := []assess.Answer{assess.Yes, assess.Most, assess.Half}[i%3]
			if _, err := s.PutAnswer(ctx, f.org.ID, f.actor, AnswerInput{AssessmentID: a.ID, Objective: o.ID, Scope: "production", Answer: ans, AnsweredBy: "alice", AnsweredAt: assess.DateOf(time.Now())}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.ReplaceEvidence(ctx, f.org.ID, f.actor, a.ID, "prowler", []Evidence{{Objective: objs[0].ID, Scope: "production", Passed: 3, Failed: 1}}); err != nil {
			t.Fatal(err)
		}
		snap, err := s.Finalize(ctx, f.org.ID, f.actor, a.ID, "Owner", "first")
		if err != nil {
			t.Fatalf("Finalize: %v", err)
		}
		before, _, err := s.GetSnapshot(ctx, f.org.ID, snap.ID)
		if err != nil {
			t.Fatalf("GetSnapshot: %v", err)
		}
		beforeTrend, err := s.Trend(ctx, f.org.ID, a.ID)
		if err != nil {
			t.Fatal(err)
		}

		// Change everything the snapshot was made from.
		for _, o := range objs[:12] {
			if _, err := s.PutAnswer(ctx, f.org.ID, f.actor, AnswerInput{AssessmentID: a.ID, Objective: o.ID, Scope: "production", Answer: assess.No, ExpectedVersion: 1}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.DeleteEvidence(ctx, f.org.ID, f.actor, a.ID, "prowler"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetTargets(ctx, f.org.ID, f.actor, a.ID, nil, 5); err != nil {
			t.Fatal(err)
		}
		changed := strings.Replace(customYAML(t), "\nversion: ", "\nversion: 9", 1)
		if err := s.write(ctx, func(tx *tx) error {
			_, err := tx.exec(ctx, "UPDATE models SET yaml = ? WHERE id = ?", changed, cm.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}

		after, am, err := s.GetSnapshot(ctx, f.org.ID, snap.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("the snapshot changed with the live assessment (-before +after):\n%s", diff)
		}
		rescored, _ := json.Marshal(assess.Score(after.Input.Assess(am, assess.Date{})))
		stored, _ := json.Marshal(before.Result)
		if diff := cmp.Diff(string(stored), string(rescored)); diff != "" {
			t.Errorf("the frozen input no longer scores as the stored result (-stored +rescored):\n%s", diff)
		}
		afterTrend, err := s.Trend(ctx, f.org.ID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(beforeTrend, afterTrend); diff != "" {
			t.Errorf("the trend changed (-before +after):\n%s", diff)
		}
		live, err := s.LiveSide(ctx, f.org.ID, a.ID, snap.Input.AsOf)
		if err != nil {
			t.Fatal(err)
		}
		if live.Result.Program.Score >= before.Result.Program.Score && before.Result.Program.Score > 1 {
			t.Errorf("live program score %v did not fall below the snapshot's %v after every answer became no", live.Result.Program.Score, before.Result.Program.Score)
		}
		if len(after.Input.Answers) != 12 || after.Input.Answers[0].By != "alice" || after.Input.Answers[0].UpdatedBy != f.owner.ID {
			t.Errorf("frozen answers lost who answered: %+v", after.Input.Answers[:1])
		}
		list, err := s.ListSnapshots(ctx, f.org.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].ID != snap.ID || list[0].FinalizedBy != "Owner" || list[0].Note != "first" {
			t.Errorf("ListSnapshots = %+v, want the one snapshot", list)
		}
		page, err := s.ListAudit(ctx, f.org.ID, AuditFilter{Action: "snapshot.create"})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Entries) != 1 || page.Entries[0].TargetID != snap.ID {
			t.Errorf("audit of finalize = %+v, want one snapshot.create entry", page.Entries)
		}
		if _, _, err := s.GetSnapshot(ctx, "other-org", snap.ID); err == nil {
			t.Errorf("another organization read the snapshot")
		}
	})
}

// TestBenchmarkNeverSmallOrOptedOut tries random filter combinations over
// random organizations and checks that every answer comes from at least
// five opted-in organizations of the group, exactly those, and that a
// smaller group is suppressed without figures.
func TestBenchmarkNeverSmallOrOptedOut(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		m, err := model.Builtin()
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(11, 5))
		industries := []string{"finance", "health", "retail"}
		sizes := []string{"1-99", "100-999"}
		providers := []string{"aws", "azure", "gcp"}
		type org struct {
			id      string
			actor   Actor
			profile Profile
			program float64
		}
		var orgs []org
		var asker fixture
		for i := range 16 {
			f := newFixture(t, s, fmt.Sprintf("peer%02d", i))
			if i == 0 {
				asker = f
			}
			p := Profile{Industry: industries[rng.IntN(len(industries))], SizeBand: sizes[rng.IntN(len(sizes))], BenchmarkOptIn: rng.IntN(4) != 0}
			for _, pv := range providers {
				if rng.IntN(2) == 0 {
					p.Providers = append(p.Providers, pv)
				}
			}
			if _, err := s.SetProfile(ctx, f.org.ID, f.actor, p); err != nil {
				t.Fatal(err)
			}
			var list []AnswerInput
			for _, o := range m.Objectives {
				if rng.IntN(3) == 0 {
					list = append(list, AnswerInput{AssessmentID: f.assessment.ID, Objective: o.ID, Scope: "production", Answer: assess.Yes})
				}
			}
			if _, err := s.PutAnswers(ctx, f.org.ID, f.actor, f.assessment.ID, list); err != nil {
				t.Fatal(err)
			}
			snap, err := s.Finalize(ctx, f.org.ID, f.actor, f.assessment.ID, "Owner", "")
			if err != nil {
				t.Fatal(err)
			}
			orgs = append(orgs, org{id: f.org.ID, actor: f.actor, profile: p, program: snap.Result.Program.Score})
		}
		pick := func(l []string) string {
			if n := rng.IntN(len(l) + 1); n < len(l) {
				return l[n]
			}
			return ""
		}
		for range 60 {
			g := history.Group{Industry: pick(industries), SizeBand: pick(sizes), Provider: pick(providers)}
			got, err := s.Benchmark(ctx, asker.org.ID, BenchmarkQuery{Group: g})
			if err != nil {
				t.Fatal(err)
			}
			var want []float64
			for _, o := range orgs {
				p := o.profile
				if p.BenchmarkOptIn && (g.Industry == "" || g.Industry == p.Industry) && (g.SizeBand == "" || g.SizeBand == p.SizeBand) &&
					(g.Provider == "" || slices.Contains(p.Providers, g.Provider)) {
					want = append(want, o.program)
				}
			}
			if len(want) < history.MinGroup {
				if !got.Suppressed || got.Organizations != nil || got.Program != nil || got.Categories != nil || got.Domains != nil || got.You != nil {
					t.Errorf("group %+v of %d organizations: got %+v, want suppressed without figures", g, len(want), got)
				}
				continue
			}
			if got.Suppressed || got.Organizations == nil || *got.Organizations != len(want) {
				t.Errorf("group %+v: organizations = %v, want %d opted-in members", g, got.Organizations, len(want))
				continue
			}
			sort.Float64s(want)
			pos := 0.5 * float64(len(want)-1)
			lo, hi := want[int(pos)], want[int(pos+0.5)]
			median := lo + (hi-lo)*(pos-float64(int(pos)))
			if got.Program == nil || fmt.Sprintf("%.2f", median) != fmt.Sprintf("%.2f", got.Program.P50) {
				t.Errorf("group %+v: program p50 = %+v, want %.2f (median of the opted-in members only)", g, got.Program, median)
			}
		}
		// Every group is computed by now: opting out still counts on the
		// next answer, down to suppression.
		in := 0
		for _, o := range orgs {
			if o.profile.BenchmarkOptIn {
				in++
			}
		}
		for _, o := range orgs {
			if !o.profile.BenchmarkOptIn {
				continue
			}
			p := o.profile
			p.BenchmarkOptIn = false
			if _, err := s.SetProfile(ctx, o.id, o.actor, p); err != nil {
				t.Fatal(err)
			}
			in--
			got, err := s.Benchmark(ctx, asker.org.ID, BenchmarkQuery{})
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case in < history.MinGroup && (!got.Suppressed || got.Organizations != nil || got.Program != nil):
				t.Errorf("after opt-outs, %d organizations opted in: got %+v, want suppressed", in, got)
			case in >= history.MinGroup && (got.Organizations == nil || *got.Organizations != in):
				t.Errorf("after an opt-out: organizations = %v, want %d", got.Organizations, in)
			}
		}
	})
}
