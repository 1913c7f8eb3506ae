package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// checkpointEvery is how often the SQLite checkpointer copies the WAL into
// the database file while it is written, and checkpointIdle while nothing
// is. Every 50 ms rather than 250: the RESTART checkpoint that follows a
// PASSIVE one (see checkpointer) copies, with the writer held back, what
// was written while the PASSIVE one ran, so a shorter PASSIVE one holds
// the writer less. In interleaved runs of the API benchmark the longest
// save fell from 267-326 ms to 142-226 ms, the getScore p99 was no worse
// (17.0, 17.5 and 14.9 ms against 17.2, 20.0 and 15.3), and the WAL
// reaches the disk five times as often. A checkpoint still holds its
// processor about as long (median 6 ms in an execution trace: its two
// fsyncs cost the same whatever it copies); the server's extra processor
// keeps that from the request handlers (see serveProcs in
// internal/server).
const (
	checkpointEvery = 50 * time.Millisecond
	checkpointIdle  = 250 * time.Millisecond
)

// walRestartFrames is the size of the WAL, in frames (a 4 KB page and its
// 24-byte header each, so about 270 MB), past which a checkpoint holds the
// store's writer back while it copies the last frames and starts the WAL
// over. Each restart holds the writer for 20-120 ms (two fsyncs and the
// readers' last queries): under the API benchmark's saves, one every six
// seconds at this size; at 16,384 frames, every second and a half, the
// putAnswer p99 nearly doubled.
const walRestartFrames = 65536

// walSizeLimit is the writer's journal_size_limit: a WAL file grown past
// it (by a large import, say) is cut back to it when the WAL starts over.
const walSizeLimit = 64 << 20

// restartHoldWait is how long a restart waits for the writer to finish
// what it is writing: a long write (a large import) makes the restart wait
// for the next tick instead, so that the checkpoint does not copy, with
// the writer held back, all the frames written meanwhile; the PASSIVE
// checkpoints of the ticks in between copy them without holding it.
const restartHoldWait = 50 * time.Millisecond

// restartBusyMillis is the checkpointer connection's busy timeout, the
// longest a restart waits, with the writer held back, for the readers
// still reading the WAL's last frames; past it the WAL is not started over
// this time.
const restartBusyMillis = 100

// checkpointer moves SQLite's WAL checkpoints off the writer. With the
// default automatic checkpoint, the connection whose commit takes the WAL
// past 1,000 pages copies the frames into the database and, under
// synchronous(NORMAL), waits for fsync of both files: on SQLite that is
// the only writer, so every save queued behind it waited for the disk
// (about 15% of the API benchmark's throughput). The writer's automatic
// checkpoint is turned off (wal_autocheckpoint(0)) and a connection of its
// own runs a PASSIVE checkpoint every checkpointEvery instead, which never
// blocks the writer or the readers. Durability is unchanged: a commit is
// in the WAL before it returns, and the WAL reaches the disk at each
// checkpoint, as before.
//
// SQLite starts the WAL over (writes the next frames from its beginning)
// only when a write transaction begins with every frame copied. Under a
// steady stream of saves a commit lands during every PASSIVE checkpoint,
// so that never happened: the WAL grew by every frame written (44 MB a
// second, 1.5 GB in a minute and a half of the API benchmark), each new
// frame in a part of the file never written before. So once the WAL holds
// walRestartFrames frames, the checkpoint after the PASSIVE one holds the
// store's writer back (hold) and runs a RESTART checkpoint: it copies the
// few frames written meanwhile, waits for the readers still on them, and
// starts the WAL over; the writer's next commit writes from the
// beginning of the file and cuts it to walSizeLimit.
type checkpointer struct {
	db *sql.DB
	// hold keeps the store's writer from starting a transaction until
	// the function it returns is called.
	hold func(context.Context) (func(), error)
	// restartFrames is walRestartFrames; tests lower it.
	restartFrames int
	stop          context.CancelFunc
	done          chan struct{}

	mu          sync.Mutex
	log, copied int // of the last checkpoint that ran
	runs        int
	// restarts counts the WAL's restarts; retryAt is the WAL size at
	// which a restart is tried again after one found readers still on
	// the WAL's last frames.
	restarts, retryAt int
}

// startCheckpointer opens a connection to the database file at dsn and
// checkpoints it in the background until close, holding the writer back
// with hold to start the WAL over.
func startCheckpointer(dsn string, hold func(context.Context) (func(), error)) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	ctx, stop := context.WithCancel(context.Background())
	c := &checkpointer{db: db, hold: hold, restartFrames: walRestartFrames, stop: stop, done: make(chan struct{})}
	go c.loop(ctx)
	return c, nil
}

func (c *checkpointer) loop(ctx context.Context) {
	defer close(c.done)
	t := time.NewTimer(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			next := checkpointIdle
			if c.checkpoint(ctx) {
				next = checkpointEvery
			}
			t.Reset(next)
		}
	}
}

// checkpoint runs one PASSIVE checkpoint, and a RESTART one after it when
// the WAL has grown to restartFrames. An error (another process's
// checkpoint running at the same moment, say) is not kept: the next tick
// tries again, and the writer's commits do not depend on it. It reports
// whether the WAL had changed since the last checkpoint (or the checkpoint
// failed): its frames, or those copied. (A WAL started over and written
// again to the same number of frames reads as unchanged; the checkpoint
// after it then comes checkpointIdle later, no harm done.)
func (c *checkpointer) checkpoint(ctx context.Context) (changed bool) {
	logFrames, copied, _, err := c.run(ctx, "PASSIVE")
	c.mu.Lock()
	c.runs++
	changed = err != nil || logFrames != c.log || copied != c.copied
	if err == nil {
		c.log, c.copied = logFrames, copied
	}
	restart := err == nil && logFrames >= max(c.restartFrames, c.retryAt)
	c.mu.Unlock()
	if !restart {
		return changed
	}
	hctx, cancel := context.WithTimeout(ctx, restartHoldWait)
	release, err := c.hold(hctx)
	cancel()
	if err != nil {
		return true
	}
	logFrames, _, busy, err := c.run(ctx, "RESTART")
	release()
	if err != nil {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !busy {
		c.log, c.copied = 0, 0
		c.restarts, c.retryAt = c.restarts+1, 0
	} else {
		// A reader outlasted the busy timeout: the writer is not held
		// back again until the WAL has grown as much once more.
		c.retryAt = logFrames + c.restartFrames
	}
	return true
}

// run runs a checkpoint in mode and returns the frames in the WAL and
// those copied into the database before it ran to its end (a RESTART that
// started the WAL over returns the WAL's size before), and whether it
// stopped short: frames left uncopied, or a RESTART that found readers
// still on the WAL.
func (c *checkpointer) run(ctx context.Context, mode string) (logFrames, copied int, busy bool, err error) {
	err = c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &logFrames, &copied)
	return logFrames, copied, busy, err
}

// last returns the frames in the WAL and the frames copied into the
// database by the last checkpoint that ran, and how many have run.
func (c *checkpointer) last() (logFrames, copied, runs int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.log, c.copied, c.runs
}

// close stops the loop and closes the connection.
func (c *checkpointer) close() error {
	c.stop()
	<-c.done
	return c.db.Close()
}
