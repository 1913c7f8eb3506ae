package store

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// A backend gives each test a fresh, empty database of one dialect.
type backend struct {
	name string
	// fresh returns the URL of a new empty database (or schema).
	fresh func(t *testing.T) string
}

// backends returns SQLite always and PostgreSQL when CSMM_TEST_POSTGRES_URL is
// set. Under CI=true a missing URL fails the PostgreSQL tests instead of
// skipping them, so CI cannot pass without running them.
func backends() []backend {
	return []backend{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "data", "csmm.db") }},
		{"postgres", freshPostgres},
	}
}

func freshPostgres(t *testing.T) string {
	t.Helper()
	base := os.Getenv("CSMM_TEST_POSTGRES_URL")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CSMM_TEST_POSTGRES_URL is not set: CI must run the PostgreSQL store tests (source scripts/postgres.sh)")
		}
		t.Skip("CSMM_TEST_POSTGRES_URL is not set; source scripts/postgres.sh to run the PostgreSQL tests")
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	schema := "test_" + NewID()
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			t.Error(err)
			return
		}
		defer db.Close()
		if _, err := db.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// forEach runs a test against every backend, each in its own subtest.
func forEach(t *testing.T, fn func(t *testing.T, b backend)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			fn(t, b)
		})
	}
}

// open opens a store on url and closes it when the test ends.
func open(t testing.TB, url string) *Store {
	t.Helper()
	s, err := Open(context.Background(), url)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fixture is an organization with an owner and an assessment, made through
// the store's own methods.
type fixture struct {
	org        *Organization
	owner      *User
	actor      Actor
	assessment *Assessment
}

func newFixture(t testing.TB, s *Store, slug string) fixture {
	t.Helper()
	ctx := context.Background()
	u, err := s.CreateUser(ctx, Actor{}, slug+"-owner@example.com", "Owner of "+slug, "hash")
	if err != nil {
		t.Fatal(err)
	}
	actor := Actor{UserID: u.ID, RemoteAddr: "192.0.2.1"}
	org, err := s.CreateOrganization(ctx, actor, "Org "+slug, slug, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.CreateAssessment(ctx, org.ID, actor, AssessmentInput{
		Name:    "Assessment of " + slug,
		Scopes:  []Scope{{ID: "production", Weight: 2}, {ID: "development", Name: "Dev"}},
		Targets: []Target{{Category: "IAM", Level: 4, Reason: "regulated"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{org: org, owner: u, actor: actor, assessment: a}
}

// wantCode fails the test unless err has the given csmm error code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := csmm.ErrorCode(err); got != code {
		t.Fatalf("error code = %q, want %q (error: %v)", got, code, err)
	}
}

func TestOpenSQLitePaths(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, dsn, file string
	}{
		{"plain path in a new directory", filepath.Join(dir, "a", "b", "csmm.db"), filepath.Join(dir, "a", "b", "csmm.db")},
		{"sqlite scheme", "sqlite://" + filepath.Join(dir, "c.db"), filepath.Join(dir, "c.db")},
		{"file URI", "file:" + filepath.Join(dir, "d.db") + "?cache=shared", filepath.Join(dir, "d.db")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t, tc.dsn)
			if s.Dialect() != "sqlite" {
				t.Errorf("Dialect() = %q, want sqlite", s.Dialect())
			}
			if _, err := os.Stat(tc.file); err != nil {
				t.Errorf("database file: %v", err)
			}
		})
	}
	for _, dsn := range []string{"", ":memory:", "file::memory:?mode=memory"} {
		t.Run("refuses "+dsn, func(t *testing.T) {
			_, err := Open(context.Background(), dsn)
			wantCode(t, err, csmm.EINVALID)
		})
	}
}

func TestMigrationsIdempotent(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		url := b.fresh(t)
		s := open(t, url)
		f := newFixture(t, s, "acme")
		s.Close()
		for i := range 2 {
			s = open(t, url)
			if err := s.Ready(ctx); err != nil {
				t.Fatalf("Ready after reopen %d: %v", i, err)
			}
			ms, _ := migrations(s.dialect)
			var n int
			if err := s.db.QueryRow("SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != len(ms) {
				t.Errorf("schema_migrations has %d rows, want %d", n, len(ms))
			}
			if _, err := s.GetAssessment(ctx, f.org.ID, f.assessment.ID); err != nil {
				t.Errorf("data lost across reopen: %v", err)
			}
			s.Close()
		}
	})
}

func TestReadyReportsMissingMigration(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		s := open(t, b.fresh(t))
		if _, err := s.db.Exec("DELETE FROM schema_migrations"); err != nil {
			t.Fatal(err)
		}
		if err := s.Ready(context.Background()); err == nil {
			t.Fatal("Ready = nil with no migration recorded, want an error")
		}
	})
}

func TestConcurrentOpen(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		url := b.fresh(t)
		const replicas = 4
		errs := make(chan error, replicas)
		stores := make(chan *Store, replicas)
		for range replicas {
			go func() {
				s, err := Open(context.Background(), url)
				errs <- err
				stores <- s
			}()
		}
		for range replicas {
			if err := <-errs; err != nil {
				t.Errorf("Open: %v", err)
			}
			if s := <-stores; s != nil {
				if err := s.Ready(context.Background()); err != nil {
					t.Errorf("Ready: %v", err)
				}
				s.Close()
			}
		}
	})
}

func TestErrorCodes(t *testing.T) {
	err := dbError(errors.New("boom"))
	if csmm.ErrorCode(err) != csmm.EINTERNAL || csmm.ErrorMessage(err) != "internal error" {
		t.Errorf("plain error: code %q message %q, want internal", csmm.ErrorCode(err), csmm.ErrorMessage(err))
	}
	ce := &ConflictError{Current: &Answer{Objective: "IAM-2.1", Scope: "default", Version: 3}}
	wrapped := errors.Join(errors.New("context"), ce)
	if csmm.ErrorCode(wrapped) != csmm.ECONFLICT {
		t.Errorf("ConflictError code = %q, want conflict", csmm.ErrorCode(wrapped))
	}
	if !strings.Contains(csmm.ErrorMessage(wrapped), "version 3") {
		t.Errorf("ConflictError message = %q, want it to name the current version", csmm.ErrorMessage(wrapped))
	}
}

// cmpIgnore ignores the named fields of AuditEntry.
func cmpIgnore(fields ...string) cmp.Option {
	return cmpopts.IgnoreFields(AuditEntry{}, fields...)
}
