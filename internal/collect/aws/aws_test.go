package aws_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/csmm/csmm/internal/collect"
	"github.com/csmm/csmm/internal/collect/aws"
	"github.com/csmm/csmm/internal/collect/aws/awsfake"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var scanTime = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// collectExample collects the Example organization from a fake endpoint and
// returns the document written and the fake.
func collectExample(t *testing.T, concurrency int, scopes *collect.ScopeMap) ([]byte, *awsfake.Server) {
	t.Helper()
	fake := awsfake.New(t, awsfake.Example())
	var buf bytes.Buffer
	w := collect.NewWriter(&buf, aws.Provider, scanTime, nil)
	res, err := aws.Collect(context.Background(), aws.Options{
		Org: true, Regions: awsfake.Regions, Concurrency: concurrency, Scopes: scopes, Version: "test",
		MaxAttempts: 3, MaxBackoff: time.Millisecond, Config: fake.Config(), Now: func() time.Time { return scanTime },
	}, w)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Close(res.Provenance, res.Scopes); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), fake
}

func exampleScopes(t *testing.T) *collect.ScopeMap {
	t.Helper()
	m, err := collect.ParseScopeMap("scopes.yaml", []byte(`
scopes:
  production: ["Root/Workloads/Prod", ou-ab12-security]
  development: [ou-ab12-dev]
default: development
`))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs (-want +got; -update rewrites it):\n%s", path, d)
	}
}

// TestCollectExample is the golden test of the whole document: every fact
// of the Example organization, one worker so that the order is fixed.
func TestCollectExample(t *testing.T) {
	got, _ := collectExample(t, 1, exampleScopes(t))
	golden(t, "testdata/example.golden.json", got)
}

type doc struct {
	Results      []collect.Result       `json:"results"`
	NotEvaluated []collect.Gap          `json:"not_evaluated"`
	Scopes       []collect.ScopeSummary `json:"scopes"`
	Summary      collect.Summary        `json:"summary"`
	Provenance   collect.Provenance     `json:"provenance"`
}

func parse(t *testing.T, b []byte) doc {
	t.Helper()
	var d doc
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("the document is not JSON: %v\n%s", err, b)
	}
	return d
}

func find(d doc, check, resource string) *collect.Result {
	for i := range d.Results {
		if d.Results[i].Check == check && d.Results[i].Resource == resource {
			return &d.Results[i]
		}
	}
	return nil
}

// TestFacts asserts the facts one by one against what the Example world
// holds, so that a wrong golden file cannot hide a wrong fact.
func TestFacts(t *testing.T) {
	d := parse(t, must(collectExample(t, 4, exampleScopes(t))))
	tests := []struct {
		check, resource string
		want            collect.Status
		scope           string
	}{
		{"org_account_in_ou", awsfake.ProdA, collect.Pass, "production"},
		{"org_account_in_ou", awsfake.Sandbox, collect.Fail, "development"},
		{"org_scp_deny_leave", awsfake.ProdA, collect.Pass, "production"},
		{"org_scp_deny_leave", awsfake.Management, collect.Fail, "development"},
		{"org_scp_protect_security_services", awsfake.Dev, collect.Pass, "development"},
		{"org_scp_deny_regions", awsfake.ProdA, collect.Pass, "production"},
		{"org_scp_deny_regions", awsfake.Security, collect.Fail, "production"},
		{"org_delegated_admin", "o-example123/guardduty.amazonaws.com", collect.Pass, ""},
		{"org_delegated_admin", "o-example123/config.amazonaws.com", collect.Fail, ""},
		{"org_delegated_admin", "o-example123/macie.amazonaws.com", collect.Fail, ""},
		{"org_cloudtrail_all_regions", "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail", collect.Pass, ""},
		{"org_cloudtrail_log_validation", "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail", collect.Pass, ""},
		{"org_cloudtrail_kms", "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail", collect.Pass, ""},
		{"org_cloudtrail_archive_account", "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail", collect.Pass, ""},
		{"org_cloudtrail_object_lock", "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail", collect.Pass, ""},
		{"guardduty_enabled", awsfake.ProdA + "/eu-west-1", collect.Pass, "production"},
		{"guardduty_enabled", awsfake.Dev + "/eu-west-1", collect.Fail, "development"},
		{"guardduty_enabled", awsfake.Dev + "/us-east-1", collect.Pass, "development"},
		{"securityhub_enabled", awsfake.Dev + "/us-east-1", collect.Fail, "development"},
		{"securityhub_enabled", awsfake.Sandbox + "/af-south-1", collect.Pass, "development"},
		{"config_recorder_enabled", awsfake.Dev + "/eu-west-1", collect.Fail, "development"},
		{"config_recorder_enabled", awsfake.Dev + "/us-east-1", collect.Pass, "development"},
		{"access_analyzer_org", "o-example123/us-east-1", collect.Pass, ""},
		{"access_analyzer_org", "o-example123/eu-west-1", collect.Pass, ""},
		{"access_analyzer_org", "o-example123/af-south-1", collect.Fail, ""},
		{"identity_center_enabled", "o-example123", collect.Pass, ""},
		{"iam_users_console_password", awsfake.Management, collect.Fail, "development"},
		{"iam_users_console_password", awsfake.ProdA, collect.Pass, "production"},
		{"iam_users_access_keys", awsfake.ProdA, collect.Fail, "production"},
		{"root_mfa", awsfake.Security, collect.Pass, "production"},
		{"root_access_keys", awsfake.Dev, collect.Fail, "development"},
		{"s3_account_public_access_block", awsfake.Dev, collect.Fail, "development"},
		{"s3_account_public_access_block", awsfake.ProdA, collect.Pass, "production"},
		{"ebs_default_encryption", awsfake.Dev + "/us-east-1", collect.Fail, "development"},
		{"ebs_default_encryption", awsfake.ProdA + "/us-east-1", collect.Pass, "production"},
		{"backup_org_policy", awsfake.ProdB, collect.Pass, "production"},
		{"backup_org_policy", awsfake.Sandbox, collect.Fail, "development"},
	}
	for _, tt := range tests {
		t.Run(tt.check+"/"+tt.resource, func(t *testing.T) {
			r := find(d, "csmm:aws:"+tt.check, tt.resource)
			if r == nil {
				t.Fatalf("no result")
			}
			if r.Status != tt.want || r.Scope != tt.scope {
				t.Errorf("status %s in scope %q (%s); want %s in scope %q", r.Status, r.Scope, r.Detail, tt.want, tt.scope)
			}
		})
	}
	// Every check of the contract is reported at least once.
	for _, c := range aws.Checks() {
		if !slices.ContainsFunc(d.Results, func(r collect.Result) bool { return r.Check == c }) {
			t.Errorf("%s: never reported", c)
		}
	}
}

