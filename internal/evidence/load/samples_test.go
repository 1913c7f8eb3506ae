package load_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/evidence"
	"github.com/csmm/csmm/internal/evidence/load"
	"github.com/csmm/csmm/internal/model"
	"github.com/google/go-cmp/cmp"
)

// samplesDir returns the folder of public scanner samples named by
// CSMM_SAMPLES. Without it the test skips, except under CI=true, where it fails.
func samplesDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CSMM_SAMPLES")
	if dir == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CSMM_SAMPLES is not set; under CI=true the sample tests must run (scripts/test sets it)")
		}
		t.Skip("CSMM_SAMPLES is not set; scripts/test sets it")
	}
	return dir
}

// counts are the numbers of a summary, computed in the test by decoding
// each sample generically, without the readers under test.
type counts struct {
	Findings, Pass, Fail, Manual, Other, Muted, Archived int
	// Checks are the canonical check IDs, when the test computes them.
	Checks []string
}

func (c *counts) add(status string, muted, archived bool) {
	c.Findings++
	if archived {
		c.Archived++
		return
	}
	switch status {
	case "pass":
		c.Pass++
	case "fail":
		c.Fail++
	case "manual":
		c.Manual++
	default:
		c.Other++
	}
	if muted {
		c.Muted++
	}
}

func (c *counts) check(id string) {
	if !slices.Contains(c.Checks, id) {
		c.Checks = append(c.Checks, id)
	}
}

// Sample expectations, by folder.
var (
	supported = map[string]evidence.Format{
		"prowler-ocsf-v4":     evidence.ProwlerOCSF,
		"prowler-ocsf-v5":     evidence.ProwlerOCSF,
		"prowler-csv":         evidence.ProwlerCSV,
		"prowler-v3-json":     evidence.ProwlerJSON,
		"prowler-asff":        evidence.ASFF,
		"securityhub-asff":    evidence.ASFF,
		"powerpipe-steampipe": evidence.Powerpipe,
		"scoutsuite":          evidence.ScoutSuite,
	}
	unsupported = map[string]bool{"trivy": true, "checkov": true, "prowler-compliance": true}
)

func TestSamples(t *testing.T) {
	dir := samplesDir(t)
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	// A check is mapped when an objective lists it, deciding or supporting.
	listed := map[string]bool{}
	for _, o := range m.Objectives {
		for _, c := range o.AllChecks() {
			listed[c] = true
		}
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no samples in %s", dir)
	}
	for _, path := range paths {
		folder, name := filepath.Base(filepath.Dir(path)), filepath.Base(path)
		if name == "SOURCE.txt" {
			continue
		}
		t.Run(folder+"/"+name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			format, ok := supported[folder]
			if folder == "prowler-v2-legacy" {
				format, ok = evidence.ProwlerCSV, true
				if strings.HasSuffix(name, ".json") {
					format = evidence.ProwlerJSON
				}
			}
			switch {
			case strings.Contains(name, "INVALID-JSON"):
				wantInvalidJSON(t, path, data)
				return
			case unsupported[folder]:
				_, err := load.Parse(path, data)
				if !errors.Is(err, evidence.ErrUnsupported) {
					t.Fatalf("error = %v, want unsupported format", err)
				}
				if !strings.HasPrefix(err.Error(), path+": unsupported format") {
					t.Errorf("error does not name the file first: %v", err)
				}
				return
			case !ok:
				t.Fatalf("no expectation for samples in folder %s", folder)
			}
			f, err := load.Parse(path, data)
			if err != nil {
				t.Fatal(err)
			}
			if f.Format != format {
				t.Errorf("format = %s, want %s", f.Format, format)
			}
			want := expected(t, format, data)
			s := evidence.Summarize(f, m)
			got := counts{Findings: s.Findings, Pass: s.Status.Pass, Fail: s.Status.Fail, Manual: s.Status.Manual,
				Other: s.Status.Other, Muted: s.Muted, Archived: s.Archived}
			if want.Checks != nil {
				got.Checks = append(slices.Clone(s.ChecksMapped), s.ChecksUnknown...)
				slices.Sort(got.Checks)
				slices.Sort(want.Checks)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("summary differs from the sample's own counts (-want +got):\n%s", diff)
			}
			for _, c := range s.ChecksMapped {
				if !listed[c] {
					t.Errorf("check %s is reported mapped, but no objective lists it", c)
				}
			}
			for _, c := range s.ChecksUnknown {
				if listed[c] {
					t.Errorf("check %s is reported unknown, but an objective lists it", c)
				}
			}
			t.Logf("%s: %d findings %+v, %d muted, %d archived; mapped %v; objectives %v",
				s.Format, s.Findings, s.Status, s.Muted, s.Archived, s.ChecksMapped, s.Objectives)
			compressedCopies(t, name, data, s, m)
		})
	}
}

