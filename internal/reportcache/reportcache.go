// Package reportcache keeps what was built from a stored assessment (a
// scored result, a report, a rendered page) in memory, so that showing it
// again costs one revision check instead of reading, scoring and rendering
// the assessment again.
//
// A value is cached under a Key that names the organization, the
// assessment, the assessment's revision (which the store raises in the
// transaction of every change), the as-of date and the scope. A change to
// the assessment gives a new revision, so the next request misses and
// builds from the new data: nothing is ever invalidated by hand, and several
// servers sharing one database each see every change at once. The
// organization is part of the key, so one organization can never be served
// another's entry. The cache holds one value per key but its revision: a
// value built from another revision takes the place of the one kept, which
// requests no longer ask for once the revision has risen, so the values of
// earlier revisions do not crowd out those of other assessments. It holds
// at most a set number of bytes and drops the least recently used values
// first.
package reportcache

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/csmm/csmm/internal/assess"
)

// Key identifies one cached value. Every field the value depends on must be
// in it: two requests with equal keys get the same value.
type Key struct {
	OrgID        string
	AssessmentID string
	// Revision is the assessment's revision the value was built from.
	Revision int64
	// AsOf is the date the assessment was scored as of.
	AsOf assess.Date
	// Scope is the scope shown on its own, "" for the roll-up.
	Scope string
	// View names what is cached ("page", "score") and anything else outside
	// the assessment that the value shows, such as the organization's name.
	View string
}

// Cache is a size-bounded, least-recently-used cache of values of type V,
// safe for concurrent use. The zero value is not usable; call New.
type Cache[V any] struct {
	mu       sync.Mutex
	maxBytes int64
	bytes    int64
	order    *list.List // of *entry[V], most recently used first
	// entries holds the entry of each key by its slot (the key without
	// its revision).
	entries  map[Key]*list.Element
	building map[Key]*build[V]
	hits     int64
	misses   int64
	// drop, when set, is called with the cache's lock held for each
	// value the cache lets go (see NewWithDrop).
	drop func(V)
}

type entry[V any] struct {
	key  Key
	val  V
	size int64
}

// build is a value being built; whoever asks for it meanwhile waits.
type build[V any] struct {
	done chan struct{}
	val  V
	err  error
}

// New returns a cache that holds values of at most maxBytes in total.
func New[V any](maxBytes int64) *Cache[V] {
	return &Cache[V]{maxBytes: maxBytes, order: list.New(), entries: map[Key]*list.Element{}, building: map[Key]*build[V]{}}
}

// NewWithDrop returns a cache like New that calls drop, with the cache's
// lock held, for each value it lets go: one it kept, when another takes its
// place or it is the least recently used, and one it built but did not
// keep (larger than the cache); not one whose build failed, which Get
// returns to no one. A value whose memory is reused once
// dropped must be taken (counted) by whoever Get returns it to, and the
// taking must fail once it has been dropped: Get may return a value just
// before the cache lets it go.
func NewWithDrop[V any](maxBytes int64, drop func(V)) *Cache[V] {
	c := New[V](maxBytes)
	c.drop = drop
	return c
}

// Get returns the value cached under key. On a miss it calls fn to build the
// value and its size in bytes, keeps it, and returns it; requests for the
// same key that come while it is built wait for that build instead of
// building it again. An error of fn is returned and nothing is kept. A
// value larger than the whole cache is returned but not kept.
func (c *Cache[V]) Get(ctx context.Context, key Key, fn func() (V, int64, error)) (V, error) {
	for {
		c.mu.Lock()
		if el, ok := c.entries[slot(key)]; ok && el.Value.(*entry[V]).key == key {
			c.order.MoveToFront(el)
			c.hits++
			v := el.Value.(*entry[V]).val
			c.mu.Unlock()
			return v, nil
		}
		if b, ok := c.building[key]; ok {
			c.mu.Unlock()
			select {
			case <-b.done:
			case <-ctx.Done():
				var zero V
				return zero, ctx.Err()
			}
			// The builder's own request may have been canceled: that is no
			// reason to fail this one, which builds the value itself.
			if b.err != nil && (errors.Is(b.err, context.Canceled) || errors.Is(b.err, context.DeadlineExceeded)) && ctx.Err() == nil {
				continue
			}
			return b.val, b.err
		}
		c.misses++
		b := &build[V]{done: make(chan struct{})}
		c.building[key] = b
		c.mu.Unlock()
		return c.run(key, b, fn)
	}
}

// run builds a value, keeps it when it fits, and wakes the waiters, even
// when fn panics.
func (c *Cache[V]) run(key Key, b *build[V], fn func() (V, int64, error)) (V, error) {
	var size int64
	defer func() {
		if p := recover(); p != nil {
			b.err = fmt.Errorf("build cached value: panic: %v", p)
			c.finish(key, b, 0)
			panic(p)
		}
		c.finish(key, b, size)
	}()
	b.val, size, b.err = fn()
	return b.val, b.err
}

func (c *Cache[V]) finish(key Key, b *build[V], size int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.building, key)
	close(b.done)
	if b.err != nil {
		return
	}
	if size > c.maxBytes {
		if c.drop != nil {
			c.drop(b.val)
		}
		return
	}
	if size < 1 {
		size = 1
	}
	// The value of another revision, if any, gives way: the last built
	// is kept (a request that read an earlier revision just before a
	// change may finish last, and the next request builds again).
	if el, ok := c.entries[slot(key)]; ok {
		c.remove(el)
	}
	c.entries[slot(key)] = c.order.PushFront(&entry[V]{key: key, val: b.val, size: size})
	c.bytes += size
	for c.bytes > c.maxBytes {
		c.remove(c.order.Back())
	}
}

// slot is key without its revision: where its value is kept.
func slot(key Key) Key {
	key.Revision = 0
	return key
}

func (c *Cache[V]) remove(el *list.Element) {
	e := c.order.Remove(el).(*entry[V])
	delete(c.entries, slot(e.key))
	c.bytes -= e.size
	if c.drop != nil {
		c.drop(e.val)
	}
}

// Stats are a cache's counters.
type Stats struct {
	// Entries and Bytes are what the cache holds now.
	Entries int
	Bytes   int64
	// Hits and Misses count the Gets served from the cache and those that built.
	Hits, Misses int64
}

// Stats returns the cache's counters.
func (c *Cache[V]) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Stats{Entries: len(c.entries), Bytes: c.bytes, Hits: c.hits, Misses: c.misses}
}
