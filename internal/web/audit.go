package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/store"
)

// auditPageSize is how many entries one page of the audit log shows.
const auditPageSize = 50

// auditData is one page of the organization's audit log, newest first.
type auditData struct {
	base
	Entries []auditRow
	// Next is the link to older entries, "" on the last page; Newest goes
	// back to the first page, "" on it.
	Next   string
	Newest string
}

// auditRow is one audit entry as shown: who, what, on what, when, from
// where, and the changed thing before and after as indented JSON.
type auditRow struct {
	At     time.Time
	Who    string
	Action string
	Target string
	From   string
	Before string
	After  string
}

// audit shows the audit log to admins and owners, a page at a time.
func (h *Handler) audit(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermReadAudit); err != nil {
		return err
	}
	ctx := r.Context()
	cursor := r.URL.Query().Get("cursor")
	page, err := h.store.ListAudit(ctx, c.Org.ID, store.AuditFilter{Cursor: cursor, Limit: auditPageSize})
	if err != nil {
		return err
	}
	d := auditData{base: settingsBase(c, "audit", "Audit log")}
	root := settingsPath(c) + "/audit"
	if page.NextCursor != "" {
		d.Next = root + "?cursor=" + url.QueryEscape(page.NextCursor)
	}
	if cursor != "" {
		d.Newest = root
	}
	names, err := h.auditNames(ctx, c, page.Entries)
	if err != nil {
		return err
	}
	for _, e := range page.Entries {
		row := auditRow{At: e.At, Action: e.Action, From: e.RemoteAddr, Before: indentJSON(e.Before), After: indentJSON(e.After)}
		row.Who = names.user(e.ActorUserID)
		if e.ActorTokenID != "" {
			row.Who += " with " + names.token(e.ActorTokenID)
		}
		switch e.TargetType {
		case "user":
			row.Target = "user " + names.user(e.TargetID)
		case "api_token":
			row.Target = names.token(e.TargetID)
		default:
			row.Target = e.TargetType + " " + e.TargetID
		}
		d.Entries = append(d.Entries, row)
	}
	return h.render(w, http.StatusOK, h.pages.audit, d)
}

// auditNamer turns the user and token IDs of audit entries into names.
type auditNamer struct {
	users  map[string]string
	tokens map[string]string
}

// auditNames reads the names of the members, of the users the entries
// name who are no longer members, and of the organization's tokens.
func (h *Handler) auditNames(ctx context.Context, c *caller, entries []store.AuditEntry) (*auditNamer, error) {
	n := &auditNamer{users: map[string]string{}, tokens: map[string]string{}}
	ms, err := h.store.ListMembers(ctx, c.Org.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		n.users[m.User.ID] = userLabel(&m.User)
	}
	for _, e := range entries {
		for _, id := range []string{e.ActorUserID, userTarget(e)} {
			if _, ok := n.users[id]; ok || id == "" {
				continue
			}
			u, err := h.store.GetUser(ctx, id)
			switch {
			case err == nil:
				n.users[id] = userLabel(u)
			case csmm.ErrorCode(err) == csmm.ENOTFOUND:
				n.users[id] = "a deleted user (" + id + ")"
			default:
				return nil, err
			}
		}
	}
	toks, err := h.store.ListAPITokens(ctx, c.Org.ID)
	if err != nil {
		return nil, err
	}
	for _, t := range toks {
		n.tokens[t.ID] = "API token “" + t.Name + "” (" + t.Prefix + ")"
	}
	return n, nil
}

// userTarget is the user an entry is about, or "".
func userTarget(e store.AuditEntry) string {
	if e.TargetType == "user" {
		return e.TargetID
	}
	return ""
}

func userLabel(u *store.User) string {
	if u.Name == "" || u.Name == u.Email {
		return u.Email
	}
	return u.Name + " <" + u.Email + ">"
}

func (n *auditNamer) user(id string) string {
	if id == "" {
		return "the system"
	}
	return n.users[id]
}

func (n *auditNamer) token(id string) string {
	if s, ok := n.tokens[id]; ok {
		return s
	}
	return "API token " + id
}

// indentJSON formats a stored JSON value for reading, "" when absent.
func indentJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return string(raw)
	}
	return buf.String()
}
