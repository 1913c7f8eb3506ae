package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/csmm/csmm/internal/assess"
)

// TestScoringAtFollowsEveryChange scores an assessment through ScoringAt
// after each kind of change, some made through the same Store (answers
// saved, which update the kept snapshot) and some not (a deleted answer, a
// change of scopes, an answer saved by a second Store on the same
// database, as another server would), and checks that the input equals
// what a Store without any kept snapshot reads from the database.
func TestScoringAtFollowsEveryChange(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		url := b.fresh(t)
		s := open(t, url)
		other := open(t, url)
		fx := newFixture(t, s, "live")
		org, id := fx.org.ID, fx.assessment.ID
		m, err := s.LoadModel(ctx, org, fx.assessment.ModelRef)
		if err != nil {
			t.Fatal(err)
		}
		var coverage []string
		for _, o := range m.Objectives {
			if !o.Binary() {
				coverage = append(coverage, o.ID)
			}
		}
		// Today: a past date would read the answers' history instead.
		asOf := assess.DateOf(time.Now().UTC())
		date := assess.Date{Year: 2026, Month: 11, Day: 1}
		versions := map[string]int{}
		put := func(t *testing.T, st *Store, obj, scope string, ans assess.Answer, measure *assess.Measure) {
			t.Helper()
			a, err := st.PutAnswer(ctx, org, fx.actor, AnswerInput{AssessmentID: id, Objective: obj, Scope: scope, Answer: ans, Measure: measure,
				Note: "note of " + obj, AnsweredBy: "Ann", AnsweredAt: date, ExpectedVersion: versions[obj+"/"+scope]})
			if err != nil {
				t.Fatalf("PutAnswer %s/%s: %v", obj, scope, err)
			}
			versions[obj+"/"+scope] = a.Version
		}
		// check scores through s at the current revision and compares with a
		// fresh read of the database; kept says whether s must have had the
		// revision in memory already. overlaid counts the checks whose
		// ScoreInputAt kept saved answers apart.
		overlaid := 0
		check := func(t *testing.T, step string, kept bool) {
			t.Helper()
			rev, err := s.AssessmentRevision(ctx, org, id)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.live.get(org, id, rev) != nil; got != kept {
				t.Errorf("%s: revision %d kept in memory = %v, want %v", step, rev, got, kept)
			}
			fresh := open(t, url)
			want, wantAs, err := fresh.Scoring(ctx, org, id, asOf)
			if err != nil {
				t.Fatalf("%s: Scoring: %v", step, err)
			}
			// ScoreInputAt first: ScoringAt merges the saved answers.
			if scoreInputMatches(t, s, org, id, rev, asOf, want, step) {
				overlaid++
			}
			got, gotAs, err := s.ScoringAt(ctx, org, id, rev, asOf)
			if err != nil {
				t.Fatalf("%s: ScoringAt: %v", step, err)
			}
			if got.Model.Ref() != want.Model.Ref() {
				t.Errorf("%s: model %s, want %s", step, got.Model.Ref(), want.Model.Ref())
			}
			if d := cmp.Diff(want, got, cmpopts.IgnoreFields(assess.Input{}, "Model")); d != "" {
				t.Errorf("%s: input at revision %d differs from the database (-database +kept):\n%s", step, rev, d)
			}
			if gotAs.Revision != rev || wantAs.Revision != rev {
				t.Errorf("%s: revisions %d (kept) and %d (database), want %d", step, gotAs.Revision, wantAs.Revision, rev)
			}
			if d := cmp.Diff(wantAs.Scopes, gotAs.Scopes); d != "" {
				t.Errorf("%s: scopes (-database +kept):\n%s", step, d)
			}
		}
		put(t, s, coverage[0], "production", assess.Some, nil)
		check(t, "first read", false)
		put(t, s, coverage[0], "production", assess.Most, nil)
		check(t, "answer changed through the same store", true)
		put(t, s, coverage[1], "development", "", &assess.Measure{Measured: 87, Of: 120})
		check(t, "new measured answer", true)
		if _, err := s.PutAnswers(ctx, org, fx.actor, id, []AnswerInput{
			{Objective: coverage[2], Scope: "production", Answer: assess.Yes, AnsweredAt: date},
			{Objective: coverage[1], Scope: "development", Answer: assess.Half, AnsweredAt: date, ExpectedVersion: versions[coverage[1]+"/development"]},
		}); err != nil {
			t.Fatal(err)
		}
		versions[coverage[1]+"/development"]++
		check(t, "several answers in one transaction", true)
		put(t, other, coverage[3], "production", assess.No, nil)
		check(t, "answer saved by another store", false)
		put(t, other, coverage[3], "production", assess.Half, nil)
		put(t, s, coverage[4], "production", assess.Yes, nil)
		check(t, "answer saved here after one saved elsewhere", false)
		if err := s.DeleteAnswer(ctx, org, fx.actor, id, coverage[0], "production", versions[coverage[0]+"/production"]); err != nil {
			t.Fatal(err)
		}
		check(t, "answer deleted", false)
		if err := s.SetScopes(ctx, org, fx.actor, id, []Scope{{ID: "production", Weight: 3}, {ID: "development", Name: "Dev", Weight: 1}, {ID: "staging", Weight: 1}}); err != nil {
			t.Fatal(err)
		}
		check(t, "scopes changed", false)
		put(t, s, coverage[5], "production", assess.Some, nil)
		check(t, "answer saved after the scopes changed", true)
		if _, err := s.PutAnswer(ctx, org, fx.actor, AnswerInput{AssessmentID: id, Objective: coverage[5], Scope: "production", Answer: assess.Yes, ExpectedVersion: 0}); err == nil {
			t.Fatal("a stale version was saved")
		}
		check(t, "conflict", true)
		if overlaid == 0 {
			t.Error("no ScoreInputAt kept saved answers apart from the stored ones: its Saved went untested")
		}
	})
}

