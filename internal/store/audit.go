package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/csmm"
)

// Actor is who makes a change: a signed-in user, or an API token (with the
// user it belongs to), and the address the request came from. It is written
// to the audit log with every change.
type Actor struct {
	UserID     string
	TokenID    string
	RemoteAddr string
}

// AuditEntry is one change recorded in the audit log. Before and After are the
// JSON of the changed thing (nil for a creation or a deletion respectively).
type AuditEntry struct {
	ID           string          `json:"id"`
	OrgID        string          `json:"org_id,omitempty"`
	ActorUserID  string          `json:"actor_user_id,omitempty"`
	ActorTokenID string          `json:"actor_token_id,omitempty"`
	Action       string          `json:"action"`
	TargetType   string          `json:"target_type"`
	TargetID     string          `json:"target_id"`
	Before       json.RawMessage `json:"before,omitempty"`
	After        json.RawMessage `json:"after,omitempty"`
	At           time.Time       `json:"at"`
	RemoteAddr   string          `json:"remote_addr,omitempty"`
}

// auditRecord is what a change records: the action, its target, and the
// target's state before and after (nil when absent).
type auditRecord struct {
	action     string
	targetType string
	targetID   string
	before     any
	after      any
}

// audit writes one entry to the audit log in the transaction of the change.
func audit(ctx context.Context, tx *tx, orgID string, actor Actor, r auditRecord) error {
	before, err := auditJSON(r.before)
	if err != nil {
		return err
	}
	after, err := auditJSON(r.after)
	if err != nil {
		return err
	}
	var org any
	if orgID != "" {
		org = orgID
	}
	_, err = tx.exec(ctx, `INSERT INTO audit_log
		(id, org_id, actor_user_id, actor_token_id, action, target_type, target_id, before_json, after_json, at, remote_addr)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		NewID(), org, actor.UserID, actor.TokenID, r.action, r.targetType, r.targetID, before, after, tx.now.UnixMicro(), actor.RemoteAddr)
	if err != nil {
		return fmt.Errorf("write audit entry %s: %w", r.action, err)
	}
	return nil
}

func auditJSON(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode audit value: %w", err)
	}
	if string(b) == "null" {
		return nil, nil
	}
	return string(b), nil
}

// RecordAudit writes an audit entry for an event that changes nothing in the
// store, such as a sign-in or an export. orgID may be "" for an event outside
// any organization. It returns invalid for an unknown organization.
func (s *Store) RecordAudit(ctx context.Context, orgID string, actor Actor, action, targetType, targetID string, before, after any) error {
	return s.write(ctx, func(tx *tx) error {
		return audit(ctx, tx, orgID, actor, auditRecord{action, targetType, targetID, before, after})
	})
}

// AuditFilter selects and pages audit entries. Entries come newest first;
// Cursor is the NextCursor of the previous page, "" for the first.
type AuditFilter struct {
	Action     string
	TargetType string
	TargetID   string
	ActorID    string // a user or token ID
	Since      time.Time
	// Before, when set, keeps only the entries made before it.
	Before time.Time
	Cursor string
	// Limit is the page size: 50 when 0, at most 500.
	Limit int
}

// AuditPage is one page of audit entries and the cursor of the next page ("" at the end).
type AuditPage struct {
	Entries    []AuditEntry
	NextCursor string
}

// ListAudit returns the organization's audit entries that match the filter,
// newest first. It returns invalid for a malformed cursor.
func (s *Store) ListAudit(ctx context.Context, orgID string, f AuditFilter) (_ AuditPage, err error) {
	defer wrap(&err, "list audit(%s)", orgID)
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = 50
	case limit > 500:
		limit = 500
	}
	q := `SELECT id, org_id, actor_user_id, actor_token_id, action, target_type, target_id, before_json, after_json, at, remote_addr
		FROM audit_log WHERE org_id = ?`
	args := []any{orgID}
	for _, c := range []struct{ col, v string }{{"action", f.Action}, {"target_type", f.TargetType}, {"target_id", f.TargetID}} {
		if c.v != "" {
			q += " AND " + c.col + " = ?"
			args = append(args, c.v)
		}
	}
	if f.ActorID != "" {
		q += " AND (actor_user_id = ? OR actor_token_id = ?)"
		args = append(args, f.ActorID, f.ActorID)
	}
	if !f.Since.IsZero() {
		q += " AND at >= ?"
		args = append(args, f.Since.UnixMicro())
	}
	if !f.Before.IsZero() {
		q += " AND at < ?"
		args = append(args, f.Before.UnixMicro())
	}
	if f.Cursor != "" {
		at, id, ok := strings.Cut(f.Cursor, ".")
		n, err := strconv.ParseInt(at, 10, 64)
		if !ok || err != nil || id == "" {
			return AuditPage{}, csmm.Errorf(csmm.EINVALID, "the audit cursor %q is malformed", f.Cursor)
		}
		q += " AND (at < ? OR (at = ? AND id < ?))"
		args = append(args, n, n, id)
	}
	q += " ORDER BY at DESC, id DESC LIMIT ?"
	args = append(args, limit+1)
	var page AuditPage
	err = s.read(ctx, func(tx *tx) error {
		rows, err := tx.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e AuditEntry
			var org, before, after *string
			if err := rows.Scan(&e.ID, &org, &e.ActorUserID, &e.ActorTokenID, &e.Action, &e.TargetType, &e.TargetID,
				&before, &after, timeCol{&e.At}, &e.RemoteAddr); err != nil {
				return err
			}
			if org != nil {
				e.OrgID = *org
			}
			if before != nil {
				e.Before = json.RawMessage(*before)
			}
			if after != nil {
				e.After = json.RawMessage(*after)
			}
			page.Entries = append(page.Entries, e)
		}
		return rows.Err()
	})
	if err != nil {
		return AuditPage{}, err
	}
	if len(page.Entries) > limit {
		page.Entries = page.Entries[:limit]
		last := page.Entries[limit-1]
		page.NextCursor = strconv.FormatInt(last.At.UnixMicro(), 10) + "." + last.ID
	}
	return page, nil
}