// TestSampleCounts pins numbers checked by hand (or stated in the samples'
// SOURCE.txt) for particular files.
func TestSampleCounts(t *testing.T) {
	dir := samplesDir(t)
	tests := []struct {
		file string
		want counts
	}{
		{"prowler-asff/prowler-3.3.0-output.asff.first60.json", counts{Findings: 60, Pass: 5, Fail: 52, Other: 3}},
		{"powerpipe-steampipe/steampipe-expected_check_json.json", counts{Findings: 21, Pass: 10, Fail: 5, Other: 6,
			Checks: []string{"powerpipe:control.sample_control_mixed_results_1"}}},
		{"powerpipe-steampipe/powerpipe-expected_check_csv_multiple_parents.csv", counts{Findings: 3, Pass: 3,
			Checks: []string{"powerpipe:control.delay"}}},
		{"prowler-ocsf-v4/prowler-4.2.1-many_vuln.ocsf.json", counts{Findings: 3, Fail: 3, Muted: 1}},
		{"prowler-ocsf-v5/example_output_kubernetes.ocsf.json", counts{Findings: 6, Pass: 1, Fail: 5}},
		{"prowler-ocsf-v5/example_output_aws.ocsf.json", counts{Findings: 5, Fail: 2, Manual: 3}},
		{"prowler-v2-legacy/prowler-2.x-one_vuln.json", counts{Findings: 1, Fail: 1, Checks: []string{"prowler:aws:check114"}}},
		{"prowler-v2-legacy/prowler-2.x-one_vuln.csv", counts{Findings: 1, Fail: 1, Checks: []string{"prowler:aws:check11"}}},
		{"securityhub-asff/awsdocs-sample-control-findings.valid.json", counts{Findings: 5, Fail: 5, Checks: []string{"securityhub:CloudTrail.2"}}},
		{"securityhub-asff/defectdojo-config_many_findings.json", counts{Findings: 3, Pass: 3,
			Checks: []string{"securityhub:ELBv2.1", "securityhub:IAM.5", "securityhub:SSM.2"}}},
		{"securityhub-asff/defectdojo-config_multiple_resources.json", counts{Findings: 2, Fail: 2,
			Checks: []string{"securityhub:EC2.2", "securityhub:S3.8"}}},
		{"securityhub-asff/defectdojo-guardduty.json", counts{Findings: 4, Other: 4}},
	}
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			files, err := load.ReadFile(filepath.Join(dir, tt.file), load.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != 1 {
				t.Fatalf("%d files read, want 1", len(files))
			}
			s := evidence.Summarize(files[0], m)
			got := counts{Findings: s.Findings, Pass: s.Status.Pass, Fail: s.Status.Fail, Manual: s.Status.Manual,
				Other: s.Status.Other, Muted: s.Muted, Archived: s.Archived}
			if tt.want.Checks != nil {
				got.Checks = append(slices.Clone(s.ChecksMapped), s.ChecksUnknown...)
				slices.Sort(got.Checks)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("counts differ (-want +got):\n%s", diff)
			}
		})
	}
}

// wantInvalidJSON checks that a file that is not valid JSON is an error
// naming the file and the line and column where encoding/json stops.
func wantInvalidJSON(t *testing.T, path string, data []byte) {
	t.Helper()
	_, err := load.Parse(path, data)
	var pe *evidence.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error = %v (%T), want a *evidence.ParseError", err, err)
	}
	var raw any
	var se *json.SyntaxError
	if !errors.As(json.Unmarshal(data, &raw), &se) {
		t.Fatal("the sample is valid JSON after all")
	}
	wantLine := 1 + bytes.Count(data[:se.Offset-1], []byte("\n"))
	if pe.File != path || pe.Line != wantLine || pe.Column == 0 || !strings.Contains(pe.Message, "invalid JSON") {
		t.Errorf("error = %q, want file %s, line %d, a column and 'invalid JSON'", err, path, wantLine)
	}
}

