package store

import (
	"context"
	"strings"
)

// On PostgreSQL a batch of answer saves is two statements whatever its
// size, instead of BEGIN, five statements per save and COMMIT: one query
// reads the slots of every save (answerSlots), and one statement, which
// commits by itself, writes every accepted save (writeSavesSQL): the
// answers, their history rows, their audit entries and the assessments'
// revisions. Each statement is a round trip to a database that shares the
// machine's processors, so under load most of a save's time was spent
// waiting for those round trips, not running them.
//
// The result of each save is the one it would have alone: the slots are
// read before anything is written, and no two saves of such a batch write
// the same answer (saveBatch writes a batch that does save by save), so no
// save's slot depends on another save of the batch. The slots are read
// outside the write, as a transaction at PostgreSQL's READ COMMITTED
// isolation read them before: the write checks again, in the same
// statement, that each answer's version is still the one read and each
// assessment still live. If the write fails, or would write less than
// planned, it writes nothing and saveBatch writes the batch save by save.

// answerSlots reads the slots of saves with one query, as answerSlot reads
// one: slots[i] is saves[i]'s, nil when its assessment is not one of its
// organization's.
func answerSlots(ctx context.Context, tx *tx, saves []*answerSave) ([]*slot, error) {
	orgs := make([]string, len(saves))
	ids := make([]string, len(saves))
	objectives := make([]string, len(saves))
	scopes := make([]string, len(saves))
	for i, r := range saves {
		orgs[i], ids[i], objectives[i], scopes[i] = r.orgID, r.in.AssessmentID, strings.TrimSpace(r.in.Objective), r.in.Scope
	}
	rows, err := tx.query(ctx, `SELECT i.n, `+slotColumns+`
		FROM unnest(?::text[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS i (org_id, id, objective, scope, n)
		JOIN assessments a ON a.org_id = i.org_id AND a.id = i.id
		LEFT JOIN scopes s ON s.org_id = a.org_id AND s.assessment_id = a.id AND s.scope = i.scope
		LEFT JOIN answers ans ON ans.org_id = a.org_id AND ans.assessment_id = a.id AND ans.objective = i.objective AND ans.scope = i.scope`,
		orgs, ids, objectives, scopes)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	keys := make([][4]string, len(saves))
	for i := range saves {
		keys[i] = [4]string{orgs[i], ids[i], objectives[i], scopes[i]}
	}
	return scanSlots(rows, keys)
}

// writeSavesSQL writes the saves of a batch in one statement, as saveAnswer
// and reviseAssessment write each: an answer stored before is updated if
// its version is still the one read (and inserted otherwise, failing on
// the primary key if one was stored meanwhile), a history row and an audit
// entry are appended for each, and each assessment's revision rises by its
// number of saves. It returns each revised assessment with its new
// revision.
//
// The statement commits by itself, so it must fail whole when it writes
// fewer answers or revises fewer assessments than given (the last two
// parameters): an answer changed since its slot was read, an assessment
// archived meanwhile. PostgreSQL has no function that raises an error in
// plain SQL; dividing by zero does, and aborts the statement with every
// row its parts wrote. The single row of w makes the division run even
// when no assessment was revised.
const writeSavesSQL = `WITH i AS (
	SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
		?::bigint[], ?::bigint[], ?::float8[], ?::float8[], ?::boolean[],
		?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
	AS i (org_id, assessment_id, objective, scope, answer, note, justification, answered_by, answered_at,
		version, previous, measured, measure_of, measure_percent,
		updated_by, audit_id, actor_user_id, actor_token_id, target_id, before_json, after_json, remote_addr)
), updated AS (
	UPDATE answers ans SET answer = i.answer, note = i.note, justification = i.justification, answered_by = i.answered_by,
		answered_at = i.answered_at, version = i.version, updated_by = i.updated_by, updated_at = ?,
		measured = i.measured, measure_of = i.measure_of, measure_percent = i.measure_percent
	FROM i
	WHERE i.previous > 0 AND ans.org_id = i.org_id AND ans.assessment_id = i.assessment_id AND ans.objective = i.objective
		AND ans.scope = i.scope AND ans.version = i.previous
	RETURNING 1
), inserted AS (
	INSERT INTO answers (org_id, assessment_id, objective, scope, answer, note, justification, answered_by, answered_at, version, updated_by, updated_at, measured, measure_of, measure_percent)
	SELECT org_id, assessment_id, objective, scope, answer, note, justification, answered_by, answered_at, version, updated_by, ?, measured, measure_of, measure_percent
	FROM i WHERE i.previous = 0
	RETURNING 1
), history AS (
	INSERT INTO answer_history (org_id, assessment_id, objective, scope, seq, deleted, answer, measured, measure_of, measure_percent,
		note, justification, answered_by, answered_at, version, changed_by, changed_at)
	SELECT i.org_id, i.assessment_id, i.objective, i.scope,
		(SELECT COALESCE(MAX(h.seq), 0) + 1 FROM answer_history h WHERE h.org_id = i.org_id AND h.assessment_id = i.assessment_id AND h.objective = i.objective AND h.scope = i.scope),
		FALSE, i.answer, i.measured, i.measure_of, i.measure_percent, i.note, i.justification, i.answered_by, i.answered_at, i.version, i.updated_by, ?
	FROM i
), audit AS (
	INSERT INTO audit_log (id, org_id, actor_user_id, actor_token_id, action, target_type, target_id, before_json, after_json, at, remote_addr)
	SELECT audit_id, org_id, actor_user_id, actor_token_id, 'answer.put', 'answer', target_id, NULLIF(before_json, ''), NULLIF(after_json, ''), ?, remote_addr
	FROM i
), revised AS (
	UPDATE assessments a SET revision = a.revision + c.saves, updated_at = ?
	FROM (SELECT org_id, assessment_id, COUNT(*) AS saves FROM i GROUP BY org_id, assessment_id) c
	WHERE a.org_id = c.org_id AND a.id = c.assessment_id AND a.archived_at IS NULL
	RETURNING a.org_id, a.id, a.revision, c.saves
)
SELECT r.org_id, r.id, r.revision, r.saves
FROM (SELECT (SELECT COUNT(*) FROM updated) + (SELECT COUNT(*) FROM inserted) = ? AND (SELECT COUNT(*) FROM revised) = ? AS complete) w
LEFT JOIN revised r ON TRUE
WHERE 1 / w.complete::int = 1`

// execPostgres runs writeSavesSQL and returns the revision of each revised
// assessment's first save of the batch.
func (w *saveWrites) execPostgres(ctx context.Context, tx *tx) (map[[2]string]int64, error) {
	next := map[[2]string]int64{}
	for i, r := range w.saves {
		next[[2]string{r.orgID, w.ids[i]}] = 0
	}
	now := tx.now.UnixMicro()
	rows, err := tx.query(ctx, writeSavesSQL,
		w.orgs, w.ids, w.objectives, w.scopes, w.words, w.notes, w.justifications, w.answeredBy, w.answeredAt,
		w.versions, w.previous, w.measured, w.measureOf, w.percent,
		w.updatedBy, w.auditIDs, w.actorUsers, w.actorTokens, w.targets, w.before, w.after, w.remoteAddrs,
		now, now, now, now, now, len(w.saves), len(next))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k [2]string
		var rev, saves int64
		if err := rows.Scan(&k[0], &k[1], &rev, &saves); err != nil {
			return nil, err
		}
		next[k] = rev - saves + 1
	}
	return next, rows.Err()
}
