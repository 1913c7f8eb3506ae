package store

import (
	"context"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/move"
)

// MigrateAssessment moves an assessment to another model (a built-in
// version such as "csmm@2.1.0", or a custom model's ID) and returns what
// the move does (move.Plan): answers of objective IDs the new model keeps
// are carried over; answers of removed IDs, answers the new scale refuses,
// exemptions of removed objectives, evidence of removed objectives and
// targets of removed categories are deleted; categories the new model adds
// get the default target. With dryRun nothing changes (a preview);
// otherwise everything happens in one transaction, raises the revision and
// is written to the audit log as assessment.migrate with the plan. It
// returns invalid when the assessment already uses that model or the model
// is unknown, and not_found for another organization's assessment or model.
func (s *Store) MigrateAssessment(ctx context.Context, orgID string, actor Actor, id, to string, dryRun bool) (_ *move.Plan, _ *Assessment, err error) {
	defer wrap(&err, "migrate assessment(%s, %s, %s)", orgID, id, to)
	ref, err := canonicalModelRef(to)
	if err != nil {
		return nil, nil, err
	}
	if ref == "" {
		return nil, nil, csmm.Errorf(csmm.EINVALID, "model: expected the model to move to, such as csmm@2.1.0")
	}
	var plan *move.Plan
	var out *Assessment
	run := s.write
	if dryRun {
		run = s.read
	}
	err = run(ctx, func(tx *tx) error {
		snap, err := readSnapshot(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if snap.a.ModelRef == ref {
			return csmm.Errorf(csmm.EINVALID, "the assessment already uses model %s", ref)
		}
		from, err := snap.model(&s.models)
		if err != nil {
			return err
		}
		toModel, err := s.modelIn(ctx, tx, orgID, ref)
		if err != nil {
			return err
		}
		answers := make(map[assess.Key]assess.Response, len(snap.answers))
		for _, a := range snap.answers {
			answers[assess.Key{Objective: a.Objective, Scope: a.Scope}] = a.Response()
		}
		plan = move.Make(move.Input{From: from, To: toModel, Answers: answers, Exemptions: snap.exemptions(), Targets: targetMap(snap.a.Targets)})
		if dryRun {
			out = snap.a
			return nil
		}
		stored := make(map[assess.Key]*Answer, len(snap.answers))
		for i := range snap.answers {
			stored[assess.Key{Objective: snap.answers[i].Objective, Scope: snap.answers[i].Scope}] = &snap.answers[i]
		}
		for _, list := range [][]move.Answer{plan.Dropped, plan.Refused} {
			for _, a := range list {
				if _, err := tx.exec(ctx, "DELETE FROM answers WHERE org_id = ? AND assessment_id = ? AND objective = ? AND scope = ?",
					orgID, id, a.Objective, a.Scope); err != nil {
					return err
				}
				gone := stored[assess.Key{Objective: a.Objective, Scope: a.Scope}]
				if gone == nil {
					gone = &Answer{AssessmentID: id, Objective: a.Objective, Scope: a.Scope}
				}
				if err := recordAnswer(ctx, tx, orgID, actor, gone, true); err != nil {
					return err
				}
			}
		}
		for _, e := range snap.exemptionsL {
			if _, ok := toModel.Objective(e.Objective); !ok {
				if _, err := tx.exec(ctx, "DELETE FROM exemptions WHERE org_id = ? AND id = ?", orgID, e.ID); err != nil {
					return err
				}
			}
		}
		for _, e := range snap.evidence {
			if _, ok := toModel.Objective(e.Objective); !ok {
				if _, err := tx.exec(ctx, "DELETE FROM evidence WHERE org_id = ? AND assessment_id = ? AND objective = ? AND scope = ? AND source = ?",
					orgID, id, e.Objective, e.Scope, e.Source); err != nil {
					return err
				}
			}
		}
		for _, c := range plan.TargetsDropped {
			if _, err := tx.exec(ctx, "DELETE FROM targets WHERE org_id = ? AND assessment_id = ? AND category = ?", orgID, id, c); err != nil {
				return err
			}
		}
		if snap.a.TargetDefault > 0 {
			for _, c := range toModel.Categories {
				if _, ok := plan.Targets[c.ID]; !ok {
					if err := insertTargets(ctx, tx, orgID, id, []Target{{Category: c.ID, Level: snap.a.TargetDefault}}); err != nil {
						return err
					}
				}
			}
		}
		if _, err := tx.exec(ctx, "UPDATE assessments SET model_id = ?, model_version = ? WHERE org_id = ? AND id = ?",
			modelID(ref), modelVersion(ref), orgID, id); err != nil {
			return err
		}
		if err := touchAssessment(ctx, tx, orgID, id); err != nil {
			return err
		}
		type modelState struct {
			Model string     `json:"model"`
			Plan  *move.Plan `json:"plan,omitempty"`
		}
		if err := audit(ctx, tx, orgID, actor, auditRecord{"assessment.migrate", "assessment", id,
			modelState{Model: snap.a.ModelRef}, modelState{Model: ref, Plan: plan}}); err != nil {
			return err
		}
		out, err = getAssessment(ctx, tx, orgID, id)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return plan, out, nil
}

// modelIn returns the parsed model of a canonical reference, reading a
// custom model in the transaction.
func (s *Store) modelIn(ctx context.Context, tx *tx, orgID, ref string) (*model.Model, error) {
	if IsBuiltinModelRef(ref) {
		return model.BuiltinRef(ref)
	}
	cm, err := customModel(ctx, tx, orgID, ref)
	if err != nil {
		return nil, err
	}
	return s.models.parse(cm)
}