// expected computes a sample's counts by decoding it generically.
func expected(t *testing.T, format evidence.Format, data []byte) counts {
	t.Helper()
	var c counts
	switch format {
	case evidence.ProwlerOCSF:
		var list []map[string]any
		mustJSON(t, data, &list)
		for _, r := range list {
			c.add(prowlerStatus(str(r, "status_code")), str(r, "status") == "Suppressed", false)
			provider := str(r, "cloud", "provider")
			if _, ok := r["cloud"]; !ok {
				provider = "kubernetes"
			}
			c.check("prowler:" + provider + ":" + str(r, "metadata", "event_code"))
		}
	case evidence.ProwlerJSON:
		if data[0] == '{' { // Prowler 2 JSON Lines; checks pinned in TestSampleCounts
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				if len(bytes.TrimSpace(sc.Bytes())) == 0 {
					continue
				}
				var r map[string]any
				mustJSON(t, sc.Bytes(), &r)
				c.add(prowlerStatus(str(r, "Status")), false, false)
			}
			return c
		}
		var list []map[string]any
		mustJSON(t, data, &list)
		for _, r := range list {
			st := str(r, "Status")
			c.add(prowlerStatus(st), st == "WARNING", false)
			c.check("prowler:" + str(r, "Provider") + ":" + str(r, "CheckID"))
		}
	case evidence.ProwlerCSV:
		comma := ';'
		if bytes.Contains(data[:bytes.IndexByte(data, '\n')], []byte("CHECK_RESULT")) {
			comma = ','
		}
		for _, r := range csvRows(t, data, comma) {
			if st, ok := r["CHECK_RESULT"]; ok { // Prowler 2; checks pinned in TestSampleCounts
				c.add(prowlerStatus(st), false, false)
				continue
			}
			c.add(prowlerStatus(r["STATUS"]), r["MUTED"] == "True", false)
			c.check("prowler:" + r["PROVIDER"] + ":" + r["CHECK_ID"])
		}
	case evidence.ASFF:
		var list []map[string]any
		var top map[string]json.RawMessage
		if json.Unmarshal(data, &top) == nil {
			raw := top["Findings"]
			if raw == nil {
				raw = top["findings"]
			}
			mustJSON(t, raw, &list)
		} else {
			mustJSON(t, data, &list)
		}
		for _, r := range list {
			st := map[string]string{"PASSED": "pass", "FAILED": "fail"}[str(r, "Compliance", "Status")]
			c.add(st, str(r, "Workflow", "Status") == "SUPPRESSED", str(r, "RecordState") == "ARCHIVED")
		}
	case evidence.Powerpipe:
		st := map[string]string{"ok": "pass", "alarm": "fail"}
		if data[0] == '{' {
			var root map[string]any
			mustJSON(t, data, &root)
			var walk func(g map[string]any)
			walk = func(g map[string]any) {
				for _, ctl := range list(g["controls"]) {
					for _, r := range list(ctl["results"]) {
						c.add(st[str(r, "status")], false, false)
						c.check("powerpipe:" + str(ctl, "control_id"))
					}
				}
				for _, sub := range list(g["groups"]) {
					walk(sub)
				}
			}
			walk(root)
		} else {
			for _, r := range csvRows(t, data, ',') {
				c.add(st[r["status"]], false, false)
				c.check("powerpipe:" + r["control_id"])
			}
		}
	case evidence.ScoutSuite:
		var root map[string]any
		mustJSON(t, data[bytes.IndexByte(data, '{'):], &root)
		provider := str(root, "provider_code")
		services, _ := root["services"].(map[string]any)
		for _, svc := range services {
			findings, _ := svc.(map[string]any)["findings"].(map[string]any)
			for id, r := range findings {
				rule := r.(map[string]any)
				checked, flagged := int(rule["checked_items"].(float64)), int(rule["flagged_items"].(float64))
				for range flagged {
					c.add("fail", false, false)
				}
				for range checked - flagged {
					c.add("pass", false, false)
				}
				if checked > 0 {
					c.check("scoutsuite:" + provider + ":" + id)
				}
			}
		}
	default:
		t.Fatalf("no expectation for format %s", format)
	}
	return c
}

func prowlerStatus(s string) string {
	return map[string]string{"PASS": "pass", "FAIL": "fail", "MANUAL": "manual"}[s]
}

func mustJSON(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decode sample: %v", err)
	}
}

// str returns the string at a path of keys, or "".
func str(v map[string]any, keys ...string) string {
	var cur any = v
	for _, k := range keys {
		m, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = m[k]
	}
	s, _ := cur.(string)
	return s
}

func list(v any) []map[string]any {
	items, _ := v.([]any)
	var out []map[string]any
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func csvRows(t *testing.T, data []byte, comma rune) []map[string]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = comma
	r.LazyQuotes = true
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("decode sample: %v", err)
	}
	var out []map[string]string
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = row[i]
		}
		out = append(out, m)
	}
	return out
}

// compressedCopies reads a gzip copy and a zip copy of a sample (made in a
// temporary folder) and checks that each gives the summary of the sample.
func compressedCopies(t *testing.T, name string, data []byte, want evidence.Summary, m *model.Model) {
	t.Helper()
	dir := t.TempDir()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	gzPath := filepath.Join(dir, name+".gz")
	if err := os.WriteFile(gzPath, gz.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	var zb bytes.Buffer
	ar := zip.NewWriter(&zb)
	w, _ := ar.Create("output/" + name)
	w.Write(data)
	w, _ = ar.Create("output/report.html")
	w.Write([]byte("<html><body>not findings</body></html>"))
	ar.Close()
	zipPath := filepath.Join(dir, "prowler-output.zip")
	if err := os.WriteFile(zipPath, zb.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, inner string }{{gzPath, gzPath}, {zipPath, zipPath + "/output/" + name}} {
		var skipped []string
		files, err := load.ReadFile(c.path, load.Options{Skipped: func(n string, err error) { skipped = append(skipped, n) }})
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(c.path), err)
		}
		if len(files) != 1 {
			t.Fatalf("%s: %d files read, want 1", filepath.Base(c.path), len(files))
		}
		got := evidence.Summarize(files[0], m)
		w := want
		w.Path = c.inner
		if diff := cmp.Diff(w, got); diff != "" {
			t.Errorf("%s: summary differs from the plain file's (-want +got):\n%s", filepath.Base(c.path), diff)
		}
		if c.path == zipPath && !slices.Equal(skipped, []string{zipPath + "/output/report.html"}) {
			t.Errorf("zip: skipped %v, want the HTML report only", skipped)
		}
	}
}
