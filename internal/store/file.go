package store

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/textfield"
)

// Scoring gathers what scoring a stored assessment needs, read in one
// snapshot: the assessment, its model, and the scoring input as of a date
// (answers, evidence summed over sources, approved exemptions, targets).
// For a past date the answers are those known that day, read from their
// history (answersAsOf): an answer overwritten since scores as it was.
// It returns not_found for another organization's assessment and invalid
// when its custom model no longer parses. The input's maps and slices may
// be shared with other scorings of the same revision: they must not be
// changed.
func (s *Store) Scoring(ctx context.Context, orgID, id string, asOf assess.Date) (_ assess.Input, _ *Assessment, err error) {
	defer wrap(&err, "scoring input(%s, %s)", orgID, id)
	var snap *snapshot
	if !s.rewinds(asOf) {
		snap, err = s.liveSnapshot(ctx, orgID, id, -1)
	} else {
		// A past date rewinds the answers through their history: a read of
		// its own, never the kept copy of liveSnapshot, which others share.
		err = s.read(ctx, func(tx *tx) error {
			if snap, err = readSnapshot(ctx, tx, orgID, id); err != nil {
				return err
			}
			return snap.rewind(ctx, tx, orgID, asOf)
		})
	}
	if err != nil {
		return assess.Input{}, nil, err
	}
	in, err := snap.input(asOf, &s.models)
	if err != nil {
		return assess.Input{}, nil, err
	}
	return in, snap.a, nil
}

// ScoringAt is Scoring of the assessment at revision rev, as
// AssessmentRevision returned it: when the store has that revision of the
// assessment in memory (read for an earlier score and kept up to date with
// the answers saved through this Store since) it reads nothing; otherwise
// it reads the assessment as Scoring does, whose revision may then be
// later than rev. The Assessment returned, and the input's maps and slices,
// which every scoring of the revision shares, must not be changed.
func (s *Store) ScoringAt(ctx context.Context, orgID, id string, rev int64, asOf assess.Date) (assess.Input, *Assessment, error) {
	return s.scoringAt(ctx, orgID, id, rev, asOf, (*snapshot).input)
}

// ScoreInputAt is ScoringAt for assess.Score alone: the answers saved
// through this Store since the kept input's answers were built may be in
// the input's Saved instead of its Answers (snapshot.scoreInput), so that
// scoring a revision after a save shares the kept answers instead of
// copying them with the saved ones in place. What reads an input's
// Answers alone (a report, a roadmap) takes ScoringAt's.
func (s *Store) ScoreInputAt(ctx context.Context, orgID, id string, rev int64, asOf assess.Date) (assess.Input, error) {
	in, _, err := s.scoringAt(ctx, orgID, id, rev, asOf, (*snapshot).scoreInput)
	return in, err
}

// scoringAt is ScoringAt with the input built from the snapshot by input.
func (s *Store) scoringAt(ctx context.Context, orgID, id string, rev int64, asOf assess.Date,
	input func(*snapshot, assess.Date, *modelCache) (assess.Input, error)) (_ assess.Input, _ *Assessment, err error) {
	if s.rewinds(asOf) {
		// A past date reads the answers' history, never the kept copy.
		return s.Scoring(ctx, orgID, id, asOf)
	}
	defer wrap(&err, "scoring input(%s, %s)", orgID, id)
	snap, err := s.liveSnapshot(ctx, orgID, id, rev)
	if err != nil {
		return assess.Input{}, nil, err
	}
	in, err := input(snap, asOf, &s.models)
	if err != nil {
		return assess.Input{}, nil, err
	}
	return in, snap.a, nil
}

// rewinds reports whether scoring as of asOf reads the answers' history:
// when asOf is before today by the store's clock (what rewind checks).
func (s *Store) rewinds(asOf assess.Date) bool { return beforeToday(s.now(), asOf) }

// beforeToday reports whether asOf is a day before now's (UTC): scoring as
// of it reads the answers' history.
func beforeToday(now time.Time, asOf assess.Date) bool {
	return !asOf.IsZero() && assess.DateOf(now.UTC()).After(asOf)
}

