package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 99, 0},
		{"one value", ms(7), 99, 7 * time.Millisecond},
		{"median of four is the second", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p99 of 1..100 is 99", ms(hundred...), 99, 99 * time.Millisecond},
		{"p95 of 1..100 is 95", ms(hundred...), 95, 95 * time.Millisecond},
		{"p100 is the max", ms(1, 5, 9), 100, 9 * time.Millisecond},
		{"p99 of 10 values is the max", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("percentile(%v, %g) = %v, want %v", tt.sorted, tt.p, got, tt.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	lat := []time.Duration{4 * time.Millisecond, 1 * time.Millisecond, 3 * time.Millisecond, 2 * time.Millisecond}
	got := summarize("getScore", lat, 1, 2, 2*time.Second)
	want := opStats{Op: "getScore", Count: 4, Conflicts: 1, Errors: 2, PerSecond: 2,
		MeanMS: 2.5, P50MS: 2, P95MS: 4, P99MS: 4, MaxMS: 4, p99: 4 * time.Millisecond}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(opStats{})); diff != "" {
		t.Errorf("summarize (-want +got):\n%s", diff)
	}
}

func TestParseOptions(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"defaults", nil, ""},
		{"unknown database", []string{"-db", "mysql"}, `-db "mysql": expected sqlite or postgres`},
		{"postgres without a URL", []string{"-db", "postgres", "-postgres-url", ""}, "needs -postgres-url"},
		{"no clients", []string{"-clients", "0"}, "-clients 0: expected 1 to 1024"},
		{"write ratio above one", []string{"-write-ratio", "1.5"}, "-write-ratio 1.5: expected 0 to 1"},
		{"unbounded duration", []string{"-duration", "2h"}, "expected 0 < duration <= 1h"},
		{"stray argument", []string{"sqlite"}, "every setting is a flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseOptions(tt.args, io.Discard)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("parseOptions(%q) = %v, want no error", tt.args, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("parseOptions(%q) = %v, want an error containing %q", tt.args, err, tt.wantErr)
			}
		})
	}
}

func TestNewAPIClientRefusesOtherHosts(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://[::1]:8080", true},
		{"http://localhost:8080", false}, // a name could resolve anywhere
		{"http://10.0.0.1:8080", false},
		{"http://192.168.1.10:8080", false},
		{"https://127.0.0.1:8080", false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			_, err := newAPIClient(tt.url, "token", 1)
			if (err == nil) != tt.ok {
				t.Errorf("newAPIClient(%q) error = %v, want ok %v", tt.url, err, tt.ok)
			}
		})
	}
}

func TestProcStatus(t *testing.T) {
	kb, err := procStatus(os.Getpid(), "VmHWM")
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	if kb <= 0 {
		t.Errorf("VmHWM of this process = %d kB, want > 0", kb)
	}
	if _, err := procStatus(os.Getpid(), "NoSuchField"); err == nil {
		t.Error("procStatus of a missing field: want an error")
	}
	if _, err := cpuTime(os.Getpid()); err != nil {
		t.Errorf("cpuTime: %v", err)
	}
	busy, steal, err := machineCPU()
	if err != nil {
		t.Errorf("machineCPU: %v", err)
	}
	if busy <= 0 || steal < 0 {
		t.Errorf("machineCPU: busy %v, steal %v: want busy > 0 and steal >= 0", busy, steal)
	}
}

