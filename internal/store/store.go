// Package store keeps everything the csmm server remembers: organizations,
// users, memberships, sessions, API tokens, custom models, assessments with
// their answers, exemptions and evidence, and the audit log. One Store type
// works over database/sql on SQLite (modernc.org/sqlite, the single-binary
// default) and PostgreSQL (pgx), with embedded migrations for each.
//
// Every exported method owns its transaction; unexported helpers take the
// transaction and compose. Every method that reads or writes data owned by an
// organization takes the organization's ID and filters by it, so a handler
// that forgets a check still cannot reach another tenant's rows. Errors are
// *csmm.Error values with the codes each method documents.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is the SQL database behind a Store.
type dialect int

const (
	dialectSQLite dialect = iota
	dialectPostgres
)

func (d dialect) String() string {
	if d == dialectPostgres {
		return "postgres"
	}
	return "sqlite"
}

// Store is the database of the csmm server. It is safe for concurrent use.
type Store struct {
	dialect dialect
	// db takes every write. On SQLite it holds a single connection, so writers
	// queue in Go instead of failing with SQLITE_BUSY.
	db *sql.DB
	// rdb serves the reads. On SQLite it is a separate pool of query-only
	// connections that read the WAL snapshot concurrently with the writer.
	// On PostgreSQL it is a pool of its own too, so that reads never queue
	// for a connection behind write transactions waiting for their commit
	// to reach the disk.
	rdb *sql.DB
	// stmts keeps the hot statements prepared on SQLite; nil on PostgreSQL.
	stmts *stmtCache
	now   func() time.Time
	// models keeps the organizations' custom models once parsed.
	models modelCache
	// bench keeps computed installation benchmarks until the next change.
	bench benchCache
	// snaps keeps decoded snapshots, which never change.
	snaps snapCache
	// live keeps the scoring snapshots of assessments by revision.
	live liveCache
	// wgate and rgate queue the users of db and rdb in order of arrival.
	wgate, rgate gate
	// ckpt checkpoints SQLite's WAL in the background; nil on PostgreSQL.
	ckpt *checkpointer
	// saves commits concurrent answer saves together, on either database.
	saves saveQueue
}

// postgresPoolSize is the number of connections of each PostgreSQL pool
// (reads and writes). More connections than the database has cores only
// add contention: the extra statements queue for CPU inside PostgreSQL
// instead of in the pool.
const postgresPoolSize = 10

// sqliteReaders is the number of SQLite's query-only connections.
const sqliteReaders = 8

// Option changes how Open sets up a Store.
type Option func(*Store)

