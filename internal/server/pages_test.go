package server

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/jba/templatecheck"

	"github.com/csmm/csmm/internal/csmm"
)

// TestTemplatesTypeCheck checks every page template against the type of
// data it is executed with.
func TestTemplatesTypeCheck(t *testing.T) {
	p, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name string
		err  error
	}{
		{"setup", templatecheck.CheckHTML(p.setup, setupData{})},
		{"login", templatecheck.CheckHTML(p.login, loginData{})},
	}
	for _, c := range checks {
		if c.err != nil {
			t.Errorf("%s: %v", c.name, c.err)
		}
	}
}

func TestBackupRestore(t *testing.T) {
	e := newEnv(t, newDSN(t, "sqlite"))
	e.setup()
	e.addUser("acme-corp", "ann@acme.example", csmm.RoleAssessor)
	var buf bytes.Buffer
	ctx := context.Background()
	if err := e.st.Backup(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	dst := newDSN(t, "sqlite")
	if err := Restore(ctx, dst, bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if err := Restore(ctx, dst, bytes.NewReader(buf.Bytes())); csmm.ErrorCode(err) != csmm.ECONFLICT {
		t.Errorf("restore into a non-empty database: %v, want conflict", err)
	}
	restored := newEnvWith(t, dst, testConfig(), nil)
	if r := restored.client().get("/setup"); r.StatusCode != http.StatusNotFound {
		t.Errorf("restored server asks for setup: %d", r.StatusCode)
	}
	restored.login("ann@acme.example", "password of ann@acme.example")
	var out bytes.Buffer
	if err := Backup(ctx, dst, &out); err != nil || out.Len() == 0 {
		t.Errorf("Backup of the restored database: %v, %d bytes", err, out.Len())
	}
}
