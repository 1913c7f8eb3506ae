package cli_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/cli"
	"github.com/csmm/csmm/internal/model"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// acme is the example assessment shared with the README.
const acme = "../../examples/acme.yaml"

// asOf fixes the date of every golden output.
const asOf = "2026-10-01"

// now is the clock of every test.
var now = time.Date(2026, 10, 1, 9, 30, 0, 0, time.UTC)

// result is what one run of the command line produced.
type result struct {
	stdout, stderr string
	code           int
}

// run runs the command line in-process with the given standard input.
func run(t testing.TB, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	env := &cli.Env{
		Stdin:  strings.NewReader(stdin),
		Stdout: &out,
		Stderr: &errb,
		Getenv: func(string) string { return "" },
		Now:    func() time.Time { return now },
	}
	code := cli.Run(context.Background(), env, args)
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

// wantCode fails the test when the exit status is not the expected one.
func (r result) wantCode(t testing.TB, code int) result {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	return r
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got; go test -update rewrites it):\n%s", name, diff)
	}
}

// writeFile writes a file in a temporary directory and returns its path.
func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// readAnswersAndModel reads an answers file against the built-in model it
// names (the newest when it names none), as the commands do.
func readAnswersAndModel(path string) (*model.Model, *assess.File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	m, err := model.BuiltinRef(assess.ReferencedModel(data))
	if err != nil {
		return nil, nil, err
	}
	f, err := assess.ParseFile(path, data, m)
	return m, f, err
}
