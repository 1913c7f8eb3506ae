package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/store"
)

// scopeRows is how many scope rows the new-assessment form offers; rows
// left empty are ignored, so the form needs no script to add one.
const scopeRows = 4

// newData is the form that starts an assessment, refilled after an error.
type newData struct {
	base
	Action       string
	Name         string
	ValidityDays string
	Preset       string
	Presets      []presetOption
	Models       []modelOption
	Scopes       []scopeRow
}

// presetOption is one profile preset in the form.
type presetOption struct {
	Preset
	Checked bool
	// Summary lists the preset's levels by category for the model.
	Summary string
}

// modelOption is one model the assessment may use.
type modelOption struct {
	Ref      string
	Label    string
	Selected bool
}

// scopeRow is one row of scope inputs.
type scopeRow struct {
	N      int
	ID     string
	Name   string
	Weight string
}

// assessmentNew shows the form that starts an assessment.
func (h *Handler) assessmentNew(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermManageAssessments); err != nil {
		return err
	}
	d, err := h.newForm(r, c)
	if err != nil {
		return err
	}
	d.ValidityDays = "365"
	if len(h.presets) > 0 {
		d.Preset = h.presets[0].ID
	}
	return h.renderNew(w, http.StatusOK, d)
}

func (h *Handler) newForm(r *http.Request, c *caller) (*newData, error) {
	d := &newData{
		base:   base{Title: "New assessment", Caller: c, Crumbs: c.crumbs()},
		Action: orgPath(c.Org) + "/assessments",
		Models: []modelOption{{Ref: store.BuiltinModel, Label: "Built-in model", Selected: true}},
	}
	if m, err := store.Builtin(); err == nil {
		d.Models[0].Label = fmt.Sprintf("%s %s (built in)", m.Name, m.Version)
	}
	custom, err := h.store.ListModels(r.Context(), c.Org.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range custom {
		d.Models = append(d.Models, modelOption{Ref: m.ID, Label: m.Name + " " + m.Version})
	}
	return d, nil
}

func (h *Handler) renderNew(w http.ResponseWriter, status int, d *newData) error {
	m, _ := store.Builtin()
	for _, p := range h.presets {
		po := presetOption{Preset: p, Checked: p.ID == d.Preset}
		if m != nil {
			var parts []string
			for _, cat := range m.Categories {
				parts = append(parts, fmt.Sprintf("%s %d", cat.ID, p.Level(cat.ID)))
			}
			po.Summary = strings.Join(parts, ", ")
		}
		d.Presets = append(d.Presets, po)
	}
	for len(d.Scopes) < scopeRows {
		d.Scopes = append(d.Scopes, scopeRow{})
	}
	for i := range d.Scopes {
		d.Scopes[i].N = i + 1
	}
	return h.render(w, status, h.pages.assessmentNew, d)
}

// assessmentCreate creates an assessment from the form: its scopes, and a
// target for every category of the model from the chosen preset, each with
// the preset recorded as its reason.
func (h *Handler) assessmentCreate(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermManageAssessments); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return csmm.Errorf(csmm.EINVALID, "the form could not be read")
	}
	d, err := h.newForm(r, c)
	if err != nil {
		return err
	}
	d.Name = r.PostForm.Get("name")
	d.ValidityDays = r.PostForm.Get("validity_days")
	d.Preset = r.PostForm.Get("preset")
	ref := r.PostForm.Get("model")
	for i := range d.Models {
		d.Models[i].Selected = d.Models[i].Ref == ref
	}
	ids, names, weights := r.PostForm["scope_id"], r.PostForm["scope_name"], r.PostForm["scope_weight"]
	for i := range ids {
		d.Scopes = append(d.Scopes, scopeRow{ID: ids[i], Name: at(names, i), Weight: at(weights, i)})
	}
	fail := func(err error) error {
		if code := csmm.ErrorCode(err); code != csmm.EINVALID && code != csmm.ENOTFOUND {
			return err
		}
		d.Error = csmm.ErrorMessage(err)
		return h.renderNew(w, http.StatusUnprocessableEntity, d)
	}
	in, err := h.assessmentInput(r, c, d, ref)
	if err != nil {
		return fail(err)
	}
	a, err := h.store.CreateAssessment(r.Context(), c.Org.ID, c.actor(r), in)
	if err != nil {
		return fail(err)
	}
	return redirect(w, r, assessmentPath(c, a.ID)+"/targets?created=1")
}

// at returns list[i], or "" past its end.
func at(list []string, i int) string {
	if i < len(list) {
		return list[i]
	}
	return ""
}

// assessmentInput reads and checks the form; the store checks the rest.
func (h *Handler) assessmentInput(r *http.Request, c *caller, d *newData, ref string) (store.AssessmentInput, error) {
	in := store.AssessmentInput{Name: d.Name, ModelRef: ref}
	if strings.TrimSpace(d.ValidityDays) != "" {
		n, err := strconv.Atoi(strings.TrimSpace(d.ValidityDays))
		if err != nil {
			return in, csmm.Errorf(csmm.EINVALID, "answer validity %q: expected a whole number of days", d.ValidityDays)
		}
		in.ValidityDays = n
	}
	for _, row := range d.Scopes {
		id := strings.TrimSpace(row.ID)
		if id == "" && strings.TrimSpace(row.Name) == "" && strings.TrimSpace(row.Weight) == "" {
			continue
		}
		sc := store.Scope{ID: id, Name: strings.TrimSpace(row.Name), Weight: 1}
		if ws := strings.TrimSpace(row.Weight); ws != "" {
			wt, err := strconv.ParseFloat(ws, 64)
			if err != nil || !(wt > 0) {
				return in, csmm.Errorf(csmm.EINVALID, "scope %q: the weight %q is not valid: expected a number above 0", id, ws)
			}
			sc.Weight = wt
		}
		in.Scopes = append(in.Scopes, sc)
	}
	p, ok := h.preset(d.Preset)
	if !ok {
		return in, csmm.Errorf(csmm.EINVALID, "choose a profile preset for the targets")
	}
	m, err := h.store.LoadModel(r.Context(), c.Org.ID, ref)
	if err != nil {
		return in, err
	}
	for _, cat := range m.Categories {
		in.Targets = append(in.Targets, store.Target{Category: cat.ID, Level: p.Level(cat.ID), Reason: "preset: " + p.Name})
	}
	return in, nil
}
