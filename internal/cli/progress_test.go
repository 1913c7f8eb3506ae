package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestProgressLine(t *testing.T) {
	got := progressLine("scan.json.gz", 300<<20, 1200<<20, 123456, 3*time.Second)
	want := "scan.json.gz: 300.0 MB of 1200.0 MB (25%), 123456 findings, 100 MB/s"
	if got != want {
		t.Errorf("progress\n got %s\nwant %s", got, want)
	}
}

// TestEvidenceNoProgressWhenNotATerminal checks that reading a file of several
// megabytes writes no progress when standard error is not a terminal, with
// or without --quiet.
func TestEvidenceNoProgressWhenNotATerminal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.csv")
	var b strings.Builder
	b.WriteString("check,status\n")
	for i := 0; b.Len() < progressMinBytes+1024; i++ {
		fmt.Fprintf(&b, "custom:check_%d,pass\n", i%50)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"evidence", path}, {"evidence", "--quiet", path}} {
		var stdout, stderr bytes.Buffer
		env := &Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
		if code := Run(context.Background(), env, args); code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr.String())
		}
		if stderr.Len() != 0 {
			t.Errorf("%v: stderr %q, want nothing", args, stderr.String())
		}
		if !strings.Contains(stdout.String(), "generic-csv") {
			t.Errorf("%v: stdout %q", args, stdout.String())
		}
	}
}
