package model_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// modelFile is the built-in model whose references these tests read. It is
// parsed directly with yaml.v3, so the tests do not depend on the loader.
const modelFile = "csmm-2.1.0.yaml"

// collectorFacts are the checks `csmm collect aws` reports, referenced in the
// model as csmm:aws:<name>. Keep in step with the collector and with the model
// contract (Revision 2).
var collectorFacts = map[string]bool{
	"org_account_in_ou": true, "org_scp_deny_leave": true, "org_scp_protect_security_services": true,
	"org_scp_deny_regions": true, "org_delegated_admin": true, "org_cloudtrail_all_regions": true,
	"org_cloudtrail_log_validation": true, "org_cloudtrail_kms": true, "org_cloudtrail_archive_account": true,
	"org_cloudtrail_object_lock": true, "guardduty_enabled": true, "securityhub_enabled": true,
	"config_recorder_enabled": true, "access_analyzer_org": true, "identity_center_enabled": true,
	"iam_users_console_password": true, "iam_users_access_keys": true, "root_mfa": true,
	"root_access_keys": true, "s3_account_public_access_block": true, "ebs_default_encryption": true,
	"backup_org_policy": true,
}

// prowlerProviders are the providers whose check tables live in the samples.
var prowlerProviders = []string{"aws", "azure", "gcp", "kubernetes"}

// refTables holds the identifiers a model may reference.
type refTables struct {
	// prowler maps provider -> check id -> deprecated.
	prowler map[string]map[string]bool
	ccm     map[string]bool
	nist    map[string]bool
	cis     map[string]bool
}

// refObjective is the part of an objective these tests read; the nodes keep
// line numbers for error messages.
type refObjective struct {
	ID               string    `yaml:"id"`
	Checks           yaml.Node `yaml:"checks"`
	SupportingChecks yaml.Node `yaml:"supporting_checks"`
	References       struct {
		CCM     yaml.Node `yaml:"ccm"`
		NISTCSF yaml.Node `yaml:"nist_csf"`
		CIS     yaml.Node `yaml:"cis"`
	} `yaml:"references"`
	Line int `yaml:"-"`
}

// samplesDir returns $CSMM_SAMPLES; without it the test skips, except under
// CI=true, where it fails.
func samplesDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CSMM_SAMPLES")
	if dir == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CSMM_SAMPLES is not set; under CI=true the reference tests must run (scripts/test sets it)")
		}
		t.Skip("CSMM_SAMPLES is not set")
	}
	return dir
}

// readModel parses the objectives of the built-in 2.1.0 model file.
func readModel(t *testing.T) []refObjective {
	t.Helper()
	b, err := os.ReadFile(modelFile)
	if errors.Is(err, fs.ErrNotExist) && os.Getenv("CI") != "true" {
		t.Skipf("%s is not in this tree yet", modelFile)
	}
	if err != nil {
		t.Fatal(err)
	}
	objs, err := parseObjectives(b)
	if err != nil {
		t.Fatalf("%s: %v", modelFile, err)
	}
	if len(objs) == 0 {
		t.Fatalf("%s: no objectives", modelFile)
	}
	return objs
}

