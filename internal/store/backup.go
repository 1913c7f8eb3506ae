package store

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/csmm/csmm/internal/csmm"
)

// A backup is a logical dump: JSON lines, a header, then one line per row of
// every table in foreign-key order, then a trailer with the row count. It is
// read in one snapshot, so it is consistent while the server keeps writing,
// and it restores into either dialect.

// backupFormat names the dump format in its header.
const backupFormat = "csmm-backup"

// column kinds: s text, S nullable text, i integer, I nullable integer, f real,
// F nullable real, b boolean, x bytes (base64 in the dump).
type backupTable struct {
	name    string
	columns []string
	kinds   string
}

// backupTables lists every table and column, parents before children.
// TestBackupCoversSchema checks it against the database.
var backupTables = []backupTable{
	{"organizations", []string{"id", "name", "slug", "created_at", "industry", "size_band", "regions", "providers", "benchmark_opt_in"}, "sssissssb"},
	{"users", []string{"id", "email", "email_key", "name", "password_hash", "created_at", "password_changed_at", "disabled"}, "sssssiIb"},
	{"memberships", []string{"org_id", "user_id", "role", "created_at"}, "sssi"},
	{"sessions", []string{"id", "user_id", "token_hash", "created_at", "last_seen_at", "expires_at", "user_agent", "ip"}, "sssiiiss"},
	{"api_tokens", []string{"id", "org_id", "user_id", "name", "role", "token_hash", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"}, "sssssssiIII"},
	{"signin_attempts", []string{"id", "account", "address", "at"}, "sssi"},
	{"models", []string{"id", "org_id", "name", "version", "yaml", "created_by", "created_at"}, "ssssssi"},
	{"assessments", []string{"id", "org_id", "name", "model_id", "validity_days", "target_default", "created_by", "created_at", "updated_at", "archived_at", "revision", "model_version", "evidence_validity_days"}, "sssSiisiiIiSi"},
	{"scopes", []string{"org_id", "assessment_id", "scope", "name", "weight", "position"}, "ssssfi"},
	{"targets", []string{"org_id", "assessment_id", "category", "level", "reason"}, "sssis"},
	{"answers", []string{"org_id", "assessment_id", "objective", "scope", "answer", "note", "justification", "answered_by", "answered_at", "version", "updated_by", "updated_at", "measured", "measure_of", "measure_percent"}, "sssssssssisiFFb"},
	{"answer_history", []string{"org_id", "assessment_id", "objective", "scope", "seq", "deleted", "answer", "measured", "measure_of", "measure_percent", "note", "justification", "answered_by", "answered_at", "version", "changed_by", "changed_at"}, "ssssibsFFbssssisi"},
	{"exemptions", []string{"id", "org_id", "assessment_id", "objective", "reason", "requested_by", "requested_at", "approver", "status", "until", "decided_by", "decided_at", "requested_by_id", "decision_comment"}, "ssssssisssSIss"},
	{"evidence", []string{"org_id", "assessment_id", "objective", "scope", "source", "passed", "failed", "muted", "imported_at", "file_name", "format", "imported_by", "checks_json"}, "sssssiiiissss"},
	{"snapshot_models", []string{"sha256", "yaml"}, "ss"},
	{"snapshots", []string{"id", "org_id", "assessment_id", "assessment_name", "finalized_at", "finalized_by", "note", "as_of", "model_id", "model_version", "model_sha256", "program_score", "floor", "input", "result"}, "ssssissssssFIxx"},
	{"snapshot_scores", []string{"snapshot_id", "pos", "org_id", "kind", "ref", "score", "level", "target"}, "sisssFII"},
	{"snapshot_summaries", []string{"snapshot_id", "org_id", "assessment_id", "assessment_name", "finalized_at", "as_of", "model_id", "model_version", "scores"}, "ssssissss"},
	{"benchmark_latest", []string{"org_id", "snapshot_id", "model_id", "model_version", "finalized_at"}, "ssssi"},
	{"external_benchmarks", []string{"id", "org_id", "name", "as_of", "imported_by", "imported_at", "data"}, "sssssis"},
	{"benchmark_state", []string{"id", "generation"}, "ii"},
	{"assignments", []string{"org_id", "assessment_id", "target", "user_id", "assigned_by", "assigned_at"}, "sssssi"},
	{"attachments", []string{"id", "org_id", "assessment_id", "objective", "kind", "title", "url", "content_type", "size", "content", "added_by", "added_by_name", "added_at"}, "ssssssssixssi"},
	{"answer_reviews", []string{"org_id", "assessment_id", "objective", "scope", "answer_version", "answer_updated_at", "reviewed_by", "reviewer_name", "reviewed_at"}, "ssssiissi"},
	{"roadmap_items", []string{"org_id", "assessment_id", "objective", "owner_id", "due", "status", "ticket", "updated_by", "updated_at"}, "ssssssssi"},
	{"audit_log", []string{"id", "org_id", "actor_user_id", "actor_token_id", "action", "target_type", "target_id", "before_json", "after_json", "at", "remote_addr"}, "sSsssssSSis"},
}

type backupHeader struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	Schema  int    `json:"schema"`
	Dialect string `json:"dialect"`
	Created string `json:"created"`
}

type backupRow struct {
	Table string         `json:"table,omitempty"`
	Row   map[string]any `json:"row,omitempty"`
	End   bool           `json:"end,omitempty"`
	Rows  int            `json:"rows,omitempty"`
}

// schemaVersion is the highest migration version of this build.
func (s *Store) schemaVersion() (int, error) {
	ms, err := migrations(s.dialect)
	if err != nil {
		return 0, err
	}
	return ms[len(ms)-1].version, nil
}

// Backup writes a consistent snapshot of every table to w as JSON lines, read
// in one read-only transaction (a REPEATABLE READ snapshot on PostgreSQL, a
// WAL read snapshot on SQLite) while the server keeps serving. Restore loads
// it into an empty database of either dialect.
func (s *Store) Backup(ctx context.Context, w io.Writer) (err error) {
	defer wrap(&err, "backup")
	schema, err := s.schemaVersion()
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	err = s.read(ctx, func(tx *tx) error {
		if err := enc.Encode(backupHeader{Format: backupFormat, Version: 1, Schema: schema, Dialect: s.dialect.String(),
			Created: tx.now.Format("2006-01-02T15:04:05.000000Z07:00")}); err != nil {
			return err
		}
		n := 0
		for _, t := range backupTables {
			rows, err := tx.query(ctx, "SELECT "+strings.Join(t.columns, ", ")+" FROM "+t.name+" ORDER BY "+strings.Join(t.columns[:2], ", "))
			if err != nil {
				return fmt.Errorf("read %s: %w", t.name, err)
			}
			for rows.Next() {
				dest := make([]any, len(t.columns))
				for i, k := range t.kinds {
					dest[i] = scanTarget(k)
				}
				if err := rows.Scan(dest...); err != nil {
					rows.Close()
					return fmt.Errorf("read %s: %w", t.name, err)
				}
				row := make(map[string]any, len(t.columns))
				for i, c := range t.columns {
					row[c] = scannedValue(dest[i])
				}
				if err := enc.Encode(backupRow{Table: t.name, Row: row}); err != nil {
					rows.Close()
					return err
				}
				n++
			}
			if err := rows.Close(); err != nil {
				return err
			}
			if err := rows.Err(); err != nil {
				return fmt.Errorf("read %s: %w", t.name, err)
			}
		}
		return enc.Encode(backupRow{End: true, Rows: n})
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

func scanTarget(kind rune) any {
	switch kind {
	case 's':
		return new(string)
	case 'S':
		return new(sql.NullString)
	case 'i':
		return new(int64)
	case 'I':
		return new(sql.NullInt64)
	case 'f':
		return new(float64)
	case 'F':
		return new(sql.NullFloat64)
	case 'b':
		return new(bool)
	case 'x':
		return new([]byte)
	}
	panic("unknown column kind " + string(kind))
}

func scannedValue(v any) any {
	switch v := v.(type) {
	case *string:
		return *v
	case *sql.NullString:
		if v.Valid {
			return v.String
		}
	case *sql.NullFloat64:
		if v.Valid {
			return v.Float64
		}
	case *[]byte:
		// An empty blob reads back as nil on SQLite; it is still not NULL.
		if *v == nil {
			return []byte{}
		}
		return *v
	case *int64:
		return *v
	case *sql.NullInt64:
		if v.Valid {
			return v.Int64
		}
	case *float64:
		return *v
	case *bool:
		return *v
	}
	return nil
}

// Restore loads a backup written by Backup, from either dialect, into this
// database in one transaction: all of it or nothing. The database must be
// empty (freshly migrated, with no organization, user or any other row):
// otherwise Restore returns conflict and changes nothing. A malformed,
// truncated or newer-schema backup returns invalid.
func (s *Store) Restore(ctx context.Context, r io.Reader) (err error) {
	defer wrap(&err, "restore")
	schema, err := s.schemaVersion()
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bufio.NewReader(r))
	dec.UseNumber()
	var h backupHeader
	if err := dec.Decode(&h); err != nil || h.Format != backupFormat {
		return csmm.Errorf(csmm.EINVALID, "the input is not a csmm backup: the first line must be its header")
	}
	if h.Version != 1 || h.Schema != schema {
		return csmm.Errorf(csmm.EINVALID, "the backup has format version %d and schema %d; this server restores version 1, schema %d", h.Version, h.Schema, schema)
	}
	tables := map[string]*backupTable{}
	order := map[string]int{}
	for i := range backupTables {
		tables[backupTables[i].name] = &backupTables[i]
		order[backupTables[i].name] = i
	}
	return s.write(ctx, func(tx *tx) error {
		for _, t := range backupTables {
			var n int
			if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM "+t.name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return csmm.Errorf(csmm.ECONFLICT, "the database is not empty (table %s has %d rows); restore only into a new, empty database", t.name, n)
			}
		}
		stmts := map[string]*sql.Stmt{}
		defer func() {
			for _, st := range stmts {
				st.Close()
			}
		}()
		count, last, line := 0, -1, 1
		for {
			line++
			var br backupRow
			if err := dec.Decode(&br); err != nil {
				if errors.Is(err, io.EOF) {
					return csmm.Errorf(csmm.EINVALID, "the backup is truncated: it ends without its trailer after %d rows", count)
				}
				return csmm.Errorf(csmm.EINVALID, "backup line %d: %v", line, err)
			}
			if br.End {
				if br.Rows != count {
					return csmm.Errorf(csmm.EINVALID, "the backup trailer counts %d rows but %d were read", br.Rows, count)
				}
				break
			}
			t, ok := tables[br.Table]
			if !ok {
				return csmm.Errorf(csmm.EINVALID, "backup line %d: unknown table %q", line, br.Table)
			}
			if order[t.name] < last {
				return csmm.Errorf(csmm.EINVALID, "backup line %d: table %s comes after its dependents", line, t.name)
			}
			last = order[t.name]
			args, err := restoreArgs(t, br.Row)
			if err != nil {
				return csmm.Errorf(csmm.EINVALID, "backup line %d (%s): %v", line, t.name, err)
			}
			st := stmts[t.name]
			if st == nil {
				marks := strings.TrimSuffix(strings.Repeat("?, ", len(t.columns)), ", ")
				st, err = tx.PrepareContext(ctx, tx.rebind("INSERT INTO "+t.name+" ("+strings.Join(t.columns, ", ")+") VALUES ("+marks+")"))
				if err != nil {
					return dbError(err)
				}
				stmts[t.name] = st
			}
			if _, err := st.ExecContext(ctx, args...); err != nil {
				return fmt.Errorf("backup line %d (%s): %w", line, t.name, dbError(err))
			}
			count++
		}
		return nil
	})
}

// restoreArgs converts a decoded row to the insert arguments of its table.
func restoreArgs(t *backupTable, row map[string]any) ([]any, error) {
	if len(row) != len(t.columns) {
		return nil, fmt.Errorf("expected the %d columns %s, got %d", len(t.columns), strings.Join(t.columns, ", "), len(row))
	}
	args := make([]any, len(t.columns))
	for i, c := range t.columns {
		v, ok := row[c]
		if !ok {
			return nil, fmt.Errorf("missing column %s", c)
		}
		kind := rune(t.kinds[i])
		if v == nil {
			if kind != 'S' && kind != 'I' && kind != 'F' {
				return nil, fmt.Errorf("column %s is null", c)
			}
			continue
		}
		var err error
		switch kind {
		case 's', 'S':
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("column %s: expected text, got %v", c, v)
			}
			args[i] = s
		case 'i', 'I':
			n, ok := v.(json.Number)
			if !ok {
				return nil, fmt.Errorf("column %s: expected an integer, got %v", c, v)
			}
			args[i], err = strconv.ParseInt(string(n), 10, 64)
		case 'x':
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("column %s: expected base64 bytes, got %v", c, v)
			}
			args[i], err = base64.StdEncoding.DecodeString(s)
		case 'f', 'F':
			n, ok := v.(json.Number)
			if !ok {
				return nil, fmt.Errorf("column %s: expected a number, got %v", c, v)
			}
			args[i], err = strconv.ParseFloat(string(n), 64)
		case 'b':
			b, ok := v.(bool)
			if !ok {
				return nil, fmt.Errorf("column %s: expected true or false, got %v", c, v)
			}
			args[i] = b
		}
		if err != nil {
			return nil, fmt.Errorf("column %s: %v", c, err)
		}
	}
	return args, nil
}
