package web

import (
	"net/http"
	"strings"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/store"
)

// exemptionsData lists an assessment's exemptions: requests waiting for a
// decision first, then the decided ones.
type exemptionsData struct {
	base
	Pending []exemptionRow
	Decided []exemptionRow
}

// exemptionRow is one exemption with its objective.
type exemptionRow struct {
	exemptionView
	Title string
	Href  string
}

// exemptions shows every exemption of the assessment, with approve and
// refuse buttons for those who may decide.
func (h *Handler) exemptions(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	s, err := h.loadFromPath(r, c)
	if err != nil {
		return err
	}
	path := assessmentPath(c, s.A.ID)
	d := exemptionsData{base: base{Title: "Exemptions: " + s.A.Name, Caller: c, Crumbs: c.crumbs(crumb{s.A.Name, path})}}
	switch r.URL.Query().Get("decided") {
	case store.ExemptionApproved:
		d.Notice = "The exemption is approved."
	case store.ExemptionRefused:
		d.Notice = "The exemption is refused."
	}
	for _, e := range s.Exemptions {
		row := exemptionRow{exemptionView: exemptionView{Exemption: e, Expired: s.Result.AsOf.After(e.Until), Back: path + "/exemptions"}}
		if o, ok := s.Model.Objective(e.Objective); ok {
			row.Title, row.Href = o.Title, objectiveHref(path, o)
		}
		if e.Status == store.ExemptionRequested {
			switch {
			case c.CanDecide() && e.RequestedByID == c.User.ID:
				row.Own = true
			case c.CanDecide():
				row.DecideAction = path + "/exemptions/" + e.ID
			}
			d.Pending = append(d.Pending, row)
		} else {
			d.Decided = append(d.Decided, row)
		}
	}
	return h.render(w, http.StatusOK, h.pages.exemptions, d)
}

// exemptionRequest asks for an objective to be excluded until a date.
func (h *Handler) exemptionRequest(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	s, err := h.loadFromPath(r, c)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermRequestExemption); err != nil {
		return err
	}
	o, ok := s.Model.Objective(r.PathValue("obj"))
	if !ok {
		return errNotFound("objective")
	}
	if err := r.ParseForm(); err != nil {
		return csmm.Errorf(csmm.EINVALID, "the form could not be read")
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	untilText := r.PostForm.Get("until")
	var problem string
	until, derr := assess.ParseDate(untilText)
	switch {
	case reason == "":
		problem = "An exemption needs a reason."
	case derr != nil:
		problem = "The expiry date " + untilText + " is not a date of the form YYYY-MM-DD."
	case !until.After(s.Result.AsOf):
		problem = "The expiry date must be after today."
	}
	if problem == "" {
		_, err = h.store.RequestExemption(r.Context(), c.Org.ID, c.actor(r), s.A.ID, o.ID, reason, c.displayName(), until)
		if err == nil {
			return redirect(w, r, assessmentPath(c, s.A.ID)+"/categories/"+o.Category+"?requested="+o.ID+"#obj-"+o.ID)
		}
		if csmm.ErrorCode(err) != csmm.EINVALID {
			return err
		}
		problem = csmm.ErrorMessage(err)
	}
	d, err := h.categoryData(c, s, o.Category)
	if err != nil {
		return err
	}
	d.Error = "The exemption for " + o.ID + " was not requested: " + problem
	d.find(o.ID).Error = problem
	return h.render(w, http.StatusUnprocessableEntity, h.pages.category, d)
}

// exemptionDecide approves or refuses a requested exemption; the caller is
// recorded as the approver.
func (h *Handler) exemptionDecide(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	s, err := h.loadFromPath(r, c)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermDecideExemption); err != nil {
		return err
	}
	var found bool
	for _, e := range s.Exemptions {
		found = found || e.ID == r.PathValue("ex")
	}
	if !found {
		return errNotFound("exemption")
	}
	if err := r.ParseForm(); err != nil {
		return csmm.Errorf(csmm.EINVALID, "the form could not be read")
	}
	var approve bool
	switch r.PostForm.Get("decision") {
	case "approve":
		approve = true
	case "refuse":
	default:
		return csmm.Errorf(csmm.EINVALID, "decision: expected approve or refuse")
	}
	e, err := h.store.DecideExemptionComment(r.Context(), c.Org.ID, c.actor(r), r.PathValue("ex"), approve, c.displayName(), r.PostForm.Get("comment"))
	if err != nil {
		return err
	}
	back := assessmentPath(c, s.A.ID) + "/exemptions"
	if b := r.PostForm.Get("back"); strings.HasPrefix(b, assessmentPath(c, s.A.ID)+"/") && !strings.Contains(b, "//") && !strings.ContainsAny(b, "\\\r\n") {
		back = b
	}
	frag := ""
	if i := strings.IndexByte(back, '#'); i >= 0 {
		back, frag = back[:i], back[i:]
	}
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	return redirect(w, r, back+sep+"decided="+e.Status+frag)
}
