package store

import "context"

// gate lets at most cap(g) callers at a time use a connection pool, and
// lets the waiting ones in in the order they came.
//
// database/sql hands a freed connection to a random waiter, so under load
// some requests wait for many turns while others wait for none: with 64
// clients on SQLite's single writer, the 99th percentile of a save was
// several times its median. A full buffered channel queues its senders
// first in, first out, so a request waits for the ones before it and no
// more. The gate's size is the pool's, so database/sql always has a free
// connection for whoever passes it.
type gate chan struct{}

func newGate(n int) gate { return make(gate, n) }

// enter waits for a turn, or returns ctx's error if ctx ends first.
func (g gate) enter(ctx context.Context) error {
	select {
	case g <- struct{}{}:
		return nil
	default:
	}
	select {
	case g <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// leave ends a turn.
func (g gate) leave() { <-g }

// hold waits for a turn like enter and returns the function that ends it.
func (g gate) hold(ctx context.Context) (func(), error) {
	if err := g.enter(ctx); err != nil {
		return nil, err
	}
	return g.leave, nil
}
