package server

import (
	"context"
	"fmt"
	"io"

	"github.com/csmm/csmm/internal/store"
)

// Backup opens the database at dsn and writes a consistent snapshot of it
// to w (store.Backup's JSON lines), for `csmm backup`. It may run while a
// server uses the database.
func Backup(ctx context.Context, dsn string, w io.Writer) error {
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer st.Close()
	return st.Backup(ctx, w)
}

// Restore opens (and migrates) the database at dsn, which must be empty,
// and loads a backup from r into it in one transaction, for `csmm restore`.
// A backup taken from SQLite restores into PostgreSQL and back.
func Restore(ctx context.Context, dsn string, r io.Reader) error {
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer st.Close()
	return st.Restore(ctx, r)
}
