package promtext_test

import (
	"bytes"
	"database/sql"
	"math"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	_ "modernc.org/sqlite"

	"github.com/csmm/csmm/internal/promtext"
)

// TestExposition checks the exact text of counters and histograms with
// labels: families sorted by name, metrics by label values, label names
// sorted with le last, escapes, cumulative buckets, and that a family
// without metrics is left out.
func TestExposition(t *testing.T) {
	reg := promtext.NewRegistry()
	req := promtext.NewCounterVec("app_requests_total", "Requests by code.\nSecond line \\ end.", "route", "code")
	lat := promtext.NewHistogramVec("app_latency_seconds", "Latency.", []float64{0.1, 1}, "route")
	one := promtext.NewHistogram("app_scoring_seconds", "Scoring.", []float64{.5})
	unused := promtext.NewCounterVec("app_unused_total", "Never used.", "x")
	reg.Register(req, lat, one, unused)
	req.Inc("/b", "200")
	req.Inc("/a \"quoted\"\n", "500")
	req.Add(2, "/a", "200")
	lat.Observe(0.1, "/a")
	lat.Observe(0.5, "/a")
	lat.Observe(3, "/a")
	one.Observe(0.25)

	rec := httptest.NewRecorder()
	reg.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	want := `# HELP app_latency_seconds Latency.
# TYPE app_latency_seconds histogram
app_latency_seconds_bucket{route="/a",le="0.1"} 1
app_latency_seconds_bucket{route="/a",le="1"} 2
app_latency_seconds_bucket{route="/a",le="+Inf"} 3
app_latency_seconds_sum{route="/a"} 3.6
app_latency_seconds_count{route="/a"} 3
# HELP app_requests_total Requests by code.\nSecond line \\ end.
# TYPE app_requests_total counter
app_requests_total{code="200",route="/a"} 2
app_requests_total{code="200",route="/b"} 1
app_requests_total{code="500",route="/a \"quoted\"\n"} 1
# HELP app_scoring_seconds Scoring.
# TYPE app_scoring_seconds histogram
app_scoring_seconds_bucket{le="0.5"} 1
app_scoring_seconds_bucket{le="+Inf"} 1
app_scoring_seconds_sum 0.25
app_scoring_seconds_count 1
# HELP promhttp_metric_handler_errors_total Total number of internal errors encountered by the promhttp metric handler.
# TYPE promhttp_metric_handler_errors_total counter
promhttp_metric_handler_errors_total{cause="encoding"} 0
promhttp_metric_handler_errors_total{cause="gathering"} 0
`
	if d := cmp.Diff(want, rec.Body.String()); d != "" {
		t.Errorf("exposition (-want +got):\n%s", d)
	}
	if ct := rec.Header().Get("Content-Type"); ct != promtext.ContentType {
		t.Errorf("content type %q", ct)
	}
}

// family is what is compared of a family with the Prometheus client's.
type family struct {
	Name, Help, Type string
	Labels           []string
}

