package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/history"
	"github.com/csmm/csmm/internal/model"
	"github.com/google/go-cmp/cmp"
)

// clock is a store clock the test moves.
type clock struct{ micros atomic.Int64 }

func (c *clock) set(t time.Time) { c.micros.Store(t.UnixMicro()) }
func (c *clock) now() time.Time  { return time.UnixMicro(c.micros.Load()).UTC() }

func openAt(t *testing.T, url string, c *clock) *Store {
	t.Helper()
	s, err := Open(context.Background(), url, WithClock(c.now))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func day(month time.Month, d int) time.Time { return time.Date(2026, month, d, 10, 0, 0, 0, time.UTC) }

func date(month time.Month, d int) assess.Date { return assess.DateOf(day(month, d)) }

// answerWords returns the scored answers of an input as "objective/scope=word".
func answerWords(in assess.Input) map[string]string {
	out := map[string]string{}
	for k, r := range in.Answers {
		out[k.Objective+"/"+k.Scope] = string(r.Answer)
	}
	return out
}

// TestScoreAsOfUsesAnswerHistory overwrites and deletes answers on known
// days and scores the live assessment as of the days between: each gives
// the answers known that day, not the current ones.
func TestScoreAsOfUsesAnswerHistory(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		c := &clock{}
		c.set(day(3, 1))
		s := openAt(t, b.fresh(t), c)
		f := newFixture(t, s, "history")
		m, err := model.Builtin()
		if err != nil {
			t.Fatal(err)
		}
		o, p, q := m.Objectives[0].ID, m.Objectives[1].ID, m.Objectives[2].ID
		put := func(obj string, ans assess.Answer, version int, dated assess.Date) {
			t.Helper()
			if _, err := s.PutAnswer(ctx, f.org.ID, f.actor, AnswerInput{AssessmentID: f.assessment.ID, Objective: obj, Scope: "production",
				Answer: ans, AnsweredBy: "alice", AnsweredAt: dated, ExpectedVersion: version}); err != nil {
				t.Fatalf("PutAnswer(%s, %s): %v", obj, ans, err)
			}
		}
		put(o, assess.Yes, 0, assess.Date{}) // 1 March: yes
		put(p, assess.Yes, 0, assess.Date{}) // 1 March: yes
		c.set(day(6, 1))
		put(o, assess.No, 1, assess.Date{}) // 1 June: overwritten with no
		c.set(day(6, 2))
		snap, err := s.Finalize(ctx, f.org.ID, f.actor, f.assessment.ID, "Owner", "June")
		if err != nil {
			t.Fatal(err)
		}
		c.set(day(6, 10))
		if err := s.DeleteAnswer(ctx, f.org.ID, f.actor, f.assessment.ID, p, "production", 1); err != nil { // 10 June: deleted
			t.Fatal(err)
		}
		c.set(day(7, 1))
		put(q, assess.Yes, 0, date(2, 1)) // entered 1 July, dated 1 February: nothing was recorded earlier, so it counts from February

		po, pp, pq := o+"/production", p+"/production", q+"/production"
		for _, tc := range []struct {
			asOf assess.Date
			want map[string]string
		}{
			{date(1, 15), map[string]string{}},
			{date(2, 20), map[string]string{pq: "yes"}},
			{date(4, 1), map[string]string{po: "yes", pp: "yes", pq: "yes"}},
			{date(6, 5), map[string]string{po: "no", pp: "yes", pq: "yes"}},
			{date(6, 20), map[string]string{po: "no", pq: "yes"}},
			{date(7, 1), map[string]string{po: "no", pq: "yes"}},
		} {
			in, _, err := s.Scoring(ctx, f.org.ID, f.assessment.ID, tc.asOf)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, answerWords(in)); diff != "" {
				t.Errorf("answers scored as of %s (-want +got):\n%s", tc.asOf, diff)
			}
			st, err := s.State(ctx, f.org.ID, f.assessment.ID, tc.asOf)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, answerWords(st.Input)); diff != "" {
				t.Errorf("State as of %s (-want +got):\n%s", tc.asOf, diff)
			}
			if len(st.Answers) != 2 {
				t.Errorf("State as of %s lists %d stored answers, want the 2 stored now", tc.asOf, len(st.Answers))
			}
		}
		// The earlier value scores: yes as of April is met (v = 1).
		in, _, err := s.Scoring(ctx, f.org.ID, f.assessment.ID, date(4, 1))
		if err != nil {
			t.Fatal(err)
		}
		res := assess.Score(in)
		var got *float64
		for _, sc := range res.Scopes {
			for _, ob := range sc.Objectives {
				if sc.ID == "production" && ob.ID == o {
					got = ob.Value
				}
			}
		}
		if got == nil || *got != 1 {
			t.Errorf("value of %s as of 1 April = %v, want 1 (the answer yes known then)", o, got)
		}

		hist, err := s.AnswerHistory(ctx, f.org.ID, f.assessment.ID)
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			Key     string
			Seq     int
			Deleted bool
			Answer  assess.Answer
			By      string
			Changed time.Time
		}
		var rows []row
		for _, h := range hist {
			rows = append(rows, row{h.Objective + "/" + h.Scope, h.Seq, h.Deleted, h.Answer.Answer, h.ChangedBy, h.Changed})
		}
		who := f.owner.ID
		want := []row{
			{po, 1, false, assess.Yes, who, day(3, 1)}, {po, 2, false, assess.No, who, day(6, 1)},
			{pp, 1, false, assess.Yes, who, day(3, 1)}, {pp, 2, true, "", who, day(6, 10)},
			{pq, 1, false, assess.Yes, who, day(7, 1)},
		}
		if diff := cmp.Diff(want, rows); diff != "" {
			t.Errorf("answer history (-want +got):\n%s", diff)
		}
		if _, err := s.AnswerHistory(ctx, "other-org", f.assessment.ID); err == nil {
			t.Errorf("another organization read the answer history")
		}
		err = s.write(ctx, func(tx *tx) error {
			_, err := tx.exec(ctx, "UPDATE answer_history SET answer = 'yes' WHERE objective = ?", o)
			return err
		})
		if err == nil {
			t.Errorf("an answer history row was updated: the history must be append-only")
		}

		// Snapshot (2 June) against the live assessment: the deletion of p
		// on 10 June names who deleted it and when.
		cmpd, err := s.Compare(ctx, f.org.ID, snap.ID, history.Live, "", assess.DateOf(c.now()))
		if err != nil {
			t.Fatal(err)
		}
		var deleted *history.ObjectiveChange
		for i, ch := range cmpd.Objectives {
			if ch.Objective == p && ch.Scope == "production" {
				deleted = &cmpd.Objectives[i]
			}
		}
		if deleted == nil {
			t.Fatalf("the comparison does not list %s, whose answer was deleted: %+v", p, cmpd.Objectives)
		}
		if !deleted.AnswerDeleted || deleted.UpdatedBy != who || !deleted.Updated.Equal(day(6, 10)) || deleted.By != "" {
			t.Errorf("change of %s = %+v, want deleted by %s on 10 June", p, *deleted, who)
		}
	})
}

