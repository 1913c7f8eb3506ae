package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/assess"
)

// TestCheckpointerCopiesTheWAL checks that the writer makes no checkpoint of
// its own and that the checkpointer copies every frame the writer appends
// into the database, so the WAL starts over instead of growing.
func TestCheckpointerCopiesTheWAL(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "csmm.db")
	s := open(t, path)
	var auto int
	if err := s.db.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&auto); err != nil {
		t.Fatal(err)
	}
	if auto != 0 {
		t.Fatalf("the writer's wal_autocheckpoint is %d, want 0 (the checkpointer checkpoints)", auto)
	}
	f := newFixture(t, s, "acme")
	// Each round appends frames; the checkpointer must catch up with all of
	// them after each, while the store goes on writing.
	for round := range 3 {
		for i := range 40 {
			obj := []string{"IAM-2.1", "IAM-2.2", "IAM-2.3", "IAM-3.1"}[i%4]
			scope := []string{"production", "development"}[i/4%2]
			cur, err := s.ListAnswers(ctx, f.org.ID, f.assessment.ID)
			if err != nil {
				t.Fatal(err)
			}
			version := 0
			for _, a := range cur {
				if a.Objective == obj && a.Scope == scope {
					version = a.Version
				}
			}
			if _, err := s.SaveAnswer(ctx, f.org.ID, f.actor, AnswerInput{AssessmentID: f.assessment.ID, Objective: obj, Scope: scope,
				Answer: assess.Yes, Note: "round", AnsweredBy: "alice", ExpectedVersion: version}, nil); err != nil {
				t.Fatal(err)
			}
		}
		_, _, runs := s.ckpt.last()
		deadline := time.Now().Add(10 * time.Second)
		for {
			logFrames, copied, n := s.ckpt.last()
			if n > runs && logFrames > 0 && copied == logFrames {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("round %d: the checkpointer copied %d of %d frames after %d runs", round, copied, logFrames, n-runs)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(path + "-wal"); !os.IsNotExist(err) {
		t.Errorf("the WAL is still there after Close (stat: %v)", err)
	}
}
