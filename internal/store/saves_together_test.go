package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
)

// twinSaves returns the same mixed batch of saves for the assessment id of
// org (and other, an assessment of another organization): updates, inserts
// and, with measures, two measured values (else two words), saves refused
// for a stale version, an unknown scope, a check's error, an invalid answer
// set by the check, another organization's assessment and a cancelled
// client.
func twinSaves(org, id, other string, actor, token Actor, measures bool) []*answerSave {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	in := func(obj, scope string, version int) AnswerInput {
		return AnswerInput{AssessmentID: id, Objective: obj, Scope: scope, Answer: assess.Yes, AnsweredBy: "alice", ExpectedVersion: version}
	}
	checkErr := errors.New("not an objective of the model")
	measure := func(_ string, in *AnswerInput) error {
		in.Answer, in.Measure = "", &assess.Measure{Measured: 87, Of: 120}
		return nil
	}
	var measured *assess.Measure
	var word assess.Answer
	if measures {
		measured = &assess.Measure{Measured: 72.5, Of: 100, Percent: true}
	} else {
		word = assess.Half
		measure = func(_ string, in *AnswerInput) error {
			in.Answer, in.Note = assess.Some, "set by the check"
			return nil
		}
	}
	saves := []*answerSave{
		newSave(org, actor, AnswerInput{AssessmentID: id, Objective: "IAM-1.1", Scope: "production", Answer: assess.No,
			Note: "updated", Justification: "why", AnsweredBy: "bob", AnsweredAt: assess.Date{Year: 2026, Month: 11, Day: 3}, ExpectedVersion: 1}, nil),
		newSave(org, actor, in("IAM-1.3", "production", 0), nil),
		newSave(org, actor, in("IAM-2.1", "staging", 0), nil),
		newSave(org, actor, in("IAM-2.2", "production", 0), func(string, *AnswerInput) error { return checkErr }),
		newSave(org, token, in("IAM-2.3", "production", 0), measure),
		newSave(org, actor, AnswerInput{AssessmentID: other, Objective: "IAM-1.1", Scope: "production", Answer: assess.Yes}, nil),
		newSave(org, token, AnswerInput{AssessmentID: id, Objective: "IAM-1.2", Scope: "development",
			Answer: word, Measure: measured, ExpectedVersion: 1}, nil),
		newSave(org, actor, in(" IAM-3.1 ", "development", 0), func(string, *AnswerInput) error { return nil }),
		newSave(org, actor, in("IAM-3.2", "production", 0), nil),
		newSave(org, actor, in("IAM-3.3", "production", 0), func(_ string, in *AnswerInput) error { in.Answer = "maybe"; return nil }),
	}
	saves[8].ctx = cancelled
	return saves
}

// TestSaveBatchTogetherAsSaveBySave writes the same mixed batch to two
// twin assessments, once with saveBatchTogether (a query and one statement
// on PostgreSQL, a query and up to five statements on SQLite) and once
// save by save: every save gets the same result (error, answer, revision),
// and the answers, their history, the audit entries and the assessments'
// revisions and change times are the same, with and without measured
// values.
func TestSaveBatchTogetherAsSaveBySave(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		for _, measures := range []bool{false, true} {
			t.Run(fmt.Sprintf("measures=%v", measures), func(t *testing.T) {
				testSaveBatchTogether(t, b, measures)
			})
		}
	})
}

