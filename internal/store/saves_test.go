package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
)

// newSave is an answer save as SaveAnswer queues it.
func newSave(orgID string, actor Actor, in AnswerInput, check AnswerCheck) *answerSave {
	return &answerSave{ctx: context.Background(), orgID: orgID, actor: actor, in: in, check: check,
		done: make(chan struct{}), lead: make(chan struct{})}
}

// TestSaveBatchKeepsEachResult writes one batch in which some saves fail
// before writing (unknown scope, stale version, an error of the check, a
// cancelled client) and the others succeed: each gets its own result, the
// failed ones store nothing, and the assessment's revision rises once per
// saved answer.
func TestSaveBatchKeepsEachResult(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		f := newFixture(t, s, "acme")
		in := func(obj, scope string, version int) AnswerInput {
			return AnswerInput{AssessmentID: f.assessment.ID, Objective: obj, Scope: scope, Answer: assess.Yes,
				AnsweredBy: "alice", ExpectedVersion: version}
		}
		before, err := s.AssessmentRevision(ctx, f.org.ID, f.assessment.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkErr := errors.New("not an objective of the model")
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		saves := []*answerSave{
			newSave(f.org.ID, f.actor, in("IAM-2.1", "production", 0), nil),
			newSave(f.org.ID, f.actor, in("IAM-2.2", "staging", 0), nil),
			newSave(f.org.ID, f.actor, in("IAM-2.1", "development", 3), nil),
			newSave(f.org.ID, f.actor, in("XYZ-1.1", "production", 0), func(string, *AnswerInput) error { return checkErr }),
			newSave(f.org.ID, f.actor, in("IAM-2.3", "production", 0), nil),
			// The same answer again in the same batch sees the first save.
			newSave(f.org.ID, f.actor, in("IAM-2.1", "production", 1), nil),
		}
		saves[4].ctx = cancelled
		s.saveBatch(saves)

		for i, want := range []struct {
			code    string
			version int
		}{{"", 1}, {csmm.EINVALID, 0}, {csmm.ECONFLICT, 0}, {"check", 0}, {"cancelled", 0}, {"", 2}} {
			r := saves[i]
			select {
			case <-r.done:
			default:
				t.Fatalf("save %d: done is not closed", i)
			}
			switch want.code {
			case "":
				if r.err != nil || r.a == nil || r.a.Version != want.version {
					t.Errorf("save %d: answer %+v, error %v; want version %d", i, r.a, r.err, want.version)
				}
			case "check":
				if r.err != checkErr || !r.checkErr {
					t.Errorf("save %d: error %v (check error %v), want the check's error unchanged", i, r.err, r.checkErr)
				}
			case "cancelled":
				if !errors.Is(r.err, context.Canceled) {
					t.Errorf("save %d: error %v, want context.Canceled", i, r.err)
				}
			default:
				wantCode(t, r.err, want.code)
			}
		}
		for _, k := range [][2]string{{"IAM-2.2", "staging"}, {"IAM-2.1", "development"}, {"IAM-2.3", "production"}} {
			if _, err := s.GetAnswer(ctx, f.org.ID, f.assessment.ID, k[0], k[1]); csmm.ErrorCode(err) != csmm.ENOTFOUND {
				t.Errorf("%s in %s: %v, want not found (the save failed)", k[0], k[1], err)
			}
		}
		after, err := s.AssessmentRevision(ctx, f.org.ID, f.assessment.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after != before+2 {
			t.Errorf("revision %d after two saves from %d, want %d", after, before, before+2)
		}
	})
}

// TestSaveBatchFallsBackAfterAWriteFails makes one save of a batch fail
// after it has written its answer (a trigger refuses its audit entry): the
// batch's transaction is rolled back and each save runs alone, so the
// others are saved and the failing one stores nothing, its answer row
// included.
func TestSaveBatchFallsBackAfterAWriteFails(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		testSaveBatchFallsBack(t, b)
	})
}

