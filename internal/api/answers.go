package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/move"
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
	if in.Date.IsZero() {
		in.Date = assess.DateOf(a.o.Now())
	}
	by := in.By
	if by == "" {
		by = c.who.User.Name
	}
	// The objective is checked against the assessment's model inside the
	// store's transaction, which reads the model reference with the scope
	// and the stored answer in one query.
	check := func(ref string, si *store.AnswerInput) error {
		m, err := a.o.Store.LoadModel(c.ctx(), c.org.ID, ref)
		if err != nil {
			return err
		}
		o, ok := m.Objective(obj)
		if !ok {
			return csmm.Errorf(csmm.EINVALID, "%q is not an objective of model %s", obj, m.Ref())
		}
		si.Answer, si.Measure, err = in.response(o)
		return err
	}
	ans, err := a.o.Store.SaveAnswer(c.ctx(), c.org.ID, c.actor, store.AnswerInput{
		AssessmentID: id, Objective: obj, Scope: scope, Note: in.Note,
		Justification: in.Justification, AnsweredBy: by, AnsweredAt: in.Date, ExpectedVersion: *in.Version,
	}, check)
	if ce, ok := errors.AsType[*store.ConflictError](err); ok {
		return withCurrent(csmm.Errorf(csmm.ECONFLICT, "%s", ce.Error()), ce.Current)
	} else if err != nil {
		return err
	}
	return c.reply(http.StatusOK, ans)
}

// response reads the answer of putAnswer against its objective: a word or a
// measure. It refuses a word other than no, yes and na, and any measure, on
// a binary objective, naming the objective.
func (in *AnswerPut) response(o *model.Objective) (assess.Answer, *assess.Measure, error) {
	var measure *assess.Measure
	switch {
	case in.Measured != nil || in.Of != nil:
		if in.Measured == nil || in.Of == nil {
			return "", nil, csmm.Errorf(csmm.EINVALID, "%s: a measured answer needs both measured and of", o.ID)
		}
		if in.Answer != "" {
			return "", nil, csmm.Errorf(csmm.EINVALID, "%s: give either answer or measured and of, not both", o.ID)
		}
		measure = &assess.Measure{Measured: *in.Measured, Of: *in.Of}
	default:
		m, isMeasure, err := assess.ParseMeasure(string(in.Answer))
		if err != nil {
			return "", nil, csmm.Errorf(csmm.EINVALID, "%s: %s", o.ID, err.Error())
		}
		if isMeasure {
			measure = &m
		}
	}
	if measure != nil {
		if !measure.Valid() {
			return "", nil, csmm.Errorf(csmm.EINVALID, "%s: the measure %s is not valid: expected 0 <= measured <= of and of > 0", o.ID, measure)
		}
		if o.Binary() {
			return "", nil, csmm.Errorf(csmm.EINVALID, "objective %s is binary (a yes/no fact): expected no, yes or na, got the measure %s", o.ID, measure)
		}
		return "", measure, nil
	}
	word := assess.Answer(strings.ToLower(strings.TrimSpace(string(in.Answer))))
	if !word.Valid() {
		return "", nil, csmm.Errorf(csmm.EINVALID, "%s: %q is not an answer: expected %s", o.ID, in.Answer, expectedAnswers(o))
	}
	if !move.Accepts(o, assess.Response{Answer: word}) {
		return "", nil, csmm.Errorf(csmm.EINVALID, "objective %s is binary (a yes/no fact): expected no, yes or na, got %q", o.ID, word)
	}
	return word, nil, nil
}

// expectedAnswers lists the answers an objective takes, for messages.
func expectedAnswers(o *model.Objective) string {
	if o.Binary() {
		return "no, yes or na"
	}
	return "no, some, half, most, yes or na, or a measure such as 87/120 or 72.5%"
}