// families parses an exposition with the Prometheus text parser, which
// fails on malformed text, and returns its families.
func families(t *testing.T, text []byte) []family {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(text))
	if err != nil {
		t.Fatalf("the exposition does not parse: %v\n%s", err, text)
	}
	var out []family
	for name, mf := range mfs {
		f := family{Name: name, Help: mf.GetHelp(), Type: strings.ToLower(mf.GetType().String())}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if !slices.Contains(f.Labels, l.GetName()) {
					f.Labels = append(f.Labels, l.GetName())
				}
			}
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b family) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// TestSameFamiliesAsClientGolang compares the runtime, process and
// database pool families with those of the Prometheus Go client's default
// collectors: names, help, types and label names must be the same, so that
// dashboards and alerts keep working.
func TestSameFamiliesAsClientGolang(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}

	theirs := prometheus.NewRegistry()
	theirs.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(db, "primary"))
	mfs, err := theirs.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
			t.Fatal(err)
		}
	}
	// The registry's own family, which promhttp adds.
	buf.WriteString("# HELP promhttp_metric_handler_errors_total Total number of internal errors encountered by the promhttp metric handler.\n" +
		"# TYPE promhttp_metric_handler_errors_total counter\npromhttp_metric_handler_errors_total{cause=\"encoding\"} 0\n")
	want := families(t, buf.Bytes())

	ours := promtext.NewRegistry()
	ours.Register(promtext.GoCollector(), promtext.ProcessCollector(), promtext.DBStatsCollector(db, "primary"))
	rec := httptest.NewRecorder()
	ours.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	got := families(t, rec.Body.Bytes())
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("families (-client_golang +ours):\n%s", d)
	}
	body := rec.Body.String()
	for _, line := range []string{`go_sql_open_connections{db_name="primary"} 1`, `go_sql_idle_connections{db_name="primary"} 1`,
		`go_gc_duration_seconds{quantile="0.5"}`, `go_info{version="go`, "go_goroutines ", "process_resident_memory_bytes "} {
		if !strings.Contains(body, line) {
			t.Errorf("no %s in\n%s", line, body)
		}
	}
}

// TestValuesAgree reads a few values both ways: ours must be close to the
// client's (they are read at slightly different times).
func TestValuesAgree(t *testing.T) {
	theirs := prometheus.NewRegistry()
	theirs.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	ours := promtext.NewRegistry()
	ours.Register(promtext.GoCollector(), promtext.ProcessCollector())
	mfs, err := theirs.Gather()
	if err != nil {
		t.Fatal(err)
	}
	value := map[string]float64{}
	for _, mf := range mfs {
		if len(mf.GetMetric()) == 1 {
			m := mf.GetMetric()[0]
			value[mf.GetName()] = m.GetGauge().GetValue() + m.GetCounter().GetValue()
		}
	}
	got := map[string]float64{}
	for _, f := range ours.Gather() {
		if len(f.Metrics) == 1 {
			got[f.Name] = f.Metrics[0].Value
		}
	}
	// Each value may differ from the client's by rel times it plus abs.
	for name, tol := range map[string]struct{ rel, abs float64 }{
		"go_sched_gomaxprocs_threads": {}, "go_gc_gogc_percent": {}, "process_max_fds": {},
		"process_virtual_memory_max_bytes": {}, "process_start_time_seconds": {abs: 0.02},
		"go_memstats_sys_bytes": {rel: 0.5}, "process_resident_memory_bytes": {rel: 0.5}, "go_threads": {abs: 2},
	} {
		w, g := value[name], got[name]
		if w == 0 {
			t.Errorf("%s: the client gives no value", name)
			continue
		}
		if d := math.Abs(g - w); d > tol.rel*w+tol.abs {
			t.Errorf("%s = %g, the client gives %g", name, g, w)
		}
	}
}

// TestConcurrent counts from many goroutines while the registry is read;
// run with -race.
func TestConcurrent(t *testing.T) {
	reg := promtext.NewRegistry()
	c := promtext.NewCounterVec("c_total", "C.", "k")
	h := promtext.NewHistogramVec("h_seconds", "H.", promtext.DefBuckets, "k")
	reg.Register(c, h)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				k := strconv.Itoa((g + i) % 3)
				c.Inc(k)
				h.Observe(float64(i)/1000, k)
				if i%100 == 0 {
					reg.Gather()
				}
			}
		})
	}
	wg.Wait()
	var total, count float64
	for _, f := range reg.Gather() {
		for _, m := range f.Metrics {
			switch f.Name {
			case "c_total":
				total += m.Value
			case "h_seconds":
				count += float64(m.Count)
			}
		}
	}
	if total != 8000 || count != 8000 {
		t.Errorf("counted %g and observed %g, want 8000 each", total, count)
	}
}
