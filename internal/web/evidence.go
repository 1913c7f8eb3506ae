package web

import (
	"bytes"
	"net/http"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/api"
	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/evidence"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/service"
	"github.com/csmm/csmm/internal/store"
)

// evidenceData is an assessment's scanner evidence: the imports stored, the
// upload form for assessors and above and, after an upload, the file's
// summary, or where it is malformed.
type evidenceData struct {
	base
	Path      string
	Action    string
	CanImport bool
	Scopes    []scopeHead
	// Scope is the scope chosen in the form; "" for every scope.
	Scope   string
	Imports []importRow
	// Summary and Objectives describe the file just imported.
	Summary    *evidence.Summary
	Stored     *service.StoredEvidence
	Objectives []evidenceObjective
	// File and Problems describe a refused upload; nothing was stored.
	File     string
	Problems []service.Problem
}

// importRow is one stored import.
type importRow struct {
	Source     string
	FileName   string
	Format     string
	Imported   time.Time
	By         string
	Scopes     string
	Objectives int
	Passed     int
	Failed     int
	Muted      int
	Remove     string
}

// evidenceObjective is what an imported file says about one objective.
type evidenceObjective struct {
	ID     string
	Title  string
	Href   string
	Mode   model.Mode
	Passed int
	Failed int
	Muted  int
	// Value is passed / (passed + failed), nil when no resource was evaluated.
	Value *float64
}

func (h *Handler) evidenceBase(c *caller, s *snapshot) *evidenceData {
	path := assessmentPath(c, s.A.ID)
	d := &evidenceData{
		base:      base{Title: "Evidence: " + s.A.Name, Caller: c, Crumbs: c.crumbs(crumb{s.A.Name, path})},
		Path:      path,
		Action:    path + "/evidence",
		CanImport: c.CanAnswer(),
	}
	for _, sc := range s.A.Scopes {
		d.Scopes = append(d.Scopes, scopeHead{ID: sc.ID, Name: scopeName(sc), Weight: sc.Weight})
	}
	return d
}

// evidencePage lists an assessment's stored evidence to every member, with
// the upload form for those who may answer.
func (h *Handler) evidencePage(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	s, err := h.loadFromPath(r, c)
	if err != nil {
		return err
	}
	d := h.evidenceBase(c, s)
	if r.URL.Query().Get("done") == "removed" {
		d.Notice = "The import was removed; its objectives are scored without it."
	}
	return h.renderEvidence(w, r, c, http.StatusOK, d)
}

func (h *Handler) renderEvidence(w http.ResponseWriter, r *http.Request, c *caller, status int, d *evidenceData) error {
	ctx := r.Context()
	id := r.PathValue("id")
	records, err := h.store.ListEvidence(ctx, c.Org.ID, id)
	if err != nil {
		return err
	}
	members, err := h.store.ListMembers(ctx, c.Org.ID)
	if err != nil {
		return err
	}
	by := map[string]string{}
	for _, m := range members {
		by[m.User.ID] = m.User.Email
	}
	for _, src := range store.EvidenceSources(records) {
		row := importRow{Source: src.Source, FileName: src.FileName, Format: src.Format, Imported: src.Imported,
			By: by[src.ImportedBy], Scopes: strings.Join(src.Scopes, ", "), Objectives: src.Objectives,
			Passed: src.Passed, Failed: src.Failed, Muted: src.Muted, Remove: d.Action + "/remove"}
		if row.FileName == "" {
			row.FileName = src.Source
		}
		d.Imports = append(d.Imports, row)
	}
	return h.render(w, status, h.pages.evidence, d)
}

// evidenceUpload imports an uploaded scanner file into the assessment, in
// the scope chosen or every scope, and shows its summary. A file that
// cannot be read is refused with its location and nothing is stored.
func (h *Handler) evidenceUpload(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermAnswer); err != nil {
		return err
	}
	s, err := h.loadFromPath(r, c)
	if err != nil {
		return err
	}
	d := h.evidenceBase(c, s)
	fail := func(status int, err error) error {
		d.Error = csmm.ErrorMessage(err)
		return h.renderEvidence(w, r, c, status, d)
	}
	name, data, err := readUpload(w, r, "file", "a scanner file", service.MaxEvidenceBytes)
	if err != nil {
		return fail(api.Status(csmm.ErrorCode(err)), err)
	}
	d.File = name
	d.Scope = r.FormValue("scope")
	res, err := service.ImportEvidence(r.Context(), h.store, c.Org.ID, c.actor(r), s.A.ID, name, d.Scope, bytes.NewReader(data))
	if err != nil {
		d.Problems = service.ErrorProblems(err)
		if csmm.ErrorCode(err) == csmm.EINVALID {
			return fail(http.StatusUnprocessableEntity, csmm.Errorf(csmm.EINVALID, "%s was not imported; nothing was stored: %s", name, csmm.ErrorMessage(err)))
		}
		return err
	}
	d.Summary, d.Stored = &res.Files[0], &res.Stored
	for _, oc := range res.Files[0].Objectives {
		mo, ok := s.Model.Objective(oc.ID)
		if !ok {
			continue
		}
		eo := evidenceObjective{ID: oc.ID, Title: mo.Title, Href: objectiveHref(d.Path, mo), Mode: mo.Mode,
			Passed: oc.Passed, Failed: oc.Failed, Muted: oc.Muted}
		if e := (assess.Evidence{Passed: oc.Passed, Failed: oc.Failed}); e.Evaluated() {
			v := e.Value()
			eo.Value = &v
		}
		d.Objectives = append(d.Objectives, eo)
	}
	d.Notice = "Imported " + name + "."
	return h.renderEvidence(w, r, c, http.StatusOK, d)
}

// evidenceRemove removes one import from the assessment.
func (h *Handler) evidenceRemove(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermAnswer); err != nil {
		return err
	}
	id := r.PathValue("id")
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if _, err := h.store.DeleteEvidence(r.Context(), c.Org.ID, c.actor(r), id, r.FormValue("source")); err != nil {
		return err
	}
	return redirect(w, r, assessmentPath(c, id)+"/evidence?done=removed")
}
