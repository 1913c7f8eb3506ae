package store

import (
	"context"

	"github.com/csmm/csmm/internal/assess"
)

// State is a stored assessment read in one snapshot: the assessment (with
// its revision), its answers and exemptions as stored, and the scoring input
// built from them. It is what a page that shows and scores an assessment
// needs, in one read instead of three.
type State struct {
	Assessment *Assessment
	// Answers are every answer, by objective and scope.
	Answers []Answer
	// Exemptions are every exemption, requested, approved or refused, newest first.
	Exemptions []Exemption
	// Input is the scoring input as of the date asked for, as Scoring returns it.
	Input assess.Input
}

// State reads an assessment of the organization with its answers,
// exemptions and scoring input as of a date, all in one read-only
// transaction. It returns not_found for another organization's assessment
// and invalid when its custom model no longer parses.
func (s *Store) State(ctx context.Context, orgID, id string, asOf assess.Date) (_ *State, err error) {
	defer wrap(&err, "assessment state(%s, %s)", orgID, id)
	var snap *snapshot
	err = s.read(ctx, func(tx *tx) error {
		if snap, err = readSnapshot(ctx, tx, orgID, id); err != nil {
			return err
		}
		return snap.rewind(ctx, tx, orgID, asOf)
	})
	if err != nil {
		return nil, err
	}
	in, err := snap.input(asOf, &s.models)
	if err != nil {
		return nil, err
	}
	return &State{Assessment: snap.a, Answers: snap.answers, Exemptions: snap.exemptionsL, Input: in}, nil
}

// input is the scoring input of a snapshot as of a date: answers (those
// known that day when the snapshot was rewound), evidence
// summed over its sources, approved exemptions and targets.
func (snap *snapshot) input(asOf assess.Date, models *modelCache) (assess.Input, error) {
	m, err := snap.model(models)
	if err != nil {
		return assess.Input{}, err
	}
	in := assess.Input{
		Model:        m,
		Scopes:       assessScopes(snap.a.Scopes),
		Answers:      make(map[assess.Key]assess.Response, len(snap.answers)),
		Evidence:     map[assess.Key]assess.Evidence{},
		Exemptions:   snap.exemptions(),
		Targets:      targetMap(snap.a.Targets),
		ValidityDays: snap.a.ValidityDays,
		AsOf:         asOf,

		EvidenceValidityDays: snap.a.EvidenceValidityDays,
	}
	for _, list := range [][]Answer{snap.scored(), snap.saved} {
		for i := range list {
			a := &list[i]
			in.Answers[assess.Key{Objective: a.Objective, Scope: a.Scope}] = a.Response()
		}
	}
	for _, e := range snap.evidence {
		k := assess.Key{Objective: e.Objective, Scope: e.Scope}
		in.Evidence[k] = in.Evidence[k].Plus(e.Assess())
	}
	return in, nil
}
