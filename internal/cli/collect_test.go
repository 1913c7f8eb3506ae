package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/csmm/csmm/internal/collect/aws/awsfake"
)

var collectNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func collectEnv() (*Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" }, Now: func() time.Time { return collectNow }}, &out, &errb
}

// collectGolden compares got with testdata/golden/name; the -update flag
// of the package's tests rewrites it.
func collectGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", name, d)
	}
}

// runCollect runs csmm collect against the fake endpoint.
func runCollect(t *testing.T, fake *awsfake.Server, args ...string) (string, string, error) {
	t.Helper()
	env, out, errb := collectEnv()
	cmd := &CollectCommand{env: env, awsConfig: fake.Config(), maxAttempts: 3, maxBackoff: time.Millisecond}
	err := cmd.Run(context.Background(), append([]string{"aws"}, args...))
	return out.String(), errb.String(), err
}

// TestCollectScore runs the whole path: collect the Example organization
// to a file, summarize it with csmm evidence, and score an assessment with
// it; the objectives' automated values are the golden output.
func TestCollectScore(t *testing.T) {
	fake := awsfake.New(t, awsfake.Example())
	file := filepath.Join(t.TempDir(), "aws.json")
	_, stderr, err := runCollect(t, fake, "--org", "--regions", strings.Join(awsfake.Regions, ","),
		"--scope-map", "testdata/collect/scopes.yaml", "-o", file, "--concurrency", "1")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"from 6 accounts and 3 regions", "not evaluated (could not be read): 4 parts: 1 access_denied, 1 assume_role_denied, 1 region_disabled, 1 throttled",
		"  account 444444444444: assume_role_denied (sts:AssumeRole), 9 checks not evaluated\n",
		"  account 555555555555 af-south-1: region_disabled, 4 checks not evaluated\n"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q does not say %q", stderr, want)
		}
	}

	env, out, errb := collectEnv()
	if code := Run(context.Background(), env, []string{"evidence", file, "--model", "testdata/collect/model.yaml", "--format", "json"}); code != 0 {
		t.Fatalf("csmm evidence: exit %d: %s", code, errb)
	}
	collectGolden(t, "collect-evidence.json", bytes.ReplaceAll(out.Bytes(), []byte(file), []byte("aws.json")))

	env, out, errb = collectEnv()
	if code := Run(context.Background(), env, []string{"score", "testdata/collect/answers.yaml", "--model", "testdata/collect/model.yaml",
		"--evidence", file, "--as-of", "2026-12-01", "--format", "json"}); code != 0 {
		t.Fatalf("csmm score: exit %d: %s", code, errb)
	}
	var score struct {
		Objectives json.RawMessage `json:"objectives"`
		Scopes     []struct {
			ID         string          `json:"id"`
			Categories json.RawMessage `json:"categories"`
		} `json:"scopes"`
	}
	if err := json.Unmarshal(out.Bytes(), &score); err != nil {
		t.Fatal(err)
	}
	// Worked by hand: ORG-2.1 is 3 of 3 accounts in an OU in production
	// (weight 2) and 1 of 3 in development, so (2*1 + 1/3) / 3.
	var objs []struct {
		ID    string   `json:"id"`
		Value *float64 `json:"value"`
	}
	json.Unmarshal(score.Objectives, &objs)
	if objs[0].ID != "ORG-2.1" || objs[0].Value == nil || *objs[0].Value != (2+1.0/3)/3 {
		t.Errorf("ORG-2.1 = %v; want 7/9", objs[0].Value)
	}
	var b bytes.Buffer
	json.Indent(&b, score.Objectives, "", "  ")
	collectGolden(t, "collect-score-objectives.json", append(b.Bytes(), '\n'))
}

// TestCollectSend posts the document to a server's evidence import.
func TestCollectSend(t *testing.T) {
	fake := awsfake.New(t, awsfake.Example())
	var got struct {
		path, auth, name string
		body             []byte
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/orgs":
			io.WriteString(w, `{"items": [{"organization": {"id": "org1", "name": "Example"}, "role": "admin"}]}`)
		default:
			got.path, got.auth, got.name = r.URL.Path, r.Header.Get("Authorization"), r.URL.Query().Get("name")
			got.body, _ = io.ReadAll(r.Body)
			io.WriteString(w, `{}`)
		}
	}))
	defer srv.Close()
	stdout, stderr, err := runCollect(t, fake, "--regions", "us-east-1", "--scope", "production",
		"--server", srv.URL, "--token", "csmm_t", "--assessment", "a1", "--quiet")
	if err != nil {
		t.Fatal(err)
	}
	if stdout != "" {
		t.Errorf("stdout %q; want nothing (the document went to the server)", stdout)
	}
	if got.path != "/api/v1/orgs/org1/assessments/a1/evidence" || got.auth != "Bearer csmm_t" || got.name != "csmm-collect-aws.json" {
		t.Errorf("posted to %s with %q, name %q", got.path, got.auth, got.name)
	}
	var doc struct {
		Format  string `json:"format"`
		Results []struct {
			Scope string `json:"scope"`
		} `json:"results"`
	}
	if err := json.Unmarshal(got.body, &doc); err != nil || doc.Format != "csmm-collect/1" || len(doc.Results) == 0 {
		t.Fatalf("posted body: %v, format %q, %d results", err, doc.Format, len(doc.Results))
	}
	for _, r := range doc.Results {
		if r.Scope != "production" {
			t.Errorf("a result in scope %q; --scope production puts all in production", r.Scope)
		}
	}
	if !strings.Contains(stderr, "sent to assessment a1 of organization org1") {
		t.Errorf("stderr %q", stderr)
	}
}

// TestCollectUsage checks the refused combinations.
func TestCollectUsage(t *testing.T) {
	fake := awsfake.New(t, awsfake.Example())
	for _, args := range [][]string{
		{"--scope", "a", "--scope-map", "b"},
		{"--server", "http://x"},
		{"--assessment", "a1"},
		{"--format", "csv"},
	} {
		if _, _, err := runCollect(t, fake, args...); err == nil {
			t.Errorf("%v: no error", args)
		} else if _, ok := err.(*usageError); !ok {
			t.Errorf("%v: %v; want a usage error", args, err)
		}
	}
}
