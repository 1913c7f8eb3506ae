package load_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/evidence"
	"github.com/csmm/csmm/internal/evidence/load"
	"github.com/csmm/csmm/internal/model"
	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// modelFile21 is the built-in model whose Azure, GCP and Kubernetes checks
// TestMulticloudEvidence exercises.
const modelFile21 = "../../model/csmm-2.1.0.yaml"

// sampleScanDay is the day Prowler wrote the Azure, GCP and Kubernetes
// example outputs (time 1739539623 and so on, 2025-02-14 in UTC), on which
// TestSampleTimes pins their outcomes.
var sampleScanDay = assess.Date{Year: 2025, Month: 2, Day: 14}

// tally is the evidence of one objective from one file: the resource
// evaluations of its deciding checks that passed and failed, and the muted
// ones left out of both.
type tally struct {
	Passed, Failed, Muted int
}

// TestMulticloudEvidence reads the Azure, GCP and Kubernetes samples of
// Prowler (CSV and OCSF), counts passed, failed and muted findings per check
// by decoding each file generically, maps them to objectives through the
// deciding checks of the built-in 2.1.0 model read as plain YAML, and
// compares the result with the automated evidence the product computes from
// the same file. Every sample must give at least one objective a value.
func TestMulticloudEvidence(t *testing.T) {
	dir := os.Getenv("CSMM_SAMPLES")
	if dir == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CSMM_SAMPLES is not set; under CI=true the multi-cloud sample test must run (scripts/test sets it)")
		}
		t.Skip("CSMM_SAMPLES is not set; scripts/test sets it")
	}
	data, err := os.ReadFile(modelFile21)
	if err != nil {
		t.Fatal(err)
	}
	checksOf := deciding(t, data)
	m, err := model.Load(modelFile21)
	if err != nil {
		t.Fatal(err)
	}
	ix := evidence.NewIndex(m)

	for _, provider := range []string{"azure", "gcp", "kubernetes"} {
		for _, file := range []string{
			filepath.Join("prowler-csv", "example_output_"+provider+".csv"),
			filepath.Join("prowler-ocsf-v5", "example_output_"+provider+".ocsf.json"),
		} {
			t.Run(file, func(t *testing.T) {
				path := filepath.Join(dir, file)
				raw, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				var perCheck map[string]tally
				if filepath.Ext(path) == ".csv" {
					perCheck = csvTallies(t, raw, provider)
				} else {
					perCheck = ocsfTallies(t, raw, provider)
				}
				want := map[string]tally{}
				for _, id := range checksOf.order {
					var sum tally
					found := false
					for _, c := range checksOf.checks[id] {
						if n, ok := perCheck[c]; ok {
							found = true
							sum.Passed += n.Passed
							sum.Failed += n.Failed
							sum.Muted += n.Muted
						}
					}
					if found {
						want[id] = sum
					}
				}

				files, err := load.ReadFile(path, load.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if len(files) != 1 {
					t.Fatalf("%s read as %d files, want 1", path, len(files))
				}
				ev, err := ix.Evidence([]evidence.Scoped{{File: files[0]}}, []string{"production"})
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]tally{}
				valued := 0
				for k, e := range ev {
					if onlySupporting(e) {
						continue // shown beside the answer, never a value
					}
					if k.Scope != "production" {
						t.Errorf("evidence for scope %q, want only production", k.Scope)
					}
					got[k.Objective] = tally{Passed: e.Passed, Failed: e.Failed, Muted: e.Muted}
					if e.Evaluated() {
						valued++
						w := want[k.Objective]
						if wv := float64(w.Passed) / float64(w.Passed+w.Failed); w.Passed+w.Failed > 0 && e.Value() != wv {
							t.Errorf("%s: automated value %v, want %d/%d = %v", k.Objective, e.Value(), w.Passed, w.Passed+w.Failed, wv)
						}
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("automated evidence per objective differs from the sample's own counts (-want +got):\n%s", diff)
				}
				if valued == 0 {
					t.Errorf("no objective of %s gets an automated value from this %s sample; checks in the file: %v",
						m.Ref(), provider, slices.Sorted(maps.Keys(perCheck)))
				}
				scoredAt(t, m, ev, want, sampleScanDay)
				t.Logf("%s: %d objectives with evidence, %d with a value: %v", file, len(got), valued, got)
			})
		}
	}
}

// objectiveChecks are the deciding checks of a model's objectives, in model order.
type objectiveChecks struct {
	order  []string
	checks map[string][]string
}

