package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/store"
)

// manageData is an assessment's administration page: its name, its scopes,
// archiving and deletion. Admins and owners open it.
type manageData struct {
	base
	Name     string
	Overview string
	// Archived is when the assessment was archived, zero when it is live:
	// an archived assessment is read-only until restored.
	Archived      time.Time
	RenameAction  string
	ArchiveAction string
	DeleteHref    string
	ScopeAction   string
	Scopes        []manageScope
	// NewScope keeps what was typed in the add-a-scope form after a refusal.
	NewScope store.Scope
}

// manageScope is one scope with its forms.
type manageScope struct {
	ID     string
	Name   string
	Weight string
	// Answers counts the scope's stored answers, which removing it deletes.
	Answers    int
	RemoveHref string
	// Only is the assessment's only scope, which cannot be removed.
	Only bool
}

// manageLoad checks that the caller may manage assessments and loads the
// assessment of the path.
func (h *Handler) manageLoad(r *http.Request) (*caller, *snapshot, error) {
	c, err := h.member(r)
	if err != nil {
		return nil, nil, err
	}
	s, err := h.loadFromPath(r, c)
	if err != nil {
		return nil, nil, err
	}
	if err := c.require(identity.PermManageAssessments); err != nil {
		return nil, nil, err
	}
	return c, s, nil
}

func (h *Handler) manageData(c *caller, s *snapshot) *manageData {
	path := assessmentPath(c, s.A.ID)
	d := &manageData{
		base:          base{Title: "Manage " + s.A.Name, Caller: c, Crumbs: c.crumbs(crumb{Label: s.A.Name, Href: path})},
		Name:          s.A.Name,
		Overview:      path,
		Archived:      s.A.Archived,
		RenameAction:  path + "/rename",
		ArchiveAction: path + "/archive",
		DeleteHref:    path + "/delete",
		ScopeAction:   path + "/scopes",
		NewScope:      store.Scope{Weight: 1},
	}
	answers := map[string]int{}
	for k := range s.Answers {
		answers[k.Scope]++
	}
	for _, sc := range s.A.Scopes {
		d.Scopes = append(d.Scopes, manageScope{ID: sc.ID, Name: sc.Name, Weight: strconv.FormatFloat(sc.Weight, 'g', -1, 64),
			Answers: answers[sc.ID], RemoveHref: path + "/scopes/" + url.PathEscape(sc.ID) + "/remove", Only: len(s.A.Scopes) == 1})
	}
	return d
}

// manage shows the administration page of an assessment.
func (h *Handler) manage(w http.ResponseWriter, r *http.Request) error {
	c, s, err := h.manageLoad(r)
	if err != nil {
		return err
	}
	d := h.manageData(c, s)
	d.Notice = notice(r)
	return h.render(w, http.StatusOK, h.pages.manage, d)
}

// manageFail shows the administration page again with what went wrong,
// when the store refused a change (invalid or conflict); other errors
// become the error page.
func (h *Handler) manageFail(w http.ResponseWriter, c *caller, s *snapshot, err error, newScope *store.Scope) error {
	code := csmm.ErrorCode(err)
	if code != csmm.EINVALID && code != csmm.ECONFLICT {
		return err
	}
	d := h.manageData(c, s)
	d.Error = sentence(csmm.ErrorMessage(err))
	if newScope != nil {
		d.NewScope = *newScope
	}
	return h.render(w, statusOf(code), h.pages.manage, d)
}