// TestLiveCacheBounds checks that the kept snapshots stay within their
// byte bound, the least recently used going first, and that a snapshot
// older than the kept one never replaces it.
func TestLiveCacheBounds(t *testing.T) {
	snap := func(id string, rev int64, answers int) *snapshot {
		s := &snapshot{a: &Assessment{ID: id, Revision: rev}}
		for i := range answers {
			s.answers = append(s.answers, Answer{Objective: string(rune('a' + i%26)), Scope: "p"})
		}
		return s
	}
	one := snap("x", 1, 10).size()
	c := liveCache{maxBytes: 3 * one}
	for _, id := range []string{"a", "b", "c"} {
		c.put("org", snap(id, 1, 10))
	}
	if c.get("org", "a", 1) == nil { // a is now the most recently used
		t.Fatal("a was not kept")
	}
	c.put("org", snap("d", 1, 10))
	if c.get("org", "b", 1) != nil {
		t.Error("b, the least recently used, was kept past the bound")
	}
	for _, id := range []string{"a", "c", "d"} {
		if c.get("org", id, 1) == nil {
			t.Errorf("%s was dropped", id)
		}
	}
	if c.bytes > c.maxBytes {
		t.Errorf("%d bytes kept, bound %d", c.bytes, c.maxBytes)
	}
	c.put("org", snap("a", 5, 10))
	c.put("org", snap("a", 4, 10))
	if c.get("org", "a", 5) == nil || c.get("org", "a", 4) != nil {
		t.Error("an older revision replaced a newer one")
	}
	if c.get("other", "a", 5) != nil {
		t.Error("another organization's key served the snapshot")
	}
}