func TestAnswersAsOf(t *testing.T) {
	ans := func(obj string, seq int, w assess.Answer, dated assess.Date, changed time.Time) AnswerChange {
		return AnswerChange{Objective: obj, Scope: "s", Seq: seq, Answer: Answer{Objective: obj, Scope: "s", Answer: w, AnsweredAt: dated}, Changed: changed}
	}
	del := func(obj string, seq int, changed time.Time) AnswerChange {
		return AnswerChange{Objective: obj, Scope: "s", Seq: seq, Deleted: true, Answer: Answer{Objective: obj, Scope: "s"}, Changed: changed}
	}
	for _, tc := range []struct {
		name    string
		changes []AnswerChange
		asOf    assess.Date
		want    []string
	}{
		{"latest recorded by the day", []AnswerChange{ans("a", 1, "no", date(1, 1), day(1, 1)), ans("a", 2, "yes", date(3, 1), day(3, 1))}, date(2, 1), []string{"a=no"}},
		{"recorded that very day", []AnswerChange{ans("a", 1, "no", date(1, 1), day(1, 1)), ans("a", 2, "yes", date(2, 1), day(2, 1))}, date(2, 1), []string{"a=yes"}},
		{"deleted by the day", []AnswerChange{ans("a", 1, "no", date(1, 1), day(1, 1)), del("a", 2, day(1, 5))}, date(2, 1), nil},
		{"deleted after the day", []AnswerChange{ans("a", 1, "no", date(1, 1), day(1, 1)), del("a", 2, day(3, 1))}, date(2, 1), []string{"a=no"}},
		{"entered later, dated before", []AnswerChange{ans("a", 1, "most", date(1, 1), day(5, 1))}, date(2, 1), []string{"a=most"}},
		{"entered later, dated after", []AnswerChange{ans("a", 1, "most", date(3, 1), day(5, 1))}, date(2, 1), nil},
		{"entered later then deleted", []AnswerChange{ans("a", 1, "most", date(1, 1), day(5, 1)), del("a", 2, day(5, 2))}, date(2, 1), nil},
		{"entered later, corrected, still dated before", []AnswerChange{ans("a", 1, "most", date(1, 1), day(5, 1)), ans("a", 2, "half", date(1, 1), day(5, 2)), ans("a", 3, "yes", date(4, 1), day(5, 3))}, date(2, 1), []string{"a=half"}},
		{"keys apart", []AnswerChange{ans("a", 1, "no", date(1, 1), day(1, 1)), ans("b", 1, "yes", date(3, 1), day(3, 1))}, date(2, 1), []string{"a=no"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, a := range answersAsOf(tc.changes, tc.asOf) {
				got = append(got, a.Objective+"="+string(a.Answer))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("answersAsOf(%s) (-want +got):\n%s", tc.asOf, diff)
			}
		})
	}
}