// WithClock makes the store stamp times with now instead of time.Now.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// Open connects to the database named by dsn and applies any migration not yet
// applied. A postgres:// or postgresql:// URL selects PostgreSQL; anything else
// is an SQLite database file, written as a path, sqlite://path or file:path,
// whose parent directory is created when missing. Open returns an error with
// code invalid for a DSN it cannot use, and internal when the database cannot
// be reached or migrated.
func Open(ctx context.Context, dsn string, opts ...Option) (_ *Store, err error) {
	s := &Store{now: time.Now}
	for _, o := range opts {
		o(s)
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		s.dialect = dialectPostgres
		s.db, err = sql.Open("pgx", dsn)
		if err != nil {
			return nil, csmm.Errorf(csmm.EINVALID, "cannot use the PostgreSQL URL: %v", err)
		}
		// A pool for reads and one for writes, so that reads never wait for
		// connections held by writes waiting for their commit's WAL flush.
		s.rdb, err = sql.Open("pgx", dsn)
		if err != nil {
			s.db.Close()
			return nil, csmm.Errorf(csmm.EINVALID, "cannot use the PostgreSQL URL: %v", err)
		}
		for _, db := range []*sql.DB{s.db, s.rdb} {
			// Every open connection stays open when idle: with fewer idle
			// connections than open ones, database/sql closes a connection
			// whenever load dips and opens a new one when it rises again,
			// and each new connection costs PostgreSQL a new backend
			// process, its catalog caches and every prepared statement.
			db.SetMaxOpenConns(postgresPoolSize)
			db.SetMaxIdleConns(postgresPoolSize)
			db.SetConnMaxIdleTime(5 * time.Minute)
		}
		s.wgate, s.rgate = newGate(postgresPoolSize), newGate(postgresPoolSize)
	} else {
		path, err := sqlitePath(dsn)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("create the database directory: %w", err)
		}
		// The writer turns on WAL (persistent in the file); readers open
		// after it and find WAL already on, so only the writer's first
		// connection ever changes the journal mode.
		//
		// synchronous(NORMAL) in WAL mode: a commit is appended to the WAL
		// without waiting for fsync, and the WAL is synced at each
		// checkpoint. A crash of the process, SIGKILL included, keeps every
		// committed transaction, since the WAL's pages are already in the
		// operating system's cache; only an operating system crash or a
		// power loss can lose the last commits before the next checkpoint,
		// and the database itself is never corrupted. FULL would fsync on
		// every commit and serialise all writers behind the disk's flush
		// (2-8 ms each on a virtual disk).
		const (
			common  = "_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
			pragmas = "_pragma=busy_timeout(10000)&" + common
		)
		// The writer makes no checkpoint itself: the checkpointer does (see
		// checkpointer). Its statement journals (what a statement that
		// changes several rows, as a batch of saves does, keeps to undo
		// itself) stay in memory instead of spilling to a temporary file
		// past 64 KB: temp_store(2).
		s.db, err = sql.Open("sqlite", path+"?"+pragmas+"&_pragma=journal_mode(WAL)&_pragma=wal_autocheckpoint(0)&_pragma=temp_store(2)&_txlock=immediate"+fmt.Sprintf("&_pragma=journal_size_limit(%d)", walSizeLimit))
		if err != nil {
			return nil, fmt.Errorf("open sqlite database %s: %w", path, err)
		}
		s.db.SetMaxOpenConns(1)
		s.db.SetMaxIdleConns(1)
		s.db.SetConnMaxLifetime(0)
		s.db.SetConnMaxIdleTime(0)
		s.rdb, err = sql.Open("sqlite", path+"?"+pragmas+"&_pragma=query_only(1)&_txlock=deferred")
		if err != nil {
			s.db.Close()
			return nil, fmt.Errorf("open sqlite database %s: %w", path, err)
		}
		s.rdb.SetMaxOpenConns(sqliteReaders)
		s.rdb.SetMaxIdleConns(sqliteReaders)
		s.wgate, s.rgate = newGate(1), newGate(sqliteReaders)
		// The checkpointer's busy timeout bounds how long it holds the
		// writer back waiting for readers (see checkpointer).
		ckptPragmas := fmt.Sprintf("_pragma=busy_timeout(%d)&", restartBusyMillis) + common
		if s.ckpt, err = startCheckpointer(path+"?"+ckptPragmas, s.wgate.hold); err != nil {
			s.db.Close()
			s.rdb.Close()
			return nil, fmt.Errorf("open sqlite database %s: %w", path, err)
		}
		s.stmts = newStmtCache()
		s.saves.gather = func() { time.Sleep(sqliteSaveGather) }
	}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if err := s.ping(ctx); err != nil {
		return nil, fmt.Errorf("connect to the %s database: %w", s.dialect, err)
	}
	if err := s.migrate(ctx); err != nil {
		return nil, fmt.Errorf("migrate the %s database: %w", s.dialect, err)
	}
	return s, nil
}

// ping opens the first connection. On SQLite, turning on WAL while another
// process opens the same new file can fail with SQLITE_BUSY without waiting
// for the busy timeout, so that error is retried for up to ten seconds.
func (s *Store) ping(ctx context.Context) error {
	deadline := time.Now().Add(10 * time.Second)
	for delay := 5 * time.Millisecond; ; delay = min(2*delay, 200*time.Millisecond) {
		err := s.db.PingContext(ctx)
		if err == nil || s.dialect != dialectSQLite || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
	}
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	e, ok := errors.AsType[*sqlite.Error](err)
	return ok && e.Code()&0xff == sqlite3.SQLITE_BUSY
}

// sqlitePath returns the file path of an SQLite DSN.
func sqlitePath(dsn string) (string, error) {
	path := dsn
	switch {
	case strings.HasPrefix(path, "sqlite://"):
		path = strings.TrimPrefix(path, "sqlite://")
	case strings.HasPrefix(path, "sqlite:"):
		path = strings.TrimPrefix(path, "sqlite:")
	case strings.HasPrefix(path, "file:"):
		path = strings.TrimPrefix(path, "file:")
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		if p, err := url.PathUnescape(path); err == nil {
			path = p
		}
	}
	switch {
	case path == "":
		return "", csmm.Errorf(csmm.EINVALID, "the database is empty: expected a postgres:// URL or an SQLite file path")
	case path == ":memory:" || strings.Contains(path, "mode=memory"):
		return "", csmm.Errorf(csmm.EINVALID, "an in-memory SQLite database cannot be shared by the store's connections; give a file path")
	case strings.ContainsAny(path, "?#"):
		return "", csmm.Errorf(csmm.EINVALID, "the SQLite path %q contains ? or #; expected a plain file path", path)
	}
	return path, nil
}

