package api

import (
	"errors"
	"net/http"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/store"
)

func (a *API) listAnswers(c *call) error {
	as, err := a.o.Store.ListAnswers(c.ctx(), c.org.ID, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, list(as))
}

// putAnswer saves an answer with optimistic concurrency: a stale version
// gets 409 with the stored answer in error.current.
func (a *API) putAnswer(c *call) error {
	var in AnswerPut
	if err := c.decode(&in); err != nil {
		return err
	}
	if in.Version == nil {
		return csmm.Errorf(csmm.EINVALID, "version is required: the version of the answer you last saw, 0 when there was none")
	}
	id, obj, scope := c.r.PathValue("id"), c.r.PathValue("objective"), c.r.PathValue("scope")
	ref, err := a.o.Store.AssessmentModelRef(c.ctx(), c.org.ID, id)
	if err != nil {
		return err
	}
	m, err := a.o.Store.LoadModel(c.ctx(), c.org.ID, ref)
	if err != nil {
		return err
	}
	if _, ok := m.Objective(obj); !ok {
		return csmm.Errorf(csmm.EINVALID, "%q is not an objective of model %s", obj, m.Ref())
	}
	if in.Date.IsZero() {
		in.Date = assess.DateOf(a.o.Now())
	}
	by := in.By
	if by == "" {
		by = c.who.User.Name
	}
	ans, err := a.o.Store.PutAnswer(c.ctx(), c.org.ID, c.actor, store.AnswerInput{
		AssessmentID: id, Objective: obj, Scope: scope, Answer: in.Answer, Note: in.Note,
		Justification: in.Justification, AnsweredBy: by, AnsweredAt: in.Date, ExpectedVersion: *in.Version,
	})
	if ce, ok := errors.AsType[*store.ConflictError](err); ok {
		return withCurrent(csmm.Errorf(csmm.ECONFLICT, "%s", ce.Error()), ce.Current)
	} else if err != nil {
		return err
	}
	return c.reply(http.StatusOK, ans)
}
