package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/cli"
	"github.com/csmm/csmm/internal/store"
)

// The server-side commands run against a real SQLite database in a
// temporary directory.

func TestUserCreate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "csmm.db")
	// The first owner creates the organization; no password on stdin: one is
	// generated and printed alone on stdout.
	r := run(t, "", "user", "create", "--db", db, "--org", "Acme Payments", "--email", "ann@acme.test", "--role", "owner").wantCode(t, 0)
	generated := strings.TrimSpace(r.stdout)
	if len(generated) < 12 || strings.ContainsAny(generated, " \n") {
		t.Errorf("stdout = %q; want the generated password alone", r.stdout)
	}
	if !strings.Contains(r.stderr, "created user ann@acme.test") || !strings.Contains(r.stderr, "shown only this once") {
		t.Errorf("stderr: %s", r.stderr)
	}

	// A password on stdin is used, not printed.
	r = run(t, "a long enough passphrase\n", "user", "create", "--db", db, "--org", "acme-payments", "--email", "bob@acme.test", "--role", "assessor").wantCode(t, 0)
	if r.stdout != "" {
		t.Errorf("a given password was printed: %q", r.stdout)
	}

	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stderr string
	}{
		{"email taken", "", []string{"--org", "Acme Payments", "--email", "ann@acme.test", "--role", "viewer"}, 1, `csmm: a user with the email address "ann@acme.test" already exists`},
		{"unknown organization for a viewer", "", []string{"--org", "Nobody", "--email", "c@x.test", "--role", "viewer"}, 1, `no organization is named "Nobody"`},
		{"weak password", "short\n", []string{"--org", "Acme Payments", "--email", "d@acme.test"}, 1, "csmm: "},
		{"bad role", "", []string{"--org", "Acme Payments", "--email", "e@acme.test", "--role", "god"}, 2, `--role "god"`},
		{"missing email", "", []string{"--org", "Acme Payments"}, 2, "--org and --email are required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.stdin, append([]string{"user", "create", "--db", db}, tt.args...)...).wantCode(t, tt.code)
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr: %s", r.stderr)
			}
			if strings.Contains(r.stderr, "code=") || strings.Contains(r.stderr, "constraint failed") {
				t.Errorf("the message shows details meant for logs: %s", r.stderr)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	db := filepath.Join(t.TempDir(), "csmm.db")
	run(t, "", "user", "create", "--db", db, "--org", "Acme Payments", "--email", "ann@acme.test", "--role", "owner").wantCode(t, 0)
	run(t, "a long enough passphrase\n", "user", "create", "--db", db, "--org", "Acme Payments", "--email", "bob@acme.test", "--role", "assessor").wantCode(t, 0)

	r := run(t, "", "token", "create", "--db", db, "--org", "Acme Payments", "--email", "bob@acme.test", "--role", "assessor", "--name", "ci").wantCode(t, 0)
	secret := strings.TrimSuffix(r.stdout, "\n")
	if !strings.HasPrefix(secret, "csmm_") || strings.ContainsAny(secret, " \n") {
		t.Fatalf("stdout = %q; want the token alone", r.stdout)
	}

	// A token may not outrank its member.
	r = run(t, "", "token", "create", "--db", db, "--org", "Acme Payments", "--email", "bob@acme.test", "--role", "owner").wantCode(t, 1)
	if r.stdout != "" || !strings.Contains(r.stderr, "above its creator's") {
		t.Errorf("stdout %q stderr %s", r.stdout, r.stderr)
	}

	r = run(t, "", "token", "list", "--db", db, "--org", "Acme Payments", "--format", "json").wantCode(t, 0)
	var tokens []store.APIToken
	if err := json.Unmarshal([]byte(r.stdout), &tokens); err != nil {
		t.Fatal(err)
	}
	if len(tokens) != 1 || tokens[0].Name != "ci" || tokens[0].Role != "assessor" || !tokens[0].Revoked.IsZero() {
		t.Fatalf("tokens = %+v", tokens)
	}
	if strings.Contains(r.stdout, secret) {
		t.Errorf("the token list shows the secret")
	}
	table := run(t, "", "token", "list", "--db", db, "--org", "acme-payments").wantCode(t, 0).stdout
	if !strings.Contains(table, tokens[0].ID) || !strings.Contains(table, "assessor") {
		t.Errorf("table:\n%s", table)
	}

	run(t, "", "token", "revoke", "--db", db, "--org", "Acme Payments", tokens[0].ID).wantCode(t, 0)
	r = run(t, "", "token", "list", "--db", db, "--org", "Acme Payments", "--format", "json").wantCode(t, 0)
	if err := json.Unmarshal([]byte(r.stdout), &tokens); err != nil {
		t.Fatal(err)
	}
	if tokens[0].Revoked.IsZero() {
		t.Errorf("the token is not revoked: %+v", tokens[0])
	}
	run(t, "", "token", "revoke", "--db", db, "--org", "Acme Payments", "no-such-token").wantCode(t, 1)
	run(t, "", "token", "revoke", "--db", db, "--org", "Acme Payments").wantCode(t, 2)
	run(t, "", "token").wantCode(t, 2)
	run(t, "", "token", "frob").wantCode(t, 2)
}

func TestBackupRestore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "csmm.db")
	run(t, "", "user", "create", "--db", db, "--org", "Acme Payments", "--email", "ann@acme.test", "--role", "owner").wantCode(t, 0)
	run(t, "", "token", "create", "--db", db, "--org", "Acme Payments", "--email", "ann@acme.test", "--name", "ci").wantCode(t, 0)

	backup := filepath.Join(dir, "backup.jsonl")
	run(t, "", "backup", "--db", db, "-o", backup).wantCode(t, 0)
	fi, err := os.Stat(backup)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("the backup is created with mode %o; it holds password hashes and must be 600", perm)
	}
	toStdout := run(t, "", "backup", "--db", db, "-o", "-").wantCode(t, 0).stdout
	if !strings.Contains(toStdout, "ann@acme.test") {
		t.Errorf("backup to stdout lacks the user")
	}

	restored := filepath.Join(dir, "restored.db")
	run(t, "", "restore", "--db", restored, backup).wantCode(t, 0)
	want := run(t, "", "token", "list", "--db", db, "--org", "Acme Payments", "--format", "json").wantCode(t, 0).stdout
	got := run(t, "", "token", "list", "--db", restored, "--org", "Acme Payments", "--format", "json").wantCode(t, 0).stdout
	if got != want {
		t.Errorf("tokens after restore:\n%s\nwant:\n%s", got, want)
	}
	// A second restore into the now non-empty database changes nothing.
	r := run(t, "", "restore", "--db", restored, backup).wantCode(t, 1)
	if !strings.Contains(r.stderr, "not empty") {
		t.Errorf("stderr: %s", r.stderr)
	}
	// From stdin.
	data := readFile(t, backup)
	run(t, data, "restore", "--db", filepath.Join(dir, "stdin.db"), "-").wantCode(t, 0)
	r = run(t, "not a backup\n", "restore", "--db", filepath.Join(dir, "bad.db"), "-").wantCode(t, 1)
	if !strings.Contains(r.stderr, "not a csmm backup") {
		t.Errorf("stderr: %s", r.stderr)
	}
	run(t, "", "backup", "--db", db).wantCode(t, 2)
}