// liveSnapshot returns the snapshot of an assessment at revision rev from
// memory, else reads it (rev -1 always reads) and keeps it.
func (s *Store) liveSnapshot(ctx context.Context, orgID, id string, rev int64) (*snapshot, error) {
	if rev >= 0 {
		if snap := s.live.get(orgID, id, rev); snap != nil {
			return snap, nil
		}
	}
	var snap *snapshot
	err := s.read(ctx, func(tx *tx) (err error) {
		snap, err = readSnapshot(ctx, tx, orgID, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	// The answers share the text that repeats across answers and
	// assessments instead of a copy each.
	for i := range snap.answers {
		a := &snap.answers[i]
		a.Objective, a.Scope, a.AnsweredBy = intern(a.Objective), intern(a.Scope), intern(a.AnsweredBy)
		a.Answer = assess.Answer(intern(string(a.Answer)))
	}
	// What is kept is the scoring input, which every scoring of this
	// revision shares and the revisions saved after it start from; a
	// snapshot whose model does not parse is kept as read, and fails the
	// same way on every scoring.
	if _, err := snap.scoring(&s.models); err == nil {
		snap.answers, snap.evidence, snap.exemptionsL = nil, nil, nil
	}
	s.live.put(orgID, snap)
	return snap, nil
}

// ExportFile returns a stored assessment as an answers file (formats.md),
// dated asOf, and its model; File.Encode writes it. Only approved exemptions
// are written; evidence is not part of an answers file. It returns not_found
// for another organization's assessment.
func (s *Store) ExportFile(ctx context.Context, orgID, id string, date assess.Date) (_ *assess.File, _ *model.Model, err error) {
	defer wrap(&err, "export file(%s, %s)", orgID, id)
	var snap *snapshot
	var org *Organization
	err = s.read(ctx, func(tx *tx) error {
		if snap, err = readSnapshot(ctx, tx, orgID, id); err != nil {
			return err
		}
		org, err = organization(ctx, tx, "id", orgID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	m, err := snap.model(&s.models)
	if err != nil {
		return nil, nil, err
	}
	f := assess.NewFile(m)
	f.Organization = org.Name
	f.Assessment = snap.a.Name
	f.Date = date
	f.ValidityDays = snap.a.ValidityDays
	f.EvidenceValidityDays = snap.a.EvidenceValidityDays
	f.Scopes = assessScopes(snap.a.Scopes)
	f.Targets = targetMap(snap.a.Targets)
	f.TargetDefault = snap.a.TargetDefault
	for _, a := range snap.answers {
		f.Answers[assess.Key{Objective: a.Objective, Scope: a.Scope}] = a.Response()
	}
	f.Exemptions = snap.exemptions()
	return f, m, nil
}

// ImportOptions says where an imported answers file goes. With AssessmentID
// set, the file replaces that assessment's scopes, targets, answers and
// approved exemptions; otherwise a new assessment is created with Name (or
// the file's assessment name) and ModelRef (BuiltinModel when "").
type ImportOptions struct {
	AssessmentID string
	Name         string
	ModelRef     string
}

// ImportFile stores an answers file, parsed and validated by the caller with
// assess.ParseFile against the assessment's model, in one transaction: every
// answer and exemption is saved, or none. Each change is written to the
// audit log. It returns the assessment; invalid for a file that breaks a rule
// of the data (scope, target, answer); not_found for another organization's
// assessment or model.
func (s *Store) ImportFile(ctx context.Context, orgID string, actor Actor, f *assess.File, opts ImportOptions) (_ *Assessment, err error) {
	defer wrap(&err, "import file(%s, %s)", orgID, f.Name)
	scopes := make([]Scope, len(f.Scopes))
	for i, sc := range f.Scopes {
		scopes[i] = Scope{ID: sc.ID, Name: sc.Name, Weight: sc.Weight}
	}
	if len(scopes) == 0 {
		scopes = []Scope{{ID: assess.DefaultScope, Weight: 1}}
	}
	if err := validScopes(scopes); err != nil {
		return nil, err
	}
	var targetList []Target
	for c, l := range f.Targets {
		targetList = append(targetList, Target{Category: c, Level: l})
	}
	sort.Slice(targetList, func(i, j int) bool { return targetList[i].Category < targetList[j].Category })
	if err := validTargets(targetList); err != nil {
		return nil, err
	}
	keys := make([]assess.Key, 0, len(f.Answers))
	for k := range f.Answers {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].Objective != keys[j].Objective {
			return keys[i].Objective < keys[j].Objective
		}
		return keys[i].Scope < keys[j].Scope
	})
	var out *Assessment
	err = s.write(ctx, func(tx *tx) error {
		var a *Assessment
		current := map[assess.Key]*Answer{}
		if opts.AssessmentID == "" {
			name := strings.TrimSpace(opts.Name)
			if name == "" {
				name = f.Assessment
			}
			if name == "" {
				name = "Imported " + f.Date.String()
			}
			in := AssessmentInput{Name: name, ModelRef: opts.ModelRef, ValidityDays: f.ValidityDays, EvidenceValidityDays: f.EvidenceValidityDays,
				TargetDefault: f.TargetDefault, Scopes: scopes, Targets: targetList}
			if err := in.normalize(); err != nil {
				return err
			}
			if a, err = createAssessment(ctx, tx, orgID, actor, in); err != nil {
				return err
			}
		} else {
			if a, err = getAssessment(ctx, tx, orgID, opts.AssessmentID); err != nil {
				return err
			}
			if err := setScopes(ctx, tx, orgID, actor, a, scopes, true); err != nil {
				return err
			}
			if err := setTargets(ctx, tx, orgID, actor, a, targetList, f.TargetDefault); err != nil {
				return err
			}
			if f.ValidityDays > 0 && f.ValidityDays != a.ValidityDays {
				if _, err := tx.exec(ctx, "UPDATE assessments SET validity_days = ? WHERE org_id = ? AND id = ?", f.ValidityDays, orgID, a.ID); err != nil {
					return err
				}
			}
			if f.EvidenceValidityDays != a.EvidenceValidityDays {
				if _, err := tx.exec(ctx, "UPDATE assessments SET evidence_validity_days = ? WHERE org_id = ? AND id = ?", f.EvidenceValidityDays, orgID, a.ID); err != nil {
					return err
				}
			}
			if a, err = getAssessment(ctx, tx, orgID, a.ID); err != nil {
				return err
			}
			old, err := listAnswers(ctx, tx, orgID, a.ID)
			if err != nil {
				return err
			}
			for i := range old {
				k := assess.Key{Objective: old[i].Objective, Scope: old[i].Scope}
				if _, keep := f.Answers[k]; keep {
					current[k] = &old[i]
					continue
				}
				if _, err := tx.exec(ctx, "DELETE FROM answers WHERE org_id = ? AND assessment_id = ? AND objective = ? AND scope = ?",
					orgID, a.ID, k.Objective, k.Scope); err != nil {
					return err
				}
				if err := recordAnswer(ctx, tx, orgID, actor, &old[i], true); err != nil {
					return err
				}
				if err := audit(ctx, tx, orgID, actor, auditRecord{"answer.delete", "answer", answerTarget(a.ID, k.Objective, k.Scope), old[i], nil}); err != nil {
					return err
				}
			}
			if err := replaceApprovedExemptions(ctx, tx, orgID, actor, a.ID); err != nil {
				return err
			}
		}
		for _, k := range keys {
			r := f.Answers[k]
			in := AnswerInput{AssessmentID: a.ID, Objective: k.Objective, Scope: k.Scope, Answer: r.Answer, Measure: r.Measure, Note: r.Note,
				Justification: r.Justification, AnsweredBy: r.By, AnsweredAt: r.Date}
			if r.Date.IsZero() {
				in.AnsweredAt = f.Date
			}
			if cur := current[k]; cur != nil {
				if cur.Response().Equal(assess.Response{Answer: in.Answer, Measure: in.Measure, Note: in.Note, Justification: in.Justification, By: in.AnsweredBy, Date: in.AnsweredAt}) {
					continue
				}
				in.ExpectedVersion = cur.Version
			}
			if err := in.validate(); err != nil {
				return err
			}
			if _, err := putAnswer(ctx, tx, orgID, actor, a, in); err != nil {
				return err
			}
		}
		objectives := make([]string, 0, len(f.Exemptions))
		for id := range f.Exemptions {
			objectives = append(objectives, id)
		}
		sort.Strings(objectives)
		for _, id := range objectives {
			fe := f.Exemptions[id]
			e := &Exemption{ID: NewID(), AssessmentID: a.ID, Objective: id, Reason: fe.Reason, RequestedBy: fe.RequestedBy, Comment: fe.Comment,
				Requested: tx.now, Approver: fe.Approver, Status: ExemptionApproved, Until: fe.Until, DecidedBy: actorID(actor), Decided: tx.now}
			if e.Reason == "" || e.Until.IsZero() {
				return csmm.Errorf(csmm.EINVALID, "exemption of %s: expected a reason and an expiry date", id)
			}
			if err := textfield.Check(textfield.Note("exemption of "+id+": the reason", e.Reason), textfield.Name("exemption of "+id+": the approver", e.Approver)); err != nil {
				return err
			}
			if err := insertExemption(ctx, tx, orgID, e); err != nil {
				return err
			}
			if err := audit(ctx, tx, orgID, actor, auditRecord{"exemption.import", "exemption", e.ID, nil, e}); err != nil {
				return err
			}
		}
		if err := touchAssessment(ctx, tx, orgID, a.ID); err != nil {
			return err
		}
		out, err = getAssessment(ctx, tx, orgID, a.ID)
		return err
	})
	return out, err
}

// replaceApprovedExemptions ends the approved exemptions of an assessment
// whose file is being re-imported: the file's exemptions take their place.
func replaceApprovedExemptions(ctx context.Context, tx *tx, orgID string, actor Actor, assessmentID string) error {
	list, err := listExemptions(ctx, tx, orgID, assessmentID)
	if err != nil {
		return err
	}
	for _, e := range list {
		if e.Status != ExemptionApproved {
			continue
		}
		if _, err := tx.exec(ctx, "DELETE FROM exemptions WHERE org_id = ? AND id = ?", orgID, e.ID); err != nil {
			return err
		}
		if err := audit(ctx, tx, orgID, actor, auditRecord{"exemption.delete", "exemption", e.ID, e, nil}); err != nil {
			return err
		}
	}
	return nil
}

// snapshot is a stored assessment with everything scoring needs.
type snapshot struct {
	a           *Assessment
	custom      *CustomModel
	answers     []Answer
	evidence    []Evidence
	exemptionsL []Exemption
	// known are the answers known on a past date (rewind), which scoring
	// uses instead of answers; nil for the answers as stored.
	known []Answer
	// changes is the history of the answers, read by rewind.
	changes []AnswerChange

	// mu guards base and saved, which scoring sets once it has built the
	// snapshot's input (the rest never changes once the snapshot is kept).
	mu sync.Mutex
	// base is the scoring input (without its date) built from the
	// snapshot, or, for a snapshot derived by a save from a kept one (see
	// liveCache.answersSaved), the one its answers are taken from; a kept
	// snapshot with a base has no answers, evidence or exemptions of its own.
	base *scoringBase
	// saved are the answers saved through this Store since base was built
	// or answers were read, one per objective and scope: each takes the
	// place of the answer of its objective and scope, or is added. Only
	// kept snapshots have them, never a rewound one.
	saved []Answer
}

// rewind makes the snapshot score the answers known on asOf, from the
// answers' history, when asOf is before the transaction's date; on or
// after it the stored answers are what is known.
func (snap *snapshot) rewind(ctx context.Context, tx *tx, orgID string, asOf assess.Date) error {
	if !beforeToday(tx.now, asOf) {
		return nil
	}
	changes, err := answerHistory(ctx, tx, orgID, snap.a.ID)
	if err != nil {
		return err
	}
	snap.changes, snap.known = changes, answersAsOf(changes, asOf)
	return nil
}

// scored returns the answers that scoring uses: those known on the date
// rewound to, else the stored ones (under a kept snapshot's saved ones).
func (snap *snapshot) scored() []Answer {
	if snap.known != nil {
		return snap.known
	}
	return snap.answers
}

func readSnapshot(ctx context.Context, tx *tx, orgID, id string) (*snapshot, error) {
	a, err := getAssessment(ctx, tx, orgID, id)
	if err != nil {
		return nil, err
	}
	snap := &snapshot{a: a}
	if !IsBuiltinModelRef(a.ModelRef) {
		if snap.custom, err = customModel(ctx, tx, orgID, a.ModelRef); err != nil {
			return nil, err
		}
	}
	if snap.answers, err = listAnswers(ctx, tx, orgID, id); err != nil {
		return nil, err
	}
	if snap.evidence, err = listEvidence(ctx, tx, orgID, id); err != nil {
		return nil, err
	}
	if snap.exemptionsL, err = listExemptions(ctx, tx, orgID, id); err != nil {
		return nil, err
	}
	return snap, nil
}

func (snap *snapshot) model(models *modelCache) (*model.Model, error) {
	if snap.custom == nil {
		return model.BuiltinRef(snap.a.ModelRef)
	}
	return models.parse(snap.custom)
}

// exemptions returns the approved exemptions by objective, the most
// recently decided one where there are several.
func (snap *snapshot) exemptions() map[string]assess.Exemption {
	out := map[string]assess.Exemption{}
	decided := map[string]int64{}
	for _, e := range snap.exemptionsL {
		if e.Status != ExemptionApproved {
			continue
		}
		if t, ok := decided[e.Objective]; ok && t > e.Decided.UnixMicro() {
			continue
		}
		decided[e.Objective] = e.Decided.UnixMicro()
		out[e.Objective] = assess.Exemption{Reason: e.Reason, Approver: e.Approver, Until: e.Until, RequestedBy: e.RequestedBy, Comment: e.Comment}
	}
	return out
}

func assessScopes(list []Scope) []assess.Scope {
	out := make([]assess.Scope, len(list))
	for i, sc := range list {
		out[i] = assess.Scope{ID: sc.ID, Name: sc.Name, Weight: sc.Weight}
	}
	return out
}

func targetMap(list []Target) map[string]int {
	out := map[string]int{}
	for _, t := range list {
		out[t.Category] = t.Level
	}
	return out
}
