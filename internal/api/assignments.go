package api

import (
	"net/http"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/store"
)

func (a *API) listAssignments(c *call) error {
	as, err := a.o.Store.ListAssignments(c.ctx(), c.org.ID, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, list(as))
}

// assignmentTarget checks that the path's target is a category or objective
// of the assessment's model.
func (a *API) assignmentTarget(c *call) (string, error) {
	id, target := c.r.PathValue("id"), c.r.PathValue("target")
	ref, err := a.o.Store.AssessmentModelRef(c.ctx(), c.org.ID, id)
	if err != nil {
		return "", err
	}
	m, err := a.o.Store.LoadModel(c.ctx(), c.org.ID, ref)
	if err != nil {
		return "", err
	}
	_, isCat := m.Category(target)
	_, isObj := m.Objective(target)
	if !isCat && !isObj {
		return "", csmm.Errorf(csmm.EINVALID, "target %q: expected a category or objective ID of model %s", target, m.Ref())
	}
	return target, nil
}

func (a *API) putAssignment(c *call) error {
	var in AssignmentPut
	if err := c.decode(&in); err != nil {
		return err
	}
	if in.UserID == "" {
		return csmm.Errorf(csmm.EINVALID, "user_id: expected the ID of a member; deleteAssignment removes an assignment")
	}
	target, err := a.assignmentTarget(c)
	if err != nil {
		return err
	}
	id := c.r.PathValue("id")
	if err := a.o.Store.Assign(c.ctx(), c.org.ID, c.actor, id, target, in.UserID); err != nil {
		return err
	}
	got, err := a.assignment(c, id, target)
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, got)
}

func (a *API) deleteAssignment(c *call) error {
	target, err := a.assignmentTarget(c)
	if err != nil {
		return err
	}
	id := c.r.PathValue("id")
	if _, err := a.assignment(c, id, target); err != nil {
		return err
	}
	if err := a.o.Store.Assign(c.ctx(), c.org.ID, c.actor, id, target, ""); err != nil {
		return err
	}
	return c.reply(http.StatusNoContent, nil)
}

// assignment returns the assignment of one target, not_found when there is none.
func (a *API) assignment(c *call, id, target string) (*store.Assignment, error) {
	list, err := a.o.Store.ListAssignments(c.ctx(), c.org.ID, id)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].Target == target {
			return &list[i], nil
		}
	}
	return nil, csmm.Errorf(csmm.ENOTFOUND, "%s is not assigned to anyone", target)
}
