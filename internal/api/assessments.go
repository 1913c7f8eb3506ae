package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/service"
	"github.com/csmm/csmm/internal/store"
)

func (a *API) listAssessments(c *call) error {
	archived := c.r.URL.Query().Get("archived") == "true"
	as, err := a.o.Store.ListAssessments(c.ctx(), c.org.ID, archived)
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, list(as))
}

func (a *API) createAssessment(c *call) error {
	var in AssessmentCreate
	if err := c.decode(&in); err != nil {
		return err
	}
	m, err := a.o.Store.LoadModel(c.ctx(), c.org.ID, in.Model)
	if err != nil {
		return err
	}
	targets, err := expandTargets(m, in.Targets, in.TargetDefault)
	if err != nil {
		return err
	}
	as, err := a.o.Store.CreateAssessment(c.ctx(), c.org.ID, c.actor, store.AssessmentInput{
		Name: in.Name, ModelRef: in.Model, ValidityDays: in.ValidityDays, EvidenceValidityDays: in.EvidenceValidityDays,
		TargetDefault: in.TargetDefault, Scopes: in.Scopes, Targets: targets,
	})
	if err != nil {
		return err
	}
	return c.reply(http.StatusCreated, as)
}

// expandTargets checks targets against the model's categories and gives
// every category without one the default (when not 0), as an answers file does.
func expandTargets(m *model.Model, targets map[string]int, def int) ([]store.Target, error) {
	for cat, lvl := range targets {
		if _, ok := m.Category(cat); !ok {
			return nil, csmm.Errorf(csmm.EINVALID, "targets: %q is not a category of model %s", cat, m.Ref())
		}
		if lvl < model.MinLevel || lvl > model.MaxLevel {
			return nil, csmm.Errorf(csmm.EINVALID, "targets: %s is %d: expected a level from 1 to 5", cat, lvl)
		}
	}
	if def < 0 || def > model.MaxLevel {
		return nil, csmm.Errorf(csmm.EINVALID, "target_default is %d: expected 0 (none) or a level from 1 to 5", def)
	}
	out := []store.Target{}
	for _, cat := range m.Categories {
		if lvl, ok := targets[cat.ID]; ok {
			out = append(out, store.Target{Category: cat.ID, Level: lvl})
		} else if def > 0 {
			out = append(out, store.Target{Category: cat.ID, Level: def})
		}
	}
	return out, nil
}

func (a *API) getAssessment(c *call) error {
	as, err := a.o.Store.GetAssessment(c.ctx(), c.org.ID, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, as)
}

func (a *API) updateAssessment(c *call) error {
	var in AssessmentUpdate
	if err := c.decode(&in); err != nil {
		return err
	}
	id := c.r.PathValue("id")
	st := a.o.Store
	as, err := st.GetAssessment(c.ctx(), c.org.ID, id)
	if err != nil {
		return err
	}
	// An archived assessment is read-only: a restore comes before the
	// other changes of the same request, an archiving after them.
	if in.Archived != nil && !*in.Archived {
		if err := st.ArchiveAssessment(c.ctx(), c.org.ID, c.actor, id, false); err != nil {
			return err
		}
	}
	if in.Name != nil || in.ValidityDays != nil || in.EvidenceValidityDays != nil {
		u := store.AssessmentUpdate{Name: as.Name, ValidityDays: as.ValidityDays, EvidenceValidityDays: in.EvidenceValidityDays}
		if in.Name != nil {
			u.Name = *in.Name
		}
		if in.ValidityDays != nil {
			u.ValidityDays = *in.ValidityDays
		}
		if _, err := st.UpdateAssessment(c.ctx(), c.org.ID, c.actor, id, u); err != nil {
			return err
		}
	}
	if in.Scopes != nil {
		if err := st.SetScopes(c.ctx(), c.org.ID, c.actor, id, in.Scopes); err != nil {
			return err
		}
	}
	if in.Archived != nil && *in.Archived {
		if err := st.ArchiveAssessment(c.ctx(), c.org.ID, c.actor, id, true); err != nil {
			return err
		}
	}
	as, err = st.GetAssessment(c.ctx(), c.org.ID, id)
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, as)
}

func (a *API) deleteAssessment(c *call) error {
	if err := a.o.Store.DeleteAssessment(c.ctx(), c.org.ID, c.actor, c.r.PathValue("id")); err != nil {
		return err
	}
	return c.reply(http.StatusNoContent, nil)
}

func (a *API) setTargets(c *call) error {
	var in TargetsUpdate
	if err := c.decode(&in); err != nil {
		return err
	}
	id := c.r.PathValue("id")
	as, err := a.o.Store.GetAssessment(c.ctx(), c.org.ID, id)
	if err != nil {
		return err
	}
	m, err := a.o.Store.LoadModel(c.ctx(), c.org.ID, as.ModelRef)
	if err != nil {
		return err
	}
	targets, err := expandTargets(m, in.Targets, in.TargetDefault)
	if err != nil {
		return err
	}
	if err := a.o.Store.SetTargets(c.ctx(), c.org.ID, c.actor, id, targets, in.TargetDefault); err != nil {
		return err
	}
	as, err = a.o.Store.GetAssessment(c.ctx(), c.org.ID, id)
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, as)
}