// TestFinalizedScoresNeverChangeProperty finalizes an assessment, then
// applies random changes (answers saved, overwritten and deleted, evidence
// replaced and removed, targets, exemptions, more snapshots) and checks
// after each that the snapshot, its summary row in the trend, and its
// rescored input are exactly as finalized.
func TestFinalizedScoresNeverChangeProperty(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		c := &clock{}
		c.set(day(1, 5))
		url := b.fresh(t)
		s := openAt(t, url, c)
		f := newFixture(t, s, "property")
		m, err := model.Builtin()
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(11, 12))
		objs := m.Objectives[:20]
		scopes := []string{"production", "development"}
		versions := map[string]int{}
		step := func(i int) {
			t.Helper()
			o := objs[rng.IntN(len(objs))].ID
			sc := scopes[rng.IntN(len(scopes))]
			k := o + "/" + sc
			switch rng.IntN(5) {
			case 0, 1:
				w := []assess.Answer{assess.No, assess.Yes}[rng.IntN(2)]
				a, err := s.PutAnswer(ctx, f.org.ID, f.actor, AnswerInput{AssessmentID: f.assessment.ID, Objective: o, Scope: sc, Answer: w,
					AnsweredBy: "bob", ExpectedVersion: versions[k]})
				if err != nil {
					t.Fatalf("step %d: PutAnswer: %v", i, err)
				}
				versions[k] = a.Version
			case 2:
				if versions[k] == 0 {
					return
				}
				if err := s.DeleteAnswer(ctx, f.org.ID, f.actor, f.assessment.ID, o, sc, versions[k]); err != nil {
					t.Fatalf("step %d: DeleteAnswer: %v", i, err)
				}
				versions[k] = 0
			case 3:
				if rng.IntN(2) == 0 {
					if err := s.ReplaceEvidence(ctx, f.org.ID, f.actor, f.assessment.ID, "prowler", []Evidence{{Objective: o, Scope: sc, Passed: rng.IntN(5), Failed: rng.IntN(5) + 1}}); err != nil {
						t.Fatalf("step %d: ReplaceEvidence: %v", i, err)
					}
				} else if _, err := s.DeleteEvidence(ctx, f.org.ID, f.actor, f.assessment.ID, "prowler"); err != nil && csmm.ErrorCode(err) != csmm.ENOTFOUND {
					t.Fatalf("step %d: DeleteEvidence: %v", i, err)
				}
			case 4:
				if err := s.SetTargets(ctx, f.org.ID, f.actor, f.assessment.ID, nil, 1+rng.IntN(5)); err != nil {
					t.Fatalf("step %d: SetTargets: %v", i, err)
				}
			}
		}
		for i := range 15 {
			step(i)
		}
		snap, err := s.Finalize(ctx, f.org.ID, f.actor, f.assessment.ID, "Owner", "frozen")
		if err != nil {
			t.Fatal(err)
		}
		frozen, _, err := s.GetSnapshot(ctx, f.org.ID, snap.ID)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := json.Marshal(frozen.Result)
		if err != nil {
			t.Fatal(err)
		}
		trendPoint := func() history.TrendPoint {
			t.Helper()
			tr, err := s.Trend(ctx, f.org.ID, f.assessment.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range tr.Points {
				if p.SnapshotID == snap.ID {
					return p
				}
			}
			t.Fatalf("the trend lost snapshot %s", snap.ID)
			return history.TrendPoint{}
		}
		point := trendPoint()
		if diff := cmp.Diff(history.Scores(&frozen.Result), point.Scores); diff != "" {
			t.Fatalf("the summary row differs from the snapshot's scores (-snapshot +summary):\n%s", diff)
		}
		for i := range 30 {
			c.set(c.now().Add(time.Duration(rng.IntN(72)+1) * time.Hour))
			step(100 + i)
			if i%10 == 9 {
				if _, err := s.Finalize(ctx, f.org.ID, f.actor, f.assessment.ID, "Owner", fmt.Sprintf("later %d", i)); err != nil {
					t.Fatal(err)
				}
			}
			// Read from the database, not from the decoded snapshots kept:
			// a new store at the end, the store with its cache emptied before.
			reader := s
			if i == 29 {
				fresh, err := Open(ctx, url, WithClock(c.now))
				if err != nil {
					t.Fatal(err)
				}
				defer fresh.Close()
				reader = fresh
			}
			reader.snaps.mu.Lock()
			reader.snaps.entries, reader.snaps.compared = nil, nil
			reader.snaps.mu.Unlock()
			again, am, err := reader.GetSnapshot(ctx, f.org.ID, snap.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(frozen, again); diff != "" {
				t.Fatalf("after step %d the snapshot changed (-finalized +now):\n%s", 100+i, diff)
			}
			rescored, err := json.Marshal(assess.Score(again.Input.Assess(am, assess.Date{})))
			if err != nil {
				t.Fatal(err)
			}
			if string(rescored) != string(stored) {
				t.Fatalf("after step %d the frozen input scores differently:\n%s\nwant\n%s", 100+i, rescored, stored)
			}
			if diff := cmp.Diff(point, trendPoint()); diff != "" {
				t.Fatalf("after step %d the trend point changed (-finalized +now):\n%s", 100+i, diff)
			}
		}
	})
}
