package store

import (
	"context"
	"runtime"
	"strings"
	"sync"
)

// On SQLite a batch of answer saves (often 20 to 60 under load, all written
// by the one write connection) is at most six statements inside the
// batch's transaction whatever its size, instead of five statements per
// save: one query reads every save's slot (answerSlotsSQLite), and at most
// five statements write the accepted saves' answers (updated, inserted),
// history rows and audit entries, and raise each assessment's revision by
// its number of saves (saveWrites.execSQLite). Each statement takes its
// rows as a VALUES list of bound parameters, so every value is stored as
// saving it alone would bind it. A statement that changes fewer rows than
// planned makes the batch fail, the transaction is rolled back, and the
// batch is written save by save (Store.saveBatch).

// valuesCTE returns "WITH name(cols) AS (VALUES (?, ...), ...) " for the
// values args (rows rows of the columns cols, comma-separated), and the
// arguments to bind. The list has rows rounded up to a multiple of
// valuesRowStep, the rows past rows all NULL: the statements of a batch
// have one text for every batch of a few sizes, so they are prepared once
// and stay so (six statements of eight sizes at most, well within the
// store's cache of prepared statements; one text for every size up to 64
// filled that cache, and the statements of larger batches were then
// parsed on every batch). Every statement skips the NULL rows: a join, or
// WHERE org_id IS NOT NULL (org_id is never NULL in a real row).
func valuesCTE(name, cols string, rows int, args []any) (string, []any) {
	padded := (rows + valuesRowStep - 1) / valuesRowStep * valuesRowStep
	k := valuesKey{name, cols, padded}
	v, ok := valuesCTEs.Load(k)
	if !ok {
		n := strings.Count(cols, ",") + 1
		row := "(" + strings.Repeat("?, ", n-1) + "?)"
		var b strings.Builder
		b.WriteString("WITH " + name + "(" + cols + ") AS (VALUES ")
		for i := range padded {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(row)
		}
		b.WriteString(") ")
		v, _ = valuesCTEs.LoadOrStore(k, valuesText{b.String(), n})
	}
	t := v.(valuesText)
	return t.query, append(args, make([]any, (padded-rows)*t.cols)...)
}

// valuesText is a VALUES list's text and its number of columns.
type valuesText struct {
	query string
	cols  int
}

// valuesRowStep is the multiple valuesCTE rounds its rows up to.
const valuesRowStep = 8

type valuesKey struct {
	name, cols string
	rows       int
}

var valuesCTEs sync.Map // of valuesKey to valuesText

