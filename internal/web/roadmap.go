package web

import (
	"net/http"
	"strings"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/report"
	"github.com/csmm/csmm/internal/service"
	"github.com/csmm/csmm/internal/store"
)

// roadmapData is the roadmap as work: each phase's objectives with owner,
// due date, status and ticket, editable by those who answer.
type roadmapData struct {
	base
	Overview string
	Phases   []roadmapPhase
	Progress report.RoadmapProgress
	Overdue  []service.RoadmapEntry
	// Members are whom work can be given to; empty for a viewer.
	Members  []store.Member
	Statuses []store.RoadmapStatus
	// NoTargets is set when no category has a target (so no roadmap).
	NoTargets bool
	Today     assess.Date
}

// roadmapPhase is one phase of the roadmap with its work.
type roadmapPhase struct {
	Number   int
	Items    []roadmapRow
	Progress report.RoadmapProgress
	// Display and Floor are the program score and floor once it is done.
	Display string
	Floor   int
}

// roadmapRow is one objective of the roadmap with its work and form.
type roadmapRow struct {
	service.RoadmapEntry
	Href   string
	Action string
}

// StatusLabel is the status as people read it.
func (r roadmapRow) StatusLabel() string { return r.Status.Label() }

// roadmapEntries scores nothing new: it lists the snapshot's roadmap with
// its stored work.
func (h *Handler) roadmapEntries(r *http.Request, c *caller, s *snapshot) ([]service.RoadmapEntry, error) {
	return service.Roadmap(r.Context(), h.store, c.Org.ID, s.A.ID, s.Model, s.Result)
}

// roadmap shows the roadmap's work.
func (h *Handler) roadmap(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	s, err := h.loadFromPath(r, c)
	if err != nil {
		return err
	}
	d, err := h.roadmapData(r, c, s)
	if err != nil {
		return err
	}
	if v := r.URL.Query().Get("saved"); v != "" {
		d.Notice = "The work on " + v + " is saved."
	}
	return h.render(w, http.StatusOK, h.pages.roadmap, d)
}

func (h *Handler) roadmapData(r *http.Request, c *caller, s *snapshot) (*roadmapData, error) {
	path := assessmentPath(c, s.A.ID)
	d := &roadmapData{
		base:     base{Title: "Roadmap: " + s.A.Name, Caller: c, Crumbs: c.crumbs(crumb{s.A.Name, path})},
		Overview: path, Statuses: store.RoadmapStatuses, Today: s.Result.AsOf,
		NoTargets: s.Result.Program.TargetsSet == 0,
	}
	entries, err := h.roadmapEntries(r, c, s)
	if err != nil {
		return nil, err
	}
	if c.CanAnswer() {
		if d.Members, err = h.store.ListMembers(r.Context(), c.Org.ID); err != nil {
			return nil, err
		}
	}
	byPhase := map[int]*roadmapPhase{}
	for _, ph := range s.Result.Roadmap {
		d.Phases = append(d.Phases, roadmapPhase{Number: ph.Phase, Display: report.Display(ph.Projected.Program), Floor: ph.Projected.Floor})
	}
	for i := range d.Phases {
		byPhase[d.Phases[i].Number] = &d.Phases[i]
	}
	for _, e := range entries {
		ph := byPhase[e.Phase]
		if ph == nil {
			continue
		}
		row := roadmapRow{RoadmapEntry: e, Action: path + "/roadmap/" + e.Objective}
		if o, ok := s.Model.Objective(e.Objective); ok {
			row.Href = objectiveHref(path, o)
		}
		ph.Items = append(ph.Items, row)
		count(&ph.Progress, e.Status)
		count(&d.Progress, e.Status)
		if e.Overdue {
			d.Overdue = append(d.Overdue, e)
		}
	}
	return d, nil
}

// count adds one objective with the status to a progress count.
func count(p *report.RoadmapProgress, st store.RoadmapStatus) {
	p.Total++
	switch st {
	case store.RoadmapDone:
		p.Done++
	case store.RoadmapInProgress:
		p.InProgress++
	}
}

// roadmapSave sets the work on one roadmap objective from its form.
func (h *Handler) roadmapSave(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	s, err := h.loadFromPath(r, c)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermAnswer); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return csmm.Errorf(csmm.EINVALID, "The form could not be read")
	}
	obj := r.PathValue("obj")
	u := service.RoadmapUpdate{
		OwnerID: r.PostForm.Get("owner"),
		Status:  store.RoadmapStatus(r.PostForm.Get("status")),
		Ticket:  strings.TrimSpace(r.PostForm.Get("ticket")),
	}
	var problem string
	if v := strings.TrimSpace(r.PostForm.Get("due")); v != "" {
		if u.Due, err = assess.ParseDate(v); err != nil {
			problem = "The due date of " + obj + " must be a date (YYYY-MM-DD)"
		}
	}
	if problem == "" {
		_, err = service.UpdateRoadmapItem(r.Context(), h.store, c.Org.ID, c.actor(r), s.A.ID, obj, s.Result, u)
		if err == nil {
			return redirect(w, r, assessmentPath(c, s.A.ID)+"/roadmap?saved="+obj+"#item-"+obj)
		}
		if csmm.ErrorCode(err) != csmm.EINVALID {
			return err
		}
		problem = sentence(csmm.ErrorMessage(err))
	}
	d, err := h.roadmapData(r, c, s)
	if err != nil {
		return err
	}
	d.Error = problem
	return h.render(w, http.StatusUnprocessableEntity, h.pages.roadmap, d)
}
