package store

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"
)

// maxSaveBatch bounds the answer saves committed in one transaction.
const maxSaveBatch = 64

// sqliteSaveGather is how long, on SQLite, a save handed the lead by the
// batch before it waits for more saves before taking its batch. The lead
// is handed on only when saves queued while a batch was written, that is
// under load; a save that finds no batch being written never waits. Part
// of a transaction's cost in SQLite's code does not grow with its saves
// (the commit and its WAL frames, running the batch's statements), and
// that CPU is taken from the score reads on the same
// cores: with the wait, batches are larger and fewer, and a save costs
// less. Under bench/api's load (64 clients, half saves), in three
// interleaved pairs against the build without it: getScore p99 16.0-18.1
// ms against 19.3-21.4, server CPU a request 0.27-0.30 ms against
// 0.30-0.34, putAnswer p99 43.7-51.2 ms against 47.2-53.4
// (bench/README.md, "Saves gathered for a millisecond"). PostgreSQL's
// saves do not wait: its statements wait for the database server rather
// than for the cores of this one, and two pairs there showed no gain.
const sqliteSaveGather = time.Millisecond

// saveQueue commits concurrent answer saves together (group commit).
//
// A save joins the queue; when no batch is being written, it takes the
// lead and writes every queued save in one transaction, then hands the
// lead to the first save that queued meanwhile, if any, and returns. Each
// save keeps its own result: one that fails before writing anything (an
// unknown scope, a stale version, an invalid answer) fails alone and the
// others commit. If a save fails after writing, or the commit fails, the
// transaction is rolled back and each save of the batch is run again in a
// transaction of its own, so every save is committed or refused exactly as
// it would be alone.
//
// A batch whose saves write distinct answers is written together
// (saveBatchTogether) instead of five statements per save: on SQLite,
// where one connection takes every write, one query and five statements
// in the batch's transaction (saves_sqlite.go); on PostgreSQL, one query
// and one statement that commits by itself (saves_postgres.go). Other
// batches are written save by save in one transaction.
//
// One queue serves every assessment on PostgreSQL too. While a batch is
// written, the saves that arrive meanwhile gather into the next one, so
// the batches grow with the load and the database runs fewer, larger
// statements. Four queues writing at once, one per share of the
// assessments, made batches of five saves whose statements competed for
// the same cores: 0.64 ms of database time a save against 0.23 ms, and a
// putAnswer p99 of 82-162 ms against 49-70 ms under bench/api's load
// (bench/README.md, "One save queue on PostgreSQL").
type saveQueue struct {
	mu      sync.Mutex
	pending []*answerSave
	leading bool
	// gather, if not nil, is called by a save handed the lead before it
	// takes its batch (see sqliteSaveGather).
	gather func()
}

// answerSave is one answer save and, once done is closed, its result.
type answerSave struct {
	ctx   context.Context
	orgID string
	actor Actor
	in    AnswerInput
	check AnswerCheck
	// done is closed when the result is set; lead, when the save is to
	// write the next batch.
	done, lead chan struct{}

	a   *Answer
	rev int64
	now time.Time
	err error
	// checkErr marks an error of the save's AnswerCheck, returned unchanged.
	checkErr bool
	// finished is set when done is closed (by the batch's goroutine only).
	finished bool
}

// enqueue queues r and returns once r has its result.
func (q *saveQueue) enqueue(s *Store, r *answerSave) {
	q.mu.Lock()
	q.pending = append(q.pending, r)
	if q.leading {
		q.mu.Unlock()
		select {
		case <-r.done:
			return
		case <-r.lead:
		}
		if q.gather != nil {
			q.gather()
		}
	} else {
		q.leading = true
		q.mu.Unlock()
	}
	// r leads: the batch it takes includes r itself.
	q.mu.Lock()
	n := min(len(q.pending), maxSaveBatch)
	batch := q.pending[:n:n]
	q.pending = append([]*answerSave(nil), q.pending[n:]...)
	q.mu.Unlock()

	defer func() {
		// Even after a panic, the lead passes on and every save of the
		// batch gets an answer, so no caller waits for ever.
		p := recover()
		for _, r := range batch {
			if !r.finished {
				r.a, r.err, r.checkErr = nil, fmt.Errorf("save answer: internal error: %v", p), false
				r.finish()
			}
		}
		q.mu.Lock()
		if len(q.pending) > 0 {
			close(q.pending[0].lead)
		} else {
			q.leading = false
		}
		q.mu.Unlock()
		if p != nil {
			panic(p)
		}
	}()
	s.saveBatch(batch)
}

