package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/csmm/csmm/internal/csmm"
)

// Access is what one credential, a browser session or an API token, may
// reach: its user and, for the organization a request names, that
// organization and the user's role in it. It is read with one query per
// request, so authenticating and authorizing an API call costs one round
// trip.
type Access struct {
	User *User
	// Session is set for a session credential.
	Session *Session
	// Token is set for an API token credential.
	Token *APIToken
	// Org is the organization named by the request when the user is a
	// member of it (and, for a token, it is the token's organization); nil
	// otherwise, whether or not it exists.
	Org *Organization
	// Role is the user's membership role in Org; "" when Org is nil. For a
	// token, the caller still caps it at the token's role.
	Role csmm.Role
	// Revision is the revision of the assessment the access was asked
	// with (see TokenAccess), read by the same query: -1 when none was
	// asked for or it is not an assessment of Org.
	Revision int64
}

// orgOfRef resolves the organization reference of the access queries, an
// ID or else a slug (IDs win, as with GetOrganization then
// GetOrganizationBySlug). An empty reference resolves to NULL.
const orgOfRef = "COALESCE((SELECT id FROM organizations WHERE id = ?), (SELECT id FROM organizations WHERE slug = ?))"

// accessOrgColumns are the organization and membership columns of the access
// queries, and the revision of the assessment asked for (accessAssessment),
// all NULL when the user is not a member of the organization named.
const accessOrgColumns = "o.id, o.name, o.slug, o.created_at, m.role, asmt.revision"

// accessAssessment joins the assessment an access query is asked with, when
// it is one of the organization's: its parameter is the assessment's ID.
const accessAssessment = "LEFT JOIN assessments asmt ON asmt.id = ? AND asmt.org_id = o.id"

// SessionAccess returns the session with a token hash, its user and, when
// orgRef (an organization ID or slug, or "") names an organization the user
// belongs to, that organization and the user's role, and the revision of
// the organization's assessment assessmentID (if not ""), in one query. It
// returns not_found for an unknown session. Like GetSessionByTokenHash it
// does not check expiry or the user's state: the caller does.
func (s *Store) SessionAccess(ctx context.Context, tokenHash, orgRef, assessmentID string) (_ *Access, err error) {
	defer wrap(&err, "session access")
	var a *Access
	err = s.readQuick(ctx, func(tx *tx) error {
		row := tx.queryRow(ctx, `SELECT s.id, s.user_id, s.token_hash, s.created_at, s.last_seen_at, s.expires_at, s.user_agent, s.ip,
			u.id, u.email, u.name, u.password_hash, u.created_at, u.password_changed_at, u.disabled, `+accessOrgColumns+`
			FROM sessions s
			JOIN users u ON u.id = s.user_id
			LEFT JOIN memberships m ON m.user_id = s.user_id AND m.org_id = `+orgOfRef+`
			LEFT JOIN organizations o ON o.id = m.org_id
			`+accessAssessment+`
			WHERE s.token_hash = ?`, orgRef, orgRef, assessmentID, tokenHash)
		var sess Session
		var u User
		var org orgCols
		err := row.Scan(&sess.ID, &sess.UserID, &sess.TokenHash, timeCol{&sess.Created}, timeCol{&sess.LastSeen}, timeCol{&sess.Expires}, &sess.UserAgent, &sess.IP,
			&u.ID, &u.Email, &u.Name, &u.PasswordHash, timeCol{&u.Created}, timeCol{&u.PasswordChangedAt}, &u.Disabled,
			&org.id, &org.name, &org.slug, timeCol{&org.created}, &org.role, &org.revision)
		if errNoRows(err) {
			return csmm.Errorf(csmm.ENOTFOUND, "session not found")
		} else if err != nil {
			return err
		}
		a = &Access{User: &u, Session: &sess}
		org.set(a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// TokenAccess returns the API token with a hash, its user and, when orgRef
// (an organization ID or slug, or "") names the token's organization, that
// organization, the user's current role in it and the revision of its
// assessment assessmentID (if not ""), in one query. It returns
// not_found for an unknown, revoked or expired token. Another organization
// than the token's is never returned, even when the user belongs to it.
func (s *Store) TokenAccess(ctx context.Context, tokenHash, orgRef, assessmentID string) (_ *Access, err error) {
	defer wrap(&err, "api token access")
	var a *Access
	err = s.readQuick(ctx, func(tx *tx) error {
		// The token's hash is the one asked for, and its user's ID the
		// token's user_id (the WHERE and JOIN compare them exactly): neither
		// is read twice.
		row := tx.queryRow(ctx, `SELECT t.id, t.org_id, t.user_id, t.name, t.role, t.prefix, t.created_at, t.last_used_at, t.expires_at, t.revoked_at,
			u.email, u.name, u.password_hash, u.created_at, u.password_changed_at, u.disabled, `+accessOrgColumns+`
			FROM api_tokens t
			JOIN users u ON u.id = t.user_id
			LEFT JOIN memberships m ON m.user_id = t.user_id AND m.org_id = t.org_id AND m.org_id = `+orgOfRef+`
			LEFT JOIN organizations o ON o.id = m.org_id
			`+accessAssessment+`
			WHERE t.token_hash = ?`, orgRef, orgRef, assessmentID, tokenHash)
		var t APIToken
		var u User
		var org orgCols
		err := row.Scan(&t.ID, &t.OrgID, &t.UserID, &t.Name, &t.Role, &t.Prefix,
			timeCol{&t.Created}, timeCol{&t.LastUsed}, timeCol{&t.Expires}, timeCol{&t.Revoked},
			&u.Email, &u.Name, &u.PasswordHash, timeCol{&u.Created}, timeCol{&u.PasswordChangedAt}, &u.Disabled,
			&org.id, &org.name, &org.slug, timeCol{&org.created}, &org.role, &org.revision)
		t.TokenHash, u.ID = tokenHash, t.UserID
		if errNoRows(err) || err == nil && (!t.Revoked.IsZero() || !t.Expires.IsZero() && !tx.now.Before(t.Expires)) {
			return csmm.Errorf(csmm.ENOTFOUND, "API token not found")
		} else if err != nil {
			return err
		}
		a = &Access{User: &u, Token: &t}
		org.set(a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// orgCols scans the nullable organization and membership columns of an
// access query.
type orgCols struct {
	id, name, slug, role sql.NullString
	created              time.Time
	revision             sql.NullInt64
}

// set fills the access's organization and role when the user is a member.
func (o *orgCols) set(a *Access) {
	a.Revision = -1
	if !o.id.Valid || !o.role.Valid {
		return
	}
	if o.revision.Valid {
		a.Revision = o.revision.Int64
	}
	a.Org = &Organization{ID: o.id.String, Name: o.name.String, Slug: o.slug.String, Created: o.created}
	a.Role = csmm.Role(o.role.String)
}
