// Command api is the load benchmark of the csmm JSON API. It starts `csmm
// serve` on a loopback port over a fresh SQLite or PostgreSQL database,
// creates an organization, its owner and an API token with `csmm user
// create` and `csmm token create`, seeds assessments through
// importAssessment, then runs concurrent clients that save answers
// (putAnswer, each client on its own assessments, so no conflict is
// expected) and read scores (getScore) for a bounded time. It prints, per
// operation, the count, throughput, p50/p95/p99/max latency, errors and
// 409 conflicts, and the server's peak memory (VmHWM) and CPU use.
//
//	go run ./bench/api -db sqlite -clients 64 -assessments 1000 -duration 30s
//	go run ./bench/api -db postgres -postgres-url postgres://... (default $CSMM_TEST_POSTGRES_URL)
//
// Traffic goes only to 127.0.0.1. It exits 1 when setup fails or any
// request failed; a missed latency target is reported, not an exit status.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"
)

// scoreP99Target is the p99 latency that reading a score must stay under
// on a database (issue 9): 20 ms on SQLite, 50 ms on PostgreSQL.
func scoreP99Target(db string) time.Duration {
	if db == "postgres" {
		return 50 * time.Millisecond
	}
	return 20 * time.Millisecond
}

// putP99Target is the p99 latency that saving an answer must stay under.
const putP99Target = 100 * time.Millisecond

// options are the command-line flags.
type options struct {
	DB           string
	PostgresURL  string
	Clients      int
	Assessments  int
	Duration     time.Duration
	Warmup       time.Duration
	WriteRatio   float64
	Think        time.Duration
	MaxRequests  int
	SeedWorkers  int
	CSMM         string
	JSON         string
	LogLevel     string
	CPUProfile   string
	BlockProfile string
	MemProfile   string
	Keep         bool
}

func parseOptions(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("api", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.DB, "db", "sqlite", "database: sqlite (a new file) or postgres (a new database on -postgres-url)")
	fs.StringVar(&o.PostgresURL, "postgres-url", os.Getenv("CSMM_TEST_POSTGRES_URL"), "PostgreSQL server `URL` on which a fresh database is created (default $CSMM_TEST_POSTGRES_URL)")
	fs.IntVar(&o.Clients, "clients", 64, "concurrent clients")
	fs.IntVar(&o.Assessments, "assessments", 1000, "assessments seeded in the organization")
	fs.DurationVar(&o.Duration, "duration", 30*time.Second, "measured load `duration`")
	fs.DurationVar(&o.Warmup, "warmup", 3*time.Second, "load before the measured window, not counted")
	fs.Float64Var(&o.WriteRatio, "write-ratio", 0.5, "share of putAnswer among requests (the rest read scores)")
	fs.DurationVar(&o.Think, "think", 0, "pause of each client between requests")
	fs.IntVar(&o.MaxRequests, "max-requests", 1_000_000, "most requests of each client")
	fs.IntVar(&o.SeedWorkers, "seed-workers", 4, "imports in flight while seeding")
	fs.StringVar(&o.CSMM, "csmm", "", "csmm `binary` to serve (default: build ./cmd/csmm)")
	fs.StringVar(&o.JSON, "json", "", "also write the result as JSON to `file`")
	fs.StringVar(&o.LogLevel, "log-level", "warn", "the server's log level (info logs every request)")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "run the server inside this process and write a CPU profile of the load phase to `file`")
	fs.StringVar(&o.MemProfile, "memprofile", "", "run the server inside this process and write what the load phase allocated to `file`, and what was allocated before it to file.base (go tool pprof -sample_index=alloc_space -base file.base file; the load generator's allocations are included)")
	fs.StringVar(&o.BlockProfile, "blockprofile", "", "run the server inside this process and write a profile of where goroutines waited during the load phase to `file`")
	fs.BoolVar(&o.Keep, "keep", false, "keep the temporary directory (database, server log)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q: every setting is a flag", fs.Args())
	}
	var errs []error
	if o.DB != "sqlite" && o.DB != "postgres" {
		errs = append(errs, fmt.Errorf("-db %q: expected sqlite or postgres", o.DB))
	}
	if o.DB == "postgres" && o.PostgresURL == "" {
		errs = append(errs, fmt.Errorf("-db postgres needs -postgres-url or CSMM_TEST_POSTGRES_URL (source scripts/postgres.sh)"))
	}
	if o.Clients < 1 || o.Clients > 1024 {
		errs = append(errs, fmt.Errorf("-clients %d: expected 1 to 1024", o.Clients))
	}
	if o.Assessments < 1 || o.Assessments > 100_000 {
		errs = append(errs, fmt.Errorf("-assessments %d: expected 1 to 100000", o.Assessments))
	}
	if o.Duration <= 0 || o.Duration > time.Hour || o.Warmup < 0 || o.Warmup > 10*time.Minute {
		errs = append(errs, fmt.Errorf("-duration %s, -warmup %s: expected 0 < duration <= 1h and 0 <= warmup <= 10m", o.Duration, o.Warmup))
	}
	if o.WriteRatio < 0 || o.WriteRatio > 1 {
		errs = append(errs, fmt.Errorf("-write-ratio %g: expected 0 to 1", o.WriteRatio))
	}
	if o.Think < 0 || o.MaxRequests < 1 || o.SeedWorkers < 1 {
		errs = append(errs, fmt.Errorf("-think, -max-requests and -seed-workers: expected think >= 0, the others >= 1"))
	}
	return o, errors.Join(errs...)
}

