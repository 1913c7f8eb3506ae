package assess

import (
	"errors"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/bombs"
	"github.com/csmm/csmm/internal/model"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func builtin(t testing.TB) *model.Model {
	t.Helper()
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// formatsExample is the answers file of formats.md.
const formatsExample = `model: csmm@2.0.0            # optional; the built-in model when absent
organization: Example Corp
date: 2026-11-20             # the default date of every answer
validity_days: 365           # optional
scopes:                      # optional; one scope named "default" when absent
  - {id: production, weight: 2}
  - {id: development}
targets:                     # optional; category -> level, "default" for the rest
  default: 3
  IAM: 4
answers:
  IAM-2.1: yes                                   # same answer in every scope
  IAM-2.2: {answer: some, note: "prod only", by: alice, date: 2026-10-01}
  NET-2.1: {answer: na, justification: "serverless only, no VPCs"}
  MON-3.1: {production: yes, development: half}  # per scope
  MON-3.2: {production: {answer: most, note: "..."}, development: no}
exemptions:
  DAT-4.2: {reason: "...", approver: "CISO", until: 2027-03-31}
`

func TestParseFormatsExample(t *testing.T) {
	m := builtin(t)
	f, err := ParseFile("example.yaml", []byte(formatsExample), m)
	if err != nil {
		t.Fatal(err)
	}
	d := func(s string) Date { v, _ := ParseDate(s); return v }
	if f.Organization != "Example Corp" || f.Date != d("2026-11-20") || f.ValidityDays != 365 {
		t.Errorf("header: got %q %v %d", f.Organization, f.Date, f.ValidityDays)
	}
	wantScopes := []Scope{{ID: "production", Weight: 2}, {ID: "development", Weight: 1}}
	if diff := cmp.Diff(wantScopes, f.Scopes); diff != "" {
		t.Errorf("scopes (-want +got):\n%s", diff)
	}
	if f.Targets["IAM"] != 4 || f.Targets["GOV"] != 3 || f.Targets["IR"] != 3 || len(f.Targets) != 12 {
		t.Errorf("targets: got %v", f.Targets)
	}
	want := map[Key]Response{
		{"IAM-2.1", "production"}:  {Answer: Yes, Date: d("2026-11-20")},
		{"IAM-2.1", "development"}: {Answer: Yes, Date: d("2026-11-20")},
		{"IAM-2.2", "production"}:  {Answer: Some, Note: "prod only", By: "alice", Date: d("2026-10-01")},
		{"IAM-2.2", "development"}: {Answer: Some, Note: "prod only", By: "alice", Date: d("2026-10-01")},
		{"NET-2.1", "production"}:  {Answer: NA, Justification: "serverless only, no VPCs", Date: d("2026-11-20")},
		{"NET-2.1", "development"}: {Answer: NA, Justification: "serverless only, no VPCs", Date: d("2026-11-20")},
		{"MON-3.1", "production"}:  {Answer: Yes, Date: d("2026-11-20")},
		{"MON-3.1", "development"}: {Answer: Half, Date: d("2026-11-20")},
		{"MON-3.2", "production"}:  {Answer: Most, Note: "...", Date: d("2026-11-20")},
		{"MON-3.2", "development"}: {Answer: No, Date: d("2026-11-20")},
	}
	if diff := cmp.Diff(want, f.Answers); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
	wantEx := map[string]Exemption{"DAT-4.2": {Reason: "...", Approver: "CISO", Until: d("2027-03-31")}}
	if diff := cmp.Diff(wantEx, f.Exemptions); diff != "" {
		t.Errorf("exemptions (-want +got):\n%s", diff)
	}
}

func TestParseWordsAreNotBooleans(t *testing.T) {
	m := builtin(t)
	f, err := ParseFile("a.yaml", []byte("answers:\n  IAM-2.1: yes\n  IAM-2.2: no\n  IAM-3.1: YES\n"), m)
	if err != nil {
		t.Fatal(err)
	}
	k := func(id string) Answer { return f.Answers[Key{id, DefaultScope}].Answer }
	if k("IAM-2.1") != Yes || k("IAM-2.2") != No || k("IAM-3.1") != Yes {
		t.Errorf("got %v %v %v", k("IAM-2.1"), k("IAM-2.2"), k("IAM-3.1"))
	}
	if len(f.Scopes) != 1 || f.Scopes[0].ID != DefaultScope {
		t.Errorf("scopes: got %v, want one default scope", f.Scopes)
	}
}

func TestParseErrors(t *testing.T) {
	m := builtin(t)
	head := "date: 2026-11-20\nscopes:\n  - {id: production}\nanswers:\n"
	tests := []struct {
		name, body string
		line       int
		key, msg   string
	}{
		{"unknown objective", "  IAM-9.9: yes\n", 5, "answers.IAM-9.9", "unknown objective"},
		{"unknown word", "  IAM-2.1: maybe\n", 5, "answers.IAM-2.1", `unknown answer "maybe"`},
		{"boolean true", "  IAM-2.1: true\n", 5, "answers.IAM-2.1", `unknown answer "true"`},
		{"number", "  IAM-2.1: 1\n", 5, "answers.IAM-2.1", `unknown answer "1"`},
		{"undeclared scope", "  IAM-2.1: {staging: yes}\n", 5, "answers.IAM-2.1.staging", `scope "staging" is not declared`},
		{"na without justification", "  IAM-2.1: na\n", 5, "answers.IAM-2.1", "justification"},
		{"na empty justification", "  IAM-2.1: {answer: na, justification: \"  \"}\n", 5, "answers.IAM-2.1", "justification"},
		{"malformed date", "  IAM-2.1: {answer: yes, date: 2026-02-30}\n", 5, "answers.IAM-2.1.date", "YYYY-MM-DD"},
		{"missing answer", "  IAM-2.1: {note: hello}\n", 5, "answers.IAM-2.1.answer", "missing answer"},
		{"unknown response key", "  IAM-2.1: {answer: yes, notes: x}\n", 5, "answers.IAM-2.1.notes", "unknown key"},
		{"list instead of answer", "  IAM-2.1: [yes]\n", 5, "answers.IAM-2.1", "expected an answer"},
		{"duplicate key", "  IAM-2.1: yes\n  IAM-2.1: no\n", 6, "answers.IAM-2.1", "duplicate key"},
		{"second line", "  IAM-2.1: yes\n  IAM-2.2: sure\n", 6, "answers.IAM-2.2", "unknown answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblem(t, m, head+tt.body, tt.line, tt.key, tt.msg)
		})
	}
	other := []struct {
		name, src string
		line      int
		key, msg  string
	}{
		{"bad file date", "date: 20261120\nanswers: {}\n", 1, "date", "YYYY-MM-DD"},
		{"unknown top key", "answer:\n  IAM-2.1: yes\n", 1, "answer", "unknown key"},
		{"unknown target category", "targets: {XYZ: 3}\n", 1, "targets.XYZ", "unknown category"},
		{"target out of range", "targets:\n  IAM: 7\n", 2, "targets.IAM", "from 1 to 5"},
		{"bad weight", "scopes:\n  - {id: a, weight: 0}\n", 2, "scopes[0].weight", "greater than 0"},
		{"duplicate scope", "scopes:\n  - a\n  - a\n", 3, "scopes[1].id", "duplicate scope"},
		{"other model", "model: csmm@1.0.0\n", 1, "model", "model in use"},
		{"exemption without approver", "exemptions:\n  DAT-4.2: {reason: r, until: 2027-01-01}\n", 2, "exemptions.DAT-4.2.approver", "approver"},
		{"exemption bad date", "exemptions:\n  DAT-4.2: {reason: r, approver: a, until: soon}\n", 2, "exemptions.DAT-4.2.until", "YYYY-MM-DD"},
		{"yaml syntax", "answers:\n  IAM-2.1: {answer: yes\n", 1, "", "did not find"},
	}
	for _, tt := range other {
		t.Run(tt.name, func(t *testing.T) { checkProblem(t, m, tt.src, tt.line, tt.key, tt.msg) })
	}
}

func checkProblem(t *testing.T, m *model.Model, src string, line int, key, msg string) {
	t.Helper()
	f, err := ParseFile("answers.yaml", []byte(src), m)
	if f != nil {
		t.Errorf("a file with errors returned a result")
	}
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("got %v, want *FileError", err)
	}
	for _, p := range fe.Problems {
		if p.File == "answers.yaml" && p.Line == line && p.Key == key && strings.Contains(p.Message, msg) {
			return
		}
	}
	t.Errorf("want a problem at line %d key %q mentioning %q; got:\n%v", line, key, msg, err)
}

