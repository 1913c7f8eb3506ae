package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/history"
	"github.com/csmm/csmm/internal/model"
)

// SnapshotInfo is a snapshot as lists show it, without its input and result.
type SnapshotInfo struct {
	ID           string          `json:"id"`
	AssessmentID string          `json:"assessment_id"`
	Assessment   string          `json:"assessment"`
	Finalized    time.Time       `json:"finalized"`
	FinalizedBy  string          `json:"finalized_by"`
	Note         string          `json:"note,omitempty"`
	AsOf         assess.Date     `json:"as_of"`
	Model        assess.ModelRef `json:"model"`
	Program      *float64        `json:"program_score"`
	Floor        *int            `json:"floor"`
}

// Finalize freezes an assessment into a snapshot dated today: its answers
// (with who gave and saved them, and when), evidence with its sources,
// approved exemptions, targets, scopes, its model (kept by the hash of its
// YAML, so later changes to a custom model cannot alter the snapshot), and
// the scores and roadmap computed from them. The snapshot is never updated;
// work continues on the live assessment. by names who finalized it (the
// user's name). The change is audited and counts for benchmarks as the
// organization's latest snapshot. It returns not_found for another
// organization's assessment and invalid when its custom model no longer parses.
func (s *Store) Finalize(ctx context.Context, orgID string, actor Actor, assessmentID, by, note string) (_ *history.Snapshot, err error) {
	defer wrap(&err, "finalize(%s, %s)", orgID, assessmentID)
	var out *history.Snapshot
	err = s.write(ctx, func(tx *tx) error {
		live, err := readSnapshot(ctx, tx, orgID, assessmentID)
		if err != nil {
			return err
		}
		org, err := organization(ctx, tx, "id", orgID)
		if err != nil {
			return err
		}
		yaml, m, err := live.modelYAML(&s.models)
		if err != nil {
			return err
		}
		asOf := assess.DateOf(tx.now)
		snap := &history.Snapshot{
			Format: history.FileFormat, Version: history.FileVersion,
			ID: NewID(), OrgID: orgID, Organization: org.Name,
			AssessmentID: assessmentID, Assessment: live.a.Name,
			Finalized: tx.now, FinalizedBy: by, Note: note,
			Model:       assess.ModelRef{ID: m.ID, Version: m.Version},
			ModelSHA256: history.ModelHash(yaml),
			Input:       live.frozen(asOf),
		}
		snap.Result = assess.Score(snap.Input.Assess(m, asOf))
		if err := insertSnapshot(ctx, tx, snap, yaml); err != nil {
			return err
		}
		// The assessment's report shows its snapshots: a new one is a change.
		if err := touchAssessment(ctx, tx, orgID, assessmentID); err != nil {
			return err
		}
		info := snapshotInfo(snap)
		if err := audit(ctx, tx, orgID, actor, auditRecord{"snapshot.create", "snapshot", snap.ID, nil, info}); err != nil {
			return err
		}
		out = snap
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// LiveSide is the live assessment frozen as of a date (the answers known
// that day, from their history, when the date is past), as one side of a
// comparison with a snapshot (its SnapshotID is history.Live), with the
// history of its answers' changes. It returns
// not_found for another organization's assessment.
func (s *Store) LiveSide(ctx context.Context, orgID, assessmentID string, asOf assess.Date) (_ history.Side, err error) {
	defer wrap(&err, "live side(%s, %s)", orgID, assessmentID)
	var live *snapshot
	err = s.read(ctx, func(tx *tx) error {
		if live, err = readSnapshot(ctx, tx, orgID, assessmentID); err != nil {
			return err
		}
		if err := live.rewind(ctx, tx, orgID, asOf); err != nil {
			return err
		}
		if live.changes == nil {
			live.changes, err = answerHistory(ctx, tx, orgID, assessmentID)
		}
		return err
	})
	if err != nil {
		return history.Side{}, err
	}
	_, m, err := live.modelYAML(&s.models)
	if err != nil {
		return history.Side{}, err
	}
	in := live.frozen(asOf)
	changes := make([]history.AnswerEvent, 0, len(live.changes))
	for _, c := range live.changes {
		changes = append(changes, history.AnswerEvent{Objective: c.Objective, Scope: c.Scope, Deleted: c.Deleted, UpdatedBy: c.ChangedBy, Updated: c.Changed})
	}
	// The history is by objective and scope; the comparison wants the order of changes.
	sort.SliceStable(changes, func(i, j int) bool { return changes[i].Updated.Before(changes[j].Updated) })
	return history.Side{SnapshotID: history.Live, Assessment: assessmentID, Model: m, Input: in, Result: assess.Score(in.Assess(m, asOf)), Changes: changes}, nil
}

// modelYAML returns the YAML of the live assessment's model and the model.
func (live *snapshot) modelYAML(models *modelCache) ([]byte, *model.Model, error) {
	m, err := live.model(models)
	if err != nil {
		return nil, nil, err
	}
	if live.custom != nil {
		return []byte(live.custom.YAML), m, nil
	}
	yaml, err := model.BuiltinRefYAML(m.Ref())
	if err != nil {
		return nil, nil, err
	}
	return yaml, m, nil
}

// frozen copies the live assessment's scoring input, with who and when.
func (live *snapshot) frozen(asOf assess.Date) history.Input {
	in := history.Input{
		AsOf: asOf, ValidityDays: live.a.ValidityDays, Scopes: assessScopes(live.a.Scopes),
		Targets: targetMap(live.a.Targets), TargetDefault: live.a.TargetDefault,
		Answers: make([]history.Answer, 0, len(live.answers)), Evidence: make([]history.Evidence, 0, len(live.evidence)),
		Exemptions: []history.Exemption{},
	}
	for _, a := range live.scored() {
		in.Answers = append(in.Answers, history.Answer{Objective: a.Objective, Scope: a.Scope, Response: a.Response(), UpdatedBy: a.UpdatedBy, Updated: a.Updated})
	}
	for _, e := range live.evidence {
		in.Evidence = append(in.Evidence, history.Evidence{Objective: e.Objective, Scope: e.Scope,
			Evidence: assess.Evidence{Passed: e.Passed, Failed: e.Failed, Muted: e.Muted, Source: e.Source},
			FileName: e.FileName, Format: e.Format, Imported: e.Imported, ImportedBy: e.ImportedBy})
	}
	approved := live.exemptions()
	for _, e := range live.exemptionsL {
		if ex, ok := approved[e.Objective]; ok && ex == (assess.Exemption{Reason: e.Reason, Approver: e.Approver, Until: e.Until}) && e.Status == ExemptionApproved {
			in.Exemptions = append(in.Exemptions, history.Exemption{Objective: e.Objective, Exemption: ex, RequestedBy: e.RequestedBy, DecidedBy: e.DecidedBy, Decided: e.Decided})
			delete(approved, e.Objective)
		}
	}
	in.Sort()
	return in
}

func snapshotInfo(s *history.Snapshot) SnapshotInfo {
	rows := history.Scores(&s.Result)
	return SnapshotInfo{ID: s.ID, AssessmentID: s.AssessmentID, Assessment: s.Assessment, Finalized: s.Finalized,
		FinalizedBy: s.FinalizedBy, Note: s.Note, AsOf: s.Input.AsOf, Model: s.Model, Program: rows[0].Score, Floor: rows[0].Level}
}

// insertSnapshot stores a snapshot, its model (once per hash), its score
// rows, and makes it its organization's latest for benchmarks. Exported for
// bulk loading through InsertSnapshots.
func insertSnapshot(ctx context.Context, tx *tx, snap *history.Snapshot, yaml []byte) error {
	if err := putSnapshotModel(ctx, tx, snap.ModelSHA256, yaml); err != nil {
		return err
	}
	in, err := history.Pack(snap.Input)
	if err != nil {
		return err
	}
	res, err := history.Pack(snap.Result)
	if err != nil {
		return err
	}
	rows := history.Scores(&snap.Result)
	if _, err := tx.exec(ctx, `INSERT INTO snapshots (id, org_id, assessment_id, assessment_name, finalized_at, finalized_by, note, as_of,
		model_id, model_version, model_sha256, program_score, floor, input, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		snap.ID, snap.OrgID, snap.AssessmentID, snap.Assessment, micros(snap.Finalized), snap.FinalizedBy, snap.Note, snap.Input.AsOf.String(),
		snap.Model.ID, snap.Model.Version, snap.ModelSHA256, rows[0].Score, rows[0].Level, in, res); err != nil {
		return err
	}
	for i, r := range rows {
		if _, err := tx.exec(ctx, "INSERT INTO snapshot_scores (snapshot_id, pos, org_id, kind, ref, score, level, target) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			snap.ID, i, snap.OrgID, r.Kind, r.ID, r.Score, r.Level, r.Target); err != nil {
			return err
		}
	}
	// The same rows in one summary row, which trends and benchmarks read.
	scores, err := history.EncodeScores(rows)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO snapshot_summaries (snapshot_id, org_id, assessment_id, assessment_name, finalized_at, as_of, model_id, model_version, scores)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		snap.ID, snap.OrgID, snap.AssessmentID, snap.Assessment, micros(snap.Finalized), snap.Input.AsOf.String(), snap.Model.ID, snap.Model.Version, scores); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO benchmark_latest (org_id, snapshot_id, model_id, model_version, finalized_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (org_id) DO UPDATE SET snapshot_id = excluded.snapshot_id, model_id = excluded.model_id,
		model_version = excluded.model_version, finalized_at = excluded.finalized_at`,
		snap.OrgID, snap.ID, snap.Model.ID, snap.Model.Version, micros(snap.Finalized)); err != nil {
		return err
	}
	return bumpBenchmarks(ctx, tx)
}

func putSnapshotModel(ctx context.Context, tx *tx, hash string, yaml []byte) error {
	_, err := tx.exec(ctx, "INSERT INTO snapshot_models (sha256, yaml) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING", hash, string(yaml))
	return err
}

// bumpBenchmarks records a change to what benchmarks read.
func bumpBenchmarks(ctx context.Context, tx *tx) error {
	_, err := tx.exec(ctx, `INSERT INTO benchmark_state (id, generation) VALUES (1, 1)
		ON CONFLICT (id) DO UPDATE SET generation = benchmark_state.generation + 1`)
	return err
}

const snapshotInfoColumns = "id, assessment_id, assessment_name, finalized_at, finalized_by, note, as_of, model_id, model_version, program_score, floor"

func scanSnapshotInfo(sc interface{ Scan(...any) error }) (SnapshotInfo, error) {
	var s SnapshotInfo
	var score sql.NullFloat64
	var floor sql.NullInt64
	err := sc.Scan(&s.ID, &s.AssessmentID, &s.Assessment, timeCol{&s.Finalized}, &s.FinalizedBy, &s.Note, dateCol{&s.AsOf},
		&s.Model.ID, &s.Model.Version, &score, &floor)
	if score.Valid {
		s.Program = &score.Float64
	}
	if floor.Valid {
		f := int(floor.Int64)
		s.Floor = &f
	}
	return s, err
}

// ListSnapshots returns the organization's snapshots, newest first: every
// one, or one assessment's when assessmentID is not empty.
func (s *Store) ListSnapshots(ctx context.Context, orgID, assessmentID string) (_ []SnapshotInfo, err error) {
	defer wrap(&err, "list snapshots(%s, %s)", orgID, assessmentID)
	q, args := "SELECT "+snapshotInfoColumns+" FROM snapshots WHERE org_id = ?", []any{orgID}
	if assessmentID != "" {
		q += " AND assessment_id = ?"
		args = append(args, assessmentID)
	}
	q += " ORDER BY finalized_at DESC, id DESC"
	out := []SnapshotInfo{}
	err = s.readOne(ctx, func(tx *tx) error {
		rows, err := tx.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			si, err := scanSnapshotInfo(rows)
			if err != nil {
				return err
			}
			out = append(out, si)
		}
		return rows.Err()
	})
	return out, err
}

// GetSnapshot returns one snapshot of the organization, with its model's
// YAML (ModelYAML) and the model parsed from it. It returns not_found for
// an unknown snapshot or another organization's.
func (s *Store) GetSnapshot(ctx context.Context, orgID, id string) (_ *history.Snapshot, _ *model.Model, err error) {
	defer wrap(&err, "snapshot(%s, %s)", orgID, id)
	// A snapshot never changes: once decoded it is kept, and every caller
	// gets its own copy of the top-level fields.
	if e, ok := s.snaps.get(orgID + "\x00" + id); ok {
		cp := *e.snap
		return &cp, e.m, nil
	}
	var info SnapshotInfo
	var in, res []byte
	var hash, yaml string
	err = s.read(ctx, func(tx *tx) error {
		row := tx.queryRow(ctx, "SELECT "+snapshotInfoColumns+", model_sha256, input, result FROM snapshots WHERE org_id = ? AND id = ?", orgID, id)
		var score sql.NullFloat64
		var floor sql.NullInt64
		if err := row.Scan(&info.ID, &info.AssessmentID, &info.Assessment, timeCol{&info.Finalized}, &info.FinalizedBy, &info.Note, dateCol{&info.AsOf},
			&info.Model.ID, &info.Model.Version, &score, &floor, &hash, &in, &res); err != nil {
			return notFound(err, "snapshot", id)
		}
		return tx.queryRow(ctx, "SELECT yaml FROM snapshot_models WHERE sha256 = ?", hash).Scan(&yaml)
	})
	if err != nil {
		return nil, nil, err
	}
	snap := &history.Snapshot{Format: history.FileFormat, Version: history.FileVersion, ID: info.ID, OrgID: orgID,
		AssessmentID: info.AssessmentID, Assessment: info.Assessment, Finalized: info.Finalized, FinalizedBy: info.FinalizedBy,
		Note: info.Note, Model: info.Model, ModelSHA256: hash, ModelYAML: yaml}
	if err := history.Unpack(in, &snap.Input); err != nil {
		return nil, nil, err
	}
	if err := history.Unpack(res, &snap.Result); err != nil {
		return nil, nil, err
	}
	org, err := s.GetOrganization(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	snap.Organization = org.Name
	key := "snapshot\x00" + hash
	m, ok := s.models.get(key)
	if !ok {
		if m, err = model.Parse(info.Model.ID+"@"+info.Model.Version, []byte(yaml)); err != nil {
			return nil, nil, csmm.Errorf(csmm.EINVALID, "the model of snapshot %s does not parse: %v", id, err)
		}
		s.models.put(key, m)
	}
	s.snaps.put(orgID+"\x00"+id, &snapEntry{snap: snap, m: m})
	cp := *snap
	return &cp, m, nil
}

// snapCache keeps decoded snapshots, which never change, by organization
// and ID. Past maxCachedSnapshots entries it starts over.
type snapCache struct {
	mu      sync.Mutex
	entries map[string]*snapEntry
	// compared keeps comparisons of two snapshots, which never change
	// either, by organization, from and to.
	compared map[string]*history.Comparison
}

type snapEntry struct {
	snap *history.Snapshot
	m    *model.Model
}

const maxCachedSnapshots = 2048

func (c *snapCache) get(key string) (*snapEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	return e, ok
}

func (c *snapCache) comparison(key string) (*history.Comparison, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cmp, ok := c.compared[key]
	return cmp, ok
}

func (c *snapCache) putComparison(key string, cmp *history.Comparison) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.compared == nil || len(c.compared) >= maxCachedSnapshots {
		c.compared = map[string]*history.Comparison{}
	}
	c.compared[key] = cmp
}

func (c *snapCache) put(key string, e *snapEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxCachedSnapshots {
		c.entries = map[string]*snapEntry{}
	}
	c.entries[key] = e
}

// Trend returns the scores of the organization's snapshots, oldest first:
// every one, or one assessment's when assessmentID is not empty. It reads
// one summary row per snapshot (its scores, written when it was
// finalized), never the snapshots' input or result.
func (s *Store) Trend(ctx context.Context, orgID, assessmentID string) (_ *history.Trend, err error) {
	defer wrap(&err, "trend(%s, %s)", orgID, assessmentID)
	q := `SELECT snapshot_id, assessment_id, assessment_name, finalized_at, as_of, model_id, model_version, scores
		FROM snapshot_summaries WHERE org_id = ?`
	args := []any{orgID}
	if assessmentID != "" {
		q += " AND assessment_id = ?"
		args = append(args, assessmentID)
	}
	q += " ORDER BY finalized_at, snapshot_id"
	t := &history.Trend{OrgID: orgID, AssessmentID: assessmentID, Points: []history.TrendPoint{}}
	err = s.readOne(ctx, func(tx *tx) error {
		rows, err := tx.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p history.TrendPoint
			var scores string
			if err := rows.Scan(&p.SnapshotID, &p.AssessmentID, &p.Assessment, timeCol{&p.Finalized}, dateCol{&p.AsOf},
				&p.Model.ID, &p.Model.Version, &scores); err != nil {
				return err
			}
			if p.Scores, err = history.DecodeScores(scores); err != nil {
				return fmt.Errorf("snapshot %s: %w", p.SnapshotID, err)
			}
			t.Points = append(t.Points, p)
		}
		return rows.Err()
	})
	return t, err
}

func nullFloat(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	return &v.Float64
}

func nullInt(v sql.NullInt64) *int {
	if !v.Valid {
		return nil
	}
	n := int(v.Int64)
	return &n
}

// CompareSide returns one side of a comparison: the snapshot ref names, or
// for history.Live the live assessment assessmentID (scored as of asOf).
// It returns invalid for live without an assessment and not_found for an
// unknown snapshot or assessment.
func (s *Store) CompareSide(ctx context.Context, orgID, ref, assessmentID string, asOf assess.Date) (history.Side, error) {
	if ref == history.Live {
		if assessmentID == "" {
			return history.Side{}, csmm.Errorf(csmm.EINVALID, "comparing with the live assessment needs a snapshot on the other side or an assessment")
		}
		return s.LiveSide(ctx, orgID, assessmentID, asOf)
	}
	snap, m, err := s.GetSnapshot(ctx, orgID, ref)
	if err != nil {
		return history.Side{}, err
	}
	return history.SideOf(snap, m), nil
}

// Compare compares two sides named by snapshot IDs or history.Live (the
// live assessment of the other side's snapshot, or of assessmentID). The
// comparison of two snapshots is kept and shared: callers must not modify
// the result.
func (s *Store) Compare(ctx context.Context, orgID, from, to, assessmentID string, today assess.Date) (*history.Comparison, error) {
	if from == "" || to == "" {
		return nil, csmm.Errorf(csmm.EINVALID, "from and to: expected a snapshot ID or %q each", history.Live)
	}
	if from == history.Live && to == history.Live {
		return nil, csmm.Errorf(csmm.EINVALID, "from and to are both %q: compare the live assessment with a snapshot", history.Live)
	}
	// Two snapshots never change, nor does their comparison: it is kept.
	// Callers must not modify it.
	key := ""
	if from != history.Live && to != history.Live {
		key = orgID + "\x00" + from + "\x00" + to
		if cmp, ok := s.snaps.comparison(key); ok {
			return cmp, nil
		}
	}
	var sides [2]history.Side
	refs := [2]string{from, to}
	order := []int{0, 1}
	if from == history.Live {
		order = []int{1, 0}
	}
	for _, i := range order {
		side, err := s.CompareSide(ctx, orgID, refs[i], assessmentID, today)
		if err != nil {
			return nil, err
		}
		if assessmentID == "" && side.SnapshotID != history.Live {
			assessmentID = side.Assessment
		}
		sides[i] = side
	}
	cmp := history.Compare(sides[0], sides[1])
	if key != "" {
		s.snaps.putComparison(key, cmp)
	}
	return cmp, nil
}