// deciding reads the objectives' deciding checks straight from the model
// YAML, without the model package.
func deciding(t *testing.T, data []byte) objectiveChecks {
	t.Helper()
	var doc struct {
		Version    string `yaml:"version"`
		Objectives []struct {
			ID     string   `yaml:"id"`
			Checks []string `yaml:"checks"`
		} `yaml:"objectives"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", modelFile21, err)
	}
	if doc.Version != "2.1.0" {
		t.Fatalf("%s: version %q, want 2.1.0", modelFile21, doc.Version)
	}
	oc := objectiveChecks{checks: map[string][]string{}}
	for _, o := range doc.Objectives {
		oc.order = append(oc.order, o.ID)
		for _, c := range o.Checks {
			if !slices.Contains(oc.checks[o.ID], c) {
				oc.checks[o.ID] = append(oc.checks[o.ID], c)
			}
		}
	}
	return oc
}

// add counts one Prowler finding: only PASS and FAIL are resource
// evaluations; muted ones are counted apart.
func (n tally) add(status string, muted bool) tally {
	switch {
	case status != "PASS" && status != "FAIL":
	case muted:
		n.Muted++
	case status == "PASS":
		n.Passed++
	default:
		n.Failed++
	}
	return n
}

// csvTallies counts a Prowler CSV (semicolon-separated, with a header) per
// canonical check ID; every row must be of the given provider.
func csvTallies(t *testing.T, data []byte, provider string) map[string]tally {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = ';'
	r.LazyQuotes = true
	rows, err := r.ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("decode sample: %v (%d rows)", err, len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, h := range []string{"PROVIDER", "CHECK_ID", "STATUS", "MUTED"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("sample has no %s column", h)
		}
	}
	out := map[string]tally{}
	for i, row := range rows[1:] {
		if row[col["PROVIDER"]] != provider {
			t.Fatalf("row %d: provider %q, want %q", i+2, row[col["PROVIDER"]], provider)
		}
		id := "prowler:" + provider + ":" + row[col["CHECK_ID"]]
		out[id] = out[id].add(row[col["STATUS"]], row[col["MUTED"]] == "True")
	}
	return out
}

// ocsfTallies counts a Prowler JSON-OCSF file per canonical check ID; every
// finding must be of the given provider (Prowler writes no cloud object for
// Kubernetes).
func ocsfTallies(t *testing.T, data []byte, provider string) map[string]tally {
	t.Helper()
	var findings []struct {
		StatusCode string `json:"status_code"`
		Status     string `json:"status"`
		Metadata   struct {
			EventCode string `json:"event_code"`
		} `json:"metadata"`
		Cloud *struct {
			Provider string `json:"provider"`
		} `json:"cloud"`
		Unmapped struct {
			Muted bool `json:"muted"`
		} `json:"unmapped"`
	}
	if err := json.Unmarshal(data, &findings); err != nil || len(findings) == 0 {
		t.Fatalf("decode sample: %v (%d findings)", err, len(findings))
	}
	out := map[string]tally{}
	for i, f := range findings {
		p := "kubernetes"
		if f.Cloud != nil {
			p = f.Cloud.Provider
		}
		if p != provider {
			t.Fatalf("finding %d: provider %q, want %q", i+1, p, provider)
		}
		id := "prowler:" + provider + ":" + f.Metadata.EventCode
		out[id] = out[id].add(f.StatusCode, f.Status == "Suppressed" || f.Unmapped.Muted)
	}
	return out
}

// onlySupporting reports whether evidence comes from supporting checks alone.
func onlySupporting(e assess.Evidence) bool {
	if len(e.Checks) == 0 {
		return false
	}
	for _, c := range e.Checks {
		if !c.Supporting {
			return false
		}
	}
	return true
}

// scoredAt scores a sample's evidence in the scope production, as of 30
// days after its scan and as of 91 days after it: the first gives every
// automated or either objective whose deciding checks evaluated resources
// its pass ratio from the sample's own counts (want), the second, beyond
// the default evidence validity of 90 days, gives none of them a value and
// lists the sample's checks as stale evidence.
func scoredAt(t *testing.T, m *model.Model, ev map[assess.Key]assess.Evidence, want map[string]tally, scanned assess.Date) {
	t.Helper()
	score := func(asOf assess.Date) map[string]assess.ObjectiveScore {
		res := assess.Score(assess.Input{Model: m, Scopes: []assess.Scope{{ID: "production", Weight: 1}}, Evidence: ev, AsOf: asOf})
		out := map[string]assess.ObjectiveScore{}
		for _, o := range res.Scopes[0].Objectives {
			out[o.ID] = o
		}
		return out
	}
	fresh, old := score(scanned.AddDays(30)), score(scanned.AddDays(91))
	automated := 0
	for _, o := range m.Objectives {
		w, ok := want[o.ID]
		if !ok || w.Passed+w.Failed == 0 || o.Mode == model.ModeManual {
			continue
		}
		automated++
		wv := float64(w.Passed) / float64(w.Passed+w.Failed)
		if f := fresh[o.ID]; f.Source != assess.SourceAutomated || f.Value == nil || *f.Value != wv || len(f.StaleEvidence) != 0 {
			t.Errorf("%s as of %s: source %s, value %v, stale %v; want automated %d/%d = %v", o.ID, scanned.AddDays(30), f.Source, deref(f.Value), f.StaleEvidence, w.Passed, w.Passed+w.Failed, wv)
		}
		if s := old[o.ID]; s.Source == assess.SourceAutomated || len(s.StaleEvidence) == 0 {
			t.Errorf("%s as of %s: source %s, stale evidence %v; want no automated value and the scan listed stale", o.ID, scanned.AddDays(91), s.Source, s.StaleEvidence)
		}
		for _, c := range old[o.ID].StaleEvidence {
			if c.Scanned != scanned {
				t.Errorf("%s: stale evidence %s scanned %s, want %s", o.ID, c.Check, c.Scanned, scanned)
			}
		}
	}
	if automated == 0 {
		t.Errorf("no automated or either objective has evaluated resources in this sample")
	}
}

func deref(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}
