package store

import (
	"container/list"
	"sync"
	"time"
	"unique"
	"unsafe"

	"github.com/csmm/csmm/internal/assess"
)

// liveCacheBytes bounds the assessments' scoring snapshots kept in memory.
// A snapshot is kept as its scoring input, whose answers' map takes about a
// fifth more than the answers it is built from: the bound holds as many
// assessments as 64 MB of answers did (the 1,000 of the API load
// benchmark, about 68 MB), and every scoring of a kept revision shares its
// input instead of building a copy.
const liveCacheBytes = 80 << 20

// liveCache keeps the scoring snapshot (assessment and scoring input) of
// recently scored assessments, each at the revision it was read or derived
// at, so that scoring an assessment again after an answer saved through
// this Store reads nothing but the revision, and scoring it again at the
// same revision builds nothing: every scoring of a revision shares its
// input, built once.
//
// An entry is served only for the exact revision asked for: every change
// to an assessment raises its revision in the change's transaction (see
// Assessment.Revision), so a change made elsewhere (another process, or a
// write that does not update the cache) only makes the entry useless, never
// wrong. A saved answer updates the entry when the entry is at the revision
// just before the save's, that is when the save is the only change between
// them; otherwise the entry is dropped. Entries are keyed by organization
// and assessment, and what a snapshot scores never changes once cached: an
// update replaces the entry with a new snapshot that shares what did not
// change (the previous input, under the answers saved since), and a
// snapshot only builds its input once, under its lock, from what it holds.
type liveCache struct {
	mu       sync.Mutex
	maxBytes int64
	bytes    int64
	order    *list.List // of *liveEntry, most recently used first
	entries  map[liveKey]*list.Element
}

type liveKey struct{ orgID, id string }

type liveEntry struct {
	key  liveKey
	snap *snapshot
	size int64
}

func (c *liveCache) init() {
	if c.entries == nil {
		c.entries = map[liveKey]*list.Element{}
		c.order = list.New()
		if c.maxBytes == 0 {
			c.maxBytes = liveCacheBytes
		}
	}
}

// get returns the cached snapshot of an assessment at revision rev, or nil.
func (c *liveCache) get(orgID, id string, rev int64) *snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init()
	el, ok := c.entries[liveKey{orgID, id}]
	if !ok {
		return nil
	}
	e := el.Value.(*liveEntry)
	if e.snap.a.Revision != rev {
		return nil
	}
	c.order.MoveToFront(el)
	return e.snap
}

// put keeps a snapshot read from the database, unless the cache already has
// a later revision of the assessment.
func (c *liveCache) put(orgID string, snap *snapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init()
	k := liveKey{orgID, snap.a.ID}
	if el, ok := c.entries[k]; ok {
		if el.Value.(*liveEntry).snap.a.Revision > snap.a.Revision {
			return
		}
		c.remove(el)
	}
	c.add(k, snap)
}

// answersSaved records answers saved in one transaction that raised the
// assessment's revision to rev at time now: the cached snapshot at rev-1,
// if any, becomes the snapshot at rev with those answers in place. Any
// other cached revision is dropped.
func (c *liveCache) answersSaved(orgID, id string, rev int64, now time.Time, saved []Answer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init()
	k := liveKey{orgID, id}
	el, ok := c.entries[k]
	if !ok {
		return
	}
	old := el.Value.(*liveEntry).snap
	if old.a.Revision >= rev {
		return // a later state is already cached
	}
	c.remove(el)
	if old.a.Revision != rev-1 {
		return
	}
	a := *old.a
	a.Revision, a.Updated = rev, now
	// The new snapshot shares the old one's scoring input, or the answers
	// it was read with, and copies only the short list of answers saved
	// since, so that a save copies no answer but those.
	old.mu.Lock()
	base, answers, oldSaved := old.base, old.answers, old.saved
	old.mu.Unlock()
	next := &snapshot{a: &a, custom: old.custom, base: base}
	if base == nil {
		next.answers, next.evidence, next.exemptionsL = answers, old.evidence, old.exemptionsL
	}
	next.saved = make([]Answer, len(oldSaved), len(oldSaved)+len(saved))
	copy(next.saved, oldSaved)
	for _, s := range saved {
		s.AssessmentID = a.ID
		s.Objective, s.Scope, s.AnsweredBy, s.UpdatedBy = intern(s.Objective), intern(s.Scope), intern(s.AnsweredBy), intern(s.UpdatedBy)
		s.Answer = assess.Answer(intern(string(s.Answer)))
		next.saved = upsertAnswer(next.saved, s)
	}
	// A snapshot without a base yet folds its saved answers in when it is
	// first scored (snapshot.scoring); saved holds one answer per
	// objective and scope, so it stays bounded meanwhile.
	if base != nil && mergeSaved(len(base.in.Answers), len(next.saved)) {
		in := base.withSaved(next.saved)
		next.base, next.saved = &scoringBase{in: *in, bytes: inputBytes(in)}, nil
	}
	c.add(k, next)
}

// mergeSaved reports whether a snapshot with this many stored and saved
// answers is to have them merged into a new copy of the stored ones. Each
// save copies the saved answers, and a merge every answer: merging once
// the saved ones pass about the square root of twice the stored ones keeps
// the bytes copied per save near their least.
func mergeSaved(stored, saved int) bool {
	return saved > 8 && saved*saved > 2*stored
}

// upsertAnswer replaces the answer of s's objective and scope in list, or
// appends s. Scoring reads the answers into a map, so their order does not
// matter.
func upsertAnswer(list []Answer, s Answer) []Answer {
	for i := range list {
		if list[i].Objective == s.Objective && list[i].Scope == s.Scope {
			list[i] = s
			return list
		}
	}
	return append(list, s)
}

func (c *liveCache) add(k liveKey, snap *snapshot) {
	size := snap.size()
	if size > c.maxBytes {
		return
	}
	c.entries[k] = c.order.PushFront(&liveEntry{key: k, snap: snap, size: size})
	c.bytes += size
	for c.bytes > c.maxBytes {
		c.remove(c.order.Back())
	}
}

func (c *liveCache) remove(el *list.Element) {
	e := c.order.Remove(el).(*liveEntry)
	delete(c.entries, e.key)
	c.bytes -= e.size
}

// intern returns the canonical copy of s: objective and scope IDs, answer
// words and user IDs repeat across every kept snapshot.
func intern(s string) string {
	if s == "" {
		return ""
	}
	return unique.Make(s).Value()
}

// size estimates the memory of a snapshot: its structs and the text that
// is not interned (objective and scope IDs, words and names are shared by
// every snapshot, so they count once for all, not here). It is called
// before the snapshot is kept, when nothing else reads it.
func (snap *snapshot) size() int64 {
	n := 1024 + (cap(snap.answers)+cap(snap.saved))*int(unsafe.Sizeof(Answer{}))
	for _, list := range [][]Answer{snap.answers, snap.saved} {
		for i := range list {
			a := &list[i]
			n += len(a.Note) + len(a.Justification)
			if a.Measure != nil {
				n += int(unsafe.Sizeof(*a.Measure))
			}
		}
	}
	n += 400*len(snap.evidence) + 400*len(snap.exemptionsL)
	if snap.custom != nil {
		n += len(snap.custom.YAML)
	}
	if snap.base != nil {
		n += int(snap.base.bytes)
	}
	return int64(n)
}
