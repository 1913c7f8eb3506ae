package cli_test

import (
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/model"
)

func TestCheck(t *testing.T) {
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	// Every objective of IAM levels 2-3 answered yes: IAM reaches level 3.
	var iam3 strings.Builder
	for _, o := range m.CategoryObjectives("IAM") {
		if o.Level <= 3 {
			iam3.WriteString("  " + o.ID + ": yes\n")
		}
	}
	tests := []struct {
		name   string
		file   string
		code   int
		stdout []string
		notOut []string
		stderr string
	}{
		{
			name:   "target met",
			file:   "date: 2026-09-01\ntargets: {IAM: 3}\nanswers:\n" + iam3.String(),
			code:   0,
			stdout: []string{"all 1 targets met"},
		},
		{
			name: "target missed lists the objectives that close it",
			file: "date: 2026-09-01\ntargets: {IAM: 4}\nanswers:\n" + iam3.String(),
			code: 1,
			stdout: func() []string {
				out := []string{"IAM " + m.Categories[m.CategoryOrder("IAM")].Name + ": level 3, target 4"}
				for _, o := range m.CategoryObjectives("IAM") {
					if o.Level == 4 {
						out = append(out, o.ID+"  "+o.Title)
					}
				}
				return out
			}(),
			notOut: []string{"IAM-5.1", "IAM-3.1"},
			stderr: "csmm: ", // the summary
		},
		{
			name:   "stale answers count as unanswered",
			file:   "date: 2024-01-01\ntargets: {IAM: 3}\nanswers:\n" + iam3.String(),
			code:   1,
			stdout: []string{"level 1, target 3", "IAM-2.1  "},
		},
		{
			name:   "no targets",
			file:   "date: 2026-09-01\nanswers:\n" + iam3.String(),
			code:   0,
			stdout: []string{"no targets set"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "a.yaml", tt.file)
			r := run(t, "", "check", path, "--as-of", asOf).wantCode(t, tt.code)
			for _, s := range tt.stdout {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("stdout does not contain %q:\n%s", s, r.stdout)
				}
			}
			for _, s := range tt.notOut {
				if strings.Contains(r.stdout, s) {
					t.Errorf("stdout names %q, which does not close the gap:\n%s", s, r.stdout)
				}
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr does not contain %q: %s", tt.stderr, r.stderr)
			}
		})
	}
}

func TestCheckAcme(t *testing.T) {
	r := run(t, "", "check", acme, "--as-of", asOf).wantCode(t, 1)
	golden(t, "acme.check.txt", []byte(r.stdout))
	if !strings.HasPrefix(r.stderr, "csmm: ../../examples/acme.yaml: ") || !strings.Contains(r.stderr, "categories below target") {
		t.Errorf("stderr: %s", r.stderr)
	}
}