// statusOf is the HTTP status of an error code.
func statusOf(code string) int {
	if code == csmm.ECONFLICT {
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

// rename changes the assessment's name.
func (h *Handler) rename(w http.ResponseWriter, r *http.Request) error {
	c, s, err := h.manageLoad(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return csmm.Errorf(csmm.EINVALID, "The form could not be read")
	}
	_, err = h.store.UpdateAssessment(r.Context(), c.Org.ID, c.actor(r), s.A.ID,
		store.AssessmentUpdate{Name: r.PostForm.Get("name"), ValidityDays: s.A.ValidityDays})
	if err != nil {
		return h.manageFail(w, c, s, err, nil)
	}
	return redirect(w, r, assessmentPath(c, s.A.ID)+"/manage?done=renamed")
}

// archive archives the assessment (archived=true) or restores it.
func (h *Handler) archive(w http.ResponseWriter, r *http.Request) error {
	c, s, err := h.manageLoad(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return csmm.Errorf(csmm.EINVALID, "The form could not be read")
	}
	archived := r.PostForm.Get("archived") == "true"
	if err := h.store.ArchiveAssessment(r.Context(), c.Org.ID, c.actor(r), s.A.ID, archived); err != nil {
		return err
	}
	if archived {
		return redirect(w, r, assessmentPath(c, s.A.ID)+"/manage?done=archived")
	}
	return redirect(w, r, assessmentPath(c, s.A.ID)+"/manage?done=restored")
}

// scopeSave adds a scope (add=1) or renames and reweighs one.
func (h *Handler) scopeSave(w http.ResponseWriter, r *http.Request) error {
	c, s, err := h.manageLoad(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return csmm.Errorf(csmm.EINVALID, "The form could not be read")
	}
	f := r.PostForm
	sc := store.Scope{ID: strings.TrimSpace(f.Get("scope")), Name: strings.TrimSpace(f.Get("name"))}
	if v := strings.TrimSpace(f.Get("weight")); v != "" {
		if sc.Weight, err = strconv.ParseFloat(v, 64); err != nil {
			return h.manageFail(w, c, s, csmm.Errorf(csmm.EINVALID, "the weight %q of scope %q is not a number", v, sc.ID), &sc)
		}
	}
	list := append([]store.Scope(nil), s.A.Scopes...)
	done := "scope-added"
	if f.Get("add") == "" {
		done = "scope-saved"
		found := false
		for i := range list {
			if list[i].ID == sc.ID {
				list[i].Name = sc.Name
				if sc.Weight != 0 {
					list[i].Weight = sc.Weight
				}
				found = true
			}
		}
		if !found {
			return errNotFound("scope")
		}
	} else {
		list = append(list, sc)
	}
	var added *store.Scope
	if done == "scope-added" {
		added = &sc
	}
	if err := h.store.SetScopes(r.Context(), c.Org.ID, c.actor(r), s.A.ID, list); err != nil {
		return h.manageFail(w, c, s, err, added)
	}
	return redirect(w, r, assessmentPath(c, s.A.ID)+"/manage?done="+done+"#scopes")
}

// confirmData asks a person to confirm a change that deletes data, naming
// what goes.
type confirmData struct {
	base
	// Question names what is deleted; Consequences say what goes with it.
	Question     string
	Consequences []string
	Action       string
	Cancel       string
	Button       string
	// Confirm is the name the person types to confirm, "" when a click is
	// enough.
	Confirm string
}

// deleteConfirm asks to confirm an assessment's deletion by typing its name.
func (h *Handler) deleteConfirm(w http.ResponseWriter, r *http.Request) error {
	c, s, err := h.manageLoad(r)
	if err != nil {
		return err
	}
	return h.render(w, http.StatusOK, h.pages.confirm, h.deleteData(c, s))
}

func (h *Handler) deleteData(c *caller, s *snapshot) confirmData {
	path := assessmentPath(c, s.A.ID)
	return confirmData{
		base:     base{Title: "Delete " + s.A.Name, Caller: c, Crumbs: c.crumbs(crumb{Label: s.A.Name, Href: path}, crumb{Label: "Manage", Href: path + "/manage"})},
		Question: "Delete the assessment “" + s.A.Name + "”?",
		Consequences: []string{
			strconv.Itoa(len(s.Answers)) + " answer(s), its exemptions, evidence and assignments are deleted with it. This cannot be undone.",
			"Its snapshots stay in the history; the audit log keeps the deletion.",
			"To keep it without changes, archive it instead.",
		},
		Action: path + "/delete", Cancel: path + "/manage", Button: "Delete the assessment", Confirm: s.A.Name,
	}
}

// deleteAssessment deletes the assessment once its name is typed.
func (h *Handler) deleteAssessment(w http.ResponseWriter, r *http.Request) error {
	c, s, err := h.manageLoad(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return csmm.Errorf(csmm.EINVALID, "The form could not be read")
	}
	if strings.TrimSpace(r.PostForm.Get("confirm")) != s.A.Name {
		d := h.deleteData(c, s)
		d.Error = "Type the assessment's name, " + s.A.Name + ", to confirm. Nothing was deleted."
		return h.render(w, http.StatusBadRequest, h.pages.confirm, d)
	}
	if err := h.store.DeleteAssessment(r.Context(), c.Org.ID, c.actor(r), s.A.ID); err != nil {
		return err
	}
	return redirect(w, r, orgPath(c.Org)+"/assessments?done=deleted")
}

// scopeRemoveConfirm asks to confirm removing a scope with its answers.
func (h *Handler) scopeRemoveConfirm(w http.ResponseWriter, r *http.Request) error {
	c, s, err := h.manageLoad(r)
	if err != nil {
		return err
	}
	d, err := h.scopeRemoveData(c, s, r.PathValue("scope"))
	if err != nil {
		return err
	}
	return h.render(w, http.StatusOK, h.pages.confirm, d)
}

func (h *Handler) scopeRemoveData(c *caller, s *snapshot, id string) (confirmData, error) {
	var sc *store.Scope
	for i := range s.A.Scopes {
		if s.A.Scopes[i].ID == id {
			sc = &s.A.Scopes[i]
		}
	}
	if sc == nil {
		return confirmData{}, errNotFound("scope")
	}
	n := 0
	for k := range s.Answers {
		if k.Scope == id {
			n++
		}
	}
	path := assessmentPath(c, s.A.ID)
	return confirmData{
		base:     base{Title: "Remove the scope " + scopeName(*sc), Caller: c, Crumbs: c.crumbs(crumb{Label: s.A.Name, Href: path}, crumb{Label: "Manage", Href: path + "/manage"})},
		Question: "Remove the scope “" + scopeName(*sc) + "” from “" + s.A.Name + "”?",
		Consequences: []string{
			strconv.Itoa(n) + " answer(s) and the scanner evidence of this scope are deleted with it. This cannot be undone.",
			"The scores are computed again over the other scopes.",
		},
		Action: path + "/scopes/" + url.PathEscape(sc.ID) + "/remove", Cancel: path + "/manage#scopes", Button: "Remove the scope",
	}, nil
}

// scopeRemove removes a scope with its answers and evidence.
func (h *Handler) scopeRemove(w http.ResponseWriter, r *http.Request) error {
	c, s, err := h.manageLoad(r)
	if err != nil {
		return err
	}
	if _, err := h.scopeRemoveData(c, s, r.PathValue("scope")); err != nil {
		return err
	}
	if err := h.store.RemoveScope(r.Context(), c.Org.ID, c.actor(r), s.A.ID, r.PathValue("scope")); err != nil {
		return h.manageFail(w, c, s, err, nil)
	}
	return redirect(w, r, assessmentPath(c, s.A.ID)+"/manage?done=scope-removed#scopes")
}
