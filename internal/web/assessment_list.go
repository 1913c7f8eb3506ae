package web

import (
	"net/http"
	"strings"
	"time"
)

// listData is the organization's assessments.
type listData struct {
	base
	Assessments []listItem
	NewHref     string
	// ShowArchived is true when archived assessments are listed too;
	// ArchivedCount counts them, and Toggle links to the other view.
	ShowArchived  bool
	ArchivedCount int
	Toggle        string
}

// listItem is one assessment in the list.
type listItem struct {
	Name    string
	Href    string
	Created time.Time
	Updated time.Time
	// Score is the program score; Progress the objective-scope pairs done;
	// Status says whether answering has started or is complete.
	Score    float64
	Progress progress
	Status   string
	Archived bool
}

// assessmentList shows the organization's assessments, newest first.
func (h *Handler) assessmentList(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	list, err := h.store.ListAssessments(r.Context(), c.Org.ID, true)
	if err != nil {
		return err
	}
	d := listData{base: base{Title: "Assessments", Caller: c, Crumbs: c.crumbs(), Notice: notice(r)}}
	if c.CanManage() {
		d.NewHref = orgPath(c.Org) + "/assessments/new"
	}
	d.ShowArchived = r.URL.Query().Get("archived") != ""
	d.Toggle = orgPath(c.Org) + "/assessments"
	if !d.ShowArchived {
		d.Toggle += "?archived=1"
	}
	for _, a := range list {
		archived := !a.Archived.IsZero()
		if archived {
			d.ArchivedCount++
			if !d.ShowArchived {
				continue
			}
		}
		it := listItem{Name: a.Name, Href: assessmentPath(c, a.ID), Created: a.Created, Updated: a.Updated, Archived: archived}
		s, err := h.load(r.Context(), c, a.ID)
		if err != nil {
			return err
		}
		it.Score = s.Result.Program.Score
		for _, sr := range s.Result.Scopes {
			for _, o := range sr.Objectives {
				it.Progress.Total++
				if done(o) {
					it.Progress.Done++
				}
			}
		}
		switch {
		case it.Progress.Done == 0:
			it.Status = "Not started"
		case it.Progress.Done == it.Progress.Total:
			it.Status = "Complete"
		default:
			it.Status = "In progress"
		}
		if archived {
			it.Status = "Archived, " + strings.ToLower(it.Status[:1]) + it.Status[1:]
		}
		d.Assessments = append(d.Assessments, it)
	}
	return h.render(w, http.StatusOK, h.pages.assessmentList, d)
}