func testSaveBatchFallsBack(t *testing.T, b backend) {
	ctx := context.Background()
	s := open(t, b.fresh(t))
	f := newFixture(t, s, "acme")
	trigger := []string{`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log WHEN NEW.after_json LIKE '%"note":"refuse"%'
		BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`}
	if s.dialect == dialectPostgres {
		trigger = []string{`CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN RAISE EXCEPTION 'refused by the test'; END $$`,
			`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW
			WHEN (NEW.after_json LIKE '%"note":"refuse"%') EXECUTE FUNCTION refuse_audit()`}
	}
	if err := s.write(ctx, func(tx *tx) error {
		for _, q := range trigger {
			if _, err := tx.exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var saves []*answerSave
	for i, obj := range []string{"IAM-1.1", "IAM-1.2", "IAM-2.1", "IAM-2.2"} {
		in := AnswerInput{AssessmentID: f.assessment.ID, Objective: obj, Scope: "production", Answer: assess.Yes, Note: fmt.Sprint("note ", i)}
		if i == 2 {
			in.Note = "refuse"
		}
		saves = append(saves, newSave(f.org.ID, f.actor, in, nil))
	}
	s.saveBatch(saves)
	for i, r := range saves {
		_, getErr := s.GetAnswer(ctx, f.org.ID, f.assessment.ID, r.in.Objective, "production")
		if i == 2 {
			if r.err == nil || csmm.ErrorCode(getErr) != csmm.ENOTFOUND {
				t.Errorf("refused save: error %v, stored %v; want an error and nothing stored", r.err, getErr)
			}
			continue
		}
		if r.err != nil || r.a == nil || r.a.Version != 1 || getErr != nil {
			t.Errorf("save %d: answer %+v error %v, stored error %v; want saved at version 1", i, r.a, r.err, getErr)
		}
	}
}

// TestConcurrentSavesAllLand saves many answers of several assessments at
// once through SaveAnswer: whatever queues and batches they fall into,
// every one is saved once, and each assessment's revision rises once per
// save of it.
func TestConcurrentSavesAllLand(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		f := newFixture(t, s, "acme")
		ids := []string{f.assessment.ID}
		for i := range 5 {
			a, err := s.CreateAssessment(ctx, f.org.ID, f.actor, AssessmentInput{
				Name: fmt.Sprint("Assessment ", i), Scopes: []Scope{{ID: "production"}, {ID: "development"}}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, a.ID)
		}
		before := map[string]int64{}
		for _, id := range ids {
			before[id], _ = s.AssessmentRevision(ctx, f.org.ID, id)
		}
		const n = 300
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				_, errs[i] = s.SaveAnswer(ctx, f.org.ID, f.actor, AnswerInput{AssessmentID: ids[i%len(ids)],
					Objective: fmt.Sprintf("X-%d.%d", i/10, i%10), Scope: []string{"production", "development"}[i/len(ids)%2],
					Answer: assess.Half}, nil)
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("save %d: %v", i, err)
			}
		}
		for _, id := range ids {
			list, err := s.ListAnswers(ctx, f.org.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != n/len(ids) {
				t.Errorf("assessment %s: %d answers stored, want %d", id, len(list), n/len(ids))
			}
			after, _ := s.AssessmentRevision(ctx, f.org.ID, id)
			if after != before[id]+n/int64(len(ids)) {
				t.Errorf("assessment %s: revision %d, want %d", id, after, before[id]+n/int64(len(ids)))
			}
		}
	})
}

// TestSavesGatherWhenHandedTheLead holds a batch open (its save's check
// waits) while two saves queue, then lets it finish: the first queued
// save, handed the lead, calls the queue's gather before taking its batch,
// and a save that arrives then is written in that batch, in the same
// transaction as the two (the same time of update). The save that found
// no batch being written did not call gather. Only SQLite's store gathers
// by itself.
func TestSavesGatherWhenHandedTheLead(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		f := newFixture(t, s, "acme")
		q := &s.saves
		// SQLite's saves gather (sqliteSaveGather); PostgreSQL's do not.
		if (q.gather != nil) != (s.dialect == dialectSQLite) {
			t.Errorf("%s: gather set %v", s.dialect, q.gather != nil)
		}
		queued := func() int {
			q.mu.Lock()
			defer q.mu.Unlock()
			return len(q.pending)
		}
		// waitQueued reports whether n saves queued within 30 s; it is
		// also called from the goroutine of the save that gathers, where
		// the test cannot stop, so it reports with Errorf.
		waitQueued := func(n int) bool {
			t.Helper()
			for deadline := time.Now().Add(30 * time.Second); queued() != n; time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					t.Errorf("%d saves queued, want %d", queued(), n)
					return false
				}
			}
			return true
		}
		type result struct {
			a   *Answer
			err error
		}
		save := func(obj string, check AnswerCheck) chan result {
			c := make(chan result, 1)
			go func() {
				a, err := s.SaveAnswer(ctx, f.org.ID, f.actor, AnswerInput{AssessmentID: f.assessment.ID,
					Objective: obj, Scope: "production", Answer: assess.Yes}, check)
				c <- result{a, err}
			}()
			return c
		}
		var gathered int
		var late chan result
		q.gather = func() {
			gathered++
			// Saves arriving while the lead waits join its batch.
			late = save("IAM-2.4", nil)
			waitQueued(3)
		}
		entered, release := make(chan struct{}), make(chan struct{})
		first := save("IAM-2.1", func(string, *AnswerInput) error {
			close(entered)
			<-release
			return nil
		})
		<-entered
		second, third := save("IAM-2.2", nil), save("IAM-2.3", nil)
		if !waitQueued(2) {
			close(release)
			t.FailNow()
		}
		if gathered != 0 {
			t.Fatalf("gather called %d times by a save that found no batch being written, want 0", gathered)
		}
		close(release)
		if r := <-first; r.err != nil {
			t.Fatal(r.err)
		}
		r2, r3 := <-second, <-third
		if gathered != 1 || late == nil {
			t.Fatalf("gather called %d times, want once by the save handed the lead", gathered)
		}
		r4 := <-late
		for i, r := range []result{r2, r3, r4} {
			if r.err != nil {
				t.Fatalf("save %d: %v", i+2, r.err)
			}
		}
		if !r2.a.Updated.Equal(r3.a.Updated) || !r2.a.Updated.Equal(r4.a.Updated) {
			t.Errorf("updated at %v, %v and %v; want the three saves in one transaction",
				r2.a.Updated, r3.a.Updated, r4.a.Updated)
		}
	})
}

