package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
	"github.com/google/go-cmp/cmp"
)

func TestInit(t *testing.T) {
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		org    string
		scopes []assess.Scope
	}{
		{name: "defaults", args: nil, scopes: []assess.Scope{{ID: "default", Weight: 1}}},
		{
			name:   "organization and scopes",
			args:   []string{"--organization", `Acme "Payments" & Co: ltd`, "--scopes", "production, development"},
			org:    `Acme "Payments" & Co: ltd`,
			scopes: []assess.Scope{{ID: "production", Weight: 1}, {ID: "development", Weight: 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "answers.yaml")
			r := run(t, "", append([]string{"init", "-o", out}, tt.args...)...).wantCode(t, 0)
			if r.stdout != "" {
				t.Errorf("stdout with -o: %s", r.stdout)
			}
			data := readFile(t, out)
			f, err := assess.ParseFile(out, []byte(data), m)
			if err != nil {
				t.Fatalf("the template does not parse: %v", err)
			}
			if f.Organization != tt.org {
				t.Errorf("organization = %q, want %q", f.Organization, tt.org)
			}
			if diff := cmp.Diff(tt.scopes, f.Scopes); diff != "" {
				t.Errorf("scopes (-want +got):\n%s", diff)
			}
			if len(f.Answers) != 0 {
				t.Errorf("the template has %d answers, want none", len(f.Answers))
			}
			if f.Date.String() != asOf {
				t.Errorf("date = %s, want today %s", f.Date, asOf)
			}
			// Every objective is listed, with an empty value, after its
			// title, question and KPI as comments.
			for _, o := range m.Objectives {
				i := strings.Index(data, "\n  "+o.ID+":\n")
				if i < 0 {
					t.Errorf("objective %s is not listed with an empty value", o.ID)
					continue
				}
				before := data[:i]
				block := before[strings.LastIndex(before, "\n\n"):]
				for _, s := range []string{o.ID, firstWords(o.Title), firstWords(o.Question), firstWords(o.KPI)} {
					if !strings.Contains(strings.Join(strings.Fields(block), " "), s) {
						t.Errorf("the comment of %s does not contain %q:\n%s", o.ID, s, block)
					}
				}
			}
		})
	}
}

func firstWords(s string) string {
	w := strings.Fields(s)
	if len(w) > 4 {
		w = w[:4]
	}
	return strings.Join(w, " ")
}

func TestInitStdoutAndOverwrite(t *testing.T) {
	r := run(t, "", "init").wantCode(t, 0)
	if !strings.Contains(r.stdout, "answers:") {
		t.Errorf("init without -o prints nothing useful:\n%.300s", r.stdout)
	}
	out := writeFile(t, "answers.yaml", "answers: {IAM-2.1: yes}\n")
	r = run(t, "", "init", "-o", out).wantCode(t, 1)
	if !strings.Contains(r.stderr, "already exists; use --force") {
		t.Errorf("stderr: %s", r.stderr)
	}
	if got := readFile(t, out); got != "answers: {IAM-2.1: yes}\n" {
		t.Errorf("init overwrote an existing file: %s", got)
	}
	run(t, "", "init", "-o", out, "--force").wantCode(t, 0)
	if data, _ := os.ReadFile(out); !strings.Contains(string(data), "date: 2026-10-01") {
		t.Errorf("--force did not overwrite")
	}
}

func TestInitBadScopes(t *testing.T) {
	for _, s := range []string{"prod uction", "a,a", ","} {
		r := run(t, "", "init", "--scopes", s).wantCode(t, 2)
		if !strings.Contains(r.stderr, "csmm: init: --scopes") {
			t.Errorf("--scopes %q: stderr %s", s, r.stderr)
		}
	}
}

// TestInitThenScore checks that a filled template scores.
func TestInitThenScore(t *testing.T) {
	out := filepath.Join(t.TempDir(), "a.yaml")
	run(t, "", "init", "-o", out, "--scopes", "production").wantCode(t, 0)
	data := strings.Replace(readFile(t, out), "\n  IAM-2.1:\n", "\n  IAM-2.1: yes\n", 1)
	if err := os.WriteFile(out, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, "", "score", out, "--format", "json").wantCode(t, 0)
	if !strings.Contains(r.stdout, `"id": "IAM-2.1",`) || !strings.Contains(r.stdout, `"status": "answered"`) {
		t.Errorf("the filled template does not score IAM-2.1 as answered")
	}
}
