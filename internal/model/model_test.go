package model

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	awscollect "github.com/csmm/csmm/internal/collect/aws"
)

func TestBuiltinModel(t *testing.T) {
	m, err := Builtin()
	if err != nil {
		t.Fatalf("built-in model does not load: %v", err)
	}
	if len(m.Levels) != 5 {
		t.Errorf("levels: got %d, want 5", len(m.Levels))
	}
	if len(m.Domains) != 3 {
		t.Errorf("domains: got %d, want 3", len(m.Domains))
	}
	wantCats := []string{"GOV", "ORG", "IAM", "MON", "NET", "WKL", "APP", "DAT", "RSK", "RES", "CMP", "IR"}
	var gotCats []string
	for _, c := range m.Categories {
		gotCats = append(gotCats, c.ID)
	}
	if strings.Join(gotCats, " ") != strings.Join(wantCats, " ") {
		t.Errorf("categories: got %v, want %v", gotCats, wantCats)
	}
	for _, d := range m.Domains {
		if n := len(m.DomainCategories(d.ID)); n != 4 {
			t.Errorf("domain %s has %d categories, want 4", d.ID, n)
		}
	}
	if n := len(m.Objectives); n < 96 || n > 144 {
		t.Errorf("objectives: got %d, want 96 to 144", n)
	}
	for _, c := range m.Categories {
		per := map[int]int{}
		for _, o := range m.CategoryObjectives(c.ID) {
			per[o.Level]++
		}
		for l := 2; l <= 5; l++ {
			if per[l] < 1 || per[l] > 3 {
				t.Errorf("%s level %d has %d objectives, want 1 to 3", c.ID, l, per[l])
			}
		}
	}
	measurable := regexp.MustCompile(`\d|every|all |each|no |none|zero|at least`)
	for _, o := range m.Objectives {
		if o.Title == "" || o.KPI == "" || o.Question == "" || o.Guidance == "" {
			t.Errorf("%s: title, kpi, question and guidance are all required", o.ID)
		}
		if !measurable.MatchString(strings.ToLower(o.KPI)) {
			t.Errorf("%s: KPI %q states no measure (percentage, count or period)", o.ID, o.KPI)
		}
		if len(o.Controls.AWS) == 0 || len(o.Controls.Azure) == 0 || len(o.Controls.GCP) == 0 {
			t.Errorf("%s: sample controls needed for aws, azure and gcp", o.ID)
		}
		switch o.Mode {
		case ModeManual:
			if len(o.Checks) > 0 {
				t.Errorf("%s: a manual objective lists scanner checks %v", o.ID, o.Checks)
			}
		case ModeAutomated, ModeEither:
			if len(o.Checks) == 0 {
				t.Errorf("%s: a %s objective needs scanner checks", o.ID, o.Mode)
			}
		}
	}
}

// samplesDir is the shared samples folder, or the test is skipped (fails under CI).
func samplesDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CSMM_SAMPLES")
	if dir == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CSMM_SAMPLES is not set; ./scripts/test sets it when ../shared/samples exists")
		}
		t.Skip("CSMM_SAMPLES not set")
	}
	return filepath.Join(dir, "prowler-compliance")
}

