package store

import (
	"context"
	"strings"
	"time"
)

// RecordSignInAttempt records a failed sign-in for an account (an email
// address, compared without regard to case) from a network address, for rate
// limiting.
func (s *Store) RecordSignInAttempt(ctx context.Context, account, address string) (err error) {
	defer wrap(&err, "record sign-in attempt")
	return s.write(ctx, func(tx *tx) error {
		_, err := tx.exec(ctx, "INSERT INTO signin_attempts (id, account, address, at) VALUES (?, ?, ?, ?)",
			NewID(), emailKey(account), strings.TrimSpace(address), micros(tx.now))
		return err
	})
}

// SignInAttempts counts the attempts recorded since a time for an account and,
// separately, from an address: the caller limits both.
func (s *Store) SignInAttempts(ctx context.Context, account, address string, since time.Time) (byAccount, byAddress int, err error) {
	defer wrap(&err, "count sign-in attempts")
	err = s.read(ctx, func(tx *tx) error {
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM signin_attempts WHERE account = ? AND at >= ?", emailKey(account), since.UnixMicro()).Scan(&byAccount); err != nil {
			return err
		}
		return tx.queryRow(ctx, "SELECT COUNT(*) FROM signin_attempts WHERE address = ? AND at >= ?", strings.TrimSpace(address), since.UnixMicro()).Scan(&byAddress)
	})
	return byAccount, byAddress, err
}

// AccountFailuresWithin counts the failed attempts recorded for an account in
// the window that ends now, by the store's clock.
func (s *Store) AccountFailuresWithin(ctx context.Context, account string, window time.Duration) (n int, err error) {
	defer wrap(&err, "count sign-in attempts")
	since := s.now().Add(-window)
	err = s.read(ctx, func(tx *tx) error {
		return tx.queryRow(ctx, "SELECT COUNT(*) FROM signin_attempts WHERE account = ? AND at >= ?", emailKey(account), since.UnixMicro()).Scan(&n)
	})
	return n, err
}

// ClearSignInAttempts forgets an account's attempts, after a successful sign-in.
func (s *Store) ClearSignInAttempts(ctx context.Context, account string) (err error) {
	defer wrap(&err, "clear sign-in attempts")
	return s.write(ctx, func(tx *tx) error {
		_, err := tx.exec(ctx, "DELETE FROM signin_attempts WHERE account = ?", emailKey(account))
		return err
	})
}

// PruneSignInAttempts deletes attempts older than a time and returns how many.
func (s *Store) PruneSignInAttempts(ctx context.Context, before time.Time) (n int64, err error) {
	defer wrap(&err, "prune sign-in attempts")
	err = s.write(ctx, func(tx *tx) error {
		res, err := tx.exec(ctx, "DELETE FROM signin_attempts WHERE at < ?", before.UnixMicro())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
