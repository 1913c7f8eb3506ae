package collect_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/csmm/csmm/internal/collect"
)

func TestScopeMap(t *testing.T) {
	m, err := collect.ParseScopeMap("s.yaml", []byte(`
scopes:
  production: [ou-ab12-prod, "Root/Workloads/Shared", "111122223333"]
  development: ["Workloads"]
default: sandbox
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		w    collect.Where
		want string
	}{
		{"account ID wins over its OU", collect.Where{Account: "111122223333", OUIDs: []string{"ou-w"}, OUNames: []string{"Workloads"}}, "production"},
		{"deepest OU by ID", collect.Where{Account: "1", OUIDs: []string{"ou-w", "ou-ab12-prod"}, OUNames: []string{"Workloads", "Prod"}}, "production"},
		{"deepest OU by path", collect.Where{Account: "2", OUIDs: []string{"ou-w", "ou-s"}, OUNames: []string{"Workloads", "Shared"}}, "production"},
		{"parent OU by path", collect.Where{Account: "3", OUIDs: []string{"ou-w", "ou-d"}, OUNames: []string{"Workloads", "Dev"}}, "development"},
		{"default", collect.Where{Account: "4"}, "sandbox"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := m.Scope(tt.w)
			if err != nil || got != tt.want {
				t.Errorf("Scope = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if d := cmp.Diff([]string{"production", "development", "sandbox"}, m.Order); d != "" {
		t.Errorf("Order (-want +got):\n%s", d)
	}
}

func TestScopeMapErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown key", "scope: {}\n", `s.yaml:1: unknown key "scope"`},
		{"not a list", "scopes:\n  prod: ou-1\n", "s.yaml:2: scopes.prod: expected a list"},
		{"twice", "scopes:\n  a: [ou-1]\n  b: [ou-1]\n", `s.yaml:3: scopes.b: "ou-1" is already in scope a`},
		{"empty", "default: x\nscopes: {}\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := collect.ParseScopeMap("s.yaml", []byte(tt.yaml))
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("error %v; want none", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v; want %q", err, tt.want)
			}
		})
	}
	m, _ := collect.ParseScopeMap("s.yaml", []byte("scopes:\n  a: [ou-1]\n"))
	if _, err := m.Scope(collect.Where{Account: "9", OUIDs: []string{"ou-2"}, OUNames: []string{"Sandbox"}}); err == nil ||
		!strings.Contains(err.Error(), "account 9 (Root/Sandbox) is in no scope") {
		t.Errorf("unmatched account: %v", err)
	}
}

// TestWriter checks the document: results streamed, gaps, per-scope
// ratios with organization-wide facts counted in every scope.
func TestWriter(t *testing.T) {
	var buf bytes.Buffer
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	gaps := 0
	w := collect.NewWriter(&buf, "aws", start, func(collect.Gap) { gaps++ })
	w.Result(collect.Result{Check: "c:a", Resource: "1", Account: "1", Status: collect.Pass, Scope: "prod"})
	w.Result(collect.Result{Check: "c:a", Resource: "2", Account: "2", Status: collect.Fail, Scope: "dev"})
	w.Result(collect.Result{Check: "c:org", Resource: "o", Status: collect.Pass})
	w.Gap(collect.Gap{Account: "3", Checks: []string{"c:a"}, Scope: "prod", Reason: collect.AssumeRoleDenied})
	sum, err := w.Close(collect.Provenance{Tool: "csmm"}, []string{"prod", "dev"})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Format       string                 `json:"format"`
		Results      []collect.Result       `json:"results"`
		NotEvaluated []collect.Gap          `json:"not_evaluated"`
		Scopes       []collect.ScopeSummary `json:"scopes"`
		Summary      collect.Summary        `json:"summary"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	want := []collect.ScopeSummary{
		{ID: "prod", Checks: []collect.Count{{Check: "c:a", Passed: 1, Ratio: 1, NotEvaluated: 1}, {Check: "c:org", Passed: 1, Ratio: 1}}},
		{ID: "dev", Checks: []collect.Count{{Check: "c:a", Failed: 1}, {Check: "c:org", Passed: 1, Ratio: 1}}},
	}
	if d := cmp.Diff(want, doc.Scopes); d != "" {
		t.Errorf("scopes (-want +got):\n%s", d)
	}
	if doc.Format != collect.Format || len(doc.Results) != 3 || len(doc.NotEvaluated) != 1 || gaps != 1 {
		t.Errorf("format %q, %d results, %d gaps (%d told)", doc.Format, len(doc.Results), len(doc.NotEvaluated), gaps)
	}
	if sum.Results != 3 || sum.Passed != 2 || sum.Failed != 1 || sum.ByReason[collect.AssumeRoleDenied] != 1 {
		t.Errorf("summary %+v", sum)
	}
}

// TestPool checks that tasks adding tasks all run, never more at once than
// the workers.
func TestPool(t *testing.T) {
	p := collect.NewPool(context.Background(), 3)
	var running, peak, done atomic.Int32
	task := func(context.Context) {
		n := running.Add(1)
		for {
			m := peak.Load()
			if n <= m || peak.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(time.Millisecond)
		running.Add(-1)
		done.Add(1)
	}
	for range 10 {
		p.Add(func(ctx context.Context) {
			task(ctx)
			for range 5 {
				p.Add(task)
			}
		})
	}
	p.Wait()
	if done.Load() != 60 || peak.Load() > 3 {
		t.Errorf("%d tasks done (want 60), %d at once (want at most 3)", done.Load(), peak.Load())
	}
}

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	p := collect.NewProgress(&buf)
	p.Gap()
	p.Update(1, 4)
	p.Update(4, 4)
	p.Done()
	if got := buf.String(); !strings.HasPrefix(got, "\r[=======") || !strings.HasSuffix(got, "] 4/4 tasks, 1 not evaluated\n") {
		t.Errorf("progress line %q", got)
	}
	var none *collect.Progress // --quiet or not a terminal: draws nothing
	none.Update(1, 2)
	none.Done()
}
