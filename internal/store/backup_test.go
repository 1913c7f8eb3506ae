package store

import (
	"bytes"
	"context"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/google/go-cmp/cmp"
)

// dumpRows returns a backup without its header line (which holds the time and
// dialect), for comparing the data of two databases.
func dumpRows(t *testing.T, s *Store) string {
	t.Helper()
	var b bytes.Buffer
	if err := s.Backup(context.Background(), &b); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	_, rows, ok := strings.Cut(b.String(), "\n")
	if !ok {
		t.Fatalf("backup has no header line: %q", b.String())
	}
	return rows
}

func TestBackupRestore(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		src := open(t, b.fresh(t))
		d := newTenantData(t, src, "alpha")
		newTenantData(t, src, "bravo")
		if _, err := src.DecideExemptionComment(ctx, d.org.ID, Actor{}, d.exemption.ID, true, "CISO", "accepted until the migration"); err != nil {
			t.Fatal(err)
		}
		if err := src.RecordSignInAttempt(ctx, "x@example.com", "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		if _, err := src.UpdateUser(ctx, d.actor, d.owner.ID, "Renamed", true); err != nil {
			t.Fatal(err)
		}
		// A file's bytes and a review mark go through the dump too.
		if _, err := src.AddFile(ctx, d.org.ID, d.actor, d.assessment.ID, "IAM-2.1", "scan.png", []byte("\x89PNG\r\n\x1a\n\x00\xff")); err != nil {
			t.Fatal(err)
		}
		if _, err := src.AddLink(ctx, d.org.ID, d.actor, d.assessment.ID, "IAM-2.1", "https://wiki.example.com/", "wiki"); err != nil {
			t.Fatal(err)
		}
		if answers, err := src.ListAnswers(ctx, d.org.ID, d.assessment.ID); err != nil || len(answers) == 0 {
			t.Fatalf("the tenant has no answer to review (%v)", err)
		} else if _, err := src.MarkReviewed(ctx, d.org.ID, d.actor, d.assessment.ID, answers[0].Objective, answers[0].Scope, 0); err != nil {
			t.Fatal(err)
		}
		if err := src.ArchiveAssessment(ctx, d.org.ID, d.actor, d.assessment.ID, true); err != nil {
			t.Fatal(err)
		}
		var backup bytes.Buffer
		if err := src.Backup(ctx, &backup); err != nil {
			t.Fatal(err)
		}
		want := dumpRows(t, src)

		dst := open(t, b.fresh(t))
		if err := dst.Restore(ctx, bytes.NewReader(backup.Bytes())); err != nil {
			t.Fatalf("Restore: %v", err)
		}
		if !strings.Contains(want, `"table":"attachments"`) || !strings.Contains(want, `"table":"answer_reviews"`) {
			t.Errorf("the backup holds no attachment or review mark")
		}
		if diff := cmp.Diff(want, dumpRows(t, dst)); diff != "" {
			t.Errorf("restored data differs (-source +restored):\n%s", diff)
		}
		wantIn, _, err := src.Scoring(ctx, d.org.ID, d.assessment.ID, assess.Date{Year: 2026, Month: 6, Day: 1})
		if err != nil {
			t.Fatal(err)
		}
		gotIn, _, err := dst.Scoring(ctx, d.org.ID, d.assessment.ID, assess.Date{Year: 2026, Month: 6, Day: 1})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(assess.Score(wantIn), assess.Score(gotIn)); diff != "" {
			t.Errorf("scores differ after restore (-source +restored):\n%s", diff)
		}

		t.Run("refused into a non-empty database", func(t *testing.T) {
			err := dst.Restore(ctx, bytes.NewReader(backup.Bytes()))
			wantCode(t, err, csmm.ECONFLICT)
			if !strings.Contains(csmm.ErrorMessage(err), "not empty") {
				t.Errorf("message %q does not say the database is not empty", csmm.ErrorMessage(err))
			}
			if diff := cmp.Diff(want, dumpRows(t, dst)); diff != "" {
				t.Errorf("a refused restore changed the data:\n%s", diff)
			}
		})

		t.Run("malformed backups", func(t *testing.T) {
			lines := strings.SplitAfter(backup.String(), "\n")
			for _, tc := range []struct{ name, input string }{
				{"not a backup", "hello\n"},
				{"truncated", strings.Join(lines[:len(lines)/2], "")},
				{"no trailer", strings.Join(lines[:len(lines)-2], "")},
				{"newer schema", regexp.MustCompile(`"schema":\d+`).ReplaceAllString(backup.String(), `"schema":99`)},
			} {
				t.Run(tc.name, func(t *testing.T) {
					empty := open(t, b.fresh(t))
					err := empty.Restore(ctx, strings.NewReader(tc.input))
					wantCode(t, err, csmm.EINVALID)
					if n, _ := empty.CountUsers(ctx); n != 0 {
						t.Errorf("a failed restore left %d users", n)
					}
				})
			}
		})
	})
}

// TestBackupCrossDialect restores an SQLite backup into PostgreSQL and back.
func TestBackupCrossDialect(t *testing.T) {
	ctx := context.Background()
	sqliteURL := backends()[0].fresh(t)
	pgURL := freshPostgres(t)
	src := open(t, sqliteURL)
	newTenantData(t, src, "alpha")
	var backup bytes.Buffer
	if err := src.Backup(ctx, &backup); err != nil {
		t.Fatal(err)
	}
	pg := open(t, pgURL)
	if err := pg.Restore(ctx, &backup); err != nil {
		t.Fatalf("restore an SQLite backup into PostgreSQL: %v", err)
	}
	if diff := cmp.Diff(dumpRows(t, src), dumpRows(t, pg)); diff != "" {
		t.Errorf("PostgreSQL data differs from SQLite's (-sqlite +postgres):\n%s", diff)
	}
}

// TestBackupCoversSchema checks that the backup lists every table and column
// of the schema, so a new migration cannot be left out of backups.
func TestBackupCoversSchema(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		s := open(t, b.fresh(t))
		q := `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`
		if s.dialect == dialectPostgres {
			q = "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
		}
		rows, err := s.db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var table, col string
			if err := rows.Scan(&table, &col); err != nil {
				t.Fatal(err)
			}
			if table != "schema_migrations" {
				got = append(got, table+"."+col)
			}
		}
		var want []string
		for _, bt := range backupTables {
			if len(bt.columns) != len(bt.kinds) {
				t.Errorf("table %s: %d columns but %d kinds", bt.name, len(bt.columns), len(bt.kinds))
			}
			for _, c := range bt.columns {
				want = append(want, bt.name+"."+c)
			}
		}
		sort.Strings(got)
		sort.Strings(want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("backup columns differ from the schema (-backup +schema):\n%s", diff)
		}
	})
}
