package store

import (
	"context"
	"maps"
	"unsafe"

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
// summed over its sources, approved exemptions and targets. Its maps and
// slices are built once per snapshot and shared by every input of it
// (scoring only reads them): they must not be changed.
func (snap *snapshot) input(asOf assess.Date, models *modelCache) (assess.Input, error) {
	base, err := snap.scoring(models)
	if err != nil {
		return assess.Input{}, err
	}
	in := *base
	in.AsOf = asOf
	return in, nil
}

// scoreInput is input for assess.Score alone: when the snapshot has a
// base and answers saved since, the base's input with them in Saved
// instead of a copy of its answers with them in place.
func (snap *snapshot) scoreInput(asOf assess.Date, models *modelCache) (assess.Input, error) {
	snap.mu.Lock()
	base, saved := snap.base, snap.saved
	snap.mu.Unlock()
	if base == nil || len(saved) == 0 {
		return snap.input(asOf, models)
	}
	// A kept snapshot's saved answers never change (a save makes a new
	// snapshot): they are read without its lock.
	in := base.in
	in.AsOf = asOf
	in.Saved = make(map[assess.Key]assess.Response, len(saved))
	putAnswers(in.Saved, saved)
	return in, nil
}

// scoring returns the snapshot's scoring input without its date, built on
// first use: from base, when the snapshot has one, else from answers,
// evidence and exemptions; with the saved answers in place.
func (snap *snapshot) scoring(models *modelCache) (*assess.Input, error) {
	snap.mu.Lock()
	defer snap.mu.Unlock()
	if snap.base != nil && len(snap.saved) == 0 {
		return &snap.base.in, nil
	}
	var in *assess.Input
	if snap.base != nil {
		in = snap.base.withSaved(snap.saved)
	} else {
		m, err := snap.model(models)
		if err != nil {
			return nil, err
		}
		in = &assess.Input{
			Model:        m,
			Scopes:       assessScopes(snap.a.Scopes),
			Answers:      make(map[assess.Key]assess.Response, len(snap.scored())+len(snap.saved)),
			Evidence:     map[assess.Key]assess.Evidence{},
			Exemptions:   snap.exemptions(),
			Targets:      targetMap(snap.a.Targets),
			ValidityDays: snap.a.ValidityDays,

			EvidenceValidityDays: snap.a.EvidenceValidityDays,
		}
		putAnswers(in.Answers, snap.scored())
		putAnswers(in.Answers, snap.saved)
		for _, e := range snap.evidence {
			k := assess.Key{Objective: e.Objective, Scope: e.Scope}
			in.Evidence[k] = in.Evidence[k].Plus(e.Assess())
		}
	}
	snap.base, snap.saved = &scoringBase{in: *in, bytes: inputBytes(in)}, nil
	return &snap.base.in, nil
}

// scoringBase is a snapshot's scoring input without its date, shared by
// every scoring of the snapshot and, for its answers' map until it is
// built, of the snapshots derived from it by saves; nothing changes it.
type scoringBase struct {
	in assess.Input
	// bytes estimates its memory (see snapshot.size).
	bytes int64
}

// withSaved returns a copy of the input with saved answers in place: a new
// answers map, and the rest shared.
func (b *scoringBase) withSaved(saved []Answer) *assess.Input {
	in := b.in
	in.Answers = maps.Clone(b.in.Answers)
	putAnswers(in.Answers, saved)
	return &in
}

// putAnswers sets the response of each answer in m, by objective and scope.
func putAnswers(m map[assess.Key]assess.Response, answers []Answer) {
	for i := range answers {
		a := &answers[i]
		m[assess.Key{Objective: a.Objective, Scope: a.Scope}] = a.Response()
	}
}

// inputBytes estimates the memory of a scoring input without its model:
// its maps and the text of its answers that is not interned.
func inputBytes(in *assess.Input) int64 {
	n := mapBytes(len(in.Answers), int(unsafe.Sizeof(assess.Key{})+unsafe.Sizeof(assess.Response{})))
	for _, r := range in.Answers {
		n += len(r.Note) + len(r.Justification)
		if r.Measure != nil {
			n += int(unsafe.Sizeof(*r.Measure))
		}
	}
	n += mapBytes(len(in.Evidence), int(unsafe.Sizeof(assess.Key{})+unsafe.Sizeof(assess.Evidence{}))) + 400*len(in.Evidence)
	n += mapBytes(len(in.Exemptions), int(unsafe.Sizeof("")+unsafe.Sizeof(assess.Exemption{}))) + 400*len(in.Exemptions)
	n += mapBytes(len(in.Targets), int(unsafe.Sizeof("")+unsafe.Sizeof(0))) + len(in.Scopes)*int(unsafe.Sizeof(assess.Scope{}))
	return int64(n)
}

// mapBytes estimates the memory of a map of n entries of slot bytes each
// (key and value): groups of eight slots, filled to at most seven eighths,
// a power of two of them.
func mapBytes(n, slot int) int {
	slots := 8
	for slots*7/8 < n {
		slots *= 2
	}
	return 48 + slots/8*(8+8*slot)
}