// readTSV returns the first column of every row of a TSV file (header left
// out), mapped to its last column.
func readTSV(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	first := true
	for sc.Scan() {
		if first {
			first = false
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		out[cols[0]] = cols[len(cols)-1]
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBuiltinChecksAreReal checks every deciding and supporting check of
// every built-in model against the Prowler check tables of the four
// providers in the shared samples; the newest built-in model may not name a
// deprecated check (its title starts with [DEPRECATED]).
func TestBuiltinChecksAreReal(t *testing.T) {
	dir := samplesDir(t)
	tables := map[string]map[string]string{}
	for _, p := range []string{"aws", "azure", "gcp", "kubernetes"} {
		tables[p] = readTSV(t, filepath.Join(dir, "prowler_"+p+"_checks_at_3e000faa.tsv"))
		if len(tables[p]) < 50 {
			t.Fatalf("read only %d Prowler %s checks", len(tables[p]), p)
		}
	}
	securityHub := regexp.MustCompile(`^securityhub:[A-Za-z0-9]+\.[0-9]+$`)
	refs := BuiltinRefs()
	for i, ref := range refs {
		m, err := BuiltinRef(ref)
		if err != nil {
			t.Fatal(err)
		}
		newest := i == len(refs)-1
		for _, o := range m.Objectives {
			for _, c := range o.AllChecks() {
				parts := strings.SplitN(c, ":", 3)
				switch {
				case parts[0] == "prowler" && len(parts) == 3 && tables[parts[1]] != nil:
					title, ok := tables[parts[1]][parts[2]]
					switch {
					case !ok:
						t.Errorf("%s %s: %s is not a Prowler %s check", ref, o.ID, c, parts[1])
					case newest && strings.HasPrefix(title, "[DEPRECATED]"):
						t.Errorf("%s %s: %s is deprecated (%s); use its successor", ref, o.ID, c, title)
					}
				case parts[0] == "csmm" && len(parts) == 3 && parts[1] == "aws":
					if !slices.Contains(awscollect.Checks(), c) {
						t.Errorf("%s %s: %s is not a fact of csmm collect aws", ref, o.ID, c)
					}
				case securityHub.MatchString(c):
				default:
					t.Errorf("%s %s: check %q is not prowler:<aws|azure|gcp|kubernetes>:<id>, securityhub:<control> or csmm:aws:<fact>", ref, o.ID, c)
				}
			}
		}
	}
}

// TestBuiltinReferencesAreReal checks every framework reference of the
// newest built-in model against the framework files in the shared samples:
// CSA CCM v4 ids, NIST CSF ids as the Prowler mapping spells them, CIS
// Controls v8.1 safeguards.
func TestBuiltinReferencesAreReal(t *testing.T) {
	dir := samplesDir(t)
	ccm := readTSV(t, filepath.Join(dir, "csa_ccm_4.0.12_controls.tsv"))
	var nist struct {
		Requirements []struct{ Name string }
	}
	var cis struct {
		Requirements []struct {
			ID string `json:"id"`
		} `json:"requirements"`
	}
	for path, v := range map[string]any{"nist_csf_2.0_aws.json": &nist, "cis_controls_8.1.json": &cis} {
		data, err := os.ReadFile(filepath.Join(dir, path))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	known := map[string]map[string]bool{"ccm": {}, "nist_csf": {}, "cis": {}}
	for id := range ccm {
		known["ccm"][id] = true
	}
	for _, r := range nist.Requirements {
		known["nist_csf"][r.Name] = true
	}
	for _, r := range cis.Requirements {
		known["cis"][r.ID] = true
	}
	for k, ids := range known {
		if len(ids) < 50 {
			t.Fatalf("read only %d %s ids", len(ids), k)
		}
	}
	m, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range m.Objectives {
		for k, ids := range map[string][]string{"ccm": o.References.CCM, "nist_csf": o.References.NISTCSF, "cis": o.References.CIS} {
			for _, id := range ids {
				if !known[k][id] {
					t.Errorf("%s %s: references.%s %q is not in the framework file", m.Ref(), o.ID, k, id)
				}
			}
		}
	}
}

func TestObjectiveIDsMatchCategoryAndLevel(t *testing.T) {
	m, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	last := map[string]int{}
	for _, o := range m.Objectives {
		cat, level, n, ok := ParseObjectiveID(o.ID)
		if !ok || cat != o.Category || level != o.Level {
			t.Errorf("%s: ID does not match category %s level %d", o.ID, o.Category, o.Level)
		}
		// Numbers increase in model order; a gap is an objective that an
		// earlier version had and this one removed (IDs are never reused).
		k := cat + "-" + string(rune('0'+level))
		if n <= last[k] {
			t.Errorf("%s: objectives of %s are not numbered in increasing order", o.ID, k)
		}
		last[k] = n
	}
}

const validModel = `id: test
version: 1.0.0
name: Test model
levels:
  - {level: 1, name: One}
  - {level: 2, name: Two}
  - {level: 3, name: Three}
  - {level: 4, name: Four}
  - {level: 5, name: Five}
domains:
  - {id: base, name: Base}
categories:
  - {id: AAA, domain: base, name: Alpha}
objectives:
  - {id: AAA-2.1, category: AAA, level: 2, title: T2, question: Q2, mode: manual}
  - {id: AAA-3.1, category: AAA, level: 3, title: T3, question: Q3, mode: either, threshold: 0.95, checks: ["prowler:aws:iam_root_mfa_enabled"]}
  - {id: AAA-4.1, category: AAA, level: 4, title: T4, question: Q4, mode: automated}
  - {id: AAA-5.1, category: AAA, level: 5, title: T5, question: Q5, mode: manual}
`

func TestParseValid(t *testing.T) {
	m, err := Parse("test.yaml", []byte(validModel))
	if err != nil {
		t.Fatal(err)
	}
	if m.Ref() != "test@1.0.0" {
		t.Errorf("ref: got %s", m.Ref())
	}
	o, ok := m.Objective("AAA-3.1")
	if !ok || o.Threshold != 0.95 {
		t.Errorf("AAA-3.1 threshold: got %+v", o)
	}
	if o, _ := m.Objective("AAA-2.1"); o.Threshold != 1 {
		t.Errorf("default threshold: got %v, want 1", o.Threshold)
	}
	if m.Domains[0].Weight != 1 || m.Categories[0].Weight != 1 {
		t.Errorf("default weights not 1")
	}
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		line     int
		path     string
		message  string
	}{
		{"duplicate ID", "- {id: AAA-3.1, category: AAA, level: 3", "- {id: AAA-2.1, category: AAA, level: 2", 16, "objectives[1].id", "duplicate objective ID"},
		{"unknown category", "- {id: AAA-4.1, category: AAA,", "- {id: AAA-4.1, category: ZZZ,", 17, "objectives[2].category", `unknown category "ZZZ"`},
		{"level with no objectives", "- {id: AAA-5.1, category: AAA, level: 5", "- {id: AAA-4.2, category: AAA, level: 4", 13, "categories[0]", "no objectives at level 5"},
		{"bad threshold", "threshold: 0.95", "threshold: 1.5", 16, "objectives[1].threshold", "1.5"},
		{"zero threshold", "threshold: 0.95", "threshold: -1", 16, "objectives[1].threshold", "-1"},
		{"unknown mode", "mode: automated}", "mode: auto}", 17, "objectives[2].mode", "auto"},
		{"unknown domain", "domain: base, name: Alpha", "domain: basic, name: Alpha", 13, "categories[0].domain", `unknown domain "basic"`},
		{"ID does not match level", "- {id: AAA-5.1, category: AAA, level: 5", "- {id: AAA-5.1, category: AAA, level: 4", 18, "objectives[3].id", "does not match"},
		{"unknown key", "title: T5,", "titel: T5,", 18, "objectives[3]", "titel"},
		{"YAML syntax", "- {level: 2, name: Two}", "- {level: 2, name: Two", 5, "", "did not find"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(validModel, tt.old, tt.new, 1)
			if src == validModel {
				t.Fatalf("test does not change the model")
			}
			_, err := Parse("bad.yaml", []byte(src))
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want a *ValidationError", err)
			}
			for _, p := range ve.Problems {
				if p.File == "bad.yaml" && p.Path == tt.path && p.Line == tt.line && strings.Contains(p.Message+p.String(), tt.message) {
					return
				}
			}
			t.Errorf("no problem at line %d path %q mentioning %q; got:\n%v", tt.line, tt.path, tt.message, err)
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	src := strings.Replace(validModel, "mode: automated}", "mode: auto}", 1)
	src = strings.Replace(src, "category: ZZZ", "category: ZZZ", 1)
	src = strings.Replace(src, "threshold: 0.95", "threshold: 2", 1)
	_, err := Parse("bad.yaml", []byte(src))
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) < 2 {
		t.Fatalf("want at least 2 problems, got %v", err)
	}
}

// revision2Model uses every revision-2 field once.
const revision2Model = `id: test
version: 2.0.0
name: Test model
levels:
  - {level: 1, name: One}
  - {level: 2, name: Two}
  - {level: 3, name: Three}
  - {level: 4, name: Four}
  - {level: 5, name: Five}
domains:
  - {id: base, name: Base}
categories:
  - id: AAA
    domain: base
    name: Alpha
    levels:
      - {level: 2, description: Rung two}
      - {level: 3, description: Rung three}
objectives:
  - id: AAA-2.1
    category: AAA
    level: 2
    title: T2
    question: Q2
    mode: manual
    scale: binary
    supporting_checks: ["prowler:aws:iam_root_mfa_enabled"]
    references: {ccm: [IAM-14], nist_csf: [PR.AA-05], cis: ["6.5"]}
    effort: {size: M, person_weeks: [2, 6], spend: license}
    replaces: [AAA-2.7]
  - {id: AAA-3.1, category: AAA, level: 3, title: T3, question: Q3, mode: either, threshold: 0.95, checks: ["prowler:aws:iam_root_mfa_enabled"]}
  - {id: AAA-4.1, category: AAA, level: 4, title: T4, question: Q4, mode: manual}
  - {id: AAA-5.1, category: AAA, level: 5, title: T5, question: Q5, mode: manual}
`

func TestParseRevision2Fields(t *testing.T) {
	m, err := Parse("r2.yaml", []byte(revision2Model))
	if err != nil {
		t.Fatal(err)
	}
	o, _ := m.Objective("AAA-2.1")
	want := Objective{
		ID: "AAA-2.1", Category: "AAA", Level: 2, Title: "T2", Question: "Q2", Mode: ModeManual, Threshold: 1,
		Controls: Controls{AWS: []string{}, Azure: []string{}, GCP: []string{}}, Checks: []string{},
		Scale: ScaleBinary, SupportingChecks: []string{"prowler:aws:iam_root_mfa_enabled"},
		References: References{CCM: []string{"IAM-14"}, NISTCSF: []string{"PR.AA-05"}, CIS: []string{"6.5"}},
		Effort:     &Effort{Size: SizeM, PersonWeeks: [2]int{2, 6}, Spend: SpendLicense},
		Replaces:   []string{"AAA-2.7"},
	}
	if diff := cmp.Diff(want, *o); diff != "" {
		t.Errorf("AAA-2.1 (-want +got):\n%s", diff)
	}
	if o, _ := m.Objective("AAA-3.1"); o.Scale != ScaleCoverage || o.Effort != nil || len(o.References.CCM) != 0 {
		t.Errorf("AAA-3.1 defaults: got scale %q effort %v references %v", o.Scale, o.Effort, o.References)
	}
	c, _ := m.Category("AAA")
	if c.Rung(3) != "Rung three" || c.Rung(5) != "" {
		t.Errorf("category ladder: got %+v", c.Levels)
	}
}

func TestParseRevision2Problems(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		path     string
		message  string
	}{
		{"binary threshold", "    scale: binary\n", "    scale: binary\n    threshold: 0.5\n", "objectives[0].threshold", "binary"},
		{"unknown scale", "scale: binary", "scale: yesno", "objectives[0].scale", "yesno"},
		{"person weeks reversed", "person_weeks: [2, 6]", "person_weeks: [6, 2]", "objectives[0].effort.person_weeks", "min 6 greater than max 2"},
		{"person weeks one number", "person_weeks: [2, 6]", "person_weeks: [2]", "objectives[0].effort.person_weeks", "minItems"},
		{"unknown size", "size: M", "size: XXL", "objectives[0].effort.size", "XXL"},
		{"unknown spend", "spend: license", "spend: capex", "objectives[0].effort.spend", "capex"},
		{"duplicate rung", "{level: 3, description: Rung three}", "{level: 2, description: Rung three}", "categories[0].levels[1].level", "duplicate level 2"},
		{"rung level 1", "{level: 3, description: Rung three}", "{level: 1, description: Rung three}", "categories[0].levels[1].level", "1"},
		{"replaces malformed", "replaces: [AAA-2.7]", "replaces: [aaa-2]", "objectives[0].replaces[0]", "aaa-2"},
		{"replaces itself", "replaces: [AAA-2.7]", "replaces: [AAA-2.1]", "objectives[0].replaces[0]", "cannot replace itself"},
		{"cis as a number", `cis: ["6.5"]`, `cis: [6.5]`, "objectives[0].references.cis[0]", "string"},
		{"unknown reference framework", "nist_csf: [PR.AA-05]", "iso: [A.5]", "objectives[0].references", "iso"},
		{"deciding and supporting", "mode: manual\n    scale", "mode: either\n    checks: [\"prowler:aws:iam_root_mfa_enabled\"]\n    scale", "objectives[0].supporting_checks[0]", "both as deciding and as supporting"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(revision2Model, tt.old, tt.new, 1)
			if src == revision2Model {
				t.Fatalf("test does not change the model")
			}
			_, err := Parse("bad.yaml", []byte(src))
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want a *ValidationError", err)
			}
			for _, p := range ve.Problems {
				if p.File == "bad.yaml" && p.Path == tt.path && p.Line > 0 && strings.Contains(p.Message, tt.message) {
					return
				}
			}
			t.Errorf("no problem at path %q mentioning %q; got:\n%v", tt.path, tt.message, err)
		})
	}
}

