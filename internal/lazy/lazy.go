// Package lazy holds values built on first use. Unlike a variable set by
// sync.OnceValue, a Value declared with a composite literal needs no code
// at package initialization (the compiler lays it out as static data), so
// a package whose only initialized variables are Values has no init work
// at all, and a process that never uses them does not touch their code.
package lazy

import (
	"sync"
	"sync/atomic"
)

// Value is a value of type T built by New on the first call of Get. New
// must not panic; it runs once, under a lock, and Get returns its result
// to every caller.
//
//	var table = lazy.Value[map[string]int]{New: func() map[string]int { return map[string]int{"a": 1} }}
//	n := table.Get()["a"]
type Value[T any] struct {
	New  func() T
	done atomic.Bool
	mu   sync.Mutex
	v    T
}

// Get returns the value, building it on the first call.
func (l *Value[T]) Get() T {
	if l.done.Load() {
		return l.v
	}
	return l.build()
}

func (l *Value[T]) build() T {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done.Load() {
		l.v = l.New()
		l.done.Store(true)
	}
	return l.v
}
