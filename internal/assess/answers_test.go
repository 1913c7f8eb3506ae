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
	m, err := model.BuiltinRef("csmm@2.0.0")
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
	f, err := ParseFile("a.yaml", []byte("date: 2026-11-20\nanswers:\n  IAM-2.1: yes\n  IAM-2.2: no\n  IAM-3.1: YES\n"), m)
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

func builtin21(t testing.TB) *model.Model {
	t.Helper()
	m, err := model.BuiltinRef("csmm@2.1.0")
	if err != nil {
		t.Fatal(err)
	}
	if o, _ := m.Objective("IAM-2.3"); !o.Binary() {
		t.Fatal("the tests need IAM-2.3 to be binary in csmm@2.1.0")
	}
	return m
}

func TestParseRevision2Errors(t *testing.T) {
	m := builtin21(t)
	head := "date: 2026-11-20\nscopes:\n  - {id: production}\nanswers:\n"
	tests := []struct {
		name, body string
		line       int
		key, msg   string
	}{
		{"binary answered half", "  IAM-2.3: half\n", 5, "answers.IAM-2.3", `objective IAM-2.3 is binary (a yes/no fact): expected no, yes or na, got "half"`},
		{"binary answered most in a mapping", "  IAM-2.3: {answer: most, note: n}\n", 5, "answers.IAM-2.3.answer", "objective IAM-2.3 is binary"},
		{"binary answered per scope", "  IAM-2.3: {production: some}\n", 5, "answers.IAM-2.3.production", "objective IAM-2.3 is binary"},
		{"binary given a percentage", "  IAM-2.3: 50%\n", 5, "answers.IAM-2.3", "objective IAM-2.3 is binary"},
		{"binary given a measure", "  IAM-2.3: {measured: 1, of: 2}\n", 5, "answers.IAM-2.3", "objective IAM-2.3 is binary"},
		{"measured above of", "  IAM-2.1: {measured: 130, of: 120}\n", 5, "answers.IAM-2.1", "0 <= measured <= of, got 130 of 120"},
		{"of zero", "  IAM-2.1: {measured: 0, of: 0}\n", 5, "answers.IAM-2.1", "of greater than 0"},
		{"negative measure", "  IAM-2.1: {measured: -1, of: 10}\n", 5, "answers.IAM-2.1", "0 <= measured <= of"},
		{"measured without of", "  IAM-2.1: {measured: 3}\n", 5, "answers.IAM-2.1.of", "needs both measured and of"},
		{"measured not a number", "  IAM-2.1: {measured: many, of: 10}\n", 5, "answers.IAM-2.1.measured", "expected a number"},
		{"answer and measure", "  IAM-2.1: {answer: yes, measured: 3, of: 4}\n", 5, "answers.IAM-2.1.answer", "not both"},
		{"percentage above 100", "  IAM-2.1: 150%\n", 5, "answers.IAM-2.1", "from 0% to 100%"},
		{"fraction above 1", "  IAM-2.1: 5/4\n", 5, "answers.IAM-2.1", "0 <= measured <= of"},
		{"coverage word list names measures", "  IAM-2.1: lots\n", 5, "answers.IAM-2.1", "72.5%"},
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
		{"undated file", "answers:\n  IAM-2.1: yes\n", 2, "answers.IAM-2.1", "no date and the file has none"},
		{"undated answer among dated ones", "answers:\n  IAM-2.1: {answer: yes, date: 2026-01-01}\n  IAM-2.2: no\n", 3, "answers.IAM-2.2", "no date"},
		{"evidence validity out of range", "date: 2026-11-20\nevidence_validity_days: 0\n", 2, "evidence_validity_days", "from 1 to 36500"},
	}
	for _, tt := range other {
		t.Run(tt.name, func(t *testing.T) { checkProblem(t, m, tt.src, tt.line, tt.key, tt.msg) })
	}
}

func TestParseRevision2Answers(t *testing.T) {
	m := builtin21(t)
	src := `date: 2026-11-20
evidence_validity_days: 30
answers:
  IAM-2.1: {measured: 87, of: 120, note: accounts federated}
  IAM-2.2: 72.5%
  IAM-3.1: 3/4
  IAM-3.3: {answer: 40%, by: alice}
  IAM-2.3: yes
`
	f, err := ParseFile("r2.yaml", []byte(src), m)
	if err != nil {
		t.Fatal(err)
	}
	if f.EvidenceValidityDays != 30 || f.Input(m, f.Date).EvidenceValidityDays != 30 {
		t.Errorf("evidence_validity_days: got %d", f.EvidenceValidityDays)
	}
	want := map[string]float64{"IAM-2.1": 87.0 / 120, "IAM-2.2": 0.725, "IAM-3.1": 0.75, "IAM-3.3": 0.4, "IAM-2.3": 1}
	for id, wv := range want {
		r := f.Answers[Key{id, DefaultScope}]
		v, applicable, ok := r.Value()
		if !ok || !applicable || v != wv {
			t.Errorf("%s: got %v %v %v (%+v), want %v", id, v, applicable, ok, r, wv)
		}
	}
	if r := f.Answers[Key{"IAM-2.1", DefaultScope}]; r.Note != "accounts federated" || r.Label() != "87/120" || r.Answer != "" {
		t.Errorf("IAM-2.1: got %+v label %q", r, r.Label())
	}
	if l := f.Answers[Key{"IAM-2.2", DefaultScope}].Label(); l != "72.5%" {
		t.Errorf("IAM-2.2 label: got %q", l)
	}
	// Encoding and reading again gives the same answers.
	f.SetModel(m)
	out := f.Encode()
	g, err := ParseFile("encoded.yaml", out, m)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if diff := cmp.Diff(f.Answers, g.Answers); diff != "" {
		t.Errorf("round trip (-want +got):\n%s\n%s", diff, out)
	}
	if !strings.Contains(string(out), "IAM-2.2: \"72.5%\"") || !strings.Contains(string(out), "measured: 87, of: 120") {
		t.Errorf("encoded measures:\n%s", out)
	}
}

func TestAnswersAfter(t *testing.T) {
	m := builtin21(t)
	src := `date: 2026-11-20
scopes: [a, b]
answers:
  IAM-2.1: {answer: yes, date: 2026-12-05}
  IAM-2.2: {a: {answer: no, date: 2026-12-01}, b: {answer: no, date: 2026-11-30}}
  IAM-3.1: yes
`
	f, err := ParseFile("later.yaml", []byte(src), m)
	if err != nil {
		t.Fatal(err)
	}
	got := f.AnswersAfter(mustParse(t, "2026-11-30"))
	want := []Problem{
		{File: "later.yaml", Line: 4, Key: "answers.IAM-2.1", Message: "the answer is dated 2026-12-05, after the as-of date 2026-11-30: it counts as unanswered"},
		{File: "later.yaml", Line: 5, Key: "answers.IAM-2.2", Message: "the answer is dated 2026-12-01, after the as-of date 2026-11-30: it counts as unanswered"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := f.AnswersAfter(mustParse(t, "2026-12-05")); len(got) != 0 {
		t.Errorf("as of the latest date: got %v, want no warnings", got)
	}
}

func mustParse(t *testing.T, s string) Date {
	t.Helper()
	v, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