func parseObjectives(b []byte) ([]refObjective, error) {
	var doc struct {
		Objectives []yaml.Node `yaml:"objectives"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	out := make([]refObjective, 0, len(doc.Objectives))
	for _, n := range doc.Objectives {
		var o refObjective
		if err := n.Decode(&o); err != nil {
			return nil, fmt.Errorf("line %d: %v", n.Line, err)
		}
		o.Line = n.Line
		out = append(out, o)
	}
	return out, nil
}

// loadTables reads the Prowler check tables and the three framework files
// from dir/prowler-compliance.
func loadTables(t *testing.T, dir string) refTables {
	t.Helper()
	base := filepath.Join(dir, "prowler-compliance")
	tb := refTables{prowler: map[string]map[string]bool{}}
	for _, p := range prowlerProviders {
		name := filepath.Join(base, "prowler_"+p+"_checks_at_3e000faa.tsv")
		checks, err := readProwlerTable(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(checks) < 50 {
			t.Fatalf("%s: read only %d checks", name, len(checks))
		}
		tb.prowler[p] = checks
	}
	var err error
	if tb.ccm, err = readCCM(filepath.Join(base, "csa_ccm_4.0.12_controls.tsv")); err != nil {
		t.Fatal(err)
	}
	if len(tb.ccm) != 197 {
		t.Fatalf("CCM table: read %d controls, want 197", len(tb.ccm))
	}
	if tb.nist, err = readJSONIDs(filepath.Join(base, "nist_csf_2.0_aws.json"), "Requirements", "Name"); err != nil {
		t.Fatal(err)
	}
	if tb.cis, err = readJSONIDs(filepath.Join(base, "cis_controls_8.1.json"), "requirements", "id"); err != nil {
		t.Fatal(err)
	}
	if len(tb.nist) < 50 || len(tb.cis) < 100 {
		t.Fatalf("framework files: read %d NIST CSF and %d CIS identifiers", len(tb.nist), len(tb.cis))
	}
	return tb
}

// readProwlerTable returns check id -> deprecated (title starts with [DEPRECATED]).
func readProwlerTable(name string) (map[string]bool, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	out := map[string]bool{}
	title := -1
	for line := 1; sc.Scan(); line++ {
		cols := strings.Split(sc.Text(), "\t")
		if line == 1 {
			for i, c := range cols {
				if c == "check_title" {
					title = i
				}
			}
			if title < 0 {
				return nil, fmt.Errorf("%s:1: no check_title column", name)
			}
			continue
		}
		if len(cols) <= title {
			return nil, fmt.Errorf("%s:%d: %d columns, want more than %d", name, line, len(cols), title)
		}
		out[cols[0]] = strings.HasPrefix(strings.TrimSpace(cols[title]), "[DEPRECATED]")
	}
	return out, sc.Err()
}

func readCCM(name string) (map[string]bool, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for i, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if i == 0 {
			continue
		}
		out[strings.SplitN(l, "\t", 2)[0]] = true
	}
	return out, nil
}

// readJSONIDs returns the values of field idKey of every element of the list
// under listKey.
func readJSONIDs(name, listKey, idKey string) (map[string]bool, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	var items []map[string]any
	if err := json.Unmarshal(doc[listKey], &items); err != nil {
		return nil, fmt.Errorf("%s: %s: %v", name, listKey, err)
	}
	out := map[string]bool{}
	for _, it := range items {
		if s, ok := it[idKey].(string); ok && s != "" {
			out[s] = true
		}
	}
	return out, nil
}

var securityHubControl = regexp.MustCompile(`^securityhub:[A-Za-z0-9]+\.[0-9]+$`)

// checkRefProblem says what is wrong with one check reference, or "".
func checkRefProblem(tb refTables, ref string) string {
	parts := strings.SplitN(ref, ":", 3)
	switch {
	case parts[0] == "prowler" && len(parts) == 3:
		table, ok := tb.prowler[parts[1]]
		if !ok {
			return fmt.Sprintf("unknown Prowler provider %q (want one of %v)", parts[1], prowlerProviders)
		}
		deprecated, ok := table[parts[2]]
		switch {
		case !ok:
			return fmt.Sprintf("not a Prowler %s check", parts[1])
		case deprecated:
			return "deprecated in Prowler (use its successor)"
		}
	case parts[0] == "securityhub":
		if !securityHubControl.MatchString(ref) {
			return "malformed: want securityhub:<Service>.<number>"
		}
	case parts[0] == "csmm" && len(parts) == 3 && parts[1] == "aws":
		if !collectorFacts[parts[2]] {
			return "not a fact that csmm collect aws reports"
		}
	default:
		return "malformed: want prowler:<provider>:<id>, securityhub:<control> or csmm:aws:<fact>"
	}
	return ""
}

// referenceProblems lists every bad check or framework reference of objs.
func referenceProblems(tb refTables, objs []refObjective) []string {
	var out []string
	add := func(o refObjective, n *yaml.Node, field, format string, a ...any) {
		line := o.Line
		if n != nil && n.Line > 0 {
			line = n.Line
		}
		out = append(out, fmt.Sprintf("%s:%d: %s %s: %s", modelFile, line, o.ID, field, fmt.Sprintf(format, a...)))
	}
	list := func(o refObjective, n *yaml.Node, field string, required bool) []string {
		if n.Kind == 0 {
			if required {
				add(o, nil, field, "missing")
			}
			return nil
		}
		if n.Kind != yaml.SequenceNode {
			add(o, n, field, "want a list")
			return nil
		}
		if required && len(n.Content) == 0 {
			add(o, n, field, "empty; at least one identifier is required")
		}
		var vals []string
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode || c.Tag != "!!str" {
				add(o, c, field, "%q is not a string (quote identifiers such as \"6.5\")", c.Value)
				continue
			}
			vals = append(vals, c.Value)
		}
		return vals
	}
	for _, o := range objs {
		for _, f := range []struct {
			name string
			node *yaml.Node
		}{{"checks", &o.Checks}, {"supporting_checks", &o.SupportingChecks}} {
			for _, ref := range list(o, f.node, f.name, false) {
				if p := checkRefProblem(tb, ref); p != "" {
					add(o, f.node, f.name, "%s: %s", ref, p)
				}
			}
		}
		for _, f := range []struct {
			name     string
			node     *yaml.Node
			known    map[string]bool
			file     string
			required bool
		}{
			{"references.ccm", &o.References.CCM, tb.ccm, "csa_ccm_4.0.12_controls.tsv", true},
			{"references.nist_csf", &o.References.NISTCSF, tb.nist, "nist_csf_2.0_aws.json", false},
			{"references.cis", &o.References.CIS, tb.cis, "cis_controls_8.1.json", false},
		} {
			for _, id := range list(o, f.node, f.name, f.required) {
				if !f.known[id] {
					add(o, f.node, f.name, "%s is not in %s", id, f.file)
				}
			}
		}
	}
	return out
}

// TestBuiltinModelReferences reads every check reference of the built-in
// 2.1.0 model against the four Prowler check tables (unknown and deprecated
// IDs fail) and every framework reference against the CCM, NIST CSF and CIS
// files.
func TestBuiltinModelReferences(t *testing.T) {
	tb := loadTables(t, samplesDir(t))
	objs := readModel(t)
	refs := 0
	for _, o := range objs {
		refs += len(o.Checks.Content) + len(o.SupportingChecks.Content) + len(o.References.CCM.Content)
	}
	if refs == 0 {
		t.Fatalf("%s: no references found; is the file in the Revision 2 format?", modelFile)
	}
	for _, p := range referenceProblems(tb, objs) {
		t.Error(p)
	}
}

// TestReferenceProblems shows the validator rejects what it must, using small
// made-up tables so it runs without the samples.
func TestReferenceProblems(t *testing.T) {
	tb := refTables{
		prowler: map[string]map[string]bool{
			"aws":        {"iam_root_mfa_enabled": false, "s3_bucket_default_encryption": true},
			"azure":      {"entra_privileged_user_has_mfa": false},
			"gcp":        {},
			"kubernetes": {"rbac_cluster_admin_usage": false},
		},
		ccm:  map[string]bool{"IAM-14": true},
		nist: map[string]bool{"PR.AC-7": true},
		cis:  map[string]bool{"6.5": true},
	}
	tests := []struct {
		name string
		yaml string
		want []string // substrings, one per expected problem, in order
	}{
		{
			name: "all valid",
			yaml: `checks: ["prowler:aws:iam_root_mfa_enabled", "prowler:azure:entra_privileged_user_has_mfa", "securityhub:IAM.9", "csmm:aws:root_mfa"]
supporting_checks: ["prowler:kubernetes:rbac_cluster_admin_usage"]
references: {ccm: [IAM-14], nist_csf: [PR.AC-7], cis: ["6.5"]}`,
		},
		{
			name: "unknown and deprecated checks",
			yaml: `checks: ["prowler:aws:no_such_check", "prowler:aws:s3_bucket_default_encryption"]
supporting_checks: ["prowler:oracle:x", "securityhub:IAM", "csmm:aws:no_such_fact", "aws:iam_root_mfa_enabled"]
references: {ccm: [IAM-14]}`,
			want: []string{
				"prowler:aws:no_such_check: not a Prowler aws check",
				"prowler:aws:s3_bucket_default_encryption: deprecated in Prowler",
				`prowler:oracle:x: unknown Prowler provider "oracle"`,
				"securityhub:IAM: malformed",
				"csmm:aws:no_such_fact: not a fact",
				"aws:iam_root_mfa_enabled: malformed",
			},
		},
		{
			name: "framework identifiers",
			yaml: `checks: []
references: {ccm: [IAM-99], nist_csf: [PR.AA-05], cis: [6.5, "99.9"]}`,
			want: []string{
				"references.ccm: IAM-99 is not in csa_ccm",
				"references.nist_csf: PR.AA-05 is not in nist_csf",
				`references.cis: "6.5" is not a string`,
				"references.cis: 99.9 is not in cis_controls",
			},
		},
		{
			name: "ccm required",
			yaml: `checks: []
references: {nist_csf: [PR.AC-7]}`,
			want: []string{"references.ccm: missing"},
		},
		{
			name: "ccm empty",
			yaml: `checks: []
references: {ccm: []}`,
			want: []string{"references.ccm: empty"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "objectives:\n  - id: IAM-2.2\n" + indent(tt.yaml, "    ")
			objs, err := parseObjectives([]byte(src))
			if err != nil {
				t.Fatal(err)
			}
			got := referenceProblems(tb, objs)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], w)
				}
				if !strings.Contains(got[i], "IAM-2.2") || !strings.Contains(got[i], modelFile+":") {
					t.Errorf("problem %d = %q does not name the file, line and objective", i, got[i])
				}
			}
		})
	}
}

func indent(s, pre string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = pre + l
	}
	return strings.Join(lines, "\n") + "\n"
}
