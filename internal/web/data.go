package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/store"
)

// snapshot is one assessment as stored, with its model and its scores as
// of today: what every assessment page starts from.
type snapshot struct {
	A          *store.Assessment
	Model      *model.Model
	Answers    map[assess.Key]store.Answer
	Exemptions []store.Exemption
	Input      assess.Input
	Result     assess.Result
}

// load reads an assessment of the caller's organization and scores it as
// of today, with the store's scoring input (the same one the API scores).
// Another organization's assessment is not_found.
func (h *Handler) load(ctx context.Context, c *caller, id string) (*snapshot, error) {
	return h.loadAsOf(ctx, c, id, assess.DateOf(h.now()))
}

// loadAsOf is load as of a given date. The assessment, its answers,
// exemptions and scoring input come from one read of the store.
func (h *Handler) loadAsOf(ctx context.Context, c *caller, id string, asOf assess.Date) (_ *snapshot, err error) {
	defer func() {
		if err != nil && csmm.ErrorCode(err) != csmm.ENOTFOUND {
			err = fmt.Errorf("load assessment %s: %w", id, err)
		}
	}()
	st, err := h.store.State(ctx, c.Org.ID, id, asOf)
	if err != nil {
		return nil, err
	}
	in := st.Input
	s := &snapshot{A: st.Assessment, Model: in.Model, Answers: make(map[assess.Key]store.Answer, len(st.Answers)), Exemptions: st.Exemptions, Input: in}
	for _, an := range st.Answers {
		s.Answers[assess.Key{Objective: an.Objective, Scope: an.Scope}] = an
	}
	s.Result = assess.Score(in)
	return s, nil
}

// assessmentPath is the root of an assessment's pages.
func assessmentPath(c *caller, id string) string { return orgPath(c.Org) + "/assessments/" + id }

// loadFromPath loads the assessment named in the request path.
// An archived assessment's pages are read-only for the caller.
func (h *Handler) loadFromPath(r *http.Request, c *caller) (*snapshot, error) {
	s, err := h.load(r.Context(), c, r.PathValue("id"))
	if err == nil && !s.A.Archived.IsZero() {
		c.ReadOnly = true
	}
	return s, err
}

// scopeResult returns the per-scope result with the given ID.
func (s *snapshot) scopeResult(id string) *assess.ScopeResult {
	for i := range s.Result.Scopes {
		if s.Result.Scopes[i].ID == id {
			return &s.Result.Scopes[i]
		}
	}
	return nil
}

// scopeName is a scope's display name: its name, else its ID.
func scopeName(sc store.Scope) string {
	if sc.Name != "" {
		return sc.Name
	}
	return sc.ID
}
