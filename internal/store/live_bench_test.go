package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
)

// keptSnapshot stores an assessment like those of the API load benchmark
// (every objective of the built-in model in two scopes, about nine in ten
// answered) and returns the store with the assessment's snapshot kept in
// memory, as the first score of the assessment leaves it.
func keptSnapshot(b *testing.B) (*Store, fixture, *snapshot, []Answer) {
	b.Helper()
	ctx := context.Background()
	s := open(b, filepath.Join(b.TempDir(), "csmm.db"))
	f := newFixture(b, s, "bench")
	m, err := s.LoadModel(ctx, f.org.ID, f.assessment.ModelRef)
	if err != nil {
		b.Fatal(err)
	}
	var list []AnswerInput
	n := 0
	for _, o := range m.Objectives {
		for _, scope := range []string{"production", "development"} {
			if n++; n%10 == 0 {
				continue
			}
			word := assess.Most
			if o.Binary() {
				word = assess.Yes
			}
			list = append(list, AnswerInput{Objective: o.ID, Scope: scope, Answer: word, Note: "reviewed with the platform team",
				AnsweredBy: "Ann", AnsweredAt: assess.Date{Year: 2026, Month: 9, Day: 1}})
		}
	}
	stored, err := s.PutAnswers(ctx, f.org.ID, f.actor, f.assessment.ID, list)
	if err != nil {
		b.Fatal(err)
	}
	snap, err := s.liveSnapshot(ctx, f.org.ID, f.assessment.ID, -1)
	if err != nil {
		b.Fatal(err)
	}
	return s, f, snap, stored
}

// savedAnswer returns the i-th answer of a run of saves over the stored
// answers: each replaces a stored answer, as most saves do.
func savedAnswer(stored []Answer, i int, now time.Time) Answer {
	a := stored[i%len(stored)]
	a.Answer = []assess.Answer{assess.No, assess.Yes}[i/len(stored)%2]
	a.Version += 1 + i/len(stored)
	a.Updated = now
	return a
}

// BenchmarkSnapshotInput builds the scoring input of a snapshot read from
// the database, from its answers, evidence and exemptions: what the first
// score of a revision read from the database costs.
func BenchmarkSnapshotInput(b *testing.B) {
	s, f, _, _ := keptSnapshot(b)
	ctx, asOf := context.Background(), assess.DateOf(time.Now().UTC())
	var read *snapshot
	if err := s.read(ctx, func(tx *tx) (err error) {
		read, err = readSnapshot(ctx, tx, f.org.ID, f.assessment.ID)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		snap := &snapshot{a: read.a, custom: read.custom, answers: read.answers, evidence: read.evidence, exemptionsL: read.exemptionsL}
		if _, err := snap.input(asOf, &s.models); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScoringAtKept reads the scoring input of a revision kept in
// memory: what a score that misses the API's score cache costs when the
// assessment has not changed since it was last scored.
func BenchmarkScoringAtKept(b *testing.B) {
	s, f, snap, _ := keptSnapshot(b)
	ctx, rev, asOf := context.Background(), snap.a.Revision, assess.DateOf(time.Now().UTC())
	b.ReportAllocs()
	for b.Loop() {
		if _, as, err := s.ScoringAt(ctx, f.org.ID, f.assessment.ID, rev, asOf); err != nil || as.Revision != rev {
			b.Fatal(err)
		}
	}
}

// BenchmarkLiveAnswersSaved brings the kept snapshot up to date with one
// saved answer, as every putAnswer does.
func BenchmarkLiveAnswersSaved(b *testing.B) {
	s, f, snap, stored := keptSnapshot(b)
	rev, now := snap.a.Revision, time.Now().UTC()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		rev++
		s.live.answersSaved(f.org.ID, f.assessment.ID, rev, now, []Answer{savedAnswer(stored, i, now)})
	}
	if s.live.get(f.org.ID, f.assessment.ID, rev) == nil {
		b.Fatal("the snapshot was not kept up to date")
	}
}

// BenchmarkLiveSaveThenScoringAt saves one answer and reads the scoring
// input of the new revision, as a putAnswer followed by a getScore do
// under the API load benchmark.
func BenchmarkLiveSaveThenScoringAt(b *testing.B) {
	benchSaveThenRead(b, func(s *Store, org, id string, rev int64, asOf assess.Date) error {
		_, as, err := s.ScoringAt(context.Background(), org, id, rev, asOf)
		if err == nil && as.Revision != rev {
			err = fmt.Errorf("read revision %d, want %d", as.Revision, rev)
		}
		return err
	})
}

// BenchmarkLiveSaveThenScoreInputAt is BenchmarkLiveSaveThenScoringAt
// through ScoreInputAt, as getScore reads: the answers saved since the
// kept ones are kept apart instead of merged into a copy of them.
func BenchmarkLiveSaveThenScoreInputAt(b *testing.B) {
	benchSaveThenRead(b, func(s *Store, org, id string, rev int64, asOf assess.Date) error {
		_, err := s.ScoreInputAt(context.Background(), org, id, rev, asOf)
		return err
	})
}

// benchSaveThenRead saves one answer into the kept snapshot, then reads
// the new revision's scoring input with read.
func benchSaveThenRead(b *testing.B, read func(s *Store, org, id string, rev int64, asOf assess.Date) error) {
	s, f, snap, stored := keptSnapshot(b)
	rev, now := snap.a.Revision, time.Now().UTC()
	asOf := assess.DateOf(now)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		rev++
		s.live.answersSaved(f.org.ID, f.assessment.ID, rev, now, []Answer{savedAnswer(stored, i, now)})
		if err := read(s, f.org.ID, f.assessment.ID, rev, asOf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTokenAccess authenticates an API request by its token, naming
// the token's organization, as every API call does: with a context that
// never ends, and with one that can (an HTTP request's), which the drivers
// would watch with goroutines of their own.
func BenchmarkTokenAccess(b *testing.B) {
	s := open(b, filepath.Join(b.TempDir(), "csmm.db"))
	f := newFixture(b, s, "bench")
	if _, err := s.CreateAPIToken(context.Background(), f.org.ID, f.actor, APIToken{UserID: f.owner.ID, Name: "load", Role: csmm.RoleAdmin, TokenHash: "bench-token-hash", Prefix: "csmm_be"}); err != nil {
		b.Fatal(err)
	}
	request, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, c := range []struct {
		name string
		ctx  context.Context
	}{{"background", context.Background()}, {"request", request}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				a, err := s.TokenAccess(c.ctx, "bench-token-hash", f.org.Slug, "")
				if err != nil || a.Org == nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkListAnswers reads the answers of an assessment, as reading a
// snapshot from the database does.
func BenchmarkListAnswers(b *testing.B) {
	s, f, _, stored := keptSnapshot(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := s.read(ctx, func(tx *tx) error {
			list, err := listAnswers(ctx, tx, f.org.ID, f.assessment.ID)
			if err == nil && len(list) != len(stored) {
				b.Fatalf("%d answers, want %d", len(list), len(stored))
			}
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
}
