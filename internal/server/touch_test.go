package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/identity"
)

func TestToucher(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	discard := slog.New(slog.DiscardHandler)

	t.Run("a burst writes once", func(t *testing.T) {
		tc := newToucher(discard)
		var n atomic.Int64
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				tc.touch(t.Context(), "token:a", t0.Add(-time.Hour), t0, func(context.Context, time.Time) error {
					n.Add(1)
					return nil
				})
			})
		}
		wg.Wait()
		tc.close()
		if n.Load() != 1 {
			t.Errorf("%d writes for 50 concurrent uses, want 1", n.Load())
		}
		if got := tc.lastUse("token:a"); !got.Equal(t0) {
			t.Errorf("lastUse = %v, want %v", got, t0)
		}
	})

	t.Run("at most once a minute per credential", func(t *testing.T) {
		tc := newToucher(discard)
		var mu sync.Mutex
		var writes []string
		use := func(key string, stored, now time.Time) {
			tc.touch(t.Context(), key, stored, now, func(_ context.Context, at time.Time) error {
				mu.Lock()
				defer mu.Unlock()
				writes = append(writes, fmt.Sprintf("%s@%s", key, at.Sub(t0)))
				return nil
			})
		}
		stale := t0.Add(-time.Hour)
		use("session:a", stale, t0)
		use("session:b", stale, t0)
		use("session:a", stale, t0.Add(30*time.Second)) // within a minute of the last write
		use("session:a", stale, t0.Add(60*time.Second)) // exactly a minute: not more than
		use("session:a", stale, t0.Add(61*time.Second))
		use("session:c", t0.Add(50*time.Second), t0.Add(61*time.Second)) // the database has a recent use
		tc.close()
		mu.Lock()
		defer mu.Unlock()
		got := map[string]bool{}
		for _, w := range writes {
			got[w] = true
		}
		want := []string{"session:a@0s", "session:b@0s", "session:a@1m1s"}
		if len(writes) != len(want) {
			t.Errorf("writes %v, want %v", writes, want)
		}
		for _, w := range want {
			if !got[w] {
				t.Errorf("writes %v lack %s", writes, w)
			}
		}
	})

	t.Run("does not wait for the write and outlives the request", func(t *testing.T) {
		tc := newToucher(discard)
		release := make(chan struct{})
		done := make(chan error, 1)
		ctx, cancel := context.WithCancel(t.Context())
		tc.touch(ctx, "token:a", time.Time{}, t0, func(ctx context.Context, at time.Time) error {
			<-release
			done <- ctx.Err()
			return nil
		})
		cancel() // the request ends before the write runs
		closed := make(chan struct{})
		go func() { tc.close(); close(closed) }()
		select {
		case <-closed:
			t.Fatal("close returned while a write was in flight")
		case <-time.After(50 * time.Millisecond):
		}
		close(release)
		<-closed
		if err := <-done; err != nil {
			t.Errorf("the write's context ended with the request: %v", err)
		}
	})

	t.Run("a failed write is tried again", func(t *testing.T) {
		tc := newToucher(discard)
		var n atomic.Int64
		write := func(context.Context, time.Time) error {
			if n.Add(1) == 1 {
				return errors.New("database is locked")
			}
			return nil
		}
		tc.touch(t.Context(), "token:a", time.Time{}, t0, write)
		tc.writes.Wait()
		if got := tc.lastUse("token:a"); !got.IsZero() {
			t.Errorf("lastUse after a failed write = %v, want none", got)
		}
		tc.touch(t.Context(), "token:a", time.Time{}, t0.Add(time.Second), write)
		tc.close()
		if n.Load() != 2 {
			t.Errorf("%d writes, want the failed one and its retry", n.Load())
		}
	})

	t.Run("uses due during a slow write are written after it, the latest only", func(t *testing.T) {
		tc := newToucher(discard)
		release := make(chan struct{})
		var mu sync.Mutex
		var writes []time.Duration
		write := func(_ context.Context, at time.Time) error {
			if at.Equal(t0) {
				<-release
			}
			mu.Lock()
			defer mu.Unlock()
			writes = append(writes, at.Sub(t0))
			return nil
		}
		// Every use after the first is due (more than a minute after the
		// one before) while the first write waits, as on a loaded
		// database; more of them than there are write slots.
		for i := range 2 * maxTouchWrites {
			tc.touch(t.Context(), "session:a", time.Time{}, t0.Add(time.Duration(i)*61*time.Second), write)
		}
		latest := t0.Add(time.Duration(2*maxTouchWrites-1) * 61 * time.Second)
		if got := tc.lastUse("session:a"); !got.Equal(latest) {
			t.Errorf("lastUse while the first write runs = %v, want the latest use %v", got, latest)
		}
		close(release)
		tc.writes.Wait()
		mu.Lock()
		got := fmt.Sprint(writes)
		mu.Unlock()
		if want := fmt.Sprint([]time.Duration{0, latest.Sub(t0)}); got != want {
			t.Errorf("writes %s, want %s: the first, then the latest use due", got, want)
		}
		// The next due use is written at once.
		tc.touch(t.Context(), "session:a", time.Time{}, latest.Add(61*time.Second), write)
		tc.close()
		if len(writes) != 3 {
			t.Errorf("writes %v: the use after them was not written", writes)
		}
	})

	t.Run("nothing is written after close", func(t *testing.T) {
		tc := newToucher(discard)
		tc.close()
		tc.touch(t.Context(), "token:a", time.Time{}, t0, func(context.Context, time.Time) error {
			t.Error("a write after close")
			return nil
		})
		tc.close() // twice is fine
	})

	t.Run("memory is bounded", func(t *testing.T) {
		tc := newToucher(discard)
		for i := range maxTouched + 10 {
			// Each use a minute and a bit after the previous: older entries can be pruned.
			now := t0.Add(time.Duration(i) * time.Second)
			tc.touch(t.Context(), fmt.Sprintf("token:%d", i), time.Time{}, now, func(context.Context, time.Time) error { return nil })
			tc.writes.Wait()
		}
		tc.close()
		if n := len(tc.last); n > maxTouched || n < 61 {
			t.Errorf("%d credentials remembered, want at most %d and at least the last minute's", n, maxTouched)
		}
	})
}

