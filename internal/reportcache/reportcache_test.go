package reportcache

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func key(org, id string, rev int64) Key {
	return Key{OrgID: org, AssessmentID: id, Revision: rev, View: "page"}
}

// value returns a build function giving v with the given size, counting calls.
func value(v string, size int64, calls *atomic.Int64) func() (string, int64, error) {
	return func() (string, int64, error) {
		calls.Add(1)
		return v, size, nil
	}
}

func TestGet(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// run does Gets on a cache of 100 bytes and returns what they gave.
		run       func(c *Cache[string], calls *atomic.Int64) []string
		want      []string
		wantCalls int64
		wantStats Stats
	}{
		{
			name: "second get is a hit",
			run: func(c *Cache[string], calls *atomic.Int64) []string {
				a, _ := c.Get(ctx, key("org1", "a", 1), value("one", 10, calls))
				b, _ := c.Get(ctx, key("org1", "a", 1), value("two", 10, calls))
				return []string{a, b}
			},
			want: []string{"one", "one"}, wantCalls: 1,
			wantStats: Stats{Entries: 1, Bytes: 10, Hits: 1, Misses: 1},
		},
		{
			name: "a new revision misses",
			run: func(c *Cache[string], calls *atomic.Int64) []string {
				a, _ := c.Get(ctx, key("org1", "a", 1), value("rev1", 10, calls))
				b, _ := c.Get(ctx, key("org1", "a", 2), value("rev2", 10, calls))
				return []string{a, b}
			},
			want: []string{"rev1", "rev2"}, wantCalls: 2,
			// The new revision's value takes the place of the old one's.
			wantStats: Stats{Entries: 1, Bytes: 10, Misses: 2},
		},
		{
			name: "one value per assessment, the last built",
			run: func(c *Cache[string], calls *atomic.Int64) []string {
				var got []string
				for _, step := range []struct {
					rev int64
					v   string
				}{{1, "rev1"}, {2, "rev2"}, {2, "rev2 again"}, {1, "rev1 late"}, {2, "rev2 rebuilt"}, {1, "rev1 again"}} {
					v, _ := c.Get(ctx, key("o", "a", step.rev), value(step.v, 30, calls))
					got = append(got, v)
				}
				// Another assessment, and another view of this one, are kept beside it.
				other, _ := c.Get(ctx, key("o", "b", 2), value("b", 30, calls))
				view, _ := c.Get(ctx, Key{OrgID: "o", AssessmentID: "a", Revision: 2, View: "score"}, value("score", 30, calls))
				return append(got, other, view)
			},
			want:      []string{"rev1", "rev2", "rev2", "rev1 late", "rev2 rebuilt", "rev1 again", "b", "score"},
			wantCalls: 7,
			wantStats: Stats{Entries: 3, Bytes: 90, Hits: 1, Misses: 7},
		},
		{
			name: "another organization never gets the entry",
			run: func(c *Cache[string], calls *atomic.Int64) []string {
				a, _ := c.Get(ctx, key("org1", "a", 1), value("org1's", 10, calls))
				b, _ := c.Get(ctx, key("org2", "a", 1), value("org2's", 10, calls))
				return []string{a, b}
			},
			want: []string{"org1's", "org2's"}, wantCalls: 2,
			wantStats: Stats{Entries: 2, Bytes: 20, Misses: 2},
		},
		{
			name: "least recently used goes first",
			run: func(c *Cache[string], calls *atomic.Int64) []string {
				c.Get(ctx, key("o", "a", 1), value("a", 40, calls))
				c.Get(ctx, key("o", "b", 1), value("b", 40, calls))
				c.Get(ctx, key("o", "a", 1), value("a again", 40, calls)) // hit: a is now recent
				c.Get(ctx, key("o", "c", 1), value("c", 40, calls))       // evicts b
				a, _ := c.Get(ctx, key("o", "a", 1), value("a rebuilt", 40, calls))
				b, _ := c.Get(ctx, key("o", "b", 1), value("b rebuilt", 40, calls))
				return []string{a, b}
			},
			want: []string{"a", "b rebuilt"}, wantCalls: 4,
			wantStats: Stats{Entries: 2, Bytes: 80, Hits: 2, Misses: 4},
		},
		{
			name: "a value larger than the cache is not kept",
			run: func(c *Cache[string], calls *atomic.Int64) []string {
				a, _ := c.Get(ctx, key("o", "big", 1), value("big", 101, calls))
				b, _ := c.Get(ctx, key("o", "big", 1), value("big again", 101, calls))
				return []string{a, b}
			},
			want: []string{"big", "big again"}, wantCalls: 2,
			wantStats: Stats{Misses: 2},
		},
		{
			name: "an error is not kept",
			run: func(c *Cache[string], calls *atomic.Int64) []string {
				_, err := c.Get(ctx, key("o", "a", 1), func() (string, int64, error) {
					calls.Add(1)
					return "", 0, errors.New("broken")
				})
				b, _ := c.Get(ctx, key("o", "a", 1), value("fixed", 10, calls))
				return []string{err.Error(), b}
			},
			want: []string{"broken", "fixed"}, wantCalls: 2,
			wantStats: Stats{Entries: 1, Bytes: 10, Misses: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New[string](100)
			var calls atomic.Int64
			got := tt.run(c, &calls)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
			if calls.Load() != tt.wantCalls {
				t.Errorf("built %d times, want %d", calls.Load(), tt.wantCalls)
			}
			if diff := cmp.Diff(tt.wantStats, c.Stats()); diff != "" {
				t.Errorf("stats (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGetBuildsOnce checks that concurrent misses of one key build it once.
func TestGetBuildsOnce(t *testing.T) {
	c := New[string](100)
	var calls atomic.Int64
	release := make(chan struct{})
	var wg sync.WaitGroup
	got := make([]string, 8)
	for i := range got {
		wg.Go(func() {
			v, err := c.Get(context.Background(), key("o", "a", 1), func() (string, int64, error) {
				calls.Add(1)
				<-release
				return "built", 10, nil
			})
			if err != nil {
				t.Error(err)
			}
			got[i] = v
		})
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if calls.Load() != 1 {
		t.Errorf("built %d times, want once", calls.Load())
	}
	for i, v := range got {
		if v != "built" {
			t.Errorf("get %d = %q, want built", i, v)
		}
	}
}

// TestGetCanceledBuilder checks that a waiter builds the value itself when
// the request that was building it is canceled.
func TestGetCanceledBuilder(t *testing.T) {
	c := New[string](100)
	started := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := c.Get(ctx, key("o", "a", 1), func() (string, int64, error) {
			close(started)
			<-ctx.Done()
			return "", 0, ctx.Err()
		})
		errc <- err
	}()
	<-started
	done := make(chan string, 1)
	go func() {
		v, err := c.Get(context.Background(), key("o", "a", 1), func() (string, int64, error) { return "mine", 10, nil })
		if err != nil {
			t.Error(err)
		}
		done <- v
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("canceled builder got %v, want context.Canceled", err)
	}
	if v := <-done; v != "mine" {
		t.Errorf("waiter got %q, want the value it built itself", v)
	}
}

// TestDrop checks that a cache made with NewWithDrop lets go, through drop,
// every value it stops keeping (replaced by another revision, least
// recently used, built too large to keep) and no other.
func TestDrop(t *testing.T) {
	var dropped []string
	c := NewWithDrop(100, func(v string) { dropped = append(dropped, v) })
	get := func(k Key, v string, size int64) {
		t.Helper()
		got, err := c.Get(context.Background(), k, func() (string, int64, error) { return v, size, nil })
		if err != nil || got != v {
			t.Fatalf("Get(%v) = %q, %v; want %q", k, got, err, v)
		}
	}
	get(key("o", "a", 1), "a1", 40)
	get(key("o", "b", 1), "b1", 40)
	get(key("o", "a", 1), "a1", 40)  // a hit drops nothing
	get(key("o", "a", 2), "a2", 40)  // a2 takes a1's place
	get(key("o", "c", 1), "c1", 40)  // b1 is the least recently used
	get(key("o", "d", 1), "d1", 101) // larger than the cache: not kept
	if _, err := c.Get(context.Background(), key("o", "e", 1), func() (string, int64, error) {
		return "e1", 10, errors.New("failed")
	}); err == nil {
		t.Fatal("Get with a failing build: no error")
	}
	if want := []string{"a1", "b1", "d1"}; !slices.Equal(dropped, want) {
		t.Errorf("dropped %q, want %q", dropped, want)
	}
	if st := c.Stats(); st.Entries != 2 || st.Bytes != 80 {
		t.Errorf("the cache holds %d entries of %d bytes, want a2 and c1 (2, 80)", st.Entries, st.Bytes)
	}
}
