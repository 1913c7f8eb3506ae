package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"time"
)

// maxCachedStmts bounds the statements a store keeps prepared per pool.
// The package's queries are a fixed set, well under it (a batch of saves'
// statements have one text per multiple of eight rows: see valuesCTE); a
// query past the bound simply runs unprepared.
const maxCachedStmts = 256

// stmtCache keeps the store's statements prepared on SQLite, so that the
// SQL text of a hot query is parsed once per connection instead of on every
// call (parsing was a sixth of the server's CPU under load). A statement is
// prepared in the background the first time it is run, since preparing on
// the single writer connection from inside a write transaction would wait
// for that very transaction; until then it runs unprepared. database/sql
// prepares a cached statement again on each connection that first runs it,
// transactions included. PostgreSQL needs none of this: pgx caches prepared
// statements per connection by itself.
type stmtCache struct {
	mu sync.Mutex
	// stmts holds the prepared statements by pool and query; nil while one
	// is being prepared or when it could not be.
	stmts    map[stmtKey]*sql.Stmt
	closed   bool
	prepares sync.WaitGroup
}

type stmtKey struct {
	pool  *sql.DB
	query string
}

func newStmtCache() *stmtCache { return &stmtCache{stmts: map[stmtKey]*sql.Stmt{}} }

// get returns the statement of query prepared on pool, or nil when it is
// not prepared yet (then it starts preparing it) or cannot be.
func (c *stmtCache) get(pool *sql.DB, query string) *sql.Stmt {
	k := stmtKey{pool, query}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[k]; ok || c.closed || len(c.stmts) >= maxCachedStmts || !cacheable(query) {
		return st
	}
	c.stmts[k] = nil
	c.prepares.Add(1)
	go func() {
		defer c.prepares.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		st, err := pool.PrepareContext(ctx, query)
		if err != nil {
			return // it stays nil: the query runs unprepared
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.closed {
			st.Close()
			return
		}
		c.stmts[k] = st
	}()
	return nil
}

// cacheable reports whether a query is a plain statement worth keeping
// prepared (not DDL or a pragma, run once).
func cacheable(query string) bool {
	q := strings.TrimSpace(query)
	for _, kw := range []string{"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"} {
		if len(q) > len(kw) && strings.EqualFold(q[:len(kw)], kw) {
			return true
		}
	}
	return false
}

// close waits for the statements being prepared and closes every
// statement; get returns nil afterwards.
func (c *stmtCache) close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.prepares.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for k, st := range c.stmts {
		if st != nil {
			errs = append(errs, st.Close())
		}
		delete(c.stmts, k)
	}
	return errors.Join(errs...)
}