// importAssessment creates an assessment from an answers file in the body.
// The file names its model (the built-in one, or a custom model of the
// organization by id@version); every problem of the file is listed in a 400.
func (a *API) importAssessment(c *call) error {
	data, err := c.readFile()
	if err != nil {
		return err
	}
	name := c.r.URL.Query().Get("filename")
	if name == "" {
		name = "answers.yaml"
	}
	doc := assess.ParseDocument(name, data)
	m, ref, err := a.importModel(c, doc.ReferencedModel())
	if err != nil {
		return err
	}
	f, err := doc.Read(m)
	if fe, ok := errors.AsType[*assess.FileError](err); ok {
		return withProblems(fmt.Sprintf("the answers file has %d problem(s)", len(fe.Problems)), service.AnswersProblems(fe.Problems))
	} else if err != nil {
		return err
	}
	as, err := a.o.Store.ImportFile(c.ctx(), c.org.ID, c.actor, f, store.ImportOptions{
		Name: c.r.URL.Query().Get("name"), ModelRef: ref,
	})
	if err != nil {
		return err
	}
	return c.reply(http.StatusCreated, as)
}

// importModel finds the model an answers file names: the newest built-in
// model when it names none, a built-in version (csmm@2.0.0) when it names
// one, else a custom model of the organization with that id@version.
func (a *API) importModel(c *call, ref string) (*model.Model, string, error) {
	builtin, err := store.Builtin()
	if err != nil {
		return nil, "", err
	}
	if ref == "" || ref == store.BuiltinModel {
		return builtin, builtin.Ref(), nil
	}
	if model.IsBuiltinRef(ref) {
		m, err := model.BuiltinRef(ref)
		if err != nil {
			return nil, "", err
		}
		return m, m.Ref(), nil
	}
	models, err := a.o.Store.ListModels(c.ctx(), c.org.ID)
	if err != nil {
		return nil, "", err
	}
	for _, cm := range models {
		if cm.Name+"@"+cm.Version == ref || cm.ID == ref {
			m, err := a.o.Store.LoadModel(c.ctx(), c.org.ID, cm.ID)
			return m, cm.ID, err
		}
	}
	var known []string
	for _, cm := range models {
		known = append(known, cm.Name+"@"+cm.Version)
	}
	msg := fmt.Sprintf("the model %q is neither a built-in model (%s) nor a custom model of the organization", ref, strings.Join(model.BuiltinRefs(), ", "))
	if len(known) > 0 {
		msg += " (" + strings.Join(known, ", ") + ")"
	}
	return nil, "", csmm.Errorf(csmm.EINVALID, "%s", msg)
}

func (a *API) exportAssessment(c *call) error {
	date, err := c.asOf(a)
	if err != nil {
		return err
	}
	f, _, err := a.o.Store.ExportFile(c.ctx(), c.org.ID, c.r.PathValue("id"), date)
	if err != nil {
		return err
	}
	if f.Organization == "" {
		f.Organization = c.org.Name
	}
	c.w.Header().Set("Content-Type", mediaYAML+"; charset=utf-8")
	c.w.Header().Set("Content-Disposition", `attachment; filename="answers.yaml"`)
	c.w.Header().Set("Cache-Control", "no-store")
	_, err = c.w.Write(f.Encode())
	return err
}

// asOf reads the as_of query parameter, today by default.
func (c *call) asOf(a *API) (assess.Date, error) {
	v := c.r.URL.Query().Get("as_of")
	if v == "" {
		return assess.DateOf(a.o.Now()), nil
	}
	d, err := assess.ParseDate(v)
	if err != nil {
		return assess.Date{}, csmm.Errorf(csmm.EINVALID, "as_of: %s", err.Error())
	}
	return d, nil
}

// migrateAssessment moves an assessment to another model version: answers
// of kept objective IDs are carried over, those of removed IDs dropped, and
// the objectives that need a new answer listed; dry_run previews it.
func (a *API) migrateAssessment(c *call) error {
	var in MigrateRequest
	if err := c.decode(&in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Model) == "" {
		return csmm.Errorf(csmm.EINVALID, "model: expected the model to move to, such as csmm@2.1.0")
	}
	_, ref, err := a.importModel(c, strings.TrimSpace(in.Model))
	if err != nil {
		return err
	}
	plan, as, err := a.o.Store.MigrateAssessment(c.ctx(), c.org.ID, c.actor, c.r.PathValue("id"), ref, in.DryRun)
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, MigrateResult{DryRun: in.DryRun, Plan: plan, Assessment: as})
}