// answerSlotsSQLite reads the slots of saves with one query, as answerSlot
// reads one: slots[i] is saves[i]'s, nil when its assessment is not one of
// its organization's.
func answerSlotsSQLite(ctx context.Context, tx *tx, saves []*answerSave) ([]*slot, error) {
	keys := make([][4]string, len(saves))
	args := make([]any, 0, 5*len(saves))
	for i, r := range saves {
		keys[i] = [4]string{r.orgID, r.in.AssessmentID, strings.TrimSpace(r.in.Objective), r.in.Scope}
		args = append(args, i+1, keys[i][0], keys[i][1], keys[i][2], keys[i][3])
	}
	cte, args := valuesCTE("i", "n, org_id, id, objective, scope", len(saves), args)
	rows, err := tx.query(ctx, cte+`
		SELECT i.n, `+slotColumns+`
		FROM i
		JOIN assessments a ON a.org_id = i.org_id AND a.id = i.id
		LEFT JOIN scopes s ON s.org_id = a.org_id AND s.assessment_id = a.id AND s.scope = i.scope
		LEFT JOIN answers ans ON ans.org_id = a.org_id AND ans.assessment_id = a.id AND ans.objective = i.objective AND ans.scope = i.scope`,
		args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scanSlots(rows, keys)
}

// The columns of the rows execSQLite writes.
const (
	sqliteAnswerCols  = "org_id, assessment_id, objective, scope, answer, note, justification, answered_by, answered_at, version, previous, updated_by, measured, measure_of, measure_percent"
	sqliteHistoryCols = "org_id, assessment_id, objective, scope, answer, note, justification, answered_by, answered_at, version, updated_by, measured, measure_of, measure_percent"
	sqliteAuditCols   = "id, org_id, actor_user_id, actor_token_id, target_id, before_json, after_json, remote_addr"
)

// answerArgs appends save i's values of sqliteAnswerCols (withPrevious)
// or sqliteHistoryCols.
func (w *saveWrites) answerArgs(args []any, i int, withPrevious bool) []any {
	args = append(args, w.orgs[i], w.ids[i], w.objectives[i], w.scopes[i], w.words[i], w.notes[i], w.justifications[i],
		w.answeredBy[i], w.answeredAt[i], w.versions[i])
	if withPrevious {
		args = append(args, w.previous[i])
	}
	var measured, of any
	if w.measured[i] != nil {
		measured, of = *w.measured[i], *w.measureOf[i]
	}
	return append(args, w.updatedBy[i], measured, of, w.percent[i])
}

// execSQLite writes w's saves with at most five statements in the batch's
// transaction, as saveAnswer and reviseAssessment write each, and returns
// the revision of each revised assessment's first save of the batch. It
// returns errBatch when a statement changes fewer rows than planned (the
// caller rolls back).
func (w *saveWrites) execSQLite(ctx context.Context, tx *tx) (map[[2]string]int64, error) {
	now := micros(tx.now)
	var updates, inserts, history, audit []any
	nUpdates := 0
	for i := range w.saves {
		if w.previous[i] > 0 {
			updates = w.answerArgs(updates, i, true)
			nUpdates++
		} else {
			inserts = w.answerArgs(inserts, i, true)
		}
		history = w.answerArgs(history, i, false)
		audit = append(audit, w.auditIDs[i], w.orgs[i], w.actorUsers[i], w.actorTokens[i], w.targets[i],
			w.before[i], w.after[i], w.remoteAddrs[i])
	}
	n := len(w.saves)
	// Each statement runs SQLite's code for the whole batch without
	// blocking: yielding between them lets score reads in.
	for _, st := range []struct {
		rows       int
		cols, stmt string
		args       []any
	}{
		{nUpdates, sqliteAnswerCols, `UPDATE answers SET answer = i.answer, note = i.note, justification = i.justification,
			answered_by = i.answered_by, answered_at = i.answered_at, version = i.version, updated_by = i.updated_by, updated_at = ?,
			measured = i.measured, measure_of = i.measure_of, measure_percent = i.measure_percent
		FROM i
		WHERE answers.org_id = i.org_id AND answers.assessment_id = i.assessment_id AND answers.objective = i.objective
			AND answers.scope = i.scope AND answers.version = i.previous`, updates},
		{n - nUpdates, sqliteAnswerCols, `INSERT INTO answers (org_id, assessment_id, objective, scope, answer, note, justification,
			answered_by, answered_at, version, updated_by, updated_at, measured, measure_of, measure_percent)
		SELECT org_id, assessment_id, objective, scope, answer, note, justification, answered_by, answered_at, version, updated_by, ?,
			measured, measure_of, measure_percent
		FROM i WHERE i.org_id IS NOT NULL`, inserts},
		{n, sqliteHistoryCols, `INSERT INTO answer_history (org_id, assessment_id, objective, scope, seq, deleted, answer,
			measured, measure_of, measure_percent, note, justification, answered_by, answered_at, version, changed_by, changed_at)
		SELECT i.org_id, i.assessment_id, i.objective, i.scope,
			(SELECT COALESCE(MAX(h.seq), 0) + 1 FROM answer_history h WHERE h.org_id = i.org_id AND h.assessment_id = i.assessment_id AND h.objective = i.objective AND h.scope = i.scope),
			FALSE, i.answer, i.measured, i.measure_of, i.measure_percent, i.note, i.justification, i.answered_by, i.answered_at, i.version, i.updated_by, ?
		FROM i WHERE i.org_id IS NOT NULL`, history},
		{n, sqliteAuditCols, `INSERT INTO audit_log (id, org_id, actor_user_id, actor_token_id, action, target_type, target_id, before_json, after_json, at, remote_addr)
		SELECT id, org_id, actor_user_id, actor_token_id, 'answer.put', 'answer', target_id, NULLIF(before_json, ''), NULLIF(after_json, ''), ?, remote_addr
		FROM i WHERE i.org_id IS NOT NULL`, audit},
	} {
		if st.rows == 0 {
			continue
		}
		cte, args := valuesCTE("i", st.cols, st.rows, st.args)
		res, err := tx.exec(ctx, cte+st.stmt, append(args, now)...)
		if err != nil {
			return nil, err
		}
		if changed, err := res.RowsAffected(); err != nil || changed != int64(st.rows) {
			return nil, errBatch
		}
		runtime.Gosched()
	}
	// Each assessment's revision rises by its number of saves in the batch.
	saves := map[[2]string]int64{}
	var order [][2]string
	for i, r := range w.saves {
		k := [2]string{r.orgID, w.ids[i]}
		if saves[k] == 0 {
			order = append(order, k)
		}
		saves[k]++
	}
	args := make([]any, 0, 3*len(order)+1)
	for _, k := range order {
		args = append(args, k[0], k[1], saves[k])
	}
	cte, args := valuesCTE("c", "org_id, assessment_id, saves", len(order), args)
	rows, err := tx.query(ctx, cte+`
		UPDATE assessments SET revision = revision + c.saves, updated_at = ?
		FROM c
		WHERE assessments.org_id = c.org_id AND assessments.id = c.assessment_id AND assessments.archived_at IS NULL
		RETURNING assessments.org_id, assessments.id, assessments.revision`, append(args, now)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	revised := make(map[[2]string]int64, len(saves))
	for rows.Next() {
		var k [2]string
		var rev int64
		if err := rows.Scan(&k[0], &k[1], &rev); err != nil {
			return nil, err
		}
		n, ok := saves[k]
		if !ok {
			return nil, errBatch
		}
		revised[k] = rev - n + 1
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(revised) != len(saves) {
		return nil, errBatch
	}
	return revised, nil
}
