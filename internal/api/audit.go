package api

import (
	"net/http"
	"strconv"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/store"
)

func (a *API) listAudit(c *call) error {
	q := c.r.URL.Query()
	f := store.AuditFilter{
		Action: q.Get("action"), TargetType: q.Get("target_type"), TargetID: q.Get("target_id"),
		ActorID: q.Get("actor"), Cursor: q.Get("cursor"),
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