func testSaveBatchTogether(t *testing.T, b backend, measures bool) {
	ctx := context.Background()
	// One time for every change, so that the twins' stored state can
	// be compared whole.
	now := time.Date(2026, 12, 2, 10, 30, 0, 123456000, time.UTC)
	s, err := Open(ctx, b.fresh(t), WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	f := newFixture(t, s, "acme")
	g := newFixture(t, s, "globex")
	twin, err := s.CreateAssessment(ctx, f.org.ID, f.actor, AssessmentInput{Name: "Twin",
		Scopes: []Scope{{ID: "production", Weight: 2}, {ID: "development", Name: "Dev"}}})
	if err != nil {
		t.Fatal(err)
	}
	token := Actor{UserID: f.owner.ID, TokenID: "token-1", RemoteAddr: "198.51.100.7"}
	ids := []string{f.assessment.ID, twin.ID}
	for _, id := range ids {
		for _, in := range []AnswerInput{
			{AssessmentID: id, Objective: "IAM-1.1", Scope: "production", Answer: assess.Most, Note: "first"},
			{AssessmentID: id, Objective: "IAM-1.2", Scope: "development", Answer: assess.Half},
			{AssessmentID: id, Objective: "IAM-1.3", Scope: "production", Answer: assess.Some},
		} {
			if _, err := s.PutAnswer(ctx, f.org.ID, f.actor, in); err != nil {
				t.Fatal(err)
			}
		}
	}
	revs := map[string]int64{}
	for _, id := range ids {
		revs[id], _ = s.AssessmentRevision(ctx, f.org.ID, id)
	}
	if revs[ids[0]] != revs[ids[1]] {
		t.Fatalf("the twins start at revisions %d and %d", revs[ids[0]], revs[ids[1]])
	}

	together := twinSaves(f.org.ID, ids[0], g.assessment.ID, f.actor, token, measures)
	if err := s.writeTogether(ctx, func(tx *tx) error { return saveBatchTogether(ctx, tx, together) }); err != nil {
		t.Fatalf("saveBatchTogether: %v", err)
	}
	alone := twinSaves(f.org.ID, ids[1], g.assessment.ID, f.actor, token, measures)
	if err := s.write(ctx, func(tx *tx) error {
		for _, r := range alone {
			if r.err = r.ctx.Err(); r.err != nil {
				continue
			}
			usable, err := saveAnswerTx(ctx, tx, r)
			if !usable {
				return err
			}
			r.err = err
		}
		return nil
	}); err != nil {
		t.Fatalf("save by save: %v", err)
	}

	same := func(what string, x, y any) {
		t.Helper()
		jx, _ := json.Marshal(x)
		jy, _ := json.Marshal(y)
		if a, b := strings.ReplaceAll(string(jx), ids[0], "ID"), strings.ReplaceAll(string(jy), ids[1], "ID"); a != b {
			t.Errorf("%s:\n together    %s\n save by save %s", what, a, b)
		}
	}
	wantOK := map[int]bool{0: true, 4: true, 6: true, 7: true}
	for i := range together {
		x, y := together[i], alone[i]
		var ex, ey string
		if x.err != nil {
			ex = strings.ReplaceAll(x.err.Error(), ids[0], "ID")
		}
		if y.err != nil {
			ey = strings.ReplaceAll(y.err.Error(), ids[1], "ID")
		}
		if ex != ey || x.checkErr != y.checkErr || csmm.ErrorCode(x.err) != csmm.ErrorCode(y.err) {
			t.Errorf("save %d: error %q (check %v), save by save %q (check %v)", i, ex, x.checkErr, ey, y.checkErr)
		}
		if (x.err == nil) != wantOK[i] {
			t.Errorf("save %d: error %v, want saved %v", i, x.err, wantOK[i])
		}
		if ce, ok := errors.AsType[*ConflictError](x.err); ok {
			ce2, _ := errors.AsType[*ConflictError](y.err)
			same(fmt.Sprintf("save %d: conflict's current answer", i), ce.Current, ce2.Current)
		}
		same(fmt.Sprintf("save %d: answer", i), x.a, y.a)
		if x.rev-revs[ids[0]] != y.rev-revs[ids[1]] || !x.now.Equal(y.now) && x.err == nil {
			t.Errorf("save %d: revision %d at %v, save by save %d at %v", i, x.rev, x.now, y.rev, y.now)
		}
	}
	if got := together[7].a; got == nil || got.Objective != "IAM-3.1" || got.Version != 1 {
		t.Errorf("save of \" IAM-3.1 \": %+v, want IAM-3.1 at version 1", got)
	}
	for i, want := range map[int]int64{0: 1, 4: 2, 6: 3, 7: 4} {
		if got := together[i].rev - revs[ids[0]]; got != want {
			t.Errorf("save %d: revision %+d, want %+d (one per save, in the batch's order)", i, got, want)
		}
	}

	var state [2]struct {
		Answers  []Answer
		History  []AnswerChange
		Audit    []AuditEntry
		Revision int64
		Updated  any
		// NullBefore counts the audit rows stored with a NULL before_json
		// (ListAudit reads NULL and '' alike).
		NullBefore int
	}
	page, err := s.ListAudit(ctx, f.org.ID, AuditFilter{Action: "answer.put", Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for k, id := range ids {
		st := &state[k]
		if st.Answers, err = s.ListAnswers(ctx, f.org.ID, id); err != nil {
			t.Fatal(err)
		}
		if st.History, err = s.AnswerHistory(ctx, f.org.ID, id); err != nil {
			t.Fatal(err)
		}
		if st.Revision, err = s.AssessmentRevision(ctx, f.org.ID, id); err != nil {
			t.Fatal(err)
		}
		a, err := s.GetAssessment(ctx, f.org.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		st.Updated = a.Updated
		if err := s.db.QueryRowContext(ctx, s.newTx(s.db, s.db).rebind(`SELECT COUNT(*) FROM audit_log WHERE target_id LIKE ? AND before_json IS NULL`),
			id+"/%").Scan(&st.NullBefore); err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Entries {
			if strings.HasPrefix(e.TargetID, id+"/") {
				e.ID = ""
				st.Audit = append(st.Audit, e)
			}
		}
		sort.Slice(st.Audit, func(i, j int) bool {
			if st.Audit[i].TargetID != st.Audit[j].TargetID {
				return st.Audit[i].TargetID < st.Audit[j].TargetID
			}
			// Every change has the same time: the entries of one
			// answer are told apart by the answer they store.
			return string(st.Audit[i].After) < string(st.Audit[j].After)
		})
	}
	same("stored state", state[0], state[1])
	if n := len(state[0].Answers); n != 5 {
		t.Errorf("%d answers stored, want 5", n)
	}
	if n := len(state[0].Audit); n != 7 {
		t.Errorf("%d answer.put audit entries, want 7 (3 before the batch and 4 in it)", n)
	}
}

// TestSaveBatchWithAnArchivedAssessment saves into a live assessment and an
// archived one in one batch: the archived assessment's revision cannot be
// raised, so the batch is written save by save; the live assessment's
// answer is saved and the other refused with conflict, storing nothing.
func TestSaveBatchWithAnArchivedAssessment(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		f := newFixture(t, s, "acme")
		archived, err := s.CreateAssessment(ctx, f.org.ID, f.actor, AssessmentInput{Name: "Old", Scopes: []Scope{{ID: "production"}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.ArchiveAssessment(ctx, f.org.ID, f.actor, archived.ID, true); err != nil {
			t.Fatal(err)
		}
		saves := []*answerSave{
			newSave(f.org.ID, f.actor, AnswerInput{AssessmentID: f.assessment.ID, Objective: "IAM-1.1", Scope: "production", Answer: assess.Yes}, nil),
			newSave(f.org.ID, f.actor, AnswerInput{AssessmentID: archived.ID, Objective: "IAM-1.1", Scope: "production", Answer: assess.Yes}, nil),
		}
		s.saveBatch(saves)
		if r := saves[0]; r.err != nil || r.a == nil || r.a.Version != 1 {
			t.Errorf("save into the live assessment: %+v, %v; want version 1", r.a, r.err)
		}
		if r := saves[1]; r.a != nil || csmm.ErrorCode(r.err) != csmm.ECONFLICT {
			t.Errorf("save into the archived assessment: %+v, %v; want a conflict", r.a, r.err)
		}
		if list, err := s.ListAnswers(ctx, f.org.ID, archived.ID); err != nil || len(list) != 0 {
			t.Errorf("archived assessment's answers: %v, %v; want none", list, err)
		}
		if h, err := s.AnswerHistory(ctx, f.org.ID, archived.ID); err != nil || len(h) != 0 {
			t.Errorf("archived assessment's answer history: %v, %v; want none", h, err)
		}
	})
}

// TestWriteSavesAllOrNothing writes two saves together (PostgreSQL's single
// statement, SQLite's five in a transaction), one of them over a version
// that is no longer stored (as when the answer changed after its slot was
// read): the write fails and writes nothing, not even the other save's
// answer, history row, audit entry or revision.
func TestWriteSavesAllOrNothing(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) { testWriteSavesAllOrNothing(t, b) })
}

func testWriteSavesAllOrNothing(t *testing.T, b backend) {
	ctx := context.Background()
	s := open(t, b.fresh(t))
	f := newFixture(t, s, "acme")
	stored, err := s.PutAnswer(ctx, f.org.ID, f.actor, AnswerInput{AssessmentID: f.assessment.ID, Objective: "IAM-1.1", Scope: "production", Answer: assess.Yes})
	if err != nil {
		t.Fatal(err)
	}
	rev, _ := s.AssessmentRevision(ctx, f.org.ID, f.assessment.ID)
	stale := *stored
	stale.Version = 5
	var w saveWrites
	for _, c := range []struct {
		in  AnswerInput
		cur *Answer
	}{
		{AnswerInput{AssessmentID: f.assessment.ID, Objective: "IAM-1.2", Scope: "production", Answer: assess.No}, nil},
		{AnswerInput{AssessmentID: f.assessment.ID, Objective: "IAM-1.1", Scope: "production", Answer: assess.No, ExpectedVersion: 5}, &stale},
	} {
		r := newSave(f.org.ID, f.actor, c.in, nil)
		if err := w.add(r, c.cur, newAnswer(f.assessment.ID, c.cur, f.actor, c.in, time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.writeTogether(ctx, func(tx *tx) error { return w.exec(ctx, tx) }); err == nil {
		t.Fatal("the write of an answer changed meanwhile succeeded, want an error")
	}
	for _, r := range w.saves {
		if r.a != nil {
			t.Errorf("save of %s has the answer %+v after a failed write", r.in.Objective, r.a)
		}
	}
	list, _ := s.ListAnswers(ctx, f.org.ID, f.assessment.ID)
	history, _ := s.AnswerHistory(ctx, f.org.ID, f.assessment.ID)
	page, _ := s.ListAudit(ctx, f.org.ID, AuditFilter{Action: "answer.put"})
	after, _ := s.AssessmentRevision(ctx, f.org.ID, f.assessment.ID)
	if len(list) != 1 || list[0].Version != 1 || len(history) != 1 || len(page.Entries) != 1 || after != rev {
		t.Errorf("after the failed write: %d answers (version %d), %d history rows, %d audit entries, revision %d; want 1, 1, 1, 1 and %d",
			len(list), list[0].Version, len(history), len(page.Entries), after, rev)
	}
}