// TestBatchStatementsStayFew writes batches of 1 to 40 saves on SQLite:
// their statements have at most one text per multiple of eight rows
// (valuesCTE pads the rest with NULL rows, which no statement writes), so
// the store's cache of prepared statements holds at most 6 of them for
// each of the five sizes, and every answer is saved once.
func TestBatchStatementsStayFew(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "csmm.db"))
	f := newFixture(t, s, "acme")
	want := 0
	for n := 1; n <= 40; n++ {
		batch := make([]*answerSave, n)
		for i := range batch {
			batch[i] = newSave(f.org.ID, f.actor, AnswerInput{AssessmentID: f.assessment.ID,
				Objective: fmt.Sprintf("B-%d.%d", n, i), Scope: "production", Answer: assess.Yes}, nil)
		}
		s.saveBatch(batch)
		for i, r := range batch {
			if r.err != nil || r.a == nil || r.a.Version != 1 {
				t.Fatalf("batch of %d, save %d: answer %+v, error %v", n, i, r.a, r.err)
			}
		}
		want += n
	}
	list, err := s.ListAnswers(ctx, f.org.ID, f.assessment.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != want {
		t.Errorf("%d answers stored, want %d", len(list), want)
	}
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	batchStmts := 0
	for k := range s.stmts.stmts {
		if strings.HasPrefix(k.query, "WITH i(") || strings.HasPrefix(k.query, "WITH c(") {
			batchStmts++
		}
	}
	if batchStmts == 0 || batchStmts > 6*5 {
		t.Errorf("%d batch statements in the cache, want 1 to %d", batchStmts, 6*5)
	}
}

