package cli_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/model"
)

func TestModelValidate(t *testing.T) {
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	valid := writeFile(t, "model.yaml", string(model.BuiltinYAML()))
	r := run(t, "", "model", "validate", valid).wantCode(t, 0)
	if want := fmt.Sprintf("%s: valid (%d objectives)\n", valid, len(m.Objectives)); r.stdout != want {
		t.Errorf("stdout = %q, want %q", r.stdout, want)
	}

	// Two problems: an unknown mode and an objective without a question; each
	// is printed on its own line with file, line and path.
	src := string(model.BuiltinYAML())
	first := m.Objectives[0]
	bad := strings.Replace(src, "mode: "+string(first.Mode), "mode: sometimes", 1)
	invalid := writeFile(t, "bad.yaml", bad+"  - {id: IAM-2.9, category: IAM, level: 2, title: t, mode: manual}\n")
	r = run(t, "", "model", "validate", invalid).wantCode(t, 1)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) < 2 {
		t.Fatalf("want at least two problems, got:\n%s", r.stdout)
	}
	var sawMode, sawQuestion bool
	for _, l := range lines {
		if !strings.HasPrefix(l, invalid+":") {
			t.Errorf("problem %q does not start with the file name", l)
		}
		if strings.Contains(l, ".mode: ") && strings.Contains(l, "objectives[") {
			sawMode = true
		}
		if strings.Contains(l, fmt.Sprintf("objectives[%d]", len(m.Objectives))) && strings.Contains(l, "question") {
			sawQuestion = true
		}
	}
	if !sawMode || !sawQuestion {
		t.Errorf("problems do not name the bad mode and the missing question:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "csmm: "+invalid+": invalid (") {
		t.Errorf("stderr: %s", r.stderr)
	}

	broken := writeFile(t, "broken.yaml", "id: x\nlevels: [\n")
	r = run(t, "", "model", "validate", broken).wantCode(t, 1)
	if !strings.HasPrefix(r.stdout, broken+":") {
		t.Errorf("a YAML syntax error does not name the file: %s", r.stdout)
	}
	run(t, "", "model", "validate").wantCode(t, 2)
	run(t, "", "model", "validate", "missing.yaml").wantCode(t, 1)
}
