package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const moveData = "../move/testdata/"

// TestMigrate moves the test answers file between the two test model
// versions: the plan (text, golden) and the moved file, which reads back
// with the new model; a dry run writes no file.
func TestMigrate(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "moved.yaml")
	r := run(t, "", "migrate", moveData+"answers.yaml", "--model", moveData+"old.yaml", "--to", moveData+"new.yaml", "--dry-run", "-o", out).wantCode(t, 0)
	if _, err := os.Stat(out); err == nil {
		t.Errorf("--dry-run wrote %s", out)
	}
	golden(t, "migrate.txt", []byte(r.stdout))

	run(t, "", "migrate", moveData+"answers.yaml", "--model", moveData+"old.yaml", "--to", moveData+"new.yaml", "-o", out).wantCode(t, 0)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "model: movetest@2\n") || !strings.Contains(string(data), "ACC-2.2: {development: yes}") || strings.Contains(string(data), "BAK-2.1") {
		t.Errorf("moved file:\n%s", data)
	}
	run(t, "", "score", out, "--model", moveData+"new.yaml").wantCode(t, 0)

	// Moving to the model the file already uses, or without --to, fails.
	run(t, "", "migrate", moveData+"answers.yaml", "--model", moveData+"old.yaml", "--to", moveData+"old.yaml").wantCode(t, 1)
	run(t, "", "migrate", moveData+"answers.yaml").wantCode(t, 2)
}
