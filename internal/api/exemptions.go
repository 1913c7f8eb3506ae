package api

import (
	"net/http"
	"strings"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
)

func (a *API) listExemptions(c *call) error {
	es, err := a.o.Store.ListExemptions(c.ctx(), c.org.ID, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, list(es))
}

func (a *API) requestExemption(c *call) error {
	var in ExemptionRequest
	if err := c.decode(&in); err != nil {
		return err
	}
	id := c.r.PathValue("id")
	as, err := a.o.Store.GetAssessment(c.ctx(), c.org.ID, id)
	if err != nil {
		return err
	}
	m, err := a.o.Store.LoadModel(c.ctx(), c.org.ID, as.ModelRef)
	if err != nil {
		return err
	}
	if _, ok := m.Objective(in.Objective); !ok {
		return csmm.Errorf(csmm.EINVALID, "objective %q is not an objective of model %s", in.Objective, m.Ref())
	}
	if in.Until.IsZero() {
		return csmm.Errorf(csmm.EINVALID, "until is required: the last date (YYYY-MM-DD) the exemption applies")
	}
	if assess.DateOf(a.o.Now()).After(in.Until) {
		return csmm.Errorf(csmm.EINVALID, "until %s is in the past", in.Until)
	}
	e, err := a.o.Store.RequestExemption(c.ctx(), c.org.ID, c.actor, id, in.Objective, in.Reason, c.who.User.Name, in.Until)
	if err != nil {
		return err
	}
	return c.reply(http.StatusCreated, e)
}

func (a *API) decideExemption(c *call) error {
	var in ExemptionDecision
	if err := c.decode(&in); err != nil {
		return err
	}
	if in.Approve == nil {
		return csmm.Errorf(csmm.EINVALID, "approve is required: true to approve, false to refuse")
	}
	id, exID := c.r.PathValue("id"), c.r.PathValue("exemption")
	es, err := a.o.Store.ListExemptions(c.ctx(), c.org.ID, id)
	if err != nil {
		return err
	}
	found := false
	for _, e := range es {
		found = found || e.ID == exID
	}
	if !found {
		return csmm.Errorf(csmm.ENOTFOUND, "exemption %q not found", exID)
	}
	approver := strings.TrimSpace(in.Approver)
	if approver == "" {
		approver = c.who.User.Name
	}
	e, err := a.o.Store.DecideExemptionComment(c.ctx(), c.org.ID, c.actor, exID, *in.Approve, approver, in.Comment)
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, e)
}
