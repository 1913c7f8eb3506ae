package cli_test

import (
	"strings"
	"testing"
)

// The revision-2 cases of the scoring tests, through the commands.
const rev2Dir = "../assess/testdata/rev2/"

func TestScoreRevision2Commands(t *testing.T) {
	m := rev2Dir + "model.yaml"
	t.Run("all na: n/a in the table, null in the JSON", func(t *testing.T) {
		r := run(t, "", "score", rev2Dir+"all-na.yaml", "--model", m, "--as-of", "2026-11-20").wantCode(t, 0)
		golden(t, "rev2-all-na.score.txt", []byte(r.stdout))
		if !strings.Contains(r.stdout, "Program score n/a   floor n/a") {
			t.Errorf("table:\n%s", r.stdout)
		}
		r = run(t, "", "score", rev2Dir+"all-na.yaml", "--model", m, "--as-of", "2026-11-20", "--format", "json").wantCode(t, 0)
		if !strings.Contains(r.stdout, `"score": null`) {
			t.Errorf("json has no null score:\n%.400s", r.stdout)
		}
		// check: no category is applicable, so no target can be checked.
		r = run(t, "", "check", rev2Dir+"all-na.yaml", "--model", m, "--as-of", "2026-11-20").wantCode(t, 0)
		if !strings.Contains(r.stdout, "no targets set") {
			t.Errorf("check:\n%s", r.stdout)
		}
	})
	t.Run("future answer warns on every scoring command", func(t *testing.T) {
		for _, cmd := range [][]string{
			{"score", rev2Dir + "future.yaml"},
			{"check", rev2Dir + "future.yaml"},
			{"report", rev2Dir + "future.yaml", "--format", "md"},
			{"diff", rev2Dir + "future.yaml", rev2Dir + "measured.yaml"},
		} {
			r := run(t, "", append(cmd, "--model", m, "--as-of", "2026-11-20")...).wantCode(t, 0)
			want := "csmm: warning: " + rev2Dir + "future.yaml:6: answers.BBB-2.1: the answer is dated 2026-12-15, after the as-of date 2026-11-20: it counts as unanswered"
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%s: stderr lacks the warning:\n%s", cmd[0], r.stderr)
			}
		}
		// As of a later date the answer was known: no warning.
		r := run(t, "", "score", rev2Dir+"future.yaml", "--model", m, "--as-of", "2026-12-15").wantCode(t, 0)
		if strings.Contains(r.stderr, "warning") {
			t.Errorf("stderr: %s", r.stderr)
		}
	})
	t.Run("binary half and undated files are errors", func(t *testing.T) {
		r := run(t, "", "score", rev2Dir+"binary-half.yaml", "--model", m).wantCode(t, 1)
		if !strings.Contains(r.stderr, "binary-half.yaml:6: answers.AAA-2.1: objective AAA-2.1 is binary") {
			t.Errorf("stderr: %s", r.stderr)
		}
		r = run(t, "", "score", rev2Dir+"undated.yaml", "--model", m).wantCode(t, 1)
		if !strings.Contains(r.stderr, "undated.yaml:4: answers.AAA-2.1: the answer has no date and the file has none") {
			t.Errorf("stderr: %s", r.stderr)
		}
	})
	t.Run("measured answers in the report", func(t *testing.T) {
		r := run(t, "", "report", rev2Dir+"measured.yaml", "--model", m, "--as-of", "2026-11-20", "--format", "csv").wantCode(t, 0)
		for _, want := range []string{",108/120,0.9,", ",72.5%,0.725,"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("csv lacks %q:\n%s", want, r.stdout)
			}
		}
		r = run(t, "", "report", rev2Dir+"all-na.yaml", "--model", m, "--as-of", "2026-11-20", "--format", "md").wantCode(t, 0)
		if !strings.Contains(r.stdout, "Nothing in the assessment is applicable") {
			t.Errorf("markdown:\n%.2000s", r.stdout)
		}
		run(t, "", "report", rev2Dir+"all-na.yaml", "--model", m, "--as-of", "2026-11-20", "--format", "html").wantCode(t, 0)
	})
	t.Run("evidence validity flag takes a number of days", func(t *testing.T) {
		run(t, "", "score", rev2Dir+"measured.yaml", "--model", m, "--evidence-validity-days", "x").wantCode(t, 2)
	})
}
