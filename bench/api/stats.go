package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"
)

// opStats is what one operation of the benchmark measured.
type opStats struct {
	// Op is the OpenAPI operationId: putAnswer or getScore.
	Op string `json:"op"`
	// Count is the requests that succeeded (2xx) in the measured window.
	Count int `json:"count"`
	// Conflicts is the putAnswer requests answered 409 (a stale version).
	Conflicts int `json:"conflicts"`
	// Errors is every other failure: a transport error, a timeout, or a
	// status that is neither 2xx nor 409.
	Errors int `json:"errors"`
	// PerSecond is Count divided by the measured window.
	PerSecond float64 `json:"per_second"`
	// Latencies of the successful requests, in milliseconds.
	MeanMS float64 `json:"mean_ms"`
	P50MS  float64 `json:"p50_ms"`
	P95MS  float64 `json:"p95_ms"`
	P99MS  float64 `json:"p99_ms"`
	MaxMS  float64 `json:"max_ms"`
	// p99 is P99MS as a duration, for the stalls (see measureStalls).
	p99 time.Duration
}

// summarize computes the statistics of one operation from its latencies,
// which it sorts in place.
func summarize(op string, lat []time.Duration, conflicts, errors int, window time.Duration) opStats {
	s := opStats{Op: op, Count: len(lat), Conflicts: conflicts, Errors: errors}
	if window > 0 {
		s.PerSecond = float64(len(lat)) / window.Seconds()
	}
	if len(lat) == 0 {
		return s
	}
	slices.Sort(lat)
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	s.MeanMS = ms(sum / time.Duration(len(lat)))
	s.P50MS = ms(percentile(lat, 50))
	s.P95MS = ms(percentile(lat, 95))
	s.p99 = percentile(lat, 99)
	s.P99MS = ms(s.p99)
	s.MaxMS = ms(lat[len(lat)-1])
	return s
}

// percentile returns the p-th percentile of sorted latencies by the
// nearest-rank method: the smallest value that at least p% of the values
// do not exceed.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(float64(len(sorted))*p/100 + 0.999999999)
	rank = max(1, min(rank, len(sorted)))
	return sorted[rank-1]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// result is the whole report of one benchmark run.
type result struct {
	Date        string    `json:"date"`
	Database    string    `json:"database"`
	Clients     int       `json:"clients"`
	Assessments int       `json:"assessments"`
	WriteRatio  float64   `json:"write_ratio"`
	Duration    string    `json:"duration"`
	CPUs        int       `json:"cpus"`
	SeedSeconds float64   `json:"seed_seconds"`
	Ops         []opStats `json:"ops"`
	// PerSecond is the requests of every operation per second.
	PerSecond float64 `json:"per_second"`
	// ServerPeakRSSMiB is the server's VmHWM over the load phase alone
	// (reset after seeding when the kernel allows), in MiB.
	ServerPeakRSSMiB float64 `json:"server_peak_rss_mib"`
	// ServerSeedPeakRSSMiB is the server's VmHWM from its start to the end
	// of seeding, in MiB.
	ServerSeedPeakRSSMiB float64 `json:"server_seed_peak_rss_mib"`
	// ServerCPUCores is the server's CPU time during the load phase divided
	// by the phase's length.
	ServerCPUCores float64 `json:"server_cpu_cores"`
	// LoadGenCPUCores is the same for this load generator (the in-process
	// server included when it runs in this process).
	LoadGenCPUCores float64 `json:"loadgen_cpu_cores"`
	// OtherCPUCores is the CPU the rest of the machine used meanwhile: the
	// database server for PostgreSQL, and anything else that ran.
	OtherCPUCores float64 `json:"other_cpu_cores"`
	// StolenCPUCores is the processors' time the hypervisor gave to other
	// guests meanwhile (steal in /proc/stat), in cores: on a virtual
	// machine, what the machine had less than its processors.
	StolenCPUCores float64 `json:"stolen_cpu_cores"`
	// ServerCPUMSPerRequest is the server's CPU time over the load phase
	// divided by the requests answered in the measured window: less
	// sensitive than latency to what else shares the machine.
	ServerCPUMSPerRequest float64 `json:"server_cpu_ms_per_request"`
	// LoadAverage is the machine's 1-minute load average when the load
	// phase started (from /proc/loadavg; 0 when unknown).
	LoadAverage float64 `json:"load_average"`
	// ScoreP99TargetMS is the p99 target of getScore on the database.
	ScoreP99TargetMS float64 `json:"score_p99_target_ms"`
	// PutP99TargetMS is the p99 target of putAnswer.
	PutP99TargetMS float64 `json:"put_p99_target_ms"`
	// TargetMet says whether getScore's and putAnswer's p99 are under
	// their targets with no errors.
	TargetMet bool `json:"target_met"`
	// The stretches in which the server answered nothing (see stallStats).
	stallStats
}

// op returns the statistics of the named operation.
func (r *result) op(name string) opStats {
	for _, o := range r.Ops {
		if o.Op == name {
			return o
		}
	}
	return opStats{Op: name}
}

// writeTable prints the result as a table.
func (r *result) writeTable(w io.Writer) error {
	fmt.Fprintf(w, "csmm API load: %s, %d clients, %d assessments, %.0f%% putAnswer, %s measured, %d CPUs, %s\n",
		r.Database, r.Clients, r.Assessments, r.WriteRatio*100, r.Duration, r.CPUs, r.Date)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "operation\tok\terrors\t409\treq/s\tmean ms\tp50 ms\tp95 ms\tp99 ms\tmax ms\t")
	for _, o := range r.Ops {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t\n",
			o.Op, o.Count, o.Errors, o.Conflicts, o.PerSecond, o.MeanMS, o.P50MS, o.P95MS, o.P99MS, o.MaxMS)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	verdict := "met"
	if !r.TargetMet {
		verdict = "MISSED"
	}
	score, put := r.op("getScore"), r.op("putAnswer")
	_, err := fmt.Fprintf(w, "total %.1f req/s; server peak RSS %.1f MiB under load (%.1f MiB while seeding); seeding took %.1f s\n"+
		"CPU cores used: server %.2f (%.2f ms per request), load generator %.2f, everything else %.2f, stolen by the hypervisor %.2f; load average %.2f at the start\n"+
		"stalls (no answer for %g ms or more while %d or more score reads waited): %d, %.2f s of %s; %.0f%% of the %d score reads at or over their p99 waited through one\n"+
		"target getScore p99 < %.0f ms and putAnswer p99 < %.0f ms with no errors: %s (p99 %.2f ms and %.2f ms, %d errors)\n",
		r.PerSecond, r.ServerPeakRSSMiB, r.ServerSeedPeakRSSMiB, r.SeedSeconds,
		r.ServerCPUCores, r.ServerCPUMSPerRequest, r.LoadGenCPUCores, r.OtherCPUCores, r.StolenCPUCores, r.LoadAverage,
		ms(stallGap), stallWaiting, r.Stalls, r.StallSeconds, r.Duration, 100*r.SlowInStalls, r.SlowScoreReads,
		r.ScoreP99TargetMS, r.PutP99TargetMS, verdict, score.P99MS, put.P99MS, totalErrors(r.Ops))
	return err
}

// writeJSON writes the result as indented JSON.
func (r *result) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func totalErrors(ops []opStats) int {
	n := 0
	for _, o := range ops {
		n += o.Errors + o.Conflicts
	}
	return n
}