func TestBuiltinLookup(t *testing.T) {
	if got := BuiltinRefs(); strings.Join(got, " ") != "csmm@2.0.0 csmm@2.1.0" {
		t.Fatalf("built-in refs: got %v", got)
	}
	for _, tt := range []struct{ ref, version string }{
		{"", "2.1.0"}, {"csmm", "2.1.0"}, {"csmm@2.0.0", "2.0.0"}, {"csmm@2.1.0", "2.1.0"},
	} {
		m, err := BuiltinRef(tt.ref)
		if err != nil || m.Version != tt.version {
			t.Errorf("BuiltinRef(%q): got %v, %v; want version %s", tt.ref, m, err, tt.version)
		}
		if m2, err := Load(tt.ref); err != nil || m2 != m {
			t.Errorf("Load(%q): got a different model or %v", tt.ref, err)
		}
	}
	if _, err := BuiltinRef("csmm@9.9.9"); err == nil || !strings.Contains(err.Error(), "csmm@2.0.0, csmm@2.1.0") {
		t.Errorf("unknown version: got %v, want an error listing the built-in models", err)
	}
	def, _ := Builtin()
	if def.Version != "2.1.0" {
		t.Errorf("default built-in: got %s, want the newest, 2.1.0", def.Version)
	}
	old, _ := BuiltinRef("csmm@2.0.0")
	for _, o := range old.Objectives {
		if o.Scale != ScaleCoverage || len(o.SupportingChecks) != 0 || o.Effort != nil {
			t.Errorf("2.0.0 %s carries revision-2 fields", o.ID)
		}
	}
	src, _ := BuiltinRefYAML("csmm@2.0.0")
	if !strings.Contains(string(src), "version: 2.0.0") {
		t.Errorf("2.0.0 source is not the 2.0.0 file")
	}
}
