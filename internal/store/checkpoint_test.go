package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
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

// TestCheckpointerStartsTheWALOver checks that under saves that never stop
// (a commit during every PASSIVE checkpoint, so SQLite would never start
// the WAL over by itself) the checkpointer holds the writer back and starts
// the WAL over once it reaches its restart size; that a reader still on
// the WAL's last frames makes the restart give up after the busy timeout,
// and the writer is not held back again until the WAL has grown as much
// once more; and that the writer cuts the WAL to walSizeLimit when it
// starts over (its journal_size_limit).
func TestCheckpointerStartsTheWALOver(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "csmm.db")
	s := open(t, path)
	var limit int64
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_size_limit").Scan(&limit); err != nil {
		t.Fatal(err)
	}
	if limit != walSizeLimit {
		t.Fatalf("the writer's journal_size_limit is %d, want %d", limit, walSizeLimit)
	}
	f := newFixture(t, s, "acme")
	c := s.ckpt
	stopCheckpoints(c)
	const restartFrames = 40
	c.restartFrames = restartFrames
	// tries counts the restarts tried, holds those that held the writer.
	tries, holds := 0, 0
	hold := c.hold
	c.hold = func(ctx context.Context) (func(), error) {
		tries++
		release, err := hold(ctx)
		if err == nil {
			holds++
		}
		return release, err
	}

	// Saves, one after the other, until stopped.
	stop, stopped := make(chan struct{}), make(chan error, 1)
	saves := make(chan int, 1)
	go func() {
		sv := newSaver(s, f)
		for i := 0; ; i++ {
			select {
			case <-stop:
				stopped <- nil
				return
			default:
			}
			if err := sv.save(ctx); err != nil {
				stopped <- err
				return
			}
			select {
			case saves <- i:
			default:
			}
		}
	}()
	defer func() {
		close(stop)
		if err := <-stopped; err != nil {
			t.Errorf("save: %v", err)
		}
	}()
	// waitFrames checkpoints until the WAL holds at least n frames.
	waitFrames := func(n int) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			<-saves
			logFrames, _, _, err := c.run(ctx, "PASSIVE")
			if err != nil {
				t.Fatal(err)
			}
			if logFrames >= n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the WAL holds %d frames after 20 s of saves, want %d", logFrames, n)
			}
		}
	}

	// restartUntil checkpoints until the WAL has started over n times in
	// all: each time the writer is held back, the WAL starts over (SQLite
	// may also start it over by itself, when a checkpoint has copied
	// every frame before the next save begins).
	restartUntil := func(n int) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for c.restarts < n {
			<-saves
			holds0, restarts0 := holds, c.restarts
			c.checkpoint(ctx)
			if holds != holds0 {
				if holds != holds0+1 || c.restarts != restarts0+1 {
					t.Fatalf("a checkpoint held the writer back %d times and started the WAL over %d times, want 1 and 1", holds-holds0, c.restarts-restarts0)
				}
				if logFrames, copied, _ := c.last(); logFrames != 0 || copied != 0 {
					t.Fatalf("after the restart the checkpointer reports %d frames in the WAL, %d copied, want 0 and 0", logFrames, copied)
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("the WAL started over %d times in 20 s of saves, want %d", c.restarts, n)
			}
		}
	}
	restartUntil(3)

	// A long write (the test takes the writer's gate): the restart does
	// not wait for it past restartHoldWait, and tries again at the next
	// checkpoint.
	for {
		waitFrames(restartFrames)
		if err := s.wgate.enter(ctx); err != nil {
			t.Fatal(err)
		}
		// With the gate taken no write begins, so the WAL cannot start
		// over by itself before the checkpoint.
		logFrames, _, _, err := c.run(ctx, "PASSIVE")
		if err != nil {
			t.Fatal(err)
		}
		if logFrames >= restartFrames {
			break
		}
		s.wgate.leave()
	}
	restarts, tries0, holds0 := c.restarts, tries, holds
	start := time.Now()
	checked := make(chan struct{})
	go func() {
		defer close(checked)
		c.checkpoint(ctx)
	}()
	select {
	case <-checked:
	case <-time.After(5 * time.Second):
		s.wgate.leave()
		<-checked
		t.Fatal("the checkpoint waited for the busy writer for more than 5 s")
	}
	waited := time.Since(start)
	s.wgate.leave()
	if c.restarts != restarts || tries != tries0+1 || holds != holds0 || waited < restartHoldWait || waited > 3*time.Second {
		t.Fatalf("with the writer busy: %d restarts, %d tried, %d held after %s, want 0, 1, 0 after %s", c.restarts-restarts, tries-tries0, holds-holds0, waited, restartHoldWait)
	}
	restartUntil(restarts + 1)

	// A reader on the WAL's last frames: the restart waits for it up to the
	// busy timeout, then gives up.
	waitFrames(restartFrames)
	rtx, err := s.rdb.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := rtx.QueryRowContext(ctx, "SELECT count(*) FROM answers").Scan(&n); err != nil {
		t.Fatal(err)
	}
	waitFrames(restartFrames + 4)
	restarts = c.restarts
	// Until a checkpoint holds the writer (a save may keep it past
	// restartHoldWait on a loaded machine).
	deadline := time.Now().Add(20 * time.Second)
	for holds0 = holds; holds == holds0; {
		if time.Now().After(deadline) {
			t.Fatal("no checkpoint held the writer back in 20 s")
		}
		start = time.Now()
		c.checkpoint(ctx)
		waited = time.Since(start)
	}
	// The wait is the checkpointer's busy timeout, not the store's 10 s.
	if c.restarts != restarts || waited < restartBusyMillis*time.Millisecond || waited > 3*time.Second {
		t.Fatalf("with a reader on the WAL: %d restarts after %s, want none after %d ms", c.restarts-restarts, waited, restartBusyMillis)
	}
	retryAt := c.retryAt
	if retryAt < 2*restartFrames {
		t.Fatalf("after a restart that gave up, the next is tried at %d frames, want at least %d", retryAt, 2*restartFrames)
	}
	tries0 = tries
	c.checkpoint(ctx)
	if logFrames, _, _ := c.last(); logFrames < retryAt && tries != tries0 {
		t.Fatalf("a restart was tried again at %d frames, before the WAL reached %d", logFrames, retryAt)
	}
	if err := rtx.Rollback(); err != nil {
		t.Fatal(err)
	}
	restartUntil(restarts + 1)
}

