package cli_test

import (
	"strings"
	"testing"
)

func TestUsage(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		code       int
		stdout     string // a substring of stdout, "" for empty
		stderr     string // a substring of stderr, "" for empty
		wantNoOut  bool
		wantNoErrs bool
	}{
		{name: "no command", args: nil, code: 2, stderr: "csmm: no command given"},
		{name: "help", args: []string{"--help"}, code: 0, stdout: "Commands:", wantNoErrs: true},
		{name: "short help", args: []string{"-h"}, code: 0, stdout: "Usage:", wantNoErrs: true},
		{name: "help command", args: []string{"help", "score"}, code: 0, stdout: "Usage: csmm score FILE", wantNoErrs: true},
		{name: "unknown command", args: []string{"frobnicate"}, code: 2, stderr: `csmm: unknown command "frobnicate"`, wantNoOut: true},
		{name: "bad flag", args: []string{"score", "--nope", acme}, code: 2, stderr: "csmm: score: flag provided but not defined: -nope", wantNoOut: true},
		{name: "bad format", args: []string{"score", acme, "--format", "xml"}, code: 2, stderr: `"xml" is not one of table, json`, wantNoOut: true},
		{name: "bad date", args: []string{"score", acme, "--as-of", "1 Oct"}, code: 2, stderr: "YYYY-MM-DD", wantNoOut: true},
		{name: "missing argument", args: []string{"score"}, code: 2, stderr: "csmm: score: missing argument; expected FILE", wantNoOut: true},
		{name: "extra argument", args: []string{"score", acme, acme}, code: 2, stderr: "unexpected argument", wantNoOut: true},
		{name: "missing file", args: []string{"score", "nonexistent.yaml"}, code: 1, stderr: "csmm: read answers: open nonexistent.yaml", wantNoOut: true},
		{name: "model without command", args: []string{"model"}, code: 2, stderr: "csmm: model: missing command"},
		{name: "model unknown command", args: []string{"model", "frob"}, code: 2, stderr: `csmm: model: unknown command "frob"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, "", tt.args...).wantCode(t, tt.code)
			if !strings.Contains(r.stdout, tt.stdout) {
				t.Errorf("stdout does not contain %q:\n%s", tt.stdout, r.stdout)
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr does not contain %q:\n%s", tt.stderr, r.stderr)
			}
			if tt.wantNoOut && r.stdout != "" {
				t.Errorf("stdout is not empty:\n%s", r.stdout)
			}
			if tt.wantNoErrs && r.stderr != "" {
				t.Errorf("stderr is not empty:\n%s", r.stderr)
			}
		})
	}
}

// TestHelpEveryCommand checks that every command prints its usage to stdout
// and exits 0 on --help and -h, and documents --model.
func TestHelpEveryCommand(t *testing.T) {
	commands := [][]string{
		{"init"}, {"assess"}, {"score"}, {"report"}, {"check"}, {"diff"},
		{"model"}, {"model", "validate"}, {"model", "export"}, {"model", "import"},
		{"serve"}, {"user"}, {"user", "create"}, {"token"}, {"token", "create"}, {"token", "list"},
		{"token", "revoke"}, {"backup"}, {"restore"},
	}
	// The commands that read a model or answers take --model.
	takesModel := map[string]bool{"init": true, "assess": true, "score": true, "report": true, "check": true,
		"diff": true, "model validate": true, "model export": true, "model import": true}
	for _, cmd := range commands {
		for _, flag := range []string{"--help", "-h"} {
			name := strings.Join(cmd, " ") + " " + flag
			t.Run(name, func(t *testing.T) {
				r := run(t, "", append(cmd, flag)...).wantCode(t, 0)
				if !strings.Contains(r.stdout, "Usage: csmm "+strings.Join(cmd, " ")) {
					t.Errorf("stdout has no usage line for %q:\n%s", cmd, r.stdout)
				}
				if r.stderr != "" {
					t.Errorf("stderr is not empty: %s", r.stderr)
				}
				if takesModel[strings.Join(cmd, " ")] {
					if !strings.Contains(r.stdout, "--model FILE") {
						t.Errorf("usage does not document --model FILE:\n%s", r.stdout)
					}
				}
			})
		}
	}
}

// TestErrorsNameFileLineAndKey checks that every problem of an answers file
// is printed on its own line, prefixed csmm:, with file, line and key.
func TestErrorsNameFileLineAndKey(t *testing.T) {
	path := writeFile(t, "bad.yaml", `organization: Bad
scopes: [production]
answers:
  IAM-2.1: maybe
  NOPE-2.1: yes
  IAM-2.2: {staging: yes}
`)
	r := run(t, "", "score", path).wantCode(t, 1)
	want := []string{
		path + `:4: answers.IAM-2.1: unknown answer "maybe"`,
		path + `:5: answers.NOPE-2.1: unknown objective "NOPE-2.1"`,
		path + `:6: answers.IAM-2.2.staging: scope "staging" is not declared`,
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d lines on stderr, want %d:\n%s", len(lines), len(want), r.stderr)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], "csmm: "+w) {
			t.Errorf("line %d = %q, want prefix %q", i+1, lines[i], "csmm: "+w)
		}
	}
	if r.stdout != "" {
		t.Errorf("nothing should be scored from a file with errors; stdout:\n%s", r.stdout)
	}
}

func TestNoColourWhenNotATerminal(t *testing.T) {
	for _, args := range [][]string{{"score", acme}, {"check", acme}} {
		r := run(t, "", args...)
		if strings.Contains(r.stdout, "\x1b[") {
			t.Errorf("%v: output to a non-terminal contains ANSI escapes", args)
		}
	}
}
