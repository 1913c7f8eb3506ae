package server

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/csmm/csmm/internal/csmm"
)

// touchEvery bounds how often a session's or token's last use is written.
// The idle expiry of sessions is as precise as this: a session used without
// pause may be seen by other servers as last used up to touchEvery ago.
const touchEvery = time.Minute

const (
	// touchTimeout bounds one background write of a last use.
	touchTimeout = 5 * time.Second
	// maxTouchWrites bounds the writes of last uses in flight; a use that
	// finds them all busy is recorded by a later request.
	maxTouchWrites = 8
	// maxTouched bounds the credentials whose last touch is remembered.
	maxTouched = 10000
)

// toucher records the last use of sessions and API tokens off the request
// path: at most once per touchEvery for each, in a goroutine of its own, so
// that no request waits for that write (on SQLite, behind every other
// writer). It remembers in memory when it last wrote each credential's use,
// so the burst of requests that all see the same old last use in the
// database writes it once. A credential has at most one write in flight: a
// use due while it runs is written by the same goroutine right after it,
// the latest such use only, so a slow database gets fewer writes, never
// an older last use than the latest due. Safe for concurrent use.
type toucher struct {
	logger *slog.Logger

	mu sync.Mutex
	// last is when each credential's use was last written (or is being
	// written, or is to be written next), by kind and ID.
	last map[string]time.Time
	// writing holds the credentials with a write in flight, and for each
	// the use to write after it, if any.
	writing map[string]*nextTouch
	closed  bool
	// writes counts the writes in flight; close waits for them.
	writes sync.WaitGroup
	// slots bounds the writes in flight.
	slots chan struct{}
}

// nextTouch is the use of a credential to write once its write in flight
// is done: at (zero for none), by write.
type nextTouch struct {
	at    time.Time
	write func(ctx context.Context, at time.Time) error
}

func newToucher(logger *slog.Logger) *toucher {
	return &toucher{logger: logger, last: map[string]time.Time{}, writing: map[string]*nextTouch{},
		slots: make(chan struct{}, maxTouchWrites)}
}

// lastUse returns when this server last recorded a use of the credential,
// or the zero time. The database may not have it yet while the write is in
// flight; the idle check takes the later of the two.
func (t *toucher) lastUse(key string) time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last[key]
}

// touch records a use of the credential key at now, whose last use in the
// database is stored, when neither that nor this server's last write is
// within touchEvery: write runs in the background with a context that
// outlives the request (ctx's values, not its cancellation) and
// touchTimeout, right away, or after the credential's write in flight
// (which close waits for too). A use that finds every write slot busy is
// not recorded (a later request records its own). A failed write is
// logged and forgotten, so a later request tries again. After close no
// use is taken.
func (t *toucher) touch(ctx context.Context, key string, stored, now time.Time, write func(ctx context.Context, at time.Time) error) {
	t.mu.Lock()
	last := stored
	if m := t.last[key]; m.After(last) {
		last = m
	}
	if t.closed || now.Sub(last) <= touchEvery {
		t.mu.Unlock()
		return
	}
	if next, ok := t.writing[key]; ok {
		next.at, next.write = now, write
		t.last[key] = now
		t.mu.Unlock()
		return
	}
	select {
	case t.slots <- struct{}{}:
	default:
		t.mu.Unlock()
		return
	}
	if len(t.last) >= maxTouched {
		t.prune(now)
	}
	t.last[key] = now
	t.writing[key] = &nextTouch{}
	t.writes.Add(1)
	t.mu.Unlock()

	go func() {
		defer t.writes.Done()
		defer func() { <-t.slots }()
		for at := now; ; {
			t.writeOne(ctx, key, at, write)
			t.mu.Lock()
			next := t.writing[key]
			if next.at.IsZero() {
				delete(t.writing, key)
				t.mu.Unlock()
				return
			}
			at, write = next.at, next.write
			*next = nextTouch{}
			t.mu.Unlock()
		}
	}()
}

// writeOne writes the use of key at at; when that fails, it logs the error
// and forgets the use, unless a later one is due, so that a later request
// tries again.
func (t *toucher) writeOne(ctx context.Context, key string, at time.Time, write func(ctx context.Context, at time.Time) error) {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), touchTimeout)
	defer cancel()
	err := write(wctx, at)
	if err == nil || csmm.ErrorCode(err) == csmm.ENOTFOUND {
		return
	}
	t.logger.WarnContext(wctx, "record the last use of a credential", "error", err.Error())
	t.mu.Lock()
	if t.last[key].Equal(at) {
		delete(t.last, key)
	}
	t.mu.Unlock()
}

// prune forgets the touches older than touchEvery, which no longer hold
// back a write, and everything when that is not enough: the cost is one
// extra write per credential. t.mu must be held.
func (t *toucher) prune(now time.Time) {
	for k, at := range t.last {
		if now.Sub(at) > touchEvery {
			delete(t.last, k)
		}
	}
	if len(t.last) >= maxTouched {
		clear(t.last)
	}
}

// forget drops what is remembered of a credential that was deleted.
func (t *toucher) forget(key string) {
	t.mu.Lock()
	delete(t.last, key)
	if next, ok := t.writing[key]; ok {
		*next = nextTouch{}
	}
	t.mu.Unlock()
}

// close stops new writes and waits for those in flight, each bounded by
// touchTimeout, so that none runs after the store is closed. It may be
// called more than once.
func (t *toucher) close() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	t.writes.Wait()
}

// sessionKey and tokenKey are the toucher's keys of a session and a token.
func sessionKey(id string) string { return "session:" + id }
func tokenKey(id string) string   { return "token:" + id }