// TestCheckpointerIdles checks that a checkpoint tells whether anything was
// written since the one before, and that the checkpointer looks less often
// while nothing is: every checkpointIdle instead of every checkpointEvery.
func TestCheckpointerIdles(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "csmm.db"))
	f := newFixture(t, s, "acme")
	sv := newSaver(s, f)
	save := func(n int) {
		t.Helper()
		for range n {
			if err := sv.save(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}

	// Idle: the store's own checkpointer, after the fixture's writes.
	time.Sleep(2 * checkpointIdle)
	_, _, runs0 := s.ckpt.last()
	idle := 6 * checkpointIdle
	time.Sleep(idle)
	_, _, runs1 := s.ckpt.last()
	if n, most := runs1-runs0, int(idle/checkpointIdle)+2; n > most {
		t.Errorf("%d checkpoints in %v with nothing written, want at most %d (one every %v)", n, idle, most, checkpointIdle)
	}

	c := s.ckpt
	stopCheckpoints(c)
	c.checkpoint(ctx)
	if c.checkpoint(ctx) {
		t.Error("a checkpoint with nothing written since the last reports a change")
	}
	save(8)
	if !c.checkpoint(ctx) {
		t.Error("a checkpoint after 8 saves reports no change")
	}
	if c.checkpoint(ctx) {
		t.Error("a second checkpoint with nothing written since reports a change")
	}
	// The WAL, every frame copied, starts over with this save's frames.
	save(1)
	if !c.checkpoint(ctx) {
		t.Error("a checkpoint after a save that started the WAL over reports no change")
	}
}

// saver saves answers to f's assessment one after the other, its first
// four objectives in turn in production, each with the version it saved
// last, notes of varying length.
type saver struct {
	s        *Store
	f        fixture
	versions map[string]int
	n        int
}

func newSaver(s *Store, f fixture) *saver { return &saver{s: s, f: f, versions: map[string]int{}} }

func (sv *saver) save(ctx context.Context) error {
	i := sv.n
	sv.n++
	obj := []string{"IAM-2.1", "IAM-2.2", "IAM-2.3", "IAM-3.1"}[i%4]
	a, err := sv.s.SaveAnswer(ctx, sv.f.org.ID, sv.f.actor, AnswerInput{AssessmentID: sv.f.assessment.ID, Objective: obj, Scope: "production",
		Answer: assess.Yes, Note: strings.Repeat("n", i%200), AnsweredBy: "alice", ExpectedVersion: sv.versions[obj]}, nil)
	if err == nil {
		sv.versions[obj] = a.Version
	}
	return err
}

// stopCheckpoints stops the store's checkpointer loop, for a test that
// runs the checkpoints itself.
func stopCheckpoints(c *checkpointer) {
	c.stop()
	<-c.done
}