// procsAtStart is GOMAXPROCS as the test process started.
var procsAtStart = runtime.GOMAXPROCS(0)

func TestServe(t *testing.T) {
	r := run(t, "", "serve", "--addr", "nonsense", "--db", filepath.Join(t.TempDir(), "x.db")).wantCode(t, 1)
	if !strings.Contains(r.stderr, `addr "nonsense": expected host:port`) {
		t.Errorf("stderr: %s", r.stderr)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var stderr lockedBuffer
	env := &cli.Env{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &stderr, Getenv: func(string) string { return "" }, Now: time.Now}
	done := make(chan int)
	go func() {
		done <- cli.Run(ctx, env, []string{"serve", "--addr", addr, "--db", filepath.Join(t.TempDir(), "csmm.db")})
	}()
	var resp *http.Response
	for range 100 {
		resp, err = http.Get(fmt.Sprintf("http://%s/healthz", addr))
		if err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		cancel()
		t.Fatalf("the server did not answer: %v\n%s", err, stderr.String())
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz: %s", resp.Status)
	}
	// On SQLite the server runs Go code on one more processor than the
	// process started with (unless the environment sets GOMAXPROCS),
	// counted from the start, not from the last server's setting.
	if _, set := os.LookupEnv("GOMAXPROCS"); !set {
		if got := runtime.GOMAXPROCS(0); got != procsAtStart+1 {
			t.Errorf("GOMAXPROCS is %d while serving SQLite, want %d (one more than %d)", got, procsAtStart+1, procsAtStart)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited with %d after its context ended:\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
