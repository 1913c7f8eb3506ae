package store

import (
	"context"
	"database/sql"
	"strings"
)

// A batch of answer saves that write distinct answers is written together:
// one query reads every save's slot, the same checks as a save alone run
// in Go (answerSave.accept), and the accepted saves are written with one
// statement on PostgreSQL (saves_postgres.go) or up to five on SQLite
// (saves_sqlite.go). This file holds what both share.

// answerKey identifies the answer a save writes.
func (r *answerSave) answerKey() string {
	return r.orgID + "\x00" + r.in.AssessmentID + "\x00" + strings.TrimSpace(r.in.Objective) + "\x00" + r.in.Scope
}

// distinctAnswers reports whether no two saves of batch write the same answer.
func distinctAnswers(batch []*answerSave) bool {
	seen := make(map[string]bool, len(batch))
	for _, r := range batch {
		k := r.answerKey()
		if seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

// writeTogether runs fn, which writes a batch together, as each database
// needs: on PostgreSQL outside a transaction (Store.writeAlone: fn's one
// write statement commits by itself), on SQLite in one (Store.write: fn's
// statements are rolled back when it fails).
func (s *Store) writeTogether(ctx context.Context, fn func(*tx) error) error {
	if s.dialect == dialectPostgres {
		return s.writeAlone(ctx, fn)
	}
	return s.write(ctx, fn)
}

// saveBatchTogether writes batch, whose saves write distinct answers, and
// sets each save's result: on PostgreSQL with one query and one statement,
// on SQLite with one query and up to five statements (run through
// Store.writeTogether). It returns an error, having written nothing, when
// the write fails or would not write every accepted save.
func saveBatchTogether(ctx context.Context, tx *tx, batch []*answerSave) error {
	saves := make([]*answerSave, 0, len(batch))
	for _, r := range batch {
		r.a, r.err, r.checkErr = nil, nil, false
		if err := r.ctx.Err(); err != nil {
			r.err = err
			continue
		}
		saves = append(saves, r)
	}
	if len(saves) == 0 {
		return nil
	}
	// Indexed reads and writes of the batch's rows: see tx.quickCtx. The
	// transaction still ends with batch's context (database/sql rolls it
	// back), and the statements run only while it has not ended.
	tx.quick = true
	var slots []*slot
	var err error
	if tx.dialect == dialectSQLite {
		slots, err = answerSlotsSQLite(ctx, tx, saves)
	} else {
		slots, err = answerSlots(ctx, tx, saves)
	}
	if err != nil {
		return err
	}
	var w saveWrites
	for i, r := range saves {
		if slots[i] == nil {
			r.err = notFound(sql.ErrNoRows, "assessment", r.in.AssessmentID)
			continue
		}
		in, err := r.accept(slots[i])
		if err != nil {
			r.err = err
			continue
		}
		if in.AssessmentID != r.in.AssessmentID || in.Objective != strings.TrimSpace(r.in.Objective) || in.Scope != r.in.Scope {
			// The check changed which answer is saved: its slot was
			// read for another, so each save of the batch runs alone.
			return errBatch
		}
		if err := w.add(r, slots[i].current, newAnswer(in.AssessmentID, slots[i].current, r.actor, in, tx.now)); err != nil {
			return err
		}
	}
	if len(w.saves) == 0 {
		return nil
	}
	return w.exec(ctx, tx)
}

// scanSlots reads the rows of a slots query: each is the 1-based index n
// of its save in keys (organization, assessment, objective, scope), then
// the slotColumns. slots[i] is nil for a save with no row.
func scanSlots(rows *sql.Rows, keys [][4]string) ([]*slot, error) {
	slots := make([]*slot, len(keys))
	for rows.Next() {
		var n int
		var r slotRow
		if err := rows.Scan(append([]any{&n}, r.dest()...)...); err != nil {
			return nil, err
		}
		if n < 1 || n > len(keys) || slots[n-1] != nil {
			return nil, errBatch
		}
		k := keys[n-1]
		slots[n-1] = r.slot(k[1], k[2], k[3])
	}
	return slots, rows.Err()
}

// saveWrites are the accepted saves of a batch, column by column, as
// writeSaves sends them.
type saveWrites struct {
	saves []*answerSave
	// answers[i] is what saves[i] stores.
	answers []*Answer

	orgs, ids, objectives, scopes, words, notes, justifications, answeredBy, answeredAt []string
	versions, previous                                                                  []int64
	measured, measureOf                                                                 []*float64
	percent                                                                             []bool
	updatedBy, auditIDs, actorUsers, actorTokens, targets, before, after, remoteAddrs   []string
}

// add appends r, which stores a over cur (nil for none).
func (w *saveWrites) add(r *answerSave, cur, a *Answer) error {
	var before any
	if cur != nil {
		before = cur
	}
	beforeJSON, err := auditJSON(before)
	if err != nil {
		return err
	}
	afterJSON, err := auditJSON(a)
	if err != nil {
		return err
	}
	w.saves, w.answers = append(w.saves, r), append(w.answers, a)
	w.orgs = append(w.orgs, r.orgID)
	w.ids = append(w.ids, a.AssessmentID)
	w.objectives = append(w.objectives, a.Objective)
	w.scopes = append(w.scopes, a.Scope)
	w.words = append(w.words, string(a.Answer))
	w.notes = append(w.notes, a.Note)
	w.justifications = append(w.justifications, a.Justification)
	w.answeredBy = append(w.answeredBy, a.AnsweredBy)
	w.answeredAt = append(w.answeredAt, a.AnsweredAt.String())
	w.versions = append(w.versions, int64(a.Version))
	w.previous = append(w.previous, int64(cur.version()))
	var measured, of *float64
	percent := false
	if m := a.Measure; m != nil {
		measured, of, percent = &m.Measured, &m.Of, m.Percent
	}
	w.measured = append(w.measured, measured)
	w.measureOf = append(w.measureOf, of)
	w.percent = append(w.percent, percent)
	w.updatedBy = append(w.updatedBy, a.UpdatedBy)
	w.auditIDs = append(w.auditIDs, NewID())
	w.actorUsers = append(w.actorUsers, r.actor.UserID)
	w.actorTokens = append(w.actorTokens, r.actor.TokenID)
	w.targets = append(w.targets, answerTarget(a.AssessmentID, a.Objective, a.Scope))
	w.before = append(w.before, nullString(beforeJSON))
	w.after = append(w.after, nullString(afterJSON))
	w.remoteAddrs = append(w.remoteAddrs, r.actor.RemoteAddr)
	return nil
}

// nullString is the audit JSON v as writeSaves sends it: "" for NULL
// (auditJSON never gives "" for a value).
func nullString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

// exec writes w's saves with one statement, which commits by itself, and
// sets their results: each save of an assessment gets the revision it
// would have had alone, the first the old revision plus one, the next plus
// two, in the batch's order. When it returns an error the statement wrote
// nothing, unless the error came after the statement (the connection lost
// as it answered: the outcome of a lost COMMIT is as unknown).
func (w *saveWrites) exec(ctx context.Context, tx *tx) error {
	// next is the revision of each assessment's next save.
	var next map[[2]string]int64
	var err error
	if tx.dialect == dialectSQLite {
		next, err = w.execSQLite(ctx, tx)
	} else {
		next, err = w.execPostgres(ctx, tx)
	}
	if err != nil {
		return err
	}
	for i, r := range w.saves {
		k := [2]string{r.orgID, w.ids[i]}
		r.a, r.rev, r.now = w.answers[i], next[k], tx.now
		next[k]++
	}
	return nil
}
