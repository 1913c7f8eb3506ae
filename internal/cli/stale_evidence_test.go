package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/assess"
	"github.com/google/go-cmp/cmp"
)

// Scanner files that carry their scan time: a Prowler OCSF scan of
// 2026-06-01 (s3_bucket_public_access, 1 pass and 1 fail) and a Security
// Hub export whose S3.8 finding was updated on 2026-09-20.
const (
	evStale = "testdata/evidence/stale.ocsf.json"
	evFresh = "testdata/evidence/fresh.asff.json"
)

// TestStaleEvidenceFromScannerFile scores with scanner files whose
// findings carry their own time: as of 2026-10-01 the June scan is 122 days
// old, beyond the default evidence validity of 90 days, so it gives no value
// and is listed as stale evidence in the score table, the score JSON, the
// warnings and the report; a recent scan of another check of the same
// objective still counts.
func TestStaleEvidenceFromScannerFile(t *testing.T) {
	args := []string{"score", evAnswers, "--model", evModel, "--as-of", asOf,
		"--evidence", evStale, "--evidence", "production=" + evFresh}
	r := run(t, "", args...).wantCode(t, 0)
	golden(t, "stale-evidence.score.txt", []byte(r.stdout))
	for _, want := range []string{
		"csmm: warning: SEC-4.1 in scope production: stale evidence from prowler:aws:s3_bucket_public_access (scanned 2026-06-01) gives no value",
		"csmm: warning: SEC-2.1 in scope development: stale evidence from prowler:aws:s3_bucket_public_access (scanned 2026-06-01) gives no value",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}

	scoreJSON := func(extra ...string) *assess.Result {
		t.Helper()
		r := run(t, "", append(append(args[:len(args):len(args)], "--format", "json"), extra...)...).wantCode(t, 0)
		var res assess.Result
		if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
			t.Fatal(err)
		}
		return &res
	}
	auto, none := assess.SourceAutomated, assess.SourceNone
	tests := []struct {
		name  string
		extra []string
		want  map[string]valueOf
		// stale is the scan date of the stale evidence of SEC-4.1 in
		// production, "" for none.
		stale string
	}{
		{"default validity of 90 days", nil, map[string]valueOf{
			// Only the fresh S3.8 pass counts in production.
			"production/SEC-2.1":  {1.0, auto},
			"development/SEC-2.1": {0.0, none},
			"production/SEC-4.1":  {0.0, none},
		}, "2026-06-01"},
		{"a validity of 150 days keeps the June scan", []string{"--evidence-validity-days", "150"}, map[string]valueOf{
			"production/SEC-2.1":  {2.0 / 3, auto},
			"development/SEC-2.1": {0.5, auto},
			"production/SEC-4.1":  {0.5, auto},
		}, ""},
		{"as of the scan's month it is fresh, the September export not yet known", []string{"--as-of", "2026-07-01"}, map[string]valueOf{
			"production/SEC-2.1":  {0.5, auto},
			"development/SEC-2.1": {0.5, auto},
			"production/SEC-4.1":  {0.5, auto},
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scoreJSON(tt.extra...)
			got := map[string]valueOf{}
			for k := range tt.want {
				scope, id, _ := strings.Cut(k, "/")
				got[k] = value(objectiveIn(t, res, scope, id))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("values differ (-want +got):\n%s", diff)
			}
			var stale []string
			for _, c := range objectiveIn(t, res, "production", "SEC-4.1").StaleEvidence {
				stale = append(stale, c.Check+" "+c.Scanned.String())
			}
			var want []string
			if tt.stale != "" {
				want = []string{"prowler:aws:s3_bucket_public_access " + tt.stale}
			}
			if diff := cmp.Diff(want, stale); diff != "" {
				t.Errorf("stale evidence of SEC-4.1 in production (-want +got):\n%s", diff)
			}
		})
	}

	// The report's "Stale evidence" section lists the same scans.
	r = run(t, "", "report", evAnswers, "--model", evModel, "--as-of", asOf, "--format", "md",
		"--evidence", evStale, "--evidence", "production="+evFresh).wantCode(t, 0)
	_, section, ok := strings.Cut(r.stdout, "## Stale evidence")
	if !ok {
		t.Fatalf("the report has no stale evidence section:\n%.3000s", r.stdout)
	}
	if i := strings.Index(section, "\n## "); i >= 0 {
		section = section[:i]
	}
	golden(t, "stale-evidence.report-section.md", []byte("## Stale evidence"+section))
}

// TestEvidenceScanDaysAndProwler2Names checks that csmm evidence shows the
// scan days a file carries, and that Prowler 2 check names, which no table
// translates, are called out in the summary and warned about when scoring.
func TestEvidenceScanDaysAndProwler2Names(t *testing.T) {
	v2 := writeFile(t, "v2.csv", "PROFILE,ACCOUNT_NUM,REGION,TITLE_ID,CHECK_RESULT,ITEM_SCORED,ITEM_LEVEL,TITLE_TEXT\n"+
		",111111111111,us-east-1,1.1,FAIL,Scored,Level 1,[check11] Avoid the use of the root account (Scored)\n"+
		",111111111111,eu-west-1,7.2,PASS,Not Scored,Extras,[extra72] Ensure there are no EBS Snapshots set as Public (Not Scored)\n")
	r := run(t, "", "evidence", "--model", evModel, evStale, evFresh, v2).wantCode(t, 0)
	for _, want := range []string{
		evStale + " (prowler-ocsf)\n  scanned 2026-06-01\n",
		evFresh + " (asff)\n  scanned 2026-09-20\n",
		"  note: prowler:aws:check11, prowler:aws:extra72: Prowler 2 check names, which csmm cannot translate",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("evidence output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, v2+" (prowler-csv)\n  scanned") {
		t.Errorf("a Prowler 2 CSV carries no time, but a scan day is shown:\n%s", r.stdout)
	}
	r = run(t, "", "evidence", "--format", "json", "--model", evModel, evStale, evProwler).wantCode(t, 0)
	var sum struct {
		Files []struct {
			Path         string `json:"path"`
			ScannedFirst string `json:"scanned_first"`
			ScannedLast  string `json:"scanned_last"`
		} `json:"files"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil {
		t.Fatal(err)
	}
	if len(sum.Files) != 2 || sum.Files[0].ScannedFirst != "2026-06-01" || sum.Files[0].ScannedLast != "2026-06-01" ||
		sum.Files[1].ScannedFirst != "" || sum.Files[1].ScannedLast != "" {
		t.Errorf("scan days in the JSON summary: %+v; want 2026-06-01 for %s and none for %s", sum.Files, evStale, evProwler)
	}
	r = run(t, "", "score", evAnswers, "--model", evModel, "--as-of", asOf, "--evidence", v2).wantCode(t, 0)
	if want := "csmm: warning: " + v2 + ": prowler:aws:check11, prowler:aws:extra72: Prowler 2 check names"; !strings.Contains(r.stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
	}
}
