package store

import (
	"context"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/textfield"
)

// APIToken is a credential for the JSON API, scoped to one organization and
// one role, made by a member. Only its hash is stored; Prefix is the first
// characters of the token, kept to tell tokens apart in a list.
type APIToken struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	UserID    string    `json:"user_id"`
	Name      string    `json:"name"`
	Role      csmm.Role `json:"role"`
	TokenHash string    `json:"-"`
	Prefix    string    `json:"prefix"`
	Created   time.Time `json:"created"`
	LastUsed  time.Time `json:"last_used,omitzero"`
	Expires   time.Time `json:"expires,omitzero"`
	Revoked   time.Time `json:"revoked,omitzero"`
}

const tokenColumns = "id, org_id, user_id, name, role, token_hash, prefix, created_at, last_used_at, expires_at, revoked_at"

func scanToken(sc interface{ Scan(...any) error }) (*APIToken, error) {
	var t APIToken
	err := sc.Scan(&t.ID, &t.OrgID, &t.UserID, &t.Name, &t.Role, &t.TokenHash, &t.Prefix,
		timeCol{&t.Created}, timeCol{&t.LastUsed}, timeCol{&t.Expires}, timeCol{&t.Revoked})
	return &t, err
}

// CreateAPIToken stores a new token of the organization; ID and Created are
// set here, OrgID is orgID. It returns invalid for an empty name or hash, an
// unknown role, or a user who is not a member, and conflict when the hash is
// already used.
func (s *Store) CreateAPIToken(ctx context.Context, orgID string, actor Actor, t APIToken) (_ *APIToken, err error) {
	defer wrap(&err, "create api token(%s)", orgID)
	if strings.TrimSpace(t.Name) == "" || t.TokenHash == "" {
		return nil, csmm.Errorf(csmm.EINVALID, "an API token needs a name and a token hash")
	}
	if err := textfield.Name("the token name", t.Name); err != nil {
		return nil, err
	}
	if err := validRole(t.Role); err != nil {
		return nil, err
	}
	err = s.write(ctx, func(tx *tx) error {
		t.ID, t.OrgID, t.Created, t.LastUsed, t.Revoked = NewID(), orgID, tx.now, time.Time{}, time.Time{}
		_, err := tx.exec(ctx, "INSERT INTO api_tokens ("+tokenColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			t.ID, orgID, t.UserID, t.Name, string(t.Role), t.TokenHash, t.Prefix, micros(t.Created), nil, micros(t.Expires), nil)
		if err != nil {
			return err
		}
		return audit(ctx, tx, orgID, actor, auditRecord{"api_token.create", "api_token", t.ID, nil, t})
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// GetAPITokenByHash returns the token with a hash, for authenticating a request;
// the token names its organization. A revoked or expired token is not_found.
func (s *Store) GetAPITokenByHash(ctx context.Context, tokenHash string) (_ *APIToken, err error) {
	defer wrap(&err, "api token by hash")
	var t *APIToken
	err = s.readOne(ctx, func(tx *tx) error {
		t, err = scanToken(tx.queryRow(ctx, "SELECT "+tokenColumns+" FROM api_tokens WHERE token_hash = ?", tokenHash))
		if errNoRows(err) || err == nil && (!t.Revoked.IsZero() || !t.Expires.IsZero() && !tx.now.Before(t.Expires)) {
			return csmm.Errorf(csmm.ENOTFOUND, "API token not found")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// ListAPITokens returns the organization's tokens, revoked ones included,
// newest first.
func (s *Store) ListAPITokens(ctx context.Context, orgID string) (_ []APIToken, err error) {
	defer wrap(&err, "list api tokens(%s)", orgID)
	var out []APIToken
	err = s.read(ctx, func(tx *tx) error {
		rows, err := tx.query(ctx, "SELECT "+tokenColumns+" FROM api_tokens WHERE org_id = ? ORDER BY created_at DESC, id", orgID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanToken(rows)
			if err != nil {
				return err
			}
			out = append(out, *t)
		}
		return rows.Err()
	})
	return out, err
}

// RevokeAPIToken revokes a token of the organization. It returns not_found for
// a token of another organization or one already revoked.
func (s *Store) RevokeAPIToken(ctx context.Context, orgID string, actor Actor, id string) (err error) {
	defer wrap(&err, "revoke api token(%s, %s)", orgID, id)
	return s.write(ctx, func(tx *tx) error {
		before, err := scanToken(tx.queryRow(ctx, "SELECT "+tokenColumns+" FROM api_tokens WHERE org_id = ? AND id = ? AND revoked_at IS NULL", orgID, id))
		if err != nil {
			return notFound(err, "API token", id)
		}
		if _, err := tx.exec(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE org_id = ? AND id = ?", micros(tx.now), orgID, id); err != nil {
			return err
		}
		after := *before
		after.Revoked = tx.now
		return audit(ctx, tx, orgID, actor, auditRecord{"api_token.revoke", "api_token", id, before, after})
	})
}

// TouchAPIToken records that a token was used at the time at (a zero at
// means now). It never moves the last use back, so touches that land out of
// order keep the latest. It returns not_found for an unknown token.
func (s *Store) TouchAPIToken(ctx context.Context, id string, at time.Time) (err error) {
	defer wrap(&err, "touch api token")
	return s.write(ctx, func(tx *tx) error {
		t := touchTime(tx, at)
		res, err := tx.exec(ctx, "UPDATE api_tokens SET last_used_at = CASE WHEN last_used_at IS NULL OR last_used_at < ? THEN ? ELSE last_used_at END WHERE id = ?", t, t, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return csmm.Errorf(csmm.ENOTFOUND, "API token not found")
		}
		return nil
	})
}
