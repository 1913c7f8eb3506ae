package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
)

// owners returns who each category or objective of an assessment is
// assigned to (target ID to user ID) and the members' names by user ID.
func (h *Handler) owners(r *http.Request, c *caller, assessmentID string) (map[string]string, map[string]string, error) {
	list, err := h.store.ListAssignments(r.Context(), c.Org.ID, assessmentID)
	if err != nil {
		return nil, nil, err
	}
	owners := map[string]string{}
	for _, a := range list {
		owners[a.Target] = a.UserID
	}
	names := map[string]string{}
	if len(list) > 0 {
		members, err := h.store.ListMembers(r.Context(), c.Org.ID)
		if err != nil {
			return nil, nil, err
		}
		for _, m := range members {
			names[m.User.ID] = m.User.Name
			if names[m.User.ID] == "" {
				names[m.User.ID] = m.User.Email
			}
		}
	}
	return owners, names, nil
}

// assign gives a category or objective to a member (an admin's form on the
// overview); an empty user removes the assignment.
func (h *Handler) assign(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	s, err := h.loadFromPath(r, c)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermManageAssessments); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return csmm.Errorf(csmm.EINVALID, "The form could not be read")
	}
	target := strings.TrimSpace(r.PostForm.Get("target"))
	_, isCat := s.Model.Category(target)
	_, isObj := s.Model.Objective(target)
	if !isCat && !isObj {
		return csmm.Errorf(csmm.EINVALID, "target %q: expected a category or objective ID of the model", target)
	}
	if err := h.store.Assign(r.Context(), c.Org.ID, c.actor(r), s.A.ID, target, r.PostForm.Get("user")); err != nil {
		return err
	}
	anchor := "#cat-" + target
	if isObj {
		anchor = "#h-owners"
	}
	return redirect(w, r, assessmentPath(c, s.A.ID)+"?assigned="+url.QueryEscape(target)+anchor)
}
