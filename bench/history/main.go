// Command history is the load benchmark of history, trends, comparison and
// peer benchmarks. It fills a database (SQLite file or PostgreSQL URL) with
// -orgs organizations and -per-org snapshots each (10,000 x 10 = 100,000
// snapshots of about 100 answers: 10 million answers), bulk-loaded with
// plain SQL in large transactions from a few scored templates, then serves
// the JSON API in process and runs -clients concurrent clients for
// -duration against getTrend, compareSnapshots (two snapshots of the
// caller's organization) and getBenchmark (random filters), each as a
// different organization's owner. It prints count, p50, p95, p99 and max
// per operation.
//
//	go run ./bench/history -db /tmp/history.db -orgs 10000 -per-org 10
//	go run ./bench/history -db "$CSMM_TEST_POSTGRES_URL" -orgs 10000 -per-org 10
//
// A database already loaded with as many snapshots is reused (-reuse).
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/history"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/server"
	"github.com/csmm/csmm/internal/store"
)

type options struct {
	db       string
	orgs     int
	perOrg   int
	clients  int
	askers   int
	duration time.Duration
	reuse    bool
	cpuprof  string
}

func main() {
	var o options
	flag.StringVar(&o.db, "db", "", "SQLite file path or postgres:// URL (required)")
	flag.IntVar(&o.orgs, "orgs", 10000, "organizations")
	flag.IntVar(&o.perOrg, "per-org", 10, "snapshots per organization")
	flag.IntVar(&o.clients, "clients", 16, "concurrent clients")
	flag.IntVar(&o.askers, "askers", 64, "organizations whose owners ask (each with an API token)")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "measured time")
	flag.BoolVar(&o.reuse, "reuse", true, "reuse a database that already has the snapshots")
	flag.StringVar(&o.cpuprof, "cpuprofile", "", "write a CPU profile of the first benchmark and the measured window (server and clients) to this file")
	flag.Parse()
	if o.db == "" {
		fmt.Fprintln(os.Stderr, "history: -db is required")
		os.Exit(2)
	}
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "history:", err)
		os.Exit(1)
	}
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func run(ctx context.Context, o options) error {
	st, err := store.Open(ctx, o.db)
	if err != nil {
		return err
	}
	defer st.Close()
	var raw *sql.DB
	if isPostgres(o.db) {
		raw, err = sql.Open("pgx", o.db)
	} else {
		raw, err = sql.Open("sqlite", o.db+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	}
	if err != nil {
		return err
	}
	defer raw.Close()
	var have int
	if err := raw.QueryRowContext(ctx, "SELECT COUNT(*) FROM snapshots").Scan(&have); err != nil {
		return err
	}
	want := o.orgs * o.perOrg
	if !(o.reuse && have >= want) {
		if have > 0 {
			return fmt.Errorf("the database has %d snapshots; use a new one (or -reuse with %d)", have, want)
		}
		start := time.Now()
		if err := load(ctx, st, raw, o); err != nil {
			return err
		}
		fmt.Printf("loaded %d organizations, %d snapshots in %s\n", o.orgs, want, time.Since(start).Round(time.Second))
	} else {
		fmt.Printf("reusing %d snapshots\n", have)
	}
	return measure(ctx, st, raw, o)
}

// template is one scored snapshot, packed, that many snapshots share.
type template struct {
	in, res []byte
	rows    []history.ScoreRow
	scores  string
	answers int
}

func templates(m *model.Model, n int) ([]template, error) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []assess.Answer{assess.No, assess.Some, assess.Half, assess.Most, assess.Yes}
	var out []template
	for i := range n {
		in := history.Input{AsOf: assess.Date{Year: 2026, Month: 11, Day: 1}, ValidityDays: 365,
			Scopes: []assess.Scope{{ID: "default", Weight: 1}}, Targets: map[string]int{}, Evidence: []history.Evidence{}, Exemptions: []history.Exemption{}}
		for _, c := range m.Categories {
			in.Targets[c.ID] = 3
		}
		for _, ob := range m.Objectives {
			// Later templates answer more, and better: scores that vary.
			if rng.IntN(n+2) > i+1 && rng.IntN(3) == 0 {
				continue
			}
			w := words[min(len(words)-1, rng.IntN(3)+i*len(words)/n)]
			in.Answers = append(in.Answers, history.Answer{Objective: ob.ID, Scope: "default",
				Response: assess.Response{Answer: w, By: "bench", Date: assess.Date{Year: 2026, Month: 10, Day: 1}}, UpdatedBy: "bench", Updated: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)})
		}
		res := assess.Score(in.Assess(m, assess.Date{}))
		pin, err := history.Pack(in)
		if err != nil {
			return nil, err
		}
		pres, err := history.Pack(res)
		if err != nil {
			return nil, err
		}
		rows := history.Scores(&res)
		scores, err := history.EncodeScores(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, template{in: pin, res: pres, rows: rows, scores: scores, answers: len(in.Answers)})
	}
	return out, nil
}

