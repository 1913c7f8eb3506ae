package web

import (
	"net/http"
	"time"
)

// listData is the organization's assessments.
type listData struct {
	base
	Assessments []listItem
	NewHref     string
}

// listItem is one assessment in the list.
type listItem struct {
	Name    string
	Href    string
	Created time.Time
	Updated time.Time
}

// assessmentList shows the organization's assessments, newest first.
func (h *Handler) assessmentList(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	list, err := h.store.ListAssessments(r.Context(), c.Org.ID, false)
	if err != nil {
		return err
	}
	d := listData{base: base{Title: "Assessments", Caller: c, Crumbs: c.crumbs()}}
	if c.CanManage() {
		d.NewHref = orgPath(c.Org) + "/assessments/new"
	}
	for _, a := range list {
		d.Assessments = append(d.Assessments, listItem{Name: a.Name, Href: assessmentPath(c, a.ID), Created: a.Created, Updated: a.Updated})
	}
	return h.render(w, http.StatusOK, h.pages.assessmentList, d)
}
