package store

import (
	"context"
	"time"

	"github.com/csmm/csmm/internal/csmm"
)

// Session is a signed-in browser. Only the hash of the session token is
// stored, so a copy of the database does not let anyone sign in.
type Session struct {
	ID        string
	UserID    string
	TokenHash string
	Created   time.Time
	LastSeen  time.Time
	// Expires is the absolute expiry; the caller also enforces an idle
	// timeout from LastSeen.
	Expires   time.Time
	UserAgent string
	IP        string
}

// CreateSession stores a new session; ID, Created and LastSeen are set here.
// It returns invalid for an unknown user or an empty token hash, and conflict
// when the token hash is already used.
func (s *Store) CreateSession(ctx context.Context, sess Session) (_ *Session, err error) {
	defer wrap(&err, "create session(%s)", sess.UserID)
	if sess.TokenHash == "" || sess.Expires.IsZero() {
		return nil, csmm.Errorf(csmm.EINVALID, "a session needs a token hash and an expiry")
	}
	err = s.write(ctx, func(tx *tx) error {
		sess.ID, sess.Created, sess.LastSeen = NewID(), tx.now, tx.now
		_, err := tx.exec(ctx, `INSERT INTO sessions (id, user_id, token_hash, created_at, last_seen_at, expires_at, user_agent, ip)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			sess.ID, sess.UserID, sess.TokenHash, micros(sess.Created), micros(sess.LastSeen), micros(sess.Expires), sess.UserAgent, sess.IP)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &sess, nil
}

// GetSessionByTokenHash returns the session with a token hash, or not_found. It
// does not check expiry: the caller compares Expires and LastSeen with its clock.
func (s *Store) GetSessionByTokenHash(ctx context.Context, tokenHash string) (_ *Session, err error) {
	defer wrap(&err, "session by token hash")
	var sess Session
	err = s.readOne(ctx, func(tx *tx) error {
		err := tx.queryRow(ctx, `SELECT id, user_id, token_hash, created_at, last_seen_at, expires_at, user_agent, ip
			FROM sessions WHERE token_hash = ?`, tokenHash).
			Scan(&sess.ID, &sess.UserID, &sess.TokenHash, timeCol{&sess.Created}, timeCol{&sess.LastSeen}, timeCol{&sess.Expires}, &sess.UserAgent, &sess.IP)
		if errNoRows(err) {
			return csmm.Errorf(csmm.ENOTFOUND, "session not found")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &sess, nil
}

// TouchSession records that a session was used at the time at (a zero at
// means now). It never moves the last use back, so touches that land out of
// order keep the latest. It returns not_found when the session no longer
// exists.
func (s *Store) TouchSession(ctx context.Context, id string, at time.Time) (err error) {
	defer wrap(&err, "touch session")
	return s.write(ctx, func(tx *tx) error {
		t := touchTime(tx, at)
		res, err := tx.exec(ctx, "UPDATE sessions SET last_seen_at = CASE WHEN last_seen_at < ? THEN ? ELSE last_seen_at END WHERE id = ?", t, t, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return csmm.Errorf(csmm.ENOTFOUND, "session not found")
		}
		return nil
	})
}

// touchTime is the stored form of a touch at at, or of the transaction's
// time when at is zero.
func touchTime(tx *tx, at time.Time) int64 {
	if at.IsZero() {
		return tx.now.UnixMicro()
	}
	return at.UTC().Truncate(time.Microsecond).UnixMicro()
}

// DeleteSession signs a session out. Deleting a session that does not exist
// is not an error, so signing out twice is harmless.
func (s *Store) DeleteSession(ctx context.Context, id string) (err error) {
	defer wrap(&err, "delete session")
	return s.write(ctx, func(tx *tx) error {
		_, err := tx.exec(ctx, "DELETE FROM sessions WHERE id = ?", id)
		return err
	})
}

// DeleteUserSessions signs a user out everywhere and returns how many
// sessions were deleted.
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) (n int64, err error) {
	defer wrap(&err, "delete user sessions(%s)", userID)
	err = s.write(ctx, func(tx *tx) error {
		res, err := tx.exec(ctx, "DELETE FROM sessions WHERE user_id = ?", userID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// DeleteExpiredSessions deletes sessions whose absolute expiry is before
// now, or that were last seen before idleBefore (when not zero), and returns
// how many were deleted.
func (s *Store) DeleteExpiredSessions(ctx context.Context, idleBefore time.Time) (n int64, err error) {
	defer wrap(&err, "delete expired sessions")
	err = s.write(ctx, func(tx *tx) error {
		idle := int64(-1 << 62)
		if !idleBefore.IsZero() {
			idle = idleBefore.UnixMicro()
		}
		res, err := tx.exec(ctx, "DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ?", tx.now.UnixMicro(), idle)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