var (
	industries = []string{"finance", "health", "retail", "public", "tech", "energy"}
	sizes      = []string{"1-99", "100-999", "1000-4999", "5000+"}
	providers  = []string{"aws", "azure", "gcp"}
)

// load creates the asking organizations through the server's own code
// (owner and token), then bulk-loads every organization's profile and
// snapshots with plain SQL.
func load(ctx context.Context, st *store.Store, raw *sql.DB, o options) error {
	m, err := model.Builtin()
	if err != nil {
		return err
	}
	yaml, err := model.BuiltinRefYAML(m.Ref())
	if err != nil {
		return err
	}
	tpl, err := templates(m, 12)
	if err != nil {
		return err
	}
	hash := history.ModelHash(yaml)
	pg := isPostgres(o.db)
	q := func(s string) string {
		if !pg {
			return s
		}
		var b strings.Builder
		n := 0
		for _, r := range s {
			if r == '?' {
				n++
				fmt.Fprintf(&b, "$%d", n)
				continue
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	if _, err := raw.ExecContext(ctx, q("INSERT INTO snapshot_models (sha256, yaml) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING"), hash, string(yaml)); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(3, 4))
	answers := 0
	const batch = 250
	for start := 0; start < o.orgs; start += batch {
		tx, err := raw.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for i := start; i < min(start+batch, o.orgs); i++ {
			id := fmt.Sprintf("bench%06d", i)
			var provs []string
			for _, p := range providers {
				if rng.IntN(2) == 0 {
					provs = append(provs, p)
				}
			}
			plist := ""
			if len(provs) > 0 {
				plist = "," + strings.Join(provs, ",") + ","
			}
			if _, err := tx.ExecContext(ctx, q(`INSERT INTO organizations (id, name, slug, created_at, industry, size_band, regions, providers, benchmark_opt_in)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`), id, "Bench "+id, id, int64(0), industries[rng.IntN(len(industries))], sizes[rng.IntN(len(sizes))], ",eu,", plist, rng.IntN(5) != 0); err != nil {
				return err
			}
			var last string
			for j := range o.perOrg {
				t := tpl[(i+j)%len(tpl)]
				sid := fmt.Sprintf("%s-%03d", id, j)
				fin := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 30*j).UnixMicro()
				prog := t.rows[0]
				if _, err := tx.ExecContext(ctx, q(`INSERT INTO snapshots (id, org_id, assessment_id, assessment_name, finalized_at, finalized_by, note, as_of,
					model_id, model_version, model_sha256, program_score, floor, input, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
					sid, id, id+"-a", "Programme", fin, "bench", "", time.UnixMicro(fin).UTC().Format(time.DateOnly),
					m.ID, m.Version, hash, prog.Score, prog.Level, t.in, t.res); err != nil {
					return err
				}
				// One statement per snapshot for its score rows.
				args := make([]any, 0, 8*len(t.rows))
				for pos, r := range t.rows {
					args = append(args, sid, pos, id, r.Kind, r.ID, r.Score, r.Level, r.Target)
				}
				if _, err := tx.ExecContext(ctx, q("INSERT INTO snapshot_scores (snapshot_id, pos, org_id, kind, ref, score, level, target) VALUES "+
					strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?), ", len(t.rows)), ", ")), args...); err != nil {
					return err
				}
				// Its summary row, as the store's finalize writes it.
				if _, err := tx.ExecContext(ctx, q(`INSERT INTO snapshot_summaries (snapshot_id, org_id, assessment_id, assessment_name, finalized_at, as_of,
					model_id, model_version, scores) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
					sid, id, id+"-a", "Programme", fin, time.UnixMicro(fin).UTC().Format(time.DateOnly), m.ID, m.Version, t.scores); err != nil {
					return err
				}
				answers += t.answers
				last = sid
			}
			if _, err := tx.ExecContext(ctx, q("INSERT INTO benchmark_latest (org_id, snapshot_id, model_id, model_version, finalized_at) VALUES (?, ?, ?, ?, ?)"),
				id, last, m.ID, m.Version, int64(0)); err != nil {
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	if _, err := raw.ExecContext(ctx, q("INSERT INTO benchmark_state (id, generation) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET generation = benchmark_state.generation + 1")); err != nil {
		return err
	}
	if pg {
		raw.ExecContext(ctx, "ANALYZE")
	} else {
		raw.ExecContext(ctx, "ANALYZE")
	}
	fmt.Printf("answers frozen in the snapshots: %d\n", answers)
	return nil
}

// asker is one organization's owner with an API token and two snapshots.
type asker struct {
	slug, token, from, to string
}

func measure(ctx context.Context, st *store.Store, raw *sql.DB, o options) error {
	cfg := server.DefaultConfig()
	cfg.PasswordParams = identity.PasswordParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	srv, err := server.New(cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	defer srv.Close()
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	var askers []asker
	for i := 0; i < o.askers && i < o.orgs; i++ {
		slug := fmt.Sprintf("bench%06d", i*(o.orgs/o.askers))
		email := "owner-" + slug + "@bench.example"
		if _, err := st.GetUserByEmail(ctx, email); err != nil {
			u, _, err := server.CreateUser(ctx, st, server.NewUser{Organization: slug, Email: email, Role: csmm.RoleOwner, Password: "bench password " + slug}, cfg.PasswordParams, store.Actor{})
			if err != nil {
				org, gerr := st.GetOrganizationBySlug(ctx, slug)
				if gerr != nil {
					return err
				}
				if u, err = st.CreateUser(ctx, store.Actor{}, email, "Owner", ""); err != nil {
					return err
				}
				if err := st.AddMembership(ctx, org.ID, store.Actor{}, u.ID, csmm.RoleOwner); err != nil {
					return err
				}
			}
		}
		secret, _, err := server.CreateToken(ctx, st, server.NewToken{Organization: slug, Email: email, Name: fmt.Sprintf("bench %d", time.Now().UnixNano()), Role: csmm.RoleViewer}, store.Actor{})
		if err != nil {
			return err
		}
		snaps, err := st.ListSnapshots(ctx, slugID(ctx, st, slug), "")
		if err != nil || len(snaps) < 2 {
			return fmt.Errorf("organization %s: %d snapshots: %v", slug, len(snaps), err)
		}
		askers = append(askers, asker{slug: slug, token: secret, from: snaps[len(snaps)-1].ID, to: snaps[0].ID})
	}
	if err := checkSummaries(ctx, st, askers); err != nil {
		return err
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.clients * 2}}
	type sample struct {
		op  string
		lat time.Duration
		err bool
	}
	ops := []string{"getTrend", "compareSnapshots", "getBenchmark"}
	path := func(rng *rand.Rand, a asker, op string) string {
		base := ts.URL + "/api/v1/orgs/" + a.slug
		switch op {
		case "getTrend":
			return base + "/trend"
		case "compareSnapshots":
			return base + "/compare?from=" + a.from + "&to=" + a.to
		}
		v := []string{}
		if rng.IntN(2) == 0 {
			v = append(v, "industry="+industries[rng.IntN(len(industries))])
		}
		if rng.IntN(2) == 0 {
			v = append(v, "size_band="+sizes[rng.IntN(len(sizes))])
		}
		if rng.IntN(2) == 0 {
			v = append(v, "provider="+providers[rng.IntN(len(providers))])
		}
		return base + "/benchmark?" + strings.Join(v, "&")
	}
	if o.cpuprof != "" {
		f, err := os.Create(o.cpuprof)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	// The first benchmark of a generation reads every opted-in
	// organization's latest scores: timed here, apart from the load.
	{
		a := askers[0]
		req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/api/v1/orgs/"+a.slug+"/benchmark", nil)
		req.Header.Set("Authorization", "Bearer "+a.token)
		t0 := time.Now()
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Printf("first benchmark of the generation (reads every opted-in organization's scores): %s\n", time.Since(t0).Round(time.Millisecond))
	}
	var mu sync.Mutex
	var all []sample
	load0, cpu0 := loadavg(), cpuTime()
	deadline := time.Now().Add(o.duration)
	var wg sync.WaitGroup
	for c := range o.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), 9))
			var mine []sample
			for time.Now().Before(deadline) {
				a := askers[rng.IntN(len(askers))]
				op := ops[rng.IntN(len(ops))]
				req, _ := http.NewRequestWithContext(ctx, "GET", path(rng, a, op), nil)
				req.Header.Set("Authorization", "Bearer "+a.token)
				t0 := time.Now()
				resp, err := hc.Do(req)
				bad := err != nil
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					bad = resp.StatusCode != http.StatusOK
				}
				mine = append(mine, sample{op, time.Since(t0), bad})
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	fmt.Printf("%d clients for %s over %d asking organizations\n", o.clients, o.duration, len(askers))
	fmt.Printf("CPU of this process (server and clients): %.2f cores; load average before %s, after %s\n",
		(cpuTime()-cpu0).Seconds()/o.duration.Seconds(), load0, loadavg())
	fmt.Printf("%-18s %8s %8s %10s %10s %10s %10s %7s\n", "operation", "count", "req/s", "p50", "p95", "p99", "max", "errors")
	for _, op := range ops {
		var lat []time.Duration
		errs := 0
		for _, s := range all {
			if s.op == op {
				lat = append(lat, s.lat)
				if s.err {
					errs++
				}
			}
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		p := func(q float64) time.Duration {
			if len(lat) == 0 {
				return 0
			}
			return lat[min(len(lat)-1, int(q*float64(len(lat))))]
		}
		fmt.Printf("%-18s %8d %8.0f %10s %10s %10s %10s %7d\n", op, len(lat), float64(len(lat))/o.duration.Seconds(),
			p(0.5).Round(time.Microsecond*10), p(0.95).Round(time.Microsecond*10), p(0.99).Round(time.Microsecond*10), p(1).Round(time.Microsecond*10), errs)
	}
	return nil
}

func slugID(ctx context.Context, st *store.Store, slug string) string {
	o, err := st.GetOrganizationBySlug(ctx, slug)
	if err != nil {
		return ""
	}
	return o.ID
}

// checkSummaries checks that the summary rows the loader wrote are what the
// store's finalize writes: for each asker's trend, every point's scores are
// the score rows of its snapshot's stored result.
func checkSummaries(ctx context.Context, st *store.Store, askers []asker) error {
	for _, a := range askers {
		orgID := slugID(ctx, st, a.slug)
		t, err := st.Trend(ctx, orgID, "")
		if err != nil {
			return err
		}
		for _, p := range t.Points {
			snap, _, err := st.GetSnapshot(ctx, orgID, p.SnapshotID)
			if err != nil {
				return err
			}
			if want := history.Scores(&snap.Result); !reflect.DeepEqual(want, p.Scores) {
				return fmt.Errorf("snapshot %s: the summary row's scores %+v differ from its result's %+v", p.SnapshotID, p.Scores, want)
			}
		}
	}
	return nil
}

// loadavg is the machine's 1-minute load average, from /proc/loadavg.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Fields(string(b))[0]
}

// cpuTime is the user and system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