// TestBenchInProcess runs the whole benchmark, small, against a server in
// this process on SQLite: seeding through the API, listing versions, and a
// short load in which every save must succeed with the next version and
// every score read must return a score.
func TestBenchInProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a server under load")
	}
	ctx := context.Background()
	srv, err := startInProcess(ctx, filepath.Join(t.TempDir(), "csmm.db"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := srv.Stop(); err != nil {
			t.Error(err)
		}
	}()
	o, err := parseOptions([]string{"-clients", "4", "-assessments", "6", "-duration", "1s", "-warmup", "200ms", "-seed-workers", "2"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	nop := func() error { return nil }
	res, err := bench(ctx, o, srv, io.Discard, nop, nop)
	if err != nil {
		t.Fatalf("bench: %v", err)
	}
	for _, name := range []string{"putAnswer", "getScore"} {
		op := res.op(name)
		if op.Count == 0 || op.Errors != 0 || op.Conflicts != 0 {
			t.Errorf("%s: %d ok, %d errors, %d conflicts; want some ok and no failure", name, op.Count, op.Errors, op.Conflicts)
		}
		if op.P50MS <= 0 || op.P50MS > op.P99MS || op.P99MS > op.MaxMS {
			t.Errorf("%s: p50 %g, p99 %g, max %g: want 0 < p50 <= p99 <= max", name, op.P50MS, op.P99MS, op.MaxMS)
		}
	}
	if res.ServerPeakRSSMiB <= 0 {
		t.Errorf("server peak RSS = %g MiB, want > 0", res.ServerPeakRSSMiB)
	}
	var table bytes.Buffer
	if err := res.writeTable(&table); err != nil {
		t.Fatal(err)
	}
	if res.ServerCPUMSPerRequest <= 0 {
		t.Errorf("server CPU per request = %g ms, want > 0", res.ServerCPUMSPerRequest)
	}
	for _, want := range []string{"putAnswer", "getScore", "p99 ms", "target getScore p99 < 20 ms and putAnswer p99 < 100 ms", "ms per request"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, table.String())
		}
	}
}

// TestStoredVersionsFollowSaves checks the version bookkeeping that keeps
// the load free of conflicts: after the load, every version a client holds
// is the one the server stores.
func TestStoredVersionsFollowSaves(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a server under load")
	}
	ctx := context.Background()
	srv, err := startInProcess(ctx, filepath.Join(t.TempDir(), "csmm.db"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	c, err := newAPIClient(srv.URL, srv.Token, 4)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.resolveOrg(ctx, benchOrg); err != nil {
		t.Fatal(err)
	}
	m, err := fetchModel(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := seed(ctx, c, m, benchOrg, 3, 2, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	before, err := storedVersions(ctx, c, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) == 0 {
		t.Fatal("the seeded assessments have no stored answers")
	}
	lr, err := runLoad(ctx, c, m, ids, before, loadConfig{Clients: 3, WriteRatio: 1, Duration: 500 * time.Millisecond, MaxRequests: 40})
	if err != nil {
		t.Fatal(err)
	}
	if lr.Put.errors != 0 || lr.Put.conflicts != 0 || len(lr.Put.spans) == 0 {
		t.Fatalf("load: %d saved, %d errors (%s), %d conflicts", len(lr.Put.spans), lr.Put.errors, lr.Put.firstErr, lr.Put.conflicts)
	}
	after, err := storedVersions(ctx, c, ids)
	if err != nil {
		t.Fatal(err)
	}
	saves := 0
	for k, v := range after {
		saves += v - before[k]
	}
	if saves != len(lr.Put.spans) {
		t.Errorf("the stored versions grew by %d, want %d (one per successful save)", saves, len(lr.Put.spans))
	}
}

func TestMeasureStalls(t *testing.T) {
	ms := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	// Score reads sent every half millisecond and answered 2.5 ms later,
	// those due after 10 ms held 5.5 ms more: no answer from 10 to 16 ms
	// while six reads wait.
	var score []span
	for i := range 40 {
		end := ms(1 + float64(i)*0.5)
		start := end - ms(2.5)
		if end > ms(10) {
			end += ms(5.5)
		}
		score = append(score, span{start, end})
	}
	// A slow read through the gap, one slow before it.
	score = append(score, span{ms(8), ms(20)}, span{ms(0), ms(9.9)})
	// A save answered in the gap splits it in two of 3 ms: no stall.
	put := []span{{ms(2), ms(13)}}
	tests := []struct {
		name  string
		score []span
		put   []span
		want  stallStats
	}{
		{"a gap with reads waiting", score, nil, stallStats{Stalls: 1, StallSeconds: 0.006, SlowScoreReads: 2, SlowInStalls: 0.5}},
		{"a save answered in the gap", score, put, stallStats{Stalls: 0, SlowScoreReads: 2}},
		{"too few reads waiting", []span{{ms(0), ms(1)}, {ms(0), ms(12)}, {ms(0.5), ms(11)}}, nil, stallStats{SlowScoreReads: 2}},
		{"nothing measured", nil, put, stallStats{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := measureStalls(tt.score, tt.put, ms(9.9))
			got.StallSeconds = float64(time.Duration(got.StallSeconds*1e9).Round(time.Microsecond)) / 1e9
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("measureStalls (-want +got):\n%s", diff)
			}
		})
	}
}