// TestNotEvaluated asserts that what cannot be read is a gap, never a
// result: the member role that cannot be assumed, the disabled opt-in
// region, throttling that outlasts the retries, access denied.
func TestNotEvaluated(t *testing.T) {
	d := parse(t, must(collectExample(t, 4, exampleScopes(t))))
	type key struct {
		account, region string
		reason          collect.Reason
		operation       string
	}
	var got []key
	for _, g := range d.NotEvaluated {
		got = append(got, key{g.Account, g.Region, g.Reason, g.Operation})
	}
	want := []key{
		{awsfake.ProdB, "", collect.AssumeRoleDenied, "sts:AssumeRole"},
		{awsfake.Dev, "af-south-1", collect.RegionDisabled, ""},
		{awsfake.Sandbox, "us-east-1", collect.Throttled, "guardduty:ListDetectors"},
		{awsfake.Sandbox, "", collect.AccessDenied, "s3:GetAccountPublicAccessBlock"},
	}
	less := func(a, b key) int {
		return strings.Compare(a.account+a.region+string(a.reason), b.account+b.region+string(b.reason))
	}
	slices.SortFunc(got, less)
	slices.SortFunc(want, less)
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(key{})); diff != "" {
		t.Errorf("not evaluated (-want +got):\n%s", diff)
	}
	for _, r := range d.Results {
		if r.Account == awsfake.ProdB && !strings.Contains(r.Check, "org_") && r.Check != "csmm:aws:backup_org_policy" {
			t.Errorf("%s: a result for the account whose role cannot be assumed", r.Check)
		}
		if r.Account == awsfake.Dev && r.Region == "af-south-1" {
			t.Errorf("%s: a result for a disabled region", r.Check)
		}
		if r.Account == awsfake.Sandbox && (r.Check == "csmm:aws:s3_account_public_access_block" ||
			r.Check == "csmm:aws:guardduty_enabled" && r.Region == "us-east-1") {
			t.Errorf("%s %s: a result for a call that failed", r.Check, r.Region)
		}
	}
	if d.Summary.NotEvaluated != 4 || d.Summary.ByReason[collect.Throttled] != 1 {
		t.Errorf("summary %+v; want 4 not evaluated, 1 throttled", d.Summary)
	}
}

// TestRetries asserts that throttled calls are retried: the two throttles
// of ListAccountsForParent were overcome, and the exhausted one was tried
// as often as the retryer allows.
func TestRetries(t *testing.T) {
	_, fake := collectExample(t, 1, nil)
	calls := fake.Calls()
	// MaxAttempts 3: the exhausted call was tried three times.
	if calls["guardduty:ListDetectors"] < 3 {
		t.Errorf("guardduty:ListDetectors called %d times; want retries", calls["guardduty:ListDetectors"])
	}
	// Without throttling, the same collection lists accounts two times fewer.
	calm := awsfake.Example()
	calm.Throttle = nil
	quiet := awsfake.New(t, calm)
	w := collect.NewWriter(io.Discard, aws.Provider, scanTime, nil)
	if _, err := aws.Collect(context.Background(), aws.Options{Org: true, Regions: awsfake.Regions, Concurrency: 1,
		MaxAttempts: 3, MaxBackoff: time.Millisecond, Config: quiet.Config()}, w); err != nil {
		t.Fatal(err)
	}
	if got, want := calls["organizations:ListAccountsForParent"], quiet.Calls()["organizations:ListAccountsForParent"]+2; got != want {
		t.Errorf("organizations:ListAccountsForParent called %d times; want %d (two throttled, then retried)", got, want)
	}
}

// TestConcurrencySameFacts asserts that many workers find what one finds.
func TestConcurrencySameFacts(t *testing.T) {
	one := parse(t, must(collectExample(t, 1, nil)))
	many := parse(t, must(collectExample(t, 16, nil)))
	sortResults := func(rs []collect.Result) {
		slices.SortFunc(rs, func(a, b collect.Result) int {
			return strings.Compare(a.Check+a.Resource, b.Check+b.Resource)
		})
	}
	sortResults(one.Results)
	sortResults(many.Results)
	if d := cmp.Diff(one.Results, many.Results); d != "" {
		t.Errorf("results differ with 16 workers (-1 +16):\n%s", d)
	}
	if d := cmp.Diff(one.Scopes, many.Scopes); d != "" {
		t.Errorf("scopes differ with 16 workers (-1 +16):\n%s", d)
	}
}

func must(b []byte, _ *awsfake.Server) []byte { return b }