// TestScoringAtAfterManySaves saves many answers one by one through the
// same Store, new ones and changes, past the point where the kept
// snapshot merges its saved answers into its stored ones, and checks after
// each save that the kept revision scores the input the database holds,
// while other goroutines score it concurrently.
func TestScoringAtAfterManySaves(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, other, fx := keptAndFresh(t, b, "many")
		org, id := fx.org.ID, fx.assessment.ID
		m, err := s.LoadModel(ctx, org, fx.assessment.ModelRef)
		if err != nil {
			t.Fatal(err)
		}
		asOf := assess.DateOf(time.Now().UTC())
		if _, _, err := s.Scoring(ctx, org, id, asOf); err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		done := make(chan error, 2)
		for g := range 2 {
			go func() {
				for {
					select {
					case <-stop:
						done <- nil
						return
					default:
					}
					rev, err := s.AssessmentRevision(ctx, org, id)
					switch {
					case err != nil:
					case g == 0:
						var in assess.Input
						if in, _, err = s.ScoringAt(ctx, org, id, rev, asOf); err == nil {
							assess.Score(in)
						}
					default:
						var in assess.Input
						if in, err = s.ScoreInputAt(ctx, org, id, rev, asOf); err == nil {
							_, release := assess.ScoreTransient(in)
							release()
						}
					}
					if err != nil {
						done <- err
						return
					}
				}
			}()
		}
		versions := map[string]int{}
		objectives := m.Objectives[:min(len(m.Objectives), 12)]
		for i := range 60 {
			o := objectives[i%len(objectives)]
			scope := []string{"production", "development"}[i/len(objectives)%2]
			word := []assess.Answer{assess.No, assess.Yes}[i/(2*len(objectives))%2]
			a, err := s.PutAnswer(ctx, org, fx.actor, AnswerInput{AssessmentID: id, Objective: o.ID, Scope: scope, Answer: word,
				Note: fmt.Sprintf("save %d", i), AnsweredBy: "Ann", AnsweredAt: assess.Date{Year: 2026, Month: 11, Day: 1}, ExpectedVersion: versions[o.ID+"/"+scope]})
			if err != nil {
				t.Fatalf("save %d: %v", i, err)
			}
			versions[o.ID+"/"+scope] = a.Version
			rev, err := s.AssessmentRevision(ctx, org, id)
			if err != nil {
				t.Fatal(err)
			}
			kept := s.live.get(org, id, rev)
			if kept == nil {
				t.Fatalf("save %d: revision %d not kept", i, rev)
			}
			kept.mu.Lock()
			n, saved := len(kept.answers), len(kept.saved)
			if kept.base != nil {
				n = len(kept.base.in.Answers)
			}
			kept.mu.Unlock()
			if mergeSaved(n, saved) {
				t.Fatalf("save %d: %d saved answers over %d stored ones were not merged", i, saved, n)
			}
			keptMatchesDatabase(t, s, other, org, id, rev, asOf, fmt.Sprintf("save %d", i))
		}
		close(stop)
		for range 2 {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestConcurrentSavesKeepTheLiveSnapshots saves many answers of three
// assessments at once through SaveAnswer, their snapshots kept: whatever
// batches the saves fall into (on PostgreSQL, each written by one
// statement), each assessment's kept snapshot follows every save of it,
// in the order of its revisions (a save out of order would drop it), and
// scores what the database holds.
func TestConcurrentSavesKeepTheLiveSnapshots(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, other, fx := keptAndFresh(t, b, "many")
		org := fx.org.ID
		ids := []string{fx.assessment.ID}
		for i := range 2 {
			a, err := s.CreateAssessment(ctx, org, fx.actor, AssessmentInput{
				Name: fmt.Sprint("Assessment ", i), Scopes: []Scope{{ID: "production"}, {ID: "development"}}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, a.ID)
		}
		asOf := assess.DateOf(time.Now().UTC())
		for _, id := range ids {
			if _, _, err := s.Scoring(ctx, org, id, asOf); err != nil {
				t.Fatal(err)
			}
		}
		const n = 240
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				_, errs[i] = s.SaveAnswer(ctx, org, fx.actor, AnswerInput{AssessmentID: ids[i%len(ids)],
					Objective: fmt.Sprintf("X-%d.%d", i/10, i%10), Scope: "production", Answer: assess.Most}, nil)
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("save %d: %v", i, err)
			}
		}
		for _, id := range ids {
			rev, err := s.AssessmentRevision(ctx, org, id)
			if err != nil {
				t.Fatal(err)
			}
			if s.live.get(org, id, rev) == nil {
				t.Fatalf("assessment %s: revision %d is not kept: a save reached the kept snapshot out of order", id, rev)
			}
			keptMatchesDatabase(t, s, other, org, id, rev, asOf, "assessment "+id)
		}
	})
}

// keptMatchesDatabase fails the test unless s scores assessment id at
// revision rev from the same input as other, a Store over the same database
// without s's in-memory copies, reads from the database; what names the
// case in the failure.
func keptMatchesDatabase(t *testing.T, s, other *Store, org, id string, rev int64, asOf assess.Date, what string) {
	t.Helper()
	ctx := context.Background()
	want, wantAs, err := other.Scoring(ctx, org, id, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if wantAs.Revision != rev {
		t.Fatalf("%s: database at revision %d, want %d", what, wantAs.Revision, rev)
	}
	scoreInputMatches(t, s, org, id, rev, asOf, want, what)
	got, _, err := s.ScoringAt(ctx, org, id, rev, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got, cmpopts.IgnoreFields(assess.Input{}, "Model")); d != "" {
		t.Fatalf("%s: input at revision %d differs from the database (-database +kept):\n%s", what, rev, d)
	}
}

// scoreInputMatches fails the test unless the input s's ScoreInputAt
// returns for revision rev scores exactly as want, read from the database,
// through Score and through ScoreTransient; it reports whether that input
// kept saved answers apart (Saved).
func scoreInputMatches(t *testing.T, s *Store, org, id string, rev int64, asOf assess.Date, want assess.Input, what string) bool {
	t.Helper()
	in, err := s.ScoreInputAt(context.Background(), org, id, rev, asOf)
	if err != nil {
		t.Fatalf("%s: ScoreInputAt: %v", what, err)
	}
	wantRes := assess.Score(want)
	if d := cmp.Diff(wantRes, assess.Score(in)); d != "" {
		t.Fatalf("%s: the score of ScoreInputAt's input (%d saved apart) differs from the database's (-database +kept):\n%s", what, len(in.Saved), d)
	}
	res, release := assess.ScoreTransient(in)
	defer release()
	if d := cmp.Diff(wantRes, res); d != "" {
		t.Fatalf("%s: ScoreTransient of ScoreInputAt's input differs from the database's score (-database +kept):\n%s", what, d)
	}
	return len(in.Saved) > 0
}

// keptAndFresh opens two Stores over one fresh database of b, the first
// with a fixture named name: the first keeps scoring snapshots, the other,
// which reads only the database, is what they are compared with.
func keptAndFresh(t *testing.T, b backend, name string) (s, other *Store, fx fixture) {
	t.Helper()
	url := b.fresh(t)
	s = open(t, url)
	other = open(t, url)
	return s, other, newFixture(t, s, name)
}