func main() {
	o, err := parseOptions(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "api:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	res, err := run(ctx, o, os.Stderr)
	if res != nil {
		res.writeTable(os.Stdout)
		if o.JSON != "" {
			f, ferr := os.Create(o.JSON)
			if ferr == nil {
				ferr = errors.Join(res.writeJSON(f), f.Close())
			}
			err = errors.Join(err, ferr)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "api:", err)
		os.Exit(1)
	}
}

// run sets up the server, seeds, runs the load and tears everything down.
// It returns the result when the load ran, with an error when requests failed.
func run(ctx context.Context, o *options, logw io.Writer) (_ *result, err error) {
	dir, err := os.MkdirTemp("", "csmm-bench-api-")
	if err != nil {
		return nil, err
	}
	if o.Keep {
		fmt.Fprintf(logw, "keeping %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}

	dsn := filepath.Join(dir, "csmm.db")
	if o.DB == "postgres" {
		var drop func() error
		dsn, drop, err = freshPostgres(ctx, o.PostgresURL)
		if err != nil {
			return nil, err
		}
		defer func() { err = errors.Join(err, drop()) }()
	}

	var srv *running
	if o.CPUProfile != "" || o.BlockProfile != "" || o.MemProfile != "" {
		srv, err = startInProcess(ctx, dsn, logw)
	} else {
		bin := o.CSMM
		if bin == "" {
			fmt.Fprintln(logw, "building csmm")
			if bin, err = buildCSMM(ctx, dir); err != nil {
				return nil, err
			}
		}
		srv, err = startProcess(ctx, bin, dsn, filepath.Join(dir, "server.log"), o.LogLevel)
	}
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, srv.Stop()) }()
	fmt.Fprintf(logw, "csmm serving %s on %s (pid %d)\n", o.DB, srv.URL, srv.PID)

	startLoad, endLoad := profiles(o)
	return bench(ctx, o, srv, logw, startLoad, endLoad)
}

// profiles returns the functions that start and stop the profiles asked
// for, around the load phase.
func profiles(o *options) (start, end func() error) {
	var f *os.File
	start = func() error {
		if o.MemProfile != "" {
			// The profile counts from the start of the process: the one
			// written now is the base to subtract (pprof -base) for the
			// load phase alone.
			if err := writeProfile("allocs", o.MemProfile+".base"); err != nil {
				return err
			}
		}
		if o.BlockProfile != "" {
			runtime.SetBlockProfileRate(int(100 * time.Microsecond))
		}
		if o.CPUProfile == "" {
			return nil
		}
		var err error
		if f, err = os.Create(o.CPUProfile); err != nil {
			return err
		}
		return pprof.StartCPUProfile(f)
	}
	end = func() error {
		var errs []error
		if f != nil {
			pprof.StopCPUProfile()
			errs = append(errs, f.Close())
		}
		if o.MemProfile != "" {
			errs = append(errs, writeProfile("allocs", o.MemProfile))
		}
		if o.BlockProfile != "" {
			runtime.SetBlockProfileRate(0)
			bf, err := os.Create(o.BlockProfile)
			if err != nil {
				return err
			}
			errs = append(errs, pprof.Lookup("block").WriteTo(bf, 0), bf.Close())
		}
		return errors.Join(errs...)
	}
	return start, end
}

// writeProfile writes the named runtime profile to file.
func writeProfile(name, file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	return errors.Join(pprof.Lookup(name).WriteTo(f, 0), f.Close())
}

// bench seeds the running server and measures the load. startLoad and
// endLoad bracket the load phase (for a CPU profile).
func bench(ctx context.Context, o *options, srv *running, logw io.Writer, startLoad, endLoad func() error) (*result, error) {
	c, err := newAPIClient(srv.URL, srv.Token, o.Clients+o.SeedWorkers)
	if err != nil {
		return nil, err
	}
	if err := c.resolveOrg(ctx, benchOrg); err != nil {
		return nil, err
	}
	m, err := fetchModel(ctx, c)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(logw, "seeding %d assessments of %s (%d objectives, %d scopes)\n", o.Assessments, m.Ref, len(m.Objectives), len(benchScopes))
	seedStart := time.Now()
	ids, err := seed(ctx, c, m, benchOrg, o.Assessments, o.SeedWorkers, time.Now())
	if err != nil {
		return nil, err
	}
	seedTime := time.Since(seedStart)
	versions, err := storedVersions(ctx, c, ids)
	if err != nil {
		return nil, err
	}
	res := &result{
		Date: time.Now().UTC().Format(time.DateOnly), Database: o.DB, Clients: o.Clients, Assessments: o.Assessments,
		WriteRatio: o.WriteRatio, Duration: o.Duration.String(), CPUs: runtime.NumCPU(),
		SeedSeconds: seedTime.Seconds(), ScoreP99TargetMS: ms(scoreP99Target(o.DB)), PutP99TargetMS: ms(putP99Target),
	}
	if kb, err := procStatus(srv.PID, "VmHWM"); err == nil {
		res.ServerSeedPeakRSSMiB = float64(kb) / 1024
	}
	if err := resetPeakRSS(srv.PID); err != nil {
		fmt.Fprintf(logw, "cannot reset the peak RSS (%v): the load-phase peak includes seeding\n", err)
	}
	fmt.Fprintf(logw, "seeded in %.1f s; running %d clients for %s after %s of warm-up\n", seedTime.Seconds(), o.Clients, o.Duration, o.Warmup)

	if err := startLoad(); err != nil {
		return nil, err
	}
	cpu0, cpuErr := cpuTime(srv.PID)
	self0, selfErr := cpuTime(os.Getpid())
	busy0, steal0, busyErr := machineCPU()
	res.LoadAverage = loadAverage()
	t0 := time.Now()
	lr, err := runLoad(ctx, c, m, ids, versions, loadConfig{
		Clients: o.Clients, WriteRatio: o.WriteRatio, Warmup: o.Warmup, Duration: o.Duration,
		MaxRequests: o.MaxRequests, Think: o.Think,
	})
	elapsed := time.Since(t0)
	cpu1, cpuErr1 := cpuTime(srv.PID)
	self1, selfErr1 := cpuTime(os.Getpid())
	busy1, steal1, busyErr1 := machineCPU()
	if err := errors.Join(err, endLoad()); err != nil {
		return nil, err
	}
	if errors.Join(cpuErr, cpuErr1, selfErr, selfErr1, busyErr, busyErr1) == nil {
		res.ServerCPUCores = (cpu1 - cpu0).Seconds() / elapsed.Seconds()
		if srv.PID != os.Getpid() {
			res.LoadGenCPUCores = (self1 - self0).Seconds() / elapsed.Seconds()
		}
		res.OtherCPUCores = max(0, (busy1-busy0).Seconds()/elapsed.Seconds()-res.ServerCPUCores-res.LoadGenCPUCores)
		res.StolenCPUCores = (steal1 - steal0).Seconds() / elapsed.Seconds()
	}
	if kb, err := procStatus(srv.PID, "VmHWM"); err == nil {
		res.ServerPeakRSSMiB = float64(kb) / 1024
	}
	res.Ops = []opStats{
		summarize("putAnswer", latencies(lr.Put.spans), lr.Put.conflicts, lr.Put.errors, lr.Window),
		summarize("getScore", latencies(lr.Score.spans), lr.Score.conflicts, lr.Score.errors, lr.Window),
	}
	for _, op := range res.Ops {
		res.PerSecond += op.PerSecond
	}
	res.stallStats = measureStalls(lr.Score.spans, lr.Put.spans, res.op("getScore").p99)
	if n := res.PerSecond * lr.Window.Seconds(); n > 0 {
		res.ServerCPUMSPerRequest = res.ServerCPUCores * elapsed.Seconds() * 1000 / n
	}
	score, put := res.op("getScore"), res.op("putAnswer")
	res.TargetMet = score.Count > 0 && score.P99MS < res.ScoreP99TargetMS && totalErrors(res.Ops) == 0 &&
		(put.Count == 0 || put.P99MS < res.PutP99TargetMS)
	var errs []error
	for _, s := range []struct {
		op string
		s  *opSample
	}{{"putAnswer", &lr.Put}, {"getScore", &lr.Score}} {
		if s.s.errors > 0 {
			errs = append(errs, fmt.Errorf("%s: %d errors, the first: %s", s.op, s.s.errors, s.s.firstErr))
		}
		if s.s.conflicts > 0 {
			errs = append(errs, fmt.Errorf("%s: %d unexpected 409 conflicts (each client writes only its own assessments)", s.op, s.s.conflicts))
		}
	}
	return res, errors.Join(errs...)
}