// TestValuesCTEPadsRows holds valuesCTE's text and arguments together:
// rows rounded up to a multiple of eight, the given values first, NULLs
// after.
func TestValuesCTEPadsRows(t *testing.T) {
	texts := map[string]bool{}
	for rows := 1; rows <= 64; rows++ {
		var args []any
		for i := range rows * 2 {
			args = append(args, i+1)
		}
		q, got := valuesCTE("v", "a, b", rows, args)
		padded := strings.Count(q, "(?, ?)")
		if padded%8 != 0 || padded < rows || padded >= rows+8 {
			t.Errorf("%d rows: %d in the list, want the next multiple of 8", rows, padded)
		}
		if len(got) != 2*padded {
			t.Fatalf("%d rows: %d arguments for %d placeholders", rows, len(got), 2*padded)
		}
		for i, v := range got {
			if want := any(nil); i < 2*rows {
				want = i + 1
				if v != want {
					t.Fatalf("%d rows: argument %d is %v, want %v", rows, i, v, want)
				}
			} else if v != nil {
				t.Fatalf("%d rows: padding argument %d is %v, want nil", rows, i, v)
			}
		}
		texts[q] = true
	}
	if len(texts) != 8 {
		t.Errorf("%d texts for 1 to 64 rows, want 8", len(texts))
	}
}

// TestSaveWithPanickingCheck saves answers at once through SaveAnswer, one
// of whose checks panics: that save fails with an error, the others are
// saved, and saves go on afterwards (the queue is not left waiting).
func TestSaveWithPanickingCheck(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		f := newFixture(t, s, "acme")
		const n = 40
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				check := func(string, *AnswerInput) error { return nil }
				if i == 7 {
					check = func(string, *AnswerInput) error { panic("model cache corrupted") }
				}
				_, errs[i] = s.SaveAnswer(ctx, f.org.ID, f.actor, AnswerInput{AssessmentID: f.assessment.ID,
					Objective: fmt.Sprintf("X-%d.1", i), Scope: "production", Answer: assess.Yes}, check)
			})
		}
		wg.Wait()
		for i, err := range errs {
			if i == 7 {
				if err == nil || !strings.Contains(err.Error(), "model cache corrupted") {
					t.Errorf("save with a panicking check: error %v, want one naming the panic", err)
				}
			} else if err != nil {
				t.Errorf("save %d: %v", i, err)
			}
		}
		if _, err := s.PutAnswer(ctx, f.org.ID, f.actor, AnswerInput{AssessmentID: f.assessment.ID,
			Objective: "IAM-1.1", Scope: "production", Answer: assess.No}); err != nil {
			t.Errorf("save after the panic: %v", err)
		}
		list, err := s.ListAnswers(ctx, f.org.ID, f.assessment.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != n {
			t.Errorf("%d answers stored, want %d (39 of the batch and one after)", len(list), n)
		}
	})
}

// TestRunRollsBackOnPanic panics inside a write transaction on SQLite's
// single writer: the transaction is rolled back, so the next write does not
// wait for it for ever.
func TestRunRollsBackOnPanic(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir()+"/csmm.db")
	f := newFixture(t, s, "acme")
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not come through write")
			}
		}()
		_ = s.write(ctx, func(tx *tx) error {
			if _, err := tx.exec(ctx, "UPDATE assessments SET name = 'changed' WHERE id = ?", f.assessment.ID); err != nil {
				t.Fatal(err)
			}
			panic("in the transaction")
		})
	}()
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := s.PutAnswer(wctx, f.org.ID, f.actor, AnswerInput{AssessmentID: f.assessment.ID,
		Objective: "IAM-1.1", Scope: "production", Answer: assess.No}); err != nil {
		t.Fatalf("write after a panic: %v", err)
	}
	a, err := s.GetAssessment(ctx, f.org.ID, f.assessment.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Name == "changed" {
		t.Error("the panicking transaction's change was kept")
	}
}

// TestBatchContextEndsWithTheLastClient: a batch's transaction goes on
// while any of its clients waits, and stops when all have gone.
func TestBatchContextEndsWithTheLastClient(t *testing.T) {
	c1, cancel1 := context.WithCancel(context.Background())
	c2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	ctx, stop := batchContext([]*answerSave{{ctx: c1}, {ctx: c2}})
	defer stop()
	cancel1()
	time.Sleep(10 * time.Millisecond)
	if ctx.Err() != nil {
		t.Fatal("the batch's context ended while a client still waits")
	}
	cancel2()
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the batch's context did not end when every client had gone")
	}
}
