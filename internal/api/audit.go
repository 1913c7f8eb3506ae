package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/store"
)

func (a *API) listAudit(c *call) error {
	q := c.r.URL.Query()
	f := store.AuditFilter{
		Action: q.Get("action"), TargetType: q.Get("target_type"), TargetID: q.Get("target_id"),
		ActorID: q.Get("actor"), Cursor: q.Get("cursor"),
	}
	var err error
	if f.Since, f.Before, err = AuditDays(q.Get("from"), q.Get("to")); err != nil {
		return err
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return csmm.Errorf(csmm.EINVALID, "limit %q: expected a whole number from 1 to 500", v)
		}
		f.Limit = n
	}
	page, err := a.o.Store.ListAudit(c.ctx(), c.org.ID, f)
	if err != nil {
		return err
	}
	if page.Entries == nil {
		page.Entries = []store.AuditEntry{}
	}
	return c.reply(http.StatusOK, AuditPage{Items: page.Entries, NextCursor: page.NextCursor})
}

// AuditDays turns the from and to days of an audit filter (YYYY-MM-DD,
// either may be empty) into the start of from and the end of to, in UTC:
// the bounds store.AuditFilter takes as Since and Before.
func AuditDays(from, to string) (since, before time.Time, err error) {
	if from != "" {
		if since, err = time.Parse(time.DateOnly, from); err != nil {
			return since, before, csmm.Errorf(csmm.EINVALID, "from %q: expected a date written YYYY-MM-DD", from)
		}
	}
	if to != "" {
		t, err := time.Parse(time.DateOnly, to)
		if err != nil {
			return since, before, csmm.Errorf(csmm.EINVALID, "to %q: expected a date written YYYY-MM-DD", to)
		}
		before = t.AddDate(0, 0, 1)
	}
	if !since.IsZero() && !before.IsZero() && !since.Before(before) {
		return since, before, csmm.Errorf(csmm.EINVALID, "from %s is after to %s: expected from on or before to", from, to)
	}
	return since, before, nil
}