// Close closes the database connections.
func (s *Store) Close() error {
	var err error
	if s.stmts != nil {
		err = s.stmts.close()
	}
	if s.ckpt != nil {
		// Before the writer closes: the last connection to close makes
		// the final checkpoint and removes the WAL.
		err = errors.Join(err, s.ckpt.close())
	}
	if s.rdb != nil && s.rdb != s.db {
		err = errors.Join(err, s.rdb.Close())
	}
	if s.db != nil {
		err = errors.Join(s.db.Close(), err)
	}
	return err
}

// Pools returns the store's connection pools by name, for their statistics
// (sql.DB.Stats) in metrics: "primary" takes every write and "read" serves
// the reads. The caller must not close them or change their settings.
func (s *Store) Pools() map[string]*sql.DB {
	pools := map[string]*sql.DB{"primary": s.db}
	if s.rdb != s.db {
		pools["read"] = s.rdb
	}
	return pools
}

// Dialect returns "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect.String() }

// Ready reports whether the database answers and every migration this build
// knows is applied: what /readyz checks. It returns an error with code
// internal otherwise.
func (s *Store) Ready(ctx context.Context) error {
	return s.read(ctx, func(tx *tx) error {
		applied, err := appliedMigrations(ctx, tx)
		if err != nil {
			return err
		}
		ms, err := migrations(s.dialect)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if !applied[m.version] {
				return csmm.Errorf(csmm.EINTERNAL, "migration %s is not applied", m.name)
			}
		}
		return nil
	})
}

// tx is a transaction that speaks one SQL dialect. Queries are written with ?
// placeholders and rewritten for PostgreSQL here, in one place. Within
// readOne it runs its one statement straight on the read pool, outside any
// transaction.
type tx struct {
	querier
	// pool is the pool querier belongs to, for the prepared statements.
	pool    *sql.DB
	stmts   *stmtCache
	dialect dialect
	now     time.Time
	// quick marks statements that take microseconds (see quickCtx).
	quick bool
}

