package load_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/csmm/csmm/internal/evidence/load"
	"github.com/google/go-cmp/cmp"
)

// TestSampleTimes pins the scan day every outcome of a sample takes from the
// file itself (read by hand from each file): OCSF time (Unix seconds; not
// time_dt, Prowler's local time without a zone), time_dt or event_time;
// Prowler CSV TIMESTAMP; Prowler 3 JSON AssessmentStartTime; Prowler 2 JSON
// Timestamp; ASFF UpdatedAt; ScoutSuite last_run.time. Findings of one
// check seen on different days are one outcome per day, each going stale on
// its own. Formats that carry no time
// (Powerpipe, Prowler 2 CSV) leave it zero: the import time stands for it.
func TestSampleTimes(t *testing.T) {
	dir := samplesDir(t)
	tests := []struct {
		file string
		// want is the number of outcomes (distinct checks per day, counted
		// apart from the readers) per scan day ("" for none).
		want map[string]int
	}{
		{"prowler-ocsf-v4/prowler-4.2.1-many_vuln.ocsf.json", map[string]int{"2024-06-03": 3}},     // event_time
		{"prowler-ocsf-v4/prowler-4.5-style-many_vuln.ocsf.json", map[string]int{"2024-06-03": 3}}, // time_dt
		{"prowler-ocsf-v5/example_output_aws.ocsf.json", map[string]int{"2025-02-14": 5}},
		{"prowler-ocsf-v5/example_output_azure.ocsf.json", map[string]int{"2025-02-14": 5}},
		{"prowler-ocsf-v5/example_output_gcp.ocsf.json", map[string]int{"2025-02-14": 3}},
		{"prowler-ocsf-v5/example_output_kubernetes.ocsf.json", map[string]int{"2025-02-14": 6}},
		{"prowler-ocsf-v5/test_prowler_output.ocsf.json", map[string]int{"2024-12-30": 3}},
		{"prowler-csv/example_output_aws.csv", map[string]int{"2025-02-14": 4}},
		{"prowler-csv/test_prowler_output.csv", map[string]int{"2025-12-30": 3}},
		{"prowler-v3-json/prowler-3.x-many_vuln.json", map[string]int{"2023-04-25": 3}},
		{"prowler-v2-legacy/prowler-2.x-one_vuln.json", map[string]int{"2021-08-23": 1}},
		{"prowler-v2-legacy/prowler-2.x-one_vuln.csv", map[string]int{"": 1}},
		{"prowler-asff/prowler-3.3.0-output.asff.first60.json", map[string]int{"2023-03-18": 12}},
		// Five findings of CloudTrail.2 updated 2021-09-28, 2022-11-17 and
		// 2022-12-22: one outcome per day.
		{"securityhub-asff/awsdocs-sample-control-findings.valid.json", map[string]int{"2021-09-28": 1, "2022-11-17": 1, "2022-12-22": 1}},
		// Four findings of one detector updated on 2023-12-12, 2024-01-12
		// and 2024-01-17, although LastObservedAt is in 2200.
		{"securityhub-asff/defectdojo-guardduty.json", map[string]int{"2023-12-12": 1, "2024-01-12": 1, "2024-01-17": 1}},
		{"scoutsuite/scoutsuite_results_gcp-two_findings.js", map[string]int{"2021-01-08": 5}},
		{"scoutsuite/scoutsuite_results_aws-430150006394.findings-only.js", map[string]int{"2021-10-01": 75}},
		{"powerpipe-steampipe/steampipe-expected_check_json.json", map[string]int{"": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := load.Parse(path, data)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, o := range f.Outcomes {
				got[o.Scanned.String()]++
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("outcomes per scan day differ (-want +got):\n%s", diff)
			}
		})
	}
}
