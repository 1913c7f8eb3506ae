package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/csmm"
)

// TestPreparedStatements checks that SQLite statements are prepared once
// used, then serve reads and writes (inside transactions on the single
// writer connection too) with the same results, and are closed with the
// store.
func TestPreparedStatements(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "csmm.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f := newFixture(t, s, "acme")
	prepared := func() int {
		s.stmts.prepares.Wait()
		s.stmts.mu.Lock()
		defer s.stmts.mu.Unlock()
		n := 0
		for _, st := range s.stmts.stmts {
			if st != nil {
				n++
			}
		}
		return n
	}
	// The first run of each statement prepares it in the background.
	if _, err := s.GetUser(ctx, f.owner.ID); err != nil {
		t.Fatal(err)
	}
	if n := prepared(); n == 0 {
		t.Fatal("no statement was prepared")
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 3 {
			// Reads outside a transaction, and writes whose statements run
			// on the writer's connection inside its transaction.
			u, err := s.GetUser(ctx, f.owner.ID)
			if err != nil || u.Email != f.owner.Email {
				t.Errorf("GetUser %d = %+v, %v", i, u, err)
			}
			a, err := s.CreateAssessment(ctx, f.org.ID, f.actor, AssessmentInput{Name: "Prepared"})
			if err != nil {
				t.Errorf("CreateAssessment %d: %v", i, err)
				return
			}
			got, err := s.GetAssessment(ctx, f.org.ID, a.ID)
			if err != nil || got.Name != "Prepared" {
				t.Errorf("GetAssessment %d = %+v, %v", i, got, err)
			}
			if _, err := s.AssessmentRevision(ctx, f.org.ID, a.ID); err != nil {
				t.Errorf("AssessmentRevision %d: %v", i, err)
			}
			if _, err := s.AssessmentRevision(ctx, f.org.ID, "nope"); csmm.ErrorCode(err) != csmm.ENOTFOUND {
				t.Errorf("AssessmentRevision of no assessment: %v, want not_found", err)
			}
			prepared()
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("statements deadlocked")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if len(s.stmts.stmts) != 0 || s.stmts.get(s.rdb, "SELECT 1") != nil {
		t.Errorf("statements kept after close: %d", len(s.stmts.stmts))
	}
}

func TestCacheable(t *testing.T) {
	tests := map[string]bool{
		"SELECT id FROM users":          true,
		"  select 1":                    true,
		"INSERT INTO x VALUES (?)":      true,
		"UPDATE x SET a = ?":            true,
		"DELETE FROM x":                 true,
		"WITH a AS (SELECT 1) SELECT 1": true,
		"CREATE TABLE x (id TEXT)":      false,
		"PRAGMA foreign_keys = ON":      false,
		"SELECT":                        false,
		"":                              false,
	}
	for q, want := range tests {
		t.Run(q, func(t *testing.T) {
			if got := cacheable(q); got != want {
				t.Errorf("cacheable(%q) = %v, want %v", q, got, want)
			}
		})
	}
}