// quickCtx returns the context a statement of t runs with. database/sql (for
// the rows of a query) and the SQLite driver (for each statement) watch a
// context that can end with a goroutine each, started and woken for every
// statement: on the statements of every request (the credential's lookup,
// a batch of saves), that is more scheduling than the statement's own
// work. A quick tx's statements are indexed reads and writes of a few
// rows: they run with the context's values but not its end, once it has
// not ended, and finish in microseconds anyway.
func (t *tx) quickCtx(ctx context.Context) context.Context {
	if t.quick && ctx.Err() == nil {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// querier is what runs statements: a *sql.Tx, or a *sql.DB for readOne and writeAlone.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// rebind rewrites ? placeholders to $1, $2, ... for PostgreSQL. Queries in
// this package never contain a literal question mark.
func (t *tx) rebind(q string) string {
	if t.dialect != dialectPostgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// prepared returns q's statement prepared on t's connection when the store
// keeps one (SQLite), else nil.
func (t *tx) prepared(ctx context.Context, q string) *sql.Stmt {
	if t.stmts == nil {
		return nil
	}
	st := t.stmts.get(t.pool, q)
	if st == nil {
		return nil
	}
	if sqlTx, ok := t.querier.(*sql.Tx); ok {
		return sqlTx.StmtContext(ctx, st)
	}
	return st
}

func (t *tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	ctx = t.quickCtx(ctx)
	if st := t.prepared(ctx, q); st != nil {
		res, err := st.ExecContext(ctx, args...)
		return res, dbError(err)
	}
	res, err := t.ExecContext(ctx, t.rebind(q), args...)
	return res, dbError(err)
}

func (t *tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	ctx = t.quickCtx(ctx)
	if st := t.prepared(ctx, q); st != nil {
		rows, err := st.QueryContext(ctx, args...)
		return rows, dbError(err)
	}
	rows, err := t.QueryContext(ctx, t.rebind(q), args...)
	return rows, dbError(err)
}

func (t *tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	ctx = t.quickCtx(ctx)
	if st := t.prepared(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.QueryRowContext(ctx, t.rebind(q), args...)
}

// write runs fn in a read-write transaction and commits it when fn returns nil.
func (s *Store) write(ctx context.Context, fn func(*tx) error) error {
	if err := s.wgate.enter(ctx); err != nil {
		return err
	}
	defer s.wgate.leave()
	return s.run(ctx, s.db, nil, fn)
}

// read runs fn in a read-only transaction that sees one snapshot.
func (s *Store) read(ctx context.Context, fn func(*tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.dialect == dialectPostgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	if err := s.rgate.enter(ctx); err != nil {
		return err
	}
	defer s.rgate.leave()
	return s.run(ctx, s.rdb, opts, fn)
}

// readOne runs fn, which must run a single SELECT statement, on the read
// pool without a transaction: one statement sees one snapshot by itself, and
// it saves the BEGIN and COMMIT round trips of read. fn must not write
// (SQLite's read connections are query-only anyway).
func (s *Store) readOne(ctx context.Context, fn func(*tx) error) error {
	if err := s.rgate.enter(ctx); err != nil {
		return err
	}
	defer s.rgate.leave()
	return fn(s.newTx(s.rdb, s.rdb))
}

// readQuick is readOne for a statement that reads a few rows by index
// (see tx.quickCtx): what every request runs.
func (s *Store) readQuick(ctx context.Context, fn func(*tx) error) error {
	return s.readOne(ctx, func(t *tx) error {
		t.quick = true
		return fn(t)
	})
}

// writeAlone runs fn on the write pool without a transaction: each
// statement of fn commits by itself. fn must write with a single
// statement, so that a failure leaves nothing written, and may read before
// it.
func (s *Store) writeAlone(ctx context.Context, fn func(*tx) error) error {
	if err := s.wgate.enter(ctx); err != nil {
		return err
	}
	defer s.wgate.leave()
	return fn(s.newTx(s.db, s.db))
}

// newTx is a tx of s running its statements on q, with pool for what
// needs a connection of its own, stamped with the current time.
func (s *Store) newTx(q querier, pool *sql.DB) *tx {
	return &tx{querier: q, pool: pool, stmts: s.stmts, dialect: s.dialect, now: s.now().UTC().Truncate(time.Microsecond)}
}

func (s *Store) run(ctx context.Context, db *sql.DB, opts *sql.TxOptions, fn func(*tx) error) error {
	sqlTx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", dbError(err))
	}
	t := s.newTx(sqlTx, db)
	defer func() {
		// A panic in fn must not leave the transaction open: on SQLite it
		// would hold the only write connection for good.
		if p := recover(); p != nil {
			sqlTx.Rollback()
			panic(p)
		}
	}()
	if err := fn(t); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", dbError(err))
	}
	return nil
}

// dbError turns a constraint violation into a *csmm.Error (conflict for a
// unique key, invalid for a foreign key or check), keeping the driver error
// wrapped for the log. Other errors are returned unchanged.
func dbError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*csmm.Error](err); ok {
		return err
	}
	var code string
	if e, ok := errors.AsType[*sqlite.Error](err); ok {
		switch e.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			code = csmm.ECONFLICT
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY, sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			code = csmm.EINVALID
		}
	}
	if e, ok := errors.AsType[*pgconn.PgError](err); ok {
		switch e.Code {
		case "23505":
			code = csmm.ECONFLICT
		case "23503", "23514", "23502":
			code = csmm.EINVALID
		}
	}
	switch code {
	case csmm.ECONFLICT:
		return fmt.Errorf("%w: %w", csmm.Errorf(code, "it already exists"), err)
	case csmm.EINVALID:
		return fmt.Errorf("%w: %w", csmm.Errorf(code, "it refers to something that does not exist or breaks a rule of the data"), err)
	}
	return err
}

// uniqueConflict replaces the generic message of a unique violation with one
// that names what is taken.
func uniqueConflict(err error, format string, args ...any) error {
	if csmm.ErrorCode(err) == csmm.ECONFLICT {
		if _, ok := errors.AsType[*ConflictError](err); !ok {
			return fmt.Errorf("%w: %w", csmm.Errorf(csmm.ECONFLICT, format, args...), err)
		}
	}
	return err
}

// notFound maps sql.ErrNoRows to a not_found error naming the thing.
func notFound(err error, what string, id string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return csmm.Errorf(csmm.ENOTFOUND, "%s %q not found", what, id)
	}
	return err
}

// NewID returns a random identifier of 26 lowercase letters and digits: 128
// bits that cannot be guessed, so IDs in URLs reveal nothing.
func NewID() string {
	var b [16]byte
	rand.Read(b[:])
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// wrap adds context to *errp, keeping the error chain.
func wrap(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *errp)
	}
}