// batchContext returns a context that ends when the contexts of all the
// saves of batch have ended.
func batchContext(batch []*answerSave) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(batch[0].ctx))
	var mu sync.Mutex
	left := len(batch)
	stops := make([]func() bool, 0, len(batch))
	for _, r := range batch {
		stops = append(stops, context.AfterFunc(r.ctx, func() {
			mu.Lock()
			defer mu.Unlock()
			if left--; left == 0 {
				cancel()
			}
		}))
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
	}
}

// finish closes r's done channel once its result is set.
func (r *answerSave) finish() {
	r.finished = true
	close(r.done)
}

// checkSafely calls check, turning a panic into an error of this save
// alone: the batch's other saves go on.
func checkSafely(check AnswerCheck, ref string, in *AnswerInput) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("check the answer: internal error: %v", p)
		}
	}()
	return check(ref, in)
}

// errBatch stops a batch's write: a save failed having written, or the
// batch cannot be written together (a statement would change fewer rows
// than planned). saveBatch then writes it another way.
var errBatch = errors.New("a save of the batch failed after writing")

// saveBatch writes batch together (saveBatchTogether) when its saves write
// distinct answers, else, or when that fails, save by save in one
// transaction, else each save alone; it sets every save's result and
// closes its done channel.
func (s *Store) saveBatch(batch []*answerSave) {
	// The write serves every save of the batch: a client that goes away
	// cancels its own save only, which is skipped if not yet written; the
	// write is cancelled when every client has gone.
	ctx, cancel := batchContext(batch)
	defer cancel()
	err := errBatch
	if distinctAnswers(batch) {
		err = s.writeTogether(ctx, func(tx *tx) error { return saveBatchTogether(ctx, tx, batch) })
	}
	if err != nil {
		err = s.saveBatchBySave(ctx, batch)
	}
	if err != nil {
		for _, r := range batch {
			r.a, r.err, r.checkErr = nil, nil, false
			if r.err = r.ctx.Err(); r.err != nil {
				continue
			}
			r.err = s.write(r.ctx, func(tx *tx) error {
				_, err := saveAnswerTx(r.ctx, tx, r)
				return err
			})
			if r.err != nil {
				r.a = nil
			}
		}
	}
	for _, r := range batch {
		if r.err == nil {
			s.live.answersSaved(r.orgID, r.in.AssessmentID, r.rev, r.now, []Answer{*r.a})
		}
		r.finish()
	}
}

// saveBatchBySave writes batch in one transaction, save after save, and
// sets each save's result. It returns an error, with the transaction
// rolled back, when a save fails after writing or the commit fails.
func (s *Store) saveBatchBySave(ctx context.Context, batch []*answerSave) error {
	return s.write(ctx, func(tx *tx) error {
		for _, r := range batch {
			r.a, r.err, r.checkErr = nil, nil, false
			if err := r.ctx.Err(); err != nil {
				r.err = err
				continue
			}
			usable, err := saveAnswerTx(ctx, tx, r)
			if err != nil && !usable {
				return errBatch
			}
			r.err = err
			// A batch of 32 saves is about 8 ms of CPU in SQLite's code,
			// which never blocks: without a yield the batch keeps its
			// processor that long while score reads wait on the other one
			// (putAnswer p99 90 to 74 ms and getScore p99 29 to 20 ms in
			// the API benchmark on SQLite). On PostgreSQL every statement
			// waits for the database, which yields already.
			if s.dialect == dialectSQLite {
				runtime.Gosched()
			}
		}
		return nil
	})
}
