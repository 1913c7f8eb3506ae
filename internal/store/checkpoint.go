package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// checkpointEvery is how often the SQLite checkpointer copies the WAL into
// the database file.
const checkpointEvery = 250 * time.Millisecond

// checkpointer moves SQLite's WAL checkpoints off the writer. With the
// default automatic checkpoint, the connection whose commit takes the WAL
// past 1,000 pages copies the frames into the database and, under
// synchronous(NORMAL), waits for fsync of both files: on SQLite that is
// the only writer, so every save queued behind it waited for the disk
// (about 15% of the API benchmark's throughput). The writer's automatic
// checkpoint is turned off (wal_autocheckpoint(0)) and a connection of its
// own runs a PASSIVE checkpoint every checkpointEvery instead, which never
// blocks the writer or the readers; the writer starts the WAL over once a
// checkpoint has copied all of it. Durability is unchanged: a commit is in
// the WAL before it returns, and the WAL reaches the disk at each
// checkpoint, as before.
type checkpointer struct {
	db   *sql.DB
	stop context.CancelFunc
	done chan struct{}

	mu          sync.Mutex
	log, copied int // of the last checkpoint that ran
	runs        int
}

// startCheckpointer opens a connection to the database file at dsn and
// checkpoints it in the background until close.
func startCheckpointer(dsn string) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	ctx, stop := context.WithCancel(context.Background())
	c := &checkpointer{db: db, stop: stop, done: make(chan struct{})}
	go c.loop(ctx)
	return c, nil
}

func (c *checkpointer) loop(ctx context.Context) {
	defer close(c.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.checkpoint(ctx)
		}
	}
}

// checkpoint runs one PASSIVE checkpoint. An error (another process's
// checkpoint running at the same moment, say) is not kept: the next tick
// tries again, and the writer's commits do not depend on it.
func (c *checkpointer) checkpoint(ctx context.Context) {
	var busy, logFrames, copied int
	err := c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &copied)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.runs++
	if err == nil {
		c.log, c.copied = logFrames, copied
	}
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
