package server

import (
	"crypto/subtle"
	"database/sql"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/csmm/csmm/internal/promtext"
)

// Metrics are the server's Prometheus metrics, on a registry of their own
// so that two servers in one process do not collide.
type Metrics struct {
	Registry *promtext.Registry

	requests *promtext.CounterVec
	latency  *promtext.HistogramVec
	signIns  *promtext.CounterVec
	// Scoring observes how long scoring one assessment takes, in seconds.
	Scoring *promtext.HistogramMetric
}

// NewMetrics registers the server's metrics, the Go runtime and process
// collectors and the statistics of each database connection pool in pools
// (go_sql_* metrics labelled db_name=<the pool's name>; see store.Pools).
func NewMetrics(pools map[string]*sql.DB) *Metrics {
	reg := promtext.NewRegistry()
	m := &Metrics{
		Registry: reg,
		requests: promtext.NewCounterVec("csmm_http_requests_total",
			"HTTP requests served, by route pattern, method and status code.", "route", "method", "code"),
		latency: promtext.NewHistogramVec("csmm_http_request_duration_seconds",
			"Time to serve HTTP requests, by route pattern and method.", promtext.DefBuckets, "route", "method"),
		signIns: promtext.NewCounterVec("csmm_sign_ins_total",
			"Sign-in attempts, by method (password, oidc) and result (success, failure, rate_limited).", "method", "result"),
		Scoring: promtext.NewHistogram("csmm_scoring_duration_seconds", "Time to score one assessment.",
			[]float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1}),
	}
	reg.Register(m.requests, m.latency, m.signIns, m.Scoring, promtext.GoCollector(), promtext.ProcessCollector())
	for _, name := range slices.Sorted(maps.Keys(pools)) {
		reg.Register(promtext.DBStatsCollector(pools[name], name))
	}
	return m
}

// Handler serves the metrics in the Prometheus text exposition format.
func (m *Metrics) Handler() http.Handler { return m.Registry }

// RequireToken serves next only to requests with the header
// "Authorization: Bearer <token>", and 401 to the rest; an empty token
// requires nothing.
func RequireToken(token string, next http.Handler) http.Handler {
	if token == "" {
		return next
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="csmm metrics"`)
			http.Error(w, "401 unauthorized: /metrics needs the bearer token set with --metrics-token", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (m *Metrics) signIn(method, result string) {
	m.signIns.Inc(method, result)
}

func (m *Metrics) observe(route, method string, code int, d time.Duration) {
	m.requests.Inc(route, method, strconv.Itoa(code))
	m.latency.Observe(d.Seconds(), route, method)
}