// TestLastUse checks the last use of sessions and tokens through the
// server: written in the background at most once a minute, and the idle
// expiry of sessions still correct within that minute.
func TestLastUse(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		owner := e.setup()
		start := e.clock.now()
		bot := e.bearerFor(t, "owner@acme.example", "acme-corp")
		tokenLastUsed := func() time.Time {
			t.Helper()
			e.srv.touches.writes.Wait()
			tok, err := e.st.GetAPITokenByHash(t.Context(), identity.HashToken(bot.bearer))
			if err != nil {
				t.Fatal(err)
			}
			return tok.LastUsed
		}
		sessionLastSeen := func(c *client) time.Time {
			t.Helper()
			e.srv.touches.writes.Wait()
			var secret string
			for _, ck := range c.hc.Jar.Cookies(mustURL(e.ts.URL)) {
				if ck.Name == e.srv.sessionCookie() {
					secret = ck.Value
				}
			}
			sess, err := e.st.GetSessionByTokenHash(t.Context(), identity.HashToken(secret))
			if err != nil {
				t.Fatal(err)
			}
			return sess.LastSeen
		}

		t.Run("token", func(t *testing.T) {
			if r := bot.get("/api/v1/orgs/acme-corp/assessments"); r.StatusCode != http.StatusOK {
				t.Fatalf("list: %d %s", r.StatusCode, r.body)
			}
			first := tokenLastUsed()
			if first.IsZero() {
				t.Fatal("the token's last use was not recorded")
			}
			e.clock.advance(30 * time.Second)
			bot.get("/api/v1/me")
			if got := tokenLastUsed(); !got.Equal(first) {
				t.Errorf("used 30 s later: last use %v, want still %v", got, first)
			}
			e.clock.advance(31 * time.Second)
			bot.get("/api/v1/me")
			if got, want := tokenLastUsed(), e.clock.now(); !got.Equal(want) {
				t.Errorf("used 61 s later: last use %v, want %v", got, want)
			}
		})

		t.Run("session in use stays signed in", func(t *testing.T) {
			// Used every 50 seconds for 13 hours, past the idle limit of 12.
			for i := 0; e.clock.now().Sub(start) < 13*time.Hour; i++ {
				e.clock.advance(50 * time.Second)
				if r := owner.get("/api/v1/me"); r.StatusCode != http.StatusOK {
					t.Fatalf("use %d after %s: status %d, want 200", i, e.clock.now().Sub(start), r.StatusCode)
				}
			}
			// The database is at most a minute behind the last use.
			if got := sessionLastSeen(owner); e.clock.now().Sub(got) > touchEvery {
				t.Errorf("last seen %v, more than a minute before the last use at %v", got, e.clock.now())
			}
			// Another server, which remembers nothing, agrees.
			other := newEnvOn(t, e.st, testConfig(), e.clock)
			c := other.client()
			c.hc.Jar = owner.hc.Jar // cookies are per host, not per port
			if r := c.get("/api/v1/me"); r.StatusCode != http.StatusOK {
				t.Errorf("the session on another server: status %d, want 200", r.StatusCode)
			}
		})

		t.Run("idle session expires", func(t *testing.T) {
			idle := e.login("owner@acme.example", ownerPassword)
			e.clock.advance(12*time.Hour - time.Minute)
			if r := idle.get("/api/v1/me"); r.StatusCode != http.StatusOK {
				t.Fatalf("after 11 h 59 min idle: status %d, want 200", r.StatusCode)
			}
			// Used again within the minute: no write, but this server
			// counts the idle time from the last use it recorded.
			e.clock.advance(30 * time.Second)
			if r := idle.get("/api/v1/me"); r.StatusCode != http.StatusOK {
				t.Fatalf("30 s later: status %d, want 200", r.StatusCode)
			}
			e.clock.advance(12*time.Hour + touchEvery)
			if r := idle.get("/api/v1/me"); r.StatusCode != http.StatusUnauthorized {
				t.Errorf("12 h and a minute idle: status %d, want 401", r.StatusCode)
			}
		})
	})
}