func TestEncodeRoundTrip(t *testing.T) {
	m := builtin(t)
	f, err := ParseFile("example.yaml", []byte(formatsExample), m)
	if err != nil {
		t.Fatal(err)
	}
	f.Answers[Key{"GOV-2.1", "production"}] = Response{Answer: Most, Note: "quotes \" and: colons # and hashes", By: "yes", Date: f.Date}
	out := f.Encode()
	g, err := ParseFile("encoded.yaml", out, m)
	if err != nil {
		t.Fatalf("encoded file does not parse: %v\n%s", err, out)
	}
	opts := cmpopts.IgnoreUnexported(File{})
	g.Name = f.Name
	if diff := cmp.Diff(f, g, opts); diff != "" {
		t.Errorf("round trip (-want +got):\n%s\n%s", diff, out)
	}
	asOf := Date{2026, 11, 29}
	if diff := cmp.Diff(Score(f.Input(m, asOf)), Score(g.Input(m, asOf))); diff != "" {
		t.Errorf("scores differ after round trip:\n%s", diff)
	}
}

// FuzzParseFile checks that no input makes the parser panic, and that every
// file it accepts encodes to a file that parses to the same answers.
func FuzzParseFile(f *testing.F) {
	f.Add([]byte(formatsExample))
	f.Add([]byte("answers:\n  IAM-2.1: yes\n"))
	f.Add([]byte("scopes: [a, b]\nanswers:\n  IAM-2.1: {a: no, b: {answer: na, justification: x}}\n"))
	f.Add([]byte("targets: {default: 9}\n"))
	f.Add([]byte("answers: [1, 2]\n"))
	f.Add([]byte("&a [*a]"))
	f.Add(bombs.BillionLaughs())
	f.Add(bombs.MergeKeys())
	f.Add(bombs.Deep(40))
	m := builtin(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = ReferencedModel(data)
		file, err := ParseFile("fuzz.yaml", data, m)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || len(fe.Problems) == 0 {
				t.Fatalf("error is not a *FileError with problems: %v", err)
			}
			return
		}
		again, err := ParseFile("again.yaml", file.Encode(), m)
		if err != nil {
			t.Fatalf("encoded file does not parse: %v\n%s", err, file.Encode())
		}
		if diff := cmp.Diff(file.Answers, again.Answers); diff != "" {
			t.Fatalf("answers changed on round trip:\n%s", diff)
		}
		_ = Score(file.Input(m, Date{2026, 1, 1}))
	})
}
